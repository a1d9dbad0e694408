package io.jtipc.node;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;

import io.jtipc.nametable.DistrMessage;
import io.jtipc.nametable.PublicationItem;
import io.jtipc.wire.NodeId;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * The attacker's toolkit for the hostile-peer suites (issue 15): frames a hostile TIPC peer sends, built with the
 * {@code wire} flyweights, and the few package-private hooks an attacker needs on its own {@link NodeCore} (it links
 * like any peer, through a real core, then injects traffic through that core's link so that sequence numbers,
 * acknowledgements and retransmission stay right). A test kit, never published: it lives in node's
 * {@code src/testkit/java}, compiled with node's tests and with those of {@code hostile-tests}, whose live suite drives
 * the same attacks over UDP (the parent pom's {@code jtipc.testkit}).
 *
 * <p>Nothing here reads the target: what the target exposes about the attack is read through {@code TargetProbe} (node's tests),
 * kept apart so that the names the fix branches settle on are adjusted in one place.
 */
public final class HostileKit {
    /**
     * The interface name a hostile peer announces in RESET/ACTIVATE (w10-13, at most 15 bytes sent: the NUL-terminated
     * if_name of link.c tipc_link_build_proto_msg): a forged log line and a terminal escape (ESC [31m: red). The first
     * 15 characters, the part that reaches the wire, still hold the newline and the ESC.
     */
    public static final String FORGED_IF_NAME = "\n[INFO] forged\u001b[31m";

    /** Service type the out-of-order flood's packets are addressed to (nobody binds it). */
    public static final int FLOOD_PORT = 0x7ff0_0001;

    private HostileKit() {
    }

    // ------------------------------------------------------------------ discovery flood (c)

    /**
     * A DSC_REQ (discover.c tipc_disc_init_msg layout, 76 bytes) from a node that does not exist: a fresh 128-bit node
     * id and a fresh 32-bit address from {@code rnd}, claiming media address {@code maddr}.
     *
     * @param netId cluster id (w4), must be the target's for the request to count
     * @param media the bearer's media (writes the 32-byte media block, w5-w12)
     * @param maddr raw media address the target is to answer to (the attacker's own, to keep replies on loopback)
     */
    public static byte[] freshDiscoveryRequest(Random rnd, int netId, MediaType media, byte[] maddr) {
        byte[] id = new byte[Tipc.NODE_ID_LEN];
        rnd.nextBytes(id);
        id[0] |= 0x01; // never all zero
        int addr;
        do {
            addr = rnd.nextInt();
        } while (addr == 0);
        byte[] f = new byte[Tipc.DSC_MSG_SIZE];
        TipcMsg h = new TipcMsg().wrap(f, 0, f.length);
        h.setVersion(Tipc.VERSION).setUser(Tipc.LINK_CONFIG).setHdrSize(Tipc.MAX_H_SIZE).setSize(Tipc.DSC_MSG_SIZE);
        h.setType(Tipc.DSC_REQ_MSG);
        h.setPrevnode(addr);
        h.setNonSeq(1);
        h.setNodeSig(rnd.nextInt() & 0xffff);
        h.setNodeCapabilities(NodeConfig.JTIPC_CAPABILITIES);
        h.setDestDomain(0);
        h.setBcNetid(netId);
        media.addrToMsg(maddr, f, Tipc.MEDIA_INFO_OFFSET);
        h.setPeerNetHash(rnd.nextInt());
        NodeId.of(id).copyTo(f, Tipc.MAX_H_SIZE);
        return f;
    }

    // ------------------------------------------------------------------ out-of-order flood (a)

    /**
     * A sequenced DATA packet (TIPC_LOW_IMPORTANCE, TIPC_DIRECT_MSG, 32-byte header) of {@code size} bytes in all, with
     * link sequence number {@code seqno}: the attacker sends the whole receive window behind a gap it never fills.
     *
     * @param src   the attacker's node address (w3 prevnode, w6 orignode)
     * @param dst   the target's address (w7)
     * @param ack   the attacker link's acknowledgement of the target's packets (w2 bits 31-16)
     * @param bcAck broadcast acknowledgement (w1 bits 15-0)
     * @param size  total bytes, 32 to 66 032 (over UDP at most 65 507: one datagram)
     */
    public static byte[] outOfOrderData(int src, int dst, int seqno, int ack, int bcAck, int size) {
        byte[] f = new byte[size];
        TipcMsg h = new TipcMsg().wrap(f, 0, size);
        h.init(src, 0 /* TIPC_LOW_IMPORTANCE */, Tipc.TIPC_DIRECT_MSG, Tipc.BASIC_H_SIZE, dst);
        h.setSize(size);
        h.setSeqno(seqno & 0xffff);
        h.setAck(ack & 0xffff);
        h.setBcastAck(bcAck & 0xffff);
        h.setOrignode(src);
        h.setOrigport(0x4000_0001);
        h.setDestport(FLOOD_PORT);
        for (int i = Tipc.BASIC_H_SIZE; i < size; i++) f[i] = (byte) (i * 31 + seqno);
        return f;
    }

    /**
     * The out-of-order flood of one round: the attacker's link to {@code target} is at {@code sndNxt}; the packet with
     * that seqno is never sent, the {@code count} (at most {@link Link#MAX_LINK_WIN} - 1, the receive window) after it
     * are. Built one by one by the caller through this method's result to keep memory small: returns packet {@code i}.
     */
    public static byte[] floodPacket(int ownAddr, Link attackerLink, int i, int size) {
        return outOfOrderData(ownAddr, attackerLink.peerAddr(), (attackerLink.sndNxt() + 1 + i) & 0xffff,
            attackerLink.rcvNxt() - 1, attackerLink.node.broadcastLink().rcvNxt() - 1, size);
    }

    /** The receive window a target's link accepts behind its next expected seqno (link.c: TIPC_MAX_LINK_WIN 8191). */
    public static int receiveWindow() {
        return Link.MAX_LINK_WIN;
    }

    // ------------------------------------------------------------------ binding flood (b)

    /**
     * NAME_DISTRIBUTOR PUBLICATION messages carrying {@code total} items ({@code item.apply(i)} for i = 0..total-1),
     * as many per message as fit in {@code mss} bytes (name_distr.c named_prepare_buf: (mss - 40) / 20), each a bulk
     * message (w1 bit 28, applied at once, name_distr.c tipc_named_dequeue) from {@code orig} to {@code dest}.
     */
    public static List<byte[]> publicationBulks(int orig, int dest, int mss, int total, IntFunction<PublicationItem> item) {
        int per = Math.max(1, (mss - Tipc.INT_H_SIZE) / Tipc.ITEM_SIZE);
        List<byte[]> r = new ArrayList<>(total / per + 1);
        for (int first = 0; first < total; first += per) {
            int n = Math.min(per, total - first);
            List<PublicationItem> items = new ArrayList<>(n);
            for (int i = 0; i < n; i++) items.add(item.apply(first + i));
            DistrMessage dm = new DistrMessage(Tipc.PUBLICATION, orig, dest, true, false, true, 0, true, items);
            byte[] b = new byte[dm.encodedSize()];
            dm.encode(b, 0);
            r.add(b);
        }
        return r;
    }

    // ------------------------------------------------------------------ hooks on the attacker's own core

    /** The attacker core's link to {@code peer} (the target), null if none. */
    public static Link linkTo(NodeCore attacker, int peer) {
        Node n = attacker.peer(peer);
        return n == null ? null : n.link();
    }

    /** The attacker link's next sequence number to send. */
    public static int sndNxt(Link l) {
        return l.sndNxt();
    }

    /**
     * Whether the attacker's link can take one more message without queuing behind its window: the injection loops
     * pace themselves with this (the target acknowledges as it processes).
     */
    public static boolean hasRoom(Link l) {
        return l.isUp() && l.transmitQueueLength() < l.window() && l.backlogLength() == 0;
    }

    /**
     * Sends {@code msg} (a whole TIPC message, at most the link's MSS) on the attacker's link as the core's own traffic
     * (link.c tipc_link_xmit): it gets the next seqno and current acks, is retransmitted on NACK.
     *
     * @return 0, {@link Errno#ELINKCONG} or {@link Errno#ENOBUFS} as {@code Link.xmit}
     */
    public static int inject(Link l, byte[] msg, long now, Outbox out) {
        return l.xmit(msg, msg.length, now, out);
    }

    // ------------------------------------------------------------------ console/log checks (e)

    /**
     * The first raw control character in {@code s} (C0 below 0x20, DEL 0x7f, C1 0x80-0x9f), or -1: a peer's string
     * escaped for a log or console has none.
     */
    public static int controlCharAt(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) return i;
        }
        return -1;
    }
}
