package io.jtipc.node;

import io.jtipc.wire.BundleCursor;
import io.jtipc.wire.Seqno;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * The broadcast receive link for one peer ({@code n->bc_entry.link}, link.c {@code tipc_link_bc_*},
 * bcast.c {@code tipc_bcast_rcv}, {@code tipc_bcast_sync_rcv}), i.e. what a kernel peer expects of us as
 * a member of its broadcast link:
 * <ul>
 *   <li>initialised by the peer's BCAST_PROTOCOL "bc init" message on the unicast link (peers with
 *       TIPC_BCAST_SYNCH; {@code tipc_link_bc_init_rcv}): {@code rcv_nxt = last_bcast + 1}, up;</li>
 *   <li>broadcast packets (non-seq frames with w5 = network id) are sequenced by w2 seqno, delivered in
 *       order, held out of order, duplicates dropped ({@code tipc_link_rcv} on the bc receive link);</li>
 *   <li>acknowledged through the unicast link: w1 bcast ack = {@code rcv_nxt - 1} in every unicast packet,
 *       and in STATE messages the bc gap (w8) and broadcast gap-ACK blocks; a STATE is requested at the
 *       kernel's thinning points ({@code tipc_link_build_state_msg}, {@code tipc_link_build_nack_msg}) and
 *       when the peer's STATE shows a broadcast gap ({@code tipc_link_bc_sync_rcv}).</li>
 * </ul>
 * Our own broadcast link (the sending side) is {@link Bcast}; the per-peer part of it (what the peer acknowledged,
 * its last gap-ACK blocks) is kept here, as the kernel keeps it in the peer's bc receive link.
 */
public final class BroadcastLink {
    final Node node;
    private final Net net;
    boolean up;
    /** Set when the peer acknowledged our bc init (msg_ack != 0 in its STATE), link.c bc_peer_is_up. */
    boolean bcPeerIsUp;
    int rcvNxt = 1;
    /** The peer's broadcast snd_nxt as learnt from its STATE messages. */
    int sndNxt = 1;
    int rcvUnacked;
    int tolerance = 1500;
    /** Our broadcast seqno the peer acknowledged last (link.c r->acked), 16 bits. */
    int acked;
    /** The peer counts as an acker of our broadcast link ({@link Bcast#addPeer} until {@link Bcast#removePeer}). */
    boolean counted;
    /** Our broadcast send link's acker slot for this peer while {@link #counted} (see {@link Pkt#owed}), else -1. */
    int slot = -1;
    /** This peer's acknowledgements of our broadcast link ignored (beyond snd_nxt - 1, bad gap-ACK blocks). */
    long invalidAcks;
    /** Our broadcast packets retransmitted on this peer's request, and its broadcast NACKs. */
    long retransmitted, recvNacks;
    long deferredCnt;
    long received;
    long duplicates;
    /** Out-of-order broadcast packets, bounded like a unicast link's ({@link DeferredQueue}). */
    final DeferredQueue deferdq;
    /** Fragment reassembly, bounded like a unicast link's ({@link LinkReassembly}). */
    final LinkReassembly reasm;

    BroadcastLink(Net net, Node node) {
        this.net = net;
        this.node = node;
        this.deferdq = DeferredQueue.ofLink(net);
        this.reasm = new LinkReassembly(net.reasmTotal, net.reasmActive, net.reasmSpares);
    }

    public boolean isUp() { return up; }

    /** Next broadcast seqno expected from the peer (16 bits). */
    public int rcvNxt() { return rcvNxt; }

    public int deferredLength() { return deferdq.size(); }

    /** Bytes of the out-of-order broadcast packets held (at most 8 MiB per peer, 64 MiB per node with the links'). */
    public long deferredBytes() { return deferdq.bytes(); }

    /** Out-of-order broadcast packets not kept because the deferred budget was full (the peer retransmits them). */
    public long deferredDropped() { return deferdq.dropped; }

    /**
     * Fragment reassembly failures on this broadcast link, and gap-acknowledged fragments dropped for want of room
     * in the node's reassembly total; each dropped its fragment and failed no link (link.c tipc_link_input).
     */
    public long reassemblyErrors() { return reasm.errors + reassemblyRefused; }

    /** Gap-acknowledged fragments dropped because the node's reassembly total was full ({@link #input}). */
    private long reassemblyRefused;

    public long received() { return received; }

    /** Our broadcast seqno this peer acknowledged last (16 bits). */
    public int acked() { return acked; }

    /** Our broadcast packets retransmitted because this peer reported a gap. */
    public long retransmitted() { return retransmitted; }

