package io.jtipc.api;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import io.jtipc.bearer.Media;
import io.jtipc.node.CryptoConfig;
import io.jtipc.node.NodeConfig;
import io.jtipc.node.NodeCore;
import io.jtipc.node.Outbox;
import io.jtipc.node.NodeKey;
import io.jtipc.wire.NodeId;

/**
 * A jtipc node: the sans-IO protocol core ({@link NodeCore}) run under one lock by the bearers' receive threads, the API callers and one timer thread, over real bearers
 * (raw Ethernet, UDP). It joins a Linux TIPC cluster as one more node: discovery, links, binding distribution
 * and connectionless sockets ({@link TipcSocket}).
 *
 * <pre>{@code
 * try (TipcNode node = TipcNode.builder().identity("jtipc1").bearer("eth:eth1").start()) {
 *     node.awaitLinkUp(Duration.ofSeconds(10));
 *     try (TipcSocket s = TipcSocket.rdm(node)) {
 *         s.send(TipcAddress.ofService(18888, 17), "hello".getBytes());
 *         TipcMessage reply = s.receive(Duration.ofSeconds(2));
 *     }
 * }
 * }</pre>
 *
 * <h2>Threads</h2>
 * The core runs under one lock, the node's core lock (held by {@code CoreRunner}), on the thread that has work for
 * it, so a message crosses at most one thread hand-off between the wire and the application (issue 14), as in the
 * kernel, where the softirq that received a frame runs the protocol and the caller of {@code sendmsg} runs the send path:
 * <ul>
 * <li>a received frame is handed to the core on its bearer's receive thread, which then transmits what the core
 * sent (acknowledgements, retransmissions) and wakes the receiving sockets; no queue of frames between the bearer
 * and the core: the bearer's kernel socket buffer ({@link io.jtipc.bearer.SocketBuffers}) bounds what peers can
 * have waiting, and frames beyond it are dropped by the kernel and retransmitted by the link;</li>
 * <li>an API call (a send, a bind, a view) runs the core on the calling thread: a send returns once its message is
 * queued on the link (or the link was congested: then it waits, see below), like the kernel's {@code sendmsg};</li>
 * <li>the thread {@code jtipc-node-ID} (the "loop") runs the core's timers ({@link NodeCore#nextDeadline()}) and the
 * deferred work of {@link #later} under the same lock; a call or frame that makes a timer due earlier wakes it.</li>
 * </ul>
 * No lock is taken inside the core (it stays sans-IO). {@link LinkListener}s and socket notifications run under the
 * core lock on whichever of these threads caused them: return quickly, never block.
 *
 * <h2>Robustness</h2>
 * A frame the core rejects is counted ({@link #droppedFrames()}) and logged at DEBUG; a failing send on a bearer
 * is counted ({@link #sendErrors()}); no bad input from the network stops the loop. Link up/down are logged at
 * INFO with the kernel's link names ("node1:if1-node2:if2"). The core's diagnostic lines ({@link NodeCore#log()}:
 * link reset reasons, a full peer table, ...) reach the logger {@value #CORE_LOGGER} at INFO, each kind at most
 * once per 10 s and at most 100 lines per 10 s in all, with counts of those held back.
 *
 * <h2>Failures</h2>
 * An {@link Error} (an {@link OutOfMemoryError}, ...) or any other unexpected throwable is never silent. In a
 * bearer's receive thread it ends that thread: the node logs it at ERROR once, disables and closes the bearer and
 * becomes {@link TipcNodeState#DEGRADED}, or {@link TipcNodeState#FAILED} when no bearer is left. In the event loop (a frame,
 * a timer, a command) the core's state is unknown: the node logs it, becomes {@link TipcNodeState#FAILED} and closes.
 * {@link #state()}, {@link #failure()} and {@link TipcNodeStateListener}s tell the application; every blocked call
 * ({@link TipcSocket#receive}, a send waiting for a congested link, a command) wakes with a {@link TipcException}
 * naming the cause. A {@link RuntimeException} in the loop is a bug that leaves the core consistent: it is
 * logged, counted ({@link #internalErrors()}) and the loop goes on.
 *
 * <h2>Back-pressure</h2>
 * A send that finds its link congested ({@code ELINKCONG}: the message is queued) waits, like a blocking
 * {@code sendmsg}, but only for the links it was queued on (socket.c keeps the congested links per socket,
 * {@code tsk->cong_links}, and waits in {@code tipc_wait_for_cond} for its own): a send to another, uncongested,
 * peer never waits behind it. {@link TipcSocket#trySend} never waits.
 */
