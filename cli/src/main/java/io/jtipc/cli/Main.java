package io.jtipc.cli;

import io.jtipc.cli.pcap.PcapCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * The {@code jtipc} command. Exit codes: 0 success, 1 the work failed (e.g. corrupt capture),
 * 2 bad command-line arguments.
 */
@Command(name = "jtipc", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"TIPC (Linux net/tipc) in user space for the JVM: tools.",
            "A running 'jtipc node' is operated through its control socket, as iproute2's tipc operates the kernel:",
            "  jtipc [--node SOCKET|IDENTITY] COMMAND [--json]",
            "  (exit 0 done, 1 failed, 2 bad command), COMMAND:",
            "    link list | link stat show [link NAME] | link stat reset [link NAME]",
            "    link set tolerance|priority|window VALUE link NAME",
            "    bearer list | bearer enable SPEC | bearer disable NAME",
            "    bearer add name NAME remoteip IP [remoteport P]",
            "    nametable show | node list | socket list | peer remove address ADDR",
            "    node set key KEY|- [master | nodeid ID] | node flush key",
            "    node set key rekeying MINUTES|now",
            "Without --node: the one node in the default directory ($XDG_RUNTIME_DIR/jtipc, /run/jtipc or /tmp/jtipc-UID)."},
        footer = {"", "Examples:",
            "  jtipc pcap -V samples/eth-6.1.pcap          # dissect a capture, every field",
            "  jtipc node --identity a --bearer udp:127.0.0.1 --echo 18888:17 &",
            "  jtipc link list                             # operate the running node",
            "  sudo jtipc lab --version 6.1 --nodes 2      # two Linux kernel TIPC nodes",
            "  jtipc help node                             # a command's options"},
        subcommands = {PcapCommand.class, LabCommand.class, NodeCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (try 'jtipc --help')");
    }

    public static void main(String[] args) {
        int rc = run(args, System.out, System.err);
        System.out.flush();
        System.exit(rc);
    }

    /** Runs the command in-process, writing to {@code out} / {@code err}; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Integer fast = PcapCommand.runFast(args, out, err); // `jtipc pcap FILE` without the whole command tree
        if (fast != null) return fast;
        Integer control = io.jtipc.cli.control.ControlClient.runIfControl(args, out, err); // `jtipc link list` etc.
        if (control != null) return control;
        CommandLine cl = commandLine(out, err);
        return cl.execute(args);
    }

    /** The configured picocli command line (subcommands may be added by other modules' code). */
    public static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        cl.setExecutionExceptionHandler((ex, line, parseResult) -> {
            line.getErr().println("jtipc: " + io.jtipc.cli.pcap.IoErrors.describe(ex, null));
            line.getErr().flush();
            return 1;
        });
        cl.setParameterExceptionHandler(Main::usageError);
        PcapCommand.attach(cl, out, err);
        addExamples(cl);
        return cl;
    }

    /**
     * A bad command line, of any command: the message and a hint naming the command used, in one line on stderr
     * (a message of several lines, such as a bad filter's with its caret, gets the hint on a line of its own), without
     * the whole help text; exit code 2.
     */
    static int usageError(CommandLine.ParameterException ex, String[] args) {
        CommandLine c = ex.getCommandLine();
        String name = c.getCommandSpec().qualifiedName();
        String msg = ex.getMessage() != null ? ex.getMessage() : ex.toString();
        PrintWriter err = c.getErr();
        String hint = "(try '" + name + " --help')";
        if (msg.contains("--help")) {
            err.println(name + ": " + msg);
        } else if (msg.contains("\n")) {
            err.println(name + ": " + msg);
            err.println(hint);
        } else {
            err.println(name + ": " + msg + " " + hint);
        }
        err.flush();
        return c.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * Every command's help wraps at the terminal's width (80 columns when it cannot be told); examples for the
     * commands whose {@code @Command} declares none (the pcap commands, help) are appended to their footer, each line
     * at most 80 columns.
     */
    private static void addExamples(CommandLine cl) {
        java.util.Map<String, String[]> examples = java.util.Map.of(
            "jtipc pcap", new String[] {
                "  jtipc pcap samples/eth-6.1.pcap               # one line per TIPC message",
                "  jtipc pcap -V samples/eth-6.1.pcap            # every field, as a tree",
                "  jtipc pcap --json samples/eth-6.1.pcap        # one JSON object per message",
                "  jtipc pcap --key 0xKEY...SALT samples/udpcrypto-6.1.pcap   # decrypt"},
            "jtipc pcap links", new String[] {"  jtipc pcap links samples/eth-6.1.pcap"},
            "jtipc pcap names", new String[] {
                "  jtipc pcap names samples/eth-6.1.pcap",
                "  jtipc pcap names --at 5.5 --history samples/eth-6.1.pcap"},
            "jtipc pcap stats", new String[] {"  jtipc pcap stats samples/eth-6.1.pcap"},
            "jtipc help", new String[] {"  jtipc help node", "  jtipc help pcap links"});
        java.util.ArrayDeque<CommandLine> todo = new java.util.ArrayDeque<>(java.util.List.of(cl));
        while (!todo.isEmpty()) {
            CommandLine c = todo.pop();
            todo.addAll(c.getSubcommands().values());
            c.setUsageHelpAutoWidth(true);
            String[] ex = examples.get(c.getCommandSpec().qualifiedName());
            CommandLine.Model.UsageMessageSpec u = c.getCommandSpec().usageMessage();
            if (ex == null || String.join("\n", u.footer()).contains("Example")) continue;
            java.util.List<String> f = new java.util.ArrayList<>(java.util.List.of(u.footer()));
            f.add("");
            f.add("Examples:");
            f.addAll(java.util.List.of(ex));
            u.footer(f.toArray(String[]::new));
        }
    }

    /**
     * {@code jtipc --version}: "jtipc VERSION", the version the build wrote into {@code io/jtipc/cli/version.properties}
     * (Maven resource filtering of {@code ${project.version}}), else the jar manifest's {@code Implementation-Version},
     * else "jtipc (version unknown)".
     */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override public String[] getVersion() {
            return new String[] {"jtipc " + version().orElse("(version unknown)")};
        }

        /** The build's version of this jar, if the build recorded one. */
        public static java.util.Optional<String> version() {
            try (java.io.InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    java.util.Properties p = new java.util.Properties();
                    p.load(in);
                    String v = p.getProperty("version");
                    if (v != null && !v.isBlank() && !v.contains("${")) return java.util.Optional.of(v.trim());
                }
            } catch (java.io.IOException e) {
                // unreadable resource: fall back to the manifest
            }
            return java.util.Optional.ofNullable(Main.class.getPackage().getImplementationVersion());
        }
    }
}
