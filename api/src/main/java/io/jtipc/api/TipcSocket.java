package io.jtipc.api;

import io.jtipc.node.Errno;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Consumer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.jtipc.node.DeliveredMessage;
import io.jtipc.node.Delivery;
import io.jtipc.node.MessageHandler;
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
 * <p>Non-blocking and asynchronous forms: {@link #tryReceive()} (null when nothing is queued), {@link #receiveAsync()}
 * (a future, at most {@link #MAX_PENDING_RECEIVES} outstanding), {@link #setMessageListener} (each message handed to
 * a listener on the caller's executor, in order), {@link #sendAsync} (a future that completes when the blocking
 * {@link #send} would have returned, with no thread waiting). ByteBuffer forms: {@link #send(TipcAddress, ByteBuffer)},
 * {@link #receive(ByteBuffer)}, {@link #tryReceive(ByteBuffer)}, and, allocating nothing per message (issue 14),
 * {@link #receive(ByteBuffer, TipcMessageInfo)} with a reused {@link TipcMessageInfo}. Typed options: {@link #setOption}/{@link #getOption}.
 * A socket is read in one style at a time: a listener excludes the others; the blocking, try and future forms may be
 * mixed, each message going to exactly one of them.
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
    public enum Type {
        /** Reliable datagrams (SOCK_RDM). */
        RDM,
        /** Datagrams (SOCK_DGRAM): as RDM, with the source-droppable bit set (socket.c tsk_set_unreliable). */
        DGRAM
    }

    /** Binding scopes (tipc.h TIPC_CLUSTER_SCOPE = 2, TIPC_NODE_SCOPE = 3). */
    public enum Scope {
        /** Visible in the whole cluster (TIPC_CLUSTER_SCOPE). */
        CLUSTER(Tipc.TIPC_CLUSTER_SCOPE),
        /** Visible on this node only (TIPC_NODE_SCOPE). */
        NODE(Tipc.TIPC_NODE_SCOPE);

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

    /** Payload bytes an unread message returned at close carries at most (msg.c tipc_msg_reverse, MAX_FORWARD_SIZE). */
    private static final int REVERSE_DATA_MAX = 1024;

    /**
     * Bytes of unread messages of importance {@code importance} kept before a new one is refused: the kernel's
     * connectionless rcvbuf_limit, sk_rcvbuf shifted left by msg_importance (msg.h): 0-3 for data (2, 4, 8, 16 MiB),
     * 4 (TIPC_SYSTEM_IMPORTANCE, 32 MiB) for a message returned with an error code.
     */
    public static long receiveLimit(int importance) {
        return (long) RECEIVE_BUFFER << Math.max(0, Math.min(4, importance));
    }

    /**
     * Most {@link #receiveAsync()} futures outstanding (not yet completed) per socket: 1024. One more fails at once
     * with {@link TipcError#EAGAIN}. The kernel has no such futures; this bounds the memory a caller that never
     * reads its futures can pin (the messages themselves are bounded by {@link #receiveLimit}).
     */
    public static final int MAX_PENDING_RECEIVES = 1024;

    /**
     * Most {@link #sendAsync} futures per socket waiting for a congested link: 1024. While that many wait, a further
     * sendAsync that finds its link congested fails with {@link TipcError#EAGAIN} and sends nothing (the kernel's
     * {@code MSG_DONTWAIT} answer). Each waiting send's message is already queued on the link (as after a blocking
     * send's ELINKCONG), so this also bounds what one socket can add past the link's backlog limit.
     */
    public static final int MAX_PENDING_SENDS = 1024;

    /**
     * Most messages a listener is handed in one task on its executor (then the task is submitted again, so one busy
     * socket does not hold an executor thread forever): 256.
     */
    public static final int LISTENER_BATCH = 256;

    /**
     * Where futures of {@link #receiveAsync()} and {@link #sendAsync} are completed (so that their dependent stages
     * never run under the node's core lock or on a bearer's receive thread): {@link ForkJoinPool#commonPool()}. Use
     * the {@code ...Async(fn, executor)} stages of CompletableFuture to move work elsewhere.
     */
    static final Executor ASYNC_EXECUTOR = ForkJoinPool.commonPool();

    /** Importance of this socket's messages as last set (the core keeps its own copy), for congestion checks. */
    private volatile int importance = Tipc.LOW_IMPORTANCE;
    /** TIPC_DEST_DROPPABLE as last set (default true, socket.c tipc_sk_create for connectionless sockets). */
    private volatile boolean destDroppable = true;

    final TipcNode node;
    private final Type type;
    private final int port;
    final SocketRxQueue rx = new SocketRxQueue();
    private final AtomicLong dropped = new AtomicLong();
    /** Bytes (payload + {@link #MESSAGE_OVERHEAD} each) of the messages waiting in {@link #rx} (written under its monitor or the core lock). */
    private final AtomicLong queuedBytes = new AtomicLong();
    private volatile boolean closed;
    /** Node address restricting lookups of sends by name (TipcOption.LOOKUP_DOMAIN), 0 = cluster. */
    private volatile int lookupDomain;
    /** Multicast method fixed by TIPC_MCAST_BROADCAST (false) / TIPC_MCAST_REPLICAST (true), null = per send. */
    private volatile Boolean mcastForced;
    private final java.util.concurrent.atomic.AtomicInteger pendingSends = new java.util.concurrent.atomic.AtomicInteger();
    /** The futures of {@link #receiveAsync()} or the listener of {@link #setMessageListener}, and their dispatch. */
    final SocketDispatch async = new SocketDispatch(this);

    private TipcSocket(TipcNode node, Type type) throws TipcException {
        this.node = Objects.requireNonNull(node, "node");
        this.type = type;
        SocketType st = type == Type.RDM ? SocketType.RDM : SocketType.DGRAM;
        this.port = node.call(now -> node.core().openSocket(st, new Handler()));
        node.registered(this);
        // a close of the node between the open and the registration released the sockets without this one: a
        // receive would otherwise wait for ever (the node's closed flag is set before it releases)
        if (node.life.isClosed()) nodeClosed();
    }

    /**
     * Opens an RDM socket on a started node.
     *
     * @throws TipcException if the node is not running (once it failed, the exception names the cause)
     */
    public static TipcSocket rdm(TipcNode node) throws TipcException {
        return new TipcSocket(node, Type.RDM);
    }

    /**
     * Opens a DGRAM socket on a started node.
     *
     * @throws TipcException if the node is not running (once it failed, the exception names the cause)
     */
    public static TipcSocket dgram(TipcNode node) throws TipcException {
        return new TipcSocket(node, Type.DGRAM);
    }

    /** This socket's type, RDM or DGRAM, as opened. */
    public Type type() { return type; }

    /** The socket's port number (random, as the kernel picks it). */
    public int port() { return port; }

    /** TIPC_IMPORTANCE of what this socket sends, 0-3 (for {@link SendOp}). */
    int importance() { return importance; }

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

    /**
     * The core's hand-over of this socket's messages, under the node's core lock: copies each into {@link #rx} (issue
     * 14: nothing allocated per message in steady state).
     */
    private final class Handler implements MessageHandler {
        @Override
        public boolean onMessage(DeliveredMessage m) {
            return onDelivery(m);
        }

        @Override
        public boolean onMessage(Delivery d) { // the core calls the other form; this one only for completeness
            throw new UnsupportedOperationException("the core hands messages over as DeliveredMessage");
        }
    }

    /** Called under the node's core lock; false = queue full (the core rejects the message with TIPC_ERR_OVERLOAD). */
    private boolean onDelivery(DeliveredMessage d) {
        if (closed) return true;
        long size = (long) d.dataLength() + MESSAGE_OVERHEAD;
        // socket.c tipc_sk_filter_rcv: refuse when the queued bytes plus this message reach the limit
        if (queuedBytes.get() + size >= receiveLimit(d.errcode() != 0 ? 4 : d.importance())) {
            dropped.incrementAndGet();
            return false;
        }
        // offer refuses once closed (close runs outside the core lock): dropped (the kernel, whose release holds the
        // socket lock, returns it with NO_PORT if its sender wants it back; a message here raced the close)
        if (rx.offer(d)) queuedBytes.addAndGet(size);
        else return true;
        if (async.active()) async.schedule();
        return true;
    }

    // ================================================================ non-blocking and asynchronous receive

    /**
     * The next message if one is queued, else null at once (recvmsg with MSG_DONTWAIT, which returns EAGAIN).
     *
     * @throws TipcException when the socket or its node is closed
     * @throws IllegalStateException a message listener is set
     */
    public TipcMessage tryReceive() throws TipcException {
        async.checkNoListener();
        TipcMessage m = rx.pollMessage();
        if (m == null) {
            if (rx.closed()) throw closedException();
            return null;
        }
        return taken(m);
    }

    /**
     * A future completed with the next message, on {@link ForkJoinPool#commonPool()} (never on the bearer's receive
     * thread nor under the node's lock). Futures complete in the order they were asked for, each with its own message.
     * Cancelling a future gives up its turn; a message is never handed to a cancelled future.
     *
     * @return the future; already failed with {@link TipcException} {@link TipcError#EAGAIN} when
     *         {@link #MAX_PENDING_RECEIVES} are outstanding, or with the close exception when the socket is closed.
     *         Outstanding futures fail with a {@link TipcException} when the socket or its node closes.
     * @throws IllegalStateException a message listener is set
     */
    public CompletableFuture<TipcMessage> receiveAsync() {
        return async.receiveAsync();
    }

    /**
     * Hands every message, in arrival order and one at a time, to {@code listener} on {@code executor} (never on the
     * bearer's receive thread or under the node's lock): the receive path only submits one dispatch task per batch of
     * at most {@link #LISTENER_BATCH} messages; messages wait in the socket's queue until the listener takes them, so
     * the receive limit ({@link #receiveLimit}) still applies and nothing queues outside it (a slow listener makes the
     * node refuse further messages with TIPC_ERR_OVERLOAD, as a slow reader does). A listener that throws is counted
     * ({@link #listenerErrors()}) and the next message is still delivered. With {@code listener} null the listener is
     * removed (a message in a batch already started may still reach the old one).
     *
     * <p>{@code executor} must run tasks on its own threads: a direct executor ({@code Runnable::run}) would run the
     * listener on the bearer's receive thread under the node's lock, stalling the node.
     *
     * @throws IllegalStateException {@link #receiveAsync()} futures are outstanding
     * @throws TipcException         the socket is closed
     */
    public void setMessageListener(Consumer<TipcMessage> listener, Executor executor) throws TipcException {
        checkOpen();
        async.setListener(listener, executor);
    }

    /** Listener invocations that threw an exception. */
    public long listenerErrors() {
        return async.listenerErrors.get();
    }

    /** Whether {@link #close()} ran (or the node closed). */
    boolean isClosed() {
        return closed;
    }

    /** The exception of a receive on a closed socket (the node's failure if it failed). */
    TipcException closedException() {
        if (node.state() == TipcNodeState.FAILED) return node.failed();
        return new TipcException(TipcError.NONE, "socket " + Integer.toUnsignedString(port) + " closed");
    }

    /**
     * Binds a service or service range at cluster scope. See {@link #bind(TipcAddress, Scope)}.
     *
     * @throws TipcException as {@link #bind(TipcAddress, Scope)}
     */
    public void bind(TipcAddress name) throws TipcException {
        bind(name, Scope.CLUSTER);
    }

    /**
     * Binds a service {type, instance} or range {type, lower, upper} (socket.c tipc_sk_publish): cluster scope
     * bindings are distributed to every peer node.
     *
     * @throws TipcException EACCES (type below 64, reserved), EINVAL (bad range or scope, a socket address, a binding
     *                       limit; as socket.c also a name already bound with the same publication key)
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
     * Withdraws a binding made by {@link #bind}: the newest one of this socket for the name's type and lower bound, one
     * per call (a name bound twice takes two calls), as socket.c tipc_sk_withdraw.
     *
     * @throws TipcException EINVAL if the socket has bindings but none with that type and lower bound, or the newest
     *                       one has another upper bound (a socket without any binding returns normally, as the kernel)
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
     * @throws TipcException if this socket is closed, or if the node is not running (once it failed, the exception
     *                       names the cause)
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
     *
     * @throws TipcException {@link TipcError#NONE} if this socket was closed or the node is stopped
     */
    public void setDestDroppable(boolean droppable) throws TipcException {
        checkOpen();
        node.call(now -> {
            node.core().setDestDroppable(port, droppable);
            return null;
        });
        destDroppable = droppable;
    }

    /**
     * Sends all of {@code data}. See {@link #send(TipcAddress, byte[], int, int)}.
     *
     * @throws TipcException as {@link #send(TipcAddress, byte[], int, int)}
     */
    public void send(TipcAddress dest, byte[] data) throws TipcException {
        send(dest, data, 0, data.length);
    }

    /**
     * Sends one message of at most 66000 bytes: to the service {type, instance} (anycast, round robin among the
     * bound sockets), to a socket {port, node}, or to every socket bound to a range overlapping {type, lower,
     * upper} (multicast, one copy per node). When the message makes its link congested it is queued and this waits
     * for room before returning, except from a node callback (this thread holds the core lock: nothing can drain
     * meanwhile), where it returns at once; a callback that sends much should use {@link #trySend}, which refuses a
     * congested link, or it overruns the link's backlog bound and the link resets.
     *
     * @throws TipcException EHOSTUNREACH (no binding or no link to the node), EMSGSIZE, or the node is closed
     */
    public void send(TipcAddress dest, byte[] data, int off, int len) throws TipcException {
        Objects.checkFromIndexSize(off, len, data.length);
        checkOpen();
        SendOp op = SendOp.of(this, dest);
        op.data = data;
        op.off = off;
        op.len = len;
        int rc;
        TipcNode.CongestionWait wait;
        try {
            rc = node.call(op);
        } finally {
            wait = op.wait;
            op.clear();
        }
        if (rc == Errno.ELINKCONG) {
            // the message is queued; like a blocking sendmsg, wait for room on its own link(s) before returning (not
            // from a node callback: awaitUncongested returns at once there)
            node.awaitUncongested(wait);
            return;
        }
        if (rc != 0) {
            throw TipcException.of(rc, "send to " + dest);
        }
    }

    int transmit(long now, TipcAddress dest, byte[] data, int off, int len) {
        NodeCore c = node.core();
        switch (dest.kind()) {
            case SERVICE:
                return c.sendToName(now, port, dest.type(), dest.instance(), lookupDomain, data, off, len, node.outbox());
            case SOCKET:
                return c.sendToPort(now, port, dest.node(), dest.port(), data, off, len, node.outbox());
            default:
                return c.multicast(now, port, dest.type(), dest.lower(), dest.upper(), data, off, len, node.outbox());
        }
    }

    /**
     * {@link #trySend(TipcAddress, byte[], int, int)} of all of {@code data}.
     *
     * @throws TipcException as {@link #trySend(TipcAddress, byte[], int, int)}
     */
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
     * Sends like {@link #send(TipcAddress, byte[], int, int)} without ever blocking the caller: the message is handed
     * to the core at once, and the future completes when the blocking send would have returned: at once, or, when
     * the link's backlog for this socket's importance is full (ELINKCONG: the message is queued anyway), when that
     * link reports room or goes down (at most {@link TipcNode} CONGESTION_WAIT_MS = 10 s later), on
     * {@link ForkJoinPool#commonPool()}. Callers that await each future before the next send get the blocking send's
     * back-pressure with no thread waiting.
     *
     * @return completed normally as above; exceptionally with the {@link TipcException} the blocking send throws
     *         (EHOSTUNREACH, EMSGSIZE, closed), or with {@link TipcError#EAGAIN} and nothing sent when
     *         {@link #MAX_PENDING_SENDS} futures of this socket wait for a congested link and this destination's link
     *         (or, by name, any link) is congested at this socket's importance
     */
    public CompletableFuture<Void> sendAsync(TipcAddress dest, byte[] data, int off, int len) {
        Objects.checkFromIndexSize(off, len, data.length);
        Objects.requireNonNull(dest, "dest");
        CompletableFuture<Void> f = new CompletableFuture<>();
        try {
            checkOpen();
            @SuppressWarnings("unchecked")
            CompletableFuture<Void>[] wait = new CompletableFuture[1];
            int rc = node.call(now -> {
                int destNode = dest.kind() == TipcAddress.Kind.SOCKET ? dest.node() : 0;
                if (pendingSends.get() >= MAX_PENDING_SENDS
                        && node.congestionWait(destNode, importance, port).nodes().length > 0) {
                    return Errno.EAGAIN;
                }
                int r = transmit(now, dest, data, off, len);
                if (r == Errno.ELINKCONG) wait[0] = node.whenUncongested(node.congestionWait(destNode, importance, port));
                return r;
            });
            if (rc == Errno.EAGAIN) {
                throw new TipcException(TipcError.EAGAIN, "socket " + Integer.toUnsignedString(port) + ": "
                        + MAX_PENDING_SENDS + " sendAsync futures wait for a congested link");
            }
            if (rc == Errno.ELINKCONG) {
                pendingSends.incrementAndGet();
                wait[0].whenComplete((v, e) -> {
                    pendingSends.decrementAndGet();
                    if (e != null) f.completeExceptionally(e);
                    else f.complete(null);
                });
                return f;
            }
            if (rc != 0) throw TipcException.of(rc, "send to " + dest);
            f.complete(null);
        } catch (TipcException e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    /** {@link #sendAsync(TipcAddress, byte[], int, int)} of all of {@code data}. */
    public CompletableFuture<Void> sendAsync(TipcAddress dest, byte[] data) {
        return sendAsync(dest, data, 0, data.length);
    }

    /**
     * Sends the bytes between {@code src}'s position and limit as one message (as {@link #send(TipcAddress, byte[],
     * int, int)}); on return the position equals the limit (as {@code DatagramChannel.send}). Heap buffers are sent
     * from their array; a direct (or read-only) buffer's bytes are copied once. On an exception the position is
     * unchanged.
     *
     * @throws TipcException as {@link #send(TipcAddress, byte[], int, int)}
     */
    public void send(TipcAddress dest, ByteBuffer src) throws TipcException {
        int len = src.remaining();
        if (src.hasArray()) {
            send(dest, src.array(), src.arrayOffset() + src.position(), len);
        } else {
            byte[] b = new byte[len];
            src.duplicate().get(b);
            send(dest, b, 0, len);
        }
        src.position(src.limit());
    }

    /**
     * Sends {@code srcs[offset, offset + count)} to {@code dest}, each buffer's remaining bytes one message, in order
     * (as {@code sendmmsg} sends a vector of messages): up to 64 in one run of the core, so their frames leave in one
     * batch (one {@code sendmmsg} on the UDP and Ethernet bearers, issue 14); when the link becomes congested, waits
     * for room (as {@link #send(TipcAddress, byte[], int, int)}) and goes on. A sent buffer's position moves to its
     * limit; one not sent keeps its position. Heap buffers are sent from their array; a direct one is copied once.
     * Called from a handler inside a core run, it stops at the first congestion instead of waiting.
     *
     * @return {@code count}, or the number sent when a later message failed or the wait was cut short (as sendmmsg:
     *         only a failure of the first message is thrown)
     * @throws TipcException as {@link #send(TipcAddress, byte[], int, int)}, for the first message
     * @throws NullPointerException a buffer in the range is null (nothing is sent)
     */
    public int send(TipcAddress dest, ByteBuffer[] srcs, int offset, int count) throws TipcException {
        Objects.checkFromIndexSize(offset, count, srcs.length);
        return SendOp.sendAll(this, dest, srcs, offset, count);
    }

    /**
     * Waits for the next message and copies its payload into {@code dst} at its position; the position advances by
     * the bytes copied, the limit is unchanged (java.nio channel semantics). A payload longer than
     * {@code dst.remaining()} is truncated: the rest is discarded and {@link TipcReceived#truncated()} is true, with
     * {@link TipcReceived#length()} the full payload length (recvmsg's MSG_TRUNC, socket.c tipc_recvmsg). Heap and
     * direct buffers both work.
     *
     * @throws TipcException when the socket or its node is closed
     * @throws java.nio.ReadOnlyBufferException {@code dst} is read-only (nothing is received)
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public TipcReceived receive(ByteBuffer dst) throws TipcException, InterruptedIOException {
        if (dst.isReadOnly()) throw new java.nio.ReadOnlyBufferException();
        return TipcReceived.copy(receive(), dst);
    }

    /**
     * {@link #receive(ByteBuffer)} without waiting: null (and {@code dst} untouched) when no message is queued.
     *
     * @throws TipcException when the socket or its node is closed
     */
    public TipcReceived tryReceive(ByteBuffer dst) throws TipcException {
        if (dst.isReadOnly()) throw new java.nio.ReadOnlyBufferException();
        TipcMessage m = tryReceive();
        return m == null ? null : TipcReceived.copy(m, dst);
    }

    // ================================================================ typed options

    /**
     * Sets a socket option (setsockopt SOL_TIPC, socket.c tipc_setsockopt). Accepted here: {@link TipcOption#IMPORTANCE}
     * (0-3), {@link TipcOption#DEST_DROPPABLE}, {@link TipcOption#SRC_DROPPABLE} (only to its fixed value: true for
     * DGRAM, false for RDM), {@link TipcOption#LOOKUP_DOMAIN} (a node address, 0 = cluster),
     * {@link TipcOption#MCAST_BROADCAST} / {@link TipcOption#MCAST_REPLICAST} (the multicast method).
     *
     * @throws TipcException {@link TipcError#EINVAL} for a read-only option ({@link TipcOption#SOCK_RECVQ_DEPTH}), a
     *                       value out of range, or an option that does not apply to a connectionless socket
     *                       ({@link TipcOption#CONN_TIMEOUT}, {@link TipcOption#NODELAY}: the kernel's setsockopt
     *                       answers -EINVAL for an option it does not handle); {@link TipcError#EOPNOTSUPP} for a
     *                       SRC_DROPPABLE other than the fixed value; or the socket is closed
     */
    public <T> void setOption(TipcOption<T> option, T value) throws TipcException {
        checkOpen();
        if (option == null || option.readOnly()) throw TipcOption.invalid(option, "cannot be set");
        Object v = option.cast(value);
        if (option == TipcOption.IMPORTANCE) {
            int i = (Integer) v;
            if (i < 0 || i > 3) throw TipcOption.invalid(option, "importance not in 0-3: " + i);
            setImportance(i);
        } else if (option == TipcOption.DEST_DROPPABLE) {
            setDestDroppable((Boolean) v);
        } else if (option == TipcOption.SRC_DROPPABLE) {
            if ((Boolean) v != (type == Type.DGRAM)) {
                throw new TipcException(TipcError.EOPNOTSUPP, option + ": fixed by socket type (" + type + ")");
            }
        } else if (option == TipcOption.LOOKUP_DOMAIN) {
            lookupDomain = (Integer) v;
        } else if (option == TipcOption.MCAST_BROADCAST || option == TipcOption.MCAST_REPLICAST) {
            Boolean forced = (Boolean) v ? Boolean.valueOf(option == TipcOption.MCAST_REPLICAST)
                : mcastForced != null && mcastForced == (option == TipcOption.MCAST_REPLICAST) ? null : mcastForced;
            node.call(now -> {
                node.core().broadcastLink().setSocketMethod(port, forced);
                return null;
            });
            mcastForced = forced;
        } else {
            throw TipcOption.invalid(option, "not an option of a connectionless socket");
        }
    }

    /**
     * Reads a socket option (getsockopt SOL_TIPC, socket.c tipc_getsockopt): {@link TipcOption#IMPORTANCE},
     * {@link TipcOption#DEST_DROPPABLE}, {@link TipcOption#SRC_DROPPABLE}, {@link TipcOption#SOCK_RECVQ_DEPTH}
     * (unread messages now), {@link TipcOption#LOOKUP_DOMAIN}, {@link TipcOption#MCAST_BROADCAST},
     * {@link TipcOption#MCAST_REPLICAST}.
     *
     * @throws TipcException {@link TipcError#EINVAL} for {@link TipcOption#CONN_TIMEOUT} and
     *                       {@link TipcOption#NODELAY} (not options of a connectionless socket), or the socket is closed
     */
    public <T> T getOption(TipcOption<T> option) throws TipcException {
        checkOpen();
        Object v;
        if (option == TipcOption.IMPORTANCE) v = importance;
        else if (option == TipcOption.DEST_DROPPABLE) v = destDroppable;
        else if (option == TipcOption.SRC_DROPPABLE) v = type == Type.DGRAM;
        else if (option == TipcOption.SOCK_RECVQ_DEPTH) v = rx.size() + async.carriedCount();
        else if (option == TipcOption.LOOKUP_DOMAIN) v = lookupDomain;
        else if (option == TipcOption.MCAST_BROADCAST) v = Boolean.FALSE.equals(mcastForced);
        else if (option == TipcOption.MCAST_REPLICAST) v = Boolean.TRUE.equals(mcastForced);
        else throw TipcOption.invalid(option, "not an option of a connectionless socket");
        return option.cast(v);
    }

    /**
     * Waits for the next message.
     *
     * @throws TipcException when the socket or its node is closed
     * @throws InterruptedIOException when interrupted
     */
    public TipcMessage receive() throws TipcException, InterruptedIOException {
        async.checkNoListener();
        return receiveMessage(-1);
    }

    /**
     * Waits up to {@code timeout} for the next message.
     *
     * @return the message, or null when none arrived in time
     * @throws TipcException when the socket or its node is closed
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public TipcMessage receive(Duration timeout) throws TipcException, InterruptedIOException {
        async.checkNoListener();
        return receiveMessage(Math.max(0, timeout.toNanos()));
    }

    private TipcMessage receiveMessage(long timeoutNanos) throws TipcException, InterruptedIOException {
        try {
            TipcMessage m = rx.receiveMessage(timeoutNanos);
            if (m == null && rx.closed() && rx.isEmpty()) throw closedException();
            return m == null ? null : taken(m);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted in receive");
        }
    }

    /**
     * Waits for the next message and copies its payload into {@code dst} at its position (at most
     * {@code dst.remaining()} bytes; the position advances by the bytes copied, the limit is unchanged), and its
     * addresses and flags into {@code info}: {@code recvmsg} into a caller's buffer (net/tipc/socket.c tipc_recvmsg).
     * Allocates nothing per message in steady state (issue 14): the socket keeps messages in reused storage and copies
     * each once into {@code dst}; pass the same {@code info} every time. A longer payload is truncated: the rest is
     * discarded, {@link TipcMessageInfo#truncated()} is true and {@link TipcMessageInfo#length()} is the full length
     * (MSG_TRUNC). Heap and direct buffers both work.
     *
     * @param dst  where the payload goes
     * @param info overwritten with the message's source, destination, lengths, errcode and importance
     * @return the bytes copied into {@code dst} (= {@code info.copied()})
     * @throws TipcException when the socket or its node is closed (messages queued before the node closed are still
     *                       received first; a closed socket has none left, see {@link #close()})
     * @throws InterruptedIOException when interrupted while waiting
     * @throws java.nio.ReadOnlyBufferException {@code dst} is read-only (nothing is received)
     * @throws IllegalStateException a message listener is set
     */
    public int receive(ByteBuffer dst, TipcMessageInfo info) throws TipcException, InterruptedIOException {
        return receive(dst, info, -1);
    }

    /**
     * {@link #receive(ByteBuffer, TipcMessageInfo)} waiting at most {@code timeout} ({@link Duration#ZERO}: not at all;
     * the wait is rounded up to whole milliseconds once the receive parks).
     *
     * @return the bytes copied, or -1 (and {@code dst} and {@code info} untouched) when no message arrived in time
     * @throws TipcException as {@link #receive(ByteBuffer, TipcMessageInfo)}
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public int receive(ByteBuffer dst, TipcMessageInfo info, Duration timeout)
            throws TipcException, InterruptedIOException {
        return receive(dst, info, Math.max(0, timeout.toNanos()));
    }

    /**
     * {@link #receive(ByteBuffer, TipcMessageInfo)} without waiting ({@code recvmsg} with MSG_DONTWAIT).
     *
     * @return the bytes copied, or -1 (and {@code dst} and {@code info} untouched) when no message is queued
     * @throws TipcException as {@link #receive(ByteBuffer, TipcMessageInfo)}
     */
    public int tryReceive(ByteBuffer dst, TipcMessageInfo info) throws TipcException {
        try {
            return receive(dst, info, 0);
        } catch (InterruptedIOException e) {
            throw new AssertionError("a receive that does not wait was interrupted", e);
        }
    }

    private int receive(ByteBuffer dst, TipcMessageInfo info, long timeoutNanos)
            throws TipcException, InterruptedIOException {
        if (dst.isReadOnly()) throw new java.nio.ReadOnlyBufferException();
        Objects.requireNonNull(info, "info");
        async.checkNoListener();
        int len;
        try {
            len = rx.receive(dst, info, timeoutNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted in receive");
        }
        if (len == -2) throw closedException();
        if (len < 0) return -1;
        queuedBytes.addAndGet(-((long) len + MESSAGE_OVERHEAD));
        return info.copied;
    }

    /** Counts {@code m} as taken from the queue. */
    TipcMessage taken(TipcMessage m) {
        queuedBytes.addAndGet(-((long) m.payload().length + MESSAGE_OVERHEAD));
        return m;
    }

    /** Bytes counted for the unread messages (payload + {@link #MESSAGE_OVERHEAD} each). */
    public long queuedBytes() {
        return queuedBytes.get();
    }

    void checkOpen() throws TipcException {
        if (closed && node.state() == TipcNodeState.FAILED) throw node.failed();
        if (closed) throw new TipcException(TipcError.NONE, "socket " + Integer.toUnsignedString(port) + " closed");
    }

    /**
     * Closes the socket, withdrawing its bindings (socket.c tipc_release). Messages left unread go: each one whose
     * sender cleared dest-droppable back to it with error code TIPC_ERR_NO_PORT (the sender's
     * {@link TipcMessageInfo#errcode()}) and at most 1 024 bytes of its payload, the others dropped
     * (tsk_rej_rx_queue). Idempotent.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        rx.close();
        // tipc_release -> tsk_rej_rx_queue: what is left unread goes back to senders that want it (NO_PORT)
        java.util.List<byte[]> unread = rx.drainReturnable(REVERSE_DATA_MAX);
        async.failPending();
        node.unregistered(this);
        try {
            node.callForClose(now -> {
                node.core().closeSocket(now, port, unread, node.outbox());
                return null;
            });
        } catch (TipcException e) {
            // node already closed: nothing left to withdraw
        }
    }

    /** Called by the node when it closes. */
    void nodeClosed() {
        closed = true;
        rx.close();
        async.failPending();
    }

    @Override
    public String toString() {
        return type + " socket " + Integer.toUnsignedString(port);
    }
}
