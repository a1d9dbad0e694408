package io.jtipc.nametable;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.IntFunction;

import io.jtipc.wire.Tipc;

/**
 * The binding table as it was before issue 15 (lists walked linearly), kept as the reference model for
 * {@code BindingTableDifferentialTest}: same results, same rotation order, same dump order. Subscriptions are
 * left out.
 */
final class LinearBindingTable {
    /** Hash buckets of the binding table; {@link #publications()} dump order follows them (name_table.h TIPC_NAMETBL_SIZE). */
    public static final int TIPC_NAMETBL_SIZE = 1024;
    /** Legacy Z.C.N address mask, zone and cluster part (net/tipc/addr.h). */
    private static final int ZONE_CLUSTER_MASK = 0xFFFFF000;
    /** Legacy Z.C.N address mask, zone part (net/tipc/addr.h). */
    private static final int ZONE_MASK = 0xFF000000;

    private final int ownNode;
    private boolean legacyAddrFormat;
    private final Map<Integer, Service> services = new HashMap<>();
    @SuppressWarnings("unchecked")
    private final ArrayList<Service>[] buckets = new ArrayList[TIPC_NAMETBL_SIZE];
    private final Map<Integer, LinkedHashSet<Publication>> byNode = new HashMap<>();
    private final List<BindingListener> listeners = new ArrayList<>();
    private long changeCount;
    private int size;

    /**
     * @param ownNode this node's address (unsigned 32 bits); bindings with this node (or node 0) are "local"
     *                ({@code in_own_node}, net/tipc/addr.h)
     */
    LinearBindingTable(int ownNode) {
        this.ownNode = ownNode;
    }

    /** This node's address. */
    public int ownNode() {
        return ownNode;
    }

    /**
     * Selects the legacy Z.C.N address behaviour ({@code tn->legacy_addr_format}): lookups with lookup node 0
     * then prefer local bindings ("closest first") and lookup domains may be zone/cluster masks.
     * Default false (node identities configured as in 6.1 with {@code tipc node set identity}).
     */
    public void setLegacyAddressFormat(boolean legacy) {
        this.legacyAddrFormat = legacy;
    }

    /** Whether {@link #setLegacyAddressFormat(boolean)} is on. */
    public boolean legacyAddressFormat() {
        return legacyAddrFormat;
    }

    /** Number of successful inserts plus removes since creation (monotonic, never wraps in practice). */
    public long changeCount() {
        return changeCount;
    }

    /** Number of bindings in the table. */
    public int size() {
        return size;
    }

    /** Adds a listener called after every change (on the table's thread). */
    public void addListener(BindingListener l) {
        listeners.add(l);
    }

    /** Removes a listener added by {@link #addListener}. */
    public void removeListener(BindingListener l) {
        listeners.remove(l);
    }

    // ---------------------------------------------------------------------------------------------
    // insert / remove

    /**
     * Inserts a binding (kernel {@code tipc_nametbl_insert_publ}); reports it to attached subscriptions
     * (PUBLISHED; "must" report if it is the first binding of its exact range).
     *
     * @param type  service type
     * @param lower lower bound (unsigned)
     * @param upper upper bound (unsigned), must be {@code >= lower}
     * @param scope {@link Tipc#TIPC_CLUSTER_SCOPE} or {@link Tipc#TIPC_NODE_SCOPE} (stored as given)
     * @param port  socket reference
     * @param node  node of the socket
     * @param key   publication key
     * @return the new publication, or null if {@code lower > upper} or the binding is a duplicate
     */
    public Publication insert(int type, int lower, int upper, int scope, int port, int node, int key) {
        if (Integer.compareUnsigned(lower, upper) > 0) {
            return null;
        }
        Service sc = services.get(type);
        if (sc == null) {
            sc = createService(type);
        }
        ServiceRange sr = sc.exact.get(rangeKey(lower, upper));
        if (sr == null) {
            sr = new ServiceRange(lower, upper, sc.rangeSeq++);
            sc.ranges.add(sr);
            sc.exact.put(rangeKey(lower, upper), sr);
            sc.dirty = true;
        }
        for (Publication q : sr.allPubl) {
            if (q.key() == key && (q.node() == 0 || q.node() == node)) {
                return null;
            }
        }
        Publication p = new Publication(type, lower, upper, scope, port, node, key, sc.publCnt++);
        if (isOwn(node)) {
            sr.localPubl.addFirst(p);
        }
        sr.allPubl.addFirst(p);
        byNode.computeIfAbsent(node, k -> new LinkedHashSet<>()).add(p);
        size++;
        changeCount++;
        fire(new BindingChange(changeCount, true, p));
        return p;
    }

