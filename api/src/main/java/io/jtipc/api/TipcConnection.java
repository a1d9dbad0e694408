package io.jtipc.api;

import io.jtipc.node.Errno;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.Objects;

import io.jtipc.node.ConnHandler;
import io.jtipc.node.ConnSocket;
import io.jtipc.node.NodeCore;
import io.jtipc.node.SocketType;

/**
 * A connection-oriented TIPC socket of a {@link TipcNode}: {@code SOCK_SEQPACKET} (messages of at most 66000 bytes,
 * boundaries kept) or {@code SOCK_STREAM} (a byte stream), as net/tipc/socket.c implements them, with the kernel's
 * flow control (CONN_ACK windows) and abort rules. Obtained from {@link #connect} or {@link TipcServerSocket#accept}.
 * Blocking calls; one thread may read while another writes.
 *
 * <pre>{@code
 * try (TipcConnection c = TipcConnection.connect(node, TipcAddress.ofService(18888, 17), Type.STREAM,
 *         Duration.ofSeconds(8))) {
 *     c.write("hello".getBytes());
 *     byte[] buf = new byte[100];
 *     int n = c.read(buf);                 // -1 at the peer's shutdown
 * }
 * }</pre>
 */
public final class TipcConnection implements AutoCloseable {
    /** Socket types. */
    public enum Type {
        /** Messages, boundaries kept, each at most 66 000 bytes (SOCK_SEQPACKET). */
        SEQPACKET(SocketType.SEQPACKET),
        /** A byte stream (SOCK_STREAM). */
        STREAM(SocketType.STREAM);

        final SocketType core;

        Type(SocketType t) {
            this.core = t;
        }
    }

    private final TipcNode node;
    private final Type type;
    volatile int port;
    private final Object lock = new Object();
    private long epoch;
    private volatile boolean closed;
    private volatile int failure;
    private volatile boolean connected;

    /** Wakes waiters on every event of the socket (called under the node's core lock). */
    final ConnHandler handler = new ConnHandler() {
        @Override
        public void connected(int p) {
            connected = true;
            bump();
        }

        @Override
        public void readable(int p) {
            bump();
        }

        @Override
        public void writable(int p) {
            bump();
        }

        @Override
        public void failed(int p, int errno) {
            failure = errno;
            bump();
        }
    };

    TipcConnection(TipcNode node, Type type) {
        this.node = Objects.requireNonNull(node, "node");
        this.type = type;
    }

    /** An accepted connection is connected from the start (its end of stream reads -1 as a connecting one's). */
    void accepted(int port) {
        this.port = port;
        this.connected = true;
    }

    /**
     * Called by the node when it closes or fails: blocked calls ask the node again at once (and throw what it says), a
     * pending {@link #readAsync} completes exceptionally; no core event would come for a connection within the node
     * nor after a failure.
     */
    void nodeClosed() {
        bump();
    }

    private void bump() {
        synchronized (lock) {
            epoch++;
            lock.notifyAll();
        }
        if (pendingRead != null) TipcSocket.ASYNC_EXECUTOR.execute(this::tryCompleteRead);
    }

    /** The one outstanding {@link #readAsync} (as AsynchronousSocketChannel: one read at a time). */
    private record PendingRead(ByteBuffer dst, CompletableFuture<Integer> done) {}

    private final Object readLock = new Object();
    private volatile PendingRead pendingRead;
    private volatile boolean noDelay;

    private long epoch() {
        synchronized (lock) {
            return epoch;
        }
    }

    /**
     * Waits until an event after {@code e}, at most one second (the caller then asks the node again, which also
     * notices a closed node) and at most until {@code deadlineNanos}; false if the deadline passed.
     */
    private boolean await(long e, long deadlineNanos) throws InterruptedIOException {
        synchronized (lock) {
            if (epoch != e || closed) return true;
            long left = deadlineNanos == Long.MAX_VALUE ? Long.MAX_VALUE : deadlineNanos - System.nanoTime();
            if (left <= 0) return false;
            try {
                lock.wait(Math.max(1, Math.min(left / 1_000_000, 1000)));
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            }
            return epoch != e || closed || deadlineNanos == Long.MAX_VALUE || deadlineNanos - System.nanoTime() > 0;
        }
    }


