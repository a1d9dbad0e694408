package io.jtipc.node;

import io.jtipc.wire.NodeId;

/**
 * A peer node ({@code struct tipc_node}, net/tipc/node.c): identity, capabilities, discovery signature,
 * node FSM state, its links (one per bearer, at most two, node.c {@code links[MAX_BEARERS]}, {@code link_cnt}),
 * the active link slots and its broadcast receive link.
 */
public final class Peer {
    /** Node FSM states (node.c). */
    public enum NodeState {
        SELF_DOWN_PEER_DOWN, SELF_UP_PEER_UP, SELF_DOWN_PEER_LEAVING, SELF_UP_PEER_COMING,
        SELF_COMING_PEER_UP, SELF_LEAVING_PEER_DOWN,
        /** A second link came up and the peer asked to synch it (SYNCH tunnel message, node.c NODE_SYNCHING). */
        NODE_SYNCHING
    }

    /** INVALID_NODE_SIG: a new node never matches the first signature it sees. */
    static final int INVALID_NODE_SIG = 0x10000;

    final NodeCore core;
    final int addr;
    NodeId id;
    int caps;
    int signature = INVALID_NODE_SIG;
    int peerHashMix;
    NodeState state = NodeState.SELF_DOWN_PEER_LEAVING;
    /**
     * The link messages to this peer are sent on (node.c active_links[0]); while no link is up, the first link
     * created (so its establishment can be followed). jtipc sends all traffic on one link, see NodeCore.
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
    /** Capabilities the name distributor was told at node up (to balance nodeDown). */
    int upCaps;
    boolean namedUp;

    Peer(NodeCore core, int addr, NodeId id, int caps) {
        this.core = core;
        this.addr = addr;
        this.id = id;
        this.caps = caps;
        this.bcRcv = new BroadcastLink(core, this);
    }

    /** Node address (32 bits). */
    public int addr() { return addr; }

    /** 128-bit identity. */
    public NodeId id() { return id; }

    /** Capabilities the peer advertised (13 bits). */
    public int capabilities() { return caps; }

    public NodeState state() { return state; }

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

    /** Id string, or the hex address if that string is longer than 16 characters (link names, link.c). */
    String idName() {
        String s = id.toString();
        return s.length() > 16 ? Integer.toHexString(addr) : s;
    }

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

    @Override
    public String toString() {
        return "Peer[" + Integer.toHexString(addr) + " " + id + " " + state + " links=" + java.util.Arrays.toString(links) + "]";
    }
}
