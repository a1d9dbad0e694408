package io.jtipc.nametable;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import io.jtipc.wire.Tipc;

/**
 * Binding-table distribution of one node (kernel net/tipc/name_distr.c and the publish/withdraw part of
 * name_table.c, Linux 6.1), sans-IO and single-threaded. Inputs are local publish/withdraw calls, node
 * up/down events and received NAME_DISTRIBUTOR messages (as {@link DistrMessage} values); outputs are
 * messages to send, collected in an outbox ({@link #pollOutgoing()}), and changes of the {@link BindingTable}
 * (which in turn drive topology subscriptions).
 *
 * <h2>Sending</h2>
 * <ul>
 *   <li>{@link #publish}: inserts with node = self; limit {@link BindingLimits#localCount()} (the kernel's
 *       {@link #TIPC_MAX_PUBL}) local publications and {@link BindingLimits#localBytes()}.
 *       Node scope stays local; cluster scope yields one PUBLICATION with one item, non-legacy bit, named seqno
 *       {@code snd_nxt++}, destination 0 ({@code tipc_named_publish}). {@link #withdraw} likewise with
 *       WITHDRAWAL ({@code tipc_named_withdraw}).</li>
 *   <li>An update with destination 0 goes once on the broadcast link when {@link #broadcastUpdates()} (no up
 *       peer lacks {@link Tipc#TIPC_NAMED_BCAST}, {@code rc_dests == 0}) and the broadcast link is not
 *       in forced replicast mode; otherwise a copy with w7 = peer on each peer's unicast link
 *       ({@code tipc_node_broadcast}). That choice is the caller's (it owns the links).</li>
 *   <li>{@link #nodeUp}: the bulk ({@code tipc_named_node_up}/{@code named_distribute}): all own cluster-scope
 *       publications, oldest first, {@code floor((mss - 40) / 20)} items per message, every message with bulk,
 *       non-legacy and bc-ack-invalid bits, destination = peer; the last one also has last-bulk and named seqno
 *       = current {@code snd_nxt} (the others 0). Sent on the unicast link, selector 0.</li>
 * </ul>
 *
 * <h2>Receiving ({@code tipc_named_rcv} / {@code tipc_named_dequeue}), per peer</h2>
 * The receive state (queue, {@code rcv_nxt}, open) belongs to the peer node whose link delivered the message,
 * as in the kernel (node.c passes {@code n->bc_entry.namedq}/{@code named_rcv_nxt}/{@code named_open} of the
 * link's node), never to the message's sender-controlled originating node: {@link #receive(int, DistrMessage)}.
 * The kernel applies items with node = {@code msg_orignode}; a conforming peer always sends its own address
 * there, and a message whose originating node is not the delivering peer is dropped and counted
 * ({@link #foreignOrigin()}), so a peer can neither grow state for invented nodes nor publish in another
 * node's name. Messages held back (below) are bounded per peer and in total, in count and estimated heap bytes
 * ({@link #DEFAULT_MAX_DEFERRED} messages / {@link #DEFAULT_MAX_DEFERRED_BYTES} per peer,
 * {@link #DEFAULT_MAX_DEFERRED_TOTAL} / {@link #DEFAULT_MAX_DEFERRED_TOTAL_BYTES} in total, see
 * {@link #setDeferredLimits}); the kernel's namedq has no bound. A message beyond them is dropped and counted
 * ({@link #droppedOverflow()}, {@link #droppedOverflow(int)}), the first of an episode logged (it ends when the peer
 * holds under 3/4 of its budgets or goes down). Bulk and legacy messages and the one in turn are never held, so
 * they always get in.
 * PUBLICATION items beyond the {@link BindingLimits} (per peer, all peers together) are dropped and counted
 * ({@link #droppedOverLimit(int)}); the first drop of an episode is logged, the episode ends when the peer (and the
 * total) is back under 3/4 of the limits or the peer goes down.
 * Sequencing is the kernel's ({@code tipc_named_dequeue} scanning the queue from the head after each arrival),
 * computed without the scan: a message with last-bulk sets {@code rcv_nxt = its seqno} and opens the stream; bulk
 * and legacy messages are applied at once; a non-bulk non-legacy message is applied when the stream is open and its
 * seqno equals {@code rcv_nxt} (then {@code rcv_nxt++}); one whose seqno is before {@code rcv_nxt} (16-bit serial
 * arithmetic) is dropped ({@link #droppedStale()}); others are held back, keyed by seqno. After an applied message
 * the held message with seqno {@code rcv_nxt} (the first received of that seqno; later copies are stale) is applied
 * while there is one: O(log n) per message instead of the kernel's rescan. After a last bulk the held messages
 * before the new {@code rcv_nxt} are dropped at once; the kernel, scanning while {@code rcv_nxt} advances, may keep
 * one exactly 32 767 or 32 768 behind, a difference only a peer sending seqnos half the space apart could see.
 * PUBLICATION items insert with cluster scope and node = the
 * message's originating node; WITHDRAWAL items remove by (range, node, key). Items with lower &gt; upper,
 * duplicates and unknown withdrawals are ignored (the kernel only logs them), counted in {@link #rejectedItems()}.
 *
 * <h2>Node down</h2>
 * {@link #nodeDown} removes every binding the peer published ({@code tipc_publ_notify}) and drops its queued
 * messages (node.c {@code node_lost_contact}). As in the kernel, the peer's {@code rcv_nxt}/open state is not
 * reset; the next bulk's last message resets it. That state (and the peer's counters) goes when the node entry
 * is deleted ({@link #nodeDeleted}, node.c {@code tipc_node_delete}), so it is bounded by the peer table.
 */
