package io.jtipc.node;

import java.util.Arrays;

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
 */
public final class Discoverer {
    public static final int DISC_INIT = 125;
    public static final int DISC_FAST = 1000;
    public static final int DISC_SLOW = 60000;
    public static final int DISC_INACTIVE = Integer.MAX_VALUE;

    private final NodeCore core;
    private final Bearer bearer;
    final byte[] msg = new byte[Tipc.DSC_MSG_SIZE];
    private final TipcMsg m = new TipcMsg();
    int numNodes;
    long timerIntv = DISC_INIT;
    long due = Long.MAX_VALUE;
    long sent;

    Discoverer(NodeCore core, Bearer bearer) {
        this.core = core;
        this.bearer = bearer;
    }

    /** Current interval, ms. */
    public long timerInterval() { return timerIntv; }

    /** Number of peers with a working link on this bearer. */
    public int numNodes() { return numNodes; }

    /** Absolute time of the next expiry, ms. */
    public long due() { return due; }

    /** Requests sent so far. */
    public long sent() { return sent; }

    /** tipc_disc_init_msg into {@code buf} (76 bytes at 0). */
    void initMsg(byte[] buf, int mtyp, int destDomain) {
        Arrays.fill(buf, 0, Tipc.DSC_MSG_SIZE, (byte) 0);
        TipcMsg h = new TipcMsg().wrap(buf, 0, Tipc.DSC_MSG_SIZE);
        h.setVersion(Tipc.VERSION).setUser(Tipc.LINK_CONFIG).setHdrSize(Tipc.MAX_H_SIZE).setSize(Tipc.DSC_MSG_SIZE);
        h.setType(mtyp);
        h.setPrevnode(core.trialAddr);
        h.setNonSeq(1);
        h.setNodeSig(core.config.random() & 0xffff);
        h.setNodeCapabilities(core.config.capabilities());
        h.setDestDomain(destDomain);
        h.setBcNetid(core.config.netId());
        bearer.config.media().addrToMsg(bearer.ownAddr, buf, Tipc.MEDIA_INFO_OFFSET);
        h.setPeerNetHash(core.config.random());
        core.config.nodeId().copyTo(buf, Tipc.MAX_H_SIZE);
    }

    /** tipc_disc_create: builds the request (TRIAL while the address is on trial), sends it now, arms 125 ms. */
    void start(long now, Outbox out) {
        initMsg(msg, core.ownAddr() == 0 ? Tipc.DSC_TRIAL_MSG : Tipc.DSC_REQ_MSG, bearer.config.domain());
        timerIntv = DISC_INIT;
        due = now + timerIntv;
        send(out);
    }

    private void send(Outbox out) {
        sent++;
        out.send(bearer.id, null, msg, 0, Tipc.DSC_MSG_SIZE);
    }

    /** tipc_disc_timeout. */
    void timeout(long now, Outbox out) {
        m.wrap(msg, 0, msg.length);
        int dom = bearer.config.domain();
        if ((dom & 0xfff) != 0 && numNodes > 0) {
            // the kernel's tipc_node(domain): a specific node was asked for and found
            timerIntv = DISC_INACTIVE;
            due = Long.MAX_VALUE;
            return;
        }
        if (now >= core.trialEnd && core.ownAddr() == 0) {
            due = now + DISC_INIT;
            core.commitAddress(now, out);
            return;
        }
        if (now < core.trialEnd) {
            timerIntv = DISC_INIT;
        } else {
            timerIntv *= 2;
            if (numNodes > 0 && timerIntv > DISC_SLOW) timerIntv = DISC_SLOW;
            else if (numNodes == 0 && timerIntv > DISC_FAST) timerIntv = DISC_FAST;
            m.setType(Tipc.DSC_REQ_MSG);
            m.setPrevnode(core.trialAddr);
        }
        due = now + timerIntv;
        send(out);
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

    /**
     * tipc_disc_addr_trial_msg: trial handling of a received discovery message.
     *
     * @return true if the message is consumed
     */
    boolean addrTrialMsg(long now, byte[] maddr, int dst, int src, int sugg, byte[] peerId, int mtyp, Outbox out) {
        boolean trial = now < core.trialEnd;
        int self = core.ownAddr();
        if (mtyp == Tipc.DSC_TRIAL_FAIL_MSG) {
            if (!trial) return true;
            if (dst != core.trialAddr) return true;
            core.trialAddr = sugg;
            m.wrap(msg, 0, msg.length).setPrevnode(sugg);
            core.trialEnd = now + NodeCore.TRIAL_PERIOD;
            return true;
        }
        if (!trial && self == 0) {
            core.commitAddress(now, out);
            m.wrap(msg, 0, msg.length).setPrevnode(core.trialAddr);
            m.setType(Tipc.DSC_REQ_MSG);
        }
        if (mtyp != Tipc.DSC_TRIAL_MSG) return trial;
        int s = core.tryAddr(peerId, src);
        if (s != 0) xmit(Tipc.DSC_TRIAL_FAIL_MSG, src, s, maddr, out);
        return true;
    }

    /** tipc_disc_msg_xmit: a one-off RESP or TRIAL_FAIL unicast to {@code maddr}. */
    void xmit(int mtyp, int dst, int sugg, byte[] maddr, Outbox out) {
        byte[] b = new byte[Tipc.DSC_MSG_SIZE];
        initMsg(b, mtyp, dst);
        new TipcMsg().wrap(b, 0, b.length).setSuggNodeAddr(sugg);
        out.send(bearer.id, maddr, b, 0, b.length);
    }
}
