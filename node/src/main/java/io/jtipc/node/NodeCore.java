package io.jtipc.node;

import static io.jtipc.node.Errno.*;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.jtipc.nametable.BindingTable;
import io.jtipc.nametable.DistrMessage;
import io.jtipc.nametable.McastNodes;
import io.jtipc.nametable.NameDistributor;
import io.jtipc.nametable.Publication;
import io.jtipc.nametable.SocketAddr;
import io.jtipc.nametable.Subscription;
import io.jtipc.nametable.SubscriptionRequest;
import io.jtipc.nametable.SubscriptionEvent;
import io.jtipc.nametable.TopologySubscriptions;
import io.jtipc.wire.Malformation;
import io.jtipc.wire.NodeId;
import io.jtipc.wire.Seqno;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcCodec;
import io.jtipc.wire.TipcMsg;
import io.jtipc.wire.TipcSubscr;

/**
 * The sans-IO TIPC protocol core of one node (Linux 6.1 net/tipc: core.c, node.c, discover.c, link.c,
 * bcast.c, name_distr.c and the datagram part of socket.c). Single-threaded: every method must be called
 * from one thread (the caller's event loop). Nothing inside reads a clock, opens a socket or starts a thread.
 *
 * <h2>Driving it</h2>
 * <ul>
 *   <li>{@link #enableBearer}: starts discovery on a bearer (sends the first request).</li>
 *   <li>{@link #onFrame}: every TIPC frame received on a bearer (the TIPC message only: for Ethernet the
 *       bytes after the 14-byte Ethernet header with ethertype 0x88CA).</li>
 *   <li>{@link #onTimer}: call when {@code now >= }{@link #nextDeadline()} (calling it earlier is harmless).</li>
 *   <li>Frames to transmit are handed to the {@link Outbox} passed to each call; the bytes are valid only
 *       during {@link Outbox#send}.</li>
 *   <li>Socket operations: {@link #openSocket}, {@link #bind}, {@link #unbind}, {@link #sendToName},
 *       {@link #sendToPort}, {@link #multicast}, {@link #closeSocket}. Received messages go to the socket's
 *       {@link MessageHandler}, link/node events to the {@link NodeListener}; both are called after the
 *       triggering frame/timer/send has been fully processed, so handlers may call back into the core.</li>
 * </ul>
 * Times are milliseconds on any monotonic clock of the caller's choice ({@code nowMs}); only differences
 * matter. Sequence numbers are 16 bits, addresses 32 bits (unsigned, kept in an int).
 *
 * <h2>Identity and address (discover.c, node.c {@code tipc_node_try_addr}, core.h {@code hash128to32})</h2>
 * The node has a 128-bit id; its address is first tried as {@code hash128to32(id)} for 1000 ms while
 * DSC_TRIAL messages go out every 125 ms; a DSC_TRIAL_FAIL with a suggestion restarts the trial with it.
 * When the trial ends the address is committed and the node-state binding {0, addr, addr} is published.
 *
 * <h2>Capabilities</h2> See {@link #JTIPC_CAPABILITIES}.
 *
 * <h2>Errors</h2> Socket operations return 0 or a negative errno-style code ({@link Errno#EHOSTUNREACH},
 * {@link Errno#ELINKCONG}, ...). Malformed received frames are dropped and counted ({@link #droppedFrames()});
 * nothing received ever throws.
 */
public final class NodeCore {
    /**
     * Capabilities jtipc advertises (node.h bit names), each decided by what is really implemented:
     * <ul>
     *   <li>TIPC_SYN_BIT (0x1): YES. Every connect sends its first message with the SYN bit (w0 bit 17), and a
     *       listening socket accepts only SYN messages from peers that advertise this bit ({@link ConnSocket}).</li>
     *   <li>TIPC_BCAST_SYNCH (0x2): YES. The broadcast receive link is initialised only by the peer's
     *       BCAST_PROTOCOL bc-init message, and jtipc sends its own bc-init at link up.</li>
     *   <li>TIPC_BCAST_STATE_NACK (0x4): YES. Broadcast gaps are reported in STATE (w8 bc gap + broadcast
     *       gap-ACK blocks); jtipc never sends legacy BCAST_PROTOCOL NACKs.</li>
     *   <li>TIPC_BLOCK_FLOWCTL (0x8): YES. Connections count 1024-byte blocks, acknowledge consumed blocks in
     *       CONN_ACK (w9 bits 31-16) with the advertised window (w9 bits 15-0) and honour the peer's window; with
     *       peers lacking the bit, the legacy 512-message window ({@link ConnSocket}).</li>
     *   <li>TIPC_BCAST_RCAST (0x10): YES. Multicast arriving as replicated unicast (and on the broadcast
     *       link) is delivered.</li>
     *   <li>TIPC_NODE_ID128 (0x20): YES. 128-bit identity in discovery.</li>
     *   <li>TIPC_LINK_PROTO_SEQNO (0x40): YES. STATE messages carry/check their own counter.</li>
     *   <li>TIPC_MCAST_RBCTL (0x80): NO. The SYN-twin method switch of multicast is not implemented.</li>
     *   <li>TIPC_GAP_ACK_BLOCK (0x100): YES. Gap-ACK records are built and honoured.</li>
     *   <li>TIPC_TUNNEL_ENHANCED (0x200): NO. Up to two parallel links per peer come up and stay up (received
     *       SYNCH handled with the legacy synch point), but jtipc sends no SYNCH and no tunnelled
     *       packets (only the empty FAILOVER a kernel needs to leave NODE_FAILINGOVER): no failover.</li>
     *   <li>TIPC_NAGLE (0x400): YES. STREAM sockets to peers with this bit bundle small writes (up to the link's
     *       MSS) while an acknowledgement is expected, marking the last message ACK_REQUIRED (w0 bit 18) and flushing
     *       on the nagle-ack CONN_ACK; a received ACK_REQUIRED is answered with a nagle-ack CONN_ACK
     *       ({@link ConnSocket}, socket.c tipc_msg_append / tipc_sk_push_backlog). TIPC_NODELAY: {@link #setNoDelay}.</li>
     *   <li>TIPC_NAMED_BCAST (0x800): YES. Binding updates received on the broadcast link are sequenced and
     *       applied (the nametable module's NameDistributor); jtipc's own updates are replicated unicast.</li>
     * </ul>
     * = 0xD7F.
     */
    public static final int JTIPC_CAPABILITIES = Tipc.TIPC_SYN_BIT | Tipc.TIPC_BLOCK_FLOWCTL | Tipc.TIPC_NAGLE
        | Tipc.TIPC_BCAST_SYNCH | Tipc.TIPC_BCAST_STATE_NACK
        | Tipc.TIPC_BCAST_RCAST | Tipc.TIPC_NODE_ID128 | Tipc.TIPC_LINK_PROTO_SEQNO | Tipc.TIPC_GAP_ACK_BLOCK
        | Tipc.TIPC_NAMED_BCAST;

    /** jtipc limit on known peers (memory bound against discovery floods; the kernel has none). */
    public static final int MAX_PEERS = 4096;

    /** node.c NODE_CLEANUP_AFTER: a peer not up for this long is deleted with its link, ms. */
    public static final int NODE_CLEANUP_AFTER = 300_000;

    /** Address trial period, ms (discover.c). */
    public static final int TRIAL_PERIOD = 1000;


    /** socket.c socket types jtipc implements. */
    public enum SocketType { RDM, DGRAM, SEQPACKET, STREAM }

    /** Receives the messages of one socket. */
    @FunctionalInterface
    public interface MessageHandler {
        /**
         * One message for the socket.
         *
         * @return true if accepted; false if the socket's receive queue is full: the message is then rejected
         *         with TIPC_ERR_OVERLOAD and returned to its sender unless dest-droppable (socket.c
         *         tipc_sk_filter_rcv, rcvbuf_limit)
         */
        boolean onMessage(Delivery d);
    }

    final NodeConfig config;
    private final Random rnd;
    private java.util.function.IntSupplier sessionSource;
    int trialAddr;
    long trialEnd;
    private int ownAddr;
    private final Bearer[] bearers = new Bearer[Bearer.MAX_BEARERS];
    private final Map<Integer, Peer> peers = new HashMap<>();
    private BindingTable table;
    private NameDistributor distr;
    private TopologySubscriptions topology;
    private TopologyServer topsrv;
    private final Map<Integer, Sock> socks = new HashMap<>();
    /** The SEQPACKET/STREAM sockets among {@link #socks}. */
    private final Map<Integer, ConnSocket> conns = new HashMap<>();
    private int nextPort;
    private NodeListener listener = new NodeListener() {};
    final ArrayDeque<Runnable> events = new ArrayDeque<>();
    private final ArrayDeque<byte[]> localq = new ArrayDeque<>();
    private int depth;
    /** Time and outbox of the outermost call while its deferred events run (for rejections), else -1/null. */
    private long deferredNow = -1;
    private Outbox deferredOut;
    private long droppedFrames;
    private long foreignFrames;
    private final TipcMsg m = new TipcMsg();
    private final ArrayDeque<String> log = new ArrayDeque<>();

