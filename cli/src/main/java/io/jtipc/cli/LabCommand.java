package io.jtipc.cli;

import io.jtipc.lab.ExecResult;
import io.jtipc.lab.KernelNode;
import io.jtipc.lab.KernelVersion;
import io.jtipc.lab.Lab;
import io.jtipc.lab.LabException;
import io.jtipc.lab.LabImages;
import io.jtipc.lab.LabOptions;
import io.jtipc.lab.PacketCapture;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jtipc lab}: boots Linux kernel TIPC nodes (Debian kernels under qemu) on a bridge in a
 * fresh network namespace, links them, and either runs a script against them or leaves them up
 * with a prompt until the input ends or Ctrl-C. Needs root.
 */
@Command(name = "lab", sortOptions = false,
        description = {"Boot Linux kernel TIPC nodes (Debian 5.10 / 6.1 / 6.12 kernels under qemu) on a bridge in a new "
                + "network namespace, link them over an Ethernet bearer, then run a script or give a prompt. Needs root.",
                "",
                "Script / prompt lines:",
                "  NODE COMMAND   run a shell command in a node (n1, n2, ... or 'all'; iproute2",
                "                 is /usr/sbin/tipc and /usr/sbin/tc, the agent /bin/tipc-agent)",
                "  sleep MS | nodes | help | quit        ('#' starts a comment)",
                "A script stops at the first command that fails (exit status 1)."},
        footer = {"", "Examples:",
            "  sudo jtipc lab --version 6.1 --nodes 2     # then: n1 /usr/sbin/tipc link list",
            "  sudo jtipc lab --version 5.10,6.12 --script FILE --capture out.pcap"})
public final class LabCommand implements Callable<Integer> {

