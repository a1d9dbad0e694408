package io.jtipc.api;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.SecureRandom;
import java.time.Duration;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jtipc.nametable.BindingChange;
import io.jtipc.nametable.BindingTable;
import io.jtipc.nametable.Publication;
import io.jtipc.node.CryptoConfig;
import io.jtipc.node.Link;
import io.jtipc.node.NodeConfig;
import io.jtipc.node.NodeCore;
import io.jtipc.node.NodeListener;
import io.jtipc.node.Outbox;
import io.jtipc.node.Node;
import io.jtipc.node.NodeKey;
import io.jtipc.wire.NodeId;
import io.jtipc.wire.Tipc;

/**
 * A jtipc node: the sans-IO protocol core ({@link NodeCore}) driven by one event-loop thread over real bearers
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
 * One thread, {@code jtipc-node-ID}, owns the core: it waits on one queue that receives (a) frames, copied there
 * by the bearers' receive threads, and (b) commands from API calls (socket operations, views), and wakes for the
 * core's timers ({@link NodeCore#nextDeadline()}). No lock is taken inside the core. API calls from other threads
 * are queued and wait for their result; {@link LinkListener}s run on the loop thread.
 *
 * <h2>Robustness</h2>
 * A frame the core rejects is counted ({@link #droppedFrames()}) and logged at DEBUG; a failing send on a bearer
 * is counted ({@link #sendErrors()}); no bad input from the network stops the loop. Link up/down are logged at
 * INFO with the kernel's link names ("node1:if1-node2:if2").
 */
