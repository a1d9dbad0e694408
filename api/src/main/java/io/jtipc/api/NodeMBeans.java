package io.jtipc.api;

import io.jtipc.bearer.Media;
import io.jtipc.node.BearerConfig;
import io.jtipc.node.Link;
import io.jtipc.node.LinkSettings;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JMX MXBeans of one running {@link TipcNode}, in an {@link MBeanServer} (the platform one by default):
 * <ul>
 *   <li>{@code io.jtipc:type=Node,node=IDENTITY} ({@link TipcNodeMXBean}), from start to close;</li>
 *   <li>{@code io.jtipc:type=Link,node=IDENTITY,link="NAME"} ({@link TipcLinkMXBean}) per link the node has, up or
 *       not, as {@code tipc link list} lists them;</li>
 *   <li>{@code io.jtipc:type=Bearer,node=IDENTITY,bearer="NAME"} ({@link TipcBearerMXBean}) per enabled bearer.</li>
 * </ul>
 * Link and bearer names are always quoted ({@link ObjectName#quote}: a link name holds ':' and peer-supplied parts);
 * the identity is quoted when it holds a character an ObjectName value cannot (',', '=', ':', '"', '*', '?', '\n').
 * <p>
 * The set of link and bearer MBeans follows the node's: it is brought in line on every link up/down event and every
 * {@value #REFRESH_INTERVAL_MS} ms (bearer enable/disable, peer removal and link deletion raise no event), on this
 * class's one daemon thread per node, "jtipc-jmx-IDENTITY"; an MBean whose link or bearer is gone is unregistered
 * then, so link churn leaves at most one MBean per link that exists. {@link #close()} unregisters every MBean of the
 * node. Attribute reads take a snapshot of the node at most {@value #SNAPSHOT_MAX_AGE_MS} ms old. A name already
 * registered (two nodes of one identity in one JVM) is logged and skipped: JMX never fails a node's start.
 */
final class NodeMBeans implements LinkListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeMBeans.class);
    /** ObjectName domain of every jtipc MBean. */
    static final String DOMAIN = "io.jtipc";
    /** Period of the refresh that registers new and unregisters gone link/bearer MBeans, ms. */
    static final long REFRESH_INTERVAL_MS = 1000;
    /** Oldest snapshot an attribute read returns, ms; older, the node is read again (one loop command). */
    static final long SNAPSHOT_MAX_AGE_MS = 100;

    private final TipcNode node;
    private final MBeanServer server;
    private final String nodeKey;
    private final ObjectName nodeName;
    private final ScheduledExecutorService exec;
    /** Registered link MBeans by link name, bearer MBeans by bearer name (guarded by this). */
    private final Map<String, ObjectName> links = new HashMap<>();
    private final Map<String, ObjectName> bearers = new HashMap<>();
    private boolean closed;
    /**
     * Whether the node's own MBean was registered by this node: a second node of the same identity in the JVM gets
     * none, and its close must not unregister the first node's.
     */
    private volatile boolean nodeRegistered;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of(), Map.of(), 0);

    /** A reading of the node: links by name, link priorities by name, bearer configs by name (bearer id order). */
    private record Snapshot(Map<String, LinkInfo> links, Map<String, Integer> priorities,
                            Map<String, BearerConfig> bearers, long nanos) {
    }

    private NodeMBeans(TipcNode node, MBeanServer server) throws MalformedObjectNameException {
        this.node = node;
        this.server = server;
        this.nodeKey = value(node.identity().toString());
        this.nodeName = new ObjectName(DOMAIN + ":type=Node,node=" + nodeKey);
        this.exec = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jtipc-jmx-" + node.identity());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Registers the node's MBean in the platform MBeanServer and starts following its links and bearers.
     *
     * @return the registrations, to {@link #close()} with the node; never throws (failures are logged)
     */
    static NodeMBeans register(TipcNode node) {
        return register(node, ManagementFactory.getPlatformMBeanServer());
    }

    /** As {@link #register(TipcNode)}, in {@code server}. */
    static NodeMBeans register(TipcNode node, MBeanServer server) {
        NodeMBeans m;
        try {
            m = new NodeMBeans(node, server);
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException("identity gives no ObjectName", e); // value() quotes: cannot happen
        }
        m.nodeRegistered = m.add(m.nodeName, m.new NodeBean());
        node.addLinkListener(m);
        m.exec.scheduleWithFixedDelay(m::refreshQuietly, 0, REFRESH_INTERVAL_MS, TimeUnit.MILLISECONDS);
        return m;
    }

    /** The node's ObjectName. */
    ObjectName nodeName() {
        return nodeName;
    }

    /** The ObjectName of link {@code linkName} of this node (registered or not). */
    ObjectName linkName(String linkName) {
        return name("Link", "link", linkName);
    }

    /** The ObjectName of bearer {@code bearerName} of this node (registered or not). */
    ObjectName bearerName(String bearerName) {
        return name("Bearer", "bearer", bearerName);
    }

    private ObjectName name(String type, String key, String value) {
        try {
            return new ObjectName(DOMAIN + ":type=" + type + ",node=" + nodeKey + "," + key + "=" + ObjectName.quote(value));
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e); // the value is quoted: cannot happen
        }
    }

    /** {@code s} as an ObjectName value: as it is when it may stand unquoted, else {@link ObjectName#quote}d. */
    static String value(String s) {
        if (s.isEmpty()) return ObjectName.quote(s);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ',' || c == '=' || c == ':' || c == '"' || c == '*' || c == '?' || c == '\n') return ObjectName.quote(s);
        }
        return s;
    }

    @Override
    public void linkUp(LinkInfo link) {
        schedule(); // the loop thread: never call the node from here
    }

    @Override
    public void linkDown(LinkInfo link) {
        schedule();
    }

    private void schedule() {
        try {
            exec.execute(this::refreshQuietly);
        } catch (RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (TipcException e) {
            LOG.debug("jmx refresh: {}", e.toString()); // the node is stopping: close() follows
        } catch (RuntimeException e) {
            LOG.warn("jmx refresh failed", e);
        }
    }

    /**
     * Reads the node and brings the link and bearer MBeans in line with it: registers those of new links and bearers,
     * unregisters those of links and bearers gone.
     *
     * @throws TipcException the node is not running
     */
    void refresh() throws TipcException {
        Snapshot s = read(); // not under the monitor: close() on the loop thread must not wait for a loop command
        synchronized (this) {
            if (closed) return;
            sync(links, s.links().keySet(), n -> linkName(n), n -> new LinkBean(n, s));
            sync(bearers, s.bearers().keySet(), n -> bearerName(n), n -> new BearerBean(n, s));
        }
    }

    private void sync(Map<String, ObjectName> registered, Set<String> now,
                      java.util.function.Function<String, ObjectName> nameOf,
                      java.util.function.Function<String, Object> beanOf) {
        for (var it = registered.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (now.contains(e.getKey())) continue;
            remove(e.getValue());
            it.remove();
        }
        for (String n : now) {
            if (registered.containsKey(n)) continue;
            ObjectName on = nameOf.apply(n);
            if (add(on, beanOf.apply(n))) registered.put(n, on);
        }
    }

    /** Link and bearer MBeans registered now (count), for tests. */
    synchronized int registeredCount() {
        return links.size() + bearers.size();
    }

    private Snapshot read() throws TipcException {
        List<LinkInfo> ls = node.links();
        Map<String, Integer> prio = new HashMap<>();
        Map<String, BearerConfig> bs = new LinkedHashMap<>();
        node.call(now -> {
            for (Link l : node.core().links()) prio.put(l.name(), LinkSettings.priority(l));
            for (int id = 0; id < 3; id++) {
                var b = node.core().bearer(id);
                if (b != null) bs.put(b.config().name(), b.config());
            }
            return null;
        });
        Map<String, LinkInfo> byName = new LinkedHashMap<>();
        for (LinkInfo l : ls) byName.put(l.name(), l);
        Snapshot s = new Snapshot(byName, prio, bs, System.nanoTime());
        snapshot = s;
        return s;
    }

    /** A snapshot at most {@link #SNAPSHOT_MAX_AGE_MS} old; the last one if the node cannot be read now. */
    private Snapshot fresh() {
        Snapshot s = snapshot;
        if (System.nanoTime() - s.nanos() <= TimeUnit.MILLISECONDS.toNanos(SNAPSHOT_MAX_AGE_MS)) return s;
        try {
            return read();
        } catch (TipcException e) {
            return s;
        }
    }

    private boolean add(ObjectName on, Object bean) {
        try {
            server.registerMBean(bean, on);
            return true;
        } catch (InstanceAlreadyExistsException e) {
            LOG.warn("JMX: {} is registered already (another node of this identity in this JVM?); not registered",
                on);
        } catch (JMException e) {
            LOG.warn("JMX: cannot register {}", on, e);
        }
        return false;
    }

    private void remove(ObjectName on) {
        try {
            server.unregisterMBean(on);
        } catch (InstanceNotFoundException e) {
            // unregistered by someone else: nothing left
        } catch (JMException e) {
            LOG.warn("JMX: cannot unregister {}", on, e);
        }
    }

    /** Stops following the node and unregisters every MBean of it. Idempotent; waits up to 1 s for a refresh. */
    @Override
    public void close() {
        node.removeLinkListener(this);
        exec.shutdownNow();
        try {
            exec.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (closed) return;
            closed = true;
            for (ObjectName on : links.values()) remove(on);
            for (ObjectName on : bearers.values()) remove(on);
            links.clear();
            bearers.clear();
            if (nodeRegistered) remove(nodeName);
        }
    }

    // ------------------------------------------------------------------------------------------------ beans

    private final class NodeBean implements TipcNodeMXBean {
        @Override
        public String getIdentity() {
            return node.identity().toString();
        }

        @Override
        public String getAddress() {
            return String.format("%08x", node.address());
        }

        @Override
        public int getClusterId() {
            return node.clusterId();
        }

        @Override
        public String getState() {
            return node.state().name();
        }

        @Override
        public List<String> getBearers() {
            return new ArrayList<>(fresh().bearers().keySet());
        }

        @Override
        public int getLinks() {
            return fresh().links().size();
        }

        @Override
        public int getUpLinks() {
            return (int) fresh().links().values().stream().filter(LinkInfo::up).count();
        }

        @Override
        public long getDroppedFrames() {
            try {
                return node.droppedFrames();
            } catch (TipcException e) {
                return -1;
            }
        }

        @Override
        public long getSendErrors() {
            return node.sendErrors();
        }

        @Override
        public long getCongestionWaits() {
            return node.congestionWaits();
        }

        @Override
        public void resetStats() throws TipcException {
            node.resetLinkStats(null);
            snapshot = new Snapshot(Map.of(), Map.of(), Map.of(), 0);
            read();
        }
    }

    private final class LinkBean implements TipcLinkMXBean {
        private final String name;
        /** The last snapshot of this link: what a link gone but not yet unregistered reads as. */
        private volatile LinkInfo last;
        private volatile int lastPriority;

        /** For link {@code name} of snapshot {@code s} (which holds it). */
        LinkBean(String name, Snapshot s) {
            this.name = name;
            this.last = s.links().get(name);
            Integer p = s.priorities().get(name);
            this.lastPriority = p == null ? 0 : p;
        }

        private LinkInfo info() {
            Snapshot s = fresh();
            LinkInfo i = s.links().get(name);
            if (i != null) {
                last = i;
                Integer p = s.priorities().get(name);
                if (p != null) lastPriority = p;
            }
            return last;
        }

        @Override public String getName() { return name; }
        @Override public String getState() { return info().state(); }
        @Override public boolean isUp() { return info().up(); }
        @Override public String getBearer() { return info().bearer(); }
        @Override public String getPeerAddress() { return String.format("%08x", info().peerNode()); }
        @Override public String getPeerId() { return info().peerId(); }
        @Override public int getMtu() { return info().mtu(); }
        @Override public int getTolerance() { return info().tolerance(); }

        @Override
        public int getPriority() {
            info();
            return lastPriority;
        }

        @Override public int getWindow() { return info().window(); }
        @Override public long getRxPackets() { return info().packetsReceived(); }
        @Override public long getTxPackets() { return info().packetsSent(); }
        @Override public long getDuplicates() { return info().duplicates(); }
        @Override public long getTxStates() { return info().statesSent(); }
        @Override public long getTxNacks() { return info().nacksSent(); }
        @Override public long getRetransmitted() { return info().retransmitted(); }
        @Override public int getTransmitQueue() { return info().transmitQueue(); }
        @Override public int getBacklog() { return info().backlog(); }
        @Override public int getDeferred() { return info().deferred(); }
        @Override public long getDeferredBytes() { return info().deferredBytes(); }
        @Override public long getDeferredDropped() { return info().deferredDropped(); }
        @Override public long getReassemblyErrors() { return info().reassemblyErrors(); }
        @Override public long getBacklogOverflows() { return info().backlogOverflows(); }
        @Override public long getResets() { return info().resets(); }
        @Override public String getLastResetReason() { return info().lastResetReason(); }
        @Override public long getPeerSocketOverloads() { return info().socketOverloads(); }
        @Override public long getSynchSent() { return info().synchSent(); }
        @Override public long getSynchReceived() { return info().synchReceived(); }
        @Override public long getFailoverSent() { return info().failoverSent(); }
        @Override public long getFailoverReceived() { return info().failoverReceived(); }

        @Override
        public void resetStats() throws TipcException {
            node.resetLinkStats(name);
            snapshot = new Snapshot(Map.of(), Map.of(), Map.of(), 0);
            read();
        }
    }

    private final class BearerBean implements TipcBearerMXBean {
        private final String name;
        private volatile BearerConfig last;

        /** For bearer {@code name} of snapshot {@code s} (which holds it). */
        BearerBean(String name, Snapshot s) {
            this.name = name;
            this.last = s.bearers().get(name);
        }

        private BearerConfig config() {
            BearerConfig c = fresh().bearers().get(name);
            if (c != null) last = c;
            return last;
        }

        private List<LinkInfo> onBearer() {
            List<LinkInfo> r = new ArrayList<>();
            for (LinkInfo l : fresh().links().values()) if (l.bearer().equals(name)) r.add(l);
            return r;
        }

        @Override public String getName() { return name; }
        @Override public int getMtu() { return config().mtu(); }
        @Override public int getPriority() { return config().priority(); }
        @Override public int getTolerance() { return config().tolerance(); }
        @Override public int getWindow() { return config().window(); }
        @Override public int getLinks() { return onBearer().size(); }
        @Override public int getUpLinks() { return (int) onBearer().stream().filter(LinkInfo::up).count(); }
        @Override public long getFramesNotSent() { return shell(Media::framesNotSent); }
        @Override public long getReceiveErrors() { return shell(Media::receiveErrors); }
        @Override public long getHandlerFailures() { return shell(Media::handlerFailures); }

        /** A counter of the bearer's media (its socket shell); 0 once the bearer is gone. */
        private long shell(ToLongFunction<Media> counter) {
            for (BearerIo b : node.bearers()) if (b.toString().equals(name)) return counter.applyAsLong(b.media());
            return 0;
        }

        @Override
        public void resetStats() throws TipcException {
            Set<String> names = new HashSet<>();
            for (LinkInfo l : onBearer()) names.add(l.name());
            for (String n : names) node.resetLinkStats(n);
            snapshot = new Snapshot(Map.of(), Map.of(), Map.of(), 0);
            read();
        }
    }
}