    private static final class Sock {
        final int port;
        final SocketType type;
        final MessageHandler handler;
        /** Connection state of a SEQPACKET/STREAM socket, null for RDM/DGRAM. */
        ConnSocket conn;
        int importance;
        boolean destDroppable = true;
        int pubCount;
        final List<Publication> publs = new ArrayList<>();

        Sock(int port, SocketType type, MessageHandler handler) {
            this.port = port;
            this.type = type;
            this.handler = handler;
        }
    }

    public NodeCore(NodeConfig config) {
        this.config = config;
        this.rnd = new Random(config.seed());
        this.trialAddr = config.nodeId().hash();
        this.nextPort = 1 + rnd.nextInt(Integer.MAX_VALUE);
        this.sessionSource = () -> rnd.nextInt(0x10000);
    }

    /**
     * Replaces the source of the random 16-bit session numbers given to new links (node.c
     * tipc_node_check_dest: get_random_bytes; the link then increments it once at its first reset). For
     * deterministic replays of captures; by default a PRNG seeded from {@link NodeConfig#seed()}.
     */
    public void setSessionSource(java.util.function.IntSupplier source) {
        this.sessionSource = java.util.Objects.requireNonNull(source);
    }

    // ====================================================================== inspection

    public NodeConfig config() { return config; }

    /** This node's 32-bit address, 0 while the address trial runs. */
    public int ownAddr() { return ownAddr; }

    /** Address currently tried (= own address once committed). */
    public int trialAddress() { return trialAddr; }

    public boolean addressCommitted() { return ownAddr != 0; }

    /** The binding table, null until the address is committed. */
    public BindingTable bindingTable() { return table; }

    /** The name distributor, null until the address is committed. */
    public NameDistributor nameDistributor() { return distr; }

    /** Known peers. */
    public Collection<Peer> peers() { return Collections.unmodifiableCollection(peers.values()); }

    public Peer peer(int addr) { return peers.get(addr); }

    /** All links. */
    public List<Link> links() {
        List<Link> l = new ArrayList<>();
        for (Peer p : peers.values()) for (Link x : p.links) if (x != null) l.add(x);
        return l;
    }

    public Bearer bearer(int id) { return id >= 0 && id < bearers.length ? bearers[id] : null; }

    /** Received frames dropped as malformed or unroutable. */
    public long droppedFrames() { return droppedFrames; }

    /**
     * Received unicast link messages (long header) discarded because their destination node (w7) is not this node
     * (node.c tipc_rcv): e.g. a peer's RESETs to the node that had this media address before.
     */
    public long foreignFrames() { return foreignFrames; }

    /** Diagnostic messages (kernel pr_warn equivalents), oldest first, at most 1000 kept. */
    public List<String> log() { return List.copyOf(log); }

    void log(String s) {
        if (log.size() >= 1000) log.pollFirst();
        log.add(s);
    }

    public void setListener(NodeListener l) { this.listener = l == null ? new NodeListener() {} : l; }

    /** Our broadcast link's snd_nxt: jtipc never broadcasts, so 1. */
    int bcSndNxt() { return 1; }

    String nodeIdName() {
        String s = config.nodeId().toString();
        return s.length() > 16 ? Integer.toHexString(ownAddr) : s;
    }

    // ====================================================================== driving

    /**
     * Enables a bearer (bearer.c tipc_enable_bearer): starts its discoverer, sending the first request now.
     * The first bearer enabled without an address starts the 1000 ms address trial.
     *
     * @return the bearer id (0-2)
     * @throws IllegalStateException if 3 bearers are enabled or one has the same name
     */
    public int enableBearer(long now, BearerConfig cfg, Outbox out) {
        int id = -1;
        for (int i = 0; i < bearers.length; i++) {
            if (bearers[i] != null && bearers[i].config.name().equals(cfg.name())) {
                throw new IllegalStateException("bearer " + cfg.name() + " already enabled");
            }
            if (bearers[i] == null && id < 0) id = i;
        }
        if (id < 0) throw new IllegalStateException("all " + Bearer.MAX_BEARERS + " bearer slots in use");
        Bearer b = new Bearer(id, cfg);
        bearers[id] = b;
        b.disc = new Discoverer(this, b);
        if (ownAddr == 0) trialEnd = now + TRIAL_PERIOD;
        enter();
        try {
            b.disc.start(now, out);
        } finally {
            leave(now, out);
        }
        return id;
    }

    /** Earliest time (ms) at which {@link #onTimer} has work; Long.MAX_VALUE if none. */
    public long nextDeadline() {
        long d = Long.MAX_VALUE;
        for (Bearer b : bearers) if (b != null) d = Math.min(d, b.disc.due);
        for (Peer p : peers.values()) d = Math.min(d, p.timerDue);
        for (ConnSocket c : conns.values()) d = Math.min(d, c.nextDeadline());
        if (topology != null) d = Math.min(d, topology.nextDeadline());
        return d;
    }

    /** Runs every timer that is due at {@code now}: discovery (tipc_disc_timeout), node timers (tipc_node_timeout). */
    public void onTimer(long now, Outbox out) {
        enter();
        try {
            for (Bearer b : bearers) {
                if (b != null && b.disc.due <= now) b.disc.timeout(now, out);
            }
            for (Peer p : new ArrayList<>(peers.values())) {
                if (p.timerDue <= now) nodeTimeout(p, now, out);
            }
            for (ConnSocket c : new ArrayList<>(conns.values())) {
                if (c.nextDeadline() <= now) c.timeout(now, out);
            }
            if (topology != null && topology.nextDeadline() <= now) topology.onTimer(now);
        } finally {
            leave(now, out);
        }
    }

    /**
     * One received frame (node.c tipc_rcv). Never throws on bad bytes.
     *
     * @param bearerId     bearer it arrived on
     * @param srcMediaAddr link-layer source address (informational; the kernel uses the address inside
     *                     discovery messages and the one learnt at link creation), may be null
     * @param buf          frame bytes; {@code len} may exceed msg_size (e.g. Ethernet padding)
     */
    public void onFrame(long now, int bearerId, byte[] srcMediaAddr, byte[] buf, int off, int len, Outbox out) {
        enter();
        try {
            rcv(now, bearerId, buf, off, len, out);
        } catch (RuntimeException e) {
            // decoding is total, but the core must survive any bug triggered by hostile input
            droppedFrames++;
            log("frame dropped after internal error: " + e);
        } finally {
            leave(now, out);
        }
    }

    private void enter() {
        depth++;
    }

    /** Runs deferred local deliveries and events once the outermost call is done. */
    private void leave(long now, Outbox out) {
        try {
            if (depth == 1) {
                deferredNow = now;
                deferredOut = out;
                int guard = 0;
                while ((!localq.isEmpty() || !events.isEmpty()) && guard++ < 1_000_000) {
                    byte[] lm = localq.pollFirst();
                    if (lm != null) {
                        sockRcv(lm, 0, lm.length, now, out, true);
                        continue;
                    }
                    events.pollFirst().run();
                }
            }
        } finally {
            // a throwing handler leaves the remaining events queued for the next call
            if (depth == 1) {
                deferredNow = -1;
                deferredOut = null;
            }
            depth--;
        }
    }

    private void rcv(long now, int bearerId, byte[] buf, int off, int len, Outbox out) {
        Bearer b = bearer(bearerId);
        if (b == null || buf == null || off < 0 || len < 0 || off + len > buf.length) {
            droppedFrames++;
            return;
        }
        Malformation v = TipcCodec.validateFrame(buf, off, len);
        if (!v.isOk()) {
            droppedFrames++;
            return;
        }
        m.wrap(buf, off, len);
        int usr = m.user();
        int size = m.size();
        if (m.nonSeq() != 0) {
            if (usr == Tipc.LINK_CONFIG) {
                discRcv(now, b, buf, off, size, out);
                return;
            }
            Peer p = peers.get(m.prevnode());
            if (p == null || p.link == null || !p.isUp()) {
                droppedFrames++;
                return;
            }
            if (p.bcRcv.rcv(buf, off, size, now, out) && p.link.isUp()) {
                p.link.buildProto(Tipc.STATE_MSG, false, false, 0, out);
            }
            return;
        }
        if (ownAddr == 0) {
            droppedFrames++;
            return;
        }
        // node.c tipc_rcv: a unicast link message (long header) addressed to another node is discarded. A media
        // address can outlive the node that used it: a peer still holds a link to the previous owner of our MAC/UDP
        // address and keeps sending it RESETs (every 16th tick) and STATEs; taken as ours they would reset our
        // link to that peer and teach it a foreign session.
        if (m.hdrSize() != Tipc.SHORT_H_SIZE && m.destnode() != ownAddr) {
            foreignFrames++;
            return;
        }
        Peer p = peers.get(m.prevnode());
        Link l = p == null ? null : p.link(bearerId);
        if (l == null) {
            droppedFrames++;
            return;
        }
        if (usr == Tipc.LINK_PROTOCOL) {
            // tipc_node_bc_sync_rcv (on the link it arrived on)
            if (p.bcRcv.syncRcv(m) && m.probe() == 0 && l.isUp()) {
                l.buildProto(Tipc.STATE_MSG, false, false, 0, out);
            }
            m.wrap(buf, off, len);
        }
        if (!checkState(p, l, m, now, out)) return;
        m.wrap(buf, off, len);
        int rc = l.rcv(buf, off, size, now, out);
        if ((rc & Link.LINK_UP_EVT) != 0) nodeLinkUp(p, l, now, out);
        if ((rc & Link.LINK_DOWN_EVT) != 0) nodeLinkDown(p, l, now, out);
    }