public final class TipcNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TipcNode.class);
    /** Frames waiting for the loop beyond which new frames are dropped (the loop is far behind). */
    static final int INBOX_FRAME_LIMIT = 200_000;
    /** Binding changes a waiter in {@link #awaitBinding} may leave unread before its feed overflows (it reopens). */
    static final int BINDING_FEED_CAPACITY = 4096;

    private final NodeId nodeId;
    private final int clusterId;
    private final List<BearerSpec> specs;
    private final NodeCore core;
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final AtomicLong queuedFrames = new AtomicLong();
    private final AtomicLong congestionWaits = new AtomicLong();
    private final List<BearerIo> bearers = new ArrayList<>();
    private final BearerIo[] byCoreId = new BearerIo[3];
    private final List<LinkListener> listeners = new CopyOnWriteArrayList<>();
    private final Set<TipcSocket> sockets = ConcurrentHashMap.newKeySet();
    private final Set<TipcSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Integer> committed = new CompletableFuture<>();
    private final Object congestion = new Object();
    private final long t0 = System.nanoTime();
    private final Outbox outbox = this::transmit;
    private volatile long congestionEpoch;
    private volatile Thread loop;
    /** The binding table as seen from API threads; attached on the loop thread when the address is committed. */
    private volatile ConcurrentBindingView bindingView;
    private volatile boolean running;
    private volatile boolean closed;
    private volatile int address;
    private volatile long droppedInbox;
    private volatile long sendErrors;
    private volatile long internalErrors;
    private long lastDropped;
    private boolean cryptoWarned;

    private TipcNode(Builder b) {
        this.nodeId = b.nodeId;
        this.clusterId = b.clusterId;
        this.specs = List.copyOf(b.bearers);
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
        private final List<NodeKey> keys = new ArrayList<>();
        private int rekeying = 60 * 24;
        private boolean strict;

        private Builder() {
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
            for (BearerSpec s : specs) {
                bearers.add(BearerIo.open(s, clusterId));
            }
        } catch (IOException | RuntimeException e) {
            for (BearerIo b : bearers) b.close();
            bearers.clear();
            closed = true;
            throw e;
        }
        try {
            running = true;
            Thread t = new Thread(this::runLoop, "jtipc-node-" + nodeId);
            t.setDaemon(true);
            loop = t;
            t.start();
            for (BearerIo b : bearers) {
                var cfg = b.config();
                int id = call(now -> core.enableBearer(now, cfg, outbox));
                b.coreId = id;
                byCoreId[id] = b;
                LOG.info("Enabled bearer <{}>, priority {}", cfg.name(), cfg.priority());
                b.start(this::received, e -> LOG.debug("bearer {}: receive error {}", b, e.toString()));
            }
            try {
                address = committed.get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the node address");
            } catch (ExecutionException | TimeoutException e) {
                throw new TipcException("node address not committed within 10 s", e);
            }
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
        Thread t = loop;
        if (t != null && running) {
            try {
                call(now -> {
                    core.shutdown(now, outbox);
                    return null;
                });
            } catch (TipcException e) {
                LOG.debug("shutdown: {}", e.toString());
            }
            running = false;
            inbox.offer((Runnable) () -> { });
            if (Thread.currentThread() != t) {
                try {
                    t.join(5000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        running = false;
        for (BearerIo b : bearers) b.close();
        for (TipcSocket s : sockets) s.nodeClosed();
        for (TipcSubscription s : subscriptions) s.nodeClosed(); // waiting polls return null at once
        ConcurrentBindingView v = bindingView;
        if (v != null) v.close(); // binding waiters wake and find the node stopped
        synchronized (congestion) {
            congestionEpoch++;
            congestion.notifyAll();
        }
        loop = null;
    }

    // ================================================================================ the loop

    private long now() {
        return (System.nanoTime() - t0) / 1_000_000L;
    }

    private void received(BearerIo.Rx rx) {
        if (queuedFrames.get() >= INBOX_FRAME_LIMIT) {
            droppedInbox++;
            return;
        }
        queuedFrames.incrementAndGet();
        inbox.offer(rx);
    }

    private void runLoop() {
        while (running) {
            try {
                long now = now();
                long due = core.nextDeadline();
                if (due <= now) {
                    core.onTimer(now, outbox);
                    continue;
                }
                Object o = inbox.poll(Math.min(due - now, 1000), TimeUnit.MILLISECONDS);
                for (int n = 0; o != null && n < 1024 && running; n++) {
                    handle(o);
                    o = n < 1023 ? inbox.poll() : null;
                }
            } catch (InterruptedException e) {
                if (!running) break;
            } catch (RuntimeException e) {
                internalErrors++;
                LOG.warn("event loop: internal error (the node goes on)", e);
            }
        }
    }

    private void handle(Object o) {
        if (o instanceof BearerIo.Rx rx) {
            queuedFrames.decrementAndGet();
            if (rx.bearer().coreId < 0) return;
            core.onFrame(now(), rx.bearer().coreId, rx.src(), rx.frame(), 0, rx.frame().length, outbox);
            if (!cryptoWarned && core.crypto().undecryptable() > 0) {
                cryptoWarned = true;
                LOG.warn("encrypted TIPC frames received that no key of this node decrypts (wrong key, or none): "
                    + "they are dropped and counted (undecryptableFrames), no link comes up with their sender");
            }
            long d = core.droppedFrames();
            if (d != lastDropped) {
                lastDropped = d;
                if (LOG.isDebugEnabled()) {
                    List<String> l = core.log();
                    LOG.debug("frame dropped on {} ({} so far){}", rx.bearer(), d, l.isEmpty() ? "" : ": " + l.get(l.size() - 1));
                }
            }
        } else {
            ((Runnable) o).run();
        }
    }

    private void transmit(int bearerId, byte[] dest, byte[] buf, int off, int len) {
        BearerIo b = bearerId >= 0 && bearerId < byCoreId.length ? byCoreId[bearerId] : null;
        if (b == null) return;
        try {
            b.send(dest, buf, off, len);
        } catch (IOException | RuntimeException e) {
            sendErrors++;
            LOG.debug("bearer {}: send failed: {}", b, e.toString());
        }
    }

    /**
     * Runs {@code f} on the loop thread (directly when called from it) and returns its result.
     *
     * @throws TipcException when the node is not running, or the command took longer than 30 s
     */
    <T> T call(LongFunction<T> f) throws TipcException {
        Thread t = loop;
        if (Thread.currentThread() == t) return f.apply(now());
        if (t == null || !running) throw new TipcException(TipcError.NONE, "node " + nodeId + " is not running");
        CompletableFuture<T> cf = new CompletableFuture<>();
        inbox.offer((Runnable) () -> {
            try {
                cf.complete(f.apply(now()));
            } catch (Throwable e) {
                cf.completeExceptionally(e);
            }
        });
        try {
            return cf.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) throw re;
            if (c instanceof Error er) throw er;
            throw new TipcException("command failed", c);
        } catch (TimeoutException e) {
            throw new TipcException(running ? "event loop did not answer within 30 s" : "node closed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TipcException("interrupted", e);
        }
    }

    NodeCore core() {
        return core;
    }

    /** Runs {@code r} on the loop thread after the work in hand (never inline, so safe inside a core callback). */
    void later(Runnable r) {
        inbox.offer(r);
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

    long congestionEpoch() {
        return congestionEpoch;
    }

    /** Waits (at most 10 s) until a link reports room again after {@code epoch}. */
    void awaitUncongested(long epoch) throws TipcException {
        congestionWaits.incrementAndGet();
        long end = System.nanoTime() + 10_000_000_000L;
        synchronized (congestion) {
            while (congestionEpoch == epoch && running) {
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
    }

    private void bumpCongestion() {
        synchronized (congestion) {
            congestionEpoch++;
            congestion.notifyAll();
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
            bumpCongestion();
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
            bumpCongestion();
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

    /** True between {@link #start()} and {@link #close()}. */
    public boolean isRunning() {
        return running;
    }

    /** Adds a listener for link up/down (called on the loop thread). */
    public void addLinkListener(LinkListener l) {
        listeners.add(Objects.requireNonNull(l));
    }

    public void removeLinkListener(LinkListener l) {
        listeners.remove(l);
    }

    private LinkInfo info(Link l) {
        Node p = core.peer(l.peerAddr());
        var b = core.bearer(l.bearerId());
        return new LinkInfo(l.name(), l.state().name(), l.isUp(), l.peerAddr(), p == null || p.id() == null ? "" : p.id().toString(),
                b == null ? "" : b.config().name(), l.mtu(), l.tolerance(), l.window(), l.sndNxt(), l.rcvNxt(),
                l.transmitQueueLength(), l.backlogLength(), l.deferredLength(), l.retransmitted(), l.duplicates(),
                l.sentStates(), l.sentPackets(), l.receivedPackets(), l.sentNacks());
    }

    /** A snapshot of every link. */
    public List<LinkInfo> links() throws TipcException {
        return call(now -> {
            List<LinkInfo> r = new ArrayList<>();
            for (Link l : core.links()) r.add(info(l));
            r.sort((a, c) -> a.name().compareTo(c.name()));
            return r;
        });
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

    /** Frames dropped before the core because the loop was {@value #INBOX_FRAME_LIMIT} frames behind. */
    public long droppedInboxFrames() {
        return droppedInbox;
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
