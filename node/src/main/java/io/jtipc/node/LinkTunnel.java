package io.jtipc.node;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import io.jtipc.wire.Seqno;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * The tunnel functions of a link (Linux 6.1 net/tipc/link.c): building the SYNCH and FAILOVER tunnels of one link onto
 * its parallel link ({@code tipc_link_tnl_prepare}, {@code tipc_link_failover_prepare},
 * {@code tipc_link_create_dummy_tnl_msg}) and the receive state a link keeps while it carries a failed parallel link's
 * packets ({@code tipc_link_tnl_rcv}): the drop point ({@code l->drop_point}), the failover deferred queue
 * ({@code l->failover_deferdq}), the failover reassembly ({@code l->failover_reasm_skb}) and the reassembly of
 * fragmented FAILOVER messages ({@code l->reasm_tnlmsg}).
 *
 * <p>A TUNNEL_PROTOCOL message has a 40-byte header (msg.h INT_H_SIZE) followed by one whole link packet of the
 * tunnelled link (its own 16-bit seqno in w2), or, for a FAILOVER of a peer with TIPC_TUNNEL_ENHANCED, one fragment of
 * it (w4 bits 31-16 fragment number from 1, bits 15-0 fragment count). w9 bits 31-16 hold the number of tunnel
 * messages of the whole tunnel (msgcnt) or, in the single enhanced SYNCH, the synch point (msg_syncpt); w5 bits 11-9
 * the tunnelled link's bearer id at the receiver (msg_bearer_id). Not thread safe: owned by its {@link Link}.
 */
final class LinkTunnel {
    /** Largest tunnelled packet reassembled from FAILOVER fragments, bytes (msg.h TIPC_MAX_MSG_SIZE 66060). */
    static final int MAX_TUNNELLED = Tipc.MAX_MSG_SIZE;

    private final Link l;
    /** l->drop_point: inner seqno of the next failed-link packet to deliver; older ones are discarded. */
    int dropPoint = 1;
    /**
     * l->failover_deferdq: tunnelled packets after a gap, by inner seqno. Bounded like a link's deferred queue
     * ({@link HoldBudget#DEFERRED_LINK_BYTES}, node total), unlike the kernel's: a packet that finds no room is logged
     * and lost. It holds at most the failed link's own deferred packets plus tunnel packets that overtook them, so the
     * bound is reached only if the failed link's deferred queue was already near it.
     */
    final DeferredQueue fdefq;
    /** l->failover_reasm_skb: the failed link's fragment reassembly, moved here at failover. */
    LinkReassembly reasm;
    /** l->reasm_tnlmsg: a fragmented FAILOVER message being rebuilt (fragments arrive in tunnel-link order). */
    private ByteArrayOutputStream tnlmsg;
    private int tnlmsgNext;
    /**
     * The bytes of {@link #tnlmsg}, charged per link ({@link #MAX_TUNNELLED}, one message) and to the node-wide
     * reassembly total ({@link Net#reasmTotal}) with the links' own reassemblies. jtipc's bound: the kernel has none.
     */
    private final HoldBudget tnlBudget;
    /**
     * Occurrences of the failover queue problems logged at powers of two (1, 2, 4, ...) so that a peer cannot make one
     * line per frame: tunnelled packets dropped because the failover deferred queue was full, failover deferred queues
     * found not empty at a failover, fragmented FAILOVER messages refused for the node-wide reassembly total (which fails
     * the tunnel link: the packet was accepted in sequence, so losing it would leave a silent gap in the failed link's
     * traffic).
     */
    long failoverDropped, failoverQueueNotEmpty, tnlmsgDropped;
    /**
     * Statistics: tunnel messages sent and received by type (SYNCH, FAILOVER); FAILOVER fragments sent (of packets too
     * large for this link); failed-link packets delivered from the tunnel; out-of-order packets of a failed link taken
     * over at failover (its deferred queue).
     */
    long sentSynch, sentFailover, recvSynch, recvFailover, sentFailoverFragments, tunnelledDelivered, deferredTakenOver;