    /**
     * node.c tipc_node_check_state. Parallel links: a SYNCH tunnel message (seqno 1 on a link that comes up while
     * another is up) brings that link up and starts NODE_SYNCHING; until the parallel link has received past the
     * synch point, data arriving on the synching link is dropped unacknowledged (the peer retransmits it), so
     * messages stay in order across the two links. The tunnelled copies themselves are consumed by the link
     * ({@link Link} drops TUNNEL_PROTOCOL content: the parallel link delivers the originals). FAILOVER is not
     * implemented (jtipc never enters NODE_FAILINGOVER).
     */
    private boolean checkState(Peer n, Link l, TipcMsg h, long now, Outbox out) {
        int usr = h.user();
        int mtyp = h.type();
        if (n.state == Peer.NodeState.SELF_UP_PEER_UP && usr != Tipc.TUNNEL_PROTOCOL) return true;
        Link pl = null;
        for (Link x : n.links) {
            if (x != null && x != l) {
                pl = x;
                break;
            }
        }
        if (!l.validateProto(h)) return false;
        switch (n.state) {
            case SELF_UP_PEER_COMING:
                if (!l.isUp()) return true;
                // msg_peer_link_is_up: anything but RESET/ACTIVATE says the peer's link is up
                if (usr == Tipc.LINK_PROTOCOL && mtyp != Tipc.STATE_MSG) return true;
                n.fsmPeerEstabl();
                break;
            case SELF_DOWN_PEER_LEAVING:
                if (BroadcastLink.peerNodeIsUp(h)) return false;
                n.fsmPeerLost();
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
            if (pl != null && !pl.isReset()) nodeLinkDown(n, pl, now, out);
            if (!n.failoverSent && l.isUp()) {
                n.failoverSent = true;
                sendDummyFailover(n, l, now, out);
            }
            return true;
        }
        if (pl == null || !pl.isUp()) return true; // no synching needed with one link
        if (usr == Tipc.TUNNEL_PROTOCOL && mtyp == Tipc.SYNCH_MSG && oseqno == 1) {
            // jtipc does not advertise TIPC_TUNNEL_ENHANCED: the synch point is the last tunnelled packet's seqno
            int iseqno = h.dataSize() >= Tipc.BASIC_H_SIZE ? new TipcMsg().wrap(h.buffer(), h.dataOffset(),
                    h.dataSize()).seqno() : 0;
            int syncpt = (iseqno + h.msgcnt() - 1) & 0xffff;
            if (!l.isUp()) nodeLinkUp(n, l, now, out);
            if (n.state == Peer.NodeState.SELF_UP_PEER_UP) {
                n.syncPoint = syncpt;
                l.synching = true;
                n.state = Peer.NodeState.NODE_SYNCHING;
            }
        }
        if (n.state == Peer.NodeState.NODE_SYNCHING) {
            Link tnl;
            if (l.synching) {
                tnl = l;
            } else {
                tnl = pl;
                pl = l;
            }
            if (Seqno.more(pl.rcvNxt(), n.syncPoint)) {
                tnl.synching = false;
                n.state = Peer.NodeState.SELF_UP_PEER_UP;
                return true;
            }
            if (l == pl) return true;
            if (usr == Tipc.TUNNEL_PROTOCOL && mtyp == Tipc.SYNCH_MSG) return true;
            return usr == Tipc.LINK_PROTOCOL;
        }
        return true;
    }

    // ====================================================================== discovery

    /** discover.c tipc_disc_rcv. */
    private void discRcv(long now, Bearer b, byte[] buf, int off, int len, Outbox out) {
        TipcMsg h = new TipcMsg().wrap(buf, off, len);
        int caps = h.nodeCapabilities();
        int sugg = h.suggNodeAddr();
        int signature = h.nodeSig();
        int dst = h.destDomain();
        int netId = h.bcNetid();
        int src = h.prevnode();
        int mtyp = h.type();
        int pnetHash = h.peerNetHash();
        byte[] peerId = new byte[Tipc.NODE_ID_LEN];
        if ((caps & Tipc.TIPC_NODE_ID128) != 0) {
            if (h.dataSize() < Tipc.NODE_ID_LEN) {
                droppedFrames++;
                return;
            }
            System.arraycopy(buf, h.dataOffset(), peerId, 0, Tipc.NODE_ID_LEN);
        } else {
            peerId = NodeId.fromAddress(src).bytes();
        }
        byte[] maddr = b.config.media().msgToAddr(buf, h.mediaAddrOffset());
        if (maddr == null || b.config.media().isBroadcast(maddr)) {
            droppedFrames++;
            return;
        }
        if (Arrays.equals(maddr, b.ownAddr)) return;
        if (netId != config.netId()) return;
        if (b.disc.addrTrialMsg(now, maddr, dst, src, sugg, peerId, mtyp, out)) return;
        int self = ownAddr;
        if (src == self || src == 0) {
            log("duplicate node address " + Integer.toHexString(src) + " seen on " + b.config.name());
            return;
        }
        if (dst != 0 && dst != self) return;
        int dom = b.config.domain();
        if (dom != 0 && dom != src) return;
        boolean respond = checkDest(now, src, NodeId.of(peerId), b, caps, signature, pnetHash, maddr, out);
        if (!respond || mtyp != Tipc.DSC_REQ_MSG) return;
        b.disc.xmit(Tipc.DSC_RESP_MSG, src, 0, maddr, out);
    }

    /** node.c tipc_node_try_addr: an address to suggest to a peer trying {@code addr}, or 0. */
    int tryAddr(byte[] id, int addr) {
        Peer n = peers.get(addr);
        if (n != null) {
            if (Arrays.equals(n.id.bytes(), id)) return 0;
            return suggestAddr(addr);
        }
        for (Peer p : peers.values()) {
            if (Arrays.equals(p.id.bytes(), id)) return p.addr;
        }
        if (trialAddr == addr) return suggestAddr(addr);
        return 0;
    }

    /** node.c tipc_node_suggest_addr. */
    private int suggestAddr(int addr) {
        addr ^= config.random();
        while (peers.containsKey(addr) || addr == trialAddr || addr == 0) addr++;
        return addr;
    }

    /** tipc_net_finalize: commit the trial address, publish the node-state binding. */
    void commitAddress(long now, Outbox out) {
        if (ownAddr != 0) return;
        ownAddr = trialAddr;
        table = new BindingTable(ownAddr);
        distr = new NameDistributor(table);
        distr.publishNodeState();
        flushNamed(now, out);
        topology = new TopologySubscriptions(table);
        topsrv = new TopologyServer(this, topology, now, out);
        int a = ownAddr;
        events.add(() -> listener.addressCommitted(a));
    }