    @Option(names = "--version", paramLabel = "V[,V...]", split = ",", defaultValue = "6.1",
            description = "kernel(s): 5.10, 6.1, 6.12 (or bullseye, bookworm, trixie); one for all nodes or one per node (default ${DEFAULT-VALUE})")
    List<String> versions;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "2", description = "number of kernel nodes (default ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--script", paramLabel = "FILE", description = "run the lines of FILE, then tear down")
    Path script;

    @Option(names = "--capture", paramLabel = "PCAP", description = "capture every frame on the bridge into PCAP")
    Path capture;

    @Option(names = "--no-bearer", description = "leave TIPC unconfigured (no identity, no bearer) instead of linking the nodes")
    boolean noBearer;

    @Option(names = "--workdir", paramLabel = "DIR", description = "console logs go here (default: a new temporary directory)")
    Path workDir;

    @Option(names = "--cache", paramLabel = "DIR", description = "kernel/initramfs cache (default $JTIPC_LAB_CACHE or ~/.cache/jtipc-lab)")
    Path cache;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        PrintWriter out = cl.getOut();
        PrintWriter err = cl.getErr();
        if (nodes < 1 || nodes > 16) {
            throw new CommandLine.ParameterException(cl, "--nodes must be 1..16");
        }
        List<KernelVersion> kv = new ArrayList<>();
        for (String v : versions) {
            try {
                kv.add(KernelVersion.parse(v));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, e.getMessage());
            }
        }
        if (kv.size() != 1 && kv.size() != nodes) {
            throw new CommandLine.ParameterException(cl, "--version gives " + kv.size() + " kernels for " + nodes
                    + " nodes: give one, or one per node");
        }
        List<String> scriptLines = null;
        if (script != null) {
            if (!Files.isReadable(script)) {
                throw new CommandLine.ParameterException(cl, "cannot read script " + script);
            }
            scriptLines = Files.readAllLines(script, StandardCharsets.UTF_8);
        }
        Optional<String> why = Lab.unavailableReason();
        if (why.isPresent()) {
            err.println("jtipc lab: " + why.get());
            return 1;
        }
        KernelVersion[] perNode = new KernelVersion[nodes];
        for (int i = 0; i < nodes; i++) {
            perNode[i] = kv.size() == 1 ? kv.get(0) : kv.get(i);
        }
        Path dir = workDir != null ? workDir.toAbsolutePath() : Files.createTempDirectory("jtipc-lab-cli-");
        LabOptions options = LabOptions.defaults("cli").withWorkDir(dir)
                .withProgress(line -> {
                    err.println("lab: " + line);
                    err.flush();
                });
        if (cache != null) {
            options = options.withImages(new LabImages(cache));
        }
        try (Lab lab = Lab.create(options)) {
            PacketCapture pcap = capture == null ? null : lab.capture(capture);
            List<KernelNode> booted = noBearer ? lab.bootAll(perNode) : lab.bootCluster(perNode);
            printNodes(lab, booted, pcap, out);
            int rc = scriptLines != null ? runScript(lab, scriptLines, out, err)
                    : interactive(lab, new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), out, err);
            if (pcap != null) {
                out.println("capture: " + pcap.stop());
            }
            return rc;
        } catch (LabException e) {
            err.println("jtipc lab: " + e.getMessage());
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static void printNodes(Lab lab, List<KernelNode> booted, PacketCapture pcap, PrintWriter out) {
        out.println("lab namespace " + lab.netns() + ", bridge " + lab.bridge() + " (sudo ip netns exec " + lab.netns()
                + " tcpdump -i " + lab.bridge() + ")");
        for (KernelNode n : booted) {
            out.printf("  %-4s %-5s %-28s %s %-11s console %s%n", n.name(), n.version(), n.kernelRelease(), n.mac(), n.ipv4(),
                    n.consoleLog());
        }
        if (pcap != null) {
            out.println("capturing into " + pcap.file());
        }
        out.flush();
    }

    private int runScript(Lab lab, List<String> lines, PrintWriter out, PrintWriter err) {
        int no = 0;
        for (String raw : lines) {
            no++;
            String line = stripComment(raw);
            if (line.isEmpty()) {
                continue;
            }
            out.println("> " + line);
            Outcome o = execute(lab, line, out);
            if (o == Outcome.QUIT) {
                return 0;
            }
            if (o == Outcome.FAILED) {
                err.println("jtipc lab: script line " + no + " failed: " + line);
                return 1;
            }
        }
        return 0;
    }

    private int interactive(Lab lab, BufferedReader in, PrintWriter out, PrintWriter err) throws IOException {
        out.println("nodes are up. Type 'NODE COMMAND' (e.g. 'n1 /usr/sbin/tipc link list'), 'all COMMAND', 'help', "
                + "or 'quit' (or Ctrl-D / Ctrl-C) to tear down.");
        while (true) {
            out.print("lab> ");
            out.flush();
            String line = in.readLine();
            if (line == null) {
                out.println();
                return 0;
            }
            line = stripComment(line);
            if (line.isEmpty()) {
                continue;
            }
            if (execute(lab, line, out) == Outcome.QUIT) {
                return 0;
            }
        }
    }

    private enum Outcome { OK, FAILED, QUIT }

    private Outcome execute(Lab lab, String line, PrintWriter out) {
        String[] w = line.split("\\s+", 2);
        switch (w[0]) {
            case "quit", "exit" -> {
                return Outcome.QUIT;
            }
            case "help" -> {
                spec.commandLine().usage(out);
                return Outcome.OK;
            }
            case "nodes" -> {
                for (KernelNode n : lab.nodes()) {
                    out.println("  " + n);
                }
                return Outcome.OK;
            }
            case "sleep" -> {
                try {
                    Thread.sleep(Long.parseLong(w.length > 1 ? w[1].trim() : "0"));
                    return Outcome.OK;
                } catch (NumberFormatException e) {
                    out.println("sleep takes milliseconds");
                    return Outcome.FAILED;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Outcome.QUIT;
                }
            }
            default -> {
                if (w.length < 2) {
                    out.println("expected 'NODE COMMAND' (nodes: " + names(lab) + ", or all)");
                    return Outcome.FAILED;
                }
                List<KernelNode> targets = new ArrayList<>();
                for (KernelNode n : lab.nodes()) {
                    if (w[0].equals("all") || n.name().equals(w[0])) {
                        targets.add(n);
                    }
                }
                if (targets.isEmpty()) {
                    out.println("no node " + w[0] + " (nodes: " + names(lab) + ", or all)");
                    return Outcome.FAILED;
                }
                boolean ok = true;
                for (KernelNode n : targets) {
                    try {
                        ExecResult r = n.exec(w[1], Duration.ofSeconds(120));
                        for (String l : r.lines()) {
                            out.println(n.name() + "| " + l);
                        }
                        if (!r.ok()) {
                            out.println(n.name() + "| (" + (r.timedOut() ? "timed out" : "exit " + r.exitCode()) + ")");
                            ok = false;
                        }
                    } catch (LabException e) {
                        out.println(n.name() + "| " + e.getMessage());
                        ok = false;
                    }
                }
                out.flush();
                return ok ? Outcome.OK : Outcome.FAILED;
            }
        }
    }

    private static String names(Lab lab) {
        return String.join(", ", lab.nodes().stream().map(KernelNode::name).toList());
    }

    private static String stripComment(String line) {
        String t = line.strip();
        return t.startsWith("#") ? "" : t;
    }
}
