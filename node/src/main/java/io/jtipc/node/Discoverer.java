package io.jtipc.node;

import java.util.Arrays;

import io.jtipc.wire.NodeId;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * Neighbour discovery on one bearer ({@code struct tipc_discoverer}, net/tipc/discover.c of Linux 6.1).
 *
 * <p>Message ({@code tipc_disc_init_msg}), 76 bytes: LINK_CONFIG, 60-byte header, non-seq; w1 = node
 * signature (low 16 bits of the node random) then capabilities in bits 27-15 (so bit 15 = capability bit 0);
 * w2 = destination domain; w3 = own (trial) address; w4 = network id; w5-w12 = own media address block;
 * w13 = peer-net hash (= random in the initial namespace); w14 = suggested address (TRIAL_FAIL only);
 * data = 16-byte node id.
 *
 * <p>Timer ({@code tipc_disc_timeout}): a request is sent when the bearer is enabled and then every
 * interval: 125 ms (TIPC_DISC_INIT) during the 1 s address trial, then doubling up to 1 s (TIPC_DISC_FAST)
 * while no peer was discovered on the bearer, or 60 s (TIPC_DISC_SLOW) once one was. Losing the last peer
 * restarts at 125 ms ({@code tipc_disc_remove_dest}). The expiry that finds the trial over commits the
 * address and re-arms 125 ms without sending.
 *
 * <p>Receiving ({@code tipc_disc_rcv}): the address trial ({@code tipc_disc_addr_trial_msg}: a DSC_TRIAL_FAIL with a
 * suggestion restarts our trial with it; a peer trying an address in use is sent a DSC_TRIAL_FAIL with a suggestion,
 * node.c {@code tipc_node_try_addr}), then the neighbour: {@link NodeTable#checkDest} creates the node and link as
 * needed, and a request is answered with a DSC_RESP. The trial state ({@link Trial}) is shared by the discoverers of
 * all bearers; committing the address (net.c {@code tipc_net_finalize}) is the core's, told by {@link #timeout} and
 * {@link #rcv} returning {@link #COMMIT}.
 *
 * <p>Hostile input (jtipc, not in the kernel): before {@link #rcv}, {@link #admit} applies a per-source rate limit
 * ({@link DiscoveryLimiter}); a full peer table evicts never-linked peers first ({@link NodeTable}). Counters:
 * {@link #rateLimited()}, {@link #peersEvicted()}, {@link #peersRejected()}.
 */
public final class Discoverer {
    public static final int DISC_INIT = 125;
    public static final int DISC_FAST = 1000;
    public static final int DISC_SLOW = 60000;
    public static final int DISC_INACTIVE = Integer.MAX_VALUE;

    /** Address trial period, ms (discover.c: msecs_to_jiffies(1000)). */
    public static final int TRIAL_PERIOD = 1000;

    /** {@link #rcv} result: the message ends the address trial; commit the address, then hand the message in again. */
    static final int COMMIT = 1;

    /**
     * The address trial of the node (core.h {@code tn->trial_addr}, {@code tn->addr_trial_end}), shared by the
     * discoverers of all its bearers: the address is first tried as {@code hash128to32(node id)} for
     * {@link #TRIAL_PERIOD} ms; a DSC_TRIAL_FAIL with a suggestion restarts the trial with it.
     */
    static final class Trial {
        /** Address on trial (= own address once committed). */
        int addr;
        /** End of the trial, ms. */
        long end;

        Trial(int addr) {
            this.addr = addr;
        }
    }

    private final Net net;
    private final NodeTable nodes;
    private final Trial trial;
    private final Bearer bearer;
    final byte[] msg = new byte[Tipc.DSC_MSG_SIZE];
    private final TipcMsg m = new TipcMsg();
    int numNodes;
    long timerIntv = DISC_INIT;
    long due = Long.MAX_VALUE;
    long sent;
    /** Per-source rate limit of received discovery messages (jtipc, {@link DiscoveryLimiter}). */
    final DiscoveryLimiter limiter;
    /** Peers evicted from the full peer table to make room for a peer discovered on this bearer ({@link NodeTable}). */
    long peersEvicted;
    /** Discovery messages of new peers ignored on this bearer: the table was full of peers that may not be evicted. */
    long peersRejected;

    Discoverer(Net net, NodeTable nodes, Trial trial, Bearer bearer) {
        this.net = net;
        this.nodes = nodes;
        this.trial = trial;
        this.bearer = bearer;
        this.limiter = new DiscoveryLimiter(net, bearer.config.name());
    }

    /** Current interval, ms. */
    public long timerInterval() { return timerIntv; }

    /** Number of peers with a working link on this bearer. */
    public int numNodes() { return numNodes; }

    /** Absolute time of the next expiry, ms. */
    public long due() { return due; }

    /** Requests sent so far. */
    public long sent() { return sent; }

    /** Received discovery messages dropped by the per-source rate limit ({@link DiscoveryLimiter}), in total. */
    public long rateLimited() { return limiter.dropped; }

    /** Received discovery messages from source media address {@code src} dropped by the rate limit (0 if untracked). */
    public long rateLimited(byte[] src) { return limiter.dropped(src); }

    /** Peers evicted from the full peer table (never-linked first) to make room for a peer discovered here. */
    public long peersEvicted() { return peersEvicted; }

    /** New peers ignored here because the peer table was full of peers that may not be evicted. */
    public long peersRejected() { return peersRejected; }

    /**
     * The per-source rate limit, before {@link #rcv}: {@code src} is the frame's source media address as the bearer
     * shell reports it; if null, the media address block of the message ({@code buf[off, off + len)}) stands for it.
     *
     * @return false if the message is to be dropped unprocessed (counted in {@link #rateLimited()})
     */
    boolean admit(long now, byte[] src, byte[] buf, int off, int len) {
        if (src == null && len >= Tipc.MEDIA_INFO_OFFSET + Tipc.MEDIA_INFO_SIZE) {
            src = bearer.config.media().msgToAddr(buf, off + Tipc.MEDIA_INFO_OFFSET);
        }
        return limiter.admit(now, src);
    }

    /** tipc_disc_init_msg into {@code buf} (76 bytes at 0). */
    void initMsg(byte[] buf, int mtyp, int destDomain) {
        Arrays.fill(buf, 0, Tipc.DSC_MSG_SIZE, (byte) 0);
        TipcMsg h = new TipcMsg().wrap(buf, 0, Tipc.DSC_MSG_SIZE);
        h.setVersion(Tipc.VERSION).setUser(Tipc.LINK_CONFIG).setHdrSize(Tipc.MAX_H_SIZE).setSize(Tipc.DSC_MSG_SIZE);
        h.setType(mtyp);
        h.setPrevnode(trial.addr);
        h.setNonSeq(1);
        h.setNodeSig(net.config.random() & 0xffff);
        h.setNodeCapabilities(net.config.capabilities());
        h.setDestDomain(destDomain);
        h.setBcNetid(net.config.netId());
        bearer.config.media().addrToMsg(bearer.ownAddr, buf, Tipc.MEDIA_INFO_OFFSET);
        h.setPeerNetHash(net.config.random());
        net.config.nodeId().copyTo(buf, Tipc.MAX_H_SIZE);
    }

    /**
     * tipc_disc_create: builds the request (TRIAL while the address is on trial, which then (re)starts for
     * {@link #TRIAL_PERIOD} ms), sends it now, arms 125 ms.
     */
    void start(long now, Outbox out) {
        if (net.ownAddr == 0) trial.end = now + TRIAL_PERIOD;
        initMsg(msg, net.ownAddr == 0 ? Tipc.DSC_TRIAL_MSG : Tipc.DSC_REQ_MSG, bearer.config.domain());
        timerIntv = DISC_INIT;
        due = now + timerIntv;
        send(out);
    }

    private void send(Outbox out) {
        sent++;
        net.xmit(out, bearer.id, null, msg, 0, Tipc.DSC_MSG_SIZE, null);
    }

    /**
     * tipc_disc_timeout.
     *
     * @return true if the trial is over and the address must be committed now (net.c tipc_net_finalize)
     */
    boolean timeout(long now, Outbox out) {
        m.wrap(msg, 0, msg.length);
        int dom = bearer.config.domain();
        if ((dom & 0xfff) != 0 && numNodes > 0) {
            // the kernel's tipc_node(domain): a specific node was asked for and found
            timerIntv = DISC_INACTIVE;
            due = Long.MAX_VALUE;
            return false;
        }
        if (now >= trial.end && net.ownAddr == 0) {
            due = now + DISC_INIT;
            return true;
        }
        if (now < trial.end) {
            timerIntv = DISC_INIT;
        } else {
            timerIntv *= 2;
            if (numNodes > 0 && timerIntv > DISC_SLOW) timerIntv = DISC_SLOW;
            else if (numNodes == 0 && timerIntv > DISC_FAST) timerIntv = DISC_FAST;
            m.setType(Tipc.DSC_REQ_MSG);
            m.setPrevnode(trial.addr);
        }
        due = now + timerIntv;
        send(out);
        return false;
    }

    /** A link on this bearer came up (tipc_disc_add_dest). */
    void addDest() {
        numNodes++;
    }

    /** A link on this bearer went down (tipc_disc_remove_dest → disc_update). */
    void removeDest(long now) {
        numNodes--;
        if (numNodes == 0 && (timerIntv == DISC_INACTIVE || timerIntv > DISC_FAST)) {
            timerIntv = DISC_INIT;
            due = now + timerIntv;
        }
    }

    /** Discovery messages from another node with our own address (or 0), logged at powers of two. */
    private long ownAddrAlerts;

    /**
     * discover.c tipc_disc_rcv of one discovery message on this bearer. Malformed ones (header under 60 bytes, no node
     * id, bad media address) are counted in {@link Net#droppedFrames}.
     *
     * @return 0, or {@link #COMMIT} if the message ends the address trial: the caller commits the address and hands
     *         the same message in again (nothing else was done with it)
     */
    int rcv(long now, byte[] buf, int off, int len, Outbox out) {
        TipcMsg h = new TipcMsg().wrap(buf, off, len);
        if (h.hdrSize() < Tipc.MAX_H_SIZE) {
            // the media address (w5-w13) and the other discovery fields lie in a 60-byte header (discover.c
            // tipc_disc_init_msg always builds one): a shorter one would be read from the bytes after it
            net.droppedFrames++;
            return 0;
        }
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
                net.droppedFrames++;
                return 0;
            }
            System.arraycopy(buf, h.dataOffset(), peerId, 0, Tipc.NODE_ID_LEN);
        } else {
            peerId = NodeId.fromAddress(src).bytes();
        }
        byte[] maddr = bearer.config.media().msgToAddr(buf, h.mediaAddrOffset());
        if (maddr == null || bearer.config.media().isBroadcast(maddr)) {
            net.droppedFrames++;
            return 0;
        }
        if (Arrays.equals(maddr, bearer.ownAddr)) return 0;
        if (netId != net.config.netId()) return 0;
        // tipc_disc_addr_trial_msg
        boolean onTrial = now < trial.end;
        if (mtyp == Tipc.DSC_TRIAL_FAIL_MSG) {
            // jtipc: a suggestion of 0 is no address (the kernel would take it and then never finalize one)
            if (!onTrial || dst != trial.addr || sugg == 0) return 0;
            trial.addr = sugg;
            m.wrap(msg, 0, msg.length).setPrevnode(sugg);
            trial.end = now + TRIAL_PERIOD;
            return 0;
        }
        if (!onTrial && net.ownAddr == 0) {
            m.wrap(msg, 0, msg.length).setPrevnode(trial.addr);
            m.setType(Tipc.DSC_REQ_MSG);
            return COMMIT;
        }
        if (mtyp == Tipc.DSC_TRIAL_MSG) {
            int s = nodes.tryAddr(peerId, src, trial.addr, net.config.random());
            if (s != 0) xmit(Tipc.DSC_TRIAL_FAIL_MSG, src, s, maddr, out);
            return 0;
        }
        if (onTrial) return 0;
        // the neighbour
        int self = net.ownAddr;
        if (src == self || src == 0) {
            if (Long.bitCount(++ownAddrAlerts) == 1) {
                net.log("duplicate node address " + Integer.toHexString(src) + " seen on " + bearer.config.name()
                    + " (" + ownAddrAlerts + " times)");
            }
            return 0;
        }
        if (dst != 0 && dst != self) return 0;
        int dom = bearer.config.domain();
        if (dom != 0 && dom != src) return 0;
        boolean respond = nodes.checkDest(now, src, NodeId.of(peerId), bearer, caps, signature, pnetHash, maddr, out);
        if (respond && mtyp == Tipc.DSC_REQ_MSG) xmit(Tipc.DSC_RESP_MSG, src, 0, maddr, out);
        return 0;
    }

    /** tipc_disc_msg_xmit: a one-off RESP or TRIAL_FAIL unicast to {@code maddr}. */
    void xmit(int mtyp, int dst, int sugg, byte[] maddr, Outbox out) {
        byte[] b = new byte[Tipc.DSC_MSG_SIZE];
        initMsg(b, mtyp, dst);
        new TipcMsg().wrap(b, 0, b.length).setSuggNodeAddr(sugg);
        net.xmit(out, bearer.id, maddr, b, 0, b.length, null);
    }
}