public final class NameDistributor {
    /** Most publications this node may make (net/tipc/subscr.h TIPC_MAX_PUBL). */
    public static final int TIPC_MAX_PUBL = 65535;

    private final BindingTable table;
    private final int self;
    private final LinkedHashSet<Publication> nodeScope = new LinkedHashSet<>();
    private final LinkedHashSet<Publication> clusterScope = new LinkedHashSet<>();
    private final Map<Integer, NamedRcv> peers = new HashMap<>();
    private final ArrayDeque<DistrMessage> outbox = new ArrayDeque<>();
    private int localPublCount;
    private int rcDests;
    private int sndNxt;
    private long rejectedItems;
    private long droppedStale;
    private long droppedOverflow;
    private long foreignOrigin;
    private int maxDeferred = DEFAULT_MAX_DEFERRED;
    private long maxDeferredBytes = DEFAULT_MAX_DEFERRED_BYTES;
    private int maxDeferredTotal = DEFAULT_MAX_DEFERRED_TOTAL;
    private long maxDeferredTotalBytes = DEFAULT_MAX_DEFERRED_TOTAL_BYTES;
    /** Times a largest holder's held-back updates were dropped to make room for another peer's. */
    private long heldEvictions;

    /** Times the held-back updates of the peer holding the most were dropped to make room for another's. */
    public long heldEvictions() {
        return heldEvictions;
    }

    /** Messages held back, all peers. */
    private int heldCount;
    /** Estimated heap bytes of the messages held back, all peers. */
    private long heldBytes;
    private final Consumer<String> log;
    private BindingLimits limits = BindingLimits.DEFAULT;
    private long droppedOverLimit;
    private long localOverLimit;
    private boolean localLimitLogged;
    private boolean lastPublishOverLimit;

    /**
     * Default cap on messages held back per peer (waiting for the last bulk or an earlier seqno), count. The kernel's
     * namedq ({@code tipc_named_rcv}) has no bound.
     */
    public static final int DEFAULT_MAX_DEFERRED = 1024;
    /**
     * Default cap on the estimated heap bytes of the messages held back per peer: 4 MiB (about 31 reassembled
     * 66 000-byte messages of 3 298 items, or 1024 one-item updates). The kernel has no bound.
     */
    public static final long DEFAULT_MAX_DEFERRED_BYTES = 4L << 20;
    /** Default cap on messages held back, all peers together, count (8 peers at {@link #DEFAULT_MAX_DEFERRED}). */
    public static final int DEFAULT_MAX_DEFERRED_TOTAL = 8192;
    /** Default cap on the estimated heap bytes of the messages held back, all peers together: 32 MiB. */
    public static final long DEFAULT_MAX_DEFERRED_TOTAL_BYTES = 32L << 20;
    /**
     * Estimated heap bytes one held message costs besides its items (64-bit JVM, compressed references): the
     * {@link DistrMessage} (40), its immutable item list (32), the seqno map entry, key and per-seqno deque (120).
     */
    public static final int HELD_MESSAGE_BYTES = 192;
    /** Estimated heap bytes one item of a held message costs: the {@link PublicationItem} (32) and its slot (8). */
    public static final int HELD_ITEM_BYTES = 40;

    /** @param table the node's binding table; this node's address is {@link BindingTable#ownNode()} */
    public NameDistributor(BindingTable table) {
        this(table, s -> { });
    }

    /**
     * @param table the node's binding table; this node's address is {@link BindingTable#ownNode()}
     * @param log   receives one line when a peer (or this node) first exceeds its {@link BindingLimits} in an
     *              episode; the lines contain only numbers (addresses in hex), no peer-supplied text
     */
    public NameDistributor(BindingTable table, Consumer<String> log) {
        this.table = table;
        this.self = table.ownNode();
        this.log = log;
    }

    /** The bounds applied to bindings (default {@link BindingLimits#DEFAULT}). */
    public BindingLimits limits() {
        return limits;
    }

