package io.jtipc.cli.pcap;

import io.jtipc.capture.CaptureSummary;
import io.jtipc.capture.DissectorOptions;
import io.jtipc.capture.TipcCaptureDissector;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code jtipc pcap FILE}: dissects the TIPC traffic in a pcap/pcapng capture. Exit code 0 when the file
 * was read to its end, 1 when it is unreadable or corrupt (a count of bad records is printed), 2 for bad
 * arguments.
 */
@Command(name = "pcap", sortOptions = false,
        subcommands = {LinksCommand.class, NamesCommand.class, StatsCommand.class},
        description = {"Dissect the TIPC traffic of a pcap or pcapng capture: one line per TIPC message",
            "(bundled, tunnelled, reassembled and decrypted messages included).",
            "Analysis verbs: 'jtipc pcap links|names|stats FILE' (see their --help)."},
        footer = {"", "Exit status: 0 capture read, 1 unreadable or corrupt capture, 2 bad arguments."})
public final class PcapCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "pcap or pcapng capture file")
    Path file;

    @Option(names = {"-V", "--verbose"}, description = "print every field of every message as an indented tree")
    boolean verbose;

    @Option(names = "--json", description = "print one JSON object per message (field names as the kernel's accessors)")
    boolean json;

    @Option(names = "--key", paramLabel = "HEX", description = "key given to 'tipc node set key' (AES key + 4-byte salt, hex; repeatable): decrypts encrypted frames")
    List<String> keys = new ArrayList<>();

    @Option(names = "--udp-port", paramLabel = "N", description = "also take UDP port N as TIPC (besides 6118; repeatable)")
    List<Integer> udpPorts = new ArrayList<>();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    PrintStream out = System.out;
    PrintStream err = System.err;

    /** Hooks the raw output streams into the pcap command of {@code cl}. */
    public static void attach(CommandLine cl, PrintStream out, PrintStream err) {
        CommandLine sub = cl.getSubcommands().get("pcap");
        if (sub != null && sub.getCommand() instanceof PcapCommand) {
            PcapCommand p = sub.getCommand();
            p.out = out;
            p.err = err;
        }
    }

    @Override public Integer call() {
        CommandLine cl = spec.commandLine();
        if (file == null) throw new CommandLine.ParameterException(cl, "missing capture FILE (try 'jtipc pcap --help')");
        if (verbose && json) throw new CommandLine.ParameterException(cl, "-V and --json cannot be used together");
        DissectorOptions.Builder b = LinksCommand.CaptureArgs.builder(cl, keys, udpPorts, "bad ");
        if (Files.isDirectory(file)) {
            err.println("jtipc pcap: " + file + " is a directory, not a capture file");
            return 1;
        }
        // the process's standard output goes straight to file descriptor 1 (no PrintStream lock or char
        // encoding; the printers build bytes and write them in large chunks)
        if (out == System.out) System.out.flush();
        OutputStream raw = out == System.out ? new FileOutputStream(FileDescriptor.out) : out;
        OutputStream w = json ? new BufferedOutputStream(raw, 1 << 18) : raw;
        Printer printer = json ? new JsonPrinter(w) : verbose ? new TreePrinter(w) : new PlainPrinter(w);
        TipcCaptureDissector d = new TipcCaptureDissector(b.build());
        CaptureSummary s;
        try {
            s = d.dissect(file, printer);
            printer.finish();
            w.flush();
        } catch (NoSuchFileException e) {
            flushQuietly(printer, w);
            err.println("jtipc pcap: cannot read " + file + ": no such file");
            return 1;
        } catch (IOException e) {
            flushQuietly(printer, w);
            err.println("jtipc pcap: cannot read " + file + ": " + e.getMessage());
            return 1;
        } catch (UncheckedIOException e) {
            err.println("jtipc pcap: cannot write output: " + e.getCause().getMessage());
            return 1;
        }
        StringBuilder sum = new StringBuilder("jtipc pcap: ").append(s.frames()).append(" frames, ")
                .append(s.tipcFrames()).append(" TIPC, ").append(s.messages()).append(" messages");
        if (s.encryptedFrames() > 0) {
            sum.append(", ").append(s.encryptedFrames()).append(" encrypted (").append(s.decryptedFrames())
                    .append(" decrypted)");
        }
        sum.append(", ").append(s.malformed()).append(" malformed");
        if (s.ipFragmentsDropped() > 0) sum.append(", ").append(s.ipFragmentsDropped()).append(" incomplete IP datagrams");
        err.println(sum);
        if (s.unsupportedLinkFrames() > 0) {
            err.println("jtipc pcap: " + s.unsupportedLinkFrames() + " frames of link type " + s.unsupportedLinkType()
                    + " were skipped (readable link types: 1 Ethernet, 113 Linux SLL, 276 SLL2, 101/12/14/228/229 raw IP)");
        }
        if (s.fileError() != null) {
            err.println("jtipc pcap: " + file + " is corrupt: " + s.fileError() + " (" + s.badRecords()
                    + " bad record" + (s.badRecords() == 1 ? "" : "s") + ", " + s.frames() + " frames read before)");
            return 1;
        }
        if (s.badRecords() > 0) {
            err.println("jtipc pcap: " + s.badRecords() + " bad record" + (s.badRecords() == 1 ? "" : "s") + " in " + file);
            return 1;
        }
        return 0;
    }

    private static void flushQuietly(Printer p, OutputStream w) {
        try {
            p.finish();
            w.flush();
        } catch (IOException | UncheckedIOException ignored) {
            // output already broken; the read error is what we report
        }
    }
}
