package io.jtipc.capture.analysis;

import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds small classic-pcap files of TIPC-over-Ethernet frames for cases the real captures do not show
 * (retransmissions, NACKs, gap-ACK blocks). Headers are written with the wire module's flyweight.
 */
final class SyntheticCapture {
    static final byte[] MAC_A = {0x52, 0x54, 0, 0, 0, 0x0a};
    static final byte[] MAC_B = {0x52, 0x54, 0, 0, 0, 0x0b};
    static final int NODE_A = 0x1d1d1248;
    static final int NODE_B = 0x0d030d48;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private long micros = 1_000_000;

    /** Linux cooked capture (LINKTYPE_LINUX_SLL, 113: {@code tcpdump -i any}): the sender's MAC only. */
    static final int LINKTYPE_SLL = 113;
    private final boolean sll;

    SyntheticCapture() {
        this(1);
    }

    /** A capture of link type 1 (Ethernet) or {@link #LINKTYPE_SLL}. */
    SyntheticCapture(int linkType) {
        sll = linkType == LINKTYPE_SLL;
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(linkType);
        out.writeBytes(h.array());
    }

    /** A 40-byte-header message from A (fromA) or B with the given user/type; returns it for more fields. */
    TipcMsg msg(int user, int type, int dataLen) {
        byte[] b = new byte[40 + dataLen];
        TipcMsg m = new TipcMsg().wrap(b, 0, b.length);
        m.setVersion(2).setUser(user).setHdrSize(40).setSize(b.length).setType(type);
        return m;
    }

    void send(boolean fromA, TipcMsg m) {
        send(fromA ? 0 : 1, fromA ? 1 : 0, m);
    }

    /** Node i (0 = A, 1 = B, 2 = C ...): MAC 52:54:00:00:00:0a+i, address NODE_A/NODE_B/0x01001000+i. */
    static int node(int i) {
        return i == 0 ? NODE_A : i == 1 ? NODE_B : 0x01001000 + i;
    }

    static byte[] mac(int i) {
        return new byte[] {0x52, 0x54, 0, 0, 0, (byte) (0x0a + i)};
    }

    /** Sends {@code m} from node {@code from} to node {@code to} over Ethernet. */
    void send(int from, int to, TipcMsg m) {
        m.setPrevnode(node(from)).setOrignode(node(from)).setDestnode(node(to));
        frame(from, mac(to), m);
    }

    /** Sends {@code m} as it is from node {@code from}'s MAC to {@code dstMac} (ff:ff:ff:ff:ff:ff: broadcast). */
    void frame(int from, byte[] dstMac, TipcMsg m) {
        byte[] tipc = m.buffer();
        int ll = sll ? 16 : 14;
        ByteBuffer rec = ByteBuffer.allocate(16 + ll + tipc.length).order(ByteOrder.LITTLE_ENDIAN);
        micros += 1000;
        int len = ll + tipc.length;
        rec.putInt((int) (micros / 1_000_000)).putInt((int) (micros % 1_000_000)).putInt(len).putInt(len);
        rec.order(ByteOrder.BIG_ENDIAN);
        if (sll) {
            // packet type 4 (outgoing), ARPHRD_ETHER, 6-byte sender address padded to 8, protocol
            rec.putShort((short) 4).putShort((short) 1).putShort((short) 6).put(mac(from)).putShort((short) 0);
            rec.putShort((short) 0x88CA).put(tipc);
        } else {
            rec.put(dstMac).put(mac(from)).putShort((short) 0x88CA).put(tipc);
        }
        out.writeBytes(rec.array());
    }

    /** RESET/ACTIVATE between any two nodes. */
    void establish(int from, int to, int type, int session) {
        TipcMsg m = msg(Tipc.LINK_PROTOCOL, type, 16);
        m.setSession(session).setMaxPkt(1500);
        System.arraycopy("eth0".getBytes(), 0, m.buffer(), 40, 4);
        send(from, to, m);
    }

    /** A NAME_DISTRIBUTOR item between any two nodes, sequenced with {@code seqno}. */
    void publish(int from, int to, int seqno, boolean withdraw, int type, int lower, int upper, int port) {
        TipcMsg m = msg(Tipc.NAME_DISTRIBUTOR, withdraw ? Tipc.WITHDRAWAL : Tipc.PUBLICATION, 20);
        m.setSeqno(seqno);
        ByteBuffer.wrap(m.buffer(), 40, 20).putInt(type).putInt(lower).putInt(upper).putInt(port).putInt(port + 1);
        send(from, to, m);
    }

    /** RESET or ACTIVATE with interface name "eth0". */
    void establish(boolean fromA, int type, int session, int mtu) {
        TipcMsg m = msg(Tipc.LINK_PROTOCOL, type, 16);
        m.setSession(session).setMaxPkt(mtu);
        byte[] name = "eth0".getBytes();
        System.arraycopy(name, 0, m.buffer(), 40, name.length);
        send(fromA, m);
    }