    /**
     * The kernel's connect timeout, 8000 ms (socket.c CONN_TIMEOUT_DEFAULT: a new socket's TIPC_CONN_TIMEOUT), used by
     * {@link #connect(TipcNode, TipcAddress, Type)}.
     */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofMillis(ConnSocket.CONN_TIMEOUT_DEFAULT);

    /**
     * The smallest {@link TipcOption#CONN_TIMEOUT} the SYN retry computes with, 4 ms: after an overload rejection it
     * waits 100 ms plus a random time below a quarter of the timeout, which must not be 0. As the kernel
     * (socket.c tipc_sk_filter_connect, clamped at the point of use since commit 6c5a9baa15de, "tipc: fix
     * divide-by-zero in tipc_sk_filter_connect()"; tipc_setsockopt stores any value), {@link #setOption} accepts
     * 0-3 ms too and {@link #getOption} reads them back; only the retry uses at least this.
     */
    public static final int CONN_TIMEOUT_MIN_MS = 4;

    /**
     * {@link #connect(TipcNode, TipcAddress, Type, Duration)} with the kernel's default timeout,
     * {@link #DEFAULT_CONNECT_TIMEOUT} (8 s): what connect(2) waits on a socket whose TIPC_CONN_TIMEOUT was never set.
     *
     * @throws TipcException as {@link #connect(TipcNode, TipcAddress, Type, Duration)}
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public static TipcConnection connect(TipcNode node, TipcAddress dest, Type type)
            throws TipcException, InterruptedIOException {
        return connect(node, dest, type, DEFAULT_CONNECT_TIMEOUT, null);
    }

    /**
     * Connects to a service {type, instance} (anycast lookup) or a socket {port, node}: sends the SYN and waits for
     * the peer's ACK (socket.c tipc_connect). The connection's {@link TipcOption#CONN_TIMEOUT} reads {@code timeout}
     * in ms afterwards.
     *
     * @param timeout connect timeout (the kernel's default is 8 s)
     * @throws TipcException EHOSTUNREACH (no such binding or no link: at once), ECONNREFUSED (the SYN was rejected:
     *                       no socket, or not listening), ETIMEDOUT
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public static TipcConnection connect(TipcNode node, TipcAddress dest, Type type, Duration timeout)
            throws TipcException, InterruptedIOException {
        return connect(node, dest, type, timeout, null);
    }

    /**
     * As {@link #connect(TipcNode, TipcAddress, Type, Duration)}, carrying {@code data} in the SYN itself (SYN+:
     * {@code sendmsg} with data on an unconnected SEQPACKET/STREAM socket, which connects implicitly, socket.c
     * __tipc_sendmsg with {@code tipc_sk_connect}-less SYN; the peer reads the data as the connection's first bytes
     * after accept).
     *
     * @param data the first message (at most 66000 bytes), or null or empty for a plain SYN
     * @throws TipcException as the plain connect, and EMSGSIZE for data over 66000 bytes
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public static TipcConnection connect(TipcNode node, TipcAddress dest, Type type, Duration timeout, byte[] data)
            throws TipcException, InterruptedIOException {
        byte[] syn = data == null || data.length == 0 ? null : data;
        int synLen = syn == null ? 0 : syn.length;
        if (dest.kind() == TipcAddress.Kind.SERVICE_RANGE) {
            throw new TipcException(TipcError.EINVAL, "cannot connect to a service range " + dest);
        }
        TipcConnection c = new TipcConnection(node, type);
        int ms = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        long e0 = c.epoch();
        int rc = node.call(now -> {
            NodeCore core = node.core();
            int p = core.openConnSocket(type.core, c.handler);
            c.port = p;
            int r = dest.kind() == TipcAddress.Kind.SERVICE
                ? core.connect(now, p, dest.type(), dest.instance(), 0, ms, syn, 0, synLen, node.outbox())
                : core.connectToSocket(now, p, dest.node(), dest.port(), ms, syn, 0, synLen, node.outbox());
            if (r != 0) core.closeSocket(now, p, node.outbox());
            return r;
        });
        if (rc != 0) throw TipcException.of(rc, "connect to " + dest);
        node.life.connections().add(c); // its waiters and readAsync learn of the node's close or failure (see close)
        long deadline = System.nanoTime() + timeout.toNanos() + 1_000_000_000L;
        long e = e0;
        try {
            while (!c.connected && c.failure == 0) {
                if (!c.await(e, deadline)) break;
                if (!node.isRunning()) { // closed or failed meanwhile: say so, not ETIMEDOUT
                    c.close();
                    throw node.life.notRunning();
                }
                e = c.epoch();
            }
        } catch (InterruptedIOException | RuntimeException x) {
            c.close(); // not left behind half open: the server's accept would make a connection nobody owns
            throw x;
        }
        if (!c.connected) {
            int f = c.failure != 0 ? c.failure : Errno.ETIMEDOUT;
            c.close();
            throw TipcException.of(f, "connect to " + dest);
        }
        return c;
    }

    /** Socket type. */
    public Type type() { return type; }

