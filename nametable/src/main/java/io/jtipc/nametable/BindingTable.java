package io.jtipc.nametable;

import static io.jtipc.nametable.RangeNode.u;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcEvent;
import io.jtipc.wire.TipcSubscr;

/**
 * The binding table of one node (kernel net/tipc/name_table.c): every publication this node knows,
 * its own and its peers', organised as the kernel does so that lookups, rotation and dump order are
 * the kernel's, but indexed so that no operation on one binding walks a list of bindings.
 *
 * <h2>Structure (mirrors name_table.c)</h2>
 * <ul>
 *   <li>Services ({@code struct tipc_service}) are kept per type in 1024 hash buckets
 *       ({@code hash(type) = type & 1023}); a new service is put at the head of its bucket (a doubly linked
 *       chain, so removal is O(1)).</li>
 *   <li>Each service holds its service ranges ({@code struct service_range}) in a balanced search tree ordered
 *       as the kernel's rb-tree: by lower bound ascending (unsigned); ranges with the same lower bound newest
 *       first (the kernel inserts equal lower bounds to the left). Like the kernel's augmented rb-tree each tree
 *       node keeps the largest upper bound of its subtree, so the ranges overlapping a value are found in
 *       O(log r + k) for r ranges and k matches; it also keeps the largest upper bound among ranges with local
 *       bindings, so own-node lookups skip ranges without them in O(log r).</li>
 *   <li>Each range holds {@code all_publ} (every binding of exactly that range) and {@code local_publ}
 *       (those bound on this node, or node 0) as doubly linked lists; a new binding is put at the head of both
 *       lists. Each binding also sits in its range's per-node list (same order as {@code all_publ}), its range's
 *       age list (oldest first) and its node's list (oldest first), and in a hash index keyed by its identity
 *       (type, lower, upper, node, key), so insert, remove and round-robin rotation are O(1) plus the
 *       O(log r) tree update when a range appears or goes.</li>
 *   <li>Each service has a per-type publication counter giving every binding an id (age).</li>
 * </ul>
 *
 * <h2>Identity</h2>
 * Insert is refused for {@code lower > upper} and for a duplicate: same exact range and same key, on an
 * existing binding whose node is 0 or equals the new node ({@code tipc_service_insert_publ}). Removal
 * matches exact range, key and, when the given node is not 0, node; the port is not compared
 * ({@code tipc_service_remove_publ}). With node 0 the first match in {@code all_publ} order is removed.
 *
 * <h2>Memory accounting</h2>
 * Every binding is charged, when inserted, an estimate of the heap it makes the table hold
 * ({@link #PUBLICATION_BYTES}, plus {@link #RANGE_BYTES} if it created its service range, {@link #SERVICE_BYTES}
 * if it created its service and {@link #NODE_GROUP_BYTES} if it is the first binding of its node in its range);
 * the charge is refunded when it is removed, but for the part of a structure that outlives it, which a binding that
 * keeps it is charged from then on (the node group: the node's next binding in the range; the range: its oldest
 * binding; the service: the oldest of another range). {@link #bytes()} and {@link #bytes(int)} sum the charges of
 * live bindings, never less than the estimate of what the table holds for them. The table itself enforces no bound; {@link NameDistributor} does, per peer and in total.
 *
 * <h2>Threading</h2>
 * Not thread-safe: one thread (the node's event loop) owns it. Subscriptions attached by
 * {@link TopologySubscriptions} and {@link BindingListener}s are called synchronously on that thread; a
 * listener that hands changes to other threads does its own locking (the api module's event loop does so).
 * Every successful insert or remove increments {@link #changeCount()} by exactly one.
 *
 * <h2>Work</h2>
 * Every loop over range-tree nodes, bindings or node groups counts its steps in {@link #visits()}, a plain
 * counter tests bound to show that operations stay O(log n) under a flood without timing them.
 */