    /**
     * node.c tipc_node_check_dest: the link-creation decision table (signature match × media address
     * match × link up). Returns whether to respond to a request.
     */
    private boolean checkDest(long now, int addr, NodeId peerId, Bearer b, int caps, int signature, int hashMix,
                              byte[] maddr, Outbox out) {
        Peer n = peers.get(addr);
        if (n == null) {
            // a peer known under another address (it rebooted and re-hashed): forget the old entry if down
            for (Peer p : new ArrayList<>(peers.values())) {
                if (p.id.equals(peerId) && !p.isUp()) removePeer(p);
            }
            if (peers.size() >= MAX_PEERS) {
                log("peer table full (" + MAX_PEERS + "), discovery from " + Integer.toHexString(addr) + " ignored");
                return false;
            }
            n = new Peer(this, addr, peerId, caps);
            n.deleteAt = now + NODE_CLEANUP_AFTER;
            peers.put(addr, n);
        } else {
            if (!n.id.equals(peerId)) {
                if (n.isUp()) {
                    log("duplicate node address " + Integer.toHexString(addr) + " used by " + peerId);
                    return false;
                }
                n.id = peerId;
            }
            n.caps = caps;
        }
        Link l = n.link(b.id);
        boolean linkUp = l != null && l.isUp();
        boolean addrMatch = l != null && Arrays.equals(l.maddr, maddr);
        boolean signMatch = signature == n.signature;
        boolean respond = false, acceptAddr = false, reset = false;
        if (signMatch && addrMatch && linkUp) {
            if (n.peerHashMix == 0) n.peerHashMix = hashMix;
        } else if (signMatch && addrMatch) {
            respond = true;
        } else if (signMatch && linkUp) {
            log("duplicate address " + Integer.toHexString(addr) + " on " + b.config.name());
        } else if (signMatch) {
            acceptAddr = respond = reset = true;
        } else if (addrMatch && linkUp) {
            n.signature = signature;
        } else if (addrMatch) {
            n.signature = signature;
            respond = true;
        } else if (linkUp) {
            log("duplicate address " + Integer.toHexString(addr) + " on " + b.config.name());
        } else {
            n.signature = signature;
            acceptAddr = respond = reset = true;
        }
        if (!acceptAddr) return respond;
        if (l == null) {
            if (n.linkCnt == 2) return respond; // node.c: at most two links per peer
            l = new Link(this, n, b, maddr, sessionSource.getAsInt());
            l.reset();
            l.fsmReset();
            n.links[b.id] = l;
            n.linkCnt++;
            n.updateLink();
            calculateTimer(n, l);
            if (n.linkCnt == 1) n.timerDue = now + n.keepaliveIntv;
        }
        l.maddr = maddr;
        if (reset && !l.isReset()) nodeLinkDown(n, l, now, out);
        return respond;
    }

    private void removePeer(Peer p) {
        peers.remove(p.addr);
    }

    // ====================================================================== node level

    /** tipc_node_calculate_timer. */
    private void calculateTimer(Peer n, Link l) {
        int tol = l.tolerance;
        int intv = Math.min(tol / 4, 500);
        if (intv < n.keepaliveIntv) n.keepaliveIntv = intv;
        l.abortLimit = (int) (tol / n.keepaliveIntv);
    }

    /** tipc_node_timeout. */
    private void nodeTimeout(Peer n, long now, Outbox out) {
        if (!n.isUp() && now >= n.deleteAt) {
            // tipc_node_cleanup: forgotten until the next discovery message re-creates it
            removePeer(n);
            return;
        }
        n.keepaliveIntv = 10000;
        for (Link l : n.links) {
            if (l == null) continue;
            calculateTimer(n, l);
            int rc = l.timeout(now, out);
            if ((rc & Link.LINK_DOWN_EVT) != 0) nodeLinkDown(n, l, now, out);
        }
        maybeSwitchActive(n);
        n.timerDue = now + n.keepaliveIntv;
    }

    /**
     * __tipc_node_link_up + the link-up/node-up notifications of tipc_node_write_unlock. The first link takes both
     * active slots and brings the node up (bc-init, binding-table bulk); a second link is announced (link-state
     * binding) and takes slot 1 if its priority equals the first's, or becomes the preferred link if higher.
     *
     * <p>jtipc sends every message on slot 0 ({@link Peer#link()}) and moves slot 0 to a higher-priority link only
     * once the current one has nothing unacknowledged or backlogged ({@link #maybeSwitchActive}); the kernel splits
     * traffic by selector over equal-priority links and re-orders it with a SYNCH tunnel, which jtipc does not send.
     * One link carrying everything needs no synch, so the peer always receives in order.
     */
    private void nodeLinkUp(Peer n, Link l, long now, Outbox out) {
        if (l == null || l.isUp()) return;
        Link ol = n.slot0 >= 0 ? n.links[n.slot0] : null;
        l.fsmEstablish();
        if (!l.isUp()) return;
        int bid = l.bearer.id;
        n.working[bid] = true;
        n.workingLinks++;
        n.failoverSent = false;
        l.bearer.disc.addDest();
        // "Ensure that a STATE message goes first"
        l.rcvUnacked = 0;
        l.buildProto(Tipc.STATE_MSG, false, false, 0, out);
        int linkId = (l.peerBearerId << 16) | bid;
        if (ol != null) {
            // second link => redistribute slots (node.c), jtipc keeps sending on slot 0 until it may switch
            if (l.priority == ol.priority) n.slot1 = bid;
            distr.linkUp(n.addr, linkId);
            flushNamed(now, out);
            events.add(() -> listener.linkUp(l));
            maybeSwitchActive(n);
            return;
        }
        n.slot0 = bid;
        n.slot1 = bid;
        n.updateLink();
        n.fsmSelfEstabl();
        // tipc_bcast_add_peer → tipc_link_build_bc_init_msg
        byte[] bc = new byte[Tipc.INT_H_SIZE];
        TipcMsg h = new TipcMsg().wrap(bc, 0, bc.length);
        initHeader(h, Tipc.BCAST_PROTOCOL, Tipc.STATE_MSG, Tipc.INT_H_SIZE, n.addr);
        h.setLastBcast(bcSndNxt() - 1);
        h.setBcastAck(n.bcRcv.rcvNxt - 1);
        h.setBcgapAfter(n.bcRcv.rcvNxt - 1);
        h.setBcgapTo(n.bcRcv.rcvNxt - 1);
        h.setBcAckInvalid(1);
        l.xmit(bc, bc.length, now, out);
        // notifications: link-state binding, then the binding-table bulk (tipc_named_node_up)
        distr.linkUp(n.addr, linkId);
        distr.nodeUp(n.addr, n.caps, l.mss());
        n.upCaps = n.caps;
        n.namedUp = true;
        flushNamed(now, out);
        events.add(() -> listener.linkUp(l));
        events.add(() -> listener.nodeUp(n));
    }

    /** link.c tipc_link_create_dummy_tnl_msg: FAILOVER, msgcnt 1, wrapping a DIRECT_MSG with TIPC_ERR_NO_PORT. */
    private void sendDummyFailover(Peer n, Link l, long now, Outbox out) {
        byte[] b = new byte[Tipc.INT_H_SIZE + Tipc.BASIC_H_SIZE];
        TipcMsg h = new TipcMsg().wrap(b, 0, Tipc.INT_H_SIZE);
        initHeader(h, Tipc.TUNNEL_PROTOCOL, Tipc.FAILOVER_MSG, Tipc.INT_H_SIZE, n.addr);
        h.setSize(b.length);
        h.setMsgcnt(1);
        h.setBearerId(l.peerBearerId);
        TipcMsg in = new TipcMsg().wrap(b, Tipc.INT_H_SIZE, Tipc.BASIC_H_SIZE);
        initHeader(in, Tipc.LOW_IMPORTANCE, Tipc.TIPC_DIRECT_MSG, Tipc.BASIC_H_SIZE, n.addr);
        in.setErrcode(Tipc.TIPC_ERR_NO_PORT);
        l.xmit(b, b.length, now, out);
    }

    /**
     * Moves slot 0 to the highest-priority working link when it is better than the current one and the current one
     * has no unacknowledged or backlogged message (so nothing can overtake anything: no synch needed).
     */
    private void maybeSwitchActive(Peer n) {
        if (n.slot0 < 0 || n.workingLinks < 2) return;
        Link cur = n.links[n.slot0];
        Link best = cur;
        for (int i = 0; i < n.links.length; i++) {
            Link x = n.links[i];
            if (x != null && n.working[i] && x.isUp() && x.priority > best.priority) best = x;
        }
        if (best == cur || cur.transmitQueueLength() != 0 || cur.backlogLength() != 0) return;
        n.slot0 = best.bearer.id;
        n.slot1 = best.bearer.id;
        n.updateLink();
    }

    /**
     * tipc_node_link_down / __tipc_node_link_down. The last working link going down takes the node down (the peer's
     * bindings withdrawn). With another link still working the lost one is reset and the other takes the active
     * slots; jtipc does no failover (the kernel's FAILOVER tunnel), so messages unacknowledged on the lost link
     * are lost.
     */
    private void nodeLinkDown(Peer n, Link l, long now, Outbox out) {
        if (l == null) return;
        if (l.state() == Link.State.ESTABLISHING) {
            l.reset();
            l.fsmReset();
            return;
        }
        if (l.isReset()) return;
        int bid = l.bearer.id;
        boolean wasUp = n.working[bid];
        if (wasUp) {
            n.working[bid] = false;
            n.workingLinks--;
            l.bearer.disc.removeDest(now);
        }
        // select the new active link(s), if any
        n.slot0 = -1;
        n.slot1 = -1;
        int highest = 0;
        for (int i = 0; i < n.links.length; i++) {
            Link x = n.links[i];
            if (x == null || x == l || !n.working[i]) continue;
            if (x.priority < highest) continue;
            if (x.priority > highest || n.slot0 < 0) {
                highest = x.priority;
                n.slot0 = i;
                n.slot1 = i;
                continue;
            }
            n.slot1 = i;
        }
        n.updateLink();
        l.synching = false;
        int linkId = (l.peerBearerId << 16) | bid;
        if (n.workingLinks == 0) {
            if (l.state() == Link.State.PEER_RESET) n.fsmPeerLost();
            n.fsmSelfLost();
            l.fsmReset();
            l.reset();
            l.buildResetMsg(out);
            if (wasUp) {
                events.add(() -> listener.linkDown(l));
                distr.linkDown(n.addr, linkId);
                lostContact(n, now, out);
                flushNamed(now, out);
            }
            return;
        }
        // another link works: end any synch with it, reset this one (it may come back through discovery)
        if (n.state == Peer.NodeState.NODE_SYNCHING) n.state = Peer.NodeState.SELF_UP_PEER_UP;
        for (Link x : n.links) if (x != null) x.synching = false;
        l.fsmReset();
        l.reset();
        if (wasUp) {
            events.add(() -> listener.linkDown(l));
            distr.linkDown(n.addr, linkId);
            flushNamed(now, out);
        }
    }

