package io.jtipc.cli.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
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
    /** The first words that make a control command ({@code node} only when followed by one of {@link #NODE_VERBS}). */
    static final Set<String> VERBS = Set.of("link", "bearer", "nametable", "socket", "peer");
    /** {@code jtipc node list|set|flush ...} is a control command; {@code jtipc node --...} runs a node. */
    static final Set<String> NODE_VERBS = Set.of("list", "set", "flush");
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
        boolean control = VERBS.contains(verb) || verb.equals("node") && i + 1 < args.length && NODE_VERBS.contains(args[i + 1]);
        if (!control) {
            if (node == null) return null;
            err.println("jtipc: --node SOCKET goes with a control command (" + String.join(", ", VERBS) + ", node list|set|flush)");
            return 2;
        }
        List<String> req = new ArrayList<>();
        for (int k = i; k < args.length; k++) {
            String a = args[k];
            if (k == i + 3 && a.equals("-") && verb.equals("node") && args[i + 1].equals("set") && args[i + 2].equals("key")) {
                try {
                    a = keyFromStdin(); // jtipc node set key - : off the command line (ps), as --key-file for jtipc node
                } catch (IllegalArgumentException e) {
                    err.println("jtipc: node set key -: " + e.getMessage());
                    return 2;
                }
            }
            if (a.isEmpty() || a.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
                err.println("jtipc: an argument is empty or holds a space or control character");
                return 2;
            }
            if (a.equals("-h") || a.equals("--help")) {
                out.println("Usage: jtipc [--node SOCKET|IDENTITY] COMMAND [--json], COMMAND one of:");
                for (String l : ControlCommands.USAGE.split("\n")) out.println("  " + l);
                out.println("Exit status: 0 done, 1 failed (no node, or the node refused), 2 bad command.");
                out.println();
                out.println("Examples:");
                for (String l : ControlCommands.EXAMPLES.split("\n")) out.println("  " + l);
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
     * The console if standard input and output are a terminal, else null. Up to JDK 21 that is what a non-null
     * {@link System#console()} means; from JDK 22 the console may be there for a pipe too, and
     * {@code Console.isTerminal()} (looked up by reflection: this code is built for 17) tells.
     */
    private static java.io.Console terminal() {
        java.io.Console c = System.console();
        if (c == null) return null;
        try {
            return Boolean.TRUE.equals(java.io.Console.class.getMethod("isTerminal").invoke(c)) ? c : null;
        } catch (NoSuchMethodException e) {
            return c; // before JDK 22
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The key for {@code node set key -}: typed at a terminal without echo, else standard input read as a
     * {@code --key-file} is (UTF-8, at most 4 096 bytes, its one line that is neither blank nor a '#' comment).
     *
     * @throws IllegalArgumentException no key line, more than one, or more than 4 096 bytes (never the content)
     */
    private static String keyFromStdin() {
        java.io.Console console = terminal();
        if (console != null) {
            char[] c = console.readPassword("TIPC key: ");
            String k = c == null ? "" : new String(c).strip();
            if (c != null) java.util.Arrays.fill(c, ' ');
            if (k.isEmpty()) throw new IllegalArgumentException("no key typed");
            return k;
        }
        byte[] b;
        try {
            b = System.in.readNBytes(4097);
        } catch (IOException e) {
            throw new IllegalArgumentException("standard input unreadable (" + e.getMessage() + ")");
        }
        try {
            if (b.length > 4096) throw new IllegalArgumentException("more than 4096 bytes on standard input");
            String found = null;
            for (String l : new String(b, java.nio.charset.StandardCharsets.UTF_8).split("\r?\n", -1)) {
                String t = l.strip();
                if (t.isEmpty() || t.startsWith("#")) continue;
                if (found != null) throw new IllegalArgumentException("more than one key line on standard input");
                found = t;
            }
            if (found == null) throw new IllegalArgumentException("no key on standard input (one line, as a --key-file)");
            return found;
        } finally {
            java.util.Arrays.fill(b, (byte) 0);
        }
    }

    /**
     * The socket to use: {@code node} if it names a path (holds a '/'), the default path of identity {@code node}
     * otherwise (named by the identity as the node shows it, {@link ControlPaths#canonicalIdentity}: upper- or
     * lower-case hex find the same node); without {@code node}, the one socket in the default directory.
     */
    static Path resolve(String node) throws IOException {
        if (node != null && node.contains("/")) return Path.of(node); // the user's own choice
        Path dir = ControlPaths.defaultDirectory();
        if (node != null) {
            Path p = ControlPaths.defaultPath(node);
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) checkDefault(dir, p);
            return p;
        }
        return running(dir);
    }

    /**
     * The one running node's socket in the default directory {@code dir}. Stale sockets (nobody listens: their node
     * died without deleting them, {@link ControlServer#isStale}) are skipped.
     *
     * @throws IOException none or several run, or the directory is not private
     */
    static Path running(Path dir) throws IOException {
        List<Path> found = new ArrayList<>();
        int stale = 0;
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            ControlPaths.checkPrivate(dir);
            List<Path> all;
            try (Stream<Path> s = Files.list(dir)) {
                all = s.filter(p -> p.getFileName().toString().endsWith(ControlPaths.SUFFIX)).sorted().toList();
            }
            for (Path p : all) {
                if (ControlServer.isStale(p)) stale++;
                else found.add(p);
            }
        }
        if (found.size() == 1) {
            checkDefault(dir, found.get(0));
            return found.get(0);
        }
        if (found.isEmpty()) {
            throw new IOException("no running node found in " + dir + " (give --node SOCKET"
                + (stale > 0 ? "; " + stale + " stale socket(s) skipped)" : ")"));
        }
        throw new IOException("several nodes run (" + found + "): choose one with --node SOCKET|IDENTITY");
    }

    /**
     * A default socket is trusted only in a private directory ({@link ControlPaths#checkPrivate}) and if it is owned
     * by this user or root: otherwise another user who made {@code /tmp/jtipc-UID} first could answer in the node's
     * name.
     *
     * @throws IOException the directory is not private or the socket belongs to another user
     */
    static void checkDefault(Path dir, Path socket) throws IOException {
        ControlPaths.checkPrivate(dir);
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) return; // connecting reports it
        int owner = (Integer) Files.getAttribute(socket, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (owner != ControlPaths.uid() && owner != 0) {
            throw new IOException(socket + " belongs to uid " + owner + ", not to uid " + ControlPaths.uid());
        }
    }

    /**
     * Checks that the process at the other end ({@code SO_PEERCRED}) runs as this user or root; where the JDK cannot
     * tell (no such option or module), the check is skipped.
     *
     * @throws IOException the peer runs as another user
     */
    static void checkPeer(SocketChannel c) throws IOException {
        UserPrincipal peer;
        try {
            // jdk.net (module jdk.net) by reflection: the cli depends on the java.* API only (architecture rule)
            java.net.SocketOption<?> opt = (java.net.SocketOption<?>) Class.forName("jdk.net.ExtendedSocketOptions")
                .getField("SO_PEERCRED").get(null);
            if (!c.supportedOptions().contains(opt)) return;
            Object cred = c.getOption(opt); // a jdk.net.UnixDomainPrincipal
            peer = (UserPrincipal) cred.getClass().getMethod("user").invoke(cred);
        } catch (ReflectiveOperationException | UnsupportedOperationException | LinkageError | ClassCastException e) {
            return; // this JDK cannot tell: the socket's owner and mode were checked
        }
        UserPrincipal me = Files.getOwner(Path.of("/proc/self"));
        if (same(peer, me)) return;
        try {
            if (same(peer, FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("root"))) return;
        } catch (IOException e) {
            // no user named root: only our own uid is trusted
        }
        throw new IOException("the node on this socket runs as " + ControlServer.oneLine(peer.getName()) + ", not as "
            + ControlServer.oneLine(me.getName()) + " or root");
    }

    private static boolean same(UserPrincipal a, UserPrincipal b) {
        return a.equals(b) || a.getName().equals(b.getName());
    }

    /** Sends one request line and prints the answer: output to {@code out}, the status as the exit code. */
    static int send(Path socket, String request, PrintStream out, PrintStream err) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jtipc-control-client-timer");
            t.setDaemon(true);
            return t;
        });
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            // the bound covers the connect too: a frozen node with a full backlog blocks connect(2) until it is closed
            timer.schedule(() -> {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // closing to end the wait
                }
            }, ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            try {
                c.connect(UnixDomainSocketAddress.of(socket));
            } catch (java.nio.channels.AsynchronousCloseException e) {
                throw e;
            } catch (IOException e) {
                err.println("jtipc: no node answers on " + socket + " (" + ControlServer.oneLine(String.valueOf(e.getMessage())) + ")");
                return 1;
            }
            try {
                checkPeer(c);
            } catch (IOException e) {
                err.println("jtipc: " + e.getMessage());
                return 1;
            }
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
            return print(answer.toString(StandardCharsets.UTF_8), out, err, helpCommand(request));
        } catch (IOException e) {
            err.println("jtipc: " + socket + ": " + (e instanceof java.nio.channels.AsynchronousCloseException
                ? "no answer within " + ANSWER_TIMEOUT_MS / 1000 + " s" : e.toString()));
            return 1;
        } finally {
            timer.shutdownNow();
        }
    }

    /**
     * Splits an answer into its output and its status line; returns the exit code. What the node sent is printed with
     * its control characters (C0 but newline and tab, DEL, C1) escaped as {@code \\xHH}: no escape sequence from a
     * peer's string reaches the terminal.
     */
    static int print(String answer, PrintStream out, PrintStream err) {
        return print(answer, out, err, "jtipc link");
    }

    /** The command whose --help a usage error names: {@code jtipc VERB} ({@code jtipc node list|set|flush} for node). */
    static String helpCommand(String request) {
        String[] w = request.split(" ", 3);
        return "jtipc " + (!w[0].equals("node") ? w[0] : w.length > 1 && NODE_VERBS.contains(w[1]) ? "node " + w[1] : "node list");
    }

    /** As {@link #print(String, PrintStream, PrintStream)}; a usage error names {@code command}'s --help. */
    static int print(String answer, PrintStream out, PrintStream err, String command) {
        answer = ControlServer.escape(answer, true);
        String body = answer.endsWith("\n") ? answer.substring(0, answer.length() - 1) : answer;
        int nl = body.lastIndexOf('\n');
        String status = body.substring(nl + 1);
        if (nl >= 0) {
            out.print(body.substring(0, nl + 1));
            out.flush();
        }
        if (status.equals("%OK")) return 0;
        if (status.startsWith("%USAGE ")) {
            err.println("jtipc: " + status.substring(7) + " (try '" + command + " --help')");
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
