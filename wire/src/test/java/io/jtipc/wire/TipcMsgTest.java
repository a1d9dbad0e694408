package io.jtipc.wire;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TipcMsgTest {
    static byte[] hex(String s) {
        s = s.replaceAll("[^0-9a-fA-F]", "");
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        return b;
    }

    /** iproute2 str2nodeid: 17-32 characters are ASCII hex digits; another script's digits are refused. */
    @Test
    void aHexNodeIdTakesAsciiDigitsOnly() {
        assertThat(NodeId.parse("0123456789ABCDEF01").bytes()).isEqualTo(NodeId.parse("0123456789abcdef01").bytes());
        String arabicIndic = "\u0661".repeat(17); // Character.digit reads each as 1
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NodeId.parse(arabicIndic))
            .isInstanceOf(IllegalArgumentException.class);
    }

    /** A setter on a word beyond the wrapped length keeps that word's other bits (it read the word as 0). */
    @Test
    void settingBitsBeyondTheWrappedLengthKeepsTheOtherBits() {
        byte[] b = new byte[44];
        b[36] = 0x12;
        b[37] = 0x34; // w9 = 0x12340000: max_pkt of a LINK_PROTOCOL header
        new TipcMsg().wrap(b, 0, 24).setLinkTolerance(1500);
        TipcMsg full = new TipcMsg().wrap(b, 0, 44);
        assertThat(full.word(9)).isEqualTo(0x123405DC);
    }

    /** msg_set_importance takes 0-3 for a data user: 4 would have become the user ROUTE_DISTRIBUTOR. */
    @Test
    void anImportanceAboveCriticalIsRefusedForADataMessage() {
        byte[] b = new byte[40];
        TipcMsg m = new TipcMsg().wrap(b, 0, 40).setUser(0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.setImportance(4))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("importance 4");
        assertThat(m.user()).isZero();
        m.setImportance(3);
        assertThat(m.user()).isEqualTo(3);
        m.setUser(Tipc.MSG_BUNDLER).setImportance(5);
        assertThat(m.bits(9, 0, 7)).isEqualTo(5);
    }

    @Test
    void appendixAWord0Encodings() {
        byte[] b = new byte[76];
        TipcMsg m = new TipcMsg().wrap(b, 0, b.length);
        m.setVersion(2).setUser(Tipc.LINK_CONFIG).setHdrSize(60).setNonSeq(1).setSize(76);
        assertThat(m.word(0)).isEqualTo(0x5BF0004C);
        b = new byte[60];
        m.wrap(b, 0, 60).setVersion(2).setUser(Tipc.LINK_PROTOCOL).setHdrSize(40).setSize(40);
        assertThat(m.word(0)).isEqualTo(0x4F400028);
        m.setSize(44);
        assertThat(m.word(0)).isEqualTo(0x4F40002C);
        m.setSize(56);
        assertThat(m.word(0)).isEqualTo(0x4F400038);
        m.setWord(0, 0).setVersion(2).setUser(0).setHdrSize(24).setSize(124);
        assertThat(m.word(0)).isEqualTo(0x40C0007C);
        m.setWord(0, 0).setVersion(2).setUser(0).setHdrSize(40).setSyn(1).setSize(40);
        assertThat(m.word(0)).isEqualTo(0x41420028);
        // discovery w1: signature first, then capabilities over bit 15
        m.setWord(1, 0).setNodeSig(0x5a5a1234 & 0xffff).setNodeCapabilities(0xfff);
        assertThat(m.word(1)).isEqualTo(0x07FF9234);
        assertThat(m.nodeSig()).isEqualTo(0x9234);
    }

    @Test
    void discoveryExampleOfReference() {
        byte[] b = hex("5b f0 00 4c 07 ff 92 34 00 00 00 00 02 40 ac 11"
            + "00 00 12 67 00 00 00 01 02 42 ac 11 00 02 00 00"
            + "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
            + "00 00 00 00 5a 5a 12 34 00 00 00 00 02 42 ac 11"
            + "00 02 00 00 00 00 00 00 00 00 00 00");
        TipcMsg m = new TipcMsg().wrap(b, 0, b.length);
        assertThat(TipcCodec.validate(b, 0, b.length).isOk()).isTrue();
        assertThat(m.user()).isEqualTo(Tipc.LINK_CONFIG);
        assertThat(m.hdrSize()).isEqualTo(60);
        assertThat(m.nonSeq()).isEqualTo(1);
        assertThat(m.prevnode()).isEqualTo(0x0240ac11);
        assertThat(m.bcNetid()).isEqualTo(4711);
        assertThat(m.peerNetHash()).isEqualTo(0x5a5a1234);
        assertThat(m.nodeCapabilities()).isEqualTo(0xfff);
        assertThat(NodeId.hash(b, 60)).isEqualTo(0x0240ac11);
        assertThat(NodeId.toString(b, 60)).isEqualTo("0242ac110002");
        byte[] d = new byte[100];
        assertThat(TipcCodec.reencode(b, 0, b.length, d, 3)).isEqualTo(76);
        assertThat(java.util.Arrays.copyOfRange(d, 3, 79)).isEqualTo(b);
    }

    @Test
    void framingMalformations() {
        byte[] b = new byte[40];
        TipcMsg m = new TipcMsg().wrap(b, 0, 40);
        m.setVersion(2).setUser(0).setHdrSize(20).setSize(40);
        assertThat(TipcCodec.validate(b, 0, 40)).isEqualTo(Malformation.of("hdr_sz", "header size 20 < 24"));
        m.setHdrSize(24).setSize(1500);
        assertThat(TipcCodec.validate(b, 0, 40)).isEqualTo(Malformation.of("size", "msg_size 1500 > 40 bytes available"));
        m.setVersion(7);
        assertThat(TipcCodec.validate(b, 0, 40).field()).isEqualTo("version");
        assertThat(TipcCodec.validate(b, 0, 10).field()).isEqualTo("hdr_sz");
        assertThat(m.word(14)).isZero(); // beyond length reads 0, no exception
    }

    @Test
    void layoutCoversEveryBitOfEveryWord() {
        for (int user = 0; user < 16; user++) {
            for (int type = 0; type < 8; type++) {
                for (int hs = 24; hs <= 60; hs += 4) {
                    for (int ns = 0; ns < 2; ns++) {
                        HeaderField[] fs = HeaderLayout.of(user, type, hs, ns == 1);
                        int[] cover = new int[15];
                        for (HeaderField f : fs) cover[f.word()] |= f.rawMask();
                        boolean media = user == Tipc.LINK_CONFIG && hs == 60;
                        for (int w = 0; w < hs / 4; w++) {
                            if (media && w >= 5 && w <= 12) continue;
                            assertThat(cover[w]).as("user %d type %d hs %d w%d", user, type, hs, w).isEqualTo(-1);
                        }
                    }
                }
            }
        }
    }

    @Test
    void gettersReadExactlyTheDeclaredBits() {
        java.util.Random r = new java.util.Random(1);
        for (int user = 0; user < 16; user++) {
            for (int type = 0; type < 8; type++) {
                for (int hs : new int[] {24, 32, 40, 44, 60}) {
                    byte[] b = new byte[60];
                    r.nextBytes(b);
                    TipcMsg m = new TipcMsg().wrap(b, 0, 60).setUser(user).setType(type).setHdrSize(hs);
                    for (HeaderField f : HeaderLayout.of(m)) {
                        long raw = (m.word(f.word()) & (long) f.rawMask() & 0xffffffffL) >>> f.shift();
                        long expect = switch (f.name()) {
                            case "hdr_sz" -> raw * 4;
                            case "max_pkt" -> raw * 4;
                            case "is_legacy" -> raw ^ 1;
                            default -> raw;
                        };
                        assertThat(f.get(m)).as("%s user %d type %d", f, user, type).isEqualTo(expect);
                        // setter writes only its own bits
                        byte[] c = b.clone();
                        TipcMsg n = new TipcMsg().wrap(c, 0, 60);
                        f.set(n, f.get(m));
                        assertThat(c).as("%s", f).isEqualTo(b);
                    }
                }
            }
        }
    }

    @Test
    void toStringListsFields() {
        byte[] b = new byte[40];
        TipcMsg m = new TipcMsg().wrap(b, 0, 40).init(1, Tipc.LINK_PROTOCOL, Tipc.RESET_MSG, 40, 2).setMaxPkt(1500);
        assertThat(m.toString()).contains("user=7(LINK_PROTOCOL)", "type=1(RESET_MSG)", "max_pkt=1500", "destnode=2(2)");
        assertThat(new TipcMsg().wrap(b, 0, 2).toString()).isEqualTo("TipcMsg(2 bytes)");
        assertThat(new TipcMsg().toString()).isEqualTo("TipcMsg(unwrapped)");
    }

    @Test
    void seqnoArithmetic() {
        assertThat(Seqno.less(65535, 0)).isTrue();
        assertThat(Seqno.more(0, 65535)).isTrue();
        assertThat(Seqno.lessEq(5, 5)).isTrue();
        assertThat(Seqno.less(5, 5)).isFalse();
        assertThat(Seqno.less(0, 32767)).isTrue();
        assertThat(Seqno.less(0, 32768)).isFalse();
        assertThat(Seqno.mod(65537)).isEqualTo(1);
        assertThat(Seqno.distance(65530, 4)).isEqualTo(10);
        assertThat(Seqno.distance(4, 65530)).isEqualTo(-10);
    }

    @Test
    void nodeIdRules() {
        NodeId id = NodeId.of(hex("0242ac11000200000000000000000000"));
        assertThat(id.hash()).isEqualTo(0x0240ac11);
        assertThat(id.toString()).isEqualTo("0242ac110002");
        NodeId srv = NodeId.parse("srv-node");
        assertThat(srv.toString()).isEqualTo("srv-node");
        NodeId h = NodeId.of(hex("0102030405060708090a0b0c0d0e0f20"));
        assertThat(h.toString()).isEqualTo("0102030405060708090a0b0c0d0e0f2"); // trailing '0' nibble stripped
        assertThat(NodeId.parse("0102030405060708090a0b0c0d0e0f2")).isEqualTo(h);
        assertThat(NodeId.fromAddress(0x1001001).toString()).isEqualTo("1001001");
        byte[] zero = new byte[16];
        zero[0] = 0; zero[15] = 0;
        byte[] orCase = hex("00000001000000010000000000000000");
        assertThat(NodeId.hash(orCase, 0)).isEqualTo(1);
        assertThat(TipcAddr.toZcn(0x01001002)).isEqualTo("1.1.2");
        assertThat(TipcAddr.parse("1.1.2")).isEqualTo(0x01001002);
        assertThat(TipcAddr.parse("<1.1.2>")).isEqualTo(0x01001002);
        assertThat(TipcAddr.parse("0x1001002")).isEqualTo(0x01001002);
    }
}
