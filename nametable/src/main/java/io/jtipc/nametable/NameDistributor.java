package io.jtipc.nametable;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
 * node's name. At most {@link #maxDeferred()} messages wait per peer; beyond that new ones are dropped and
 * counted ({@link #droppedOverflow()}).
 * PUBLICATION items beyond the {@link BindingLimits} (per peer, all peers together) are dropped and counted
 * ({@link #droppedOverLimit(int)}); the first drop of an episode is logged, the episode ends when the peer (and the
 * total) is back under 3/4 of the limits or the peer goes down.
 * Received messages are queued; the queue is scanned from the head repeatedly:
 * a message with last-bulk sets {@code rcv_nxt = its seqno} and opens the stream; bulk and legacy messages
 * are applied at once; a non-bulk non-legacy message is applied when the stream is open and its seqno equals
 * {@code rcv_nxt} (then {@code rcv_nxt++}); one whose seqno is before {@code rcv_nxt} (16-bit serial
 * arithmetic) is dropped; others stay queued. PUBLICATION items insert with cluster scope and node = the
 * message's originating node; WITHDRAWAL items remove by (range, node, key). Items with lower &gt; upper,
 * duplicates and unknown withdrawals are ignored (the kernel only logs them), counted in {@link #rejectedItems()}.
 *
 * <h2>Node down</h2>
 * {@link #nodeDown} removes every binding the peer published ({@code tipc_publ_notify}) and drops its queued
 * messages (node.c {@code node_lost_contact}). As in the kernel, the peer's {@code rcv_nxt}/open state is not
 * reset; the next bulk's last message resets it.
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
    private final Consumer<String> log;
    private BindingLimits limits = BindingLimits.DEFAULT;
    private long droppedOverLimit;
    private long localOverLimit;
    private boolean localLimitLogged;
    private boolean lastPublishOverLimit;

    /** Default cap on messages held back per peer (waiting for the last bulk or an earlier seqno). */
    public static final int DEFAULT_MAX_DEFERRED = 1024;

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
     *                     size in bytes including the 40-byte header; at least 60
     * @throws IllegalArgumentException if {@code linkMss < 60}
     */
    public void nodeUp(int node, int capabilities, int linkMss) {
        if (linkMss < Tipc.INT_H_SIZE + PublicationItem.SIZE) {
            throw new IllegalArgumentException("link MSS " + linkMss + " below 60 bytes");
        }
        if ((capabilities & Tipc.TIPC_NAMED_BCAST) == 0) {
            rcDests++;
        }
        int perMsg = (linkMss - Tipc.INT_H_SIZE) / PublicationItem.SIZE;
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
            peer.queue.clear();
            peer.limitLogged = false; // a new episode if it floods again
            if (!peer.open && peer.droppedOverLimit == 0) {
                peers.remove(node); // nothing worth keeping: no stream was opened, nothing counted
            }
        }
        List<Publication> removed = table.removeAllOfNode(node);
        if ((capabilities & Tipc.TIPC_NAMED_BCAST) == 0) {
            rcDests--;
        }
        return removed;
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
     * not {@code linkPeer} is dropped ({@link #foreignOrigin()}); one that would exceed {@link #maxDeferred()}
     * held-back messages is dropped ({@link #droppedOverflow()}) unless it is a bulk or legacy message (those are
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
        NamedRcv peer = peers.computeIfAbsent(linkPeer, k -> new NamedRcv());
        // bulk and legacy messages never wait (dequeue applies them at once), so they always get in: a full
        // queue must not lock out the last bulk that releases it
        if (peer.queue.size() >= maxDeferred && m.nonLegacy() && !m.bulk()) {
            droppedOverflow++;
            return 0;
        }
        peer.queue.addLast(m);
        int applied = 0;
        DistrMessage next;
        while ((next = dequeue(peer)) != null) {
            apply(peer, next);
            applied++;
        }
        return applied;
    }

    private DistrMessage dequeue(NamedRcv peer) {
        Iterator<DistrMessage> it = peer.queue.iterator();
        while (it.hasNext()) {
            DistrMessage m = it.next();
            int seqno = m.namedSeqno();
            if (m.lastBulk()) {
                peer.rcvNxt = seqno;
                peer.open = true;
            }
            if (m.bulk() || !m.nonLegacy()) {
                it.remove();
                return m;
            }
            if (peer.open && peer.rcvNxt == seqno) {
                peer.rcvNxt = (peer.rcvNxt + 1) & 0xFFFF;
                it.remove();
                return m;
            }
            if (less(seqno, peer.rcvNxt)) {
                it.remove();
                droppedStale++;
            }
        }
        return null;
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

    /** Messages dropped because the peer already had {@link #maxDeferred()} held back. */
    public long droppedOverflow() {
        return droppedOverflow;
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

    /** Number of peers with receive state (queue, rcv_nxt) held. */
    public int peersWithState() {
        return peers.size();
    }

    /** Messages from {@code node} held back waiting for earlier seqnos or the last bulk. */
    public int deferred(int node) {
        NamedRcv p = peers.get(node);
        return p == null ? 0 : p.queue.size();
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
        final ArrayDeque<DistrMessage> queue = new ArrayDeque<>();
        int rcvNxt;
        boolean open;
        /** PUBLICATION items dropped over a limit. */
        long droppedOverLimit;
        /** Whether the current over-limit episode has been logged. */
        boolean limitLogged;
    }
}
