package io.jtipc.node;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

import io.jtipc.nametable.BindingTable;
import io.jtipc.nametable.NameDistributor;
import io.jtipc.nametable.Subscription;
import io.jtipc.nametable.SubscriptionEvent;
import io.jtipc.nametable.SubscriptionRequest;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcSubscr;

/**
 * The sans-IO TIPC protocol core of one node (Linux 6.1 net/tipc core.c, net.c): the façade over the bearers and their
 * {@link Discoverer}s (discover.c), the {@link NodeTable} of {@link Node}s (node.c) with their {@link Link}s (link.c)
 * and {@link BroadcastLink}s (bcast.c), the {@link SocketTable} and {@link ConnSocket}s (socket.c) and the
 * {@link TopologyServer} (topsrv.c). Single-threaded (the caller's event loop); no clock, socket or thread inside.
 *
 * <p>{@link #enableBearer} starts discovery; {@link #onFrame} takes every TIPC frame received (the TIPC message only);
 * {@link #onTimer} runs when {@code now >= }{@link #nextDeadline()}. Frames to transmit go to the {@link Outbox} of each
 * call. Socket handlers and the {@link NodeListener} are called after the triggering call's processing, so they may
 * call back in. Times are ms on the caller's monotonic clock. The address is committed after the 1000 ms trial
 * ({@link Discoverer}); capabilities: {@link NodeConfig#JTIPC_CAPABILITIES}. Socket operations return 0 or a negative
 * {@link Errno} code; malformed frames are dropped and counted ({@link #droppedFrames()}), never thrown.
 */
public final class NodeCore {
    /** Capabilities jtipc advertises, 0xFFF: {@link NodeConfig#JTIPC_CAPABILITIES} says why each bit is set. */
    public static final int JTIPC_CAPABILITIES = NodeConfig.JTIPC_CAPABILITIES;
    /** node.c NODE_CLEANUP_AFTER: a peer not up for this long is deleted with its link, ms. */
    public static final int NODE_CLEANUP_AFTER = NodeTable.NODE_CLEANUP_AFTER;

    final Net net;
    private final Discoverer.Trial trial;
    private final Bearer[] bearers = new Bearer[Bearer.MAX_BEARERS];
    private final NodeTable nodes;
    final SocketTable sockets;
    /** The receive path and the address commit. */
    private final FrameIntake intake;
    private int depth; // nesting of core calls (handlers may call back in)
    private final NodeGroups groups = new NodeGroups(this);

    public NodeCore(NodeConfig config) {
        this.net = new Net(config);
        Random rnd = new Random(config.seed());
        this.trial = new Discoverer.Trial(config.nodeId().hash());
        this.nodes = new NodeTable(net, () -> rnd.nextInt(0x10000));
        this.sockets = new SocketTable(net, nodes, rnd);
        nodes.sockets = sockets;
        this.intake = new FrameIntake(net, nodes, sockets, trial, bearers);
    }

    /**
     * Replaces the source of the random 16-bit session numbers of new links (node.c tipc_node_check_dest), for
     * deterministic replays of captures; by default a PRNG seeded from {@link NodeConfig#seed()}.
     */
    public void setSessionSource(IntSupplier source) { nodes.sessionSource = Objects.requireNonNull(source); }