    /** node_lost_contact: broadcast state purged, the peer's bindings withdrawn. */
    private void lostContact(Peer n, long now, Outbox out) {
        n.deleteAt = now + NODE_CLEANUP_AFTER;
        n.bcRcv.reset();
        // tipc_node_remove_conn via node_lost_contact: every connection to the node gets a TIPC_ERR_NO_NODE abort
        for (ConnSocket c : new ArrayList<>(conns.values())) {
            if (c.peerNode == n.addr) c.peerLost(now, out);
        }
        if (n.namedUp) {
            distr.nodeDown(n.addr, n.upCaps);
            n.namedUp = false;
        }
        events.add(() -> listener.nodeDown(n));
    }

    /**
     * Disables a bearer (bearer.c bearer_disable → node.c tipc_node_delete_links): every link on it is reset
     * with a RESET carrying the peer-stopping bit, then deleted; its discoverer stops.
     *
     * @return false if no such bearer
     */
    public boolean disableBearer(long now, int bearerId, Outbox out) {
        Bearer b = bearer(bearerId);
        if (b == null) return false;
        enter();
        try {
            for (Peer n : new ArrayList<>(peers.values())) {
                Link l = n.link(bearerId);
                if (l == null) continue;
                stopLink(n, l, now, out);
                n.links[bearerId] = null;
                n.linkCnt--;
                n.updateLink();
                if (n.linkCnt == 0) n.timerDue = Long.MAX_VALUE;
            }
            b.disc.due = Long.MAX_VALUE;
            bearers[bearerId] = null;
            return true;
        } finally {
            leave(now, out);
        }
    }

    /** Takes one link down for good: node-level link down, and a RESET with the peer-stopping bit in any case. */
    private void stopLink(Peer n, Link l, long now, Outbox out) {
        if (l.isUp()) {
            l.fsmFailure();
            nodeLinkDown(n, l, now, out);
            // the last link's RESET went out in nodeLinkDown; with another link working it did not
            if (n.workingLinks > 0) l.buildResetMsg(out);
        } else {
            l.buildResetMsg(out);
        }
    }

    /**
     * Stops the node as the kernel does when its last bearer goes: every up link is reset and a RESET with the
     * peer-stopping bit goes out (link.c tipc_link_build_reset_msg).
     */
    public void shutdown(long now, Outbox out) {
        enter();
        try {
            for (Peer n : new ArrayList<>(peers.values())) {
                for (Link l : n.links) if (l != null) stopLink(n, l, now, out);
                n.timerDue = Long.MAX_VALUE;
            }
            for (Bearer b : bearers) if (b != null) b.disc.due = Long.MAX_VALUE;
        } finally {
            leave(now, out);
        }
    }

    // ====================================================================== message building

    /** msg.c tipc_msg_init with this node as origin. Zero-fills the header words. */
    void initHeader(TipcMsg h, int user, int type, int hsize, int dnode) {
        initHeaderFrom(h, ownAddr, user, type, hsize, dnode);
    }

    void initHeaderFrom(TipcMsg h, int own, int user, int type, int hsize, int dnode) {
        Arrays.fill(h.buffer(), h.offset(), h.offset() + hsize, (byte) 0);
        h.setVersion(Tipc.VERSION).setUser(user).setHdrSize(hsize).setSize(hsize);
        h.setPrevnode(own);
        h.setType(type);
        if (hsize > Tipc.SHORT_H_SIZE) {
            h.setOrignode(own);
            h.setDestnode(dnode);
        }
    }

    /** Sends the name distributor's queued messages: unicast for addressed ones, replicated to every up peer for updates. */
    private void flushNamed(long now, Outbox out) {
        if (distr == null) return;
        DistrMessage dm;
        while ((dm = distr.pollOutgoing()) != null) {
            if (dm.destNode() != 0) {
                Peer p = peers.get(dm.destNode());
                if (p != null && p.isUp()) sendNamed(p, dm, dm.destNode(), now, out);
            } else {
                for (Peer p : peers.values()) {
                    if (p.isUp()) sendNamed(p, dm, p.addr, now, out);
                }
            }
        }
    }

    /** name_distr.c named_prepare_buf (the nametable module's encoder) + tipc_node_xmit. */
    private void sendNamed(Peer p, DistrMessage dm, int dest, long now, Outbox out) {
        if (dm.destNode() != dest) {
            dm = new DistrMessage(dm.msgType(), dm.origNode(), dest, dm.bulk(), dm.lastBulk(), dm.nonLegacy(),
                dm.namedSeqno(), dm.bcAckInvalid(), dm.items());
        }
        byte[] b = new byte[dm.encodedSize()];
        int size = dm.encode(b, 0);
        Link l = p.link;
        int rc = l.xmit(b, size, now, out);
        if (rc == ENOBUFS) {
            log("link " + l.name() + ": system backlog overflow, resetting");
            l.fsmFailure();
            nodeLinkDown(p, l, now, out);
        }
    }

    // ====================================================================== link input

    /** Called by links for every in-sequence message (after bundle extraction and reassembly). */
    void linkDeliver(Peer p, boolean bcast, byte[] buf, int off, int len, long now, Outbox out) {
        TipcMsg h = new TipcMsg().wrap(buf, off, len);
        int user = h.user();
        if (user <= Tipc.CRITICAL_IMPORTANCE) {
            sockRcv(buf, off, len, now, out, false);
        } else if (user == Tipc.NAME_DISTRIBUTOR) {
            if (!bcast) p.bcRcv.up = true; // link.c tipc_data_input: NAME_DISTRIBUTOR opens the bc receive link
            if (h.dataSize() % Tipc.ITEM_SIZE != 0 || distr == null) return;
            distr.receive(p.addr, DistrMessage.fromWire(h)); // state per link peer, as node.c
        }
        else if (user == Tipc.CONN_MANAGER) {
            sockRcv(buf, off, len, now, out, false);
        }
        // GROUP_PROTOCOL, MSG_CRYPTO: not implemented, dropped
    }

    // ====================================================================== sockets

    /**
     * Opens a connectionless socket (socket.c tipc_sk_create): a random free port in [1, 2^32-1],
     * importance low, dest-droppable set (undeliverable messages are dropped, TIPC_DEST_DROPPABLE default).
     *
     * @return the port number
     */
    public int openSocket(SocketType type, MessageHandler handler) {
        if (type == SocketType.SEQPACKET || type == SocketType.STREAM) {
            throw new IllegalArgumentException(type + " sockets are opened with openConnSocket");
        }
        while (nextPort == 0 || socks.containsKey(nextPort)) nextPort++;
        int port = nextPort++;
        socks.put(port, new Sock(port, type, handler));
        return port;
    }

    /** Opens a socket on a given port (for replaying captures, where the peer addresses a known port). */
    int openSocketAt(int port, SocketType type, MessageHandler handler) {
        if (port == 0 || socks.containsKey(port)) throw new IllegalArgumentException("port " + port + " not free");
        socks.put(port, new Sock(port, type, handler));
        return port;
    }

    /** Importance 0-3 of the socket's messages (TIPC_IMPORTANCE). */
    public void setImportance(int port, int importance) {
        if (importance < 0 || importance > 3) throw new IllegalArgumentException("importance not in 0-3");
        sock(port).importance = importance;
    }

    /** TIPC_DEST_DROPPABLE: whether undeliverable messages sent by this socket are dropped (true) or returned. */
    public void setDestDroppable(int port, boolean v) {
        sock(port).destDroppable = v;
    }

    private Sock sock(int port) {
        Sock s = socks.get(port);
        if (s == null) throw new IllegalArgumentException("no socket with port " + port);
        return s;
    }

    /** Closes a socket, withdrawing its bindings. */
    public void closeSocket(long now, int port, Outbox out) {
        Sock s = socks.get(port);
        if (s == null) return;
        enter();
        try {
            if (s.conn != null) {
                // tipc_release: __tipc_shutdown(TIPC_ERR_NO_PORT)
                s.conn.shutdown(Tipc.TIPC_ERR_NO_PORT, now, out);
                s.conn.closed = true;
                conns.remove(port);
            }
            socks.remove(port);
            if (distr == null) return;
            for (Publication p : s.publs) distr.withdraw(p.type(), p.lower(), p.upper(), p.key());
            flushNamed(now, out);
        } finally {
            leave(now, out);
        }
    }