public final class BindingTable {
    /** Hash buckets of the binding table; {@link #publications()} dump order follows them (name_table.h TIPC_NAMETBL_SIZE). */
    public static final int TIPC_NAMETBL_SIZE = 1024;
    /**
     * Estimated heap bytes one binding costs (64-bit JVM, compressed references): the {@link Publication}
     * (48), its table entry with its ten list links (96) and its identity index entry (key 32, map node 32,
     * table slot 8), rounded up. Checked by hand (heap growth after GC over 200 000 bindings, JDK 17): 208 bytes
     * per binding on one range, 552 with a range each (charged 560), 775 with a service each (charged 784).
     */
    public static final int PUBLICATION_BYTES = 224;
    /** {@link BindingEntry#parts}: the binding pays for its service, its range, its node's group in the range. */
    static final int PART_SERVICE = 1, PART_RANGE = 2, PART_GROUP = 4;
    /** Estimated heap bytes of one service range: tree node and lists (80), exact-range index entry (64), node map (112). */
    public static final int RANGE_BYTES = 256;
    /** Estimated heap bytes of one service: the service (64), its map entry (48), its range index map and list (112). */
    public static final int SERVICE_BYTES = 224;
    /** Estimated heap bytes of one node's list within one range (32) and its node-map entry (48). */
    public static final int NODE_GROUP_BYTES = 80;

    /** Legacy Z.C.N address mask, zone and cluster part (net/tipc/addr.h). */
    private static final int ZONE_CLUSTER_MASK = 0xFFFFF000;
    /** Legacy Z.C.N address mask, zone part (net/tipc/addr.h). */
    private static final int ZONE_MASK = 0xFF000000;

    private final int ownNode;
    private boolean legacyAddrFormat;
    private final Map<Integer, Service> services = new HashMap<>();
    /** Head of each hash chain ({@code nt->services[]}). */
    private final Service[] buckets = new Service[TIPC_NAMETBL_SIZE];
    /** Every binding by identity. */
    private final Map<Ident, BindingEntry> index = new HashMap<>();
    /** Bindings per node of their socket, oldest first ({@code n->publ_list}). */
    private final Map<Integer, NodeBindings> byNode = new HashMap<>();
    private final List<BindingListener> listeners = new ArrayList<>();
    private static final BindingListener[] NO_LISTENERS = {};
    /** Steps of every tree and list walk ({@link #visits()}). */
    private final VisitCounter counter = new VisitCounter();
    private long changeCount;
    private int size;
    private long bytes;

