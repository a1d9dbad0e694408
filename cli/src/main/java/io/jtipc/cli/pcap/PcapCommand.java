package io.jtipc.cli.pcap;

import io.jtipc.capture.CaptureSummary;
import io.jtipc.capture.DissectorOptions;
import io.jtipc.capture.TipcCaptureDissector;
import io.jtipc.capture.filter.DisplayFilter;
import io.jtipc.capture.filter.FieldCatalog;
import io.jtipc.capture.filter.FilterSyntaxException;
import io.jtipc.capture.pcap.PcapngWriter;
import io.jtipc.wire.PeerText;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;

/**
 * {@code jtipc pcap FILE}: dissects the TIPC traffic in a pcap/pcapng capture, with tshark's options: {@code -r FILE}
 * or {@code -} (standard input), {@code -Y FILTER} ({@link DisplayFilter}, whole frames: {@link FrameSelector}),
 * {@code -c N}, {@code -T text|json|fields -e FIELD [-E header=y]} ({@link FieldsPrinter}), {@code -w OUT.pcapng}
 * ({@link PcapngWriter}; {@code -P} prints too), keys from {@code --key}, {@code --key-file} or {@code $JTIPC_KEY}
 * ({@link KeyFile}). Exit code 0 when the file was read to its end, when {@code -c} was reached, or when the reader
 * of standard output went away ({@link StdoutSink}: quiet, as tshark); 1 when the capture is unreadable or corrupt
 * (a count of bad records is printed) or {@code -w} cannot be written; 2 for bad arguments (a bad filter with the
 * position). Malformed frames and warnings (findings the kernel accepts, printed as {@code WARNING} lines and
 * counted apart in the summary line) are reported, neither changes the exit code.
 */
@Command(name = "pcap", sortOptions = false,
        subcommands = {LinksCommand.class, NamesCommand.class, StatsCommand.class},
        description = {"Dissect the TIPC traffic of a pcap or pcapng capture: one line per TIPC message",
            "(bundled, tunnelled, reassembled and decrypted messages included).",
            "Analysis verbs: 'jtipc pcap links|names|stats FILE' (see their --help)."},
        footer = {"", "Display filters (-Y) test the keys of --json output (nested keys joined by '.'):",
            "  -Y 'user == LINK_PROTOCOL && type == STATE && seq_gap > 0'",
            "  -Y 'sender.addr == 1001001 || malformed'",
            "  -Y 'warning' (frames the kernel accepts with a part ignored)",
            "  -Y 'origin contains bundl and not encrypted'",
            "Operators: == != < > <= >= contains, && || ! (and, or, not), parentheses;",
            "a bare field is true when present and not false. A frame matches when one",
            "of its messages does, and is then shown (and written by -w) whole.",
            "", "Examples:",
            "  jtipc pcap -r - -Y 'user == LINK_PROTOCOL' -c 10 -T fields -e frame -e type",
            "  jtipc pcap -r in.pcap -Y 'user == NAME_DISTRIBUTOR' -w names.pcapng",
            "  JTIPC_KEY=... jtipc pcap --json encrypted.pcap | head -1",
            "", "Exit status: 0 capture read (or output closed by its reader), 1 unreadable",
            "or corrupt capture, 2 bad arguments (a bad filter names the position)."})
