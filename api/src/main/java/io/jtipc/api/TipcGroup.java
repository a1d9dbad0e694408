package io.jtipc.api;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Objects;

import io.jtipc.node.Errno;
import io.jtipc.node.GroupHandler;
import io.jtipc.node.GroupMessage;
import io.jtipc.node.NodeGroups;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcEvent;

/**
 * A member of a TIPC communication group (Linux 6.1 net/tipc/group.c, {@code TIPC_GROUP_JOIN}): a socket bound to
 * {type = group id, instance = member id} that talks to the other members by unicast, anycast, multicast and
 * broadcast, in order per sender across all four modes, and flow-controlled: a sender whose receiver has no window
 * left waits (up to its timeout, then {@link TipcError#EAGAIN}) instead of any message being dropped. Multicast and
 * broadcast go as one copy per member node over the unicast links (replicast). Receiving returns window to the
 * sender: an application that reads slowly slows its senders.
 *
 * <p>Thread-safe; the methods block the calling thread, never the node's event loop.
 */
public final class TipcGroup implements AutoCloseable {
    /** TIPC_GROUP_LOOPBACK (uapi tipc.h): this member receives its own broadcasts and multicasts. */
    public static final int LOOPBACK = NodeGroups.TIPC_GROUP_LOOPBACK;
    /** TIPC_GROUP_MEMBER_EVTS (uapi tipc.h): JOINED/LEFT events are delivered by {@link #receive}. */
    public static final int MEMBER_EVENTS = NodeGroups.TIPC_GROUP_MEMBER_EVTS;
    /** Default send timeout (the kernel's default SO_SNDTIMEO is infinite; jtipc bounds it), ms. */
    public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(30);
    /** Longest single wait before re-checking the node's state, ms. */
    private static final long WAIT_SLICE_MS = 100;

    private final TipcNode node;
    private final int type;
    private final int instance;
    private final int port;
    private final Object lock = new Object();
    /** Bumped under the core lock by the core's readable/writable notifications (no lost wake-up: read in the call). */
    private long readableSeq;
    private long writableSeq;
    private volatile boolean closed;

    private TipcGroup(TipcNode node, int type, int instance, TipcSocket.Scope scope, int flags) throws TipcException {
        this.node = Objects.requireNonNull(node, "node");
        this.type = type;
        this.instance = instance;
        int rc = node.call(now -> node.core().groups().join(now, type, instance, scope.value, flags, new GroupHandler() {
            @Override
            public void readable(int p) {
                synchronized (lock) {
                    readableSeq++;
                    lock.notifyAll();
                }
            }

            @Override
            public void writable(int p) {
                synchronized (lock) {
                    writableSeq++;
                    lock.notifyAll();
                }
            }
        }, node.outbox()));
        if (rc < 0) throw TipcException.of(rc, "join group " + Integer.toUnsignedString(type));
        this.port = rc;
    }

    /**
     * Joins group {@code type} as member {@code instance} (socket.c tipc_sk_join): binds {type, instance} in
     * {@code scope} and announces itself to the members already there.
     *
     * @param flags {@link #LOOPBACK} | {@link #MEMBER_EVENTS}
     * @throws TipcException EACCES (type below 64), EINVAL (node address not yet committed, binding
     *                       refused)
     */
    public static TipcGroup join(TipcNode node, int type, int instance, TipcSocket.Scope scope, int flags)
            throws TipcException {
        return new TipcGroup(node, type, instance, scope, flags);
    }

    /** The group id (service type). */
    public int type() { return type; }

    /** This member's instance. */
    public int instance() { return instance; }

    /** This member's socket address {port, node}. */
    public TipcAddress address() {
        return TipcAddress.ofSocket(port, node.address());
    }

    /**
     * Members of the group as this one currently knows them.
     *
     * @throws TipcException if the group is closed, or if the node is not running (once it failed, the exception names
     *                       the cause)
     */
    public int memberCount() throws TipcException {
        checkOpen();
        return node.call(now -> node.core().groups().memberCount(port));
    }

    private interface Send {
        int send(NodeGroups g, long now);
    }