    /**
     * Replaces the bounds; bindings already held stay (only new publications are checked).
     *
     * @throws NullPointerException if {@code limits} is null
     */
    public void setLimits(BindingLimits limits) {
        this.limits = java.util.Objects.requireNonNull(limits, "limits");
    }

    /** The table this distributor feeds. */
    public BindingTable table() {
        return table;
    }

    // ---------------------------------------------------------------------------------------------
    // local side

    /**
     * Publishes a binding of a socket on this node (kernel {@code tipc_nametbl_publish}).
     *
     * @param scope {@link Tipc#TIPC_NODE_SCOPE}; any other value means cluster scope (socket.c)
     * @return the publication, or null if a local limit is reached ({@link #lastPublishOverLimit()} then true;
     *         the kernel's {@code tipc_sk_publish} fails with -EINVAL), {@code lower > upper} or it is a duplicate
     */
    public Publication publish(int type, int lower, int upper, int scope, int port, int key) {
        lastPublishOverLimit = false;
        long cost = table.insertCost(type, lower, upper, self, key);
        if (cost < 0) {
            return null;
        }
        if (localPublCount >= limits.localCount() || table.bytes(self) + cost > limits.localBytes()) {
            lastPublishOverLimit = true;
            localOverLimit++;
            if (!localLimitLogged) {
                localLimitLogged = true;
                log.accept("binding table: local limit of " + limits.localCount() + " bindings / "
                        + limits.localBytes() + " bytes reached (" + localPublCount + " bindings, "
                        + table.bytes(self) + " bytes): bind refused");
            }
            return null;
        }
        int sc = scope == Tipc.TIPC_NODE_SCOPE ? Tipc.TIPC_NODE_SCOPE : Tipc.TIPC_CLUSTER_SCOPE;
        Publication p = table.insert(type, lower, upper, sc, port, self, key);
        if (p == null) {
            return null;
        }
        localPublCount++;
        if (sc == Tipc.TIPC_NODE_SCOPE) {
            nodeScope.add(p);
        } else {
            clusterScope.add(p);
            outbox.add(update(Tipc.PUBLICATION, p));
        }
        return p;
    }

    /**
     * Withdraws a binding of this node (kernel {@code tipc_nametbl_withdraw}): exact range and key.
     *
     * @return the withdrawn publication, or null if there was none
     */
    public Publication withdraw(int type, int lower, int upper, int key) {
        Publication p = table.remove(type, lower, upper, self, key);
        if (p == null) {
            return null;
        }
        localPublCount--;
        if (localLimitLogged && BindingLimits.wellUnder(localPublCount, table.bytes(self), limits.localCount(),
                limits.localBytes())) {
            localLimitLogged = false;
        }
        nodeScope.remove(p);
        if (clusterScope.remove(p)) {
            outbox.add(update(Tipc.WITHDRAWAL, p));
        }
        return p;
    }

    /**
     * Publishes this node's node-state binding {@code {0, self, self}}, cluster scope, port 0, key = self, as
     * the kernel does once its address is committed ({@code tipc_net_finalize}, net/tipc/net.c). Peers learn
     * this node's availability from it (TIPC_NODE_STATE subscriptions).
     */
    public Publication publishNodeState() {
        return publish(Tipc.TIPC_NODE_STATE, self, self, Tipc.TIPC_CLUSTER_SCOPE, 0, self);
    }

    /**
     * A link to {@code peer} came up: publishes {@code {2, peer, peer}}, node scope, port = key = {@code linkId}
     * (node.c {@code tipc_node_write_unlock}, TIPC_NOTIFY_LINK_UP). Never distributed.
     *
     * @param linkId peer bearer id × 65536 + own bearer id ({@code tipc_link_id})
     */
    public Publication linkUp(int peer, int linkId) {
        return publish(Tipc.TIPC_LINK_STATE, peer, peer, Tipc.TIPC_NODE_SCOPE, linkId, linkId);
    }

    /** A link to {@code peer} went down: withdraws what {@link #linkUp} published. */
    public Publication linkDown(int peer, int linkId) {
        return withdraw(Tipc.TIPC_LINK_STATE, peer, peer, linkId);
    }

    private DistrMessage update(int msgType, Publication p) {
        DistrMessage m = new DistrMessage(msgType, self, 0, false, false, true, sndNxt, false,
                List.of(PublicationItem.of(p)));
        sndNxt = (sndNxt + 1) & 0xFFFF;
        return m;
    }