    // ====================================================================== inspection
    public NodeConfig config() { return net.config; }
    /** This node's 32-bit address, 0 while the address trial runs. */
    public int ownAddr() { return net.ownAddr; }
    public boolean addressCommitted() { return net.ownAddr != 0; }
    /** The binding table, null until the address is committed. */
    public BindingTable bindingTable() { return net.table; }
    /** The name distributor, null until the address is committed. */
    public NameDistributor nameDistributor() { return net.distr; }
    /** Known peer nodes. */
    public Collection<Node> peers() { return Collections.unmodifiableCollection(nodes.all()); }
    /** A known peer or null (core thread only; leaves the lookup cache alone). */
    public Node peer(int addr) { return nodes.peek(addr); }
    /** node.c tipc_nl_peer_rm ({@code tipc peer remove}): 0, {@link Errno#ENXIO} (unknown) or {@link Errno#EBUSY} (not down). */
    public int removePeer(int addr) { return nodes.removePeer(addr); }
    /** The open sockets' ports, ascending ({@code tipc socket list}, socket.c tipc_nl_sk_dump); a new array. */
    public int[] ports() { return sockets.ports(); }
    /** All links. */
    public List<Link> links() { return nodes.links(); }
    public Bearer bearer(int id) { return id >= 0 && id < bearers.length ? bearers[id] : null; }
    /** This node's own broadcast link (bcast.c): state, counters and the multicast replication knobs. */
    public Bcast broadcastLink() { return net.bcast; }
    /** Received frames dropped as malformed or unroutable. */
    public long droppedFrames() { return net.droppedFrames; }
    /** Unicast link messages discarded as addressed (w7) to another node (node.c tipc_rcv), e.g. a media address's previous owner's. */
    public long foreignFrames() { return net.foreignFrames; }
    /** Encryption: keys, counters ({@link NodeCrypto}); call it only from the core's thread, like every method here. */
    public NodeCrypto crypto() { return net.crypto; }
    /** Diagnostic messages (kernel pr_warn equivalents), oldest first, at most 1000 kept. */
    public List<String> log() { return net.log(); }
    void log(String s) { net.log(s); }
    /** Gives {@code sink} the {@link #log()} lines added after the first {@code seen}, returns the count so far. O(1) if none. */
    public long logSince(long seen, Consumer<String> sink) { return net.logSince(seen, sink); }
    public void setListener(NodeListener l) { net.listener = l == null ? new NodeListener() {} : l; }

    // ====================================================================== driving
    /**
     * Runs one core call: {@code body}, then, if this is the outermost call, the deferred work it caused (local
     * deliveries, then handler and listener calls, in order). A handler that throws propagates to the caller and
     * leaves the remaining work queued for the next call. The per-message entry points ({@link #onFrame}, the sends
     * and {@link #recv}) open-code the same {@link #enter}/{@link #leave} pair instead: a capturing lambda would be
     * one allocation per message.
     */
    private int run(long now, Outbox out, IntSupplier body) {
        boolean outermost = enter();
        try {
            return body.getAsInt();
        } finally {
            leave(outermost, now, out);
        }
    }
    /** Starts a core call; true if it is the outermost one (handlers may call back in). */
    boolean enter() { return depth++ == 0; }
    /** Ends a core call started by {@link #enter}: the outermost one runs the deferred work (see {@link #run}). */
    void leave(boolean outermost, long now, Outbox out) {
        try {
            if (outermost) net.runDeferred(now, out, sockets);
        } finally {
            depth--;
        }
    }

    /**
     * Enables a bearer (bearer.c tipc_enable_bearer): its discoverer sends the first request now (and, without an
     * address yet, (re)starts the 1000 ms address trial).
     *
     * A bearer asking for the priority two enabled bearers have gets one less (tipc_enable_bearer; said in the core's
     * log, and {@link Bearer#config()} holds the priority used).
     *
     * @return the bearer id (0-2)
     * @throws IllegalStateException if 3 bearers are enabled, one has the same name, or two have its priority 0
     */
    public int enableBearer(long now, BearerConfig cfg, Outbox out) {
        return nodes.restoreMonitor(enable(now, Bearer.withFreePriority(bearers, cfg, net::log), out), bearers, false);
    }

    /**
     * Enables again a bearer the shell just disabled to reset it (its interface went down or changed: bearer.c
     * tipc_reset_bearer, which keeps the bearer and its priority): as {@link #enableBearer(long, BearerConfig, Outbox)}
     * without the priority rule, so a reset never changes the priority or fails on it.
     */
    public int reenableBearer(long now, BearerConfig cfg, Outbox out) {
        return nodes.restoreMonitor(enable(now, cfg, out), bearers, true); // with its monitor, as tipc_reset_bearer
    }

    private int enable(long now, BearerConfig cfg, Outbox out) {
        int id = Bearer.freeSlot(bearers, cfg);
        Bearer b = new Bearer(id, cfg);
        bearers[id] = b;
        b.disc = new Discoverer(net, nodes, trial, b);
        run(now, out, () -> { b.disc.start(now, out); return 0; });
        return id;
    }

    /** Disables a bearer (bearer.c bearer_disable): its links send a peer-stopping RESET and are deleted. False if none. */
    public boolean disableBearer(long now, int bearerId, Outbox out) {
        Bearer b = bearer(bearerId);
        if (b == null) return false;
        run(now, out, () -> {
            nodes.deleteLinks(bearerId, now, out);
            b.disc.due = Long.MAX_VALUE;
            bearers[bearerId] = nodes.keepMonitor(b);
            return 0;
        });
        return true;
    }