    /**
     * Binds a service range (socket.c tipc_sk_publish): key = port + number of earlier binds + 1.
     *
     * @param scope {@link Tipc#TIPC_CLUSTER_SCOPE} or {@link Tipc#TIPC_NODE_SCOPE}
     * @return 0, {@link Errno#EACCES} (type &lt; 64, TIPC_RESERVED_TYPES), {@link Errno#EINVAL} (lower &gt; upper, scope not
     *         cluster/node, address not yet committed), {@link Errno#EADDRINUSE} (same range and key already bound)
     */
    public int bind(long now, int port, int scope, int type, int lower, int upper, Outbox out) {
        Sock s = sock(port);
        if (Integer.compareUnsigned(type, Tipc.TIPC_RESERVED_TYPES) < 0) return EACCES;
        return bindAny(now, port, scope, type, lower, upper, out);
    }

    /** tipc_sk_publish without the reserved-type check (the topology server binds {1,1}). */
    int bindAny(long now, int port, int scope, int type, int lower, int upper, Outbox out) {
        Sock s = sock(port);
        if (s.conn != null && s.conn.state == ConnSocket.State.ESTABLISHED) return EINVAL;
        if (distr == null || Integer.compareUnsigned(lower, upper) > 0
            || (scope != Tipc.TIPC_CLUSTER_SCOPE && scope != Tipc.TIPC_NODE_SCOPE)) return EINVAL;
        enter();
        try {
            int key = port + s.pubCount + 1;
            Publication p = distr.publish(type, lower, upper, scope, port, key);
            if (p == null) return EADDRINUSE;
            s.pubCount++;
            s.publs.add(p);
            flushNamed(now, out);
            return 0;
        } finally {
            leave(now, out);
        }
    }

    /** Withdraws the socket's binding(s) of exactly {@code {type, lower, upper}} (socket.c tipc_sk_withdraw). */
    public int unbind(long now, int port, int type, int lower, int upper, Outbox out) {
        Sock s = sock(port);
        if (distr == null) return EINVAL;
        enter();
        try {
            int n = 0;
            for (Publication p : new ArrayList<>(s.publs)) {
                if (p.type() == type && p.lower() == lower && p.upper() == upper) {
                    distr.withdraw(type, lower, upper, p.key());
                    s.publs.remove(p);
                    n++;
                }
            }
            flushNamed(now, out);
            return n > 0 ? 0 : EINVAL;
        } finally {
            leave(now, out);
        }
    }


    // ====================================================================== connection-oriented sockets

    /**
     * Opens a SEQPACKET or STREAM socket (socket.c tipc_sk_create): random free port, importance low, messages
     * returned to the sender when undeliverable (not dest-droppable).
     *
     * @return the port number
     * @throws IllegalArgumentException for RDM/DGRAM (use {@link #openSocket})
     */
    public int openConnSocket(SocketType type, ConnHandler handler) {
        if (type != SocketType.SEQPACKET && type != SocketType.STREAM) {
            throw new IllegalArgumentException("not a connection-oriented type: " + type);
        }
        while (nextPort == 0 || socks.containsKey(nextPort)) nextPort++;
        int port = nextPort++;
        Sock s = new Sock(port, type, null);
        s.destDroppable = false;
        s.conn = new ConnSocket(this, port, type == SocketType.STREAM, handler);
        socks.put(port, s);
        conns.put(port, s.conn);
        return port;
    }

    /** The connection state of a SEQPACKET/STREAM socket, null if none (for inspection; do not keep across calls). */
    public ConnSocket connSocket(int port) {
        return conns.get(port);
    }

    private ConnSocket conn(int port) {
        ConnSocket c = conns.get(port);
        if (c == null) throw new IllegalArgumentException("no SEQPACKET/STREAM socket with port " + port);
        return c;
    }

    /** Sets the handler of a connection-oriented socket (e.g. after {@link #accept} with null). */
    public void setConnHandler(int port, ConnHandler handler) {
        conn(port).handler = handler == null ? new ConnHandler() {} : handler;
    }

    /**
     * socket.c tipc_listen.
     *
     * @return 0, or {@link Errno#EINVAL} if the socket is not open (connecting, connected, already listening)
     */
    public int listen(int port) {
        ConnSocket c = conn(port);
        if (c.state != ConnSocket.State.OPEN) return EINVAL;
        c.state = ConnSocket.State.LISTEN;
        return 0;
    }

    /**
     * Connects to a service address {type, instance} (socket.c tipc_connect): the anycast lookup picks the listener,
     * a SYN goes out and the socket is CONNECTING. Completion is reported to the handler: {@link ConnHandler#connected}
     * on the peer's ACK, {@link ConnHandler#failed} with {@link Errno#ECONNREFUSED} if the SYN is rejected (no socket,
     * not listening) or {@link Errno#ETIMEDOUT} after {@code timeoutMs}.
     *
     * @param lookupNode 0 for a cluster-wide lookup, else the node whose bindings are used (node scope)
     * @param timeoutMs  connect timeout, ms ({@link ConnSocket#CONN_TIMEOUT_DEFAULT} as the kernel); 0 = none
     * @param data       SYN+ data (may be null with len 0), at most 66000 bytes
     * @return 0 (in progress), {@link Errno#EHOSTUNREACH} (no binding, or no link to its node), {@link Errno#EISCONN},
     *         {@link Errno#EALREADY} (connecting), {@link Errno#EINVAL} (listening/closed), {@link Errno#EOPNOTSUPP} (socket has
     *         bindings), {@link Errno#EMSGSIZE}
     */
    public int connect(long now, int port, int type, int instance, int lookupNode, int timeoutMs,
                       byte[] data, int off, int len, Outbox out) {
        return connect(now, port, true, type, instance, lookupNode, timeoutMs, data, off, len, out);
    }

    /** {@link #connect} to a socket address {node, port} (TIPC_SOCKET_ADDR): the SYN is a DIRECT message. */
    public int connectToSocket(long now, int port, int destNode, int destPort, int timeoutMs,
                               byte[] data, int off, int len, Outbox out) {
        return connect(now, port, false, destNode, destPort, 0, timeoutMs, data, off, len, out);
    }

    private int connect(long now, int port, boolean byName, int a, int b, int lookupNode, int timeoutMs,
                        byte[] data, int off, int len, Outbox out) {
        Sock s = sock(port);
        ConnSocket c = conn(port);
        switch (c.state) {
            case ESTABLISHED: return EISCONN;
            case CONNECTING: return EALREADY;
            case OPEN: break;
            default: return EINVAL;
        }
        if (!s.publs.isEmpty()) return EOPNOTSUPP;
        if (len > Tipc.MAX_USER_MSG_SIZE) return EMSGSIZE;
        if (table == null) return EHOSTUNREACH;
        enter();
        try {
            int dnode, dport;
            if (byName) {
                SocketAddr dst = table.lookupAnycast(a, b, lookupNode);
                if (dst == null) return EHOSTUNREACH;
                dnode = dst.node();
                dport = dst.port();
            } else {
                dnode = a;
                dport = b;
            }
            int scope = lookupNode != 0 ? Tipc.TIPC_NODE_SCOPE : Tipc.TIPC_CLUSTER_SCOPE;
            return c.connect(now, dnode, dport, byName, a, b, scope, timeoutMs, s.importance, s.destDroppable,
                data == null ? new byte[0] : data, off, len, out);
        } finally {
            leave(now, out);
        }
    }

    /**
     * socket.c tipc_accept, never blocking: takes the first pending connection request of a listening socket,
     * opens a connected socket for it (same type, importance of the SYN) and sends the ACK (an empty CONN_MSG).
     * A SYN+ message's data is the new socket's first message.
     *
     * @param handler handler of the new socket (null: none until {@link #setConnHandler})
     * @return the new socket's port, {@link Errno#EAGAIN} if no request is pending, {@link Errno#EINVAL} if not listening
     */
    public int accept(long now, int listenPort, ConnHandler handler, Outbox out) {
        ConnSocket l = conn(listenPort);
        if (l.state != ConnSocket.State.LISTEN) return EINVAL;
        if (l.rcvq.isEmpty()) return EAGAIN;
        enter();
        try {
            int np = openConnSocket(l.stream ? SocketType.STREAM : SocketType.SEQPACKET, handler);
            l.accept(conns.get(np), now, out);
            return np;
        } finally {
            leave(now, out);
        }
    }