    /**
     * Runs one send under the core lock; while it returns EAGAIN (the kernel's sendmsg would wait) waits for a writable
     * notification, at most {@code timeout}.
     */
    private void send(String what, Duration timeout, Send s) throws TipcException, InterruptedIOException {
        checkOpen();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long[] seen = new long[1];
            int rc;
            try {
                rc = node.call(now -> {
                    synchronized (lock) {
                        seen[0] = writableSeq;
                    }
                    return s.send(node.core().groups(), now);
                });
            } catch (IllegalArgumentException e) { // closed by another thread meanwhile
                checkOpen();
                throw e;
            }
            if (rc == 0) return;
            if (rc != Errno.EAGAIN) throw TipcException.of(rc, what);
            if (node.runner.heldByCurrentThread()) { // a listener's send: no window update can come meanwhile
                throw new TipcException(TipcError.EAGAIN, what + " from a node callback: receiver window or link "
                    + "congested; send from another thread");
            }
            if (!await(seen[0], deadline, true)) {
                throw new TipcException(TipcError.EAGAIN, what + ": receiver window or link still congested after "
                    + timeout.toMillis() + " ms");
            }
        }
    }

    /** Waits until the sequence moved past {@code seen} or the deadline; false on timeout. */
    private boolean await(long seen, long deadline, boolean writable) throws TipcException, InterruptedIOException {
        synchronized (lock) {
            while ((writable ? writableSeq : readableSeq) == seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                checkOpen();
                try {
                    lock.wait(Math.max(1, Math.min(WAIT_SLICE_MS, left / 1_000_000)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted waiting in group " + Integer.toUnsignedString(type));
                }
            }
            return true;
        }
    }

    /**
     * Unicast to one member {port, node} (TIPC_GRP_UCAST_MSG), waiting up to {@link #DEFAULT_SEND_TIMEOUT}.
     *
     * @throws TipcException as {@link #send(TipcAddress, byte[], Duration)}
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public void send(TipcAddress member, byte[] data) throws TipcException, InterruptedIOException {
        send(member, data, DEFAULT_SEND_TIMEOUT);
    }

    /**
     * Unicast to one member {port, node} (socket.c tipc_send_group_unicast).
     *
     * @throws TipcException EHOSTUNREACH (not a member), EMSGSIZE (over 66000 bytes), EAGAIN (no window within
     *                       {@code timeout}, or at once when called from a node callback: it cannot wait there)
     * @throws IllegalArgumentException if {@code member} is not a socket address
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public void send(TipcAddress member, byte[] data, Duration timeout) throws TipcException, InterruptedIOException {
        if (member.kind() != TipcAddress.Kind.SOCKET) {
            throw new IllegalArgumentException("a member is a socket address {port, node}, not " + member);
        }
        send("send to member " + member, timeout,
            (g, now) -> g.sendUnicast(now, port, member.node(), member.port(), data, 0, data.length, node.outbox()));
    }

    /**
     * Anycast to one member bound to {@code instance}, round robin among those with window (socket.c
     * tipc_send_group_anycast); as {@link #send(TipcAddress, byte[], Duration)}.
     *
     * @throws TipcException as {@link #send(TipcAddress, byte[], Duration)}
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public void anycast(int instance, byte[] data, Duration timeout) throws TipcException, InterruptedIOException {
        send("anycast to instance " + Integer.toUnsignedString(instance), timeout,
            (g, now) -> g.sendAnycast(now, port, instance, data, 0, data.length, node.outbox()));
    }

    /**
     * Multicast to every member bound to {@code instance} (socket.c tipc_send_group_mcast); as {@link #anycast}.
     *
     * @throws TipcException as {@link #send(TipcAddress, byte[], Duration)}
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public void multicast(int instance, byte[] data, Duration timeout) throws TipcException, InterruptedIOException {
        send("multicast to instance " + Integer.toUnsignedString(instance), timeout,
            (g, now) -> g.sendMulticast(now, port, instance, data, 0, data.length, node.outbox()));
    }

    /**
     * Broadcast to every member (socket.c tipc_send_group_bcast); waits while any member's window is too small or the
     * previous acknowledged broadcast is not yet acknowledged by all; as {@link #anycast}.
     *
     * @throws TipcException as {@link #send(TipcAddress, byte[], Duration)}
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public void broadcast(byte[] data, Duration timeout) throws TipcException, InterruptedIOException {
        send("broadcast", timeout, (g, now) -> g.sendBroadcast(now, port, data, 0, data.length, node.outbox()));
    }

    /**
     * Waits up to {@code timeout} for the next message or member event; reading it returns its size to the sender's
     * window.
     *
     * @return the message, or null if none came in time
     * @throws TipcException when the group or its node is closed
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public TipcGroupMessage receive(Duration timeout) throws TipcException, InterruptedIOException {
        checkOpen();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long[] seen = new long[1];
            GroupMessage m;
            try {
                m = node.call(now -> {
                    synchronized (lock) {
                        seen[0] = readableSeq;
                    }
                    return node.core().groups().recv(now, port, node.outbox());
                });
            } catch (IllegalArgumentException e) { // closed by another thread meanwhile
                checkOpen();
                throw e;
            }
            if (m != null) return convert(m);
            if (!await(seen[0], deadline, false)) return null;
        }
    }

    private static TipcGroupMessage convert(GroupMessage m) {
        TipcGroupMessage.Mode mode;
        switch (m.msgType()) {
            case Tipc.TIPC_GRP_MCAST_MSG: mode = TipcGroupMessage.Mode.MULTICAST; break;
            case Tipc.TIPC_GRP_BCAST_MSG: mode = TipcGroupMessage.Mode.BROADCAST; break;
            case Tipc.TIPC_GRP_MEMBER_EVT:
                mode = m.event() == TipcEvent.TIPC_WITHDRAWN ? TipcGroupMessage.Mode.MEMBER_LEFT
                    : TipcGroupMessage.Mode.MEMBER_JOINED;
                break;
            default: mode = TipcGroupMessage.Mode.UNICAST;
        }
        byte[] payload = m.oob() ? new byte[0] : m.data();
        return new TipcGroupMessage(TipcAddress.ofSocket(m.srcPort(), m.srcNode()), m.srcInstance(), mode, payload);
    }

    /** Open while not closed and the node runs: RUNNING, or DEGRADED (a bearer lost, the node works on the others). */
    private void checkOpen() throws TipcException {
        TipcNodeState st = node.state();
        if (st == TipcNodeState.FAILED) throw node.failed();
        if (closed || (st != TipcNodeState.RUNNING && st != TipcNodeState.DEGRADED)) {
            throw new TipcException(TipcError.NONE, "group member " + Integer.toUnsignedString(port) + " closed");
        }
    }

    /** Leaves the group (socket.c tipc_sk_leave: LEAVE to every member, the binding withdrawn). Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            node.callForClose(now -> {
                node.core().groups().leave(now, port, node.outbox());
                return null;
            });
        } catch (TipcException e) {
            // node already closed: nothing left to tell the members
        }
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    @Override
    public String toString() {
        return "group " + Integer.toUnsignedString(type) + " member " + Integer.toUnsignedString(instance) + " port "
            + Integer.toUnsignedString(port);
    }
}