public final class TipcNode implements AutoCloseable {
    /** Binding changes a waiter in {@link #awaitBinding} may leave unread before its feed overflows (it reopens). */
    static final int BINDING_FEED_CAPACITY = 4096;
    /** The SLF4J logger that receives the core's diagnostic lines ({@link NodeCore#log()}). */
    public static final String CORE_LOGGER = "io.jtipc.node.NodeCore";
    /** Longest wait of a send for its congested link, ms (then it returns; the message is queued anyway). */
    static final long CONGESTION_WAIT_MS = 10_000;
    /** Peers counted for waiting senders (uncongested/down) before the counts clear and they return; 2 × the peer table. */
    static final int CONGESTION_PEERS_LIMIT = 8192;

    private final NodeId nodeId;
    private final int clusterId;
    private final List<BearerSpec> specs;
    private final NodeCore core;
    /** Runs the core under the core lock: frames, API calls, timers and deferred work (the loop thread). */
    final CoreRunner runner;
    /** The bearers, the core's outbox and the traffic tap. */
    final BearerLifecycle bearerSet;
    /** The sends waiting for their congested links. */
    private final CongestionWaits congestion = new CongestionWaits(this);
    private final Outbox outbox;
    /** Start, close, failure and the node's state with its listeners. */
    final NodeLifecycle life;
    /** The core's events: address commit, link up/down (to the link listeners), uncongested. */
    private final CoreEvents events;
    /** The run-time operations of {@code tipc} (stats reset, sockets, nodes, peer removal, keys). */
    private final NodeAdmin admin = new NodeAdmin(this);
    /** The views (links, bindings) and the link/bearer settings. */
    final NodeViews views = new NodeViews(this);

    private TipcNode(Builder b) {
        this.nodeId = b.nodeId;
        this.clusterId = b.clusterId;
        this.specs = List.copyOf(b.bearers);
        this.bearerSet = new BearerLifecycle(this, b.clusterId, b.mediaWrapper, b.netns);
        this.outbox = bearerSet.outbox;
        SecureRandom r = new SecureRandom();
        NodeConfig cfg = NodeConfig.of(nodeId, r.nextInt(), r.nextLong()).withNetId(clusterId);
        // always: a key set at run time (setKey) is then rekeyed at the builder's interval, from this entropy
        cfg = cfg.withCrypto(new CryptoConfig(b.keys, b.rekeying, b.strict, true, r::nextBytes));
        this.core = new NodeCore(cfg);
        this.runner = new CoreRunner(this, core, outbox);
        this.life = new NodeLifecycle(this, runner, bearerSet, congestion, specs, b.capture, b.captureMaxBytes,
                b.captureFiles, b.jmx);
        this.events = new CoreEvents(this, life, congestion);
        core.setListener(events);
    }

    /** A builder; identity and at least one bearer are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link TipcNode}. */
    public static final class Builder {
        private NodeId nodeId;
        private int clusterId = 4711;
        private String netns;
        private final List<BearerSpec> bearers = new ArrayList<>();
        private final List<String> raw = new ArrayList<>();
        private UnaryOperator<Media> mediaWrapper = UnaryOperator.identity();
        private final List<NodeKey> keys = new ArrayList<>();
        private int rekeying = 60 * 24;
        private boolean strict;
        private Path capture;
        private long captureMaxBytes = TrafficTap.DEFAULT_MAX_FILE_BYTES;
        private int captureFiles = TrafficTap.DEFAULT_FILES;
        private boolean jmx = true;