    /** This socket's port. */
    public int port() { return port; }

    /** This socket's address {port, node}. */
    public TipcAddress address() {
        return TipcAddress.ofSocket(port, node.address());
    }

    /**
     * The peer socket {port, node} (socket.c tipc_getname with peer set), or null once the node no longer has this
     * socket (closed).
     *
     * @throws TipcException {@link TipcError#NONE} if the node is stopped or the call timed out
     */
    public TipcAddress peer() throws TipcException {
        return node.call(now -> {
            ConnSocket s = node.core().connSocket(port);
            return s == null ? null : TipcAddress.ofSocket(s.peerPort(), s.peerNode());
        });
    }

    /**
     * Sends all of {@code data}. See {@link #write(byte[], int, int)}.
     *
     * @throws TipcException as {@link #write(byte[], int, int)}
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public void write(byte[] data) throws TipcException, InterruptedIOException {
        write(data, 0, data.length);
    }

    /**
     * Sends {@code len} bytes, waiting while the peer's receive window (or the link) is full. SEQPACKET: one message
     * of at most 66000 bytes; STREAM: any length.
     *
     * @throws TipcException EPIPE (the connection ended), ECONNABORTED (once, after probing found the peer gone),
     *                       ENOTCONN, EMSGSIZE, EAGAIN (the window full when called from a node callback, which
     *                       cannot wait: the message says how many bytes went), or the socket/node closed
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public void write(byte[] data, int off, int len) throws TipcException, InterruptedIOException {
        Objects.checkFromIndexSize(off, len, data.length);
        int done = 0;
        do {
            checkOpen();
            long e = epoch();
            int pos = off + done;
            int n = len - done;
            int rc = node.call(now -> node.core().send(now, port, data, pos, n, node.outbox()));
            if (rc == Errno.EAGAIN) {
                if (node.runner.heldByCurrentThread()) { // a listener's write: no window update can come meanwhile
                    throw new TipcException(TipcError.EAGAIN, "write from a node callback: the peer's window is full ("
                        + done + " of " + len + " bytes sent); write from another thread");
                }
                await(e, Long.MAX_VALUE);
                continue;
            }
            if (rc < 0) throw TipcException.of(rc, "write");
            done += rc;
        } while (done < len);
    }

    /**
     * Reads into {@code buf}. See {@link #read(byte[], int, int)}.
     *
     * @throws TipcException as {@link #read(byte[], int, int)}
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public int read(byte[] buf) throws TipcException, InterruptedIOException {
        return read(buf, 0, buf.length);
    }

    /**
     * Waits for data: STREAM returns what is available (at least 1 byte), SEQPACKET one message (truncated to
     * {@code len}).
     *
     * @return bytes read, or -1 at the peer's orderly shutdown
     * @throws TipcException ECONNRESET (aborted: peer closed, node lost), ECONNABORTED (once, after probing found the
     *                       peer gone; then ENOTCONN as here, EPIPE for a write), ENOTCONN, or closed
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public int read(byte[] buf, int off, int len) throws TipcException, InterruptedIOException {
        return read(buf, off, len, null);
    }

    /**
     * As {@link #read(byte[], int, int)}, waiting at most {@code timeout}.
     *
     * @param timeout the longest wait, null to wait without limit
     * @return bytes read, -1 at end of stream, or 0 if nothing arrived in time
     * @throws TipcException as {@link #read(byte[], int, int)}
     * @throws IndexOutOfBoundsException if {@code off}/{@code len} do not fit {@code buf}
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public int read(byte[] buf, int off, int len, Duration timeout) throws TipcException, InterruptedIOException {
        Objects.checkFromIndexSize(off, len, buf.length);
        if (len == 0) return 0;
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        while (true) {
            checkOpen();
            long e = epoch();
            int rc = node.call(now -> node.core().recv(now, port, buf, off, len, node.outbox()));
            if (rc > 0) return rc;
            if (rc == 0) return -1;
            if (rc != Errno.EAGAIN) {
                if (rc == Errno.ENOTCONN && failure == 0 && connected) return -1;
                throw TipcException.of(rc, "read");
            }
            if (!await(e, deadline)) return 0;
        }
    }

    /**
     * One read attempt that never waits: as {@link #read(byte[], int, int)}, but 0 at once when nothing is there
     * (recv with MSG_DONTWAIT, which fails with EAGAIN).
     *
     * @return bytes read (at least 1), 0 if none are there (or {@code len} is 0), -1 at end of stream
     * @throws TipcException ECONNRESET, ENOTCONN, or closed
     */
    public int tryRead(byte[] buf, int off, int len) throws TipcException {
        Objects.checkFromIndexSize(off, len, buf.length);
        if (len == 0) return 0;
        checkOpen();
        int rc = node.call(now -> node.core().recv(now, port, buf, off, len, node.outbox()));
        if (rc > 0) return rc;
        if (rc == 0) return -1;
        if (rc == Errno.EAGAIN) return 0;
        if (rc == Errno.ENOTCONN && failure == 0 && connected) return -1;
        throw TipcException.of(rc, "read");
    }

