package io.jtipc.micrometer;

import io.jtipc.api.LinkInfo;
import io.jtipc.api.LinkListener;
import io.jtipc.api.TipcException;
import io.jtipc.api.TipcNode;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * A Micrometer {@link MeterBinder} for a {@link TipcNode}'s links: per link, function counters and gauges named after
 * the counters of iproute2's {@code tipc link stat show} (Linux 6.1 link.c __tipc_nl_add_stats, uapi tipc_netlink.h
 * TIPC_NLA_STATS_*), tagged {@code node} (the node identity), {@code link} (the kernel's link name, which holds
 * peer-supplied text: a registry escapes tag values in its own format) and {@code bearer}:
 * <table>
 *   <caption>meters per link</caption>
 *   <tr><th>meter</th><th>kind</th><th>kernel counter</th></tr>
 *   <tr><td>tipc.link.rx.packets</td><td>counter</td><td>RX packets (TIPC_NLA_LINK_RX - TIPC_NLA_STATS_RX_INFO)</td></tr>
 *   <tr><td>tipc.link.tx.packets</td><td>counter</td><td>TX packets (TIPC_NLA_LINK_TX - TIPC_NLA_STATS_TX_INFO)</td></tr>
 *   <tr><td>tipc.link.rx.duplicates</td><td>counter</td><td>RX dups (TIPC_NLA_STATS_DUPLICATES)</td></tr>
 *   <tr><td>tipc.link.tx.states</td><td>counter</td><td>TX states (TIPC_NLA_STATS_TX_STATES)</td></tr>
 *   <tr><td>tipc.link.tx.nacks</td><td>counter</td><td>TX naks (TIPC_NLA_STATS_TX_NACKS)</td></tr>
 *   <tr><td>tipc.link.tx.retransmitted</td><td>counter</td><td>TX retrans (TIPC_NLA_STATS_RETRANSMITTED)</td></tr>
 *   <tr><td>tipc.link.resets, tipc.link.deferred.dropped, tipc.link.reassembly.errors,
 *       tipc.link.backlog.overflows, tipc.link.peer.socket.overloads, tipc.link.tx.synch, tipc.link.rx.synch,
 *       tipc.link.tx.failover, tipc.link.rx.failover</td><td>counter</td><td>jtipc's own (see {@link LinkInfo})</td></tr>
 *   <tr><td>tipc.link.up</td><td>gauge</td><td>1 when the link is up (TIPC_NLA_LINK_UP), else 0</td></tr>
 *   <tr><td>tipc.link.mtu (bytes), tipc.link.tolerance (ms), tipc.link.window (packets)</td><td>gauge</td>
 *       <td>TIPC_NLA_LINK_MTU, TIPC_NLA_PROP_TOL, TIPC_NLA_PROP_WIN</td></tr>
 *   <tr><td>tipc.link.transmit.queue, tipc.link.backlog, tipc.link.deferred (packets),
 *       tipc.link.deferred.bytes (bytes)</td><td>gauge</td><td>the link's queues now</td></tr>
 * </table>
 * and per node {@code tipc.node.links} and {@code tipc.node.links.up} (gauges, tag {@code node}).
 * <p>
 * Links that appear later are bound when they come up (a {@link LinkListener} on the node); meters of links that no
 * longer exist (bearer disabled, peer removed) are removed the next time the node is read, that is at a scrape or at
 * {@link #refresh()}. Values come from one snapshot of every link ({@link TipcNode#links()}), read again when older
 * than {@value #SNAPSHOT_MAX_AGE_MS} ms. Counters count from the last {@code tipc link stat reset}
 * ({@link TipcNode#resetLinkStats}): a reset shows as a counter that starts again from 0, as a restarted process
 * would. When the node is not running the last values read are kept. {@link #close()} removes every meter it bound.
 */
public final class TipcMetrics implements MeterBinder, AutoCloseable {
    /** Oldest snapshot of the node's links a meter reads, ms; older, the node is read again (one loop command). */
    public static final long SNAPSHOT_MAX_AGE_MS = 100;

    private final TipcNode node;
    private final String nodeTag;
    private final Object lock = new Object();
    /** Registries bound to (guarded by lock). */
    private final List<MeterRegistry> registries = new ArrayList<>();
    /** Bound links by name (guarded by lock). */
    private final Map<String, LinkMeters> links = new HashMap<>();
    /** Node-level meters (guarded by lock). */
    private final List<Meter> nodeMeters = new ArrayList<>();
    private final LinkListener listener = new LinkListener() {
        @Override
        public void linkUp(LinkInfo link) {
            bind(link); // on the node's loop thread: registers meters only, never calls the node
        }
    };
    private volatile Map<String, LinkInfo> snapshot = Map.of();
    private volatile long snapshotNanos = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
    private boolean closed;

    /** A binder for {@code node}'s links (the node may be started before or after {@link #bindTo}). */
    public TipcMetrics(TipcNode node) {
        this.node = Objects.requireNonNull(node, "node");
        this.nodeTag = node.identity().toString();
    }

    /** One link's meters in every registry, and its last values (what it reads as when the node cannot be read). */
    private final class LinkMeters {
        final String name;
        final String bearer;
        volatile LinkInfo last;
        final List<Meter> meters = new ArrayList<>();

        LinkMeters(LinkInfo i) {
            this.name = i.name();
            this.bearer = i.bearer();
            this.last = i;
        }

        double get(ToDoubleFunction<LinkInfo> f) {
            LinkInfo i = fresh().get(name);
            if (i != null) last = i;
            return f.applyAsDouble(last);
        }

        void register(MeterRegistry r) {
            Tags t = Tags.of("node", nodeTag, "link", name, "bearer", bearer);
            counter(r, t, "tipc.link.rx.packets", "packets", "sequenced packets received (tipc link stat: RX packets)", LinkInfo::packetsReceived);
            counter(r, t, "tipc.link.tx.packets", "packets", "sequenced packets sent (TX packets)", LinkInfo::packetsSent);
            counter(r, t, "tipc.link.rx.duplicates", "packets", "duplicate packets received (RX dups)", LinkInfo::duplicates);
            counter(r, t, "tipc.link.tx.states", "messages", "STATE messages sent (TX states)", LinkInfo::statesSent);
            counter(r, t, "tipc.link.tx.nacks", "messages", "STATE messages sent reporting a gap (TX naks)", LinkInfo::nacksSent);
            counter(r, t, "tipc.link.tx.retransmitted", "packets", "packets retransmitted (TX retrans)", LinkInfo::retransmitted);
            counter(r, t, "tipc.link.resets", "resets", "times the link went down after being up", LinkInfo::resets);
            counter(r, t, "tipc.link.deferred.dropped", "packets", "out-of-order packets not kept (bound reached)", LinkInfo::deferredDropped);
            counter(r, t, "tipc.link.reassembly.errors", "errors", "fragment reassembly failures", LinkInfo::reassemblyErrors);
            counter(r, t, "tipc.link.backlog.overflows", "messages", "messages refused, backlog full", LinkInfo::backlogOverflows);
            counter(r, t, "tipc.link.peer.socket.overloads", "messages", "peer messages refused, socket queue full", LinkInfo::socketOverloads);
            counter(r, t, "tipc.link.tx.synch", "packets", "SYNCH tunnel packets sent", LinkInfo::synchSent);
            counter(r, t, "tipc.link.rx.synch", "packets", "SYNCH tunnel packets received", LinkInfo::synchReceived);
            counter(r, t, "tipc.link.tx.failover", "packets", "FAILOVER tunnel packets sent", LinkInfo::failoverSent);
            counter(r, t, "tipc.link.rx.failover", "packets", "FAILOVER tunnel packets received", LinkInfo::failoverReceived);
            gauge(r, t, "tipc.link.up", null, "1 when the link is up, else 0", i -> i.up() ? 1 : 0);
            gauge(r, t, "tipc.link.mtu", "bytes", "link MTU", LinkInfo::mtu);
            gauge(r, t, "tipc.link.tolerance", "milliseconds", "link tolerance", LinkInfo::tolerance);
            gauge(r, t, "tipc.link.window", "packets", "congestion window", LinkInfo::window);
            gauge(r, t, "tipc.link.transmit.queue", "packets", "packets sent, not yet acknowledged", LinkInfo::transmitQueue);
            gauge(r, t, "tipc.link.backlog", "packets", "packets waiting for the window", LinkInfo::backlog);
            gauge(r, t, "tipc.link.deferred", "packets", "out-of-order packets held", LinkInfo::deferred);
            gauge(r, t, "tipc.link.deferred.bytes", "bytes", "bytes of the out-of-order packets held", LinkInfo::deferredBytes);
        }

        private void counter(MeterRegistry r, Tags t, String name, String unit, String d, ToDoubleFunction<LinkInfo> f) {
            meters.add(FunctionCounter.builder(name, this, m -> m.get(f)).tags(t).baseUnit(unit).description(d)
                .register(r));
        }

        private void gauge(MeterRegistry r, Tags t, String name, String unit, String d, ToDoubleFunction<LinkInfo> f) {
            meters.add(Gauge.builder(name, this, m -> m.get(f)).tags(t).baseUnit(unit).description(d)
                .strongReference(true).register(r));
        }

        void remove() {
            for (Meter m : meters) {
                for (MeterRegistry r : registries) r.remove(m);
            }
            meters.clear();
        }
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        synchronized (lock) {
            if (closed) throw new IllegalStateException("closed");
            if (registries.contains(registry)) return;
            if (registries.isEmpty()) node.addLinkListener(listener);
            registries.add(registry);
            Tags t = Tags.of("node", nodeTag);
            nodeMeters.add(Gauge.builder("tipc.node.links", this, m -> m.fresh().size()).tags(t)
                .description("links of the node, up or not").strongReference(true).register(registry));
            nodeMeters.add(Gauge.builder("tipc.node.links.up", this,
                    m -> m.fresh().values().stream().filter(LinkInfo::up).count()).tags(t)
                .description("links of the node that are up").strongReference(true).register(registry));
            for (LinkMeters lm : links.values()) lm.register(registry);
        }
        refresh();
    }

    /**
     * Reads the node's links now: binds meters for links not bound yet, removes those of links that no longer exist.
     * Does nothing when the node is not running (its meters keep their last values).
     */
    public void refresh() {
        List<LinkInfo> ls;
        try {
            ls = node.links(); // never under lock: the loop thread may be waiting for it in bind()
        } catch (TipcException e) {
            return;
        }
        Map<String, LinkInfo> m = new LinkedHashMap<>();
        for (LinkInfo i : ls) m.put(i.name(), i);
        snapshot = m;
        snapshotNanos = System.nanoTime();
        synchronized (lock) {
            if (closed) return;
            for (var it = links.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (m.containsKey(e.getKey())) continue;
                e.getValue().remove();
                it.remove();
            }
        }
        for (LinkInfo i : ls) bind(i);
    }

    private void bind(LinkInfo i) {
        synchronized (lock) {
            if (closed || registries.isEmpty() || links.containsKey(i.name())) return;
            LinkMeters lm = new LinkMeters(i);
            links.put(i.name(), lm);
            for (MeterRegistry r : registries) lm.register(r);
        }
    }

    /** The links' snapshot, at most {@link #SNAPSHOT_MAX_AGE_MS} ms old (the last one if the node cannot be read). */
    private Map<String, LinkInfo> fresh() {
        if (System.nanoTime() - snapshotNanos > TimeUnit.MILLISECONDS.toNanos(SNAPSHOT_MAX_AGE_MS)) refresh();
        return snapshot;
    }

    /** Link names bound now, for tests and diagnostics. */
    public List<String> boundLinks() {
        synchronized (lock) {
            return List.copyOf(links.keySet());
        }
    }

    /** Removes every meter this binder registered and stops following the node's links. Idempotent. */
    @Override
    public void close() {
        node.removeLinkListener(listener);
        synchronized (lock) {
            if (closed) return;
            closed = true;
            for (LinkMeters lm : links.values()) lm.remove();
            links.clear();
            for (Meter m : nodeMeters) {
                for (MeterRegistry r : registries) r.remove(m);
            }
            nodeMeters.clear();
        }
    }
}
