package io.jtipc.api;

import io.jtipc.node.Errno;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.jtipc.node.Delivery;
import io.jtipc.node.NodeCore;
import io.jtipc.node.SocketType;
import io.jtipc.wire.Tipc;

/**
 * A connectionless TIPC socket of a {@link TipcNode}: {@code SOCK_RDM} (reliable datagrams) or {@code SOCK_DGRAM}
 * (datagrams the network may drop), as net/tipc/socket.c implements them. Thread-safe: any thread may send while
 * another receives. Sends never block on the network; a send that finds the link's backlog full for the
 * socket's importance waits (as the kernel's blocking {@code sendmsg} does) until that link reports room again:
 * only that link, so a congested peer never holds up sends to the others. {@link #trySend} never waits.
 *
 * <pre>{@code
 * try (TipcSocket s = TipcSocket.rdm(node)) {
 *     s.bind(TipcAddress.ofService(18888, 17));
 *     TipcMessage m = s.receive();
 *     s.send(m.source(), m.payload());          // echo
 * }
 * }</pre>
 */
public final class TipcSocket implements AutoCloseable {
    /** Socket types. */
    public enum Type { RDM, DGRAM }

    /** Binding scopes (tipc.h TIPC_CLUSTER_SCOPE = 2, TIPC_NODE_SCOPE = 3). */
    public enum Scope {
        CLUSTER(Tipc.TIPC_CLUSTER_SCOPE), NODE(Tipc.TIPC_NODE_SCOPE);

        final int value;

        Scope(int v) {
            this.value = v;
        }
    }

    /**
     * Receive buffer in bytes: the kernel's default sk_rcvbuf for TIPC sockets (RCVBUF_DEF = 2 MiB, sysctl
     * tipc_rmem, net/tipc/socket.c).
     */
    public static final int RECEIVE_BUFFER = 2 << 20;

    /**
     * Bytes counted per queued message on top of its payload: the TIPC header plus a share of buffer bookkeeping,
     * standing in for the skb overhead the kernel counts in truesize, so that empty messages also fill the queue.
     */
    public static final int MESSAGE_OVERHEAD = 256;

    /**
     * Bytes of unread messages of importance {@code importance} (0-3) kept before a new one is refused: the
     * kernel's connectionless rcvbuf_limit, sk_rcvbuf shifted left by the message importance (2, 4, 8, 16 MiB).
     */
    public static long receiveLimit(int importance) {
        return (long) RECEIVE_BUFFER << Math.max(0, Math.min(3, importance));
    }

    private static final Object CLOSED = new Object();
    /** Importance of this socket's messages as last set (the core keeps its own copy), for congestion checks. */
    private volatile int importance = Tipc.LOW_IMPORTANCE;

    private final TipcNode node;
    private final Type type;
    private final int port;
    private final LinkedBlockingQueue<Object> rx = new LinkedBlockingQueue<>();
    private final AtomicLong dropped = new AtomicLong();
    /** Bytes (payload + {@link #MESSAGE_OVERHEAD} each) of the messages waiting in {@link #rx}. */
    private final AtomicLong queuedBytes = new AtomicLong();
    private volatile boolean closed;

    private TipcSocket(TipcNode node, Type type) throws TipcException {
        this.node = Objects.requireNonNull(node, "node");
        this.type = type;
        SocketType st = type == Type.RDM ? SocketType.RDM : SocketType.DGRAM;
        this.port = node.call(now -> node.core().openSocket(st, this::onDelivery));
        node.registered(this);
    }

    /** Opens an RDM socket on a started node. */
    public static TipcSocket rdm(TipcNode node) throws TipcException {
        return new TipcSocket(node, Type.RDM);
    }

    /** Opens a DGRAM socket on a started node. */
    public static TipcSocket dgram(TipcNode node) throws TipcException {
        return new TipcSocket(node, Type.DGRAM);
    }

    public Type type() { return type; }

    /** The socket's port number (random, as the kernel picks it). */
    public int port() { return port; }

    /** This socket's address {port, own node}. */
    public TipcAddress address() {
        return TipcAddress.ofSocket(port, node.address());
    }

    /**
     * Messages refused because unread messages filled the receive buffer ({@link #receiveLimit}) (rejected with
     * TIPC_ERR_OVERLOAD: returned to the sender unless it set dest-droppable, as the kernel does on rcvbuf overflow).
     */
    public long droppedMessages() {
        return dropped.get();
    }