    /** Stops the node as when its last bearer goes: every link sends a RESET with the peer-stopping bit. */
    public void shutdown(long now, Outbox out) {
        run(now, out, () -> {
            nodes.stop(now, out);
            for (Bearer b : bearers) if (b != null) b.disc.due = Long.MAX_VALUE;
            return 0;
        });
    }

    /** Earliest time (ms) at which {@link #onTimer} has work; Long.MAX_VALUE if none. */
    public long nextDeadline() {
        long d = Long.MAX_VALUE;
        for (Bearer b : bearers) if (b != null) d = Math.min(d, b.disc.due);
        d = Math.min(d, Math.min(nodes.nextDeadline(), sockets.nextDeadline()));
        if (net.topology != null) d = Math.min(d, net.topology.nextDeadline());
        return d;
    }

    /** Runs every timer due at {@code now}: discovery, nodes (tipc_node_timeout), connections, subscriptions. */
    public void onTimer(long now, Outbox out) {
        run(now, out, () -> {
            for (Bearer b : bearers) {
                if (b != null && b.disc.due <= now && b.disc.timeout(now, out)) intake.commitAddress(now, out);
            }
            nodes.timeout(now, out);
            sockets.timeout(now, out);
            if (net.topology != null && net.topology.nextDeadline() <= now) net.topology.onTimer(now);
            return 0;
        });
    }

    /**
     * One received frame (node.c tipc_rcv): discovery to the bearer's {@link Discoverer}, the rest to the {@link NodeTable}.
     * {@code srcMediaAddr} (may be null) keys the per-source discovery rate limit; {@code len} may exceed msg_size. Never throws.
     */
    public void onFrame(long now, int bearerId, byte[] srcMediaAddr, byte[] buf, int off, int len, Outbox out) {
        boolean outermost = enter();
        try {
            intake.rcv(now, bearerId, srcMediaAddr, buf, off, len, out);
        } catch (RuntimeException e) {
            // decoding is total, but the core must survive any bug triggered by hostile input
            net.droppedFrames++;
            net.log("frame dropped after internal error: " + e);
        } finally {
            leave(outermost, now, out);
        }
    }

    // ====================================================================== connectionless sockets (SocketTable)
    /** Opens an RDM/DGRAM socket (socket.c tipc_sk_create): random free port, importance low, dest-droppable. */
    public int openSocket(SocketType type, MessageHandler handler) { return sockets.openSocket(type, handler); }

    /** Opens a socket on a given port (for replaying captures, where the peer addresses a known port). */
    int openSocketAt(int port, SocketType type, MessageHandler h) { return sockets.openSocketAt(port, type, h); }

    /** Importance 0-3 of the socket's messages (TIPC_IMPORTANCE). */
    public void setImportance(int port, int importance) { sockets.setImportance(port, importance); }
    /** TIPC_DEST_DROPPABLE: whether undeliverable messages sent by this socket are dropped (true) or returned. */
    public void setDestDroppable(int port, boolean v) { sockets.setDestDroppable(port, v); }

    /** Closes a socket, withdrawing its bindings; a connection gets a FIN with TIPC_ERR_NO_PORT (tipc_release). */
    public void closeSocket(long now, int port, Outbox out) {
        closeSocket(now, port, java.util.List.of(), out);
    }

    /**
     * Closes a connectionless socket whose owner kept messages unread: each of {@code unread} (a delivered message's
     * header, then its payload or at least its first 1 024 bytes) goes back to its sender with TIPC_ERR_NO_PORT, as
     * socket.c tsk_rej_rx_queue does at tipc_release; then as {@link #closeSocket(long, int, Outbox)}.
     */
    public void closeSocket(long now, int port, java.util.List<byte[]> unread, Outbox out) {
        run(now, out, () -> { sockets.closeSocket(now, port, unread, out); return 0; });
    }

    /**
     * Binds a service range (socket.c tipc_sk_publish) in {@link Tipc#TIPC_CLUSTER_SCOPE} or {@link Tipc#TIPC_NODE_SCOPE}.
     *
     * @return 0, {@link Errno#EACCES} (type &lt; 64), {@link Errno#EINVAL} (lower &gt; upper, bad scope, address not
     *         committed, local binding limit reached as in the kernel: BindingLimits; a publication key already in
     *         the range, which tipc_nametbl_publish refuses and tipc_sk_publish turns into -EINVAL)
     */
    public int bind(long now, int port, int scope, int type, int lower, int upper, Outbox out) {
        return run(now, out, () -> sockets.bind(now, port, scope, type, lower, upper, out));
    }