    /**
     * Removes a binding (kernel {@code tipc_nametbl_remove_publ}); reports it to attached subscriptions
     * (WITHDRAWN; "must" report if it was the last binding of its exact range). The first binding of the
     * exact range {@code [lower, upper]} with this key and, if {@code node != 0}, this node is removed.
     *
     * @return the removed publication, or null if none matched
     */
    public Publication remove(int type, int lower, int upper, int node, int key) {
        Service sc = services.get(type);
        if (sc == null) {
            return null;
        }
        ServiceRange sr = sc.exact.get(rangeKey(lower, upper));
        if (sr == null) {
            return null;
        }
        Publication p = null;
        for (Publication q : sr.allPubl) {
            if (q.key() != key || (node != 0 && node != q.node())) {
                continue;
            }
            p = q;
            break;
        }
        if (p == null) {
            return null;
        }
        sr.allPubl.remove(p);
        sr.localPubl.remove(p);
        LinkedHashSet<Publication> nl = byNode.get(p.node());
        if (nl != null) {
            nl.remove(p);
            if (nl.isEmpty()) {
                byNode.remove(p.node());
            }
        }
        size--;
        changeCount++;
        if (sr.allPubl.isEmpty()) {
            sc.ranges.remove(sr);
            sc.exact.remove(rangeKey(lower, upper));
            sc.dirty = true;
        }
        maybeDeleteService(sc);
        fire(new BindingChange(changeCount, false, p));
        return p;
    }