    /**
     * @param ownNode this node's address (unsigned 32 bits); bindings with this node (or node 0) are "local"
     *                ({@code in_own_node}, net/tipc/addr.h)
     */
    public BindingTable(int ownNode) {
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

    /**
     * Steps taken by every walk since creation (see {@link VisitCounter}): range-tree nodes passed and bindings or
     * node groups looped over. Tests bound it to check that operations stay O(log n), not O(n), without timing them.
     */
    long visits() {
        return counter.visits;
    }

    /** Number of bindings in the table. */
    public int size() {
        return size;
    }

    /** Estimated heap bytes held by all bindings (sum of their charges, see the class comment). */
    public long bytes() {
        return bytes;
    }

    /** Number of bindings whose socket is on {@code node}. */
    public int size(int node) {
        NodeBindings nb = byNode.get(node);
        return nb == null ? 0 : nb.count;
    }

    /** Estimated heap bytes held by the bindings whose socket is on {@code node}. */
    public long bytes(int node) {
        NodeBindings nb = byNode.get(node);
        return nb == null ? 0 : nb.bytes;
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
     * The bytes {@link #insert} would charge for this binding, or -1 if it would refuse it ({@code lower > upper}
     * or a duplicate). O(1) expected; changes nothing.
     */
    public long insertCost(int type, int lower, int upper, int node, int key) {
        if (Integer.compareUnsigned(lower, upper) > 0) {
            return -1;
        }
        Service sc = services.get(type);
        long cost = PUBLICATION_BYTES;
        if (sc == null || sc.ranges == null) {
            return cost + SERVICE_BYTES + RANGE_BYTES + NODE_GROUP_BYTES;
        }
        RangeNode sr = sc.exact.get(rangeKey(lower, upper));
        if (sr == null) {
            return cost + RANGE_BYTES + NODE_GROUP_BYTES;
        }
        if (isDuplicate(type, lower, upper, node, key)) {
            return -1;
        }
        return sr.groups.containsKey(node) ? cost : cost + NODE_GROUP_BYTES;
    }

    /**
     * Inserts a binding (kernel {@code tipc_nametbl_insert_publ}); reports it to attached subscriptions
     * (PUBLISHED; "must" report if it is the first binding of its exact range). O(1) expected, plus O(log r)
     * if it creates its range.
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
        int charge = PUBLICATION_BYTES;
        int parts = 0;
        Service sc = services.get(type);
        if (sc == null) {
            sc = createService(type);
        }
        if (sc.ranges == null) {
            charge += SERVICE_BYTES; // new, or kept only by subscriptions: the first binding pays for it
            parts |= PART_SERVICE;
        }
        RangeNode sr = sc.exact.get(rangeKey(lower, upper));
        if (sr == null) {
            sr = new RangeNode(lower, upper, sc.rangeSeq++);
            sc.ranges = RangeTree.insert(counter, sc.ranges, sr);
            sc.exact.put(rangeKey(lower, upper), sr);
            charge += RANGE_BYTES;
            parts |= PART_RANGE;
        } else if (isDuplicate(type, lower, upper, node, key)) {
            return null;
        }
        boolean first = sr.allHead == null;
        Publication p = new Publication(type, lower, upper, scope, port, node, key, sc.publCnt++);
        BindingEntry e = new BindingEntry(p, sr);
        // all_publ: list_add (head)
        e.label = sr.labelLo--;
        e.allNext = sr.allHead;
        if (sr.allHead != null) {
            sr.allHead.allPrev = e;
        } else {
            sr.allTail = e;
        }
        sr.allHead = e;
        // local_publ: list_add (head)
        if (isOwn(node)) {
            e.local = true;
            e.localNext = sr.localHead;
            if (sr.localHead != null) {
                sr.localHead.localPrev = e;
            } else {
                sr.localTail = e;
            }
            sr.localHead = e;
            if (sr.localCount++ == 0) {
                sc.ranges = RangeTree.touch(counter, sc.ranges, sr);
            }
        }
        // age list: tail
        e.agePrev = sr.ageTail;
        if (sr.ageTail != null) {
            sr.ageTail.ageNext = e;
        } else {
            sr.ageHead = e;
        }
        sr.ageTail = e;
        // the node's list within the range: head (the entry has the smallest label)
        BindingNodeGroup g = sr.groups.get(node);
        if (g == null) {
            g = new BindingNodeGroup(node);
            sr.groups.put(node, g);
            charge += NODE_GROUP_BYTES;
            parts |= PART_GROUP;
        }
        e.group = g;
        e.groupNext = g.head;
        if (g.head != null) {
            g.head.groupPrev = e;
        } else {
            g.tail = e;
        }
        g.head = e;
        // the node's list: tail
        NodeBindings nb = byNode.computeIfAbsent(node, NodeBindings::new);
        e.nodePrev = nb.tail;
        if (nb.tail != null) {
            nb.tail.nodeNext = e;
        } else {
            nb.head = e;
        }
        nb.tail = e;
        nb.count++;
        nb.bytes += charge;
        e.charge = charge;
        e.parts = (byte) parts;
        index.put(new Ident(type, lower, upper, node, key), e);
        size++;
        bytes += charge;
        changeCount++;
        if (!sc.subscriptions.isEmpty()) {
            Subscription[] subs = newestFirst(sc);
            for (Subscription sub : subs) {
                sub.reportOverlap(p, TipcEvent.TIPC_PUBLISHED, first);
            }
        }
        fire(new BindingChange(changeCount, true, p));
        return p;
    }

    /**
     * Removes a binding (kernel {@code tipc_nametbl_remove_publ}); reports it to attached subscriptions
     * (WITHDRAWN; "must" report if it was the last binding of its exact range). The first binding of the
     * exact range {@code [lower, upper]} with this key and, if {@code node != 0}, this node is removed.
     * O(1) expected with a node (plus O(log r) if its range goes); with node 0, O(nodes with bindings in the range).
     *
     * @return the removed publication, or null if none matched
     */
    public Publication remove(int type, int lower, int upper, int node, int key) {
        BindingEntry e;
        if (node != 0) {
            e = index.get(new Ident(type, lower, upper, node, key));
        } else {
            e = null;
            Service sc = services.get(type);
            RangeNode sr = sc == null ? null : sc.exact.get(rangeKey(lower, upper));
            if (sr != null) {
                // the first in all_publ order with this key: per node at most one, the one with the lowest label
                for (BindingNodeGroup g : sr.groups.values()) {
                    counter.visits++;
                    BindingEntry c = index.get(new Ident(type, lower, upper, g.node, key));
                    if (c != null && (e == null || c.label < e.label)) {
                        e = c;
                    }
                }
            }
        }
        if (e == null) {
            return null;
        }
        removeEntry(e);
        return e.p;
    }

    /**
     * Removes every binding published by {@code node}, oldest first, as the kernel does when contact with
     * a peer is lost ({@code tipc_publ_notify} / {@code tipc_publ_purge}, net/tipc/name_distr.c). Each
     * removal is reported to subscriptions like {@link #remove}. Cost proportional to that node's bindings.
     *
     * @return the removed publications in removal order
     */
    public List<Publication> removeAllOfNode(int node) {
        NodeBindings nb = byNode.get(node);
        if (nb == null) {
            return List.of();
        }
        List<Publication> out = new ArrayList<>(nb.count);
        BindingEntry e;
        while ((e = nb.head) != null) {
            counter.visits++;
            removeEntry(e);
            out.add(e.p);
        }
        return out;
    }

    /** The bindings whose socket is on {@code node}, oldest first. */
    public List<Publication> publicationsOfNode(int node) {
        NodeBindings nb = byNode.get(node);
        if (nb == null) {
            return List.of();
        }
        List<Publication> out = new ArrayList<>(nb.count);
        for (BindingEntry e = nb.head; e != null; e = e.nodeNext) {
            counter.visits++;
            out.add(e.p);
        }
        return Collections.unmodifiableList(out);
    }

    private boolean isDuplicate(int type, int lower, int upper, int node, int key) {
        // an existing binding with this key on node 0 or on the same node ({@code tipc_service_insert_publ})
        return index.containsKey(new Ident(type, lower, upper, node, key))
                || (node != 0 && index.containsKey(new Ident(type, lower, upper, 0, key)));
    }

    private void removeEntry(BindingEntry e) {
        RangeNode sr = e.range;
        Publication p = e.p;
        Service sc = services.get(p.type());
        unlinkAll(sr, e);
        if (e.local) {
            unlinkLocal(sr, e);
            if (--sr.localCount == 0 && sr.allHead != null) {
                sc.ranges = RangeTree.touch(counter, sc.ranges, sr);
            }
        }
        // age list
        if (e.agePrev != null) {
            e.agePrev.ageNext = e.ageNext;
        } else {
            sr.ageHead = e.ageNext;
        }
        if (e.ageNext != null) {
            e.ageNext.agePrev = e.agePrev;
        } else {
            sr.ageTail = e.agePrev;
        }
        // the node's list within the range
        BindingNodeGroup g = e.group;
        unlinkGroup(g, e);
        if (g.head == null) {
            sr.groups.remove(g.node);
        }
        // the node's list
        NodeBindings nb = byNode.get(p.node());
        if (e.nodePrev != null) {
            e.nodePrev.nodeNext = e.nodeNext;
        } else {
            nb.head = e.nodeNext;
        }
        if (e.nodeNext != null) {
            e.nodeNext.nodePrev = e.nodePrev;
        } else {
            nb.tail = e.nodePrev;
        }
        nb.count--;
        nb.bytes -= e.charge;
        if (nb.head == null) {
            byNode.remove(p.node());
        }
        index.remove(new Ident(p.type(), p.lower(), p.upper(), p.node(), p.key()));
        size--;
        bytes -= e.charge;
        changeCount++;
        boolean last = sr.allHead == null;
        if (!sc.subscriptions.isEmpty()) {
            Subscription[] subs = newestFirst(sc);
            for (Subscription sub : subs) {
                sub.reportOverlap(p, TipcEvent.TIPC_WITHDRAWN, last);
            }
        }
        if (last) {
            sc.ranges = RangeTree.delete(counter, sc.ranges, sr);
            sc.exact.remove(rangeKey(sr.lower, sr.upper));
        }
        // what e paid for a structure that outlives it is charged to a binding that keeps it (its node's sum too),
        // so the bytes charged never fall below what the table holds (a peer withdrawing every first binding)
        passOn(e, PART_GROUP, g.head, NODE_GROUP_BYTES);
        passOn(e, PART_RANGE, sr.ageHead, RANGE_BYTES);
        passOn(e, PART_SERVICE, sc.ranges == null ? null : sc.ranges.ageHead, SERVICE_BYTES);
        maybeDeleteService(sc);
        fire(new BindingChange(changeCount, false, p));
    }

    /** Charges {@code n} bytes of removed {@code e}'s {@code part} to {@code heir} (null: the structure is gone). */
    private void passOn(BindingEntry e, int part, BindingEntry heir, int n) {
        if ((e.parts & part) == 0 || heir == null) return;
        heir.parts |= (byte) part;
        heir.charge += n;
        byNode.get(heir.p.node()).bytes += n;
        bytes += n;
    }

    private static void unlinkAll(RangeNode sr, BindingEntry e) {
        if (e.allPrev != null) {
            e.allPrev.allNext = e.allNext;
        } else {
            sr.allHead = e.allNext;
        }
        if (e.allNext != null) {
            e.allNext.allPrev = e.allPrev;
        } else {
            sr.allTail = e.allPrev;
        }
        e.allPrev = null;
        e.allNext = null;
    }

    private static void unlinkLocal(RangeNode sr, BindingEntry e) {
        if (e.localPrev != null) {
            e.localPrev.localNext = e.localNext;
        } else {
            sr.localHead = e.localNext;
        }
        if (e.localNext != null) {
            e.localNext.localPrev = e.localPrev;
        } else {
            sr.localTail = e.localPrev;
        }
        e.localPrev = null;
        e.localNext = null;
    }

    private static void unlinkGroup(BindingNodeGroup g, BindingEntry e) {
        if (e.groupPrev != null) {
            e.groupPrev.groupNext = e.groupNext;
        } else {
            g.head = e.groupNext;
        }
        if (e.groupNext != null) {
            e.groupNext.groupPrev = e.groupPrev;
        } else {
            g.tail = e.groupPrev;
        }
        e.groupPrev = null;
        e.groupNext = null;
    }

    /** {@code list_move_tail(&p->all_publ, &sr->all_publ)}: O(1); keeps the node's list in the same order. */
    private static void rotateAll(RangeNode sr, BindingEntry e) {
        if (sr.allTail == e) {
            return;
        }
        unlinkAll(sr, e);
        e.label = ++sr.labelHi;
        e.allPrev = sr.allTail;
        sr.allTail.allNext = e;
        sr.allTail = e;
        BindingNodeGroup g = e.group;
        if (g.tail != e) {
            unlinkGroup(g, e);
            e.groupPrev = g.tail;
            g.tail.groupNext = e;
            g.tail = e;
        }
    }

    /** {@code list_move_tail(&p->local_publ, &sr->local_publ)}: O(1). */
    private static void rotateLocal(RangeNode sr, BindingEntry e) {
        if (sr.localTail == e) {
            return;
        }
        unlinkLocal(sr, e);
        e.localPrev = sr.localTail;
        sr.localTail.localNext = e;
        sr.localTail = e;
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
     * O(log r) for r ranges of the type (ranges without local bindings are skipped through the tree).
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
        boolean own = lookupNode == ownNode;
        BindingEntry[] chosen = new BindingEntry[1];
        RangeTree.walk(counter, sc.ranges, u(instance), u(instance), own, sr -> {
            BindingEntry p;
            if (own || (legacyAddrFormat && lookupNode == 0 && sr.localHead != null)) {
                p = sr.localHead;
                if (p == null) {
                    return false;
                }
                rotateLocal(sr, p);
            } else {
                p = sr.allHead;
                if (p == null) {
                    return false; // only while a removal is being reported: the range is about to go
                }
                rotateAll(sr, p);
            }
            chosen[0] = p;
            return true;
        });
        return chosen[0] == null ? null : new SocketAddr(chosen[0].p.port(), chosen[0].p.node());
    }

    /**
     * Local destination sockets of a multicast to {@code {type, lower, upper}} received by this node
     * (kernel {@code tipc_nametbl_lookup_mcast_sockets}): the ports of local bindings in every overlapping
     * range whose scope equals {@code scope}, or (if not {@code exact}) is numerically lower. Ranges without
     * local bindings are skipped through the tree; cost O(log r) plus the local bindings visited.
     *
     * @return distinct ports in kernel list order (last found first)
     */
    public List<Integer> lookupMcastSockets(int type, int lower, int upper, int scope, boolean exact) {
        LinkedHashSet<Integer> found = new LinkedHashSet<>();
        Service sc = services.get(type);
        if (sc != null) {
            RangeTree.walk(counter, sc.ranges, u(lower), u(upper), true, sr -> {
                for (BindingEntry e = sr.localHead; e != null; e = e.localNext) {
                    counter.visits++;
                    Publication p = e.p;
                    if (p.scope() == scope || (!exact && p.scope() < scope)) {
                        found.add(p.port());
                    }
                }
                return false;
            });
        }
        List<Integer> out = new ArrayList<>(found);
        Collections.reverse(out);
        return out;
    }

    /**
     * Destination nodes of a multicast to {@code {type, lower, upper}} sent from this node (kernel
     * {@code tipc_nametbl_lookup_mcast_nodes}): every node with a binding in an overlapping range, in the order
     * the kernel finds them (first occurrence walking each range's {@code all_publ}), last found first. Cost per
     * overlapping range is O(g log g) for the g nodes with bindings there, not the number of bindings.
     */
    public McastNodes lookupMcastNodes(int type, int lower, int upper) {
        boolean[] local = new boolean[1];
        LinkedHashSet<Integer> remote = new LinkedHashSet<>();
        Service sc = services.get(type);
        if (sc != null) {
            List<BindingNodeGroup> gs = new ArrayList<>();
            RangeTree.walk(counter, sc.ranges, u(lower), u(upper), false, sr -> {
                gs.clear();
                gs.addAll(sr.groups.values());
                // a node's first binding in all_publ order is the head of its list in the range
                gs.sort((a, b) -> Long.compare(a.head.label, b.head.label));
                for (BindingNodeGroup g : gs) {
                    counter.visits++;
                    if (g.node == ownNode) {
                        local[0] = true;
                    } else {
                        remote.add(g.node);
                    }
                }
                return false;
            });
        }
        List<Integer> out = new ArrayList<>(remote);
        Collections.reverse(out);
        return new McastNodes(local[0], out);
    }

    /**
     * Group destination lookup (kernel {@code tipc_nametbl_lookup_group}): only the first range containing
     * {@code instance} is used; bindings of another scope, and this node's socket {@code excludePort}, are
     * skipped. Multicast returns all; anycast returns the first and rotates it to the tail. Walks that range's
     * list as the kernel does: an anycast may step over every binding of the other scope on that exact range first
     * (at most the per-peer binding bound for one peer), a cost the kernel's group sends pay too.
     *
     * @return destinations in kernel list order (last found first)
     */
    public List<SocketAddr> lookupGroup(int type, int instance, int scope, int excludePort, boolean mcast) {
        LinkedHashSet<SocketAddr> dsts = new LinkedHashSet<>();
        Service sc = services.get(type);
        if (sc != null) {
            RangeNode[] first = new RangeNode[1];
            RangeTree.walk(counter, sc.ranges, u(instance), u(instance), false, r -> {
                first[0] = r;
                return true;
            });
            RangeNode sr = first[0];
            if (sr != null) {
                for (BindingEntry e = sr.allHead; e != null; e = e.allNext) {
                    counter.visits++;
                    Publication p = e.p;
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
                    rotateAll(sr, e);
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
        for (Service head : buckets) {
            for (Service sc = head; sc != null; sc = sc.bucketNext) {
                RangeTree.walk(counter, sc.ranges, 0, 0xFFFFFFFFL, false, sr -> {
                    addAll(out, sr);
                    return false;
                });
            }
        }
        return out;
    }

    /** The bindings of one service type overlapping {@code [lower, upper]}, in table order. */
    public List<Publication> publications(int type, int lower, int upper) {
        List<Publication> out = new ArrayList<>();
        Service sc = services.get(type);
        if (sc != null) {
            RangeTree.walk(counter, sc.ranges, u(lower), u(upper), false, sr -> {
                addAll(out, sr);
                return false;
            });
        }
        return out;
    }

    private void addAll(List<Publication> out, RangeNode sr) {
        for (BindingEntry e = sr.allHead; e != null; e = e.allNext) {
            counter.visits++;
            out.add(e.p);
        }
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

    // ---------------------------------------------------------------------------------------------
    // subscriptions (used by TopologySubscriptions)

    /**
     * Attaches a subscription to its service type and replays the matching bindings (kernel
     * {@code tipc_nametbl_subscribe} / {@code tipc_service_subscribe}): unless the filter has
     * {@link Subscription#TIPC_SUB_NO_STATUS}, PUBLISHED events for every overlapping binding (SUB_PORTS) or for
     * the oldest binding of each overlapping range (otherwise), sorted by age. Later changes are reported
     * live by {@link #insert}/{@link #remove}; being single-threaded there is no gap between the two.
     * The oldest binding of a range is the head of its age list: the kernel's minimum by {@code time_after32}
     * of the ids, which is the same binding as long as the ids alive in one range span less than 2^31.
     */
    void attach(Subscription sub) {
        int type = sub.type();
        Service sc = services.get(type);
        if (sc == null) {
            sc = createService(type);
        }
        sc.subscriptions.add(sub);
        sc.newestFirst = null;
        if ((sub.filter() & Subscription.TIPC_SUB_NO_STATUS) != 0) {
            return;
        }
        List<Publication> list = new ArrayList<>();
        boolean ports = (sub.filter() & TipcSubscr.TIPC_SUB_PORTS) != 0;
        RangeTree.walk(counter, sc.ranges, u(sub.lower()), u(sub.upper()), false, sr -> {
            if (ports) {
                addAll(list, sr);
            } else if (sr.ageHead != null) {
                list.add(sr.ageHead.p);
            }
            return false;
        });
        // oldest first, as list_sort with tipc_publ_sort (time_after32 of the ids): by age before the service's next
        // id, a total order even when the live ids span more than 2^31 (time_after32 then is not transitive, and
        // List.sort may throw on a comparator that is not), the same order whenever they do not
        int next = sc.publCnt;
        list.sort((a, b) -> Long.compare(Integer.toUnsignedLong(next - b.id()), Integer.toUnsignedLong(next - a.id())));
        for (Publication p : list) {
            sub.reportOverlap(p, TipcEvent.TIPC_PUBLISHED, true);
        }
    }

    /**
     * The service's subscriptions newest first, as the kernel's list (list_add at the head), in an array nobody changes:
     * a report may add or delete one (the next change then sees a new array). The set keeps them oldest first, so that
     * adding and deleting one costs O(1) whatever their number; the array is made again only after such a change, not
     * per binding change (a peer's flood of bindings on a subscribed type allocates nothing per item).
     */
    private static Subscription[] newestFirst(Service sc) {
        Subscription[] a = sc.newestFirst;
        if (a != null) return a;
        a = sc.subscriptions.toArray(new Subscription[0]);
        for (int i = 0, j = a.length - 1; i < j; i++, j--) {
            Subscription t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        sc.newestFirst = a;
        return a;
    }

    /** Detaches a subscription (kernel {@code tipc_nametbl_unsubscribe}). */
    void detach(Subscription sub) {
        Service sc = services.get(sub.type());
        if (sc == null) {
            return;
        }
        sc.subscriptions.remove(sub);
        sc.newestFirst = null;
        maybeDeleteService(sc);
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
        sc.bucketNext = buckets[h];
        if (buckets[h] != null) {
            buckets[h].bucketPrev = sc;
        }
        buckets[h] = sc;
        return sc;
    }

    private void maybeDeleteService(Service sc) {
        if (sc.ranges == null && sc.subscriptions.isEmpty()) {
            services.remove(sc.type);
            if (sc.bucketPrev != null) {
                sc.bucketPrev.bucketNext = sc.bucketNext;
            } else {
                buckets[sc.type & (TIPC_NAMETBL_SIZE - 1)] = sc.bucketNext;
            }
            if (sc.bucketNext != null) {
                sc.bucketNext.bucketPrev = sc.bucketPrev;
            }
        }
    }

    private void fire(BindingChange c) {
        if (listeners.isEmpty()) {
            return;
        }
        // a copy of the listener array, not of the list, per change (a listener may remove itself)
        BindingListener[] ls = listeners.toArray(NO_LISTENERS);
        for (BindingListener l : ls) {
            l.onChange(c);
        }
    }

    private static long rangeKey(int lower, int upper) {
        return ((long) lower << 32) | (upper & 0xFFFFFFFFL);
    }

    /**
     * Identity of a binding in the index. Comparable so that a hash map bin filled by crafted colliding
     * identities degrades to a tree (O(log n)), not a list.
     */
    private record Ident(int type, int lower, int upper, int node, int key) implements Comparable<Ident> {
        @Override
        public int compareTo(Ident o) {
            int c = Integer.compare(type, o.type);
            if (c == 0) {
                c = Integer.compare(lower, o.lower);
            }
            if (c == 0) {
                c = Integer.compare(upper, o.upper);
            }
            if (c == 0) {
                c = Integer.compare(node, o.node);
            }
            return c != 0 ? c : Integer.compare(key, o.key);
        }
    }

    private static final class Service {
        final int type;
        int publCnt;
        long rangeSeq;
        /** Root of the range tree (kernel rb-tree order: lower ascending unsigned, equal lower newest first). */
        RangeNode ranges;
        /** Exact range lookup by {@link #rangeKey} (Long keys are Comparable: crafted collisions stay O(log n)). */
        final Map<Long, RangeNode> exact = new HashMap<>();
        /** Hash chain neighbours. */
        Service bucketPrev;
        Service bucketNext;
        /** Oldest first (identity: twins are two); see {@link #newestFirst}. */
        final LinkedHashSet<Subscription> subscriptions = new LinkedHashSet<>(2);
        /** {@link #subscriptions} newest first, made by {@link #newestFirst} after a change; null until then. */
        Subscription[] newestFirst;

        Service(int type) {
            this.type = type;
        }
    }

    /** One node's bindings, oldest first, with their count and charged bytes. */
    private static final class NodeBindings {
        BindingEntry head;
        BindingEntry tail;
        int count;
        long bytes;

        NodeBindings(int node) {
        }
    }
}