    /** This peer's acknowledgements of our broadcast link ignored as invalid (see {@link Bcast#invalidAcks()}). */
    public long invalidAcks() { return invalidAcks; }

    /** link_bc_rcv_gap. */
    int rcvGap() {
        int gap = 0;
        if (Seqno.more(sndNxt, rcvNxt)) gap = (sndNxt - rcvNxt) & 0xffff;
        if (!deferdq.isEmpty()) gap = (deferdq.firstSeqno() - rcvNxt) & 0xffff;
        return gap;
    }

    /** tipc_link_bc_init_rcv. */
    void initRcv(TipcMsg h) {
        if (up) return;
        int peersSndNxt = (h.lastBcast() + 1) & 0xffff;
        if (h.user() == Tipc.BCAST_PROTOCOL) {
            rcvNxt = peersSndNxt;
            sndNxt = peersSndNxt;
            up = true;
            return;
        }
        if ((node.caps & Tipc.TIPC_BCAST_SYNCH) != 0) return;
        if (peerNodeIsUp(h)) return;
        if (h.type() == Tipc.RESET_MSG || h.type() == Tipc.ACTIVATE_MSG) {
            rcvNxt = peersSndNxt;
            sndNxt = peersSndNxt;
        }
    }

    /** msg.h msg_peer_node_is_up. */
    static boolean peerNodeIsUp(TipcMsg h) {
        if (h.user() != Tipc.LINK_PROTOCOL || h.type() == Tipc.STATE_MSG) return true;
        return h.redundantLink() != 0;
    }

    /**
     * tipc_bcast_sync_rcv for a LINK_PROTOCOL message from the peer.
     *
     * @return true if a STATE should be sent to report a broadcast gap
     */
    boolean syncRcv(TipcMsg h) {
        if (h.type() != Tipc.STATE_MSG) {
            initRcv(h);
            return false;
        }
        if (h.bcAckInvalid() != 0) return false;
        if (!up) return false;
        if (!peerNodeIsUp(h)) return false;
        if (h.ack() != 0) bcPeerIsUp = true;
        if (!bcPeerIsUp) return false;
        int peersSndNxt = (h.lastBcast() + 1) & 0xffff;
        // beyond the receive link's window (tipc_link_bc_create: the send link's minimum window, BCLINK_WIN_DEFAULT)
        if (Seqno.more(peersSndNxt, (rcvNxt + Bcast.WIN_DEFAULT) & 0xffff)) return false;
        sndNxt = peersSndNxt;
        return rcvGap() != 0;
    }

    /**
     * tipc_bcast_rcv → tipc_link_rcv on this link: one broadcast packet from the peer.
     *
     * @param inputq the node's input queue for broadcast messages (the kernel's {@code bc_entry.inputq1})
     * @param namedq the node's binding-update queue ({@code bc_entry.namedq})
     * @return {@link Link#LINK_SND_STATE} if a STATE should be sent to the peer now (ack or NACK thinning points), or 0
     */
    int rcv(byte[] buf, int off, int len, long now, Outbox out, InputQueue inputq, InputQueue namedq) {
        TipcMsg h = rcvHdr.wrap(buf, off, len);
        if (h.mcNetid() != net.config.netId() || !up) return 0;
        if (h.user() == Tipc.BCAST_PROTOCOL) return 0; // legacy NACK: only sent to peers without TIPC_BCAST_STATE_NACK
        boolean sndState = false;
        Pkt pending = null;
        while (true) {
            if (pending != null) h.wrap(pending.buf, 0, pending.len);
            int seqno = h.seqno();
            if (Seqno.less(seqno, rcvNxt) || Seqno.more(seqno, (rcvNxt + Link.MAX_LINK_WIN) & 0xffff)) {
                duplicates++;
                break;
            }
            if (seqno != rcvNxt) {
                int r = pending != null ? deferdq.add(pending) : deferdq.add(buf, off, Math.min(len, h.size()));
                if (r == DeferredQueue.DUPLICATE) duplicates++;
                if (r == DeferredQueue.NO_ROOM) {
                    // not kept: the STATE's broadcast gap asks for it again (first drop, then every 16th)
                    String note = deferdq.noRoom(seqno, net.deferredTotal);
                    if (note != null) net.log("broadcast link peer " + Integer.toHexString(node.addr) + ": " + note);
                    if ((deferdq.dropped & 15) == 1) sndState = true;
                }
                // tipc_link_build_nack_msg for a bc receive link
                if ((++deferredCnt & 0xf) == (net.ownAddr & 0xf)) sndState = true;
                break;
            }
            boolean room = reasm.roomFor(h, now);
            // node's reassembly total full: not received, not acked; the peer resends it. Also a fragment from the
            // deferred queue when the peer takes no gap-ACK blocks: that copy is let go, the gap asks for it again
            if (!room && (pending == null || (node.caps & Tipc.TIPC_GAP_ACK_BLOCK) == 0)) break;
            rcvNxt = (rcvNxt + 1) & 0xffff;
            if (Seqno.more(rcvNxt, sndNxt)) sndNxt = rcvNxt;
            received++;
            if (!room) {
                // from the deferred queue and gap-ACKed (the peer may have released it), nothing below it left to ask
                // for: kept back it would stall this link for good. Dropped as a broadcast reassembly error, which
                // fails no link (tipc_link_input): the message it belongs to is given up, its later fragments find no
                // FIRST_FRAGMENT
                reasm.reset();
                if (Long.bitCount(++reassemblyRefused) == 1) {
                    net.log("broadcast link peer " + Integer.toHexString(node.addr) + ": gap-acknowledged fragment"
                        + " (seqno " + seqno + ") dropped: the node's reassembly total is full (" + reassemblyRefused
                        + " so far)");
                }
            } else if (pending != null) {
                input(pending.buf, 0, pending.len, inputq, namedq);
            } else {
                input(buf, off, Math.min(len, h.size()), inputq, namedq);
            }
            if (!up) break;
            if (++rcvUnacked >= Link.MIN_LINK_WIN) {
                // tipc_link_build_state_msg for a bc receive link: thinned by own address
                if (((rcvNxt ^ net.ownAddr) & 0xf) == 0xf) {
                    rcvUnacked = 0;
                    sndNxt = rcvNxt; // the peer's snd_nxt as known is what arrived: the STATE NACKs only held gaps
                    sndState = true;
                }
            }
            if (deferdq.isEmpty() || deferdq.firstSeqno() != rcvNxt) break;
            pending = deferdq.pollFirst();
        }
        return sndState ? Link.LINK_SND_STATE : 0;
    }