    LinkTunnel(Link l, Net net) {
        this.l = l;
        this.fdefq = new DeferredQueue(net.deferredTotal);
        // among the node's evictable reassemblies (net.reasmActive) as the links' own: it takes the failed link's place
        // at failover (they are swapped), so one made outside them could hold part of the total for good
        this.reasm = new LinkReassembly(net.reasmTotal, net.reasmActive, net.reasmSpares);
        this.tnlBudget = new HoldBudget(MAX_TUNNELLED, 1, net.reasmTotal);
    }

    /** Whether {@code n} (a count just incremented) is a power of two: log the 1st, 2nd, 4th, ... occurrence. */
    private static boolean logNow(long n) {
        return (n & (n - 1)) == 0;
    }

    /** Part of tipc_link_reset: the failover queues and reassemblies are purged. */
    void reset() {
        fdefq.clear();
        reasm.reset();
        dropTnlmsg();
    }

    /**
     * Whether the node reassembly total has room for what in-sequence packet {@code h} adds to the tunnelled message in
     * reassembly (a fragment of a fragmented FAILOVER message, link.c reasm_tnlmsg), asked before the link takes it, as
     * {@link LinkReassembly#roomFor} for other fragments: reassemblies stalled on other links are evicted for it. True
     * for any other packet and for a fragment {@link #rcv} fails anyway (out of order, over the per-link bound). False
     * (counted in {@link #tnlmsgRefused}): the link treats it as not received, so the peer resends it.
     *
     * @param now the time in ms
     */
    boolean roomFor(TipcMsg h, long now) {
        if (h.user() != Tipc.TUNNEL_PROTOCOL || h.type() == Tipc.SYNCH_MSG || h.nofFragms() == 0) return true; // as rcv
        int size = Math.min(h.length(), h.size());
        int n = size - Math.min(h.hdrSize(), size);
        int no = h.fragmNo();
        if (no != 1 && (tnlmsg == null || no != tnlmsgNext)) return true;
        long held = no == 1 && tnlmsg != null ? tnlBudget.bytes() : 0; // a FIRST drops the message in reassembly
        int c = no == 1 && tnlmsg == null ? 1 : 0;
        if (tnlBudget.bytes() - held + n > MAX_TUNNELLED) return true;
        boolean ok;
        while (!(ok = tnlBudget.fits(n - held, c)) && LinkReassembly.evictStalled(l.net.reasmActive, null, now)) {
            // evicted the reassembly stalled longest; try again
        }
        if (!ok && logNow(++tnlmsgRefused)) {
            l.net.log("link " + l.name() + ": tunnelled fragment not taken, node reassembly total full (the peer resends"
                + " it; " + tnlmsgRefused + " times)");
        }
        return ok;
    }

    /**
     * A failed-link packet taken from the tunnel into the link's input with the failover reassembly. A fragment is
     * first the reassembly's progress, as on a link ({@link LinkReassembly#roomFor}): it moves to the newest end of the
     * node's evictable reassemblies (else it looked stalled since its last fragment on the failed link and was the
     * first evicted) and may evict one stalled elsewhere when the node total is full; without room, the append then
     * fails it (a reassembly error, counted as such: the kernel has no bound here, and the tunnel packet is
     * acknowledged already).
     */
    private void inputInner(byte[] b, int o, int n, InputQueue inputq, InputQueue namedq, long now) {
        reasm.makeRoom(innerView.wrap(b, o, n), now); // not counted as refused: taken anyway
        l.input(b, o, n, inputq, namedq, reasm);
    }

    private final TipcMsg innerView = new TipcMsg();

    /** In-sequence fragments of tunnelled messages refused because the node reassembly total was full ({@link #roomFor}). */
    long tnlmsgRefused;

    /** Frees {@link #tnlmsg} and gives its bytes back. */
    private void dropTnlmsg() {
        if (tnlmsg != null) tnlBudget.give(tnlBudget.bytes(), tnlBudget.count());
        tnlmsg = null;
    }

    // ====================================================================== sending