    /**
     * Sends on a connection (SEQPACKET: one message of at most 66000 bytes; STREAM: any length, split into
     * 66000-byte messages), never blocking: when the peer's window or the link is full it stops and
     * {@link ConnHandler#writable} follows when it opens.
     *
     * @return bytes sent (STREAM may send fewer than {@code len}), {@link Errno#EAGAIN} (nothing sent: congested),
     *         {@link Errno#ENOTCONN}, {@link Errno#EPIPE} (connection ended), {@link Errno#EMSGSIZE}
     */
    public int send(long now, int port, byte[] data, int off, int len, Outbox out) {
        ConnSocket c = conn(port);
        enter();
        try {
            return c.send(now, data, off, len, out);
        } finally {
            leave(now, out);
        }
    }

    /**
     * Reads from a connection (SEQPACKET: one message, truncated to {@code len}; STREAM: the bytes available, up to
     * {@code len}); consumed data is acknowledged to the sender in CONN_ACKs.
     *
     * @return bytes read, 0 at end of stream (the peer shut down), {@link Errno#ECONNRESET} (aborted: peer closed, node
     *         lost, rejected), {@link Errno#EAGAIN} (nothing queued), {@link Errno#ENOTCONN}, {@link Errno#EINVAL}
     */
    public int recv(long now, int port, byte[] buf, int off, int len, Outbox out) {
        ConnSocket c = conn(port);
        enter();
        try {
            return c.recv(now, buf, off, len, out);
        } finally {
            leave(now, out);
        }
    }

    /**
     * socket.c tipc_shutdown(SHUT_RDWR): the peer gets a FIN (an empty CONN_MSG with error TIPC_CONN_SHUTDOWN, its
     * recv returns 0), unread messages are discarded.
     *
     * @return 0, or {@link Errno#ENOTCONN} if there was no connection
     */
    public int shutdown(long now, int port, Outbox out) {
        ConnSocket c = conn(port);
        enter();
        try {
            c.shutdown(Tipc.TIPC_CONN_SHUTDOWN, now, out);
            if (c.state == ConnSocket.State.DISCONNECTING) {
                while (c.dequeue() != null) { /* discard */ }
                return 0;
            }
            return ENOTCONN;
        } finally {
            leave(now, out);
        }
    }

    /**
     * Subscribes to the bindings of {@code type} overlapping {@code [lower, upper]} (unsigned) as a topology-service
     * subscriber would (subscr.c): the current matching bindings are reported to {@code sink} before this returns,
     * then every change as it is applied (on this thread, during the core call that applies it: the sink must not
     * call into the core), then one TIPC_SUBSCR_TIMEOUT after {@code timeoutMs} ({@link TipcSubscr#TIPC_WAIT_FOREVER}
     * = never). Node up/down are the node-state bindings {0, node} and link up/down the link-state bindings
     * {2, peer} (node scope) that this core publishes.
     *
     * @param filter {@link TipcSubscr#TIPC_SUB_PORTS} or {@link TipcSubscr#TIPC_SUB_SERVICE}
     * @return the subscription ({@link Subscription#cancel()} ends it), or null if the request is illegal, the
     *         node's subscription limit is reached, or the address is not yet committed
     */
    public Subscription subscribe(long now, int filter, int type, int lower, int upper, int timeoutMs,
                                  java.util.function.Consumer<SubscriptionEvent> sink) {
        if (topology == null) return null;
        return topology.connect(sink).subscribe(
            new SubscriptionRequest(type, lower, upper, timeoutMs, filter, 0L, TopologyServer.HOST_ORDER), now);
    }

    /** The topology server (null until the address is committed). */
    public TopologyServer topologyServer() {
        return topsrv;
    }

    /** Runs {@code r} with the outermost call's time and outbox once the current call's processing is done. */
    void post(java.util.function.BiConsumer<Long, Outbox> r) {
        events.add(() -> r.accept(deferredNow, deferredOut));
    }

    /** Capabilities of a node as sockets see them (node.c tipc_node_get_capabilities): own, peer's, or 0. */
    int nodeCapabilities(int addr) {
        if (addr == ownAddr) return config.capabilities();
        Peer p = peers.get(addr);
        return p == null ? 0 : p.caps;
    }

    /**
     * Capabilities a connection to {@code addr} may use: the peer's, limited to what this node advertises (a node
     * configured without TIPC_BLOCK_FLOWCTL behaves as a legacy node on both sides).
     */
    int connCapabilities(int addr) {
        return nodeCapabilities(addr) & config.capabilities();
    }

    /** node.c tipc_node_get_mtu for connections: the link's maximum message size to {@code addr}. */
    int connMtu(int addr) {
        Peer p = peers.get(addr);
        return p == null || p.link == null ? Tipc.MAX_MSG_SIZE : p.link.mss();
    }

    /**
     * TIPC_NODELAY of a STREAM socket (socket.c tsk_set_nagle): true sends every write at once; false (default)
     * lets small writes to peers with TIPC_NAGLE be bundled while an acknowledgement is awaited.
     */
    public void setNoDelay(int port, boolean v) {
        ConnSocket c = conn(port);
        c.nodelay = v;
        if (c.state == ConnSocket.State.ESTABLISHED) c.setNagle();
    }

    int random16() {
        return rnd.nextInt(0x10000);
    }

    void setSockImportance(int port, int imp) {
        Sock s = socks.get(port);
        if (s != null) s.importance = imp;
    }

    int sockImportance(int port) {
        return sock(port).importance;
    }

    boolean sockDestDroppable(int port) {
        return sock(port).destDroppable;
    }

    private byte[] buildData(Sock s, int mtype, int hsize, int destNode, int destPort, byte[] data, int off, int len) {
        byte[] b = new byte[hsize + len];
        TipcMsg h = new TipcMsg().wrap(b, 0, b.length);
        initHeader(h, s.importance, mtype, hsize, destNode);
        h.setSize(hsize + len);
        h.setOrigport(s.port);
        h.setDestport(destPort);
        h.setDestDroppable(s.destDroppable ? 1 : 0);
        if (s.type == SocketType.DGRAM) h.setSrcDroppable(1);
        System.arraycopy(data, off, b, hsize, len);
        return b;
    }

    /**
     * Sends a datagram to a service address {type, instance} (socket.c __tipc_sendmsg, TIPC_SERVICE_ADDR):
     * the destination is chosen here by the binding table's round-robin anycast lookup.
     *
     * @param lookupNode 0 for cluster-wide lookup, else the node that must resolve it (node scope)
     * @return 0, {@link Errno#EHOSTUNREACH} (no binding / no link), {@link Errno#ELINKCONG} (sent, but the link's
     *         backlog for this importance is full: wait before sending more), {@link Errno#EMSGSIZE}, {@link Errno#EINVAL}
     */
    public int sendToName(long now, int port, int type, int instance, int lookupNode, byte[] data, int off, int len,
                          Outbox out) {
        Sock s = sock(port);
        if (len > Tipc.MAX_USER_MSG_SIZE) return EMSGSIZE;
        if (table == null) return EHOSTUNREACH;
        enter();
        try {
            SocketAddr dst = table.lookupAnycast(type, instance, lookupNode);
            if (dst == null) return EHOSTUNREACH;
            byte[] b = buildData(s, Tipc.TIPC_NAMED_MSG, Tipc.NAMED_H_SIZE, dst.node(), dst.port(), data, off, len);
            TipcMsg h = new TipcMsg().wrap(b, 0, b.length);
            h.setNametype(type);
            h.setNameinst(instance);
            h.setLookupScope(lookupNode != 0 ? Tipc.TIPC_NODE_SCOPE : Tipc.TIPC_CLUSTER_SCOPE);
            return xmitData(b, dst.node(), now, out);
        } finally {
            leave(now, out);
        }
    }

    /**
     * Sends a datagram to a socket address {port, node} (TIPC_SOCKET_ADDR): DIRECT message, 32-byte header.
     *
     * @return as {@link #sendToName}
     */
    public int sendToPort(long now, int port, int destNode, int destPort, byte[] data, int off, int len, Outbox out) {
        Sock s = sock(port);
        if (len > Tipc.MAX_USER_MSG_SIZE) return EMSGSIZE;
        if (ownAddr == 0) return EHOSTUNREACH;
        enter();
        try {
            byte[] b = buildData(s, Tipc.TIPC_DIRECT_MSG, Tipc.BASIC_H_SIZE, destNode, destPort, data, off, len);
            return xmitData(b, destNode, now, out);
        } finally {
            leave(now, out);
        }
    }