    /**
     * A peer became reachable (kernel {@code tipc_named_node_up}): queues the bulk for it.
     *
     * @param node         the peer's address
     * @param capabilities the peer's capability bits (16 bits from its discovery/link messages)
     * @param linkMss      the value of {@code tipc_node_get_mtu(peer, selector 0)}: the link's maximum message
     *                     size in bytes including the 40-byte header. Below 60 (a 100-131 byte link MTU with the
     *                     encryption overhead taken off) each message still holds one item: 60 bytes, which such a
     *                     link's frames carry (the kernel's named_distribute would compute zero items there)
     */
    public void nodeUp(int node, int capabilities, int linkMss) {
        if ((capabilities & Tipc.TIPC_NAMED_BCAST) == 0) {
            rcDests++;
        }
        int perMsg = Math.max(1, (linkMss - Tipc.INT_H_SIZE) / PublicationItem.SIZE);
        List<PublicationItem> all = new ArrayList<>(clusterScope.size());
        for (Publication p : clusterScope) {
            all.add(PublicationItem.of(p));
        }
        // The kernel always has at least its node-state binding here; with nothing to send we still send one
        // empty last-bulk message so that the peer opens its named stream.
        int n = Math.max(1, (all.size() + perMsg - 1) / perMsg);
        for (int i = 0; i < n; i++) {
            boolean last = i == n - 1;
            List<PublicationItem> chunk = all.subList(Math.min(all.size(), i * perMsg), Math.min(all.size(), (i + 1) * perMsg));
            outbox.add(new DistrMessage(Tipc.PUBLICATION, self, node, true, last, true, last ? sndNxt : 0,
                    true, chunk));
        }
    }

    /**
     * Contact with a peer was lost (kernel {@code tipc_publ_notify} and {@code node_lost_contact}): removes all
     * its bindings and its queued updates.
     *
     * @param capabilities the capabilities the peer had (to keep {@link #rcDests()} balanced with {@link #nodeUp})
     * @return the removed bindings, oldest first
     */
    public List<Publication> nodeDown(int node, int capabilities) {
        NamedRcv peer = peers.get(node);
        if (peer != null) {
            for (ArrayDeque<DistrMessage> q : peer.held.values()) {
                for (DistrMessage m : q) {
                    unhold(peer, m);
                }
            }
            peer.held.clear();
            peer.limitLogged = false; // a new episode if it floods again
            peer.heldLogged = false;
            peer.broken = false; // its next bulk starts the stream again
            if (!peer.open && peer.droppedOverLimit == 0 && peer.droppedOverflow == 0) {
                peers.remove(node); // nothing worth keeping: no stream was opened, nothing counted
            }
        }
        List<Publication> removed = table.removeAllOfNode(node);
        if ((capabilities & Tipc.TIPC_NAMED_BCAST) == 0) {
            rcDests--;
        }
        return removed;
    }

    /**
     * The peer's node entry was deleted (node.c {@code tipc_node_delete}: not up for {@code NODE_CLEANUP_AFTER}, or
     * evicted from a full peer table): forgets its receive state ({@code named_rcv_nxt}, {@code named_open}, held
     * messages, its per-peer counters), which {@link #nodeDown} keeps as the kernel does. Its bindings are not
     * touched ({@link #nodeDown} removed them when it went down). A node that links again starts afresh, as a new
     * kernel {@code tipc_node} would.
     */
    public void nodeDeleted(int node) {
        NamedRcv peer = peers.remove(node);
        if (peer != null) {
            for (ArrayDeque<DistrMessage> q : peer.held.values()) {
                for (DistrMessage m : q) {
                    unhold(peer, m);
                }
            }
        }
    }

    /** Whether the last {@link #publish} failed because of a local limit ({@link BindingLimits#localCount()}, bytes). */
    public boolean lastPublishOverLimit() {
        return lastPublishOverLimit;
    }

    /** Local publications refused because of a local limit. */
    public long localOverLimit() {
        return localOverLimit;
    }

    /** Takes the next message to send, or null. */
    public DistrMessage pollOutgoing() {
        return outbox.poll();
    }

    /** Takes all messages to send, in order. */
    public List<DistrMessage> drainOutgoing() {
        List<DistrMessage> out = new ArrayList<>(outbox);
        outbox.clear();
        return out;
    }

    /** Number of up peers lacking {@link Tipc#TIPC_NAMED_BCAST} ({@code nt->rc_dests}). */
    public int rcDests() {
        return rcDests;
    }

    /** True if updates (destination 0) may go on the broadcast link ({@code rc_dests == 0}). */
    public boolean broadcastUpdates() {
        return rcDests == 0;
    }

    /** Next named seqno to be used ({@code nt->snd_nxt}, 16 bits). */
    public int sndNxt() {
        return sndNxt;
    }

    /** Number of publications made by this node ({@code nt->local_publ_count}). */
    public int localPublicationCount() {
        return localPublCount;
    }

    /** Own cluster-scope publications, oldest first (what a bulk carries). */
    public List<Publication> clusterScopePublications() {
        return List.copyOf(clusterScope);
    }

    // ---------------------------------------------------------------------------------------------
    // receive side