        private Builder() {
        }

        /**
         * Traffic tap: every frame the node sends and receives on each bearer, and every node-local delivery (as the
         * kernel's loopback tracking shows it), written to the pcapng file {@code file} (one interface per bearer,
         * one named "node-local"), flushed at least every second and on close, rotated at 64 MiB with 4 files kept
         * ({@code file}, {@code file.1} ... {@code file.3}). See {@link #capture(Path, long, int)}.
         */
        public Builder capture(Path file) {
            return capture(file, TrafficTap.DEFAULT_MAX_FILE_BYTES, TrafficTap.DEFAULT_FILES);
        }

        /**
         * Traffic tap with a size bound: {@code file} grows to at most {@code maxFileBytes} bytes, then is renamed
         * {@code file.1} (older ones shift to {@code file.2} ...) and a new {@code file} starts; at most {@code files}
         * files are kept (the oldest is deleted), so the tap never holds more than {@code maxFileBytes * files}
         * bytes on disk. Frames the tap cannot keep up with are dropped and counted ({@link TipcNode#captureDropped()}),
         * never delaying the node; a write failure (disk full) is logged once and the node runs on.
         *
         * @param maxFileBytes bytes per file, at least 131072 (128 KiB); default 67108864 (64 MiB)
         * @param files        files kept, 1-1000; default 4
         * @throws IllegalArgumentException a bound out of range
         */
        public Builder capture(Path file, long maxFileBytes, int files) {
            TrafficTap.checkBounds(maxFileBytes, files);
            this.capture = Objects.requireNonNull(file, "file");
            this.captureMaxBytes = maxFileBytes;
            this.captureFiles = files;
            return this;
        }

        /**
         * JMX MXBeans of the node, its links and bearers in the platform MBeanServer ({@code io.jtipc:type=Node|Link|
         * Bearer,node=IDENTITY,...}, see {@link TipcNodeMXBean}): on by default; registered at {@link TipcNode#start()},
         * followed as links and bearers come and go, all unregistered at {@link TipcNode#close()}.
         */
        public Builder jmx(boolean on) {
            this.jmx = on;
            return this;
        }

        /** Tests only: wraps each opened media (fault injection: a media that throws, drops, ...). */
        Builder mediaWrapper(UnaryOperator<Media> w) {
            this.mediaWrapper = Objects.requireNonNull(w);
            return this;
        }

        /**
         * A cluster key, as {@code tipc node set key KEY algname "gcm(aes)"} takes it: "0x" and hex digits, or text
         * (iproute2's str2key; 40, 56 or 72 hex digits also without "0x"), an AES-128/192/256 key followed by a 4-byte
         * salt (20, 28 or 36 bytes). Every frame is then encrypted
         * (net/tipc/crypto.c). Repeatable with {@link #masterKey} and {@link #key(String, String)}. The key is never
         * printed or logged.
         *
         * @throws IllegalArgumentException if malformed (the message names no key digit)
         */
        public Builder key(String key) {
            keys.add(NodeKey.cluster(key));
            return this;
        }

        /** The cluster master key ({@code tipc node set key KEY … master}). @throws IllegalArgumentException if malformed */
        public Builder masterKey(String key) {
            keys.add(NodeKey.master(key));
            return this;
        }

        /**
         * A per-node key ({@code tipc node set key KEY … nodeid ID}): this node's TX key when {@code nodeId} is its own
         * identity, else the key node {@code nodeId} encrypts with.
         *
         * @throws IllegalArgumentException if the key or the identity is malformed
         */
        public Builder key(String key, String nodeId) {
            keys.add(NodeKey.perNode(key, NodeId.parse(Objects.requireNonNull(nodeId, "nodeId"))));
            return this;
        }

        /** Automatic rekeying interval, minutes (0 = never; default 1440 as the kernel's {@code rekeying_intv}). */
        public Builder rekeying(int minutes) {
            if (minutes < 0) throw new IllegalArgumentException("rekeying interval < 0");
            this.rekeying = minutes;
            return this;
        }