    /**
     * link.c tipc_link_tnl_prepare: tunnels link {@code l}'s traffic onto the parallel link {@code tnl}.
     * <ul>
     *   <li>SYNCH_MSG to a peer with TIPC_TUNNEL_ENHANCED: one 40-byte SYNCH_MSG, synch point (w9 31-16) =
     *       {@code l.snd_nxt + backlog length - 1} (l's numbering: the last packet l will send before the new link may
     *       deliver), bearer id = l's peer bearer id.</li>
     *   <li>Otherwise: a dummy DIRECT_MSG (error TIPC_ERR_NO_PORT, 32-byte header) is first sent on {@code l}
     *       ("at least one packet required for safe algorithm"), then every packet of l's transmit queue and backlog
     *       (backlogged packets numbered on from {@code snd_nxt}) is wrapped in a 40-byte tunnel header with msgcnt =
     *       number of tunnel messages (SYNCH: {@code snd_nxt - first transmq seqno}; FAILOVER: transmq length; both
     *       plus the backlog length). A packet larger than {@code tnl.mtu - 40} is split into fragments for a FAILOVER to
     *       a TIPC_TUNNEL_ENHANCED peer (msgcnt grows by the extra fragments), else the tunnel stops there
     *       (logged).</li>
     *   <li>FAILOVER only: {@code tnl} takes over l's receive state: drop point = l's rcv_nxt, l's fragment
     *       reassembly and its deferred queue.</li>
     * </ul>
     * The tunnel messages are sent on {@code tnl} as one list ({@link #xmitList}).
     */
    static void prepare(Link l, Link tnl, int mtyp, long now, Outbox out) {
        if (tnl == null) return;
        Net net = l.net;
        if (mtyp == Tipc.SYNCH_MSG && (tnl.node.caps & Tipc.TIPC_TUNNEL_ENHANCED) != 0) {
            byte[] b = new byte[Tipc.INT_H_SIZE];
            TipcMsg h = new TipcMsg().wrap(b, 0, b.length);
            Msg.init(h, net.ownAddr, Tipc.TUNNEL_PROTOCOL, Tipc.SYNCH_MSG, Tipc.INT_H_SIZE, l.node.addr);
            h.setSyncpt((l.sndNxt + l.backlogq.size() - 1) & 0xffff);
            h.setBearerId(l.peerBearerId);
            tnl.tunnel.sentSynch++;
            xmitList(tnl, List.of(b), now, out);
            return;
        }
        // the dummy goes through l's own xmit; what l would send now is discarded (tmpxq purged)
        byte[] dummy = dummyDirect(net.ownAddr, l.node.addr);
        l.xmit(dummy, dummy.length, now, (bid, d, buf, o, n) -> { });
        int pktcnt = mtyp == Tipc.SYNCH_MSG
            ? (l.transmq.isEmpty() ? 0 : (l.sndNxt - l.transmq.peekFirst().seqno()) & 0xffff) : l.transmq.size();
        pktcnt += l.backlogq.size();
        boolean enhanced = (tnl.node.caps & Tipc.TIPC_TUNNEL_ENHANCED) != 0;
        List<byte[]> tnlq = new ArrayList<>();
        int seqno = l.sndNxt;
        boolean complete = true;
        outer:
        for (int q = 0; q < 2; q++) {
            for (Pkt p : q == 0 ? l.transmq : l.backlogq) {
                TipcMsg ih = new TipcMsg().wrap(p.buf, 0, p.len);
                if (q == 1) {
                    ih.setSeqno(seqno);
                    seqno = (seqno + 1) & 0xffff;
                }
                int pktlen = ih.size();
                if (pktlen > tnl.mtu - Tipc.INT_H_SIZE) {
                    if (mtyp == Tipc.FAILOVER_MSG && enhanced) {
                        List<byte[]> frags = fragment(net.ownAddr, l, p.buf, pktlen, tnl.mtu);
                        pktcnt += frags.size() - 1;
                        tnl.tunnel.sentFailoverFragments += frags.size();
                        tnlq.addAll(frags);
                        continue;
                    }
                    net.log("link " + l.name() + ": too large message for the " + (mtyp == Tipc.SYNCH_MSG ? "SYNCH"
                        : "FAILOVER") + " tunnel on " + tnl.name() + ": user " + ih.user() + " size " + pktlen);
                    complete = false;
                    break outer;
                }
                byte[] t = new byte[Tipc.INT_H_SIZE + pktlen];
                tunnelHeader(t, net.ownAddr, l, mtyp, t.length);
                System.arraycopy(p.buf, 0, t, Tipc.INT_H_SIZE, pktlen);
                tnlq.add(t);
            }
        }
        if (complete) {
            for (byte[] t : tnlq) new TipcMsg().wrap(t, 0, t.length).setMsgcnt(pktcnt & 0xffff);
            if (mtyp == Tipc.SYNCH_MSG) tnl.tunnel.sentSynch += tnlq.size();
            else tnl.tunnel.sentFailover += tnlq.size();
            xmitList(tnl, tnlq, now, out);
        }
        if (mtyp != Tipc.FAILOVER_MSG) return;
        // the tunnel link takes over what l has received but not delivered
        LinkTunnel t = tnl.tunnel;
        t.dropPoint = l.rcvNxt;
        LinkReassembly r = t.reasm;
        r.reset();
        t.reasm = l.reasm;
        l.reasm = r;
        t.clearFailoverQueue(tnl);
        Pkt p;
        while ((p = l.deferdq.pollFirst()) != null) {
            t.fdefq.add(p);
            t.deferredTakenOver++;
        }
    }

