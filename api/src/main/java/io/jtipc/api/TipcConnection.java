package io.jtipc.api;

import io.jtipc.node.Errno;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
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
        SEQPACKET(SocketType.SEQPACKET), STREAM(SocketType.STREAM);

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

    private void bump() {
        synchronized (lock) {
            epoch++;
            lock.notifyAll();
        }
    }

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
     * Connects to a service {type, instance} (anycast lookup) or a socket {port, node}: sends the SYN and waits for
     * the peer's ACK (socket.c tipc_connect).
     *
     * @param timeout connect timeout (the kernel's default is 8 s)
     * @throws TipcException EHOSTUNREACH (no such binding or no link: at once), ECONNREFUSED (the SYN was rejected:
     *                       no socket, or not listening), ETIMEDOUT
     */
    public static TipcConnection connect(TipcNode node, TipcAddress dest, Type type, Duration timeout)
            throws TipcException, InterruptedIOException {
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
                ? core.connect(now, p, dest.type(), dest.instance(), 0, ms, null, 0, 0, node.outbox())
                : core.connectToSocket(now, p, dest.node(), dest.port(), ms, null, 0, 0, node.outbox());
            if (r != 0) core.closeSocket(now, p, node.outbox());
            return r;
        });
        if (rc != 0) throw TipcException.of(rc, "connect to " + dest);
        long deadline = System.nanoTime() + timeout.toNanos() + 1_000_000_000L;
        long e = e0;
        while (!c.connected && c.failure == 0) {
            if (!c.await(e, deadline)) break;
            e = c.epoch();
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

    /** The peer socket {port, node}. */
    public TipcAddress peer() throws TipcException {
        return node.call(now -> {
            ConnSocket s = node.core().connSocket(port);
            return s == null ? null : TipcAddress.ofSocket(s.peerPort(), s.peerNode());
        });
    }

    /** Sends all of {@code data}. See {@link #write(byte[], int, int)}. */
    public void write(byte[] data) throws TipcException, InterruptedIOException {
        write(data, 0, data.length);
    }

    /**
     * Sends {@code len} bytes, waiting while the peer's receive window (or the link) is full. SEQPACKET: one message
     * of at most 66000 bytes; STREAM: any length.
     *
     * @throws TipcException EPIPE (the connection ended), ENOTCONN, EMSGSIZE, or the socket/node closed
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
                await(e, Long.MAX_VALUE);
                continue;
            }
            if (rc < 0) throw TipcException.of(rc, "write");
            done += rc;
        } while (done < len);
    }

    /** Reads into {@code buf}. See {@link #read(byte[], int, int)}. */
    public int read(byte[] buf) throws TipcException, InterruptedIOException {
        return read(buf, 0, buf.length);
    }

    /**
     * Waits for data: STREAM returns what is available (at least 1 byte), SEQPACKET one message (truncated to
     * {@code len}).
     *
     * @return bytes read, or -1 at the peer's orderly shutdown
     * @throws TipcException ECONNRESET (aborted: peer closed, node lost, probing failed), ENOTCONN, or closed
     */
    public int read(byte[] buf, int off, int len) throws TipcException, InterruptedIOException {
        return read(buf, off, len, null);
    }

    /**
     * As {@link #read(byte[], int, int)}, waiting at most {@code timeout}.
     *
     * @return bytes read, -1 at end of stream, or 0 if nothing arrived in time
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
     */
    public void setNoDelay(boolean on) throws TipcException {
        checkOpen();
        node.call(now -> {
            node.core().setNoDelay(port, on);
            return null;
        });
    }

    /** Orderly shutdown (socket.c tipc_shutdown): the peer reads end of stream. */
    public void shutdown() throws TipcException {
        checkOpen();
        node.call(now -> node.core().shutdown(now, port, node.outbox()));
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
        try {
            node.call(now -> {
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