    /**
     * Receives one NAME_DISTRIBUTOR message (from the unicast or the broadcast link) and applies every update
     * that the sequencing rules now allow.
     *
     * Same as {@link #receive(int, DistrMessage)} with the message's originating node as the delivering peer:
     * only for input already known to come from that node (tests, replays).
     *
     * @return the number of messages applied by this call (possibly earlier-queued ones)
     */
    public int receive(DistrMessage m) {
        return receive(m.origNode(), m);
    }

    /**
     * Receives one NAME_DISTRIBUTOR message delivered by the link(s) to {@code linkPeer} (unicast or broadcast
     * link) and applies every update that the sequencing rules now allow. A message whose originating node is
     * not {@code linkPeer} is dropped ({@link #foreignOrigin()}); one that would have to be held back beyond a
     * budget is dropped ({@link #droppedOverflow()}); bulk and legacy messages and the one in turn never wait (they are
     * applied at once).
     *
     * @param linkPeer the node address of the link's peer (not a message field)
     * @return the number of messages applied by this call (possibly earlier-queued ones)
     */
    public int receive(int linkPeer, DistrMessage m) {
        if (m.origNode() != linkPeer) {
            foreignOrigin++;
            return 0;
        }
        NamedRcv peer = peers.computeIfAbsent(linkPeer, NamedRcv::new);
        // What tipc_named_dequeue does with the queue after this message is appended. Every held message was
        // found not ready (and not stale) by the previous call and the state has not changed since, so the
        // kernel's scan from the head first reaches the new message with nothing to do before it.
        int seqno = m.namedSeqno();
        boolean reset = m.lastBulk();
        if (reset) {
            peer.rcvNxt = seqno;
            peer.open = true;
        }
        if (m.bulk() || !m.nonLegacy()) {
            // applied at once, whatever its seqno
        } else if (peer.open && peer.rcvNxt == seqno) {
            peer.rcvNxt = (peer.rcvNxt + 1) & 0xFFFF;
        } else if (less(seqno, peer.rcvNxt)) {
            droppedStale++;
            return 0;
        } else {
            hold(linkPeer, peer, m);
            return 0;
        }
        apply(peer, m);
        int applied = 1;
        if (reset) {
            dropStale(peer);
        }
        // the following scans: the held message whose seqno is rcv_nxt (the first one received of that seqno),
        // while there is one; later copies of an applied seqno are stale from then on
        ArrayDeque<DistrMessage> same;
        while (peer.open && (same = peer.held.remove(peer.rcvNxt)) != null) {
            DistrMessage next = same.poll();
            unhold(peer, next);
            for (DistrMessage dup : same) {
                unhold(peer, dup);
                droppedStale++;
            }
            peer.rcvNxt = (peer.rcvNxt + 1) & 0xFFFF;
            apply(peer, next);
            applied++;
        }
        if (peer.heldLogged && peer.heldCount <= maxDeferred / 4 * 3 && peer.heldBytes <= maxDeferredBytes / 4 * 3) {
            peer.heldLogged = false; // episode over
        }
        return applied;
    }

    /**
     * Holds back a non-bulk update that is not yet in turn, within the per-peer and total count and byte budgets
     * (the kernel's namedq has no bound); beyond them the message is dropped, counted and the first drop of an
     * episode logged. A full total first makes room at the expense of the largest holder ({@link #evictLargestHolder}).
     */
    private void hold(int node, NamedRcv peer, DistrMessage m) {
        long cost = heldBytes(m);
        String what;
        if (peer.heldCount >= maxDeferred || peer.heldBytes + cost > maxDeferredBytes) {
            what = "peer " + Integer.toHexString(node) + " reached its limit of " + maxDeferred + " messages / "
                    + maxDeferredBytes + " bytes (holds " + peer.heldCount + " messages, " + peer.heldBytes + " bytes)";
        } else if ((heldCount >= maxDeferredTotal || heldBytes + cost > maxDeferredTotalBytes)
                && !evictLargestHolder(node, peer, cost)) {
            what = "all peers reached their limit of " + maxDeferredTotal + " messages / " + maxDeferredTotalBytes
                    + " bytes (hold " + heldCount + " messages, " + heldBytes + " bytes; peer "
                    + Integer.toHexString(node) + " holds " + peer.heldCount + ")";
        } else {
            peer.held.computeIfAbsent(m.namedSeqno(), k -> new ArrayDeque<>(1)).addLast(m);
            byHeld.remove(peer);
            peer.heldCount++;
            peer.heldBytes += cost;
            byHeld.add(peer);
            heldCount++;
            heldBytes += cost;
            return;
        }
        droppedOverflow++;
        peer.droppedOverflow++;
        peer.broken = true;
        if (!peer.heldLogged) {
            peer.heldLogged = true;
            log.accept("name distributor: " + what + ": out-of-turn updates from " + Integer.toHexString(node)
                    + " dropped (logged once until it holds under 3/4 of the limits or goes down)");
        }
    }

