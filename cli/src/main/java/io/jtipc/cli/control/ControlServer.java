package io.jtipc.cli.control;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The control channel of a running {@code jtipc node}: a Unix domain socket (no native code: JDK 16+
 * {@link UnixDomainSocketAddress}) that takes one request per connection and answers it (what netlink is to the
 * kernel's {@code tipc} tool).
 *
 * <h2>Protocol</h2>
 * The client sends one line (UTF-8, at most {@value #MAX_REQUEST_BYTES} bytes with its newline): the command's
 * arguments separated by single spaces, e.g. {@code link stat show --json}. The server answers with the command's
 * output lines, then one status line, and closes: {@code %OK}, {@code %USAGE MESSAGE} (a bad request: unknown
 * command, bad argument, request too long or not UTF-8) or {@code %ERR MESSAGE} (the command failed, e.g. no such
 * link). A response is framed by the end of the connection, so no output line can be mistaken for the status.
 *
 * <h2>Bounds</h2>
 * At most {@value #MAX_CLIENTS} clients are served at once (one more gets {@code %ERR busy} and is closed, further
 * ones while that refusal is pending are closed at once); a client
 * has {@value #REQUEST_TIMEOUT_MS} ms to send its request and {@value #SESSION_TIMEOUT_MS} ms in all (the command
 * included: a node command waits at most 30 s for the event loop) before its connection is closed, so a client that
 * hangs holds one of the slots for that long at most and never blocks the node.
 *
 * <h2>Permissions</h2>
 * The socket file is created with mode 0600 before anyone can reach it: it is bound inside a fresh 0700 directory
 * next to the target path, chmod-ed, then hard-linked into place (link(2) never replaces a file); connecting needs write permission on it, so other
 * users (root aside) cannot connect. A stale socket at the path (connecting is refused: ECONNREFUSED) is replaced; a
 * live one, one we cannot tell (EACCES, a full backlog), or any other file, is an error. {@link #close()} deletes the
 * file only if it is still the one this server installed (same file key).
 */
public final class ControlServer implements AutoCloseable {
    /** Longest request line in bytes, its newline included. */
    public static final int MAX_REQUEST_BYTES = 4096;
    /** Clients served at once. */
    public static final int MAX_CLIENTS = 4;
    /** Time a client has to send its request line, ms. */
    public static final int REQUEST_TIMEOUT_MS = 5_000;
    /** Time a client over the limit has to send its request before it is closed without an answer, ms. */
    public static final int REFUSAL_TIMEOUT_MS = 1_000;
    /** Time a connection may last in all (request, command, response), ms. */
    public static final int SESSION_TIMEOUT_MS = 45_000;

    /** What a request produces: output text (lines ending in newlines) and a status. */
    public record Reply(Status status, String text, String message) {
        public enum Status { OK, USAGE, ERR }

        public static Reply ok(String text) { return new Reply(Status.OK, text, ""); }

        public static Reply usage(String message) { return new Reply(Status.USAGE, "", message); }

        public static Reply error(String message) { return new Reply(Status.ERR, "", message); }
    }

    private final Path path;
    /** The installed socket file's identity (device and inode): close() deletes the file at path only if it is this one. */
    private final Object key;
    private final ServerSocketChannel server;
    private final Function<List<String>, Reply> handler;
    private final Semaphore slots = new Semaphore(MAX_CLIENTS);
    /** The one thread that answers clients over the limit. */
    private final Semaphore refuser = new Semaphore(1);

    /** Clients being served now (at most {@link #MAX_CLIENTS}), for tests. */
    int clientsServed() {
        return MAX_CLIENTS - slots.availablePermits();
    }
    private final ScheduledExecutorService timer;
    private final Thread acceptor;
    private volatile boolean closed;

    private ControlServer(Path path, ServerSocketChannel server, Function<List<String>, Reply> handler, Object key) {
        this.path = path;
        this.key = key;
        this.server = server;
        this.handler = handler;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jtipc-control-timer");
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::acceptLoop, "jtipc-control");
        acceptor.setDaemon(true);
    }

    /**
     * Creates the socket at {@code path} (mode 0600; a missing parent directory is created with mode 0700) and starts
     * serving: {@code handler} gets each request's arguments on a client thread and must not throw.
     *
     * @throws IOException the path is in use by a live node, is not a socket, is too long for a Unix socket, or the
     *                     file system refused
     */
    public static ControlServer start(Path path, Function<List<String>, Reply> handler) throws IOException {
        path = path.toAbsolutePath();
        Path parent = path.getParent();
        if (!Files.isDirectory(parent)) {
            Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (!isSocket(path)) throw new FileAlreadyExistsException(path + " exists and is not a socket");
            Object key = fileKey(path);
            if (!isStale(path)) throw new IOException("control socket " + path + " is in use by a running node");
            // stale: its node is gone (deleted only if it is still the file found stale)
            if (key != null && key.equals(fileKey(path))) Files.deleteIfExists(path);
        }
        Path dir = Files.createTempDirectory(parent, ".jtipc-ctl-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path tmp = dir.resolve("s");
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(tmp), MAX_CLIENTS * 2);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            // link(2) never replaces: a socket another node installed meanwhile is kept (and reported in use)
            try {
                Files.createLink(path, tmp);
            } catch (FileAlreadyExistsException e) {
                throw new IOException("control socket " + path + " is in use by a running node", e);
            }
            Files.delete(tmp);
        } catch (IOException e) {
            ch.close();
            Files.deleteIfExists(tmp);
            throw new IOException("control socket " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            ch.close();
            Files.deleteIfExists(tmp);
            throw e;
        } finally {
            Files.deleteIfExists(dir);
        }
        ControlServer s = new ControlServer(path, ch, handler, fileKey(path));
        s.acceptor.start();
        return s;
    }

    /** True if {@code p} is a socket file (the S_IFSOCK type bits of st_mode). */
    private static boolean isSocket(Path p) {
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & 0xF000) == 0xC000;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /** The file's key (device and inode on Linux), or null if it has none or is gone. */
    static Object fileKey(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * True only if connecting to the socket file {@code p} is refused (ECONNREFUSED: no process listens on it). The
     * connect is non-blocking, so a socket held by a frozen process (full backlog: EAGAIN) cannot hang the start; any
     * other outcome (accepted, pending, EACCES on another user's socket, EAGAIN) means "not stale".
     */
    static boolean isStale(Path p) {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.configureBlocking(false);
            c.connect(UnixDomainSocketAddress.of(p));
            return false; // connected or pending: someone listens
        } catch (IOException e) {
            // the JDK maps ECONNREFUSED (only) to ConnectException; the message follows the locale
            return e instanceof java.net.ConnectException;
        }
    }

    /** The socket file's path. */
    public Path path() {
        return path;
    }


    /** Failed accepts in a row (EMFILE: no descriptor left, ...), for the back-off; accept thread only. */
    private int acceptFailures;

    private void acceptLoop() {
        while (!closed) {
            SocketChannel c;
            try {
                c = server.accept();
                acceptFailures = 0;
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) return;
                // the pending connection stays queued while accept keeps failing (no descriptor left): pause, doubling
                // from 10 ms to 1 s, instead of spinning on a core
                long ms = Math.min(1000, 10L << Math.min(7, acceptFailures++));
                try {
                    Thread.sleep(ms);
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            if (!slots.tryAcquire()) {
                refuse(c);
                continue;
            }
            Thread t = new Thread(() -> {
                try {
                    serve(c);
                } finally {
                    slots.release();
                }
            }, "jtipc-control-client");
            t.setDaemon(true);
            t.start();
        }
    }

    /**
     * Answers {@code %ERR busy} to a client over {@link #MAX_CLIENTS}: on one extra thread, which reads the request
     * first (so that the client gets the answer, not a connection reset) within {@link #REFUSAL_TIMEOUT_MS}; while
     * that thread is taken, further clients are closed at once.
     */
    void refuse(SocketChannel c) {
        if (!refuser.tryAcquire()) {
            closeQuietly(c);
            return;
        }
        Thread t = new Thread(() -> {
            ScheduledFuture<?> limit = closeLater(c, REFUSAL_TIMEOUT_MS);
            if (limit == null) { // the server closed meanwhile
                closeQuietly(c);
                refuser.release();
                return;
            }
            try (c) {
                readLine(c);
                ByteBuffer out = ByteBuffer.wrap(("%ERR busy: " + MAX_CLIENTS + " clients are being served\n")
                    .getBytes(StandardCharsets.UTF_8));
                while (out.hasRemaining()) c.write(out);
            } catch (IOException ignored) {
                // a client that cannot take the refusal is refused all the same
            } finally {
                limit.cancel(false);
                refuser.release();
            }
        }, "jtipc-control-refuse");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Closes {@code c} after {@code ms}; null if the server closed (its timer shut down), the caller then closes
     * {@code c} at once.
     */
    private ScheduledFuture<?> closeLater(SocketChannel c, int ms) {
        try {
            return timer.schedule(() -> closeQuietly(c), ms, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    private void serve(SocketChannel c) {
        ScheduledFuture<?> session = closeLater(c, SESSION_TIMEOUT_MS);
        if (session == null) { // the server closed just after the accept
            closeQuietly(c);
            return;
        }
        try (c) {
            ScheduledFuture<?> req = closeLater(c, REQUEST_TIMEOUT_MS);
            if (req == null) return; // the server closed: c is closed on the way out
            String line;
            try {
                line = readLine(c);
            } finally {
                req.cancel(false);
            }
            Reply r;
            if (line == null) {
                r = Reply.usage("request longer than " + MAX_REQUEST_BYTES + " bytes, not UTF-8, or without a newline");
            } else {
                List<String> args = line.isBlank() ? List.of() : Arrays.asList(line.trim().split(" +"));
                try {
                    r = handler.apply(args);
                } catch (RuntimeException e) {
                    r = Reply.error("internal error: " + e);
                }
            }
            StringBuilder sb = new StringBuilder(r.text());
            sb.append(switch (r.status()) {
                case OK -> "%OK";
                case USAGE -> "%USAGE " + oneLine(r.message());
                case ERR -> "%ERR " + oneLine(r.message());
            }).append('\n');
            ByteBuffer out = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) c.write(out);
        } catch (IOException e) {
            // the client went away or timed out: nothing to answer
        } finally {
            session.cancel(false);
        }
    }

    /**
     * The request line without its newline; null if longer than the bound, cut short, or not UTF-8. The rest of an
     * oversized line is read and dropped (up to {@value #DRAIN_BYTES} bytes, within the request timeout) so that the
     * client gets the answer instead of a connection reset.
     */
    private static String readLine(SocketChannel c) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(MAX_REQUEST_BYTES);
        int nl = -1;
        try {
            nl = newline(c, buf);
        } finally {
            // only a line cut at the bound has more to drop; one of exactly the bound (newline last) is whole
            if (nl < 0 && !buf.hasRemaining()) drain(c);
        }
        if (nl < 0) return null;
        try {
            String s = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(buf.array(), 0, nl)).toString();
            return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }

    /** Bytes of an oversized request read and dropped before the answer. */
    static final int DRAIN_BYTES = 1 << 20;

    private static void drain(SocketChannel c) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        for (int total = 0; total < DRAIN_BYTES; ) {
            int n = c.read(buf);
            if (n < 0) return;
            for (int i = 0; i < buf.position(); i++) if (buf.get(i) == '\n') return;
            total += n;
            buf.clear();
        }
    }

    /** Reads into {@code buf} up to the first newline; its index, or -1 if the buffer filled or the stream ended first. */
    private static int newline(SocketChannel c, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            int n = c.read(buf);
            if (n < 0) return -1;
            for (int i = buf.position() - n; i < buf.position(); i++) {
                if (buf.get(i) == '\n') return i;
            }
        }
        return -1;
    }

    /**
     * A message as one printable line: control characters (C0, DEL and C1 0x80-0x9f) escaped as {@code \\xHH} (a
     * request's text may come back in it).
     */
    static String oneLine(String s) {
        return escape(s, false);
    }

    /** True for a C0 control, DEL or a C1 control (U+0080-U+009F). */
    static boolean isControl(char ch) {
        return ch < 0x20 || ch >= 0x7f && ch <= 0x9f;
    }

    /** {@code s} with its control characters ({@link #isControl}) as {@code \\xHH}; newline and tab kept if asked. */
    public static String escape(String s, boolean keepNewlineAndTab) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (isControl(ch) && !(keepNewlineAndTab && (ch == '\n' || ch == '\t'))) {
                sb.append(String.format("\\x%02x", (int) ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing to end a timed-out session
        }
    }

    /** Stops accepting, closes the socket and deletes its file (sessions in progress end by themselves). Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        try {
            // only our own socket: a node that found ours stale and replaced it keeps its file
            if (key != null && key.equals(fileKey(path))) Files.delete(path);
        } catch (IOException ignored) {
            // a file we cannot delete is found stale by the next node and replaced
        }
        timer.shutdownNow();
    }
}
