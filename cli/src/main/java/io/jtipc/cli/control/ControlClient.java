package io.jtipc.cli.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code jtipc [--node SOCKET|IDENTITY] link|bearer|nametable|node list|socket|peer ...}: sends the command to a
 * running node's control socket ({@link ControlServer}) and prints the answer. Exit codes: 0 done, 1 the command
 * failed or no node answers, 2 a bad command.
 */
public final class ControlClient {
    /** The first words that make a control command ({@code node} only when followed by {@code list}). */
    static final Set<String> VERBS = Set.of("link", "bearer", "nametable", "socket", "peer");
    /** How long the client waits for the node's answer, ms (longer than a node command's 30 s). */
    static final int ANSWER_TIMEOUT_MS = 50_000;
    /** The largest answer read, bytes (a nametable of the kernel's 65 535 bindings per node fits). */
    static final int MAX_ANSWER_BYTES = 64 << 20;

    private ControlClient() {
    }

    /**
     * Runs {@code args} as a control command if they are one ({@code [--node X] VERB ...}); null if they are not.
     */
    public static Integer runIfControl(String[] args, PrintStream out, PrintStream err) {
        String node = null;
        int i = 0;
        if (args.length >= 1 && args[0].startsWith("--node=")) {
            node = args[0].substring(7);
            i = 1;
        } else if (args.length >= 2 && args[0].equals("--node")) {
            node = args[1];
            i = 2;
        }
        if (i >= args.length) return null;
        String verb = args[i];
        boolean control = VERBS.contains(verb) || verb.equals("node") && i + 1 < args.length && args[i + 1].equals("list");
        if (!control) {
            if (node == null) return null;
            err.println("jtipc: --node SOCKET goes with a control command (" + String.join(", ", VERBS) + ", node list)");
            return 2;
        }
        List<String> req = new ArrayList<>();
        for (int k = i; k < args.length; k++) {
            String a = args[k];
            if (a.isEmpty() || a.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
                err.println("jtipc: an argument is empty or holds a space or control character");
                return 2;
            }
            if (a.equals("-h") || a.equals("--help")) {
                out.println("Usage: jtipc [--node SOCKET|IDENTITY] COMMAND [--json], COMMAND one of:");
                for (String l : ControlCommands.USAGE.split("\n")) out.println("  " + l);
                return 0;
            }
            req.add(a);
        }
        Path socket;
        try {
            socket = resolve(node);
        } catch (IOException e) {
            err.println("jtipc: " + e.getMessage());
            return 1;
        }
        return send(socket, String.join(" ", req), out, err);
    }

    /**
     * The socket to use: {@code node} if it names a path (holds a '/'), the default path of identity {@code node}
     * otherwise; without {@code node}, the one socket in the default directory.
     */
    static Path resolve(String node) throws IOException {
        if (node != null) return node.contains("/") ? Path.of(node) : ControlPaths.defaultPath(node);
        Path dir = ControlPaths.defaultDirectory();
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.getFileName().toString().endsWith(ControlPaths.SUFFIX)).sorted().forEach(found::add);
            }
        }
        if (found.size() == 1) return found.get(0);
        if (found.isEmpty()) throw new IOException("no running node found in " + dir + " (give --node SOCKET)");
        throw new IOException("several nodes run (" + found + "): choose one with --node SOCKET|IDENTITY");
    }

    /** Sends one request line and prints the answer: output to {@code out}, the status as the exit code. */
    static int send(Path socket, String request, PrintStream out, PrintStream err) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jtipc-control-client-timer");
            t.setDaemon(true);
            return t;
        });
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                c.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                err.println("jtipc: no node answers on " + socket + " (" + e.getMessage() + ")");
                return 1;
            }
            timer.schedule(() -> {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // closing to end the wait
                }
            }, ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            ByteBuffer req = ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8));
            try {
                while (req.hasRemaining()) c.write(req);
            } catch (IOException e) {
                // the node refused the connection (busy) before the request: its answer is read below
            }
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(65536);
            while (c.read(buf) >= 0) {
                answer.write(buf.array(), 0, buf.position());
                buf.clear();
                if (answer.size() > MAX_ANSWER_BYTES) {
                    err.println("jtipc: the answer is longer than " + MAX_ANSWER_BYTES + " bytes");
                    return 1;
                }
            }
            return print(answer.toString(StandardCharsets.UTF_8), out, err);
        } catch (IOException e) {
            err.println("jtipc: " + socket + ": " + (e instanceof java.nio.channels.AsynchronousCloseException
                ? "no answer within " + ANSWER_TIMEOUT_MS / 1000 + " s" : e.toString()));
            return 1;
        } finally {
            timer.shutdownNow();
        }
    }

    /** Splits an answer into its output and its status line; returns the exit code. */
    static int print(String answer, PrintStream out, PrintStream err) {
        String body = answer.endsWith("\n") ? answer.substring(0, answer.length() - 1) : answer;
        int nl = body.lastIndexOf('\n');
        String status = body.substring(nl + 1);
        if (nl >= 0) {
            out.print(body.substring(0, nl + 1));
            out.flush();
        }
        if (status.equals("%OK")) return 0;
        if (status.startsWith("%USAGE ")) {
            err.println("jtipc: " + status.substring(7) + " (try 'jtipc link --help')");
            return 2;
        }
        if (status.startsWith("%ERR ")) {
            err.println("jtipc: " + status.substring(5));
            return 1;
        }
        err.println("jtipc: the node's answer ended early (no status line)");
        return 1;
    }
}