    /**
     * The total is full: the peer that holds the most bytes (other than {@code node}, and more than {@code peer}
     * holds with this message) gives up all it holds and is marked broken (its links are reset for a new bulk, as for
     * its own overflow), so that peers keeping their budget full with updates that never come in turn cannot make an
     * honest newcomer's updates be dropped. O(log peers): the holders are kept ordered by what they hold.
     *
     * @return true if room was made for {@code cost} more bytes and one more message
     */
    private boolean evictLargestHolder(int node, NamedRcv peer, long cost) {
        NamedRcv victim = byHeld.isEmpty() ? null : byHeld.first();
        if (victim == peer) victim = byHeld.higher(peer);
        if (victim == null || victim.heldBytes <= peer.heldBytes + cost
                || heldCount - victim.heldCount >= maxDeferredTotal
                || heldBytes - victim.heldBytes + cost > maxDeferredTotalBytes) { // (limits lowered below what is held)
            return false;
        }
        int victimNode = victim.node;
        int n = victim.heldCount;
        for (ArrayDeque<DistrMessage> q : victim.held.values()) {
            for (DistrMessage m : q) unhold(victim, m);
        }
        victim.held.clear();
        droppedOverflow += n;
        victim.droppedOverflow += n;
        victim.broken = true;
        if (Long.bitCount(++heldEvictions) == 1) { // logged at powers of two of the count
            log.accept("name distributor: all peers reached their limit of " + maxDeferredTotal + " messages / "
                    + maxDeferredTotalBytes + " bytes: the " + n + " out-of-turn updates held for "
                    + Integer.toHexString(victimNode) + ", the largest holder, dropped to make room for "
                    + Integer.toHexString(node) + " (evictions " + heldEvictions + ")");
        }
        return heldCount < maxDeferredTotal && heldBytes + cost <= maxDeferredTotalBytes;
    }

    /** The peers holding back updates, the most bytes first (then by address): {@link #evictLargestHolder}. */
    private final java.util.TreeSet<NamedRcv> byHeld = new java.util.TreeSet<>((x, y) -> x.heldBytes != y.heldBytes
            ? Long.compare(y.heldBytes, x.heldBytes) : Integer.compare(x.node, y.node));

    private void unhold(NamedRcv peer, DistrMessage m) {
        long cost = heldBytes(m);
        byHeld.remove(peer);
        peer.heldCount--;
        peer.heldBytes -= cost;
        if (peer.heldCount > 0) byHeld.add(peer);
        heldCount--;
        heldBytes -= cost;
    }

    /**
     * Drops the held messages whose seqno is before {@code rcv_nxt} (16-bit serial arithmetic): the circular range
     * {@code [rcv_nxt - 32767, rcv_nxt - 1]}. Needed after a last bulk reset {@code rcv_nxt} only.
     */
    private void dropStale(NamedRcv peer) {
        if (peer.held.isEmpty()) {
            return;
        }
        int lo = (peer.rcvNxt - 32767) & 0xFFFF;
        int hi = (peer.rcvNxt - 1) & 0xFFFF;
        if (lo <= hi) {
            dropAll(peer, peer.held.subMap(lo, true, hi, true));
        } else {
            dropAll(peer, peer.held.tailMap(lo, true));
            dropAll(peer, peer.held.headMap(hi, true));
        }
    }

    private void dropAll(NamedRcv peer, Map<Integer, ArrayDeque<DistrMessage>> range) {
        for (ArrayDeque<DistrMessage> q : range.values()) {
            for (DistrMessage m : q) {
                unhold(peer, m);
                droppedStale++;
            }
        }
        range.clear();
    }

    /** Estimated heap bytes a held message costs ({@link #HELD_MESSAGE_BYTES} + items × {@link #HELD_ITEM_BYTES}). */
    static long heldBytes(DistrMessage m) {
        return HELD_MESSAGE_BYTES + (long) m.items().size() * HELD_ITEM_BYTES;
    }