        /** jtipc's strict mode (off by default, the kernel has none): once keyed, plaintext frames are dropped. */
        public Builder strictEncryption(boolean on) {
            this.strict = on;
            return this;
        }

        /**
         * Node identity as {@code tipc node set identity} takes it (iproute2 str2nodeid): up to 16 characters are
         * taken as text, a longer string as 32 hex digits.
         */
        public Builder identity(String id) {
            this.nodeId = NodeId.parse(Objects.requireNonNull(id, "identity"));
            return this;
        }

        /** Node identity as 16 raw bytes (128 bits). */
        public Builder identity(byte[] id128) {
            this.nodeId = NodeId.of(id128);
            return this;
        }

        /** Cluster (network) id 1-9999, default 4711 ({@code tipc node set netid}). */
        public Builder clusterId(int id) {
            if (id < 1 || id > 9999) throw new IllegalArgumentException("cluster id not in 1-9999: " + id);
            this.clusterId = id;
            return this;
        }

        /** Network namespace (name under /var/run/netns) for the bearers added without one. */
        public Builder netns(String name) {
            this.netns = name;
            return this;
        }

        /** A bearer: {@code eth:IFACE} or {@code udp:LOCALIP[:PORT][,remote=IP[:PORT]...]} (see {@link BearerSpec}). */
        public Builder bearer(String spec) {
            raw.add(Objects.requireNonNull(spec, "bearer"));
            return this;
        }

        /** A bearer opened in network namespace {@code netns}. */
        public Builder bearer(String spec, String netns) {
            bearers.add(BearerSpec.parse(spec, netns));
            return this;
        }

        /**
         * Builds the node (not started).
         *
         * @throws IllegalArgumentException no identity, no bearer, more than 3 bearers, a bad bearer spec
         */
        public TipcNode build() {
            if (nodeId == null) throw new IllegalArgumentException("a node identity is required");
            for (String s : raw) bearers.add(BearerSpec.parse(s, netns));
            raw.clear();
            if (bearers.isEmpty()) throw new IllegalArgumentException("at least one bearer is required");
            if (bearers.size() > 3) throw new IllegalArgumentException("at most 3 bearers (MAX_BEARERS)");
            return new TipcNode(this);
        }

        /**
         * {@link #build()} then {@link TipcNode#start()}.
         *
         * @throws IOException as {@link TipcNode#start()}
         */
        public TipcNode start() throws IOException {
            TipcNode n = build();
            try {
                return n.start();
            } catch (IOException | RuntimeException e) {
                n.close();
                throw e;
            }
        }
    }

    // ================================================================================ lifecycle

    /**
     * Opens the bearers, starts the event loop and discovery, and waits for the address trial (about 1 s) to
     * commit the node address.
     *
     * @return this
     * @throws IOException a bearer cannot be opened (the bearer module's message, e.g. "AF_PACKET needs CAP_NET_RAW
     *                     ..."); nothing stays open
     * @throws TipcException the node address was not committed within 10 s, or a bearer could not be enabled;
     *                     the node is then closed (no thread, bearer or socket stays open)
     * @throws IllegalStateException if already started
     */
    public TipcNode start() throws IOException {
        life.start();
        return this;
    }

    /**
     * Stops the node: every up link is reset with a RESET message carrying the peer-stopping bit (peers declare it
     * down at once), the loop ends, bearers and sockets close. Idempotent.
     */
    @Override
    public void close() { life.close(); }

    /** The state: NEW, RUNNING, DEGRADED, FAILED or CLOSED (see {@link TipcNodeState}). */
    public TipcNodeState state() { return life.state(); }

    /**
     * What made the node {@link TipcNodeState#DEGRADED} or {@link TipcNodeState#FAILED}: the first throwable that ended a
     * receive thread or the event loop; null while none did.
     */
    public Throwable failure() { return life.failure(); }

    /** Adds a listener for DEGRADED and FAILED (see {@link TipcNodeStateListener} for its thread). */
    public void addStateListener(TipcNodeStateListener l) { life.stateListeners().add(Objects.requireNonNull(l)); }