    /** Withdraws the socket's bindings of exactly {@code {type, lower, upper}}: 0 or {@link Errno#EINVAL}. */
    public int unbind(long now, int port, int type, int lower, int upper, Outbox out) {
        return run(now, out, () -> sockets.unbind(now, port, type, lower, upper, out));
    }

    /**
     * Sends a datagram to a service address {type, instance} (socket.c __tipc_sendmsg), by round-robin anycast lookup.
     *
     * @param lookupNode 0 for cluster-wide lookup, else the node that must resolve it (node scope)
     * @return 0, {@link Errno#EHOSTUNREACH} (no binding / no link), {@link Errno#ELINKCONG} (sent, but the backlog of
     *         this importance is full: wait for {@link NodeListener#linkUncongested}), {@link Errno#EMSGSIZE}
     */
    public int sendToName(long now, int port, int type, int instance, int lookupNode, byte[] data, int off, int len,
                          Outbox out) {
        boolean outermost = enter();
        try { return sockets.sendToName(now, port, type, instance, lookupNode, data, off, len, out); }
        finally { leave(outermost, now, out); }
    }

    /** Sends a datagram to a socket address {port, node} (TIPC_SOCKET_ADDR, DIRECT, 32-byte header): as {@link #sendToName}. */
    public int sendToPort(long now, int port, int destNode, int destPort, byte[] data, int off, int len, Outbox out) {
        boolean outermost = enter();
        try { return sockets.sendToPort(now, port, destNode, destPort, data, off, len, out); }
        finally { leave(outermost, now, out); }
    }

    /**
     * Multicasts to every socket bound to a range overlapping {type, lower, upper} (socket.c tipc_sendmcast): by our
     * broadcast link or by replicast (one copy per node), as {@link Bcast} chooses; one local delivery per local socket.
     *
     * @return 0, {@link Errno#EHOSTUNREACH}, {@link Errno#ELINKCONG} (a link congested), {@link Errno#ENOBUFS}, {@link Errno#EMSGSIZE}
     */
    public int multicast(long now, int port, int type, int lower, int upper, byte[] data, int off, int len, Outbox out) {
        boolean outermost = enter();
        try { return sockets.multicast(now, port, type, lower, upper, data, off, len, out); }
        finally { leave(outermost, now, out); }
    }

    /**
     * True if {@code port} sending at {@code importance} to {@code node} would get ELINKCONG on its link (unicast only;
     * a multicast asks {@link #broadcastLink()}: {@link Bcast#congested}).
     */
    public boolean congested(int node, int importance, int port) {
        return nodes.congested(node, importance, port);
    }

    // ====================================================================== connection sockets (ConnSocket)
    /** Opens a SEQPACKET or STREAM socket (tipc_sk_create): random free port, importance low, not dest-droppable. */
    public int openConnSocket(SocketType type, ConnHandler handler) { return sockets.openConnSocket(type, handler); }
    /** The connection state of a SEQPACKET/STREAM socket, null if none (for inspection; do not keep across calls). */
    public ConnSocket connSocket(int port) { return sockets.connSocket(port); }
    /** Sets the handler of a connection-oriented socket (e.g. after {@link #accept} with null). */
    public void setConnHandler(int port, ConnHandler handler) { sockets.conn(port).setHandler(handler); }
    /** socket.c tipc_listen: 0, or {@link Errno#EINVAL} if the socket is not open (connecting, connected, listening). */
    public int listen(int port) { return sockets.conn(port).listen(); }

    /**
     * Connects to a service address (socket.c tipc_connect): a SYN (SYN+ with {@code data}, may be null) to the listener
     * the anycast lookup picks ({@code lookupNode} 0: cluster-wide); then {@link ConnHandler#connected}, or
     * {@link ConnHandler#failed} with {@link Errno#ECONNREFUSED} or {@link Errno#ETIMEDOUT} after {@code timeoutMs}
     * ({@link ConnSocket#CONN_TIMEOUT_DEFAULT} as the kernel; 0 = none). Returns 0 (in progress), {@link Errno#EHOSTUNREACH},
     * {@link Errno#EISCONN}, {@link Errno#EALREADY}, {@link Errno#EINVAL}, {@link Errno#EOPNOTSUPP}, {@link Errno#EMSGSIZE}.
     */
    public int connect(long now, int port, int type, int instance, int lookupNode, int timeoutMs,
                       byte[] data, int off, int len, Outbox out) {
        return run(now, out, () -> sockets.connect(now, port, true, type, instance, lookupNode, timeoutMs, data, off, len,
            out));
    }

