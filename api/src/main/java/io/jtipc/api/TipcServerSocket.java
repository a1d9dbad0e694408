package io.jtipc.api;

import io.jtipc.node.Errno;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Objects;

import io.jtipc.node.ConnHandler;
import io.jtipc.node.NodeCore;

/**
 * A listening SEQPACKET or STREAM socket of a {@link TipcNode} bound to a service (socket.c tipc_listen,
 * tipc_accept). Connections from kernel or jtipc clients are taken with {@link #accept()}.
 */
public final class TipcServerSocket implements AutoCloseable {
    private final TipcNode node;
    private final TipcConnection.Type type;
    private final int port;
    private final Object lock = new Object();
    private long epoch;
    private volatile boolean closed;

    private TipcServerSocket(TipcNode node, TipcConnection.Type type, int port) {
        this.node = node;
        this.type = type;
        this.port = port;
    }

    /**
     * Opens a socket, binds {@code service} (a service or range) with {@code scope} and listens.
     *
     * @throws TipcException EACCES (reserved type), EINVAL (bad range or scope, binding refused)
     */
    public static TipcServerSocket listen(TipcNode node, TipcAddress service, TipcConnection.Type type,
                                          TipcSocket.Scope scope) throws TipcException {
        Objects.requireNonNull(node, "node");
        if (service.kind() == TipcAddress.Kind.SOCKET) {
            throw new TipcException(TipcError.EINVAL, "listen needs a service or range, not " + service);
        }
        TipcServerSocket[] holder = new TipcServerSocket[1];
        ConnHandler h = new ConnHandler() {
            @Override
            public void readable(int p) {
                TipcServerSocket s = holder[0];
                if (s != null) s.bump();
            }
        };
        int[] rc = {0};
        int port = node.call(now -> {
            NodeCore c = node.core();
            int p = c.openConnSocket(type.core, h);
            c.listen(p);
            rc[0] = c.bind(now, p, scope.value, service.type(), service.lower(), service.upper(), node.outbox());
            if (rc[0] != 0) c.closeSocket(now, p, node.outbox());
            return p;
        });
        if (rc[0] != 0) {
            throw TipcException.of(rc[0], "bind " + service);
        }
        TipcServerSocket s = new TipcServerSocket(node, type, port);
        holder[0] = s;
        s.bump();
        return s;
    }

    private void bump() {
        synchronized (lock) {
            epoch++;
            lock.notifyAll();
        }
    }

    /** The listening socket's port. */
    public int port() {
        return port;
    }

    /**
     * Waits for the next connection.
     *
     * @throws TipcException as {@link #accept(Duration)}
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public TipcConnection accept() throws TipcException, InterruptedIOException {
        return accept(null);
    }

    /**
     * Waits at most {@code timeout} (null: forever) for a connection request, accepts it (the ACK goes out) and
     * returns the connected socket.
     *
     * @return the connection, or null on timeout
     * @throws TipcException if this listening socket is closed, or if the node is not running (once it failed, the
     *                       exception names the cause)
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public TipcConnection accept(Duration timeout) throws TipcException, InterruptedIOException {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        while (true) {
            if (closed) throw new TipcException(TipcError.NONE, "listening socket closed");
            long e;
            synchronized (lock) {
                e = epoch;
            }
            TipcConnection c = new TipcConnection(node, type);
            int rc = node.call(now -> {
                int p = node.core().accept(now, port, c.handler, node.outbox());
                if (p > 0) c.accepted(p);
                return p;
            });
            if (rc > 0) {
                node.life.connections().add(c); // see TipcConnection.nodeClosed
                return c;
            }
            if (rc != Errno.EAGAIN) throw TipcException.of(rc, "accept");
            synchronized (lock) {
                // one slice of at most 1 s, then ask the node again (which also notices a closed node)
                if (epoch == e && !closed) {
                    long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
                    if (left <= 0) return null;
                    try {
                        lock.wait(Math.max(1, Math.min(left / 1_000_000, 1000)));
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted in accept");
                    }
                }
            }
        }
    }

    /** Closes the listener: pending connection requests are rejected, the binding withdrawn. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        bump();
        try {
            node.callForClose(now -> {
                node.core().closeSocket(now, port, node.outbox());
                return null;
            });
        } catch (TipcException e) {
            // node closed
        }
    }
}