    private void apply(NamedRcv peer, DistrMessage m) {
        int node = m.origNode();
        List<PublicationItem> items = m.items();
        for (int n = 0; n < items.size(); n++) {
            PublicationItem i = items.get(n);
            boolean ok;
            if (m.msgType() == Tipc.PUBLICATION) {
                if (table.size(node) >= limits.peerCount() || remoteCount() >= limits.totalCount()) {
                    // a count limit is reached: no later item of this PUBLICATION can lower a count, so the rest is
                    // dropped in one step (a flood past the limit costs O(1) per message, not a lookup per item)
                    overLimit(peer, node, 0);
                    int rest = items.size() - n - 1;
                    peer.droppedOverLimit += rest;
                    droppedOverLimit += rest;
                    return;
                }
                long cost = table.insertCost(i.type(), i.lower(), i.upper(), node, i.key());
                if (cost >= 0 && overLimit(peer, node, cost)) {
                    continue;
                }
                ok = cost >= 0 && table.insert(i.type(), i.lower(), i.upper(), Tipc.TIPC_CLUSTER_SCOPE, i.port(),
                        node, i.key()) != null;
            } else if (m.msgType() == Tipc.WITHDRAWAL) {
                ok = table.remove(i.type(), i.lower(), i.upper(), node, i.key()) != null;
                if (ok && peer.limitLogged && BindingLimits.wellUnder(table.size(node), table.bytes(node),
                        limits.peerCount(), limits.peerBytes()) && BindingLimits.wellUnder(remoteCount(),
                        remoteBytes(), limits.totalCount(), limits.totalBytes())) {
                    peer.limitLogged = false; // episode over
                }
            } else {
                ok = false;
            }
            if (!ok) {
                rejectedItems++;
            }
        }
    }

    /**
     * Whether a binding of {@code cost} bytes from {@code node} would exceed a peer or total limit; if so counts it
     * and logs the first one of the episode.
     */
    private boolean overLimit(NamedRcv peer, int node, long cost) {
        int count = table.size(node);
        long bytes = table.bytes(node);
        boolean peerLimit;
        if (count >= limits.peerCount() || bytes + cost > limits.peerBytes()) {
            peerLimit = true;
        } else if (remoteCount() >= limits.totalCount() || remoteBytes() + cost > limits.totalBytes()) {
            peerLimit = false;
        } else {
            return false;
        }
        peer.droppedOverLimit++;
        droppedOverLimit++;
        if (!peer.limitLogged) {
            peer.limitLogged = true;
            // the line is built only when it is logged: a flood past a limit must not pay for it per item
            String what = peerLimit
                    ? "peer " + Integer.toHexString(node) + " reached its limit of " + limits.peerCount()
                            + " bindings / " + limits.peerBytes() + " bytes (holds " + count + " bindings, " + bytes
                            + " bytes)"
                    : "all peers reached their limit of " + limits.totalCount() + " bindings / " + limits.totalBytes()
                            + " bytes (hold " + remoteCount() + " bindings, " + remoteBytes() + " bytes; peer "
                            + Integer.toHexString(node) + " holds " + count + ")";
            log.accept("binding table: " + what + ": publications from " + Integer.toHexString(node)
                    + " dropped (logged once until it is under 3/4 of the limits or goes down)");
        }
        return true;
    }

    /** Bindings of all peer nodes (not this node, not node 0). */
    private int remoteCount() {
        return table.size() - table.size(self) - table.size(0);
    }

    /** Estimated bytes of the bindings of all peer nodes. */
    private long remoteBytes() {
        return table.bytes() - table.bytes(self) - table.bytes(0);
    }

    /** PUBLICATION items from peers dropped because of a {@link BindingLimits} peer or total bound. */
    public long droppedOverLimit() {
        return droppedOverLimit;
    }

    /** PUBLICATION items from {@code node} dropped because of a {@link BindingLimits} peer or total bound. */
    public long droppedOverLimit(int node) {
        NamedRcv p = peers.get(node);
        return p == null ? 0 : p.droppedOverLimit;
    }

    /** 16-bit serial "before" ({@code less()}, net/tipc/link.h / msg.h). */
    static boolean less(int left, int right) {
        return io.jtipc.wire.Seqno.less(left, right);
    }

    /**
     * Items not applied: duplicate/illegal publications, withdrawals of unknown bindings, unknown types (not the
     * ones dropped over a limit: {@link #droppedOverLimit()}).
     */
    public long rejectedItems() {
        return rejectedItems;
    }

    /** Non-bulk messages dropped because their named seqno was already passed. */
    public long droppedStale() {
        return droppedStale;
    }

    /**
     * Out-of-turn messages dropped because holding them back would exceed a per-peer or total budget
     * ({@link #maxDeferred()}, {@link #maxDeferredBytes()}, {@link #maxDeferredTotal()},
     * {@link #maxDeferredTotalBytes()}).
     */
    public long droppedOverflow() {
        return droppedOverflow;
    }

    /** Like {@link #droppedOverflow()}, for the messages delivered by the link(s) to {@code node}. */
    public long droppedOverflow(int node) {
        NamedRcv p = peers.get(node);
        return p == null ? 0 : p.droppedOverflow;
    }

    /**
     * Whether an update from {@code node} was dropped over a held-back budget since it last came up ({@link
     * #nodeDown} clears the mark). Its stream then has a gap nothing fills (each update arrives once on the reliable
     * links), so every later update of that node waits and is dropped in turn: the caller takes the node down and up
     * again (its links reset), which withdraws its bindings and brings a new bulk. The kernel's namedq has no bound
     * and needs no such step.
     */
    public boolean broken(int node) {
        NamedRcv p = peers.get(node);
        return p != null && p.broken;
    }