    /**
     * Multicasts to every socket bound to a range overlapping {type, lower, upper}
     * (socket.c tipc_sendmcast, TIPC_SERVICE_RANGE): one copy per destination node over its unicast link
     * (replicast, w0 bit 18 set, w7 = that node), one local delivery per matching local socket.
     *
     * @return 0, {@link Errno#EHOSTUNREACH} if no node has a matching binding, {@link Errno#ELINKCONG} if some link was
     *         congested, {@link Errno#EMSGSIZE}
     */
    public int multicast(long now, int port, int type, int lower, int upper, byte[] data, int off, int len,
                         Outbox out) {
        Sock s = sock(port);
        if (len > Tipc.MAX_USER_MSG_SIZE) return EMSGSIZE;
        if (table == null) return EHOSTUNREACH;
        enter();
        try {
            McastNodes dsts = table.lookupMcastNodes(type, lower, upper);
            if (!dsts.local() && dsts.remote().isEmpty()) return EHOSTUNREACH;
            int rc = 0;
            for (int node : dsts.remote()) {
                byte[] b = buildMcast(s, type, lower, upper, node, data, off, len);
                new TipcMsg().wrap(b, 0, b.length).setIsRcast(1);
                int r = xmitData(b, node, now, out);
                if (r == ELINKCONG) rc = ELINKCONG;
            }
            if (dsts.local()) localq.add(buildMcast(s, type, lower, upper, 0, data, off, len));
            return rc;
        } finally {
            leave(now, out);
        }
    }

    private byte[] buildMcast(Sock s, int type, int lower, int upper, int node, byte[] data, int off, int len) {
        byte[] b = buildData(s, Tipc.TIPC_MCAST_MSG, Tipc.MCAST_H_SIZE, node, 0, data, off, len);
        TipcMsg h = new TipcMsg().wrap(b, 0, b.length);
        h.setNametype(type);
        h.setNamelower(lower);
        h.setNameupper(upper);
        h.setLookupScope(Tipc.TIPC_CLUSTER_SCOPE);
        return b;
    }

    void linkUncongested(Link l) {
        for (ConnSocket c : conns.values()) {
            if (c.peerNode == l.peer.addr) c.linkUncongested();
        }
        events.add(() -> listener.linkUncongested(l));
    }

    /** True if sending at {@code importance} to {@code node} would currently get {@link Errno#ELINKCONG}. */
    public boolean congested(int node, int importance) {
        Peer p = peers.get(node);
        return p != null && p.link != null && p.link.congested(importance);
    }

    /** tipc_node_xmit: local delivery or the peer's link, fragmenting to the link MSS (msg.c tipc_msg_build). */
    int xmitData(byte[] msg, int destNode, long now, Outbox out) {
        if (destNode == ownAddr) {
            localq.add(msg);
            return 0;
        }
        Peer p = peers.get(destNode);
        if (p == null || !p.isUp() || p.link == null) return EHOSTUNREACH;
        Link l = p.link;
        int mss = l.mss();
        if (msg.length <= mss) return l.xmit(msg, msg.length, now, out);
        // fragmentation: MSG_FRAGMENTER, 40-byte header, fragment numbers from 1, payload mss - 40 each
        int imp = new TipcMsg().wrap(msg, 0, msg.length).importance();
        int chunk = mss - Tipc.INT_H_SIZE;
        int rc = 0;
        int pos = 0;
        int no = 1;
        while (pos < msg.length) {
            int n = Math.min(chunk, msg.length - pos);
            byte[] f = new byte[Tipc.INT_H_SIZE + n];
            TipcMsg h = new TipcMsg().wrap(f, 0, f.length);
            int type = pos == 0 ? Tipc.FIRST_FRAGMENT : pos + n >= msg.length ? Tipc.LAST_FRAGMENT : Tipc.FRAGMENT;
            initHeader(h, Tipc.MSG_FRAGMENTER, type, Tipc.INT_H_SIZE, destNode);
            h.setSize(f.length);
            h.setFragmNo(no++);
            h.setImportance(imp);
            System.arraycopy(msg, pos, f, Tipc.INT_H_SIZE, n);
            int r = l.xmit(f, f.length, now, out);
            if (pos == 0) rc = r;
            l.sentFragmented++;
            pos += n;
        }
        return rc;
    }

    /** socket.c tipc_sk_rcv / tipc_sk_filter_rcv for connectionless sockets. */
    private void sockRcv(byte[] buf, int off, int len, long now, Outbox out, boolean local) {
        TipcMsg h = new TipcMsg().wrap(buf, off, len);
        int mtype = h.type();
        if (mtype == Tipc.TIPC_MCAST_MSG && h.errcode() == 0) {
            if (table == null) return;
            List<Integer> ports = local
                ? table.lookupMcastSockets(h.nametype(), h.namelower(), h.nameupper(), Tipc.TIPC_NODE_SCOPE, false)
                : table.lookupMcastSockets(h.nametype(), h.namelower(), h.nameupper(), Tipc.TIPC_CLUSTER_SCOPE, true);
            for (int port : ports) {
                Sock s = socks.get(port);
                if (s != null && s.conn == null) deliver(s, h);
            }
            return;
        }
        int dport = h.destport();
        Sock s = socks.get(dport);
        if (s == null) {
            if (mtype == Tipc.TIPC_NAMED_MSG && h.errcode() == 0 && h.rerouteCnt() == 0 && table != null) {
                // tipc_msg_lookup_dest: one second lookup
                int lookupNode = h.lookupScope() == Tipc.TIPC_NODE_SCOPE ? ownAddr : 0;
                SocketAddr d = table.lookupAnycast(h.nametype(), h.nameinst(), lookupNode);
                if (d != null && d.port() != 0) {
                    byte[] c = Arrays.copyOfRange(buf, off, off + h.size());
                    TipcMsg ch = new TipcMsg().wrap(c, 0, c.length);
                    ch.setRerouteCnt(1);
                    ch.setDestport(d.port());
                    ch.setDestnode(d.node());
                    if (d.node() != ownAddr) ch.setPrevnode(ownAddr);
                    xmitData(c, d.node(), now, out);
                    return;
                }
            }
            reject(h, mtype == Tipc.TIPC_NAMED_MSG ? Tipc.TIPC_ERR_NO_NAME : Tipc.TIPC_ERR_NO_PORT, now, out);
            return;
        }
        if (s.conn != null) {
            s.conn.rcv(h, now, out);
            return;
        }
        if (h.user() > Tipc.CRITICAL_IMPORTANCE) return;
        if (mtype == Tipc.TIPC_CONN_MSG || mtype > Tipc.TIPC_DIRECT_MSG) {
            reject(h, Tipc.TIPC_ERR_NO_PORT, now, out);
            return;
        }
        deliver(s, h);
    }

    private void deliver(Sock s, TipcMsg h) {
        int hs = h.hdrSize();
        byte[] data = Arrays.copyOfRange(h.buffer(), h.offset() + hs, h.offset() + h.size());
        int mtype = h.type();
        int nt = 0, lo = 0, up = 0;
        if (hs >= Tipc.NAMED_H_SIZE && (mtype == Tipc.TIPC_NAMED_MSG || mtype == Tipc.TIPC_MCAST_MSG)) {
            nt = h.nametype();
            lo = h.nameinst();
            up = mtype == Tipc.TIPC_MCAST_MSG && hs >= Tipc.MCAST_H_SIZE ? h.nameupper() : lo;
        }
        Delivery d = new Delivery(s.port, h.orignode(), h.origport(), mtype, nt, lo, up, h.errcode(),
            h.user() & 3, data);
        byte[] hdr = Arrays.copyOfRange(h.buffer(), h.offset(), h.offset() + hs);
        events.add(() -> {
            if (!s.handler.onMessage(d) && deferredNow >= 0) {
                // rebuild the message (header + payload) and return it: TIPC_ERR_OVERLOAD
                byte[] whole = Arrays.copyOf(hdr, hdr.length + data.length);
                System.arraycopy(data, 0, whole, hdr.length, data.length);
                TipcMsg w = new TipcMsg().wrap(whole, 0, whole.length);
                if (mtype == Tipc.TIPC_MCAST_MSG) w.setDestport(s.port);
                reject(w, Tipc.TIPC_ERR_OVERLOAD, deferredNow, deferredOut);
            }
        });
    }

    /** msg.c tipc_msg_reverse + send back: not when dest-droppable or already an error message. */
    void reject(TipcMsg h, int err, long now, Outbox out) {
        if (h.destDroppable() != 0 || h.errcode() != 0) return;
        int hs = h.hdrSize();
        int nhs = hs == Tipc.SHORT_H_SIZE ? Tipc.BASIC_H_SIZE : hs;
        int dlen = Math.min(h.dataSize(), 1024);
        byte[] b = new byte[nhs + dlen];
        System.arraycopy(h.buffer(), h.offset(), b, 0, Math.min(hs, nhs));
        System.arraycopy(h.buffer(), h.offset() + hs, b, nhs, dlen);
        TipcMsg r = new TipcMsg().wrap(b, 0, b.length);
        int dnode = h.prevnode();
        r.setHdrSize(nhs);
        r.setSize(nhs + dlen);
        r.setErrcode(err);
        r.setNonSeq(0);
        r.setOrigport(h.destport());
        r.setDestport(h.origport());
        r.setDestnode(dnode);
        r.setPrevnode(ownAddr);
        r.setOrignode(ownAddr);
        xmitData(b, dnode, now, out);
    }
}