    /**
     * link.c tipc_link_failover_prepare: failover onto {@code tnl} of a link that never came up (nothing to tunnel): the
     * dummy FAILOVER that lets the peer leave NODE_FAILINGOVER, drop point 1, no failover reassembly, an empty
     * failover deferred queue.
     */
    static void failoverPrepare(Link tnl, long now, Outbox out) {
        createDummyTnlMsg(tnl, now, out);
        LinkTunnel t = tnl.tunnel;
        t.dropPoint = 1;
        t.reasm.reset();
        t.clearFailoverQueue(tnl);
    }

    /** Empties the failover deferred queue at a new failover (logged at powers of two if it was not empty). */
    private void clearFailoverQueue(Link tnl) {
        if (fdefq.isEmpty()) return;
        if (logNow(++failoverQueueNotEmpty)) {
            tnl.net.log("link " + tnl.name() + ": failover deferred queue not empty: " + fdefq.size()
                + " (" + failoverQueueNotEmpty + " times)");
        }
        fdefq.clear();
    }

    /**
     * link.c tipc_link_create_dummy_tnl_msg: a FAILOVER_MSG (msgcnt 1, bearer id = tnl's peer bearer id) wrapping a
     * 32-byte DIRECT_MSG with TIPC_ERR_NO_PORT, sent on {@code tnl}; its seqno gives the peer a synch point.
     */
    static void createDummyTnlMsg(Link tnl, long now, Outbox out) {
        Net net = tnl.net;
        byte[] inner = dummyDirect(net.ownAddr, tnl.node.addr);
        byte[] b = new byte[Tipc.INT_H_SIZE + inner.length];
        TipcMsg h = new TipcMsg().wrap(b, 0, Tipc.INT_H_SIZE);
        Msg.init(h, net.ownAddr, Tipc.TUNNEL_PROTOCOL, Tipc.FAILOVER_MSG, Tipc.INT_H_SIZE, tnl.node.addr);
        h.setSize(b.length);
        h.setMsgcnt(1);
        h.setBearerId(tnl.peerBearerId);
        System.arraycopy(inner, 0, b, Tipc.INT_H_SIZE, inner.length);
        tnl.tunnel.sentFailover++;
        xmitList(tnl, List.of(b), now, out);
    }

    /**
     * link.c tipc_link_xmit of a list of tunnel messages on {@code tnl}: the backlog limit (SYSTEM importance) and
     * jtipc's byte bound are checked once, for the first message, so a whole tunnel is queued (the later ones past the
     * link's bounds if need be, {@link HoldBudget#forceOver}: a failed link at an 8191-packet window with a backlog
     * behind it tunnels more than one link's backlog bound); a first message refused is logged.
     */
    static void xmitList(Link tnl, List<byte[]> msgs, long now, Outbox out) {
        // close tnl's open backlog bundles: a message sent after the tunnel (e.g. of a flow moved off the failed
        // link) must not join a bundle queued ahead of it and overtake the tunnelled packets. Departs from the
        // kernel, whose tipc_link_xmit keeps l->backlog[imp].target_bskb across a tunnel (seen reordering against 5.10).
        java.util.Arrays.fill(tnl.target, null);
        tnl.tunnelling = true;
        try {
            for (int i = 0; i < msgs.size(); i++) {
                byte[] b = msgs.get(i);
                if (tnl.xmit(b, b.length, now, out, i == 0, null) == Errno.ENOBUFS) {
                    tnl.net.log("link " + tnl.name() + ": tunnel truncated: " + (msgs.size() - i) + " of "
                        + msgs.size() + " tunnel messages not queued (backlog full)");
                    return;
                }
            }
        } finally {
            tnl.tunnelling = false;
        }
    }