    /** Removes a listener added by {@link #addStateListener}; nothing if it was not added. */
    public void removeStateListener(TipcNodeStateListener l) { life.stateListeners().remove(l); }

    // ================================================================================ for the api classes and tests

    /** The exception blocked and later calls get once the node failed: names the cause. */
    TipcException failed() { return life.failed(); }

    /**
     * Runs {@code f} on the calling thread under the core lock (at once when the thread holds it already) and returns
     * its result (see {@link CoreRunner#call}).
     *
     * @throws TipcException when the node is not running (or failed: names the cause), or the core lock was busy for
     *                       {@value #CALL_WAIT_MS} ms
     */
    <T> T call(LongFunction<T> f) throws TipcException { return runner.call(f); }

    /** {@link #call} for a close path: also from a thread whose interrupt flag is set ({@link CoreRunner#callForClose}). */
    <T> T callForClose(LongFunction<T> f) throws TipcException { return runner.callForClose(f); }

    /** Longest wait of an API call for the core lock, ms (then it fails with a TipcException). */
    static final long CALL_WAIT_MS = 30_000;

    /**
     * Runs {@code r} after the work in hand, never inline (so safe inside a core callback): called under the core lock,
     * by the same thread right after its core run, before the lock is released; otherwise on the loop thread.
     */
    void later(Runnable r) { runner.later(r); }

    /** A frame from a bearer's receive thread: to the tap, then into the core on this thread (see {@link CoreRunner}). */
    void received(BearerIo.Rx rx) {
        bearerSet.tapReceived(rx);
        runner.received(rx);
    }

    NodeCore core() { return core; }

    Outbox outbox() { return outbox; }

    void registered(TipcSocket s) { life.sockets().add(s); }

    void unregistered(TipcSocket s) { life.sockets().remove(s); }

    void registered(TipcSubscription s) { life.subscriptions().add(s); }

    void unregistered(TipcSubscription s) { life.subscriptions().remove(s); }

    /**
     * What a send that got ELINKCONG waits for: an uncongested or link-down event on any of {@code nodes} after the
     * counts in {@code seen} (taken under the core lock, where the events are counted, so none is missed).
     */
    record CongestionWait(int[] nodes, long[] seen, long epoch) {}

    /** See {@link CongestionWaits#congestionWait}. Under the core lock, right after a send got ELINKCONG. */
    CongestionWait congestionWait(int destNode, int importance, int port) {
        return congestion.congestionWait(destNode, importance, port);
    }

    /** See {@link CongestionWaits#awaitUncongested}: at most {@value #CONGESTION_WAIT_MS} ms. */
    void awaitUncongested(CongestionWait w) throws TipcException { congestion.awaitUncongested(w); }

    /** See {@link CongestionWaits#whenUncongested}. Under the core lock, right after {@link #congestionWait}. */
    CompletableFuture<Void> whenUncongested(CongestionWait w) { return congestion.whenUncongested(w); }

    /** Tests: API calls and frames waiting for the core lock (a command queued behind a given one). */
    long queuedCommands() { return runner.queuedCommands(); }

    /** Tests: frames handed to the core so far, every bearer. */
    long framesHandled() { return runner.framesHandled(); }

    /** Tests: the bearers opened by {@link #start()}. */
    List<BearerIo> bearers() { return bearerSet.list(); }

    /** Tests: the traffic tap, null without one. */
    TrafficTap tap() { return bearerSet.tap(); }

    // ================================================================================ views

    /** The node identity. */
    public NodeId identity() { return nodeId; }

    /** The cluster id. */
    public int clusterId() { return clusterId; }

    /** The 32-bit node address (0 before {@link #start()} returned). */
    public int address() { return life.address(); }

    /** True between {@link #start()} and {@link #close()} (or the node's failure, see {@link #state()}). */
    public boolean isRunning() { return runner.running(); }