    /**
     * {@link #tryRead(byte[], int, int)} into {@code dst} between its position and limit; the position advances by the
     * bytes read (java.nio channel semantics; heap and direct buffers). A SEQPACKET message longer than
     * {@code dst.remaining()} is truncated, as {@link #read(byte[], int, int)} truncates.
     *
     * @return bytes read, 0 if none are there (or {@code dst} is full), -1 at end of stream
     * @throws TipcException as {@link #tryRead(byte[], int, int)}
     */
    public int tryRead(ByteBuffer dst) throws TipcException {
        try {
            return intoBuffer(dst, (b, o, l) -> tryRead(b, o, l));
        } catch (InterruptedIOException e) {
            throw new TipcException("interrupted", e); // tryRead never waits, so never interrupted
        }
    }

    /**
     * {@link #read(byte[], int, int)} (waits for data) into {@code dst}; the position advances by the bytes read.
     *
     * @return bytes read, or -1 at end of stream (0 only if {@code dst} has no room)
     * @throws TipcException as {@link #read(byte[], int, int)}
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public int read(ByteBuffer dst) throws TipcException, InterruptedIOException {
        return intoBuffer(dst, (b, o, l) -> read(b, o, l));
    }

    /**
     * Writes the bytes between {@code src}'s position and limit (waiting for the peer's window as
     * {@link #write(byte[], int, int)}); on return the position equals the limit. Direct buffers are copied once.
     *
     * @throws TipcException as {@link #write(byte[], int, int)}
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public void write(ByteBuffer src) throws TipcException, InterruptedIOException {
        int len = src.remaining();
        if (src.hasArray()) {
            write(src.array(), src.arrayOffset() + src.position(), len);
        } else {
            byte[] b = new byte[len];
            src.duplicate().get(b);
            write(b, 0, len);
        }
        src.position(src.limit());
    }

    /**
     * Reads into {@code dst} without blocking a thread: the future completes (on
     * {@link java.util.concurrent.ForkJoinPool#commonPool()}, never under the node's lock) with the bytes read, -1 at
     * end of stream, or exceptionally with the {@link TipcException} a read would throw (ECONNRESET, closed). The
     * position of {@code dst} advances as with {@link #read(ByteBuffer)}; do not touch {@code dst} until then.
     *
     * @throws IllegalStateException a readAsync is already outstanding (one at a time, as ReadPendingException of
     *                               AsynchronousSocketChannel)
     */
    public CompletableFuture<Integer> readAsync(ByteBuffer dst) {
        if (dst.isReadOnly()) throw new java.nio.ReadOnlyBufferException();
        CompletableFuture<Integer> f = new CompletableFuture<>();
        synchronized (readLock) {
            if (pendingRead != null) throw new IllegalStateException("a readAsync is outstanding");
            pendingRead = new PendingRead(dst, f);
        }
        // set before the first attempt: an event after it schedules another, so none is missed
        TipcSocket.ASYNC_EXECUTOR.execute(this::tryCompleteRead);
        return f;
    }

