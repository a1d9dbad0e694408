package io.jtipc.node;

import io.jtipc.nametable.DistrMessage;
import io.jtipc.wire.NodeId;
import io.jtipc.wire.Seqno;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * A peer node ({@code struct tipc_node}, Linux 6.1 net/tipc/node.c): identity, capabilities, discovery signature,
 * the node FSM, its links (one per bearer, at most two, node.c {@code links[MAX_BEARERS]}, {@code link_cnt}), the
 * active link slots, its broadcast receive link, and what node.c does with them: the per-frame state check and
 * synch point ({@code tipc_node_check_state}), link up and down ({@code __tipc_node_link_up},
 * {@code __tipc_node_link_down}), loss of contact ({@code node_lost_contact}), the node timer
 * ({@code tipc_node_timeout}, {@code tipc_node_calculate_timer}) and the dispatch of received messages to sockets and
 * the name distributor (the link's input queue, {@code tipc_sk_rcv} / {@code tipc_named_rcv}). The table of nodes is
 * {@link NodeTable}.
 */
public final class Node {
    /** Node FSM states (node.c). */
    public enum NodeState {
        SELF_DOWN_PEER_DOWN, SELF_UP_PEER_UP, SELF_DOWN_PEER_LEAVING, SELF_UP_PEER_COMING,
        SELF_COMING_PEER_UP, SELF_LEAVING_PEER_DOWN,
        /**
         * A link failed while another is up: its unacknowledged packets are tunnelled over the other (FAILOVER) until
         * the tunnel link has received past the synch point (node.c NODE_FAILINGOVER, 0xf0).
         */
        NODE_FAILINGOVER,
        /**
         * A second link came up while one is up: the new link delivers nothing until the old one has delivered
         * past the synch point (node.c NODE_SYNCHING, 0xcc).
         */
        NODE_SYNCHING
    }

    /** Node FSM events (node.c SELF_ESTABL_CONTACT_EVT ... NODE_SYNCH_END_EVT). */
    enum Evt {
        SELF_ESTABL_CONTACT, SELF_LOST_CONTACT, PEER_ESTABL_CONTACT, PEER_LOST_CONTACT, NODE_FAILOVER_BEGIN,
        NODE_FAILOVER_END, NODE_SYNCH_BEGIN, NODE_SYNCH_END
    }

    /** INVALID_NODE_SIG: a new node never matches the first signature it sees. */
    static final int INVALID_NODE_SIG = 0x10000;

    final NodeTable nodes;
    private final Net net;
    final int addr;
    NodeId id;
    int caps;
    int signature = INVALID_NODE_SIG;
    int peerHashMix;
    NodeState state = NodeState.SELF_DOWN_PEER_LEAVING;
    /**
     * The link of active slot 0 (node.c active_links[0]: selector-0 traffic, binding updates); while no link is up,
     * the first link created (so its establishment can be followed). Sockets use {@link #link(int)} by selector.
     */
    Link link;
    /** Links by local bearer id (node.c n->links[bearer_id].link). */
    final Link[] links = new Link[Bearer.MAX_BEARERS];
    /** node.c link_cnt: links that exist (at most 2). */
    int linkCnt;
    /** node.c active_links[0..1]: bearer ids of the active links, -1 (INVALID_BEARER_ID) if none. */
    int slot0 = -1;
    int slot1 = -1;
    /**
     * node.c sync_point (16-bit seqno): NODE_SYNCHING: the old link's seqno to deliver past before the synching link
     * delivers; NODE_FAILINGOVER: the tunnel link's seqno to receive past before the failover ends.
     */
    int syncPoint;
    /** Which links count in {@link #workingLinks} (came up and were not taken down since), by bearer id. */
    final boolean[] working = new boolean[Bearer.MAX_BEARERS];
    int workingLinks;
    final BroadcastLink bcRcv;
    long keepaliveIntv = 10000;
    long timerDue = Long.MAX_VALUE;
    /** When a peer that is not up is forgotten (node.c delete_at, NODE_CLEANUP_AFTER after creation/loss). */
    long deleteAt;
    /** Messages from this peer refused with TIPC_ERR_OVERLOAD because a socket's receive queue was full. */
    long socketOverloads;
    /** Duplicate-address alerts about this peer's address (NodeTable: logged at powers of two, not per frame). */
    long duplicateAlerts;
    /** Eviction tier in the full peer table ({@link NodeTable#TIER_FRESH} ...), TIER_NONE while up. */
    int tier = NodeTable.TIER_NONE;
    /** Capabilities the name distributor was told at node up (to balance nodeDown). */
    int upCaps;
    boolean namedUp;
    /** When the links were last reset for binding updates dropped ({@link #applyNamed}), ms; at most one a minute. */
    private long namedResetAt = -NAMED_RESET_INTERVAL;
    static final long NAMED_RESET_INTERVAL = 60_000;

    /** The unicast links' input queue (l->inputq), drained after each packet a link has processed. */
    private final InputQueue inputq = new InputQueue();
    /** The broadcast link's input queue (bc_entry.inputq1). */
    private final InputQueue bcInputq = new InputQueue();
    /** Binding updates from any of this node's links (bc_entry.namedq), applied before the socket messages. */
    private final InputQueue namedq = new InputQueue();

    Node(NodeTable nodes, Net net, int addr, NodeId id, int caps) {
        this.nodes = nodes;
        this.net = net;
        this.addr = addr;
        this.id = id;
        this.caps = caps;
        this.bcRcv = new BroadcastLink(net, this);
    }

    /** Node address (32 bits). */
    public int addr() { return addr; }

    /** 128-bit identity. */
    public NodeId id() { return id; }

    /** Capabilities the peer advertised (13 bits). */
    public int capabilities() { return caps; }

    public NodeState state() { return state; }

    /** Messages from this peer refused with TIPC_ERR_OVERLOAD: a socket's receive queue was full (socket.c rcvbuf). */
    public long socketOverloads() { return socketOverloads; }

    /** The link to this peer messages are sent on (the active one), or null. */
    public Link link() { return link; }

    /** The link on local bearer {@code bearerId}, or null. */
    public Link link(int bearerId) {
        return bearerId >= 0 && bearerId < links.length ? links[bearerId] : null;
    }

    /**
     * The link a message with link selector {@code selector} goes on (node.c tipc_node_xmit: active_links[selector &
     * 1]; selector = the sending port), or null when no link is up.
     */
    Link activeLink(int selector) {
        int b = (selector & 1) == 0 ? slot0 : slot1;
        return b >= 0 ? links[b] : null;
    }

    /** Points {@link #link} at the active link, else the first link that exists. */
    void updateLink() {
        if (slot0 >= 0 && links[slot0] != null) {
            link = links[slot0];
            return;
        }
        link = null;
        for (Link l : links) {
            if (l != null) {
                link = l;
                return;
            }
        }
    }

    public BroadcastLink broadcastLink() { return bcRcv; }

    /** node_is_up: the peer has a working link. */
    public boolean isUp() { return workingLinks > 0; }

    /**
     * node.c tipc_node_fsm_evt: every transition of the kernel's table; events a state ignores leave it, events it
     * does not expect are logged as illegal ("Illegal node fsm evt") and leave it too.
     */
    void fsmEvt(Evt evt) {
        NodeState s = state;
        NodeState to = null;
        boolean ignored = false;
        switch (s) {
            case SELF_DOWN_PEER_DOWN:
                if (evt == Evt.SELF_ESTABL_CONTACT) to = NodeState.SELF_UP_PEER_COMING;
                else if (evt == Evt.PEER_ESTABL_CONTACT) to = NodeState.SELF_COMING_PEER_UP;
                else ignored = evt == Evt.SELF_LOST_CONTACT || evt == Evt.PEER_LOST_CONTACT;
                break;
            case SELF_UP_PEER_UP:
                if (evt == Evt.SELF_LOST_CONTACT) to = NodeState.SELF_DOWN_PEER_LEAVING;
                else if (evt == Evt.PEER_LOST_CONTACT) to = NodeState.SELF_LEAVING_PEER_DOWN;
                else if (evt == Evt.NODE_SYNCH_BEGIN) to = NodeState.NODE_SYNCHING;
                else if (evt == Evt.NODE_FAILOVER_BEGIN) to = NodeState.NODE_FAILINGOVER;
                else ignored = true; // SELF/PEER_ESTABL, SYNCH_END, FAILOVER_END
                break;
            case SELF_DOWN_PEER_LEAVING:
                if (evt == Evt.PEER_LOST_CONTACT) to = NodeState.SELF_DOWN_PEER_DOWN;
                else ignored = evt == Evt.SELF_ESTABL_CONTACT || evt == Evt.PEER_ESTABL_CONTACT
                    || evt == Evt.SELF_LOST_CONTACT;
                break;
            case SELF_UP_PEER_COMING:
                if (evt == Evt.PEER_ESTABL_CONTACT) to = NodeState.SELF_UP_PEER_UP;
                else if (evt == Evt.SELF_LOST_CONTACT) to = NodeState.SELF_DOWN_PEER_DOWN;
                else ignored = evt == Evt.SELF_ESTABL_CONTACT || evt == Evt.PEER_LOST_CONTACT
                    || evt == Evt.NODE_SYNCH_END || evt == Evt.NODE_FAILOVER_BEGIN;
                break;
            case SELF_COMING_PEER_UP:
                if (evt == Evt.SELF_ESTABL_CONTACT) to = NodeState.SELF_UP_PEER_UP;
                else if (evt == Evt.PEER_LOST_CONTACT) to = NodeState.SELF_DOWN_PEER_DOWN;
                else ignored = evt == Evt.SELF_LOST_CONTACT || evt == Evt.PEER_ESTABL_CONTACT;
                break;
            case SELF_LEAVING_PEER_DOWN:
                if (evt == Evt.SELF_LOST_CONTACT) to = NodeState.SELF_DOWN_PEER_DOWN;
                else ignored = evt == Evt.SELF_ESTABL_CONTACT || evt == Evt.PEER_ESTABL_CONTACT
                    || evt == Evt.PEER_LOST_CONTACT;
                break;
            case NODE_FAILINGOVER:
                if (evt == Evt.SELF_LOST_CONTACT) to = NodeState.SELF_DOWN_PEER_LEAVING;
                else if (evt == Evt.PEER_LOST_CONTACT) to = NodeState.SELF_LEAVING_PEER_DOWN;
                else if (evt == Evt.NODE_FAILOVER_END) to = NodeState.SELF_UP_PEER_UP;
                else ignored = evt == Evt.NODE_FAILOVER_BEGIN || evt == Evt.SELF_ESTABL_CONTACT
                    || evt == Evt.PEER_ESTABL_CONTACT;
                break;
            case NODE_SYNCHING:
                if (evt == Evt.SELF_LOST_CONTACT) to = NodeState.SELF_DOWN_PEER_LEAVING;
                else if (evt == Evt.PEER_LOST_CONTACT) to = NodeState.SELF_LEAVING_PEER_DOWN;
                else if (evt == Evt.NODE_SYNCH_END) to = NodeState.SELF_UP_PEER_UP;
                else if (evt == Evt.NODE_FAILOVER_BEGIN) to = NodeState.NODE_FAILINGOVER;
                else ignored = evt == Evt.NODE_SYNCH_BEGIN || evt == Evt.SELF_ESTABL_CONTACT
                    || evt == Evt.PEER_ESTABL_CONTACT;
                break;
            default:
                break;
        }
        if (to != null) state = to;
        else if (!ignored) net.log("node " + Integer.toHexString(addr) + ": illegal node FSM event " + evt + " in " + s);
    }

    // ====================================================================== receiving (node.c tipc_rcv)

    /**
     * The unicast part of node.c tipc_rcv for a sequenced message (or LINK_PROTOCOL message) that arrived on {@code l}:
     * broadcast synchronisation, {@link #checkState}, the link, then link up/down at node level.
     *
     * @param h the message, wrapped over {@code buf[off, off + len)}; {@code size} is its msg_size
     */
    void rcv(Link l, TipcMsg h, byte[] buf, int off, int len, int size, long now, Outbox out) {
        if (h.user() == Tipc.LINK_PROTOCOL) {
            // tipc_node_bc_sync_rcv (on the link it arrived on): our broadcast link's acks/NACKs, then the peer's
            int brc = h.type() == Tipc.STATE_MSG ? net.bcast.stateRcv(bcRcv, l, h, now, out) : 0;
            h.wrap(buf, off, len);
            if ((brc & Link.LINK_DOWN_EVT) != 0) {
                resetLinks("our broadcast link: " + net.lastLog(), now, out);
                return;
            }
            if (bcRcv.syncRcv(h) && h.probe() == 0 && l.isUp()) {
                l.buildProto(Tipc.STATE_MSG, false, false, 0, out);
            }
            h.wrap(buf, off, len);
        } else if (bcRcv.acked != h.bcastAck() && !Bcast.bcAckInvalid(h)) {
            // tipc_bcast_ack_rcv: w1 of any other packet acknowledges our broadcast packets
            if ((net.bcast.ackRcv(bcRcv, h.bcastAck(), 0, null, now, out) & Link.LINK_DOWN_EVT) != 0) {
                resetLinks("our broadcast link: " + net.lastLog(), now, out);
                return;
            }
            h.wrap(buf, off, len);
        }
        if (!checkState(l, h, now, out)) return;
        h.wrap(buf, off, len);
        try {
            int rc = l.rcv(buf, off, size, now, out, inputq, namedq);
            if (tier == NodeTable.TIER_FRESH && l.inSession) nodes.setTier(this, NodeTable.TIER_LINKING);
            if ((rc & Link.LINK_UP_EVT) != 0) linkUp(l, now, out);
            if ((rc & Link.LINK_DOWN_EVT) != 0) linkDown(l, now, out); // lost contact purges namedq
            // tipc_rcv after the link: tipc_named_rcv(namedq), then tipc_sk_rcv(le->inputq)
            applyNamed(now, out);
            deliver(inputq, now, out);
            net.recycleReassembled();
        } finally {
            // entries point into the caller's frame: none may outlive this call, even after an exception
            inputq.clear();
            namedq.clear();
            net.reassembled = null; // a connection took it or a receiver copied it: not to be kept or reused
        }
    }

    /** node.c tipc_rcv for a broadcast packet of this node (tipc_bcast_rcv), acknowledged in a STATE when due. */
    void bcastRcv(byte[] buf, int off, int size, long now, Outbox out) {
        try {
            int rc = bcRcv.rcv(buf, off, size, now, out, bcInputq, namedq);
            if ((rc & Link.LINK_SND_STATE) != 0 && link.isUp()) {
                link.buildProto(Tipc.STATE_MSG, false, false, 0, out);
            }
            // tipc_node_bc_rcv: tipc_node_mcast_rcv(inputq1), then tipc_named_rcv(namedq)
            deliver(bcInputq, now, out);
            applyNamed(now, out);
            net.recycleReassembled(); // every receiver copied it (or a connection took it): back to the spares
        } finally {
            bcInputq.clear();
            namedq.clear();
            net.reassembled = null;
        }
    }

    /** node.c tipc_node_reset_links: every up link to the peer fails (logged with {@code why}). */
    private void resetLinks(String why, long now, Outbox out) {
        for (Link x : links) {
            if (x == null || !x.isUp()) continue;
            x.logReset(why);
            x.fsmFailure();
            linkDown(x, now, out);
        }
    }

    /**
     * tipc_sk_rcv: the socket messages a link queued, in order. jtipc drops one whose previous node (w3) is not this
     * peer: a frame is routed by its own w3 ({@link NodeTable#rcv}), but a message inside a bundle, a reassembled one
     * or a tunnelled one carries the w3 its sender wrote, and a reject or a reroute answers it there (an honest node
     * writes its own address: msg.c tipc_msg_init, and tipc_msg_lookup_dest when it forwards).
     */
    private void deliver(InputQueue q, long now, Outbox out) {
        while (!q.isEmpty()) {
            byte[] b = q.buf();
            int o = q.off();
            int n = q.len();
            q.remove();
            int prev = (b[o + 12] & 0xFF) << 24 | (b[o + 13] & 0xFF) << 16 | (b[o + 14] & 0xFF) << 8 | (b[o + 15] & 0xFF);
            if (prev != addr) {
                if (Long.bitCount(++net.foreignPrevnode) == 1) {
                    net.log("node " + Integer.toHexString(addr) + ": a message from its link names "
                        + Integer.toHexString(prev) + " as its previous node, dropped (such messages "
                        + net.foreignPrevnode + ")");
                }
                continue;
            }
            nodes.sockets.rcv(b, o, n, now, out, false);
        }
    }

    /** tipc_named_rcv: the binding updates this node's links queued, in order (state per link peer, as node.c). */
    private void applyNamed(long now, Outbox out) {
        if (namedq.isEmpty()) return; // the data path: nothing to look up (a boxed address would allocate)
        while (!namedq.isEmpty()) {
            TipcMsg h = new TipcMsg().wrap(namedq.buf(), namedq.off(), namedq.len());
            namedq.remove();
            if (net.distr == null) continue;
            // name_distr.c tipc_named_rcv applies msg_data_sz / ITEM_SIZE items: a trailing partial one is ignored,
            // the message (its seqno, its last-bulk bit) is not
            net.distr.receive(addr, DistrMessage.fromWire(h));
        }
        resetIfNamedBroken(now, out);
    }

    /**
     * An update dropped over the held-back bounds leaves a gap no link fills: down and up again, for a new bulk; at
     * most once a minute per peer (a peer that keeps overflowing them while its bulk is on the way, or whose updates
     * met the shared total, does not make its links flap). Also from {@link #timeout}: a reset held back by that minute
     * comes once it has passed, even if the peer sends no more updates.
     */
    private void resetIfNamedBroken(long now, Outbox out) {
        if (net.distr != null && isUp() && net.distr.broken(addr) && now - namedResetAt >= NAMED_RESET_INTERVAL) {
            namedResetAt = now;
            resetLinks("binding updates dropped (held back past the bounds): links reset for a new bulk", now, out);
        }
    }

    /**
     * node.c tipc_node_check_state: what a packet arriving on {@code l} may do outside the steady state. Peer contact
     * events (SELF_UP_PEER_COMING, SELF_DOWN_PEER_LEAVING, SELF_LEAVING_PEER_DOWN); a FAILOVER tunnel message takes
     * the parallel link down (starting this side's failover) or, if that was down already, starts a failover without
     * packets ({@link #linkFailover}), and lowers the synch point to its seqno + msgcnt - 1 (tunnel-link numbering);
     * the failover ends (node and failed link) once the tunnel link's rcv_nxt is past it. A SYNCH tunnel message with
     * seqno 1 on a link (synch point from w9 if the peer has TIPC_TUNNEL_ENHANCED, else the inner seqno + msgcnt - 1)
     * brings it up and starts NODE_SYNCHING; until the parallel link has delivered past the synch point, only SYNCH
     * tunnel and LINK_PROTOCOL messages of the synching link are processed (data is dropped unacknowledged and sent
     * again by the peer), so messages stay in order across the two links.
     *
     * @return whether the link may process the message
     */
    private boolean checkState(Link l, TipcMsg h, long now, Outbox out) {
        int usr = h.user();
        int mtyp = h.type();
        int oseqno = h.seqno();
        int expPkts = h.msgcnt();
        int rcvNxt = l.rcvNxt();
        if (state == NodeState.SELF_UP_PEER_UP && usr != Tipc.TUNNEL_PROTOCOL) return true;
        Link pl = null;
        for (Link x : links) {
            if (x != null && x != l) {
                pl = x;
                break;
            }
        }
        if (!l.validateProto(h)) return false;
        switch (state) {
            case SELF_UP_PEER_COMING:
                if (!l.isUp()) return true;
                // msg_peer_link_is_up: anything but RESET/ACTIVATE says the peer's link is up
                if (usr == Tipc.LINK_PROTOCOL && mtyp != Tipc.STATE_MSG) return true;
                fsmEvt(Evt.PEER_ESTABL_CONTACT);
                break;
            case SELF_DOWN_PEER_LEAVING:
                if (BroadcastLink.peerNodeIsUp(h)) return false;
                fsmEvt(Evt.PEER_LOST_CONTACT);
                return true;
            case SELF_LEAVING_PEER_DOWN:
                return false;
            default:
                break;
        }
        if (usr != Tipc.LINK_PROTOCOL && Seqno.less(oseqno, rcvNxt)) return true; // duplicate
        if (usr == Tipc.TUNNEL_PROTOCOL && mtyp == Tipc.FAILOVER_MSG) {
            int syncpt = (oseqno + expPkts - 1) & 0xffff;
            if (pl != null && !pl.isReset()) {
                // the peer lost its end of pl: take ours down too, failing it over onto l (__tipc_node_link_down)
                pl.logReset("peer failed over to the parallel link " + l.name());
                linkDown(pl, now, out);
            }
            // pl was down before l came up: no failover started here, but the peer waits for our FAILOVER
            if (state != NodeState.NODE_FAILINGOVER) linkFailover(pl, l, now, out);
            // tunnel packets out of order: the lowest synch point counts
            if (Seqno.less(syncpt, syncPoint)) syncPoint = syncpt;
        }
        if (state == NodeState.NODE_FAILINGOVER && l.isUp()) {
            if (!Seqno.more(rcvNxt, syncPoint)) return true;
            fsmEvt(Evt.NODE_FAILOVER_END);
            if (pl != null) pl.fsmFailoverEnd();
            return true;
        }
        if (pl == null || !pl.isUp()) return true; // no synching needed with one link
        if (usr == Tipc.TUNNEL_PROTOCOL && mtyp == Tipc.SYNCH_MSG && oseqno == 1) {
            int syncpt;
            if ((caps & Tipc.TIPC_TUNNEL_ENHANCED) != 0) {
                syncpt = h.syncpt();
            } else {
                int iseqno = h.dataSize() >= Tipc.SHORT_H_SIZE
                    ? new TipcMsg().wrap(h.buffer(), h.dataOffset(), h.dataSize()).seqno() : 0;
                syncpt = (iseqno + expPkts - 1) & 0xffff;
            }
            if (!l.isUp()) linkUp(l, now, out);
            if (state == NodeState.SELF_UP_PEER_UP) {
                syncPoint = syncpt;
                l.synching = true; // LINK_SYNCH_BEGIN_EVT
                fsmEvt(Evt.NODE_SYNCH_BEGIN);
            }
        }
        if (state == NodeState.NODE_SYNCHING) {
            Link tnl;
            if (l.synching) {
                tnl = l;
            } else {
                tnl = pl;
                pl = l;
            }
            // dlv_nxt = rcv_nxt - inputq length: jtipc drains the input queue after every packet
            if (Seqno.more(pl.rcvNxt(), syncPoint)) {
                tnl.synching = false; // LINK_SYNCH_END_EVT
                fsmEvt(Evt.NODE_SYNCH_END);
                return true;
            }
            if (l == pl) return true;
            if (usr == Tipc.TUNNEL_PROTOCOL && mtyp == Tipc.SYNCH_MSG) return true;
            return usr == Tipc.LINK_PROTOCOL;
        }
        return true;
    }

    /**
     * node.c tipc_node_link_failover: a FAILOVER arrived on {@code tnl} while this side is not failing over and the
     * failed link {@code l} (null if deleted) is already reset: end any synch, synch point = tnl's rcv_nxt + 32766
     * (U16_MAX / 2 - 1, lowered by the peer's tunnel messages), send the dummy FAILOVER with drop point 1
     * ({@link LinkTunnel#failoverPrepare}) and enter NODE_FAILINGOVER. Nothing if tnl is not up ("self-failover") or
     * l is still resetting.
     */
    void linkFailover(Link l, Link tnl, long now, Outbox out) {
        if (!tnl.isUp()) return;
        if (l != null && !l.isReset()) return;
        tnl.synching = false;
        fsmEvt(Evt.NODE_SYNCH_END);
        syncPoint = (tnl.rcvNxt() + 0xffff / 2 - 1) & 0xffff;
        LinkTunnel.failoverPrepare(tnl, now, out);
        if (l != null) l.fsmFailoverBegin(); // RESET/ESTABLISHING → FAILINGOVER: it waits for the failover end
        fsmEvt(Evt.NODE_FAILOVER_BEGIN);
    }

    // ====================================================================== links and timer

    /** tipc_node_calculate_timer: keepalive interval min(tolerance / 4, 500) ms, abort limit tolerance / interval. */
    void calculateTimer(Link l) {
        int tol = l.tolerance;
        int intv = Math.min(tol / 4, 500);
        if (intv < keepaliveIntv) keepaliveIntv = intv;
        l.abortLimit = (int) (tol / keepaliveIntv);
    }

    /**
     * tipc_node_timeout: every link's timer (tipc_link_timeout), then re-armed at the keepalive interval.
     *
     * @return false if the node is to be deleted (not up for {@link NodeTable#NODE_CLEANUP_AFTER} ms,
     *         tipc_node_cleanup); nothing else was done then
     */
    boolean timeout(long now, Outbox out) {
        if (!isUp() && now >= deleteAt) return false;
        keepaliveIntv = 10000;
        for (Link l : links) {
            if (l == null) continue;
            calculateTimer(l);
            int rc = l.timeout(now, out);
            if ((rc & Link.LINK_DOWN_EVT) != 0) linkDown(l, now, out);
        }
        if (isUp() && (net.bcast.stallCheck(bcRcv, now) & Link.LINK_DOWN_EVT) != 0) {
            resetLinks("our broadcast link: " + net.lastLog(), now, out);
        }
        resetIfNamedBroken(now, out);
        nodes.arm(this, now + keepaliveIntv);
        return true;
    }

    /**
     * __tipc_node_link_up + the link-up/node-up notifications of tipc_node_write_unlock. The first link takes both
     * active slots and brings the node up (bc-init, binding-table bulk); a second link is announced (link-state
     * binding): with a higher priority than the active link it takes both slots (the old one becomes standby), with an
     * equal priority slot 1 (load sharing by selector), with a lower one it is standby; in every case the old link's
     * traffic is synched onto it ({@link LinkTunnel#prepare} with SYNCH_MSG), so the peer delivers in order across
     * the two links.
     */
    void linkUp(Link l, long now, Outbox out) {
        if (l == null || l.isUp()) return;
        Link ol = slot0 >= 0 ? links[slot0] : null;
        l.fsmEstablish();
        if (!l.isUp()) return;
        int bid = l.bearer.id;
        working[bid] = true;
        workingLinks++;
        l.bearer.disc.addDest();
        net.bcast.bearerDest(l.bearer, 1); // tipc_bcast_inc_bearer_dst_cnt
        // "Ensure that a STATE message goes first"
        l.rcvUnacked = 0;
        l.buildProto(Tipc.STATE_MSG, false, false, 0, out);
        l.bearer.mon.peerUp(addr); // TIPC_NOTIFY_LINK_UP → tipc_mon_peer_up
        int linkId = (l.peerBearerId << 16) | bid;
        if (ol != null) {
            // second link => redistribute slots, then synch with the first link
            if (l.priority > ol.priority) {
                slot0 = bid;
                slot1 = bid;
            } else if (l.priority == ol.priority) {
                slot1 = bid;
            }
            updateLink();
            LinkTunnel.prepare(ol, l, Tipc.SYNCH_MSG, now, out);
            net.distr.linkUp(addr, linkId);
            nodes.flushNamed(now, out);
            net.events.add(() -> net.listener.linkUp(l));
            return;
        }
        slot0 = bid;
        slot1 = bid;
        updateLink();
        nodes.setTier(this, NodeTable.TIER_NONE); // up: never evicted
        fsmEvt(Evt.SELF_ESTABL_CONTACT);
        // tipc_bcast_add_peer → tipc_link_build_bc_init_msg: the peer receives our broadcasts from our snd_nxt on
        net.bcast.addPeer(this);
        byte[] bc = new byte[Tipc.INT_H_SIZE];
        TipcMsg h = new TipcMsg().wrap(bc, 0, bc.length);
        Msg.init(h, net.ownAddr, Tipc.BCAST_PROTOCOL, Tipc.STATE_MSG, Tipc.INT_H_SIZE, addr);
        h.setLastBcast(net.bcast.sndNxt() - 1);
        h.setBcastAck(bcRcv.rcvNxt - 1);
        h.setBcgapAfter(bcRcv.rcvNxt - 1);
        h.setBcgapTo(bcRcv.rcvNxt - 1);
        h.setBcAckInvalid(1);
        l.xmit(bc, bc.length, now, out);
        // notifications: link-state binding, then the binding-table bulk (tipc_named_node_up)
        net.distr.linkUp(addr, linkId);
        net.distr.nodeUp(addr, caps, l.mss());
        upCaps = caps;
        namedUp = true;
        nodes.flushNamed(now, out);
        net.events.add(() -> net.listener.linkUp(l));
        net.events.add(() -> net.listener.nodeUp(this));
    }

    /**
     * tipc_node_link_down / __tipc_node_link_down. The highest-priority links still up take the active slots. The
     * last link going down takes the node down (a RESET is sent, the peer's bindings withdrawn, lost contact). With
     * another link up, the lost one fails over to the new slot-0 link: any synch ends, synch point = its rcv_nxt +
     * 32766, the lost link's transmit queue and backlog are tunnelled ({@link LinkTunnel#prepare} with FAILOVER_MSG,
     * which also hands over what it received but did not deliver), it is reset and enters FAILINGOVER, and the node
     * NODE_FAILINGOVER, so nothing it held is lost.
     */
    void linkDown(Link l, long now, Outbox out) {
        if (l == null) return;
        if (l.state() == Link.State.ESTABLISHING) {
            // defuse a pending link up
            l.reset();
            l.fsmReset();
            return;
        }
        if (l.isReset()) return;
        int bid = l.bearer.id;
        boolean wasUp = working[bid];
        if (wasUp) {
            working[bid] = false;
            workingLinks--;
            l.bearer.disc.removeDest(now);
            net.bcast.bearerDest(l.bearer, -1); // tipc_bcast_dec_bearer_dst_cnt
            l.bearer.mon.peerDown(addr); // TIPC_NOTIFY_LINK_DOWN → tipc_mon_peer_down
        }
        // select the new active link(s), if any
        slot0 = -1;
        slot1 = -1;
        int highest = 0;
        for (int i = 0; i < links.length; i++) {
            Link x = links[i];
            if (x == null || x == l || !x.isUp()) continue;
            if (x.priority < highest) continue;
            if (x.priority > highest) {
                highest = x.priority;
                slot0 = i;
                slot1 = i;
                continue;
            }
            if (slot0 < 0) slot0 = i;
            slot1 = i;
        }
        updateLink();
        l.synching = false;
        int linkId = (l.peerBearerId << 16) | bid;
        if (slot0 < 0) {
            if (l.state() == Link.State.PEER_RESET) fsmEvt(Evt.PEER_LOST_CONTACT);
            fsmEvt(Evt.SELF_LOST_CONTACT);
            l.fsmReset();
            l.reset();
            l.buildResetMsg(out);
            if (wasUp) {
                net.events.add(() -> net.listener.linkDown(l));
                lostContact(now, out); // node.c tipc_node_write_unlock: NODE_DOWN's tipc_publ_notify before LINK_DOWN's
                net.distr.linkDown(addr, linkId); // withdrawal of {2, peer}: topology events in the kernel's order
                nodes.flushNamed(now, out);
            }
            return;
        }
        // there is still a working link => failover
        Link tnl = links[slot0];
        tnl.synching = false;
        fsmEvt(Evt.NODE_SYNCH_END);
        syncPoint = (tnl.rcvNxt() + 0xffff / 2 - 1) & 0xffff;
        LinkTunnel.prepare(l, tnl, Tipc.FAILOVER_MSG, now, out);
        l.reset();
        l.fsmReset();
        l.fsmFailoverBegin();
        fsmEvt(Evt.NODE_FAILOVER_BEGIN);
        if (wasUp) {
            net.events.add(() -> net.listener.linkDown(l));
            net.distr.linkDown(addr, linkId);
            nodes.flushNamed(now, out);
        }
    }

    /**
     * node_lost_contact: broadcast state purged, any link failover aborted (LINK_FAILOVER_END_EVT: FAILINGOVER → RESET),
     * connections aborted, the peer's bindings withdrawn.
     */
    private void lostContact(long now, Outbox out) {
        deleteAt = now + NodeTable.NODE_CLEANUP_AFTER;
        nodes.setTier(this, NodeTable.TIER_LOST);
        net.bcast.removePeer(this, now, out); // tipc_bcast_remove_peer: its share of our broadcasts released
        bcRcv.reset();
        for (Link x : links) if (x != null) x.fsmFailoverEnd();
        namedq.clear(); // skb_queue_purge(&n->bc_entry.namedq): no binding of a lost node is applied
        // node_lost_contact appends a TIPC_ERR_NO_NODE abort per connection to the node behind the socket messages
        // already in le->inputq: those are delivered first, then the aborts
        deliver(inputq, now, out);
        nodes.sockets.nodeLost(addr, now, out);
        if (namedUp) {
            net.distr.nodeDown(addr, upCaps);
            namedUp = false;
        }
        net.events.add(() -> net.listener.nodeDown(this));
    }

    /**
     * Takes one link down for good: node-level link down if up, and a RESET with the peer-stopping bit in any case
     * (never an ACTIVATE: an ESTABLISHING link is reset first).
     */
    void stopLink(Link l, long now, Outbox out) {
        if (l.isUp()) {
            l.logReset("stopped here (bearer disabled or node stopping)");
            l.fsmFailure();
            linkDown(l, now, out);
            // the last link's RESET went out in linkDown; a link failed over is FAILINGOVER (blocked: nothing is sent),
            // the peer takes its end down on the FAILOVER tunnel
            if (workingLinks > 0) l.buildResetMsg(out);
        } else {
            // node.c tipc_node_link_down defuses an ESTABLISHING link (tipc_link_reset, LINK_RESET_EVT): no ACTIVATE
            // toward a bearer that goes away. Then jtipc's RESET with the peer-stopping bit (the kernel sends nothing
            // for a link not up): a peer whose end came up on an earlier ACTIVATE takes it down at once
            if (l.state() == Link.State.ESTABLISHING) l.fsmReset();
            l.buildResetMsg(out);
        }
    }

    /**
     * name_distr.c named_prepare_buf (the nametable module's encoder) + tipc_node_xmit of one binding message;
     * {@code checkLimit} false for a bulk's later messages (one list in the kernel, Link#xmit).
     */
    void sendNamed(DistrMessage dm, boolean checkLimit, long now, Outbox out) {
        if (dm.destNode() != addr) {
            dm = new DistrMessage(dm.msgType(), dm.origNode(), addr, dm.bulk(), dm.lastBulk(), dm.nonLegacy(),
                dm.namedSeqno(), dm.bcAckInvalid(), dm.items());
        }
        byte[] b = new byte[dm.encodedSize()];
        int size = dm.encode(b, 0);
        Link l = link;
        int rc = l.xmit(b, size, now, out, checkLimit, null);
        if (rc == Errno.ENOBUFS) { // logged by the link (backlog overflow)
            l.fsmFailure();
            linkDown(l, now, out);
        }
    }

    @Override
    public String toString() {
        return "Node[" + Integer.toHexString(addr) + " " + id + " " + state + " links=" + java.util.Arrays.toString(links) + "]";
    }
}