    /** STATE with ack, optional NACK gap, and a gap-ACK record with the given unicast blocks (ack, gap). */
    void state(boolean fromA, int session, int ack, int gap, boolean probe, int... ucBlocks) {
        int nBlocks = ucBlocks.length / 2;
        TipcMsg m = msg(Tipc.LINK_PROTOCOL, Tipc.STATE_MSG, 4 + 4 * nBlocks);
        m.setSession(session).setAck(ack).setSeqGap(gap).setProbe(probe ? 1 : 0);
        if (probe) m.setIsKeepalive(1);
        ByteBuffer d = ByteBuffer.wrap(m.buffer(), 40, 4 + 4 * nBlocks);
        d.putShort((short) (4 + 4 * nBlocks)).put((byte) nBlocks).put((byte) 0);
        for (int i = 0; i < nBlocks; i++) d.putShort((short) ucBlocks[2 * i]).putShort((short) ucBlocks[2 * i + 1]);
        send(fromA, m);
    }

    /** A sequenced data packet (DIRECT_MSG, 32 bytes of payload) with link seqno {@code seqno}. */
    void data(boolean fromA, int seqno) {
        byte[] b = new byte[32 + 32];
        TipcMsg m = new TipcMsg().wrap(b, 0, b.length);
        m.setVersion(2).setUser(Tipc.LOW_IMPORTANCE).setHdrSize(32).setSize(b.length).setType(Tipc.TIPC_DIRECT_MSG)
                .setSeqno(seqno);
        send(fromA, m);
    }

    /** A NAME_DISTRIBUTOR message with one item, sequenced on the link with {@code seqno}. */
    void publish(boolean fromA, int seqno, boolean withdraw, int type, int lower, int upper, int port) {
        TipcMsg m = msg(Tipc.NAME_DISTRIBUTOR, withdraw ? Tipc.WITHDRAWAL : Tipc.PUBLICATION, 20);
        m.setSeqno(seqno);
        ByteBuffer.wrap(m.buffer(), 40, 20).putInt(type).putInt(lower).putInt(upper).putInt(port).putInt(port + 1);
        send(fromA, m);
    }

    /**
     * A TUNNEL_PROTOCOL packet sequenced on the link with {@code seqno}: SYNCH_MSG as the kernel's enhanced form (the
     * bare 40-byte header, synch point in w9 msgcnt) or FAILOVER_MSG carrying one inner data packet (32-byte header,
     * 32 bytes of payload, inner seqno {@code inner}).
     */
    void tunnel(boolean fromA, int seqno, int type, int inner) {
        TipcMsg m;
        if (type == Tipc.SYNCH_MSG) {
            m = msg(Tipc.TUNNEL_PROTOCOL, type, 0);
            m.setMsgcnt(inner);
        } else {
            m = msg(Tipc.TUNNEL_PROTOCOL, type, 64);
            TipcMsg in = new TipcMsg().wrap(m.buffer(), 40, 64);
            in.setVersion(2).setUser(Tipc.LOW_IMPORTANCE).setHdrSize(32).setSize(64).setType(Tipc.TIPC_DIRECT_MSG)
                    .setSeqno(inner);
            in.setPrevnode(node(fromA ? 0 : 1)).setOrignode(node(fromA ? 0 : 1)).setDestnode(node(fromA ? 1 : 0));
            m.setMsgcnt(1);
        }
        m.setSeqno(seqno);
        send(fromA, m);
    }

    /**
     * A data message (DIRECT_MSG, 32-byte header, {@code dataLen} bytes of {@code fill}) split into {@code n} equal
     * MSG_FRAGMENTER packets with link seqnos {@code seqno}, {@code seqno + 1}, ...; only the fragments whose numbers
     * (1-based) are in {@code send} are put on the wire.
     */
    void fragmented(boolean fromA, int seqno, int dataLen, byte fill, int n, int... send) {
        fragmented(fromA ? 0 : 1, fromA ? 1 : 0, seqno, dataLen, fill, n, send);
    }

    /** {@link #fragmented(boolean, int, int, byte, int, int...)} from node {@code from} to node {@code to}. */
    void fragmented(int from, int to, int seqno, int dataLen, byte fill, int n, int... send) {
        byte[] inner = new byte[32 + dataLen];
        TipcMsg in = new TipcMsg().wrap(inner, 0, inner.length);
        in.setVersion(2).setUser(Tipc.LOW_IMPORTANCE).setHdrSize(32).setSize(inner.length).setType(Tipc.TIPC_DIRECT_MSG);
        in.setPrevnode(node(from)).setOrignode(node(from)).setDestnode(node(to));
        java.util.Arrays.fill(inner, 32, inner.length, fill);
        int piece = (inner.length + n - 1) / n;
        for (int no : send) {
            int off = (no - 1) * piece;
            int len = Math.min(piece, inner.length - off);
            TipcMsg f = msg(Tipc.MSG_FRAGMENTER, no == 1 ? Tipc.FIRST_FRAGMENT : no == n ? Tipc.LAST_FRAGMENT
                : Tipc.FRAGMENT, len);
            System.arraycopy(inner, off, f.buffer(), 40, len);
            f.setFragmNo(no).setSeqno(seqno + no - 1);
            send(from, to, f);
        }
    }

    Path write(Path dir, String name) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, out.toByteArray());
        return p;
    }
}