    private void tryCompleteRead() {
        PendingRead p;
        int n;
        TipcException err = null;
        synchronized (readLock) {
            p = pendingRead;
            if (p == null) return;
            try {
                n = tryRead(p.dst());
                if (n == 0 && p.dst().hasRemaining()) return; // nothing yet: the next event retries
            } catch (TipcException e) {
                n = 0;
                err = e;
            }
            pendingRead = null;
        }
        if (err != null) p.done().completeExceptionally(err);
        else p.done().complete(n);
    }

    private interface ReadFn {
        int read(byte[] b, int off, int len) throws TipcException, InterruptedIOException;
    }

    private static int intoBuffer(ByteBuffer dst, ReadFn fn) throws TipcException, InterruptedIOException {
        if (dst.isReadOnly()) throw new java.nio.ReadOnlyBufferException();
        if (dst.hasArray()) {
            int n = fn.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
            if (n > 0) dst.position(dst.position() + n);
            return n;
        }
        byte[] b = new byte[dst.remaining()];
        int n = fn.read(b, 0, b.length);
        if (n > 0) dst.put(b, 0, n);
        return n;
    }

    /**
     * Sets a socket option (setsockopt SOL_TIPC, socket.c tipc_setsockopt): {@link TipcOption#IMPORTANCE} (0-3),
     * {@link TipcOption#NODELAY}, and {@link TipcOption#CONN_TIMEOUT} (ms, 0 or more; kept as the kernel keeps it, in
     * the 16-bit {@code tsk->conn_timeout}: 70 000 reads back 4 464; the SYN retry uses at least
     * {@link #CONN_TIMEOUT_MIN_MS}).
     * As in the kernel, the connect timeout only matters while connecting: on a connection it is stored and read back,
     * nothing more.
     *
     * @throws TipcException {@link TipcError#EINVAL} for a read-only option, a value out of range (importance not
     *                       0-3, a negative connect timeout: above 2^31-1 ms as the kernel's u32), or an option a connection does not take here
     *                       (DEST/SRC_DROPPABLE, LOOKUP_DOMAIN); or closed
     */
    public <T> void setOption(TipcOption<T> option, T value) throws TipcException {
        checkOpen();
        if (option == null || option.readOnly()) throw TipcOption.invalid(option, "cannot be set");
        Object v = option.cast(value);
        if (option == TipcOption.IMPORTANCE) {
            int i = (Integer) v;
            if (i < 0 || i > 3) throw TipcOption.invalid(option, "importance not in 0-3: " + i);
            node.call(now -> {
                node.core().setImportance(port, i);
                return null;
            });
        } else if (option == TipcOption.NODELAY) {
            setNoDelay((Boolean) v);
        } else if (option == TipcOption.CONN_TIMEOUT) {
            int ms = (Integer) v;
            if (ms < 0) throw TipcOption.invalid(option, "negative: " + ms + " ms");
            onSocket(s -> {
                s.setConnTimeout(ms & 0xffff); // u16 conn_timeout in struct tipc_sock (socket.c)
                return Boolean.TRUE;
            });
        } else {
            throw TipcOption.invalid(option, "not an option of a connection here");
        }
    }