    /** {@link #connect} to a socket address {node, port} (TIPC_SOCKET_ADDR): the SYN is a DIRECT message. */
    public int connectToSocket(long now, int port, int destNode, int destPort, int timeoutMs,
                               byte[] data, int off, int len, Outbox out) {
        return run(now, out, () -> sockets.connect(now, port, false, destNode, destPort, 0, timeoutMs, data, off, len,
            out));
    }

    /**
     * socket.c tipc_accept, never blocking: a connected socket for the first pending SYN ({@code handler} may be null
     * until {@link #setConnHandler}), the ACK sent.
     *
     * @return the new socket's port, {@link Errno#EAGAIN} if no request is pending, {@link Errno#EINVAL} if not listening
     */
    public int accept(long now, int listenPort, ConnHandler handler, Outbox out) {
        return run(now, out, () -> sockets.accept(now, listenPort, handler, out));
    }

    /**
     * Sends on a connection, never blocking (SEQPACKET: one message of at most 66000 bytes; STREAM: any length).
     *
     * @return bytes sent (STREAM may send fewer), {@link Errno#EAGAIN} (congested: wait for {@link ConnHandler#writable}),
     *         {@link Errno#ENOTCONN}, {@link Errno#EPIPE}, {@link Errno#EMSGSIZE}
     */
    public int send(long now, int port, byte[] data, int off, int len, Outbox out) {
        ConnSocket c = sockets.conn(port);
        boolean outermost = enter();
        try { return c.send(now, data, off, len, out); }
        finally { leave(outermost, now, out); }
    }

    /**
     * Reads from a connection (SEQPACKET: one message, truncated to {@code len}; STREAM: what is there, up to {@code len}).
     *
     * @return bytes read, 0 at end of stream, {@link Errno#ECONNRESET} (aborted), {@link Errno#EAGAIN}, {@link Errno#ENOTCONN}
     */
    public int recv(long now, int port, byte[] buf, int off, int len, Outbox out) {
        ConnSocket c = sockets.conn(port);
        boolean outermost = enter();
        try { return c.recv(now, buf, off, len, out); }
        finally { leave(outermost, now, out); }
    }

    /** socket.c tipc_shutdown(SHUT_RDWR): a FIN to the peer, unread messages discarded. 0 or {@link Errno#ENOTCONN}. */
    public int shutdown(long now, int port, Outbox out) {
        sockets.conn(port);
        return run(now, out, () -> sockets.shutdown(now, port, out));
    }

    /** TIPC_NODELAY (socket.c tsk_set_nagle): true sends every STREAM write at once, false (default) allows Nagle. */
    public void setNoDelay(int port, boolean v) { sockets.conn(port).setNoDelay(v); }

    // ====================================================================== topology
    /**
     * Subscribes to the bindings of {@code type} overlapping {@code [lower, upper]} as a topology subscriber (subscr.c,
     * {@code filter} {@link TipcSubscr#TIPC_SUB_PORTS} or {@link TipcSubscr#TIPC_SUB_SERVICE}): the matching bindings are
     * reported to {@code sink} before this returns, then every change as applied (during the core call that applies
     * it: the sink must not call into the core), then TIPC_SUBSCR_TIMEOUT after {@code timeoutMs}
     * ({@link TipcSubscr#TIPC_WAIT_FOREVER} = never). Node and link state are the bindings {0, node} and {2, peer}.
     *
     * @return the subscription ({@link Subscription#cancel()} ends it), or null if illegal, over the limit, or the
     *         address is not yet committed
     */
    public Subscription subscribe(long now, int filter, int type, int lower, int upper, int timeoutMs,
                                  Consumer<SubscriptionEvent> sink) {
        if (net.topology == null) return null;
        return net.topology.connect(sink).subscribe(
            new SubscriptionRequest(type, lower, upper, timeoutMs, filter, 0L, TopologyServer.HOST_ORDER), now);
    }

    /** The topology server (null until the address is committed). */
    public TopologyServer topologyServer() { return intake.topsrv; }
    /** Group sockets (group.c): join, the four send modes, receive. */
    public NodeGroups groups() { return groups; }
}