    /** Called under the node's core lock; false = queue full (the core rejects the message with TIPC_ERR_OVERLOAD). */
    private boolean onDelivery(Delivery d) {
        if (closed) return true;
        long size = (long) d.data().length + MESSAGE_OVERHEAD;
        // socket.c tipc_sk_filter_rcv: refuse when the queued bytes plus this message reach the limit
        if (queuedBytes.get() + size >= receiveLimit(d.importance())) {
            dropped.incrementAndGet();
            return false;
        }
        queuedBytes.addAndGet(size);
        TipcAddress dest = null;
        if (d.msgType() == Tipc.TIPC_NAMED_MSG) {
            dest = TipcAddress.ofService(d.nameType(), d.nameLower());
        } else if (d.msgType() == Tipc.TIPC_MCAST_MSG) {
            dest = Integer.compareUnsigned(d.nameLower(), d.nameUpper()) <= 0
                    ? TipcAddress.ofServiceRange(d.nameType(), d.nameLower(), d.nameUpper())
                    : TipcAddress.ofService(d.nameType(), d.nameLower());
        }
        rx.offer(new TipcMessage(TipcAddress.ofSocket(d.srcPort(), d.srcNode()), dest, d.data(), d.errcode(),
                d.importance()));
        return true;
    }

    /** Binds a service or service range at cluster scope. See {@link #bind(TipcAddress, Scope)}. */
    public void bind(TipcAddress name) throws TipcException {
        bind(name, Scope.CLUSTER);
    }

    /**
     * Binds a service {type, instance} or range {type, lower, upper} (socket.c tipc_sk_publish): cluster scope
     * bindings are distributed to every peer node.
     *
     * @throws TipcException EACCES (type below 64, reserved), EINVAL (bad range or scope, a socket address)
     */
    public void bind(TipcAddress name, Scope scope) throws TipcException {
        checkOpen();
        if (name.kind() == TipcAddress.Kind.SOCKET) {
            throw new TipcException(TipcError.EINVAL, "cannot bind a socket address " + name + "; bind a service or range");
        }
        int rc = node.call(now -> node.core().bind(now, port, scope.value, name.type(), name.lower(), name.upper(),
                node.outbox()));
        if (rc != 0) {
            throw TipcException.of(rc, "bind " + name + " " + scope);
        }
    }

    /**
     * Withdraws a binding made by {@link #bind}.
     *
     * @throws TipcException EINVAL if the socket has no such binding
     */
    public void unbind(TipcAddress name) throws TipcException {
        checkOpen();
        int rc = node.call(now -> node.core().unbind(now, port, name.type(), name.lower(), name.upper(), node.outbox()));
        if (rc != 0) {
            throw TipcException.of(rc, "unbind " + name);
        }
    }

    /**
     * Importance 0 (low, default) - 3 (critical) of the messages this socket sends (TIPC_IMPORTANCE).
     *
     * @throws IllegalArgumentException outside 0-3
     */
    public void setImportance(int importance) throws TipcException {
        if (importance < 0 || importance > 3) throw new IllegalArgumentException("importance not in 0-3: " + importance);
        checkOpen();
        node.call(now -> {
            node.core().setImportance(port, importance);
            return null;
        });
        this.importance = importance;
    }

    /**
     * TIPC_DEST_DROPPABLE (default true): when false, a message that cannot be delivered comes back to this
     * socket with {@link TipcMessage#errcode()} set.
     */
    public void setDestDroppable(boolean droppable) throws TipcException {
        checkOpen();
        node.call(now -> {
            node.core().setDestDroppable(port, droppable);
            return null;
        });
    }

    /** Sends all of {@code data}. See {@link #send(TipcAddress, byte[], int, int)}. */
    public void send(TipcAddress dest, byte[] data) throws TipcException {
        send(dest, data, 0, data.length);
    }

    /**
     * Sends one message of at most 66000 bytes: to the service {type, instance} (anycast, round robin among the
     * bound sockets), to a socket {port, node}, or to every socket bound to a range overlapping {type, lower,
     * upper} (multicast, one copy per node).
     *
     * @throws TipcException EHOSTUNREACH (no binding or no link to the node), EMSGSIZE, or the node is closed
     */
    public void send(TipcAddress dest, byte[] data, int off, int len) throws TipcException {
        Objects.checkFromIndexSize(off, len, data.length);
        checkOpen();
        TipcNode.CongestionWait[] wait = new TipcNode.CongestionWait[1];
        int rc = node.call(now -> {
            int r = transmit(now, dest, data, off, len);
            // counted under the core lock, so no uncongested event between the send and this snapshot is missed
            if (r == Errno.ELINKCONG) wait[0] = node.congestionWait(dest.kind() == TipcAddress.Kind.SOCKET ? dest.node() : 0,
                    importance, port);
            return r;
        });
        if (rc == Errno.ELINKCONG) {
            // the message is queued; like a blocking sendmsg, wait for room on its own link(s) before returning
            node.awaitUncongested(wait[0]);
            return;
        }
        if (rc != 0) {
            throw TipcException.of(rc, "send to " + dest);
        }
    }