    /** Adds a listener for link up/down (called under the core lock, see {@link LinkListener}). */
    public void addLinkListener(LinkListener l) { events.listeners.add(Objects.requireNonNull(l)); }

    /** Removes a listener added by {@link #addLinkListener}; nothing if it was not added. */
    public void removeLinkListener(LinkListener l) { events.listeners.remove(l); }

    /**
     * A snapshot of every link.
     *
     * @throws TipcException if the node is not running (once it failed, the exception names the cause)
     */
    public List<LinkInfo> links() throws TipcException { return views.links(admin.stats); }

    /** The name of this node's broadcast link for {@link #setLink} (bcast.c tipc_bclink_name). */
    public static final String BROADCAST_LINK = "broadcast-link";

    /**
     * {@code tipc link set tolerance|priority|window VALUE link NAME} (Linux 6.1 node.c tipc_nl_node_set_link; the
     * core's LinkSettings): tolerance (ms) and priority are sent to the peer in a STATE message and honoured by it,
     * the window (packets) is local. On {@link #BROADCAST_LINK}: window, {@link LinkProperty#BROADCAST} and
     * {@link LinkProperty#BROADCAST_RATIO} (bcast.c tipc_nl_bc_link_set).
     *
     * @param linkName the link's name as {@link #links()} shows it
     * @throws TipcException {@link TipcError#EINVAL} if there is no such link or the value is out of range (tolerance
     *                       50-30000 ms, priority 0-31, window 50-8191 packets); or if the node is not running
     */
    public void setLink(String linkName, LinkProperty property, int value) throws TipcException {
        views.setLink(linkName, property, value);
    }

    /**
     * {@code tipc bearer set tolerance|priority|window VALUE media ...} (bearer.c __tipc_nl_bearer_set): the bearer's
     * setting for links created from now on; a tolerance is also applied to every link on the bearer (node.c
     * tipc_node_apply_property).
     *
     * @param bearerName the bearer's name (e.g. "eth:eth0", as given to the builder)
     * @throws TipcException {@link TipcError#EINVAL} if there is no such bearer or the value is out of range
     */
    public void setBearer(String bearerName, LinkProperty property, int value) throws TipcException {
        views.setBearer(bearerName, property, value);
    }

    // ================================================================================ run-time operations (tipc)

    /**
     * {@code tipc bearer enable media eth device IFACE} / {@code ... media udp name N localip IP [remoteip IP]}
     * (bearer.c tipc_enable_bearer) on the running node: opens the bearer {@code spec} describes (the syntax of
     * {@link Builder#bearer(String)}, in the builder's network namespace) and starts discovery on it.
     *
     * @return the bearer's name, as {@link #bearerNames()} lists it
     * @throws IllegalArgumentException a malformed spec
     * @throws IOException the bearer cannot be opened (nothing stays open)
     * @throws TipcException {@link TipcError#EINVAL} if 3 bearers are enabled (MAX_BEARERS) or one has the same
     *                       name (the bearer is closed again); or the node is not running
     */
    public String addBearer(String spec) throws IOException { return bearerSet.addBearer(spec); }

    /**
     * {@code tipc bearer disable name NAME} (bearer.c bearer_disable): every link on the bearer sends a RESET with
     * the peer-stopping bit (the peer takes it down at once) and is deleted, then the bearer closes.
     *
     * @throws TipcException {@link TipcError#EINVAL} if there is no such bearer; or the node is not running
     */
    public void removeBearer(String name) throws TipcException { bearerSet.removeBearer(name); }

    /**
     * {@code tipc bearer list}: the names of the enabled bearers, in bearer id order (e.g. "eth:eth0", "udp:b1").
     *
     * @throws TipcException if the node is not running (once it failed, the exception names the cause)
     */
    public List<String> bearerNames() throws TipcException { return bearerSet.bearerNames(); }