    /** The dummy of tipc_link_tnl_prepare: LOW_IMPORTANCE DIRECT_MSG, 32-byte header, error TIPC_ERR_NO_PORT. */
    private static byte[] dummyDirect(int own, int dnode) {
        byte[] b = new byte[Tipc.BASIC_H_SIZE];
        TipcMsg h = new TipcMsg().wrap(b, 0, b.length);
        Msg.init(h, own, Tipc.LOW_IMPORTANCE, Tipc.TIPC_DIRECT_MSG, Tipc.BASIC_H_SIZE, dnode);
        h.setErrcode(Tipc.TIPC_ERR_NO_PORT);
        return b;
    }

    /** The reusable tunnel header of tipc_link_tnl_prepare (tipc_msg_init + bearer id), size {@code size}. */
    private static void tunnelHeader(byte[] t, int own, Link l, int mtyp, int size) {
        TipcMsg h = new TipcMsg().wrap(t, 0, Tipc.INT_H_SIZE);
        Msg.init(h, own, Tipc.TUNNEL_PROTOCOL, mtyp, Tipc.INT_H_SIZE, l.node.addr);
        h.setBearerId(l.peerBearerId);
        h.setSize(size);
    }

    /**
     * msg.c tipc_msg_fragment: splits the packet {@code pkt[0, dsz)} into FAILOVER tunnel messages of at most
     * {@code pktmax} bytes: {@code dsz / (pktmax - 40) + 1} fragments, each with the tunnel header, w4 fragment number
     * (from 1) and count; the last one carries {@code dsz % (pktmax - 40)} bytes (none when that is 0, as the kernel).
     */
    static List<byte[]> fragment(int own, Link l, byte[] pkt, int dsz, int pktmax) {
        int dmax = pktmax - Tipc.INT_H_SIZE;
        int nof = dsz / dmax + 1;
        List<byte[]> frags = new ArrayList<>(nof);
        int pos = 0;
        for (int no = 1; no <= nof; no++) {
            int eat = no < nof ? dmax : dsz % dmax;
            byte[] f = new byte[Tipc.INT_H_SIZE + eat];
            tunnelHeader(f, own, l, Tipc.FAILOVER_MSG, f.length);
            new TipcMsg().wrap(f, 0, Tipc.INT_H_SIZE).setFragmNo(no).setNofFragms(nof);
            System.arraycopy(pkt, pos, f, Tipc.INT_H_SIZE, eat);
            pos += eat;
            frags.add(f);
        }
        return frags;
    }

    // ====================================================================== receiving