    /** The packet {@link #rcv} walks (its own flyweight: {@link #input}, called from it, wraps {@link #inHdr}). */
    private final TipcMsg rcvHdr = new TipcMsg();
    /** Flyweights of {@link #input} (not re-entered: it only queues): the packet, a bundle walk, an inner message. */
    private final TipcMsg inHdr = new TipcMsg(), inInner = new TipcMsg();
    private final BundleCursor inCursor = new BundleCursor();

    /**
     * tipc_link_input on the broadcast receive link: unbundled or reassembled into {@link InputQueue#dataInput}. A
     * reassembly failure frees the reassembly buffer and drops the fragment; unlike a unicast link's, it fails no link
     * (link.c tipc_link_input: LINK_FAILURE_EVT only if {@code !link_is_bc_rcvlink(l)}): a peer joining while a
     * fragmented broadcast is under way receives its later fragments without the first. Logged at powers of two.
     */
    private void input(byte[] buf, int off, int len, InputQueue inputq, InputQueue namedq) {
        TipcMsg h = inHdr.wrap(buf, off, len);
        switch (h.user()) {
            case Tipc.MSG_BUNDLER: {
                BundleCursor c = inCursor.wrap(buf, off, len);
                while (c.next()) {
                    int iu = inInner.wrap(buf, c.offset(), c.length()).user();
                    InputQueue.dataInput(iu, buf, c.offset(), c.length(), inputq, namedq);
                }
                break;
            }
            case Tipc.MSG_FRAGMENTER: {
                byte[] whole = reasm.append(buf, off, len);
                if (whole != null) {
                    net.reassembled = whole; // given back once delivered (Node.bcastRcv), as on a unicast link
                    InputQueue.dataInput(inInner.wrap(whole, 0, whole.length).user(), whole, 0, whole.length, inputq,
                        namedq);
                } else if (reasm.failed && (reasm.errors & (reasm.errors - 1)) == 0) {
                    net.log("broadcast link peer " + Integer.toHexString(node.addr) + ": fragment dropped: "
                        + reasm.lastError + " (broadcast reassembly errors " + reasm.errors + ")");
                }
                break;
            }
            default:
                InputQueue.dataInput(h.user(), buf, off, len, inputq, namedq);
        }
    }

    /** Broadcast state purged when contact with the peer is lost (tipc_bcast_remove_peer). */
    void reset() {
        up = false;
        bcPeerIsUp = false;
        rcvNxt = 1;
        sndNxt = 1;
        rcvUnacked = 0;
        deferdq.clear();
        reasm.reset();
    }
}