    /**
     * {@code tipc bearer add media udp name NAME remoteip IP remoteport PORT} (udp_media.c tipc_udp_rcast_add): adds a
     * replicast peer to a running UDP bearer; discovery reaches it from the next broadcast on.
     *
     * @return false if it was a peer already
     * @throws TipcException {@link TipcError#EINVAL} if there is no such bearer, it is not UDP, or it is a multicast
     *                       bearer (the kernel refuses too), or the address is multicast, wildcard or of the other
     *                       IP family
     */
    public boolean addUdpRemote(String bearerName, java.net.InetSocketAddress remote) throws TipcException {
        return bearerSet.addUdpRemote(bearerName, remote);
    }

    /**
     * {@code tipc link stat reset link NAME} (link.c tipc_link_reset_stats): zeroes the link's counters as
     * {@link #links()} reports them; {@code linkName} null resets every link.
     *
     * @throws TipcException {@link TipcError#EINVAL} if there is no such link; or the node is not running
     */
    public void resetLinkStats(String linkName) throws TipcException { admin.resetLinkStats(linkName); }

    /**
     * {@code tipc socket list}: this node's sockets (the topology server's included), by port.
     *
     * @throws TipcException if the node is not running (once it failed, the exception names the cause)
     */
    public List<SocketInfo> sockets() throws TipcException { return admin.sockets(); }

    /**
     * {@code tipc node list}: this node and every peer node known, by address.
     *
     * @throws TipcException if the node is not running (once it failed, the exception names the cause)
     */
    public List<PeerInfo> nodes() throws TipcException { return admin.nodes(); }

    /**
     * {@code tipc peer remove address ADDR} (node.c tipc_nl_peer_rm): forgets a peer node that is down, with its
     * links (a node that comes back is discovered afresh).
     *
     * @throws TipcException {@link TipcError#ENXIO} if no such peer, {@link TipcError#EBUSY} if it is not down,
     *         {@link TipcError#ENOTSUPP} for the own address
     *                       (the kernel's errors too); or the node is not running
     */
    public void removePeer(int address) throws TipcException { admin.removePeer(address); }

    /**
     * {@code tipc link monitor summary} / {@code list}: each bearer's neighbour monitor (monitor.c).
     *
     * @throws TipcException if the node is not running (once it failed, the exception names the cause)
     */
    public List<LinkMonitorSummary> linkMonitors() throws TipcException { return views.linkMonitors(); }

    /**
     * {@code tipc link monitor set threshold N}: monitoring becomes active on a bearer with more than N peers.
     *
     * @throws TipcException EINVAL if N is negative or above {@link io.jtipc.node.Monitor#MAX_THRESHOLD}
     */
    public void setMonitorThreshold(int n) throws TipcException { views.setMonitorThreshold(n); }

    /**
     * {@code tipc link list}: "broadcast-link: up" then "NAME: up|down" per link.
     *
     * @throws TipcException if the node is not running (once it failed, the exception names the cause)
     */
    public String linkList() throws TipcException { return views.linkList(); }

    /**
     * Waits until at least one link is up.
     *
     * @throws TipcException if no link is up within {@code timeout} (the message names the links), or if the node is
     *                       not running (once it failed, the exception names the cause)
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public LinkInfo awaitLinkUp(Duration timeout) throws TipcException, InterruptedIOException {
        return awaitLink(l -> l.up(), timeout);
    }

    /**
     * Waits until a link matches {@code p}; returns it, or throws a TipcException naming the links at the time out.
     *
     * @throws TipcException if no link matches within {@code timeout} (the message names the links), or if the node is
     *                       not running (once it failed, the exception names the cause)
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public LinkInfo awaitLink(Predicate<LinkInfo> p, Duration timeout) throws TipcException, InterruptedIOException {
        return views.awaitLink(p, timeout);
    }

    /**
     * A snapshot of the binding table, in {@code tipc nametable show} order (type, lower, age).
     *
     * @throws TipcException if the node is not running (once it failed, the exception names the cause)
     */
    public List<Binding> bindings() throws TipcException { return views.bindings(); }

    /**
     * The binding table as {@code tipc nametable show} prints it.
     *
     * @throws TipcException if the node is not running (once it failed, the exception names the cause)
     */
    public String nametableShow() throws TipcException { return views.nametableShow(); }