    private int transmit(long now, TipcAddress dest, byte[] data, int off, int len) {
        NodeCore c = node.core();
        switch (dest.kind()) {
            case SERVICE:
                return c.sendToName(now, port, dest.type(), dest.instance(), 0, data, off, len, node.outbox());
            case SOCKET:
                return c.sendToPort(now, port, dest.node(), dest.port(), data, off, len, node.outbox());
            default:
                return c.multicast(now, port, dest.type(), dest.lower(), dest.upper(), data, off, len, node.outbox());
        }
    }

    /** {@link #trySend(TipcAddress, byte[], int, int)} of all of {@code data}. */
    public boolean trySend(TipcAddress dest, byte[] data) throws TipcException {
        return trySend(dest, data, 0, data.length);
    }

    /**
     * Sends one message to a socket address {port, node} unless the link to that node is congested for this socket's
     * importance; never waits (the kernel's {@code sendmsg} with {@code MSG_DONTWAIT}, which fails with EAGAIN when
     * the destination's link is in the socket's congested list, socket.c {@code __tipc_sendmsg}). A server answering
     * many peers (an echo) uses it so that one peer that does not acknowledge costs only its own replies.
     *
     * @return true if sent (queued on the link; it may have just become congested), false if not sent because the
     *         link to {@code dest}'s node is congested: nothing was queued
     * @throws IllegalArgumentException {@code dest} is not a socket address (a service's node is only known to the
     *                                  lookup: use {@link #send})
     * @throws TipcException EHOSTUNREACH (no link to the node), EMSGSIZE, or the node is closed
     */
    public boolean trySend(TipcAddress dest, byte[] data, int off, int len) throws TipcException {
        Objects.checkFromIndexSize(off, len, data.length);
        if (dest.kind() != TipcAddress.Kind.SOCKET) {
            throw new IllegalArgumentException("trySend needs a socket address {port, node}, not " + dest);
        }
        checkOpen();
        int rc = node.call(now -> node.core().congested(dest.node(), importance, port) ? Errno.EAGAIN
                : transmit(now, dest, data, off, len));
        if (rc == Errno.EAGAIN) return false;
        if (rc != 0 && rc != Errno.ELINKCONG) {
            throw TipcException.of(rc, "send to " + dest);
        }
        return true;
    }

    /**
     * Waits for the next message.
     *
     * @throws TipcException when the socket or its node is closed
     * @throws InterruptedIOException when interrupted
     */
    public TipcMessage receive() throws TipcException, InterruptedIOException {
        try {
            return take(rx.take());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted in receive");
        }
    }

    /**
     * Waits up to {@code timeout} for the next message.
     *
     * @return the message, or null when none arrived in time
     * @throws TipcException when the socket or its node is closed
     */
    public TipcMessage receive(Duration timeout) throws TipcException, InterruptedIOException {
        try {
            Object o = rx.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return o == null ? null : take(o);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted in receive");
        }
    }

    private TipcMessage take(Object o) throws TipcException {
        if (o == CLOSED) {
            rx.offer(CLOSED); // for other receivers
            if (node.state() == TipcNodeState.FAILED) throw node.failed();
            throw new TipcException(TipcError.NONE, "socket " + Integer.toUnsignedString(port) + " closed");
        }
        TipcMessage m = (TipcMessage) o;
        queuedBytes.addAndGet(-((long) m.payload().length + MESSAGE_OVERHEAD));
        return m;
    }

    /** Bytes counted for the unread messages (payload + {@link #MESSAGE_OVERHEAD} each). */
    public long queuedBytes() {
        return queuedBytes.get();
    }

    private void checkOpen() throws TipcException {
        if (closed && node.state() == TipcNodeState.FAILED) throw node.failed();
        if (closed) throw new TipcException(TipcError.NONE, "socket " + Integer.toUnsignedString(port) + " closed");
    }

    /** Closes the socket, withdrawing its bindings. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        rx.offer(CLOSED);
        node.unregistered(this);
        try {
            node.call(now -> {
                node.core().closeSocket(now, port, node.outbox());
                return null;
            });
        } catch (TipcException e) {
            // node already closed: nothing left to withdraw
        }
    }

    /** Called by the node when it closes. */
    void nodeClosed() {
        closed = true;
        rx.offer(CLOSED);
    }

    @Override
    public String toString() {
        return type + " socket " + Integer.toUnsignedString(port);
    }
}