public final class PcapCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "pcap or pcapng capture file ('-': standard input)")
    Path file;

    @Option(names = {"-r", "--read-file"}, paramLabel = "FILE", description = "capture to read, as the positional FILE ('-': standard input)")
    Path readFile;

    @Option(names = {"-Y", "--display-filter"}, paramLabel = "FILTER", description = "show only the frames matching FILTER (see below)")
    String displayFilter;

    @Option(names = {"-c", "--count"}, paramLabel = "N", description = "stop after N shown (matching) frames")
    Long count;

    @Option(names = {"-T", "--output-format"}, paramLabel = "FORMAT", description = "text (default), json (as --json) or fields (with -e)")
    String format;

    @Option(names = {"-e", "--field"}, paramLabel = "FIELD", description = "with -T fields: a --json key to print (repeatable; tab-separated, one line per frame, several values joined by ',')")
    List<String> fieldNames = new ArrayList<>();

    @Option(names = {"-E"}, paramLabel = "header=y|n", description = "with -T fields: header=y prints the field names first")
    List<String> fieldOptions = new ArrayList<>();

    @Option(names = {"-w", "--write"}, paramLabel = "OUT", description = "write the matching frames (original bytes and times) to OUT as pcapng ('-': standard output); nothing is printed unless -P")
    Path writeFile;

    @Option(names = {"-P", "--print"}, description = "with -w: print the frames as well")
    boolean printToo;

    @Option(names = {"-V", "--verbose"}, description = "print every field of every message as an indented tree")
    boolean verbose;

    @Option(names = "--json", description = "print one JSON object per message (field names as the kernel's accessors)")
    boolean json;

    @Option(names = "--key", paramLabel = "KEY", description = "key given to 'tipc node set key' (AES key + 4-byte salt: 0x and hex, or text; repeatable): decrypts encrypted frames. Visible to other users in ps: prefer --key-file or $JTIPC_KEY")
    List<String> keys = new ArrayList<>();

    @Option(names = "--key-file", paramLabel = "FILE", description = "read the keys from FILE (one per line, # comments; mode 600). The keys in $JTIPC_KEY are used too")
    Path keyFile;

    @Option(names = "--udp-port", paramLabel = "N", description = "also take UDP port N as TIPC (besides 6118; repeatable)")
    List<Integer> udpPorts = new ArrayList<>();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    PrintStream out = System.out;
    PrintStream err = System.err;
    InputStream in = System.in;
    UnaryOperator<String> getenv = System::getenv;

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
     *     an option it does not know such as -Y or -w, or any argument error): the caller then runs the full
     *     command tree, which prints the usual usage and error messages. Nothing has been written when null is
     *     returned.
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
            Setup setup = p.checkArguments(cl);
            try {
                return p.dissect(setup);
            } catch (RuntimeException e) { // as Main's execution exception handler
                err.println("jtipc: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
                err.flush();
                return 1;
            }
        } catch (CommandLine.ParameterException e) {
            return null;
        }
    }

    /** What the arguments ask for, checked. */
    private record Setup(DissectorOptions.Builder options, Path input, DisplayFilter filter, boolean fields,
            boolean header) { }

    /** Checks the arguments. @throws CommandLine.ParameterException (exit 2) naming the bad one */
    private Setup checkArguments(CommandLine cl) {
        if (file != null && readFile != null) throw new CommandLine.ParameterException(cl, "give the capture either with -r FILE or as FILE, not both");
        Path input = readFile != null ? readFile : file;
        if (input == null) throw new CommandLine.ParameterException(cl, "missing capture FILE (try 'jtipc pcap --help')");
        boolean fields = false;
        if (format != null) {
            switch (format) {
                case "text": break;
                case "json": json = true; break;
                case "fields": fields = true; break;
                default: throw new CommandLine.ParameterException(cl, "-T: unknown format '" + PeerText.escape(format, 40) + "' (text, json or fields)");
            }
        }
        if (verbose && json) throw new CommandLine.ParameterException(cl, "-V and --json cannot be used together");
        if (fields && (verbose || json)) throw new CommandLine.ParameterException(cl, "-T fields cannot be used with -V or --json");
        if (fields && fieldNames.isEmpty()) throw new CommandLine.ParameterException(cl, "-T fields needs at least one -e FIELD");
        if (!fields && !fieldNames.isEmpty()) throw new CommandLine.ParameterException(cl, "-e needs -T fields");
        for (String f : fieldNames) {
            if (!FieldCatalog.isKnown(f)) {
                throw new CommandLine.ParameterException(cl, "-e: unknown field '" + PeerText.escape(f, 80)
                        + "' (the keys of 'jtipc pcap --json', nested keys joined with '.')");
            }
        }
        boolean header = false;
        for (String o : fieldOptions) {
            switch (o) {
                case "header=y": header = true; break;
                case "header=n": header = false; break;
                default: throw new CommandLine.ParameterException(cl, "-E: unknown option '" + PeerText.escape(o, 40) + "' (header=y or header=n)");
            }
        }
        if (count != null && count < 1) throw new CommandLine.ParameterException(cl, "-c: the count must be at least 1");
        if (printToo && writeFile == null) throw new CommandLine.ParameterException(cl, "-P needs -w");
        boolean stdoutPcap = writeFile != null && "-".equals(writeFile.toString());
        if (stdoutPcap && (printToo || fields)) {
            throw new CommandLine.ParameterException(cl, "-w - writes the capture to standard output: nothing else can be printed there");
        }
        if (writeFile != null && !stdoutPcap && !"-".equals(input.toString()) && sameFile(input, writeFile)) {
            throw new CommandLine.ParameterException(cl, "-w " + PeerText.escape(writeFile.toString(), 200)
                    + " is the capture being read: write to another file");
        }
        DisplayFilter filter = null;
        if (displayFilter != null) {
            try {
                filter = DisplayFilter.parse(displayFilter);
            } catch (FilterSyntaxException e) {
                throw new CommandLine.ParameterException(cl, filterError(displayFilter, e));
            }
        }
        DissectorOptions.Builder b = LinksCommand.CaptureArgs.builder(cl, keys, keyFile, getenv, udpPorts, "bad ");
        return new Setup(b, input, filter, fields, header);
    }

    /** "-Y: MESSAGE at position N" and the filter with a caret under the position. */
    static String filterError(String filter, FilterSyntaxException e) {
        String shown = PeerText.escape(filter, DisplayFilter.MAX_LENGTH);
        int pos = Math.min(e.position(), filter.length());
        int col = PeerText.escape(filter.substring(0, pos), DisplayFilter.MAX_LENGTH).length();
        return "-Y: " + e.getMessage() + " at position " + (pos + 1) + System.lineSeparator() + "  " + shown
                + System.lineSeparator() + "  " + " ".repeat(col) + "^";
    }

    /** Exit code of a usage error. */
    static final int USAGE = 2;

    @Override public Integer call() {
        Setup setup;
        try {
            setup = checkArguments(spec.commandLine());
        } catch (CommandLine.ParameterException e) {
            // the message (a bad filter's with its caret line) and a hint, without the whole help text under it
            // (one line, as Main's handler of usage errors, unless the message has several)
            String hint = e.getMessage().contains("--help") ? "" : "(try 'jtipc pcap --help')";
            if (hint.isEmpty() || e.getMessage().contains("\n")) {
                err.println("jtipc pcap: " + e.getMessage());
                if (!hint.isEmpty()) err.println(hint);
            } else {
                err.println("jtipc pcap: " + e.getMessage() + " " + hint);
            }
            err.flush();
            return USAGE;
        }
        return dissect(setup);
    }

    /** True if both exist and are the same file (a link, another path to it); false if either is missing. */
    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false; // the read or the write reports the problem
        }
    }

    /**
     * Dissects; with {@code -w FILE} the capture is written to a temporary file next to FILE that replaces FILE
     * (rename) only when the command succeeds (exit 0), so a missing or unreadable input, or a failed write, leaves
     * an existing FILE as it was. The temporary file is created with mode 0600 and deleted on failure.
     */
    private Integer dissect(Setup setup) {
        if (writeFile == null || "-".equals(writeFile.toString())) return dissect(setup, writeFile);
        Path dir = writeFile.toAbsolutePath().getParent();
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, "." + writeFile.getFileName() + ".", ".tmp");
        } catch (IOException e) {
            err.println("jtipc pcap: cannot write " + writeFile + ": " + message(e));
            return 1;
        }
        boolean moved = false;
        try {
            int rc = dissect(setup, tmp);
            if (rc != 0) return rc;
            try {
                Files.move(tmp, writeFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, writeFile, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
            return 0;
        } catch (IOException e) {
            err.println("jtipc pcap: cannot write " + writeFile + ": " + message(e));
            return 1;
        } finally {
            if (!moved) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // nothing more to do: the command already failed
                }
            }
        }
    }

    /** Dissects, writing the -w capture (if any) to {@code pcapPath} ("-": standard output). */
    private Integer dissect(Setup setup, Path pcapPath) {
        Path input = setup.input();
        boolean stdin = "-".equals(input.toString());
        String name = stdin ? "standard input" : input.toString();
        if (!stdin && Files.isDirectory(input)) {
            err.println("jtipc pcap: " + input + " is a directory, not a capture file");
            return 1;
        }
        // the process's standard output goes straight to file descriptor 1 (no PrintStream lock or char
        // encoding; the printers build bytes and write them in large chunks)
        if (out == System.out) System.out.flush();
        StdoutSink sink = new StdoutSink(out == System.out ? new FileOutputStream(FileDescriptor.out) : out);
        boolean stdoutPcap = writeFile != null && "-".equals(writeFile.toString());
        OutputStream w = json ? new BufferedOutputStream(sink, 1 << 18) : sink;
        boolean print = writeFile == null || printToo;
        Printer printer = !print || setup.fields() ? null
                : json ? new JsonPrinter(w) : verbose ? new TreePrinter(w) : new PlainPrinter(w);
        OutputStream pcapOut = null;
        PcapngWriter pcap = null;
        Printer listener = printer;
        try {
            if (writeFile != null) {
                pcapOut = stdoutPcap ? new BufferedOutputStream(sink, 1 << 16)
                        : new BufferedOutputStream(Files.newOutputStream(pcapPath), 1 << 16);
                pcap = new PcapngWriter(pcapOut, "jtipc pcap");
            }
            if (setup.filter() != null || count != null || setup.fields() || pcap != null) {
                FieldsPrinter fp = setup.fields() ? new FieldsPrinter(fieldNames, setup.header(), w) : null;
                listener = new FrameSelector(setup.filter(), count == null ? 0 : count, printer, fp, pcap);
            }
        } catch (IOException | UncheckedIOException e) {
            if (sink.closed()) return 0;
            err.println("jtipc pcap: cannot write " + writeFile + ": " + message(e));
            return 1;
        }
        TipcCaptureDissector d = new TipcCaptureDissector(setup.options().build());
        CaptureSummary s;
        try {
            try {
                s = stdin ? d.dissect(in, listener) : d.dissect(input, listener);
            } catch (FrameSelector.Stop stop) {
                s = null; // -c reached: what was asked for is shown
            }
            listener.finish();
            w.flush();
            if (pcapOut != null) {
                try {
                    pcapOut.flush();
                    if (!stdoutPcap) pcapOut.close();
                } catch (IOException e) {
                    throw new FrameSelector.PcapWriteFailure(e);
                }
            }
        } catch (NoSuchFileException e) {
            flushQuietly(listener, w);
            err.println("jtipc pcap: cannot read " + name + ": no such file");
            return 1;
        } catch (IOException e) {
            if (sink.closed()) return 0;
            flushQuietly(listener, w);
            err.println("jtipc pcap: cannot read " + name + ": " + IoErrors.describe(e, stdin ? null : input));
            return 1;
        } catch (FrameSelector.PcapWriteFailure e) {
            if (sink.closed()) return 0; // -w - into a pipe its reader closed
            err.println("jtipc pcap: cannot write " + writeFile + ": " + IoErrors.describe(e.getCause(), writeFile));
            return 1;
        } catch (UncheckedIOException e) {
            if (sink.closed()) return 0; // the reader closed the pipe (| head): quiet, as tshark
            err.println("jtipc pcap: cannot write output: " + e.getCause().getMessage());
            return 1;
        }
        if (s == null) return 0;
        StringBuilder sum = new StringBuilder("jtipc pcap: ").append(s.frames()).append(" frames, ")
                .append(s.tipcFrames()).append(" TIPC, ").append(s.messages()).append(" messages");
        if (s.encryptedFrames() > 0) {
            sum.append(", ").append(s.encryptedFrames()).append(" encrypted (").append(s.decryptedFrames())
                    .append(" decrypted)");
        }
        sum.append(", ").append(s.malformed()).append(" malformed");
        // findings the kernel accepts: counted apart, and never a reason for a non-zero exit status
        if (s.warnings() > 0) sum.append(", ").append(s.warnings()).append(s.warnings() == 1 ? " warning" : " warnings");
        if (s.ipFragmentsDropped() > 0) sum.append(", ").append(s.ipFragmentsDropped()).append(" incomplete IP datagrams");
        if (listener instanceof FrameSelector fs) sum.append("; ").append(fs.passed()).append(" frames shown");
        err.println(sum);
        if (s.unsupportedLinkFrames() > 0) {
            err.println("jtipc pcap: " + s.unsupportedLinkFrames() + " frames of link type " + s.unsupportedLinkType()
                    + " were skipped (readable link types: 1 Ethernet, 113 Linux SLL, 276 SLL2, 101/12/14/228/229 raw IP)");
        }
        if (s.fileError() != null) {
            err.println("jtipc pcap: " + name + " is corrupt: " + s.fileError() + " (" + s.badRecords()
                    + " bad record" + (s.badRecords() == 1 ? "" : "s") + ", " + s.frames() + " frames read before)");
            return 1;
        }
        if (s.badRecords() > 0) {
            err.println("jtipc pcap: " + s.badRecords() + " bad record" + (s.badRecords() == 1 ? "" : "s") + " in " + name);
            return 1;
        }
        return 0;
    }

    private String message(Exception e) {
        return IoErrors.describe(e, writeFile);
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