    /** Messages dropped because their originating node was not the link peer that delivered them. */
    public long foreignOrigin() {
        return foreignOrigin;
    }

    /** Cap on messages held back per peer. */
    public int maxDeferred() {
        return maxDeferred;
    }

    /**
     * Sets the cap on messages held back per peer (default {@value #DEFAULT_MAX_DEFERRED}).
     *
     * @throws IllegalArgumentException if below 1
     */
    public void setMaxDeferred(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max deferred " + max + " < 1");
        }
        this.maxDeferred = max;
    }

    /** Cap on the estimated heap bytes held back per peer (default {@value #DEFAULT_MAX_DEFERRED_BYTES}). */
    public long maxDeferredBytes() {
        return maxDeferredBytes;
    }

    /** Cap on messages held back, all peers (default {@value #DEFAULT_MAX_DEFERRED_TOTAL}). */
    public int maxDeferredTotal() {
        return maxDeferredTotal;
    }

    /** Cap on the estimated heap bytes held back, all peers (default {@value #DEFAULT_MAX_DEFERRED_TOTAL_BYTES}). */
    public long maxDeferredTotalBytes() {
        return maxDeferredTotalBytes;
    }

    /**
     * Sets the budgets of held-back messages; messages already held stay (only new ones are checked).
     *
     * @param peerCount  messages per peer ({@link #setMaxDeferred})
     * @param peerBytes  estimated heap bytes per peer ({@link #heldBytes})
     * @param totalCount messages, all peers
     * @param totalBytes estimated heap bytes, all peers
     * @throws IllegalArgumentException if a count is below 1 or a byte budget below {@link #HELD_MESSAGE_BYTES}
     */
    public void setDeferredLimits(int peerCount, long peerBytes, int totalCount, long totalBytes) {
        if (peerCount < 1 || totalCount < 1 || peerBytes < HELD_MESSAGE_BYTES || totalBytes < HELD_MESSAGE_BYTES) {
            throw new IllegalArgumentException("deferred limits " + peerCount + "/" + peerBytes + " bytes per peer, "
                    + totalCount + "/" + totalBytes + " bytes total");
        }
        this.maxDeferred = peerCount;
        this.maxDeferredBytes = peerBytes;
        this.maxDeferredTotal = totalCount;
        this.maxDeferredTotalBytes = totalBytes;
    }

    /** Estimated heap bytes of the messages held back from {@code node} ({@link #heldBytes}). */
    public long deferredBytes(int node) {
        NamedRcv p = peers.get(node);
        return p == null ? 0 : p.heldBytes;
    }

    /** Messages held back, all peers. */
    public int deferredTotal() {
        return heldCount;
    }

    /** Estimated heap bytes of the messages held back, all peers. */
    public long deferredBytesTotal() {
        return heldBytes;
    }

    /** Number of peers with receive state (queue, rcv_nxt) held. */
    public int peersWithState() {
        return peers.size();
    }

    /** Messages from {@code node} held back waiting for earlier seqnos or the last bulk. */
    public int deferred(int node) {
        NamedRcv p = peers.get(node);
        return p == null ? 0 : p.heldCount;
    }

    /** Whether the named stream from {@code node} is open (its last-bulk message was received). */
    public boolean streamOpen(int node) {
        NamedRcv p = peers.get(node);
        return p != null && p.open;
    }

    /** Next expected named seqno from {@code node} ({@code named_rcv_nxt}). */
    public int rcvNxt(int node) {
        NamedRcv p = peers.get(node);
        return p == null ? 0 : p.rcvNxt;
    }

    /** One peer's named receive state (kernel {@code struct tipc_node} namedq, named_rcv_nxt, named_open). */
    private static final class NamedRcv {
        final int node;

        NamedRcv(int node) {
            this.node = node;
        }

        /** Held-back updates by named seqno, each seqno's copies in arrival order (the kernel's namedq). */
        final TreeMap<Integer, ArrayDeque<DistrMessage>> held = new TreeMap<>();
        /** Messages in {@link #held}. */
        int heldCount;
        /** Estimated heap bytes of {@link #held} ({@link NameDistributor#heldBytes}). */
        long heldBytes;
        /** Messages dropped over a held-back budget. */
        long droppedOverflow;
        /** Whether the current held-back over-budget episode has been logged. */
        boolean heldLogged;
        /** An update was dropped over a held-back budget since the node last came up ({@link NameDistributor#broken}). */
        boolean broken;
        int rcvNxt;
        boolean open;
        /** PUBLICATION items dropped over a limit. */
        long droppedOverLimit;
        /** Whether the current over-limit episode has been logged. */
        boolean limitLogged;
    }
}