    /**
     * link.c tipc_link_tnl_rcv: one in-sequence TUNNEL_PROTOCOL message {@code buf[off, off + len)} on this (tunnel)
     * link. SYNCH content is discarded (the parallel link delivers the originals). A FAILOVER's inner packet (or the
     * packet its fragments rebuild) is delivered when its seqno is the drop point, kept in the failover deferred queue
     * when after it, discarded when before it; then the deferred packets that have become next follow. Inner packets
     * go through the link's input ({@code tipc_link_input} with the failover reassembly), so each failed-link message
     * reaches {@code inputq}/{@code namedq} exactly once and in order.
     *
     * @param now the time in ms (an inner fragment is progress of the failover reassembly: {@link #inputInner})
     * @return LINK_* flags: {@link Link#LINK_DOWN_EVT} when a reassembly failed (the link is reset, LINK_FAILURE_EVT)
     */
    int rcv(byte[] buf, int off, int len, InputQueue inputq, InputQueue namedq, long now) {
        TipcMsg h = new TipcMsg().wrap(buf, off, len);
        if (h.type() == Tipc.SYNCH_MSG) {
            recvSynch++;
            return 0;
        }
        recvFailover++;
        byte[] ib;
        int ioff, ilen;
        int size = Math.min(len, h.size());
        int hs = Math.min(h.hdrSize(), size); // the inner packet follows the header as it says (msg_data)
        if (h.nofFragms() == 0) {
            // tipc_msg_extract: one whole inner packet with a sane header
            ioff = off + hs;
            ilen = innerLength(buf, ioff, size - hs);
            if (ilen < 0) {
                l.net.log("link " + l.name() + ": unable to extract tunnelled message, failover deferred queue "
                    + fdefq.size());
                return 0;
            }
            ib = buf;
        } else {
            int no = h.fragmNo();
            int n = size - hs;
            if (no == 1) {
                dropTnlmsg();
                tnlmsg = new ByteArrayOutputStream();
                tnlmsgNext = 1;
            }
            if (tnlmsg == null || no != tnlmsgNext || tnlmsg.size() + n > MAX_TUNNELLED) {
                dropTnlmsg();
                l.logReset("unable to reassemble tunnel message (fragment " + no + " of " + h.nofFragms() + ")");
                return l.fsmFailure();
            }
            if (!tnlBudget.take(n, no == 1 ? 1 : 0)) {
                // only the node-wide total can refuse here, and roomFor asked it before the link took the packet: not
                // reached unless that answer changed. The packet is in sequence already: dropping it would lose a
                // failed-link message without a trace, so the tunnel link fails as on a tunnel reassembly error
                dropTnlmsg();
                if (logNow(++tnlmsgDropped)) {
                    l.net.log("link " + l.name() + ": tunnelled message refused, node reassembly total full ("
                        + tnlmsgDropped + " times)");
                }
                l.logReset("unable to reassemble tunnel message (node reassembly total full)");
                return l.fsmFailure();
            }
            tnlmsg.write(buf, off + hs, n);
            tnlmsgNext++;
            if (no < h.nofFragms()) return 0;
            ib = tnlmsg.toByteArray();
            dropTnlmsg();
            ioff = 0;
            ilen = innerLength(ib, 0, ib.length);
            if (ilen < 0) return 0;
        }
        Pkt next = null;
        while (true) {
            int seqno = next == null ? new TipcMsg().wrap(ib, ioff, ilen).seqno() : next.seqno();
            if (Seqno.less(seqno, dropPoint)) {
                // older than the drop point: delivered already on the failed link
            } else if (seqno != dropPoint) {
                int r = next == null ? fdefq.add(ib, ioff, ilen) : fdefq.add(next);
                if (r == DeferredQueue.NO_ROOM && logNow(++failoverDropped)) {
                    // jtipc bound (the kernel's queue has none): this packet of the failed link is lost
                    l.net.log("link " + l.name() + ": failover deferred queue full: tunnelled packet " + seqno
                        + " dropped (" + fdefq.size() + " held; " + failoverDropped + " dropped so far)");
                }
            } else {
                dropPoint = (dropPoint + 1) & 0xffff;
                tunnelledDelivered++;
                if (next == null) inputInner(ib, ioff, ilen, inputq, namedq, now);
                else inputInner(next.buf, 0, next.len, inputq, namedq, now);
                if (!l.isUp()) return Link.LINK_DOWN_EVT;
            }
            if (fdefq.isEmpty() || fdefq.firstSeqno() != dropPoint) return 0;
            next = fdefq.pollFirst();
        }
    }

    /** Length of the inner packet at {@code b[off, off + avail)}, or -1 if its header does not fit (msg.c tipc_msg_validate). */
    private static int innerLength(byte[] b, int off, int avail) {
        if (avail < Tipc.SHORT_H_SIZE) return -1;
        TipcMsg ih = new TipcMsg().wrap(b, off, avail);
        int hs = ih.hdrSize();
        int sz = ih.size();
        if (hs < Tipc.SHORT_H_SIZE || sz < hs || sz > avail) return -1;
        return sz;
    }
}