    /**
     * Removes every binding published by {@code node}, oldest first, as the kernel does when contact with
     * a peer is lost ({@code tipc_publ_notify} / {@code tipc_publ_purge}, net/tipc/name_distr.c). Each
     * removal is reported to subscriptions like {@link #remove}.
     *
     * @return the removed publications in removal order
     */
    public List<Publication> removeAllOfNode(int node) {
        LinkedHashSet<Publication> nl = byNode.get(node);
        if (nl == null) {
            return List.of();
        }
        List<Publication> out = new ArrayList<>();
        for (Publication p : new ArrayList<>(nl)) {
            Publication r = remove(p.type(), p.lower(), p.upper(), p.node(), p.key());
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    /** The bindings whose socket is on {@code node}, oldest first. */
    public List<Publication> publicationsOfNode(int node) {
        LinkedHashSet<Publication> nl = byNode.get(node);
        return nl == null ? List.of() : List.copyOf(nl);
    }

    // ---------------------------------------------------------------------------------------------
    // lookups

    /**
     * Anycast lookup of service address {@code {type, instance}} (kernel {@code tipc_nametbl_lookup_anycast}).
     *
     * <ul>
     *   <li>If {@code lookupNode} is neither 0 nor this node (nor, in legacy mode, a zone/cluster domain of
     *       this node), the lookup is deferred to that node: returns {@code SocketAddr(0, lookupNode)}
     *       without looking ({@code tipc_in_scope} false).</li>
     *   <li>Otherwise the first service range (in table order) containing the instance is used:
     *       <ul>
     *         <li>{@code lookupNode == ownNode}: round robin over the range's local bindings (a range without
     *             local bindings is skipped, the next matching range is tried);</li>
     *         <li>legacy mode, {@code lookupNode == 0} and the range has local bindings: round robin over them
     *             ("closest first");</li>
     *         <li>otherwise: round robin over all the range's bindings, whatever node.</li>
     *       </ul>
     *       Round robin = take the list head, move it to the tail. New bindings enter at the head, so the
     *       newest binding is chosen first.</li>
     * </ul>
     *
     * @return the chosen socket, {@code (0, lookupNode)} if deferred, or null if nothing matched
     */
    public SocketAddr lookupAnycast(int type, int instance, int lookupNode) {
        if (!inScope(lookupNode)) {
            return new SocketAddr(0, lookupNode);
        }
        Service sc = services.get(type);
        if (sc == null) {
            return null;
        }
        for (ServiceRange sr : matching(sc, instance, instance)) {
            ArrayDeque<Publication> l;
            if (lookupNode == ownNode) {
                if (sr.localPubl.isEmpty()) {
                    continue;
                }
                l = sr.localPubl;
            } else if (legacyAddrFormat && lookupNode == 0 && !sr.localPubl.isEmpty()) {
                l = sr.localPubl;
            } else {
                l = sr.allPubl;
            }
            Publication p = l.pollFirst();
            if (p == null) {
                continue; // only while a removal is being reported: the range is about to go
            }
            l.addLast(p);
            return new SocketAddr(p.port(), p.node());
        }
        return null;
    }

    /**
     * Local destination sockets of a multicast to {@code {type, lower, upper}} received by this node
     * (kernel {@code tipc_nametbl_lookup_mcast_sockets}): the ports of local bindings in every overlapping
     * range whose scope equals {@code scope}, or (if not {@code exact}) is numerically lower.
     *
     * @return distinct ports in kernel list order (last found first)
     */
    public List<Integer> lookupMcastSockets(int type, int lower, int upper, int scope, boolean exact) {
        LinkedHashSet<Integer> found = new LinkedHashSet<>();
        Service sc = services.get(type);
        if (sc != null) {
            for (ServiceRange sr : matching(sc, lower, upper)) {
                for (Publication p : sr.localPubl) {
                    if (p.scope() == scope || (!exact && p.scope() < scope)) {
                        found.add(p.port());
                    }
                }
            }
        }
        List<Integer> out = new ArrayList<>(found);
        Collections.reverse(out);
        return out;
    }

    /**
     * Destination nodes of a multicast to {@code {type, lower, upper}} sent from this node (kernel
     * {@code tipc_nametbl_lookup_mcast_nodes}): every node with a binding in an overlapping range.
     */
    public McastNodes lookupMcastNodes(int type, int lower, int upper) {
        boolean local = false;
        LinkedHashSet<Integer> remote = new LinkedHashSet<>();
        Service sc = services.get(type);
        if (sc != null) {
            for (ServiceRange sr : matching(sc, lower, upper)) {
                for (Publication p : sr.allPubl) {
                    if (p.node() == ownNode) {
                        local = true;
                    } else {
                        remote.add(p.node());
                    }
                }
            }
        }
        List<Integer> out = new ArrayList<>(remote);
        Collections.reverse(out);
        return new McastNodes(local, out);
    }

    /**
     * Group destination lookup (kernel {@code tipc_nametbl_lookup_group}): only the first range containing
     * {@code instance} is used; bindings of another scope, and this node's socket {@code excludePort}, are
     * skipped. Multicast returns all; anycast returns the first and rotates it to the tail.
     *
     * @return destinations in kernel list order (last found first)
     */
    public List<SocketAddr> lookupGroup(int type, int instance, int scope, int excludePort, boolean mcast) {
        LinkedHashSet<SocketAddr> dsts = new LinkedHashSet<>();
        Service sc = services.get(type);
        if (sc != null) {
            ServiceRange sr = null;
            for (ServiceRange r : matching(sc, instance, instance)) {
                sr = r;
                break;
            }
            if (sr != null) {
                for (Publication p : new ArrayList<>(sr.allPubl)) {
                    if (p.scope() != scope) {
                        continue;
                    }
                    if (p.port() == excludePort && p.node() == ownNode) {
                        continue;
                    }
                    dsts.add(new SocketAddr(p.port(), p.node()));
                    if (mcast) {
                        continue;
                    }
                    sr.allPubl.remove(p);
                    sr.allPubl.addLast(p);
                    break;
                }
            }
        }
        List<SocketAddr> out = new ArrayList<>(dsts);
        Collections.reverse(out);
        return out;
    }

    /**
     * Every binding in the order the kernel dumps them ({@code tipc_nl_name_table_dump}): hash bucket 0..1023,
     * services in bucket order (newest first), ranges in tree order, bindings in current list order.
     */
    public List<Publication> publications() {
        List<Publication> out = new ArrayList<>(size);
        for (ArrayList<Service> bucket : buckets) {
            if (bucket == null) {
                continue;
            }
            for (Service sc : bucket) {
                for (ServiceRange sr : sc.ranges) {
                    out.addAll(sr.allPubl);
                }
            }
        }
        return out;
    }

    /** The bindings of one service type overlapping {@code [lower, upper]}, in table order. */
    public List<Publication> publications(int type, int lower, int upper) {
        List<Publication> out = new ArrayList<>();
        Service sc = services.get(type);
        if (sc != null) {
            for (ServiceRange sr : matching(sc, lower, upper)) {
                out.addAll(sr.allPubl);
            }
        }
        return out;
    }

    /**
     * The table as {@code tipc nametable show} (iproute2 tipc/nametable.c) prints it: a header line
     * {@code "%-10s %-10s %-10s %-8s %-10s %-33s"} then per binding {@code "%-10u %-10u %-10u %-8s %-10u %s"}
     * (type, lower, upper, scope name, port, node name), each line ending in {@code '\n'}; nothing at all
     * for an empty table.
     *
     * @param nodeName renders a node address; iproute2 prints the node identity string
     *                 ({@code SIOCGETNODEID}), e.g. "srv-node"
     */
    public String format(IntFunction<String> nodeName) {
        StringBuilder sb = new StringBuilder();
        boolean first = true;
        for (Publication p : publications()) {
            if (first) {
                sb.append(String.format("%-10s %-10s %-10s %-8s %-10s %-33s", "Type", "Lower", "Upper", "Scope",
                        "Port", "Node")).append('\n');
                first = false;
            }
            sb.append(String.format("%-10s %-10s %-10s %-8s %-10s %s", Integer.toUnsignedString(p.type()),
                    Integer.toUnsignedString(p.lower()), Integer.toUnsignedString(p.upper()), scopeName(p.scope()),
                    Integer.toUnsignedString(p.port()), nodeName.apply(p.node()))).append('\n');
        }
        return sb.toString();
    }

    private static String scopeName(int scope) {
        switch (scope) {
            case Tipc.TIPC_ZONE_SCOPE: return "zone";
            case Tipc.TIPC_CLUSTER_SCOPE: return "cluster";
            case Tipc.TIPC_NODE_SCOPE: return "node";
            default: return "";
        }
    }

    /**
     * {@code time_after32(a, b)}: a is later than b in modulo-2^32 order; how publication ids ({@link Publication#id()},
     * per service type) order bindings by age.
     */
    public static boolean after(int a, int b) {
        return b - a < 0;
    }

    // ---------------------------------------------------------------------------------------------
    // internals

    private boolean isOwn(int node) {
        return node == ownNode || node == 0;
    }

    /** Kernel {@code tipc_in_scope(legacy, domain, self)} (net/tipc/addr.h). */
    boolean inScope(int domain) {
        if (domain == 0 || domain == ownNode) {
            return true;
        }
        if (!legacyAddrFormat) {
            return false;
        }
        return domain == (ownNode & ZONE_CLUSTER_MASK) || domain == (ownNode & ZONE_MASK);
    }

    private Service createService(int type) {
        Service sc = new Service(type);
        services.put(type, sc);
        int h = type & (TIPC_NAMETBL_SIZE - 1);
        if (buckets[h] == null) {
            buckets[h] = new ArrayList<>(2);
        }
        buckets[h].add(0, sc);
        return sc;
    }

    private void maybeDeleteService(Service sc) {
        if (sc.ranges.isEmpty()) {
            services.remove(sc.type);
            buckets[sc.type & (TIPC_NAMETBL_SIZE - 1)].remove(sc);
        }
    }

    /** The ranges overlapping {@code [start, end]} in tree order ({@code service_range_foreach_match}). */
    private static List<ServiceRange> matching(Service sc, int start, int end) {
        if (sc.dirty) {
            sc.sorted = sc.ranges.toArray(new ServiceRange[0]);
            sc.prefixMax = new int[sc.sorted.length];
            int max = 0;
            for (int i = 0; i < sc.sorted.length; i++) {
                if (i == 0 || Integer.compareUnsigned(sc.sorted[i].upper, max) > 0) {
                    max = sc.sorted[i].upper;
                }
                sc.prefixMax[i] = max;
            }
            sc.dirty = false;
        }
        // first index whose running max upper reaches start: no earlier range can overlap
        int lo = 0;
        int hi = sc.sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Integer.compareUnsigned(sc.prefixMax[mid], start) >= 0) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        List<ServiceRange> out = new ArrayList<>(2);
        for (int i = lo; i < sc.sorted.length; i++) {
            ServiceRange sr = sc.sorted[i];
            if (Integer.compareUnsigned(sr.lower, end) > 0) {
                break;
            }
            if (Integer.compareUnsigned(sr.upper, start) >= 0) {
                out.add(sr);
            }
        }
        return out;
    }

    private void fire(BindingChange c) {
        if (listeners.isEmpty()) {
            return;
        }
        for (BindingListener l : new ArrayList<>(listeners)) {
            l.onChange(c);
        }
    }

    private static long rangeKey(int lower, int upper) {
        return ((long) lower << 32) | (upper & 0xFFFFFFFFL);
    }

    private static final class Service {
        final int type;
        int publCnt;
        long rangeSeq;
        /** Kernel rb-tree order: lower ascending (unsigned), equal lower newest first. */
        final TreeSet<ServiceRange> ranges = new TreeSet<>((a, b) -> {
            int c = Integer.compareUnsigned(a.lower, b.lower);
            return c != 0 ? c : Long.compare(b.seq, a.seq);
        });
        final Map<Long, ServiceRange> exact = new HashMap<>();
        /**
         * Lookup index rebuilt lazily after a range is added or removed: the ranges in tree order and the running
         * maximum of their upper bounds (the kernel keeps the same maximum in its augmented rb-tree), so the first
         * range that can contain a value is found by binary search.
         */
        ServiceRange[] sorted = new ServiceRange[0];
        int[] prefixMax = new int[0];
        boolean dirty;

        Service(int type) {
            this.type = type;
        }
    }

    private static final class ServiceRange {
        final int lower;
        final int upper;
        final long seq;
        final ArrayDeque<Publication> allPubl = new ArrayDeque<>();
        final ArrayDeque<Publication> localPubl = new ArrayDeque<>();

        ServiceRange(int lower, int upper, long seq) {
            this.lower = lower;
            this.upper = upper;
            this.seq = seq;
        }
    }
}
