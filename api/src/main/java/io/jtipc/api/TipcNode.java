package io.jtipc.api;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongFunction;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jtipc.bearer.Media;
import io.jtipc.bearer.ReceiveThreadDiedException;
import io.jtipc.nametable.BindingChange;
import io.jtipc.nametable.BindingTable;
import io.jtipc.nametable.Publication;
import io.jtipc.bearer.SyscallException;
import io.jtipc.node.CryptoConfig;
import io.jtipc.node.Link;
import io.jtipc.node.LinkTunnelStats;
import io.jtipc.node.NodeConfig;
import io.jtipc.node.NodeCore;
import io.jtipc.node.NodeListener;
import io.jtipc.node.Outbox;
import io.jtipc.node.LinkSettings;
import io.jtipc.node.Node;
import io.jtipc.node.Errno;
import io.jtipc.node.NodeKey;
import io.jtipc.wire.NodeId;
import io.jtipc.wire.Tipc;

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
 * The core runs under one lock, the node's core lock ({@link #coreLock}), on the thread that has work for it, so a
 * message crosses at most one thread hand-off between the wire and the application (issue 14), as in the kernel,
 * where the softirq that received a frame runs the protocol and the caller of {@code sendmsg} runs the send path:
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
    private static final Logger LOG = LoggerFactory.getLogger(TipcNode.class);
    /** Binding changes a waiter in {@link #awaitBinding} may leave unread before its feed overflows (it reopens). */
    static final int BINDING_FEED_CAPACITY = 4096;
    /** The SLF4J logger that receives the core's diagnostic lines ({@link NodeCore#log()}). */
    public static final String CORE_LOGGER = "io.jtipc.node.NodeCore";
    /** Longest wait of a send for its congested link, ms (then it returns; the message is queued anyway). */
    static final long CONGESTION_WAIT_MS = 10_000;
    /**
     * Peers whose uncongested/down events are counted for waiting senders before the counts are cleared (a sender
     * waiting then wakes and returns: its message is queued, it only waited for room). Twice the core's peer table.
     */
    static final int CONGESTION_PEERS_LIMIT = 8192;

    private final NodeId nodeId;
    private final int clusterId;
    private final List<BearerSpec> specs;
    private final NodeCore core;
    /** Deferred work for the loop thread ({@link #later}) and its wake-ups; never frames nor API calls. */
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    /**
     * The node's core lock: held by whichever thread runs the core (a bearer's receive thread for a frame, an API
     * caller for a command, the loop for timers and deferred work). Reentrant: a listener called under it may call
     * back into the node. Fair: threads waiting for it get it in arrival order, so a bearer thread or an API caller
     * waits behind at most one run of the core of each other waiting thread, however fast one peer floods (what the
     * per-sender lanes of the earlier frame inbox guaranteed, issue 15).
     */
    private final java.util.concurrent.locks.ReentrantLock coreLock = new java.util.concurrent.locks.ReentrantLock(true);
    /**
     * Work a core run deferred with {@link #later} while holding {@link #coreLock}: run by the same thread right after
     * that run, before the lock is released, so the next holder (another API call, a frame) finds it done, as it did
     * when both were queued on the loop. Under {@link #coreLock}.
     */
    private final ArrayDeque<Runnable> deferred = new ArrayDeque<>();
    /** When the loop will next look at the core's timers (ms on {@link #now()}); under {@link #coreLock}. */
    private long loopWakeAt = Long.MAX_VALUE;
    /** Frames handed to the core so far (all bearers; tests and the batch accounting of issue 14). */
    private final LongAdder framesHandled = new LongAdder();
    private final AtomicLong congestionWaits = new AtomicLong();
    private final List<BearerIo> bearers = new CopyOnWriteArrayList<>();
    private final BearerIo[] byCoreId = new BearerIo[3];
    private final List<LinkListener> listeners = new CopyOnWriteArrayList<>();
    private final Set<TipcSocket> sockets = ConcurrentHashMap.newKeySet();
    private final Set<TipcSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Integer> committed = new CompletableFuture<>();
    /** Monitor of the congestion waits; notified on every uncongested/down event and when the node stops. */
    private final Object congestion = new Object();
    /** Per peer node address: uncongested and link-down events so far (written under the core lock and congestion). */
    private final ConcurrentHashMap<Integer, Long> uncongestedEvents = new ConcurrentHashMap<>();
    private final long t0 = System.nanoTime();
    private final Outbox outbox = new Outbox() {
        @Override
        public void send(int bearerId, byte[] dest, byte[] buf, int off, int len) {
            transmit(bearerId, dest, buf, off, len);
        }

        @Override
        public void loopback(byte[] buf, int off, int len) {
            TrafficTap t = tap;
            if (t == null) return;
            try {
                t.loopback(buf, off, len);
            } catch (RuntimeException e) {
                tapFailed(e); // the tap never disturbs a delivery
            }
        }
    };
    /** The traffic tap ({@link Builder#capture}), null without one; set by {@link #start()}. */
    private volatile TrafficTap tap;
    /** Frames the tap failed on with an unexpected exception (see {@link #tapFailed}). */
    private final LongAdder tapErrors = new LongAdder();
    private final AtomicBoolean tapFailureLogged = new AtomicBoolean();
    private final UnaryOperator<Media> mediaWrapper;
    private final List<TipcNodeStateListener> stateListeners = new CopyOnWriteArrayList<>();
    private final CoreLogForwarder coreLog = new CoreLogForwarder(LoggerFactory.getLogger(CORE_LOGGER)::info,
            () -> System.nanoTime() / 1_000_000L);
    /** Bumped when {@link #uncongestedEvents} is cleared: every waiter wakes. */
    private volatile long congestionEpoch;
    /**
     * Guards every change of {@link #state} (compare-and-set: RUNNING -> DEGRADED -> FAILED or CLOSED, never back) and
     * {@link #notices}. Never held while a listener runs, and the loop only takes it for those short sections.
     */
    private final Object stateLock = new Object();
    /** State changes not yet told to the listeners, in the order they happened (guarded by {@link #stateLock}). */
    private final ArrayDeque<Notice> notices = new ArrayDeque<>();
    /** A thread is telling the listeners now (guarded by {@link #stateLock}): others leave their notice to it. */
    private boolean notifying;
    private volatile TipcNodeState state = TipcNodeState.NEW;
    private volatile Throwable failure;
    private long coreLogSeen;
    private volatile Thread loop;
    /** The binding table as seen from API threads; attached under the core lock when the address is committed. */
    private volatile ConcurrentBindingView bindingView;
    private volatile boolean running;
    private volatile boolean closed;
    private volatile int address;
    /** The run-time operations of {@code tipc} (stats reset, sockets, nodes, peer removal). */
    private final NodeAdmin admin = new NodeAdmin(this);
    /** The builder's network namespace, for bearers added at run time ({@link #addBearer}). */
    private final String netns;
    private volatile long sendErrors;
    private final Path capture;
    private final long captureMaxBytes;
    private final int captureFiles;
    private volatile long internalErrors;
    private long lastDropped;
    private boolean cryptoWarned;
    /** Whether {@link #start()} registers the MXBeans ({@link Builder#jmx}). */
    private final boolean jmx;
    /** The MXBeans while running with {@link Builder#jmx} on; closed by {@link #close()}. */
    private volatile NodeMBeans mbeans;

    private TipcNode(Builder b) {
        this.nodeId = b.nodeId;
        this.clusterId = b.clusterId;
        this.specs = List.copyOf(b.bearers);
        this.mediaWrapper = b.mediaWrapper;
        this.netns = b.netns;
        this.capture = b.capture;
        this.captureMaxBytes = b.captureMaxBytes;
        this.captureFiles = b.captureFiles;
        this.jmx = b.jmx;
        SecureRandom r = new SecureRandom();
        NodeConfig cfg = NodeConfig.of(nodeId, r.nextInt(), r.nextLong()).withNetId(clusterId);
        if (!b.keys.isEmpty() || b.strict) {
            cfg = cfg.withCrypto(new CryptoConfig(b.keys, b.rekeying, b.strict, true, r::nextBytes));
        }
        this.core = new NodeCore(cfg);
        core.setListener(new Events());
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
         * A cluster key, as {@code tipc node set key KEY algname "gcm(aes)"} takes it: hex digits (optional "0x"),
         * an AES-128/192/256 key followed by a 4-byte salt (40, 56 or 72 digits). Every frame is then encrypted
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

        /** {@link #build()} then {@link TipcNode#start()}. */
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
    public synchronized TipcNode start() throws IOException {
        if (loop != null || closed) throw new IllegalStateException("node already started");
        try {
            if (capture != null) tap = new TrafficTap(capture, captureMaxBytes, captureFiles, nodeId.toString());
            for (BearerSpec s : specs) {
                bearers.add(BearerIo.open(s, clusterId, mediaWrapper));
            }
        } catch (IOException | RuntimeException e) {
            for (BearerIo b : bearers) b.close();
            bearers.clear();
            if (tap != null) tap.close();
            closed = true;
            throw e;
        }
        try {
            running = true;
            synchronized (stateLock) {
                if (state == TipcNodeState.NEW) state = TipcNodeState.RUNNING;
            }
            Thread t = new Thread(this::runLoop, "jtipc-node-" + nodeId);
            t.setDaemon(true);
            loop = t;
            t.start();
            for (BearerIo b : bearers) {
                var cfg = b.config();
                call(now -> enableInCore(now, b, cfg));
                LOG.info("Enabled bearer <{}>, priority {}", cfg.name(), cfg.priority());
                b.start(this::received, e -> receiveError(b, e));
            }
            try {
                address = committed.get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the node address");
            } catch (ExecutionException | TimeoutException e) {
                Throwable f = failure;
                if (f != null) throw failed();
                throw new TipcException("node address not committed within 10 s", e);
            }
            if (jmx) mbeans = NodeMBeans.register(this);
        } catch (IOException | RuntimeException e) {
            // the loop thread, receive threads and sockets started so far must not outlive a failed start
            close();
            throw e;
        }
        return this;
    }

    /**
     * Stops the node: every up link is reset with a RESET message carrying the peer-stopping bit (peers declare it
     * down at once), the loop ends, bearers and sockets close. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed && loop == null) return;
            closed = true;
        }
        synchronized (stateLock) {
            if (state != TipcNodeState.FAILED) state = TipcNodeState.CLOSED; // a failure found first stays the state
        }
        NodeMBeans m = mbeans;
        if (m != null) m.close();
        Thread t = loop;
        if (t != null && running) {
            try {
                call(now -> {
                    core.shutdown(now, outbox);
                    // still under the core lock: a receive thread waiting for it must find the node stopped, or a
                    // frame handled after the peer-stopping RESETs could start link set-up again
                    running = false;
                    return null;
                });
            } catch (TipcException e) {
                LOG.debug("shutdown: {}", e.toString());
            }
            running = false;
            inbox.offer((Runnable) () -> { });
            // not from the loop, nor under the core lock (a listener's close): the loop may be waiting for it
            if (Thread.currentThread() != t && !coreLock.isHeldByCurrentThread()) {
                try {
                    t.join(5000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        running = false;
        release();
        TrafficTap tp = tap;
        if (tp != null) tp.close(); // after the loop's last frames (the shutdown RESETs)
        loop = null;
    }

    /** Closes bearers, sockets and views and wakes every waiter; for {@link #close()} and {@link #fail}. */
    private void release() {
        for (BearerIo b : bearers) b.close();
        for (TipcSocket s : sockets) s.nodeClosed();
        for (TipcSubscription s : subscriptions) s.nodeClosed(); // waiting polls return null at once
        ConcurrentBindingView v = bindingView;
        if (v != null) v.close(); // binding waiters wake and find the node stopped
        failQueuedCommands();
        synchronized (congestion) {
            congestionEpoch++;
            congestion.notifyAll();
        }
        wakeAsyncCongestionWaits();
    }

    // ================================================================================ failures

    /** The state: NEW, RUNNING, DEGRADED, FAILED or CLOSED (see {@link TipcNodeState}). */
    public TipcNodeState state() {
        return state;
    }

    /**
     * What made the node {@link TipcNodeState#DEGRADED} or {@link TipcNodeState#FAILED}: the first throwable that ended a
     * receive thread or the event loop; null while none did.
     */
    public Throwable failure() {
        return failure;
    }

    /** Adds a listener for DEGRADED and FAILED (see {@link TipcNodeStateListener} for its thread). */
    public void addStateListener(TipcNodeStateListener l) {
        stateListeners.add(Objects.requireNonNull(l));
    }

    public void removeStateListener(TipcNodeStateListener l) {
        stateListeners.remove(l);
    }

    /** The exception blocked and later calls get once the node failed: names the cause. */
    TipcException failed() {
        Throwable f = failure;
        return new TipcException("node " + nodeId + " failed: " + f, f);
    }

    /** A bearer's receive error: a dead receive thread closes the bearer; any other is only logged (DEBUG). */
    private void receiveError(BearerIo b, IOException e) {
        if (e instanceof ReceiveThreadDiedException d) {
            bearerDied(b, d.getCause());
        } else {
            LOG.debug("bearer {}: receive error {}", b, e.toString());
            if (isNetDown(e) && b.netDownQueued.compareAndSet(false, true)) later(() -> interfaceDown(b));
        }
    }

    /**
     * The receive thread of {@code b} died over {@code cause} (on that thread, now ending): logged at ERROR once, the
     * bearer disabled in the core (its links reset with a peer-stopping RESET) and closed on the loop thread, the
     * node DEGRADED, or FAILED when it was the last live bearer. A node already DEGRADED (an earlier bearer died)
     * stays DEGRADED and does the same for this bearer; its listeners are told DEGRADED again, once per bearer lost.
     */
    private void bearerDied(BearerIo b, Throwable cause) {
        if (!b.markDead()) return;
        boolean last = true;
        for (BearerIo x : bearers) if (!x.isDead()) last = false;
        if (last) {
            fail("the receive thread of " + b + ", the last bearer,", cause);
            return;
        }
        try {
            LOG.error("bearer {}: receive thread died; the bearer is disabled and closed, the node runs on its other bearers",
                    b, cause);
        } catch (Throwable ignored) {
            // after an OutOfMemoryError the logger may fail too; the state below still tells the application
        }
        synchronized (stateLock) {
            // FAILED or CLOSED meanwhile: everything is released already. DEGRADED (an earlier bearer died): this one
            // must still be disabled, closed and reported
            if (state == TipcNodeState.FAILED || state == TipcNodeState.CLOSED) return;
            if (failure == null) failure = cause;
            if (state == TipcNodeState.RUNNING) state = TipcNodeState.DEGRADED;
            notices.add(new Notice(TipcNodeState.DEGRADED, cause));
        }
        later(() -> {
            int id = b.coreId;
            if (id >= 0) {
                core.disableBearer(now(), id, outbox);
                byCoreId[id] = null;
                b.coreId = -1;
            }
            closeBearer(b);
        });
        tellListeners();
    }

    /**
     * The node fails over {@code cause} (found in {@code where}): logged at ERROR once, state FAILED, the loop ends,
     * everything is released and every waiter wakes with {@link #failed()}. Safe on any thread, idempotent.
     */
    private void fail(String where, Throwable cause) {
        synchronized (stateLock) {
            if (state == TipcNodeState.FAILED || state == TipcNodeState.CLOSED) return;
            failure = cause;
            state = TipcNodeState.FAILED;
            closed = true;
            notices.add(new Notice(TipcNodeState.FAILED, cause));
        }
        running = false;
        try {
            LOG.error("node {} failed: {} died; the node is closed", nodeId, where, cause);
        } catch (Throwable ignored) {
            // as in bearerDied
        }
        release();
        NodeMBeans m = mbeans;
        if (m != null) m.close(); // a failed node is closed as by close(): no MBean or JMX thread stays
        TrafficTap tp = tap;
        if (tp != null) tp.close();
        committed.completeExceptionally(cause); // a start() waiting for the address fails at once, naming it
        inbox.offer((Runnable) () -> { }); // a loop still waiting for work wakes and ends
        tellListeners();
    }

    /** A state change for the listeners. */
    private record Notice(TipcNodeState state, Throwable cause) {}

    /**
     * Tells the listeners every queued {@link Notice}, in order, one at a time: the thread that queued a notice calls
     * this; if another thread is telling already, that one takes the new notice too (it polls until none is left).
     * So listeners see the changes in the order they were made (never FAILED before DEGRADED), never two at once,
     * and no lock is held while they run.
     */
    private void tellListeners() {
        while (true) {
            Notice n;
            synchronized (stateLock) {
                if (notifying) return;
                n = notices.poll();
                if (n == null) return;
                notifying = true;
            }
            try {
                for (TipcNodeStateListener l : stateListeners) {
                    try {
                        l.stateChanged(n.state(), n.cause());
                    } catch (RuntimeException e) {
                        LOG.warn("node state listener failed", e);
                    }
                }
            } finally {
                synchronized (stateLock) {
                    notifying = false;
                }
            }
        }
    }

    /** Drops the deferred work left for the loop: the node stopped (API callers never wait in the inbox). */
    private void failQueuedCommands() {
        inbox.clear();
    }

    private TipcException notRunning() {
        return failure != null && state == TipcNodeState.FAILED ? failed()
                : new TipcException(TipcError.NONE, "node " + nodeId + " is not running");
    }

    // ================================================================================ the loop

    private long now() {
        return (System.nanoTime() - t0) / 1_000_000L;
    }

    /**
     * A frame from a bearer's receive thread (several call this at once): handed to the core on this thread under
     * {@link #coreLock}, which transmits what the core sends and wakes the sockets it delivered to. No queue in
     * between (issue 14): a peer can have no more waiting than the bearer's kernel socket buffer holds
     * ({@link io.jtipc.bearer.SocketBuffers#DEFAULT_RECEIVE_BUFFER_BYTES}); beyond it the kernel drops, as the
     * kernel's own bearer drops beyond {@code net.core.netdev_max_backlog}, and the link retransmits.
     */
    void received(BearerIo.Rx rx) {
        TrafficTap t = tap;
        if (t != null) tapReceived(t, rx);
        coreLock.lock();
        try {
            if (!running) return;
            handleFrame(rx);
            afterCore();
        } catch (RuntimeException e) {
            internalErrors++;
            LOG.warn("receive: internal error (the node goes on)", e);
        } catch (Throwable e) {
            // as in the loop: the core's state is unknown, the node stops (not only this bearer)
            fail("the event loop (a frame on " + rx.bearer() + ")", e);
        } finally {
            coreLock.unlock();
        }
    }

    private void runLoop() {
        while (running) {
            long wait;
            coreLock.lock();
            try {
                if (!running) break;
                long now = now();
                long due = core.nextDeadline();
                if (due <= now) {
                    core.onTimer(now, outbox);
                    runDeferred();
                    forwardCoreLog();
                    continue;
                }
                wait = Math.min(due - now, 1000);
                loopWakeAt = now + wait;
            } catch (RuntimeException e) {
                internalErrors++;
                LOG.warn("event loop: internal error (the node goes on)", e);
                continue;
            } catch (Throwable e) {
                // an Error (OutOfMemoryError, StackOverflowError, ...) with the core half-way through a call: its state
                // is unknown, so the node stops rather than run on it (failed under the lock: no call runs on it)
                fail("the event loop", e);
                return;
            } finally {
                coreLock.unlock();
            }
            Object o;
            try {
                o = inbox.poll(wait, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                continue;
            }
            for (; o != null && running; o = inbox.poll()) {
                if (o == WAKE) continue;
                coreLock.lock();
                try {
                    if (running) handle(o);
                    runDeferred();
                    forwardCoreLog();
                } catch (RuntimeException e) {
                    internalErrors++;
                    LOG.warn("event loop: internal error (the node goes on)", e);
                } catch (Throwable e) {
                    fail("the event loop", e);
                    return;
                } finally {
                    coreLock.unlock();
                }
            }
        }
    }

    /** Hands the core's log lines added since the last call to the rate-limited forwarder (cheap when none). */
    private void forwardCoreLog() {
        coreLogSeen = core.logSince(coreLogSeen, coreLog);
    }

    private void handle(Object o) {
        if (o instanceof BearerIo.Rx rx) {
            handleFrame(rx);
        } else {
            ((Runnable) o).run();
        }
    }

    /** One received frame into the core. Under {@link #coreLock}. */
    private void handleFrame(BearerIo.Rx rx) {
        {
            framesHandled.increment();
            if (rx.bearer().coreId < 0) return;
            core.onFrame(now(), rx.bearer().coreId, rx.src(), rx.frame(), 0, rx.frame().length, outbox);
            if (!cryptoWarned && core.crypto().undecryptable() > 0) {
                cryptoWarned = true;
                LOG.warn("node {}: encrypted TIPC frames received that no key of this node decrypts (wrong key, or "
                    + "none): they are dropped and counted (undecryptableFrames), no link comes up with their sender",
                    nodeId);
            }
            long d = core.droppedFrames();
            if (d != lastDropped) {
                lastDropped = d;
                LOG.debug("frame dropped on {} ({} so far)", rx.bearer(), d);
            }
        }
    }

    private void transmit(int bearerId, byte[] dest, byte[] buf, int off, int len) {
        BearerIo b = bearerId >= 0 && bearerId < byCoreId.length ? byCoreId[bearerId] : null;
        if (b == null) return;
        try {
            b.send(dest, buf, off, len);
            b.netDown = false;
        } catch (IOException | RuntimeException e) {
            sendErrors++;
            LOG.debug("bearer {}: send failed: {}", b, e.toString());
            // not here: the core may be in the middle of the call that sent this frame
            if (isNetDown(e) && !b.netDown && b.netDownQueued.compareAndSet(false, true)) later(() -> interfaceDown(b));
            return;
        }
        TrafficTap t = tap;
        if (t == null) return;
        try {
            t.sent(b, dest, buf, off, len);
        } catch (RuntimeException e) {
            tapFailed(e); // a tap bug is not a send error
        }
    }

    /** A received frame for the tap; a tap bug never reaches the bearer's receive thread. */
    private void tapReceived(TrafficTap t, BearerIo.Rx rx) {
        try {
            t.received(rx.bearer(), rx.src(), rx.frame(), rx.frame().length);
        } catch (RuntimeException e) {
            tapFailed(e);
        }
    }

    /** An unexpected exception in the traffic tap: counted ({@link #captureDropped()}), logged once. */
    private void tapFailed(RuntimeException e) {
        tapErrors.increment();
        if (!tapFailureLogged.getAndSet(true)) LOG.error("traffic tap: internal error, the frame is not captured (logged once)", e);
    }

    /**
     * ENETDOWN from an AF_PACKET send or receive (also as the cause of a receive-error report that sums up several):
     * the bearer's interface went down.
     */
    private static boolean isNetDown(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SyscallException s && s.errno() == SyscallException.ENETDOWN) return true;
        }
        return false;
    }

    /**
     * The interface of {@code b} is down (ENETDOWN), as the kernel's netdev notifier reports NETDEV_GOING_DOWN or a
     * lost carrier (bearer.c tipc_l2_device_event, tipc_reset_bearer "Resetting bearer"): its links are taken down at
     * once (failing over to a parallel link) rather than after the link tolerance, and its discovery starts again —
     * in the core, the bearer is disabled and enabled again in the same slot with its current settings. Once is enough
     * per outage: {@link BearerIo#netDown} is set until a frame is sent on the bearer again. Loop thread (via later).
     */
    private void interfaceDown(BearerIo b) {
        b.netDownQueued.set(false);
        int id = b.coreId;
        var cur = !running || id < 0 || b.netDown ? null : core.bearer(id); // not after close()'s shutdown
        if (cur == null) return;
        b.netDown = true;
        LOG.info("Resetting bearer <{}>: interface down", b);
        var cfg = cur.config();
        long now = now();
        core.disableBearer(now, id, outbox);
        byCoreId[id] = null;
        b.coreId = -1;
        enableInCore(now, b, cfg); // the lowest free slot: this one unless a lower one was freed before
    }

    /**
     * Enables {@code b}'s bearer in the core with {@code b} already mapped to the slot the core will choose (the lowest
     * free one, node Bearer.freeSlot), so that the discovery request {@code enableBearer} sends at once reaches it.
     * Loop thread.
     *
     * @return the core's bearer id
     * @throws IllegalStateException from {@link NodeCore#enableBearer} (no free slot, same name): nothing mapped
     */
    private int enableInCore(long now, BearerIo b, io.jtipc.node.BearerConfig cfg) {
        int slot = -1;
        for (int i = 0; i < byCoreId.length && slot < 0; i++) if (core.bearer(i) == null && byCoreId[i] == null) slot = i;
        if (slot >= 0) byCoreId[slot] = b;
        int id;
        try {
            id = core.enableBearer(now, cfg, outbox);
        } catch (RuntimeException e) {
            if (slot >= 0) byCoreId[slot] = null;
            throw e;
        }
        if (id != slot) {
            if (slot >= 0) byCoreId[slot] = null;
            byCoreId[id] = b;
        }
        b.coreId = id;
        core.broadcastLink().setBearerBroadcast(id, b.broadcastCapable()); // bearer.c tipc_bearer_bcast_support
        return id;
    }

    /**
     * Runs {@code f} on the calling thread under the core lock (at once when the thread holds it already) and returns
     * its result; the core's time is read after the lock is taken, so it never goes back between two runs.
     *
     * @throws TipcException when the node is not running (or failed: names the cause), or the core lock was busy for
     *                       {@value #CALL_WAIT_MS} ms
     */
    <T> T call(LongFunction<T> f) throws TipcException {
        if (coreLock.isHeldByCurrentThread()) return f.apply(now());
        if (loop == null || !running) throw notRunning();
        try {
            if (!coreLock.tryLock(CALL_WAIT_MS, TimeUnit.MILLISECONDS)) {
                throw running ? new TipcException(TipcError.NONE, "the node's core was busy for "
                        + CALL_WAIT_MS / 1000 + " s") : notRunning();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TipcException("interrupted", e);
        }
        try {
            if (!running) throw notRunning();
            T r;
            try {
                try {
                    r = f.apply(now());
                } finally {
                    afterCore();
                }
            } catch (RuntimeException e) {
                throw e;
            } catch (Throwable e) {
                // an Error with the core half-way through the call: its state is unknown, the node stops
                fail("the event loop (a command)", e);
                throw failed();
            }
            return r;
        } finally {
            coreLock.unlock();
        }
    }

    /** Longest wait of an API call for the core lock, ms (then it fails with a TipcException). */
    static final long CALL_WAIT_MS = 30_000;

    /**
     * After any run of the core outside the loop (under {@link #coreLock}): forwards its log lines and wakes the loop
     * when a timer became due before the loop's planned wake-up (once per change).
     */
    private void afterCore() {
        runDeferred();
        forwardCoreLog();
        long due = core.nextDeadline();
        if (due < loopWakeAt) {
            loopWakeAt = due;
            inbox.offer(WAKE);
        }
    }

    /** Runs the work deferred by the core run that just ended (see {@link #deferred}). Under {@link #coreLock}. */
    private void runDeferred() {
        Runnable r;
        while ((r = deferred.poll()) != null) {
            try {
                r.run();
            } catch (RuntimeException e) {
                internalErrors++;
                LOG.warn("deferred work: internal error (the node goes on)", e);
            }
        }
    }

    /** Wakes the loop to look at the timers again. */
    private static final Runnable WAKE = () -> { };

    NodeCore core() {
        return core;
    }

    /** API calls and frames waiting for the core lock (tests: a command queued behind a given one). */
    long queuedCommands() {
        return coreLock.getQueueLength();
    }

    /** Frames handed to the core so far, every bearer (tests). */
    long framesHandled() {
        return framesHandled.sum();
    }

    /** The bearers opened by {@link #start()} (tests). */
    List<BearerIo> bearers() {
        return List.copyOf(bearers);
    }

    /**
     * Runs {@code r} after the work in hand, never inline (so safe inside a core callback): called under the core lock,
     * by the same thread right after its core run, before the lock is released; otherwise on the loop thread.
     */
    void later(Runnable r) {
        if (coreLock.isHeldByCurrentThread()) {
            deferred.add(r);
        } else {
            inbox.offer(r);
        }
    }

    Outbox outbox() {
        return outbox;
    }

    void registered(TipcSocket s) {
        sockets.add(s);
    }

    void unregistered(TipcSocket s) {
        sockets.remove(s);
    }

    void registered(TipcSubscription s) {
        subscriptions.add(s);
    }

    void unregistered(TipcSubscription s) {
        subscriptions.remove(s);
    }

    /**
     * What a send that got ELINKCONG waits for: an uncongested or link-down event on any of {@code nodes} after the
     * counts in {@code seen} (taken under the core lock, where the events are counted, so none is missed).
     */
    record CongestionWait(int[] nodes, long[] seen, long epoch) {}

    /**
     * Under the core lock, right after a send returned {@link Errno#ELINKCONG}: what it must wait for. A send to a
     * socket address waits for the link to {@code destNode}; a send by name or a multicast, whose node(s) the core's
     * lookup chose, for any link congested at {@code importance} now (the one it was queued on is among them).
     *
     * @param destNode the destination node, or 0 when the core chose it
     * @param port     the sending port: the link selector, so only the link it sends on counts (node.c active_links)
     */
    CongestionWait congestionWait(int destNode, int importance, int port) {
        int[] nodes;
        if (destNode != 0) {
            nodes = new int[] {destNode};
        } else {
            nodes = core.links().stream().mapToInt(Link::peerAddr).distinct()
                    .filter(n -> core.congested(n, importance, port)).toArray();
        }
        long[] seen = new long[nodes.length];
        for (int i = 0; i < nodes.length; i++) seen[i] = uncongestedEvents.getOrDefault(nodes[i], 0L);
        return new CongestionWait(nodes, seen, congestionEpoch);
    }

    /**
     * Waits, at most {@value #CONGESTION_WAIT_MS} ms, until one of the links {@code w} names reports room again or
     * goes down (then the send returns; its message was queued). Other peers' congestion never wakes nor holds it.
     *
     * @throws TipcException the node failed (names the cause), or the thread was interrupted
     */
    void awaitUncongested(CongestionWait w) throws TipcException {
        if (w.nodes().length == 0) return;
        congestionWaits.incrementAndGet();
        long end = System.nanoTime() + CONGESTION_WAIT_MS * 1_000_000L;
        synchronized (congestion) {
            while (running && !changed(w)) {
                long left = end - System.nanoTime();
                if (left <= 0) return;
                try {
                    TimeUnit.NANOSECONDS.timedWait(congestion, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new TipcException("interrupted while the link was congested", e);
                }
            }
        }
        if (state == TipcNodeState.FAILED) throw failed();
    }

    private boolean changed(CongestionWait w) {
        if (congestionEpoch != w.epoch()) return true;
        for (int i = 0; i < w.nodes().length; i++) {
            if (uncongestedEvents.getOrDefault(w.nodes()[i], 0L) != w.seen()[i]) return true;
        }
        return false;
    }

    /** The link to {@code peer} has room again or went down: its waiters (only theirs) may go on. Under the core lock. */
    private void uncongested(int peer) {
        synchronized (congestion) {
            if (uncongestedEvents.size() >= CONGESTION_PEERS_LIMIT && !uncongestedEvents.containsKey(peer)) {
                uncongestedEvents.clear();
                congestionEpoch++;
            }
            uncongestedEvents.merge(peer, 1L, Long::sum);
            congestion.notifyAll();
        }
        wakeAsyncCongestionWaits();
    }

    /** A {@link TipcSocket#sendAsync} that got ELINKCONG: its future completes as {@link #awaitUncongested} returns. */
    private record AsyncCongestionWait(CongestionWait cw, CompletableFuture<Void> done) {}

    private final java.util.Queue<AsyncCongestionWait> asyncCongestionWaits = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /**
     * The non-blocking form of {@link #awaitUncongested}: a future completed (on {@link TipcSocket#ASYNC_EXECUTOR},
     * never on the thread holding the core lock) when a link {@code w} names reports room or goes down, after at most
     * {@value #CONGESTION_WAIT_MS} ms, or exceptionally when the node fails. Under the core lock, right after
     * {@link #congestionWait}, so no event is missed. The waits are bounded by the callers (TipcSocket: per socket).
     */
    CompletableFuture<Void> whenUncongested(CongestionWait w) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (w.nodes().length == 0) {
            f.complete(null);
            return f;
        }
        congestionWaits.incrementAndGet();
        asyncCongestionWaits.removeIf(a -> a.done().isDone()); // timed out with no event since
        asyncCongestionWaits.add(new AsyncCongestionWait(w, f));
        f.completeOnTimeout(null, CONGESTION_WAIT_MS, TimeUnit.MILLISECONDS);
        return f;
    }

    private void wakeAsyncCongestionWaits() {
        if (asyncCongestionWaits.isEmpty()) return;
        for (java.util.Iterator<AsyncCongestionWait> it = asyncCongestionWaits.iterator(); it.hasNext(); ) {
            AsyncCongestionWait a = it.next();
            boolean stopped = !running;
            if (!stopped && !a.done().isDone() && !changed(a.cw())) continue;
            it.remove();
            if (a.done().isDone()) continue;
            TipcSocket.ASYNC_EXECUTOR.execute(() -> {
                if (stopped && state == TipcNodeState.FAILED) a.done().completeExceptionally(failed());
                else a.done().complete(null);
            });
        }
    }

    private final class Events implements NodeListener {
        @Override
        public void addressCommitted(int addr) {
            address = addr;
            bindingView = ConcurrentBindingView.attach(core.bindingTable());
            LOG.info("Node identity {}, cluster identity {}, address {}", nodeId, clusterId, Integer.toHexString(addr));
            committed.complete(addr);
        }

        @Override
        public void linkUp(Link l) {
            LinkInfo i = info(l);
            LOG.info("Established link <{}> on network plane {}", i.name(), (char) ('A' + l.bearerId()));
            for (LinkListener x : listeners) {
                try {
                    x.linkUp(i);
                } catch (RuntimeException e) {
                    LOG.warn("link listener failed", e);
                }
            }
        }

        @Override
        public void linkDown(Link l) {
            LinkInfo i = info(l);
            LOG.info("Lost link <{}> on network plane {}", i.name(), (char) ('A' + l.bearerId()));
            uncongested(l.peerAddr());
            for (LinkListener x : listeners) {
                try {
                    x.linkDown(i);
                } catch (RuntimeException e) {
                    LOG.warn("link listener failed", e);
                }
            }
        }

        @Override
        public void nodeUp(Node p) {
            LOG.debug("node {} ({}) up", Integer.toHexString(p.addr()), p.id());
        }

        @Override
        public void nodeDown(Node p) {
            LOG.info("Node {} ({}) down: its bindings are withdrawn", Integer.toHexString(p.addr()), p.id());
        }

        @Override
        public void linkUncongested(Link l) {
            uncongested(l.peerAddr());
        }
    }

    // ================================================================================ views

    /** The node identity. */
    public NodeId identity() {
        return nodeId;
    }

    /** The cluster id. */
    public int clusterId() {
        return clusterId;
    }

    /** The 32-bit node address (0 before {@link #start()} returned). */
    public int address() {
        return address;
    }

    /** True between {@link #start()} and {@link #close()} (or the node's failure, see {@link #state()}). */
    public boolean isRunning() {
        return running;
    }

    /** Adds a listener for link up/down (called under the core lock, see {@link LinkListener}). */
    public void addLinkListener(LinkListener l) {
        listeners.add(Objects.requireNonNull(l));
    }

    public void removeLinkListener(LinkListener l) {
        listeners.remove(l);
    }

    LinkInfo info(Link l) {
        Node p = core.peer(l.peerAddr());
        var b = core.bearer(l.bearerId());
        var h = l.holdStats();
        var t = LinkTunnelStats.of(l);
        return new LinkInfo(l.name(), l.state().name(), l.isUp(), l.peerAddr(), p == null || p.id() == null ? "" : p.id().toString(),
                b == null ? "" : b.config().name(), l.mtu(), l.tolerance(), l.window(), l.sndNxt(), l.rcvNxt(),
                l.transmitQueueLength(), l.backlogLength(), l.deferredLength(), l.retransmitted(), l.duplicates(),
                l.sentStates(), l.sentPackets(), l.receivedPackets(), l.sentNacks(), h.deferredBytes(),
                h.deferredDropped(), h.reassemblyErrors(), h.backlogOverflows(), h.resets(), h.lastResetReason(),
                p == null ? 0 : p.socketOverloads(), t.synchSent(), t.synchReceived(), t.failoverSent(),
                t.failoverReceived());
    }

    /** A snapshot of every link. */
    public List<LinkInfo> links() throws TipcException {
        return call(now -> {
            List<LinkInfo> r = new ArrayList<>();
            for (Link l : core.links()) r.add(admin.stats.apply(l, info(l)));
            r.sort((a, c) -> a.name().compareTo(c.name()));
            return r;
        });
    }

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
     *                       50-30000 ms, priority 0-31, window 16-8191 packets); or if the node is not running
     */
    public void setLink(String linkName, LinkProperty property, int value) throws TipcException {
        int rc = call(now -> {
            if (BROADCAST_LINK.equals(linkName)) return core.broadcastLink().set(switch (property) {
                case WINDOW -> 0; case BROADCAST -> 1; case BROADCAST_RATIO -> 2; default -> -1; }, value);
            for (Link l : core.links()) {
                if (!l.name().equals(linkName)) continue;
                return switch (property) {
                    case TOLERANCE -> LinkSettings.setTolerance(l, value, outbox);
                    case PRIORITY -> LinkSettings.setPriority(l, value, outbox);
                    case WINDOW -> LinkSettings.setWindow(l, value);
                    default -> Errno.EINVAL; // broadcast-link properties
                };
            }
            return Errno.EINVAL;
        });
        if (rc != 0) {
            throw new TipcException(TipcError.EINVAL, "link set " + property.name().toLowerCase() + " " + value
                + ": no link " + linkName + " or value out of range");
        }
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
        int rc = call(now -> {
            for (int id = 0; id < 3; id++) {
                var b = core.bearer(id);
                if (b == null || !b.config().name().equals(bearerName)) continue;
                return switch (property) {
                    case TOLERANCE -> LinkSettings.setBearerTolerance(core, id, value, outbox);
                    case PRIORITY -> LinkSettings.setBearerPriority(core, id, value);
                    case WINDOW -> LinkSettings.setBearerWindow(core, id, value);
                    default -> Errno.EINVAL;
                };
            }
            return Errno.EINVAL;
        });
        if (rc != 0) {
            throw new TipcException(TipcError.EINVAL, "bearer set " + property.name().toLowerCase() + " " + value
                + ": no bearer " + bearerName + " or value out of range");
        }
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
    public String addBearer(String spec) throws IOException {
        BearerSpec bs = BearerSpec.parse(spec, netns);
        synchronized (this) {
            if (closed || !running) throw notRunning();
            BearerIo b = BearerIo.open(bs, clusterId, mediaWrapper);
            var cfg = b.config();
            try {
                int id = call(now -> closed || !running ? -1 : enableInCore(now, b, cfg)); // -1: close() got in first
                if (id < 0) throw notRunning();
                bearers.add(b);
                if (closed || !running) { // close() released the bearers meanwhile: this one would stay open
                    bearers.remove(b);
                    throw notRunning();
                }
                LOG.info("Enabled bearer <{}>, priority {} (bearer {})", cfg.name(), cfg.priority(), id);
                b.start(this::received, e -> receiveError(b, e));
                return cfg.name();
            } catch (IllegalStateException e) {
                closeBearer(b);
                throw new TipcException(TipcError.EINVAL, "bearer enable " + spec + ": " + e.getMessage());
            } catch (TipcException | RuntimeException e) {
                closeBearer(b);
                throw e;
            }
        }
    }

    /** Closes a bearer that leaves the node (the node's own close releases them all); the tap forgets it. */
    private void closeBearer(BearerIo b) {
        b.close();
        TrafficTap t = tap;
        if (t != null) t.bearerRemoved(b);
    }

    /**
     * {@code tipc bearer disable name NAME} (bearer.c bearer_disable): every link on the bearer sends a RESET with
     * the peer-stopping bit (the peer takes it down at once) and is deleted, then the bearer closes.
     *
     * @throws TipcException {@link TipcError#EINVAL} if there is no such bearer; or the node is not running
     */
    public void removeBearer(String name) throws TipcException {
        synchronized (this) {
            BearerIo found = null;
            for (BearerIo b : bearers) if (b.coreId >= 0 && b.config().name().equals(name)) found = b;
            BearerIo b = found;
            if (b == null) throw new TipcException(TipcError.EINVAL, "bearer disable: no bearer " + name);
            call(now -> {
                int id = b.coreId;
                if (id >= 0) {
                    core.disableBearer(now, id, outbox);
                    byCoreId[id] = null;
                    b.coreId = -1;
                }
                return null;
            });
            bearers.remove(b);
            closeBearer(b);
            LOG.info("Disabled bearer <{}>", name);
        }
    }

    /** {@code tipc bearer list}: the names of the enabled bearers, in bearer id order (e.g. "eth:eth0", "udp:b1"). */
    public List<String> bearerNames() throws TipcException {
        return call(now -> {
            List<String> r = new ArrayList<>();
            for (int id = 0; id < byCoreId.length; id++) {
                var b = core.bearer(id);
                if (b != null) r.add(b.config().name());
            }
            return r;
        });
    }

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
        for (BearerIo b : bearers) {
            if (b.coreId < 0 || !b.config().name().equals(bearerName)) continue;
            try {
                return b.addUdpPeer(remote);
            } catch (IllegalStateException | IllegalArgumentException e) {
                throw new TipcException(TipcError.EINVAL, "bearer add " + bearerName + ": " + e.getMessage());
            }
        }
        throw new TipcException(TipcError.EINVAL, "bearer add: no bearer " + bearerName);
    }

    /**
     * {@code tipc link stat reset link NAME} (link.c tipc_link_reset_stats): zeroes the link's counters as
     * {@link #links()} reports them; {@code linkName} null resets every link.
     *
     * @throws TipcException {@link TipcError#EINVAL} if there is no such link; or the node is not running
     */
    public void resetLinkStats(String linkName) throws TipcException {
        admin.resetLinkStats(linkName);
    }

    /** {@code tipc socket list}: this node's sockets (the topology server's included), by port. */
    public List<SocketInfo> sockets() throws TipcException {
        return admin.sockets();
    }

    /** {@code tipc node list}: this node and every peer node known, by address. */
    public List<PeerInfo> nodes() throws TipcException {
        return admin.nodes();
    }

    /**
     * {@code tipc peer remove address ADDR} (node.c tipc_nl_peer_rm): forgets a peer node that is down, with its
     * links (a node that comes back is discovered afresh).
     *
     * @throws TipcException {@link TipcError#ENXIO} if no such peer, {@link TipcError#EBUSY} if it is not down,
     *         {@link TipcError#ENOTSUPP} for the own address
     *                       (the kernel's errors too); or the node is not running
     */
    public void removePeer(int address) throws TipcException {
        admin.removePeer(address);
    }

    /** {@code tipc link monitor summary} / {@code list}: each bearer's neighbour monitor (monitor.c). */
    public List<LinkMonitorSummary> linkMonitors() throws TipcException {
        return call(now -> LinkMonitorSummary.of(core));
    }

    /**
     * {@code tipc link monitor set threshold N}: monitoring becomes active on a bearer with more than N peers.
     *
     * @throws TipcException EINVAL if N is negative or above {@link io.jtipc.node.Monitor#MAX_THRESHOLD}
     */
    public void setMonitorThreshold(int n) throws TipcException {
        if (call(now -> LinkSettings.setMonitorThreshold(core, n)) != 0) {
            throw new TipcException(TipcError.EINVAL, "link monitor set threshold " + n + ": out of range");
        }
    }

    /** {@code tipc link list}: "broadcast-link: up" then "NAME: up|down" per link. */
    public String linkList() throws TipcException {
        StringBuilder sb = new StringBuilder("broadcast-link: up\n");
        for (LinkInfo l : links()) sb.append(l).append('\n');
        return sb.toString();
    }

    /** Waits until at least one link is up. */
    public LinkInfo awaitLinkUp(Duration timeout) throws TipcException, InterruptedIOException {
        return awaitLink(l -> l.up(), timeout);
    }

    /** Waits until a link matches {@code p}; returns it, or throws a TipcException naming the links at the time out. */
    public LinkInfo awaitLink(Predicate<LinkInfo> p, Duration timeout) throws TipcException, InterruptedIOException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<LinkInfo> ls = links();
            for (LinkInfo l : ls) if (p.test(l)) return l;
            if (System.nanoTime() >= end) throw new TipcException(TipcError.NONE, "no matching link within " + timeout + "; links " + ls);
            sleep(50);
        }
    }

    private static void sleep(long ms) throws InterruptedIOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException();
        }
    }

    /** A node address as {@code tipc} prints it: the node's identity string if known, else the address in hex. */
    private String nodeName(int addr) {
        if (addr == core.ownAddr()) return nodeId.toString();
        Node p = core.peer(addr);
        if (p != null && p.id() != null) return p.id().toString();
        return Integer.toHexString(addr);
    }

    /** A snapshot of the binding table, in {@code tipc nametable show} order (type, lower, age). */
    public List<Binding> bindings() throws TipcException {
        return call(now -> {
            BindingTable t = core.bindingTable();
            List<Binding> r = new ArrayList<>();
            if (t == null) return r;
            for (Publication p : t.publications()) {
                String scope = p.scope() == Tipc.TIPC_NODE_SCOPE ? "node" : p.scope() == Tipc.TIPC_CLUSTER_SCOPE
                        ? "cluster" : "zone";
                r.add(new Binding(p.type(), p.lower(), p.upper(), scope, p.port(), p.node(), nodeName(p.node())));
            }
            return r;
        });
    }

    /** The binding table as {@code tipc nametable show} prints it. */
    public String nametableShow() throws TipcException {
        return call(now -> {
            BindingTable t = core.bindingTable();
            return t == null ? "" : t.format(this::nodeName);
        });
    }

    /**
     * Waits until a binding matches {@code p}: tests the table, then again after every binding change (woken by the
     * event loop as it changes the table, no polling), until {@code timeout}.
     *
     * @return the first matching binding in {@link #bindings()} order
     * @throws TipcException none matched within {@code timeout}, or the node is not running
     */
    public Binding awaitBinding(Predicate<Binding> p, Duration timeout) throws TipcException, InterruptedIOException {
        Binding[] found = new Binding[1];
        awaitBindings(bs -> {
            for (Binding b : bs) {
                if (p.test(b)) {
                    found[0] = b;
                    return true;
                }
            }
            return false;
        }, timeout, "no matching binding within " + timeout);
        return found[0];
    }

    /**
     * Waits until no binding matches {@code p} (tested as in {@link #awaitBinding}).
     *
     * @throws TipcException one still matched after {@code timeout}, or the node is not running
     */
    public void awaitNoBinding(Predicate<Binding> p, Duration timeout) throws TipcException, InterruptedIOException {
        awaitBindings(bs -> bs.stream().noneMatch(p), timeout, "binding still present after " + timeout);
    }

    /**
     * Tests {@link #bindings()} until {@code done} holds, sleeping in between until the table changes. The change
     * feed is opened before the first test: every change after that test wakes the waiter (the view delivers each
     * change after its registration, see {@link ConcurrentBindingView}), so none is missed.
     */
    private void awaitBindings(Predicate<List<Binding>> done, Duration timeout, String failure)
            throws TipcException, InterruptedIOException {
        long end = System.nanoTime() + timeout.toNanos();
        ConcurrentBindingView v = bindingView;
        if (v == null || !running) throw new TipcException(TipcError.NONE, "node " + nodeId + " is not running");
        ConcurrentBindingView.Feed f = v.openAll(BINDING_FEED_CAPACITY);
        try {
            while (!done.test(bindings())) {
                long left = end - System.nanoTime();
                if (left <= 0) throw new TipcException(TipcError.NONE, failure);
                try {
                    // null: timed out (tested once more above) or the node closed (bindings() then throws)
                    BindingChange c = f.take(left, TimeUnit.NANOSECONDS);
                    while (c != null) c = f.poll(); // one test covers every change pending now
                } catch (IllegalStateException overflow) {
                    // more than the capacity of changes since the last test: test again on a fresh feed
                    f.close();
                    f = v.openAll(BINDING_FEED_CAPACITY);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a binding");
        } finally {
            f.close();
        }
    }

    /** Frames the core dropped as malformed or unroutable. */
    public long droppedFrames() throws TipcException {
        return call(now -> core.droppedFrames());
    }

    /**
     * Frames dropped between the bearers and the core. Always 0 since issue 14: there is no such queue any more
     * (frames go from a bearer's receive thread straight into the core); frames a peer sends faster than the node
     * handles them are dropped by the kernel at the bearer's socket buffer and retransmitted by their link. Kept for
     * callers of the earlier inbox counter.
     */
    public long droppedInboxFrames() {
        return 0;
    }

    /**
     * Sets a key at run time, as {@code tipc node set key}: {@code kind} "cluster" (distributed to the peers in
     * KEY_DISTR), "master", or a node identity (a per-node key of that node; its own identity = this node's TX key).
     *
     * @throws IllegalArgumentException if the key or kind is malformed
     * @throws TipcException            if the node is not running or no key slot is free (EBUSY)
     */
    public void setKey(String key, String kind) throws TipcException {
        NodeKey k = "cluster".equals(kind) ? NodeKey.cluster(key) : "master".equals(kind) ? NodeKey.master(key)
            : NodeKey.perNode(key, NodeId.parse(Objects.requireNonNull(kind, "kind")));
        int rc = call(now -> core.crypto().setKey(now, k, outbox));
        if (rc < 0) throw new TipcException(TipcError.NONE, "no key slot free for the new key (EBUSY)");
    }

    /** Starts a rekeying now ({@code tipc node set key rekeying now}): a fresh session key, distributed to all. */
    public void rekeyNow() throws TipcException {
        call(now -> {
            core.crypto().setRekeying(now, -1);
            return 0;
        });
    }

    /** Encrypted frames no key decrypted (wrong key or none), and replayed frames rejected. */
    public long undecryptableFrames() throws TipcException {
        return call(now -> core.crypto().undecryptable() + core.crypto().replays());
    }

    /** Frames the traffic tap ({@link Builder#capture}) wrote to its files; 0 without a tap. */
    public long capturedFrames() {
        TrafficTap t = tap;
        return t == null ? 0 : t.written();
    }

    /**
     * Frames the traffic tap did not write: its queue ({@value TrafficTap#QUEUE_FRAMES} frames, 32 MiB) was full, or
     * a write had failed, or the tap failed on it with an internal error (logged once); 0 without a tap.
     */
    public long captureDropped() {
        TrafficTap t = tap;
        return t == null ? 0 : t.dropped() + tapErrors.sum();
    }

    /** The traffic tap, null without one (tests). */
    TrafficTap tap() {
        return tap;
    }

    /** Bearer sends that failed (interface down, ...). */
    public long sendErrors() {
        return sendErrors;
    }

    /** Sends that found a link congested (ELINKCONG) and waited for it to drain. */
    public long congestionWaits() {
        return congestionWaits.get();
    }

    /** Unexpected exceptions caught by the loop. */
    public long internalErrors() {
        return internalErrors;
    }

    @Override
    public String toString() {
        return "TipcNode " + nodeId + " address " + Integer.toHexString(address) + " bearers " + specs;
    }
}