    /**
     * Waits until a binding matches {@code p}: tests the table, then again after every binding change (woken by the
     * event loop as it changes the table, no polling), until {@code timeout}.
     *
     * @return the first matching binding in {@link #bindings()} order
     * @throws TipcException none matched within {@code timeout}, or the node is not running
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public Binding awaitBinding(Predicate<Binding> p, Duration timeout) throws TipcException, InterruptedIOException {
        return views.awaitBinding(p, timeout);
    }

    /**
     * Waits until no binding matches {@code p} (tested as in {@link #awaitBinding}).
     *
     * @throws TipcException one still matched after {@code timeout}, or the node is not running
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public void awaitNoBinding(Predicate<Binding> p, Duration timeout) throws TipcException, InterruptedIOException {
        views.awaitNoBinding(p, timeout);
    }

    /**
     * Frames the core dropped as malformed or unroutable.
     *
     * @throws TipcException if the node is not running (once it failed, the exception names the cause)
     */
    public long droppedFrames() throws TipcException { return call(now -> core.droppedFrames()); }

    /**
     * Sets a key at run time, as {@code tipc node set key}: {@code kind} "cluster" (distributed to the peers in
     * KEY_DISTR), "master", or a node identity (a per-node key of that node; its own identity = this node's TX key;
     * a node named "cluster" or "master" in its 32-hex-digit form).
     *
     * @throws IllegalArgumentException if the key or kind is malformed
     * @throws TipcException            if the node is not running or no key slot is free (EBUSY)
     */
    public void setKey(String key, String kind) throws TipcException { admin.setKey(key, kind); }

    /**
     * Rekeys now ({@code tipc node set key rekeying now}): a fresh session key, distributed to all.
     * @throws TipcException if the node is not running (once it failed, the exception names the cause)
     */
    public void rekeyNow() throws TipcException { admin.rekeyNow(); }

    /**
     * {@code tipc node set key rekeying MINUTES}: the next rekeying that many minutes from now, 0 = never, 2^32-1 =
     * now (TIPC_REKEYING_NOW; crypto.c tipc_crypto_rekeying_sched).
     * @throws IllegalArgumentException if {@code minutes} is outside 0..2^32-1 (the kernel's u32)
     * @throws TipcException if the node is not running (once it failed, the exception names the cause)
     */
    public void setRekeying(long minutes) throws TipcException { admin.setRekeying(minutes); }

    /**
     * {@code tipc node flush key}: every TX and RX key removed (crypto.c tipc_crypto_key_flush): frames go out in the
     * clear, encrypted ones are dropped until a key is set.
     * @throws TipcException if the node is not running (once it failed, the exception names the cause)
     */
    public void flushKeys() throws TipcException { admin.flushKeys(); }

    /**
     * Encrypted frames no key decrypted (wrong key or none), and replayed frames rejected.
     *
     * @throws TipcException if the node is not running (once it failed, the exception names the cause)
     */
    public long undecryptableFrames() throws TipcException {
        return call(now -> core.crypto().undecryptable() + core.crypto().replays());
    }

    /** Frames the traffic tap ({@link Builder#capture}) wrote to its files; 0 without a tap. */
    public long capturedFrames() { return bearerSet.capturedFrames(); }

    /** Frames the tap did not write (its {@value TrafficTap#QUEUE_FRAMES}-frame/32 MiB queue full, a write or tap error). */
    public long captureDropped() { return bearerSet.captureDropped(); }

    /** Bearer sends that failed (interface down, ...). */
    public long sendErrors() { return bearerSet.sendErrors(); }

    /** Sends that found a link congested (ELINKCONG) and waited for it to drain. */
    public long congestionWaits() { return congestion.count(); }

    /** Unexpected exceptions caught by the loop. */
    public long internalErrors() { return runner.internalErrors(); }

    @Override
    public String toString() {
        return "TipcNode " + nodeId + " address " + Integer.toHexString(life.address()) + " bearers " + specs;
    }
}
