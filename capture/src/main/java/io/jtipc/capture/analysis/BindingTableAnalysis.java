package io.jtipc.capture.analysis;

import io.jtipc.capture.CapturedMessage;
import io.jtipc.capture.Origin;
import io.jtipc.capture.TipcMessageListener;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reconstructs the binding table (name table) from the NAME_DISTRIBUTOR traffic of a capture
 * (net/tipc/name_distr.c): bulk and incremental PUBLICATION / WITHDRAWAL messages, each carrying
 * 20-byte items {type, lower, upper, port, key} (struct distr_item), published by the message's
 * originating node (w6). Only cluster-scope bindings travel, so node-scope ones (e.g. the topology
 * server {1,1,1}) are never visible.
 *
 * <p>The table is kept per node, as each kernel keeps its own: the view of node N holds the bindings
 * N itself distributed plus those of every peer N has an up link to; when the last link between two
 * nodes goes down each drops the other's bindings (name_table.c on node loss). Link state comes from a
 * {@link LinkAnalysis}, which this analysis feeds itself. Retransmitted packets (same link seqno seen
 * again) and tunnelled copies (link synch/failover) are not applied twice.
 *
 * <p>The table can be evaluated at any time of the capture ({@link #viewsAt}); {@link #history()} lists
 * every publication, withdrawal and link change in capture order.
 */
public final class BindingTableAnalysis implements TipcMessageListener {

    /** One binding (publication) as distributed: service range, socket (port, node) and key. */
    public record CapturedBinding(long type, long lower, long upper, long port, long key, int node) {}

    /** Kind of a history entry. */
    public enum Kind { PUBLICATION, WITHDRAWAL, LINK_UP, LINK_DOWN }

    /**
     * One history entry: a distributed item (binding set, {@code bulk} if part of a bulk dump) or a
     * link change between {@code node} and {@code peer} (binding null).
     */
    public record Entry(long nanos, long frame, Kind kind, int node, int peer, boolean bulk, CapturedBinding binding) {}

    /** The binding table of one node at some time. */
    public record View(int node, List<CapturedBinding> bindings) {}

    private final LinkAnalysis links;
    private final boolean ownLinks;
    private final List<Entry> history = new ArrayList<>();
    private long firstNanos = -1;
    private long lastNanos = -1;
    private long malformedItems;
    private final TipcMsg hdr = new TipcMsg();

    /** An analysis with its own {@link LinkAnalysis}, fed by {@link #onMessage}. */
    public BindingTableAnalysis() {
        this(new LinkAnalysis(), true);
    }

    /**
     * An analysis that uses {@code links} for link state; the caller must forward every message to
     * {@code links} before this analysis.
     */
    public BindingTableAnalysis(LinkAnalysis links) {
        this(links, false);
    }

    private BindingTableAnalysis(LinkAnalysis links, boolean own) {
        this.links = links;
        this.ownLinks = own;
        links.addLinkListener(new LinkAnalysis.CapturedLinkListener() {
            @Override public void linkUp(LinkAnalysis.CapturedLink l, long nanos) {
                history.add(new Entry(nanos, -1, Kind.LINK_UP, l.a().node(), l.b().node(), false, null));
            }

            @Override public void linkDown(LinkAnalysis.CapturedLink l, long nanos) {
                history.add(new Entry(nanos, -1, Kind.LINK_DOWN, l.a().node(), l.b().node(), false, null));
            }
        });
    }

    /** The link analysis used for link state. */
    public LinkAnalysis links() {
        return links;
    }

    @Override
    public void onMessage(CapturedMessage m) {
        long t = m.timestampNanos();
        if (firstNanos < 0) firstNanos = t;
        lastNanos = Math.max(lastNanos, t);
        if (ownLinks) links.onMessage(m);
        if (m.user() != Tipc.NAME_DISTRIBUTOR || m.origin() == Origin.TUNNELLED) return;
        if (links.isRetransmission(m)) return;
        TipcMsg h = hdr.wrap(m.buf(), m.offset(), m.length());
        int hs = h.hdrSize();
        int type = h.type();
        if (type != Tipc.PUBLICATION && type != Tipc.WITHDRAWAL) return;
        int publisher = h.orignode();
        boolean bulk = h.isBulk() != 0;
        int dataLen = m.length() - hs;
        if (dataLen % Tipc.ITEM_SIZE != 0) malformedItems++;
        Kind kind = type == Tipc.PUBLICATION ? Kind.PUBLICATION : Kind.WITHDRAWAL;
        for (int p = hs; p + Tipc.ITEM_SIZE <= m.length(); p += Tipc.ITEM_SIZE) {
            int w = p / 4; // struct distr_item: type, lower, upper, port, key (net/tipc/name_distr.h)
            CapturedBinding b = new CapturedBinding(u32(h.word(w)), u32(h.word(w + 1)), u32(h.word(w + 2)),
                    u32(h.word(w + 3)), u32(h.word(w + 4)), publisher);
            history.add(new Entry(t, m.frameNumber(), kind, publisher, 0, bulk, b));
        }
    }

    private static long u32(int x) {
        return x & 0xffffffffL;
    }

    /** Every publication, withdrawal and link change in capture order. */
    public List<Entry> history() {
        return Collections.unmodifiableList(history);
    }

    /** Timestamp of the first / last message seen (ns since the epoch), -1 if none. */
    public long firstNanos() { return firstNanos; }

    public long lastNanos() { return lastNanos; }

    /** NAME_DISTRIBUTOR messages whose data was not a whole number of 20-byte items. */
    public long malformedItems() { return malformedItems; }

    /** The table of every node at the end of the messages fed. */
    public List<View> views() {
        return viewsAt(Long.MAX_VALUE);
    }

    /**
     * The table of every node (publishers and link endpoints, in order of appearance) as it stood at
     * {@code nanos} (entries with a time &lt;= nanos applied). Bindings are in the order
     * {@code tipc nametable show} prints them: by hash bucket of the type (type &amp; 1023,
     * net/tipc/name_table.c), then type, lower, upper, then publication order.
     */
    public List<View> viewsAt(long nanos) {
        Map<Integer, LinkedHashMap<CapturedBinding, Long>> published = new LinkedHashMap<>();
        Map<Long, Integer> upLinks = new HashMap<>();
        // viewer << 32 | publisher -> publication order at which the viewer lost its last link to the publisher:
        // it purged the publisher's bindings then (name_distr.c tipc_publ_notify), and sees only those published anew
        Map<Long, Long> purgedAt = new HashMap<>();
        Map<Integer, Long> lastPurgeOf = new HashMap<>();
        Set<Integer> nodes = new LinkedHashSet<>();
        long seq = 0;
        for (Entry e : history) {
            if (e.nanos() > nanos) break;
            switch (e.kind()) {
                case PUBLICATION -> {
                    nodes.add(e.node());
                    LinkedHashMap<CapturedBinding, Long> own =
                            published.computeIfAbsent(e.node(), k -> new LinkedHashMap<>());
                    Long old = own.get(e.binding());
                    if (old == null || old < lastPurgeOf.getOrDefault(e.node(), 0L)) { // new, or again after a purge
                        own.remove(e.binding());
                        own.put(e.binding(), seq++);
                    }
                }
                case WITHDRAWAL -> {
                    nodes.add(e.node());
                    LinkedHashMap<CapturedBinding, Long> own = published.get(e.node());
                    if (own != null) own.remove(e.binding());
                }
                case LINK_UP -> {
                    nodes.add(e.node());
                    nodes.add(e.peer());
                    upLinks.merge(pair(e.node(), e.peer()), 1, Integer::sum);
                }
                case LINK_DOWN -> {
                    if (upLinks.computeIfPresent(pair(e.node(), e.peer()), (k, v) -> v > 1 ? v - 1 : null) == null) {
                        purgedAt.put(directed(e.node(), e.peer()), seq);
                        purgedAt.put(directed(e.peer(), e.node()), seq);
                        lastPurgeOf.put(e.node(), seq);
                        lastPurgeOf.put(e.peer(), seq);
                    }
                }
            }
        }
        List<View> views = new ArrayList<>();
        for (int n : nodes) {
            Map<CapturedBinding, Long> visible = new HashMap<>();
            for (Map.Entry<Integer, LinkedHashMap<CapturedBinding, Long>> pe : published.entrySet()) {
                int p = pe.getKey();
                if (p == n) {
                    visible.putAll(pe.getValue());
                } else if (upLinks.containsKey(pair(n, p))) {
                    long since = purgedAt.getOrDefault(directed(n, p), 0L);
                    for (Map.Entry<CapturedBinding, Long> b : pe.getValue().entrySet()) {
                        if (b.getValue() >= since) visible.put(b.getKey(), b.getValue());
                    }
                }
            }
            List<CapturedBinding> list = new ArrayList<>(visible.keySet());
            list.sort(Comparator.<CapturedBinding>comparingLong(b -> b.type() & 1023).thenComparingLong(CapturedBinding::type)
                    .thenComparingLong(CapturedBinding::lower).thenComparingLong(CapturedBinding::upper)
                    .thenComparingLong(visible::get));
            views.add(new View(n, list));
        }
        return views;
    }

    private static long directed(int viewer, int publisher) {
        return (viewer & 0xffffffffL) << 32 | (publisher & 0xffffffffL);
    }

    private static long pair(int x, int y) {
        long a = Math.min(x & 0xffffffffL, y & 0xffffffffL);
        long b = Math.max(x & 0xffffffffL, y & 0xffffffffL);
        return (a << 32) | b;
    }

    /** Node identity string of an address (as {@code tipc nametable show} prints it). */
    public String nodeName(int addr) {
        return links.nodeName(addr);
    }

    /** The node identity string learnt for {@code addr}, or null ({@link LinkAnalysis#nodeId}). */
    public String nodeId(int addr) {
        return links.nodeId(addr);
    }

    /** The tables at {@code nanos} in the format of {@code tipc nametable show}, one per node. */
    public String formatViews(long nanos) {
        StringBuilder sb = new StringBuilder();
        List<View> views = viewsAt(nanos);
        if (views.isEmpty()) sb.append("No binding table traffic (NAME_DISTRIBUTOR) in the capture.\n");
        for (View v : views) {
            sb.append("Binding table of ").append(nodeName(v.node())).append(" (").append(Integer.toHexString(v.node()))
                    .append(") at ").append(rel(Math.min(nanos, lastNanos)))
                    .append(" s, cluster-scope bindings as distributed:\n");
            sb.append(String.format(Locale.ROOT, "%-10s %-10s %-10s %-8s %-10s %-33s%n", "Type", "Lower", "Upper",
                    "Scope", "Port", "Node"));
            for (CapturedBinding b : v.bindings()) {
                sb.append(String.format(Locale.ROOT, "%-10d %-10d %-10d %-8s %-10d %s%n", b.type(), b.lower(),
                        b.upper(), "cluster", b.port(), nodeName(b.node())));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Every history entry, one per line, columns aligned like the table. */
    public String formatHistory() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-12s %-7s %-16s %-11s %-10s %-10s %-10s %-8s %-10s %-10s %s%n",
                "Time", "Frame", "Node", "Event", "Type", "Lower", "Upper", "Scope", "Port", "Key", "Note"));
        for (Entry e : history) {
            if (e.binding() != null) {
                CapturedBinding b = e.binding();
                sb.append(String.format(Locale.ROOT, "%-12s %-7d %-16s %-11s %-10d %-10d %-10d %-8s %-10d %-10d %s%n",
                        rel(e.nanos()), e.frame(), nodeName(e.node()),
                        e.kind() == Kind.PUBLICATION ? "PUBLISH" : "WITHDRAW", b.type(), b.lower(), b.upper(),
                        "cluster", b.port(), b.key(), e.bulk() ? "bulk" : ""));
            } else {
                sb.append(String.format(Locale.ROOT, "%-12s %-7s %-16s %-11s %s%n", rel(e.nanos()), "-",
                        nodeName(e.node()), e.kind() == Kind.LINK_UP ? "LINK-UP" : "LINK-DOWN",
                        "with " + nodeName(e.peer())
                                + (e.kind() == Kind.LINK_DOWN ? ": each node drops the other's bindings if no other link"
                                : "")));
            }
        }
        return sb.toString();
    }

    /** Seconds since the origin (first message, or what {@code setOrigin} set). */
    public double seconds(long nanos) {
        return (nanos - firstNanos) / 1e9;
    }

    /** Seconds since the first message seen (or the origin set), 6 decimals. */
    public String rel(long nanos) {
        return String.format(Locale.ROOT, "%.6f", (nanos - firstNanos) / 1e9);
    }

    /**
     * Converts seconds relative to the origin into an absolute time for {@link #viewsAt}, saturated: a time past what
     * a long holds (1e10 s, Infinity) is {@link Long#MAX_VALUE}, the end of the capture (the sum overflowed to a
     * time before the capture: the empty table); likewise {@link Long#MIN_VALUE} below. NaN counts as 0.
     */
    public long atSeconds(double seconds) {
        long d = Math.round(seconds * 1e9); // saturates at Long.MAX_VALUE / MIN_VALUE
        try {
            return Math.addExact(firstNanos, d);
        } catch (ArithmeticException e) {
            return d > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
    }

    /** Overrides the time origin (e.g. the first frame of the capture). */
    public void setOrigin(long nanos) {
        firstNanos = nanos;
        links.setOrigin(nanos);
    }
}