    /**
     * Reads a socket option (getsockopt SOL_TIPC, socket.c tipc_getsockopt): {@link TipcOption#IMPORTANCE},
     * {@link TipcOption#NODELAY}, {@link TipcOption#CONN_TIMEOUT} (ms: the timeout this side connected with, 8000 on
     * an accepted connection as on the kernel's new socket, or the last value set), {@link TipcOption#SOCK_RECVQ_DEPTH}
     * (messages received and not yet read: skb_queue_len of the receive queue).
     *
     * @throws TipcException {@link TipcError#EINVAL} for the other options; or closed
     */
    public <T> T getOption(TipcOption<T> option) throws TipcException {
        checkOpen();
        Object v;
        if (option == TipcOption.IMPORTANCE) v = onSocket(ConnSocket::importance); // the SYN's on an accepted one
        else if (option == TipcOption.NODELAY) v = noDelay;
        else if (option == TipcOption.CONN_TIMEOUT) v = onSocket(ConnSocket::connTimeout);
        else if (option == TipcOption.SOCK_RECVQ_DEPTH) v = onSocket(ConnSocket::queuedMessages);
        else throw TipcOption.invalid(option, "not an option of a connection here");
        return option.cast(v);
    }

    /** Runs {@code fn} on this connection's core socket under the node's lock; ENOTCONN once the core dropped it. */
    private <R> R onSocket(java.util.function.Function<ConnSocket, R> fn) throws TipcException {
        R r = node.call(now -> {
            ConnSocket s = node.core().connSocket(port);
            return s == null ? null : fn.apply(s);
        });
        if (r == null) throw new TipcException(TipcError.ENOTCONN, "connection " + Integer.toUnsignedString(port) + " gone");
        return r;
    }

    /** The connection as an InputStream ({@link #read}; -1 at end of stream). */
    public InputStream inputStream() {
        return new InputStream() {
            @Override
            public int read() throws java.io.IOException {
                byte[] b = new byte[1];
                int n = TipcConnection.this.read(b, 0, 1);
                return n < 0 ? -1 : b[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws java.io.IOException {
                if (len == 0) return 0;
                return TipcConnection.this.read(b, off, len);
            }
        };
    }

    /** The connection as an OutputStream ({@link #write}). */
    public OutputStream outputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                TipcConnection.this.write(new byte[] {(byte) b});
            }

            @Override
            public void write(byte[] b, int off, int len) throws java.io.IOException {
                TipcConnection.this.write(b, off, len);
            }
        };
    }

    /**
     * TIPC_NODELAY (STREAM): true sends every write at once; false (default, as the kernel) bundles small writes
     * to peers with TIPC_NAGLE while an acknowledgement is awaited.
     *
     * @throws TipcException {@link TipcError#NONE} if this connection was closed or the node is stopped
     */
    public void setNoDelay(boolean on) throws TipcException {
        checkOpen();
        node.call(now -> {
            node.core().setNoDelay(port, on);
            return null;
        });
        noDelay = on;
    }

    /**
     * Orderly shutdown (socket.c tipc_shutdown): the peer reads end of stream; messages not read yet are discarded.
     *
     * @throws TipcException {@link TipcError#NONE} if this connection was closed; {@link TipcError#ENOTCONN} (socket.c tipc_shutdown's
     *         -ENOTCONN) if the socket is in no connected or disconnecting state
     */
    public void shutdown() throws TipcException {
        checkOpen();
        int rc = node.call(now -> node.core().shutdown(now, port, node.outbox()));
        if (rc < 0) throw TipcException.of(rc, "shutdown");
    }

    private void checkOpen() throws TipcException {
        if (closed) throw new TipcException(TipcError.NONE, "connection " + Integer.toUnsignedString(port) + " closed");
    }

    /** Closes the socket (as close(2): the peer sees its connection reset unless this side shut down first). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        bump();
        node.life.connections().remove(this);
        try {
            node.callForClose(now -> {
                if (node.core().connSocket(port) != null) node.core().closeSocket(now, port, node.outbox());
                return null;
            });
        } catch (TipcException e) {
            // node closed
        }
    }

    @Override
    public String toString() {
        return type + " connection " + Integer.toUnsignedString(port);
    }
}
