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
import java.util.Set;
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

    /** Names of this command's subcommands (the {@code subcommands} of its {@code @Command}; a test keeps them equal). */
    static final Set<String> SUBCOMMAND_NAMES = Set.of("links", "names", "stats");

    /**
     * Start-up fast path for {@code jtipc pcap [options] FILE}: parses the arguments with a {@link
     * CommandLine} built through picocli's programmatic API for this one command (the same options), which
     * skips reading the annotations of the whole command tree (about half of picocli's start-up).
     *
     * @param args the whole command line ({@code args[0]} must be {@code pcap})
     * @return the exit code, or null when the fast path does not apply (another command, a subcommand, help,
     *     or any argument error): the caller then runs the full command tree, which prints the usual usage
     *     and error messages. Nothing has been written when null is returned.
     */
    public static Integer runFast(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 2 || !"pcap".equals(args[0])) return null;
        for (int i = 1; i < args.length; i++) {
            if (SUBCOMMAND_NAMES.contains(args[i]) || "help".equals(args[i])) return null;
        }
        CommandLine.Model.CommandSpec s = CommandLine.Model.CommandSpec.create().name("pcap");
        s.addOption(CommandLine.Model.OptionSpec.builder("-V", "--verbose").type(boolean.class).build());
        s.addOption(CommandLine.Model.OptionSpec.builder("--json").type(boolean.class).build());
        s.addOption(CommandLine.Model.OptionSpec.builder("--key").type(List.class).auxiliaryTypes(String.class).arity("1").build());
        s.addOption(CommandLine.Model.OptionSpec.builder("--udp-port").type(List.class).auxiliaryTypes(Integer.class).arity("1").build());
        s.addOption(CommandLine.Model.OptionSpec.builder("-h", "--help").type(boolean.class).build());
        s.addPositional(CommandLine.Model.PositionalParamSpec.builder().index("0").arity("0..1").type(Path.class).build());
        CommandLine cl = new CommandLine(s);
        PcapCommand p = new PcapCommand();
        p.out = out;
        p.err = err;
        try {
            CommandLine.ParseResult r = cl.parseArgs(java.util.Arrays.copyOfRange(args, 1, args.length));
            if (r.hasMatchedOption("-h")) return null;
            p.verbose = r.matchedOptionValue("-V", false);
            p.json = r.matchedOptionValue("--json", false);
            p.keys.addAll(r.matchedOptionValue("--key", List.<String>of()));
            p.udpPorts.addAll(r.matchedOptionValue("--udp-port", List.<Integer>of()));
            p.file = r.matchedPositionalValue(0, null);
            DissectorOptions.Builder b = p.checkArguments(cl);
            try {
                return p.dissect(b);
            } catch (RuntimeException e) { // as Main's execution exception handler
                err.println("jtipc: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
                err.flush();
                return 1;
            }
        } catch (CommandLine.ParameterException e) {
            return null;
        }
    }

    /** Checks the arguments; returns the dissector options. @throws CommandLine.ParameterException if bad */
    private DissectorOptions.Builder checkArguments(CommandLine cl) {
        if (file == null) throw new CommandLine.ParameterException(cl, "missing capture FILE (try 'jtipc pcap --help')");
        if (verbose && json) throw new CommandLine.ParameterException(cl, "-V and --json cannot be used together");
        return LinksCommand.CaptureArgs.builder(cl, keys, udpPorts, "bad ");
    }

    @Override public Integer call() {
        return dissect(checkArguments(spec.commandLine()));
    }

    private Integer dissect(DissectorOptions.Builder b) {
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
