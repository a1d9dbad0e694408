package io.jtipc.node;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;

import io.jtipc.wire.BundleCursor;
import io.jtipc.wire.GapAckBlocks;
import io.jtipc.wire.NodeId;
import io.jtipc.wire.PeerText;
import io.jtipc.wire.Seqno;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * A unicast link endpoint ({@code struct tipc_link}, net/tipc/link.c of Linux 6.1), sans-IO.
 *
 * <p>Implemented: the link FSM ({@code tipc_link_fsm_evt}: LINK_FAILINGOVER is {@link State#FAILINGOVER},
 * LINK_SYNCHING is an up link with {@link #synching}; {@link Node} drives both); sessions and
 * {@code tipc_link_validate_msg}; RESET/ACTIVATE/STATE building
 * ({@code tipc_link_build_proto_msg}) with STATE sequence numbers (TIPC_LINK_PROTO_SEQNO) and the gap-ACK
 * record (TIPC_GAP_ACK_BLOCK, broadcast part from the peer's {@link BroadcastLink}); tolerance, probing
 * and the abort limit ({@code tipc_link_timeout}); 16-bit sequencing, acks, the deferred queue and NACKs
 * ({@code tipc_link_rcv}, {@code tipc_link_build_nack_msg}); release and retransmission on ack, gap and
 * gap-ACK blocks ({@code tipc_link_advance_transmq}) with the 1 ms retransmit restriction and the
 * retransmission-failure rule ({@code link_retransmit_failure}, tolerance × 10); the congestion window
 * ({@code tipc_link_update_cwin}: slow start from the minimum window, congestion avoidance above ssthresh,
 * fast recovery on retransmission, back to slow start on an idle tick), one backlog with per-importance limits
 * ({@code tipc_link_set_queue_limits}) whose last packet takes bundles ({@link Msg#bundle}; jtipc: only the last of the
 * whole backlog; link.c's last of the importance lets a group LEAVE overtake its socket's data, CI run 34); MTU
 * negotiation; fragment reassembly and bundle extraction on receive
 * ({@code tipc_link_input}), in-sequence messages appended to the node's input and binding-update queues
 * ({@code tipc_data_input}, {@link InputQueue}). Unlike the kernel's, the deferred queue, the reassembly buffer and the
 * backlog are bounded in bytes, per link and per node ({@link HoldBudget}); reset causes are logged ({@link #logReset}).
 *
 * The SYNCH and FAILOVER tunnels (building and receiving) are {@link LinkTunnel}'s; neighbour monitoring
 * (tipc_mon_prep/rcv/get_state: the domain record after the gap-ACK record of STATE) is the bearer's {@link Monitor}.
 *
 * <p>Times are ms on the caller's clock. Not thread safe: owned by its {@link Node}.
 */
public final class Link {
    /** Link FSM states (link.c). */
    public enum State { RESETTING, RESET, PEER_RESET, ESTABLISHING, ESTABLISHED, FAILINGOVER }

    static final int LINK_UP_EVT = 1;
    static final int LINK_DOWN_EVT = 2;
    static final int LINK_SND_STATE = 4;

    /** TIPC_MAX_LINK_WIN: receive window, packets. */
    static final int MAX_LINK_WIN = 8191;
    /** TIPC_MIN_LINK_WIN: a STATE ack is sent after this many unacked received packets. */
    static final int MIN_LINK_WIN = 16;
    /** TIPC_DEF_LINK_WIN: minimum (initial) congestion window, packets. */
    static final int DEF_LINK_WIN = 50;
    /** TIPC_UC_RETR_TIME: minimum time between two retransmissions of one packet, ms. */
    static final int UC_RETR_TIME = 1;
    /** TIPC_MAX_IF_NAME. */
    static final int MAX_IF_NAME = 16;
    static final int MAX_GAP_ACK_BLKS = 128;

    final Net net;
    /** The peer node this link leads to (its owner). */
    final Node node;
    final Bearer bearer;
    byte[] maddr;

    private State state = State.RESETTING;
    int session;
    int peerSession;
    boolean inSession;
    int peerBearerId;
    final int advertisedMtu;
    int mtu;
    int tolerance;
    int priority;
    /** LINK_SYNCHING (link.c): this link came up second and waits for the parallel link to reach the synch point. */
    boolean synching;
    int netPlane;
    /** Congestion window (l->window), packets. */
    int window;
    int minWin;
    int maxWin;
    int ssthresh;
    int congAcks;
    int abortLimit = 4;
    int silentIntvCnt;
    int rstCnt;
    int checkpoint;
    String peerIfName = "unknown";

    int sndNxt = 1;
    int rcvNxt = 1;
    int rcvUnacked;
    int sndNxtState = 1;
    int rcvNxtState = 1;

    final ArrayDeque<Pkt> transmq = new ArrayDeque<>();
    final ArrayDeque<Pkt> backlogq = new ArrayDeque<>();
    final int[] backlogLen = new int[5];
    final int[] backlogLimit = new int[5];
    final Pkt[] target = new Pkt[5];
    /** A sender got ELINKCONG and waits for {@link NodeListener#linkUncongested}. */
    boolean congestedUsers;
    /** Deferred (out-of-order) received packets, sorted by seqno, bounded in bytes and packets. */
    final DeferredQueue deferdq;
    LinkReassembly reasm;
    /** Failover/synch tunnel state and functions (link.c tipc_link_tnl_*). */
    final LinkTunnel tunnel;
    /** Bytes and packets in {@link #backlogq} (per link, charging {@link Net#backlogTotal}). */
    private final HoldBudget backlogBudget;
    /** While LinkTunnel#xmitList queues a tunnel here: its later packets go past the bounds (HoldBudget#forceOver). */
    boolean tunnelling;
    /** Counters of {@link #holdStats()}: backlog overflows, resets and the last reset's reason. */
    long backlogOverflows, resets;
    String lastResetReason = "";

    private final TipcMsg m = new TipcMsg();
    private final TipcMsg m2 = new TipcMsg();
    /** Flyweights of {@link #input} (never re-entered for one link): the packet, an inner message, a bundle walk. */
    private final TipcMsg inH = new TipcMsg(), inInner = new TipcMsg();
    private final BundleCursor inCursor = new BundleCursor();
    private final byte[] protoBuf = new byte[Tipc.INT_H_SIZE + 4 + 4 * MAX_GAP_ACK_BLKS + 16 + 4 * Monitor.MAX_DOMAIN];
    /** This link's view of the bearer's monitor (l->mon_state), cleared on reset. */
    final Monitor.State monState = new Monitor.State();

    // statistics (link.c struct tipc_stats subset)
    long sentPkts, recvPkts, retransmitted, duplicates, sentNacks, recvNacks, sentStates, recvStates, sentProbes,
        deferredRecv, sentBundles, sentBundled, sentFragmented;

    Link(Net net, Node node, Bearer bearer, byte[] maddr, int session) {
        this.net = net;
        this.node = node;
        this.bearer = bearer;
        this.maddr = maddr;
        this.session = session & 0xffff;
        if (bearer.mon == null) bearer.mon = new Monitor(net, bearer.id, node.nodes);
        BearerConfig c = bearer.config;
        this.advertisedMtu = c.mtu() & ~3;
        this.mtu = advertisedMtu;
        this.tolerance = c.tolerance();
        this.priority = c.priority();
        this.netPlane = bearer.id;
        this.maxWin = c.window(); // the bearer's max_win, no media cap (bearer.c __tipc_nl_bearer_set)
        this.minWin = Math.min(DEF_LINK_WIN, maxWin);
        this.window = minWin;
        this.ssthresh = maxWin;
        this.deferdq = DeferredQueue.ofLink(net);
        this.reasm = new LinkReassembly(net.reasmTotal, net.reasmActive, net.reasmSpares);
        this.tunnel = new LinkTunnel(this, net);
        this.backlogBudget = HoldBudget.backlogOfLink(net.backlogTotal, net.backlogReserve);
        setQueueLimits();
    }

    void setQueueLimits() {
        backlogLimit[0] = minWin * 2;
        backlogLimit[1] = minWin * 4;
        backlogLimit[2] = minWin * 6;
        backlogLimit[3] = minWin * 8;
        backlogLimit[4] = 65535 / (mtu / Tipc.ITEM_SIZE);
        backlogBudget.backlogLimits(backlogLimit, mtu);
    }

    // ------------------------------------------------------------------ inspection

    public State state() { return state; }

    /** Up = ESTABLISHED, synching or not (link.c link_is_up: ESTABLISHED | SYNCHING). */
    public boolean isUp() { return state == State.ESTABLISHED; }

    /** link.c tipc_link_is_reset: RESET, FAILINGOVER or ESTABLISHING. */
    public boolean isReset() { return state == State.RESET || state == State.ESTABLISHING || state == State.FAILINGOVER; }

    /** Negotiated link MTU, bytes. */
    public int mtu() { return mtu; }

    /**
     * Maximum message size offered to users (link.c {@code tipc_link_mss}): mtu - 40 bytes - 32 ({@code EMSG_OVERHEAD},
     * {@link NodeCrypto#EMSG_OVERHEAD}), keyed or not, as a kernel built with CONFIG_TIPC_CRYPTO.
     */
    public int mss() { return mtu - Tipc.INT_H_SIZE - net.crypto.mssOverhead(); }

    /** Current tolerance, ms. */
    public int tolerance() { return tolerance; }
    public int session() { return session; }
    public int peerSession() { return peerSession; }

    /** Peer node address. */
    public int peerAddr() { return node.addr; }

    public int bearerId() { return bearer.id; }

    /** Next seqno to send (16 bits). */
    public int sndNxt() { return sndNxt; }

    /** Next seqno expected (16 bits). */
    public int rcvNxt() { return rcvNxt; }

    /** Packets sent but not yet acknowledged. */
    public int transmitQueueLength() { return transmq.size(); }

    /** Current congestion window, packets. */
    public int window() { return window; }

    /** Messages waiting for window space. */
    public int backlogLength() { return backlogq.size(); }

    /** Out-of-order packets held. */
    public int deferredLength() { return deferdq.size(); }

    /** What this link holds for its peer against the node's budgets, and the drops and resets they caused. */
    public LinkHoldStats holdStats() {
        return new LinkHoldStats(deferdq.bytes(), deferdq.dropped, reasm.bytes(), reasm.errors, backlogBudget.bytes(),
            backlogOverflows, resets, lastResetReason, reasm.refused);
    }

    public long retransmitted() { return retransmitted; }
    public long duplicates() { return duplicates; }
    public long sentStates() { return sentStates; }

    /** Statistics as {@code tipc link stat show} names them (link.c struct tipc_stats subset). */
    public long sentPackets() { return sentPkts; }
    public long receivedPackets() { return recvPkts; }
    public long receivedStates() { return recvStates; }
    public long sentProbes() { return sentProbes; }
    public long sentNacks() { return sentNacks; }
    public long receivedNacks() { return recvNacks; }
    public long deferredReceived() { return deferredRecv; }
    public long sentBundles() { return sentBundles; }
    public long sentBundled() { return sentBundled; }
    public long sentFragmented() { return sentFragmented; }

    /** Minimum and maximum congestion window, packets. */
    public int minWindow() { return minWin; }
    public int maxWindow() { return maxWin; }

    /** Peer's interface name from its RESET/ACTIVATE, escaped ({@link PeerText#latin1}); "unknown" before. */
    public String peerInterface() { return peerIfName; }

    /** Link name as the kernel forms it: own-id:if-peer-id:peer-if (link.c tipc_link_create). */
    public String name() {
        return nodeName(net.config.nodeId(), net.ownAddr) + ":" + bearer.config.ifName() + "-"
            + nodeName(node.id, node.addr) + ":" + peerIfName;
    }

    /** A node's part of a link name: its id string, or its hex address if the string is longer than 16 characters. */
    private static String nodeName(NodeId id, int addr) {
        String s = id.toString();
        return s.length() > 16 ? Integer.toHexString(addr) : s;
    }

    /** True if the backlog of {@code importance} (0-3) is at its limit (a send would get -ELINKCONG). */
    public boolean congested(int importance) {
        return backlogLen[importance] >= backlogLimit[importance];
    }

    @Override
    public String toString() {
        return name() + " " + state + " snd_nxt=" + sndNxt + " rcv_nxt=" + rcvNxt + " transmq=" + transmq.size()
            + " backlog=" + backlogq.size() + " deferdq=" + deferdq.size();
    }

    // ------------------------------------------------------------------ FSM

    /** tipc_link_fsm_evt restricted to the non-failover events. Returns LINK_* flags. */
    int fsmPeerReset() {
        switch (state) {
            case RESETTING: state = State.PEER_RESET; return 0;
            case RESET: state = State.ESTABLISHING; return 0;
            case ESTABLISHED: state = State.PEER_RESET; return LINK_DOWN_EVT;
            default: return 0;
        }
    }

    int fsmFailure() {
        if (state == State.ESTABLISHED) {
            state = State.RESETTING;
            return LINK_DOWN_EVT;
        }
        return 0;
    }

    void fsmReset() {
        switch (state) {
            case RESETTING: case ESTABLISHING: case ESTABLISHED: state = State.RESET; break;
            case PEER_RESET: state = State.ESTABLISHING; break;
            default: break;
        }
    }

    void fsmEstablish() {
        if (state == State.ESTABLISHING) state = State.ESTABLISHED;
    }

    /** LINK_FAILOVER_BEGIN_EVT: RESET or ESTABLISHING → FAILINGOVER (link.c tipc_link_fsm_evt). */
    void fsmFailoverBegin() {
        if (state == State.RESET || state == State.ESTABLISHING) state = State.FAILINGOVER;
    }

    /** LINK_FAILOVER_END_EVT: FAILINGOVER → RESET; the link may then re-establish (link.c tipc_link_fsm_evt). */
    void fsmFailoverEnd() {
        if (state == State.FAILINGOVER) state = State.RESET;
    }

    /** Counts and logs why this up link goes down, once per event: "link NAME peer ADDR: reset: REASON (resets N)". */
    void logReset(String reason) {
        if (!isUp()) return;
        resets++;
        lastResetReason = reason;
        net.log("link " + name() + " peer " + Integer.toHexString(node.addr) + ": reset: " + reason + " (resets "
            + resets + ")");
    }

    /** tipc_link_reset: new session, queues purged, sequence numbers back to 1. */
    void reset() {
        inSession = false;
        peerSession = (peerSession - 1) & 0xffff;
        session = (session + 1) & 0xffff;
        mtu = advertisedMtu;
        transmq.clear();
        backlogq.clear();
        backlogBudget.giveAll();
        deferdq.clear();
        for (int i = 0; i < 5; i++) {
            backlogLen[i] = 0;
            target[i] = null;
        }
        if (congestedUsers) {
            congestedUsers = false;
            node.nodes.linkUncongested(this);
        }
        reasm.reset();
        tunnel.reset();
        rcvUnacked = 0;
        sndNxt = 1;
        rcvNxt = 1;
        sndNxtState = 1;
        rcvNxtState = 1;
        silentIntvCnt = 0;
        rstCnt = 0;
        monState.clear();
        setQueueLimits();
    }

    // ------------------------------------------------------------------ timer

    /** tipc_link_timeout: one node-timer tick. Returns LINK_* flags. */
    int timeout(long now, Outbox out) {
        boolean st = false, probe = false, setup = false;
        int mtyp = -1;
        switch (state) {
            case ESTABLISHED:
                mtyp = Tipc.STATE_MSG;
                bearer.mon.tick(now);
                bearer.mon.getState(node.addr, monState);
                if (monState.reset || silentIntvCnt > abortLimit) {
                    logReset(monState.reset ? "peer reported lost by its domain head (monitor)"
                        : "peer silent for " + silentIntvCnt + " intervals (tolerance " + tolerance + " ms)");
                    return fsmFailure();
                }
                BroadcastLink bcl = node.bcRcv;
                st = bcl.rcvUnacked != 0;
                st |= rcvUnacked != 0;
                st |= !transmq.isEmpty();
                st |= ((net.bcast.sndNxt() - 1) & 0xffff) != bcl.acked; // our broadcasts not all acknowledged
                probe = monState.probing || silentIntvCnt != 0;
                if (probe || monState.monitoring) silentIntvCnt++;
                probe |= !deferdq.isEmpty();
                if (sndNxt == checkpoint) {
                    updateCwin(0, false);
                    // the kernel probes on every idle tick here, unmonitored or not; jtipc when monitored (an idle
                    // node probes O(√N) peers per tick, not N: issue 16) or with packets unacknowledged (a probe makes
                    // the receiver report a gap, so a lost last packet is sent again)
                    probe |= monState.monitoring || !transmq.isEmpty();
                }
                checkpoint = sndNxt;
                break;
            case RESET:
                setup = rstCnt++ <= 4;
                setup |= rstCnt % 16 == 0;
                mtyp = Tipc.RESET_MSG;
                break;
            case ESTABLISHING:
                setup = true;
                mtyp = Tipc.ACTIVATE_MSG;
                break;
            default:
                break;
        }
        if (st || probe || setup) buildProto(mtyp, probe, false, 0, out);
        return 0;
    }

    // ------------------------------------------------------------------ protocol messages

    /** link.c tipc_link_is_blocked: RESETTING, PEER_RESET or FAILINGOVER. */
    boolean isBlocked() {
        return state == State.RESETTING || state == State.PEER_RESET || state == State.FAILINGOVER;
    }

    /** {@link #buildProto(int, boolean, boolean, int, int, int, Outbox)} with no tolerance or priority (0). */
    int buildProto(int mtyp, boolean probe, boolean probeReply, int rcvgap, Outbox out) {
        return buildProto(mtyp, probe, probeReply, rcvgap, 0, 0, out);
    }

    /**
     * tipc_link_build_proto_msg: builds and sends one LINK_PROTOCOL message; {@code tolerance} (w9 bits 15-0) and
     * {@code prio} (w5 bits 8-4), 0 = no change, are set before it is sent (and encrypted).
     *
     * @return the length of the message written into {@link #protoBuf}, or 0 if nothing was sent
     */
    int buildProto(int mtyp, boolean probe, boolean probeReply, int rcvgap, int tolerance, int prio, Outbox out) {
        if (isBlocked()) return 0;
        if (!isUp() && mtyp == Tipc.STATE_MSG) return 0;
        if ((probe || probeReply) && !deferdq.isEmpty()) rcvgap = (deferdq.firstSeqno() - rcvNxt) & 0xffff;
        BroadcastLink bcl = node.bcRcv;
        boolean nodeUp = bcl.up;
        byte[] b = protoBuf;
        java.util.Arrays.fill(b, 0, Tipc.INT_H_SIZE + MAX_IF_NAME, (byte) 0);
        m.wrap(b, 0, b.length);
        Msg.init(m, net.ownAddr, Tipc.LINK_PROTOCOL, mtyp, Tipc.INT_H_SIZE, node.addr);
        m.setSession(session);
        m.setBearerId(bearer.id);
        m.setNetPlane(netPlane);
        m.setNextSent(sndNxt);
        m.setAck(rcvNxt - 1);
        m.setBcastAck(bcl.rcvNxt - 1);
        m.setBcAckInvalid(nodeUp ? 0 : 1);
        m.setLastBcast(net.bcast.sndNxt() - 1);
        m.setLinkTolerance(tolerance);
        m.setLinkprio(prio);
        m.setRedundantLink(nodeUp ? 1 : 0);
        m.setSeqGap(0);
        m.setSeqno(sndNxt + 32767);
        int size;
        if (mtyp == Tipc.STATE_MSG) {
            if ((node.caps & Tipc.TIPC_LINK_PROTO_SEQNO) != 0) {
                m.setSeqno(sndNxtState);
                sndNxtState = (sndNxtState + 1) & 0xffff;
            }
            m.setSeqGap(rcvgap);
            int bcGap = bcl.rcvGap();
            m.setBcGap(bcGap);
            m.setProbe(probe ? 1 : 0);
            m.setIsKeepalive(probe || probeReply ? 1 : 0);
            int glen = 0;
            if ((node.caps & Tipc.TIPC_GAP_ACK_BLOCK) != 0) glen = DeferredQueue.buildGapAckBlocks(node.bcRcv.deferdq,
                rcvgap != 0 ? deferdq : null, b, Tipc.INT_H_SIZE, MAX_GAP_ACK_BLKS);
            size = Tipc.INT_H_SIZE + glen;
            size += bearer.mon.prep(b, size, monState);
            sentStates++;
            rcvUnacked = 0;
            bcl.rcvUnacked = 0;
        } else {
            if (mtyp == Tipc.ACTIVATE_MSG) {
                m.setDestSessionValid(1);
                m.setDestSession(peerSession);
            }
            m.setMaxPkt(advertisedMtu);
            byte[] ifn = bearer.config.ifName().getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(ifn, 0, b, Tipc.INT_H_SIZE, Math.min(ifn.length, MAX_IF_NAME - 1));
            size = Tipc.INT_H_SIZE + MAX_IF_NAME;
        }
        m.setSize(size);
        if (probe) sentProbes++;
        if (rcvgap != 0) sentNacks++;
        net.xmit(out, bearer.id, maddr, b, 0, size, node);
        return size;
    }

    // ------------------------------------------------------------------ sending

    /**
     * tipc_link_xmit for one message already built (and fragmented by the caller if larger than the MSS):
     * sends it if the window allows, else queues it in the backlog, bundling when possible.
     *
     * @return 0, or {@link Errno#ELINKCONG} if the importance's backlog was already at its limit (the
     *         message is queued anyway: one message of oversubscription, as the kernel), or
     *         {@link Errno#ENOBUFS} (not queued) on a SYSTEM overflow or over the byte bound ({@link HoldBudget}):
     *         the caller resets the link (node.c tipc_node_xmit)
     */
    int xmit(byte[] msg, int len, long now, Outbox out) {
        return xmit(msg, len, now, out, true, null);
    }

    /**
     * {@link #xmit(byte[], int, long, Outbox)}; {@code checkLimit} false after a list's first message (tipc_link_xmit);
     * {@code owned} null (msg copied) or the pooled packet holding msg (a fragment): kept unbundled, back on ENOBUFS.
     */
    int xmit(byte[] msg, int len, long now, Outbox out, boolean checkLimit, Pkt owned) {
        int imp = m2.wrap(msg, 0, len).importance();
        int rc = 0;
        if (checkLimit && backlogLen[imp] >= backlogLimit[imp]) {
            if (imp == Tipc.SYSTEM_IMPORTANCE) {
                return overflow("SYSTEM backlog full: " + backlogLimit[imp] + " packets", owned);
            }
            rc = Errno.ELINKCONG;
            congestedUsers = true;
        }
        if (transmq.size() < window && backlogq.isEmpty()) {
            sendNew(owned != null ? owned : net.pool.copyOf(msg, 0, len), now, out);
            return rc;
        }
        if (owned == null && tryBundle(imp, msg, len)) return rc;
        // charged the packet's length (not its pooled array: the pool's idle memory has its own bound), as given back
        if (tunnelling && !checkLimit) backlogBudget.forceOver(len, 1); // a tunnel's later packets: all queued
        else if (!backlogBudget.take(len, 1)) return overflow("backlog bound reached: " + backlogBudget.describe(), owned);
        Pkt p = owned != null ? owned : net.pool.copyOf(msg, 0, len);
        backlogq.addLast(p);
        backlogLen[imp]++;
        target[imp] = Msg.bundleable(m2.wrap(msg, 0, len), mss()) ? p : null;
        return rc;
    }

    /** A message refused for lack of backlog room (an owned packet given back): counted, logged; ENOBUFS. */
    private int overflow(String why, Pkt owned) {
        if (owned != null) net.pool.give(owned);
        logReset(why + " (backlog overflows " + ++backlogOverflows + ")");
        return Errno.ENOBUFS;
    }

    /** Sends a new packet; no retransmission before {@link #UC_RETR_TIME} (tipc_link_set_skb_retransmit_time). */
    private void sendNew(Pkt p, long now, Outbox out) {
        p.nxtRetr = now + UC_RETR_TIME;
        m2.wrap(p.buf, 0, p.len);
        m2.setSeqno(sndNxt);
        m2.setAck(rcvNxt - 1);
        m2.setBcastAck(node.bcRcv.rcvNxt - 1);
        sndNxt = (sndNxt + 1) & 0xffff;
        transmq.addLast(p);
        rcvUnacked = 0;
        sentPkts++;
        net.xmit(out, bearer.id, maddr, p.buf, 0, p.len, node);
    }

    /** tipc_msg_try_bundle + tipc_msg_bundle into the backlog target of this importance ({@link Msg#bundle}). */
    private boolean tryBundle(int imp, byte[] msg, int len) {
        if (!Msg.bundleable(m2.wrap(msg, 0, len), mss())) {
            target[imp] = null;
            return false;
        }
        Pkt t = target[imp];
        if (t == null || t != backlogq.peekLast()) return false; // jtipc: the backlog's tail only (class comment)
        // a bundle grows to the MSS: charge that much first, give back what its length did not take
        int before = t.len;
        int grow = Math.max(0, mss() - before);
        if (!backlogBudget.take(grow, 0)) return false;
        int r = Msg.bundle(m2, t, msg, len, mss(), node.addr, net.pool);
        backlogBudget.giveTail(grow - (t.len - before));
        if (r == Msg.BUNDLE_NONE) return false;
        if (r == Msg.BUNDLE_NEW) sentBundles++;
        sentBundled += r == Msg.BUNDLE_NEW ? 2 : 1; // link.c counts the target's message and the new one
        return true;
    }

    /** tipc_link_advance_backlog; wakes blocked senders (link_prepare_wakeup) once no class is at its limit. */
    private void advanceBacklog(long now, Outbox out) {
        while (!backlogq.isEmpty() && transmq.size() < window) {
            Pkt p = backlogq.pollFirst();
            backlogBudget.give(p.len, 1);
            int imp = m2.wrap(p.buf, 0, p.len).importance();
            backlogLen[imp]--;
            if (target[imp] == p) target[imp] = null;
            sendNew(p, now, out);
        }
        if (congestedUsers) {
            for (int i = 0; i <= Tipc.CRITICAL_IMPORTANCE; i++) if (congested(i)) return;
            congestedUsers = false;
            node.nodes.linkUncongested(this);
        }
    }

    /**
     * tipc_link_advance_transmq for a unicast link: releases packets up to {@code acked}, retransmits
     * (acked, acked + gap], then walks the gap-ACK blocks. Returns LINK_* flags (DOWN on retransmit failure).
     */
    private int advanceTransmq(int acked, int gap, GapAckBlocks ga, long now, Outbox out) {
        int nacked = acked, ngap = gap;
        int n = 0;
        int gackCnt = ga == null ? 0 : ga.ugackCnt(), gStart = ga == null ? 0 : ga.bcBlocks();
        int rc = 0;
        boolean plain = gap == 0 && gackCnt == 0; // a plain ACK releases a prefix: no iterator (issue 14)
        int released = plain ? net.pool.releaseAcked(transmq, acked) : 0;
        Iterator<Pkt> it = plain ? java.util.Collections.emptyIterator() : transmq.iterator();
        boolean retrans = false;
        outer:
        while (it.hasNext()) {
            Pkt p = it.next();
            int seqno = p.seqno();
            while (true) {
                if (Seqno.lessEq(seqno, nacked)) {
                    it.remove();
                    net.pool.give(p); // acknowledged: nothing refers to it any more (kfree_skb)
                    released++;
                    break;
                } else if (Seqno.lessEq(seqno, (nacked + ngap) & 0xffff)) {
                    if (seqno == ((acked + 1) & 0xffff) && retransmitFailure(now)) {
                        logReset("retransmission failure: seqno " + seqno + " unacknowledged for "
                            + (now - p.retrStamp) + " ms after " + p.retrCnt + " retransmissions");
                        rc = fsmFailure();
                        break outer;
                    }
                    if (now < p.nxtRetr) break;
                    p.nxtRetr = now + UC_RETR_TIME;
                    m2.wrap(p.buf, 0, p.len);
                    m2.setAck(rcvNxt - 1);
                    m2.setBcastAck(node.bcRcv.rcvNxt - 1);
                    net.xmit(out, bearer.id, maddr, p.buf, 0, p.len, node);
                    retransmitted++;
                    retrans = true;
                    if (p.retrCnt++ == 0) p.retrStamp = now;
                    break;
                } else {
                    if (n >= gackCnt) break outer;
                    nacked = ga.ack(gStart + n);
                    ngap = ga.gap(gStart + n);
                    n++;
                }
            }
        }
        if (released > 0 || retrans) updateCwin(released, retrans);
        if (released > 0) advanceBacklog(now, out);
        return rc;
    }

    /** tipc_link_update_cwin. */
    void updateCwin(int released, boolean retrans) {
        int bklogLen = backlogq.size();
        int txqLen = transmq.size();
        int cwin = window;
        if (retrans) {
            ssthresh = Math.max(window / 2, 300);
            window = Math.min(ssthresh, window);
            return;
        }
        if (released == 0) {
            ssthresh = Math.max(window / 2, 300);
            window = minWin;
            return;
        }
        if (txqLen + bklogLen < cwin) return;
        if (txqLen > 0 && ((transmq.peekLast().seqno() - transmq.peekFirst().seqno()) & 0xffff) != txqLen - 1) return;
        congAcks += released;
        if (cwin <= ssthresh) {
            window = Math.min(cwin + released, maxWin);
            return;
        }
        if (congAcks < cwin) return;
        window = Math.min(cwin + 1, maxWin);
        congAcks = 0;
    }

    /** link_retransmit_failure: the oldest packet was first retransmitted more than tolerance × 10 ms ago. */
    private boolean retransmitFailure(long now) {
        Pkt p = transmq.peekFirst();
        if (p == null || p.retrCnt == 0) return false;
        return now > p.retrStamp + tolerance * 10L;
    }

    // ------------------------------------------------------------------ receiving

    /**
     * tipc_link_rcv: one sequenced packet (or LINK_PROTOCOL message) from the node.
     *
     * @param inputq the node's input queue ({@code l->inputq}): socket messages received in sequence (after bundle
     *               extraction and reassembly) are appended to it; the node drains it after this call returns
     * @param namedq the node's binding-update queue ({@code l->namedq}, {@code bc_entry.namedq}): NAME_DISTRIBUTOR
     *               messages, likewise
     * @return LINK_* flags for the node
     */
    int rcv(byte[] buf, int off, int len, long now, Outbox out, InputQueue inputq, InputQueue namedq) {
        m.wrap(buf, off, len);
        if (m.user() == Tipc.LINK_PROTOCOL) return protoRcv(buf, off, len, now, out);
        silentIntvCnt = 0;
        int rc = 0;
        Pkt pending = null;
        while (true) {
            TipcMsg h = pending == null ? m.wrap(buf, off, len) : m.wrap(pending.buf, 0, pending.len);
            int seqno = h.seqno();
            if (!isUp()) {
                if (state == State.ESTABLISHING) rc = LINK_UP_EVT;
                break;
            }
            if (Seqno.less(seqno, rcvNxt) || Seqno.more(seqno, (rcvNxt + MAX_LINK_WIN) & 0xffff)) {
                duplicates++;
                break;
            }
            rc |= advanceTransmq(h.ack(), 0, null, now, out);
            if ((rc & LINK_DOWN_EVT) != 0) break;
            if (seqno != rcvNxt) {
                int r = pending != null ? deferdq.add(pending) : deferdq.add(buf, off, Math.min(len, h.size()));
                if (r == DeferredQueue.DUPLICATE) duplicates++;
                if (r == DeferredQueue.ADDED) deferredRecv++;
                if (r == DeferredQueue.NO_ROOM) deferNoRoom(seqno, out);
                else buildNack(out);
                break;
            }
            if (!(h.user() == Tipc.TUNNEL_PROTOCOL ? tunnel.roomFor(h, now) : reasm.roomFor(h, now))) { // total full
                if (pending != null) { // from the deferred queue: gap-ACKed, the peer may have freed it: reset instead
                    logReset("reassembly total full for a gap-acknowledged fragment (seqno " + seqno + ")");
                    rc |= fsmFailure();
                }
                break;
            }
            rcvNxt = (rcvNxt + 1) & 0xffff;
            recvPkts++;
            byte[] pb = pending != null ? pending.buf : buf;
            int po = pending != null ? 0 : off, pl = pending != null ? pending.len : len;
            if (h.user() == Tipc.TUNNEL_PROTOCOL) rc |= tunnel.rcv(pb, po, pl, inputq, namedq, now);
            else input(pb, po, pl, inputq, namedq, reasm);
            if (state != State.ESTABLISHED) {
                rc |= LINK_DOWN_EVT;
                break;
            }
            if (++rcvUnacked >= MIN_LINK_WIN) {
                rcvUnacked = 0;
                buildProto(Tipc.STATE_MSG, false, false, 0, out);
            }
            if (deferdq.isEmpty() || deferdq.firstSeqno() != rcvNxt) break;
            pending = deferdq.pollFirst();
        }
        return rc;
    }

    /** An out-of-order packet found no room ({@link DeferredQueue#noRoom}): logged once, NACKed (thinned). */
    private void deferNoRoom(int seqno, Outbox out) {
        String note = deferdq.noRoom(seqno, net.deferredTotal);
        if (note != null) net.log("link " + name() + " peer " + Integer.toHexString(node.addr) + ": " + note);
        if ((deferdq.dropped & 15) == 1) {
            buildProto(Tipc.STATE_MSG, false, false, ((deferdq.isEmpty() ? seqno : deferdq.firstSeqno()) - rcvNxt)
                & 0xffff, out);
        }
    }

    /** tipc_link_build_nack_msg (unicast): NACK when the deferred queue reaches 3, 19, 35, ... packets. */
    private void buildNack(Outbox out) {
        int n = deferdq.size();
        if (n >= 3 && (n - 3) % 16 == 0) {
            int rcvgap = (deferdq.firstSeqno() - rcvNxt) & 0xffff;
            buildProto(Tipc.STATE_MSG, false, false, rcvgap, out);
        }
    }

    /**
     * tipc_link_input: one in-sequence packet, unbundled or reassembled (in {@code rsm}: this link's, or the failover
     * reassembly for a tunnelled packet) into {@link InputQueue#dataInput}.
     */
    void input(byte[] buf, int off, int len, InputQueue inputq, InputQueue namedq, LinkReassembly rsm) {
        TipcMsg h = inH.wrap(buf, off, len);
        int user = h.user();
        switch (user) {
            case Tipc.MSG_BUNDLER: {
                BundleCursor c = inCursor.wrap(buf, off, Math.min(len, h.size()));
                while (c.next()) {
                    int iu = inInner.wrap(buf, c.offset(), c.length()).user();
                    if (InputQueue.dataInput(iu, buf, c.offset(), c.length(), inputq, namedq)) node.bcRcv.up = true;
                }
                break;
            }
            case Tipc.MSG_FRAGMENTER: {
                byte[] whole = rsm.append(buf, off, Math.min(len, h.size()));
                if (whole != null) {
                    net.reassembled = whole;
                    int wu = inInner.wrap(whole, 0, whole.length).user();
                    if (InputQueue.dataInput(wu, whole, 0, whole.length, inputq, namedq)) node.bcRcv.up = true;
                } else if (rsm.failed) {
                    // link.c tipc_link_input: a reassembly failure fails the link (the buffer is already freed)
                    logReset("fragment reassembly error: " + rsm.lastError + " (reassembly errors " + rsm.errors + ")");
                    fsmFailure();
                }
                break;
            }
            case Tipc.BCAST_PROTOCOL:
                node.bcRcv.initRcv(h);
                break;
            case Tipc.TUNNEL_PROTOCOL:
                break; // a tunnel packet inside a tunnel or bundle: dropped (link.c tipc_link_input frees it)
            default:
                if (InputQueue.dataInput(user, buf, off, Math.min(len, h.size()), inputq, namedq)) node.bcRcv.up = true;
        }
    }

    /** tipc_link_validate_msg: session (and STATE seqno) check of LINK_PROTOCOL messages; others pass. */
    boolean validateProto(TipcMsg h) {
        if (h.user() != Tipc.LINK_PROTOCOL) return true;
        int sess = h.session();
        switch (h.type()) {
            case Tipc.RESET_MSG:
                return !inSession || Seqno.more(sess, peerSession);
            case Tipc.ACTIVATE_MSG:
                return !inSession || !Seqno.less(sess, peerSession);
            case Tipc.STATE_MSG:
                if (!inSession || sess != peerSession) return false;
                if (!isUp() && h.ack() != 0) return false;
                if ((node.caps & Tipc.TIPC_LINK_PROTO_SEQNO) == 0) return true;
                return !Seqno.less(h.seqno(), rcvNxtState);
            default:
                return false;
        }
    }

    /** tipc_link_proto_rcv. */
    private int protoRcv(byte[] buf, int off, int len, long now, Outbox out) {
        TipcMsg h = m.wrap(buf, off, len);
        int rc = 0;
        if (isBlocked()) return 0;
        if (Integer.compareUnsigned(net.ownAddr, h.prevnode()) > 0) {
            netPlane = h.netPlane();
        }
        if (!validateProto(h)) return 0;
        int mtyp = h.type();
        int peersTol = h.linkTolerance();
        int peersPrio = h.linkprio();
        int ack = h.ack();
        int gap = h.seqGap();
        int peersSndNxt = h.nextSent();
        int dlen = h.dataSize();
        switch (mtyp) {
            case Tipc.RESET_MSG:
            case Tipc.ACTIVATE_MSG: {
                if (h.maxPkt() < bearer.minMtu()) return 0;
                if (dlen < MAX_IF_NAME) return 0;
                peerIfName = PeerText.latin1(buf, h.dataOffset(), MAX_IF_NAME); // peer-chosen: escaped
                if (peersTol >= 50 && peersTol <= 30000) setTolerance(peersTol);
                if (peersPrio > priority && peersPrio <= 31) priority = peersPrio;
                if (h.peerStopping() != 0) {
                    logReset("peer stopping (" + (mtyp == Tipc.RESET_MSG ? "RESET" : "ACTIVATE") + ")");
                    return fsmFailure();
                }
                if (mtyp == Tipc.ACTIVATE_MSG && h.destSessionValid() != 0 && session != h.destSession()) {
                    if (Seqno.less(session, h.destSession())) session = (h.destSession() + 1) & 0xffff;
                    return 0;
                }
                if (mtyp == Tipc.RESET_MSG) logReset("peer reset (RESET, session " + h.session() + ")");
                if (mtyp == Tipc.RESET_MSG || !isUp()) rc = fsmPeerReset();
                if (mtyp == Tipc.ACTIVATE_MSG && state == State.ESTABLISHING) rc = LINK_UP_EVT;
                peerSession = h.session();
                inSession = true;
                peerBearerId = h.bearerId();
                if (mtu > h.maxPkt()) {
                    mtu = h.maxPkt();
                    setQueueLimits();
                }
                return rc;
            }
            case Tipc.STATE_MSG: {
                GapAckBlocks ga = null;
                int glen = 0;
                if ((node.caps & Tipc.TIPC_GAP_ACK_BLOCK) != 0 && dlen >= GapAckBlocks.HEADER) {
                    GapAckBlocks g = deferdq.rcvView.wrap(buf, h.dataOffset(), dlen); // reused (issue 14)
                    if ((glen = g.len()) > dlen) return 0;
                    if (g.validate().isOk() && g.ugackCnt() > 0) ga = g;
                }
                rcvNxtState = (h.seqno() + 1) & 0xffff;
                if (peersTol >= 50 && peersTol <= 30000) setTolerance(peersTol);
                if (peersPrio != priority && peersPrio >= 1 && peersPrio <= 31) {
                    logReset("peer changed the link priority " + priority + " -> " + peersPrio);
                    priority = peersPrio;
                    rc = fsmFailure();
                }
                silentIntvCnt = 0;
                recvStates++;
                if (!isUp()) {
                    if (state == State.ESTABLISHING) rc = LINK_UP_EVT;
                    return rc;
                }
                bearer.mon.rcv(buf, h.dataOffset() + glen, dlen - glen, node.addr, monState);
                boolean reply = h.probe() != 0;
                int rcvgap = 0;
                boolean ask = (reply || h.isKeepalive() != 0) && !synching && deferdq.isEmpty(); // NACK only then
                if (ask && Seqno.more(peersSndNxt, rcvNxt)) rcvgap = (peersSndNxt - rcvNxt) & 0xffff;
                if (rcvgap != 0 || reply) buildProto(Tipc.STATE_MSG, false, reply, rcvgap, out);
                if (gap != 0) recvNacks++;
                rc |= advanceTransmq(ack, gap, ga, now, out);
                return rc;
            }
            default:
                return 0;
        }
    }

    void setTolerance(int tol) {
        tolerance = tol;
        node.bcRcv.tolerance = tol;
    }

    /** Builds the RESET (or ACTIVATE when ESTABLISHING) sent at link down; peer-stopping if RESET (tipc_link_build_reset_msg). */
    void buildResetMsg(Outbox out) {
        int mtyp = state == State.ESTABLISHING ? Tipc.ACTIVATE_MSG : Tipc.RESET_MSG;
        int len = buildProtoHeld(mtyp);
        if (len == 0) return;
        if (state == State.RESET) m.wrap(protoBuf, 0, len).setPeerStopping(1);
        net.xmit(out, bearer.id, maddr, protoBuf, 0, len, node);
    }

    private int buildProtoHeld(int mtyp) {
        final int[] size = {0};
        buildProto(mtyp, false, false, 0, (b, d, buf, o, l) -> size[0] = l);
        return size[0];
    }
}
