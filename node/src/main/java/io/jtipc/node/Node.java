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
        /** A second link came up and the peer asked to synch it (SYNCH tunnel message, node.c NODE_SYNCHING). */
        NODE_SYNCHING
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
     * The link messages to this peer are sent on (node.c active_links[0]); while no link is up, the first link
     * created (so its establishment can be followed). jtipc sends all traffic on one link, see {@link #linkUp}.
     */
    Link link;
    /** Links by local bearer id (node.c n->links[bearer_id].link). */
    final Link[] links = new Link[Bearer.MAX_BEARERS];
    /** node.c link_cnt: links that exist (at most 2). */
    int linkCnt;
    /** node.c active_links[0..1]: bearer ids of the active links, -1 (INVALID_BEARER_ID) if none. */
    int slot0 = -1;
    int slot1 = -1;
    /** node.c sync_point: the parallel link's sequence number to reach before a synching link delivers. */
    int syncPoint;
    /** A dummy FAILOVER answered the peer's failover since a link last came up (node.c failover_sent). */
    boolean failoverSent;
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
    /** Eviction tier in the full peer table ({@link NodeTable#TIER_FRESH} ...), TIER_NONE while up. */
    int tier = NodeTable.TIER_NONE;
    /** Capabilities the name distributor was told at node up (to balance nodeDown). */
    int upCaps;
    boolean namedUp;

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

    /** tipc_node_fsm_evt for the events used without parallel links. */
    void fsmSelfEstabl() {
        if (state == NodeState.SELF_DOWN_PEER_DOWN) state = NodeState.SELF_UP_PEER_COMING;
        else if (state == NodeState.SELF_COMING_PEER_UP) state = NodeState.SELF_UP_PEER_UP;
    }

    void fsmSelfLost() {
        switch (state) {
            case SELF_UP_PEER_COMING: state = NodeState.SELF_DOWN_PEER_DOWN; break;
            case SELF_UP_PEER_UP:
            case NODE_SYNCHING: state = NodeState.SELF_DOWN_PEER_LEAVING; break;
            case SELF_LEAVING_PEER_DOWN: state = NodeState.SELF_DOWN_PEER_DOWN; break;
            default: break;
        }
    }

    void fsmPeerEstabl() {
        if (state == NodeState.SELF_DOWN_PEER_DOWN) state = NodeState.SELF_COMING_PEER_UP;
        else if (state == NodeState.SELF_UP_PEER_COMING) state = NodeState.SELF_UP_PEER_UP;
    }

    void fsmPeerLost() {
        switch (state) {
            case SELF_COMING_PEER_UP: state = NodeState.SELF_DOWN_PEER_DOWN; break;
            case SELF_UP_PEER_UP:
            case NODE_SYNCHING: state = NodeState.SELF_LEAVING_PEER_DOWN; break;
            case SELF_DOWN_PEER_LEAVING: state = NodeState.SELF_DOWN_PEER_DOWN; break;
            default: break;
        }
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
            // tipc_node_bc_sync_rcv (on the link it arrived on)
            if (bcRcv.syncRcv(h) && h.probe() == 0 && l.isUp()) {
                l.buildProto(Tipc.STATE_MSG, false, false, 0, out);
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
        } finally {
            // entries point into the caller's frame: none may outlive this call, even after an exception
            inputq.clear();
            namedq.clear();
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
            if ((rc & Link.LINK_DOWN_EVT) != 0) {
                // then: a broadcast reassembly failure resets all links to the peer (tipc_node_reset_links)
                String why = "broadcast fragment reassembly error: " + bcRcv.reasm.lastError
                    + " (broadcast reassembly errors " + bcRcv.reasm.errors + ")";
                for (Link x : links) {
                    if (x == null || !x.isUp()) continue;
                    x.logReset(why);
                    x.fsmFailure();
                    linkDown(x, now, out);
                }
            }
        } finally {
            bcInputq.clear();
            namedq.clear();
        }
    }

    /** tipc_sk_rcv: the socket messages a link queued, in order. */
    private void deliver(InputQueue q, long now, Outbox out) {
        while (!q.isEmpty()) {
            byte[] b = q.buf();
            int o = q.off();
            int n = q.len();
            q.remove();
            nodes.sockets.rcv(b, o, n, now, out, false);
        }
    }

    /** tipc_named_rcv: the binding updates this node's links queued, in order (state per link peer, as node.c). */
    private void applyNamed(long now, Outbox out) {
        while (!namedq.isEmpty()) {
            TipcMsg h = new TipcMsg().wrap(namedq.buf(), namedq.off(), namedq.len());
            namedq.remove();
            if (h.dataSize() % Tipc.ITEM_SIZE != 0 || net.distr == null) continue;
            net.distr.receive(addr, DistrMessage.fromWire(h));
        }
    }

    /**
     * node.c tipc_node_check_state. Parallel links: a SYNCH tunnel message (seqno 1 on a link that comes up while
     * another is up) brings that link up and starts NODE_SYNCHING; until the parallel link has received past the
     * synch point, data arriving on the synching link is dropped unacknowledged (the peer retransmits it), so
     * messages stay in order across the two links. The tunnelled copies themselves are consumed by the link
     * ({@link Link} drops TUNNEL_PROTOCOL content: the parallel link delivers the originals). FAILOVER is not
     * implemented (jtipc never enters NODE_FAILINGOVER).
     *
     * @return whether the link may process the message
     */
    private boolean checkState(Link l, TipcMsg h, long now, Outbox out) {
        int usr = h.user();
        int mtyp = h.type();
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
                fsmPeerEstabl();
                break;
            case SELF_DOWN_PEER_LEAVING:
                if (BroadcastLink.peerNodeIsUp(h)) return false;
                fsmPeerLost();
                return true;
            case SELF_LEAVING_PEER_DOWN:
                return false;
            default:
                break;
        }
        int oseqno = h.seqno();
        if (usr != Tipc.LINK_PROTOCOL && Seqno.less(oseqno, l.rcvNxt())) return true; // duplicate
        if (usr == Tipc.TUNNEL_PROTOCOL && mtyp == Tipc.FAILOVER_MSG) {
            // The peer lost its end of the parallel link and fails its traffic over to this one. jtipc does not
            // take over the tunnelled packets (the link drops them), but, as node.c does, it takes its own end of
            // the parallel link down and answers once with a dummy FAILOVER (tipc_link_create_dummy_tnl_msg), whose
            // seqno gives the peer its synch point, so the peer leaves NODE_FAILINGOVER and the lost link can come
            // back.
            if (pl != null && !pl.isReset()) {
                pl.logReset("peer failed over to the parallel link " + l.name());
                linkDown(pl, now, out);
            }
            if (!failoverSent && l.isUp()) {
                failoverSent = true;
                sendDummyFailover(l, now, out);
            }
            return true;
        }
        if (pl == null || !pl.isUp()) return true; // no synching needed with one link
        if (usr == Tipc.TUNNEL_PROTOCOL && mtyp == Tipc.SYNCH_MSG && oseqno == 1) {
            // jtipc does not advertise TIPC_TUNNEL_ENHANCED: the synch point is the last tunnelled packet's seqno
            int iseqno = h.dataSize() >= Tipc.BASIC_H_SIZE ? new TipcMsg().wrap(h.buffer(), h.dataOffset(),
                    h.dataSize()).seqno() : 0;
            int syncpt = (iseqno + h.msgcnt() - 1) & 0xffff;
            if (!l.isUp()) linkUp(l, now, out);
            if (state == NodeState.SELF_UP_PEER_UP) {
                syncPoint = syncpt;
                l.synching = true;
                state = NodeState.NODE_SYNCHING;
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
            if (Seqno.more(pl.rcvNxt(), syncPoint)) {
                tnl.synching = false;
                state = NodeState.SELF_UP_PEER_UP;
                return true;
            }
            if (l == pl) return true;
            if (usr == Tipc.TUNNEL_PROTOCOL && mtyp == Tipc.SYNCH_MSG) return true;
            return usr == Tipc.LINK_PROTOCOL;
        }
        return true;
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
        maybeSwitchActive();
        nodes.arm(this, now + keepaliveIntv);
        return true;
    }

    /**
     * __tipc_node_link_up + the link-up/node-up notifications of tipc_node_write_unlock. The first link takes both
     * active slots and brings the node up (bc-init, binding-table bulk); a second link is announced (link-state
     * binding) and takes slot 1 if its priority equals the first's, or becomes the preferred link if higher.
     *
     * <p>jtipc sends every message on slot 0 ({@link #link()}) and moves slot 0 to a higher-priority link only
     * once the current one has nothing unacknowledged or backlogged ({@link #maybeSwitchActive}); the kernel splits
     * traffic by selector over equal-priority links and re-orders it with a SYNCH tunnel, which jtipc does not send.
     * One link carrying everything needs no synch, so the peer always receives in order.
     */
    void linkUp(Link l, long now, Outbox out) {
        if (l == null || l.isUp()) return;
        Link ol = slot0 >= 0 ? links[slot0] : null;
        l.fsmEstablish();
        if (!l.isUp()) return;
        int bid = l.bearer.id;
        working[bid] = true;
        workingLinks++;
        failoverSent = false;
        l.bearer.disc.addDest();
        // "Ensure that a STATE message goes first"
        l.rcvUnacked = 0;
        l.buildProto(Tipc.STATE_MSG, false, false, 0, out);
        int linkId = (l.peerBearerId << 16) | bid;
        if (ol != null) {
            // second link => redistribute slots (node.c), jtipc keeps sending on slot 0 until it may switch
            if (l.priority == ol.priority) slot1 = bid;
            net.distr.linkUp(addr, linkId);
            nodes.flushNamed(now, out);
            net.events.add(() -> net.listener.linkUp(l));
            maybeSwitchActive();
            return;
        }
        slot0 = bid;
        slot1 = bid;
        updateLink();
        nodes.setTier(this, NodeTable.TIER_NONE); // up: never evicted
        fsmSelfEstabl();
        // tipc_bcast_add_peer → tipc_link_build_bc_init_msg
        byte[] bc = new byte[Tipc.INT_H_SIZE];
        TipcMsg h = new TipcMsg().wrap(bc, 0, bc.length);
        Msg.init(h, net.ownAddr, Tipc.BCAST_PROTOCOL, Tipc.STATE_MSG, Tipc.INT_H_SIZE, addr);
        h.setLastBcast(BroadcastLink.OWN_SND_NXT - 1);
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

    /** link.c tipc_link_create_dummy_tnl_msg: FAILOVER, msgcnt 1, wrapping a DIRECT_MSG with TIPC_ERR_NO_PORT. */
    private void sendDummyFailover(Link l, long now, Outbox out) {
        byte[] b = new byte[Tipc.INT_H_SIZE + Tipc.BASIC_H_SIZE];
        TipcMsg h = new TipcMsg().wrap(b, 0, Tipc.INT_H_SIZE);
        Msg.init(h, net.ownAddr, Tipc.TUNNEL_PROTOCOL, Tipc.FAILOVER_MSG, Tipc.INT_H_SIZE, addr);
        h.setSize(b.length);
        h.setMsgcnt(1);
        h.setBearerId(l.peerBearerId);
        TipcMsg in = new TipcMsg().wrap(b, Tipc.INT_H_SIZE, Tipc.BASIC_H_SIZE);
        Msg.init(in, net.ownAddr, Tipc.LOW_IMPORTANCE, Tipc.TIPC_DIRECT_MSG, Tipc.BASIC_H_SIZE, addr);
        in.setErrcode(Tipc.TIPC_ERR_NO_PORT);
        l.xmit(b, b.length, now, out);
    }

    /**
     * Moves slot 0 to the highest-priority working link when it is better than the current one and the current one
     * has no unacknowledged or backlogged message (so nothing can overtake anything: no synch needed).
     */
    private void maybeSwitchActive() {
        if (slot0 < 0 || workingLinks < 2) return;
        Link cur = links[slot0];
        Link best = cur;
        for (int i = 0; i < links.length; i++) {
            Link x = links[i];
            if (x != null && working[i] && x.isUp() && x.priority > best.priority) best = x;
        }
        if (best == cur || cur.transmitQueueLength() != 0 || cur.backlogLength() != 0) return;
        slot0 = best.bearer.id;
        slot1 = best.bearer.id;
        updateLink();
    }

    /**
     * tipc_node_link_down / __tipc_node_link_down. The last working link going down takes the node down (the peer's
     * bindings withdrawn). With another link still working the lost one is reset and the other takes the active
     * slots; jtipc does no failover (the kernel's FAILOVER tunnel), so messages unacknowledged on the lost link
     * are lost.
     */
    void linkDown(Link l, long now, Outbox out) {
        if (l == null) return;
        if (l.state() == Link.State.ESTABLISHING) {
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
        }
        // select the new active link(s), if any
        slot0 = -1;
        slot1 = -1;
        int highest = 0;
        for (int i = 0; i < links.length; i++) {
            Link x = links[i];
            if (x == null || x == l || !working[i]) continue;
            if (x.priority < highest) continue;
            if (x.priority > highest || slot0 < 0) {
                highest = x.priority;
                slot0 = i;
                slot1 = i;
                continue;
            }
            slot1 = i;
        }
        updateLink();
        l.synching = false;
        int linkId = (l.peerBearerId << 16) | bid;
        if (workingLinks == 0) {
            if (l.state() == Link.State.PEER_RESET) fsmPeerLost();
            fsmSelfLost();
            l.fsmReset();
            l.reset();
            l.buildResetMsg(out);
            if (wasUp) {
                net.events.add(() -> net.listener.linkDown(l));
                net.distr.linkDown(addr, linkId);
                lostContact(now, out);
                nodes.flushNamed(now, out);
            }
            return;
        }
        // another link works: end any synch with it, reset this one (it may come back through discovery)
        if (state == NodeState.NODE_SYNCHING) state = NodeState.SELF_UP_PEER_UP;
        for (Link x : links) if (x != null) x.synching = false;
        l.fsmReset();
        l.reset();
        if (wasUp) {
            net.events.add(() -> net.listener.linkDown(l));
            net.distr.linkDown(addr, linkId);
            nodes.flushNamed(now, out);
        }
    }

    /** node_lost_contact: broadcast state purged, connections aborted, the peer's bindings withdrawn. */
    private void lostContact(long now, Outbox out) {
        deleteAt = now + NodeTable.NODE_CLEANUP_AFTER;
        nodes.setTier(this, NodeTable.TIER_LOST);
        bcRcv.reset();
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

    /** Takes one link down for good: node-level link down, and a RESET with the peer-stopping bit in any case. */
    void stopLink(Link l, long now, Outbox out) {
        if (l.isUp()) {
            l.logReset("stopped here (bearer disabled or node stopping)");
            l.fsmFailure();
            linkDown(l, now, out);
            // the last link's RESET went out in linkDown; with another link working it did not
            if (workingLinks > 0) l.buildResetMsg(out);
        } else {
            l.buildResetMsg(out);
        }
    }

    /** name_distr.c named_prepare_buf (the nametable module's encoder) + tipc_node_xmit of one binding message. */
    void sendNamed(DistrMessage dm, long now, Outbox out) {
        if (dm.destNode() != addr) {
            dm = new DistrMessage(dm.msgType(), dm.origNode(), addr, dm.bulk(), dm.lastBulk(), dm.nonLegacy(),
                dm.namedSeqno(), dm.bcAckInvalid(), dm.items());
        }
        byte[] b = new byte[dm.encodedSize()];
        int size = dm.encode(b, 0);
        Link l = link;
        int rc = l.xmit(b, size, now, out);
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
