package io.jtipc.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Golden frames extracted from the real kernel captures (samples/, see resources). */
class CaptureGoldenTest {

    static void assertRoundTrip(byte[] m, String what) {
        assertThat(TipcCodec.validate(m, 0, m.length)).as(what).isEqualTo(Malformation.OK);
        int size = new TipcMsg().wrap(m, 0, m.length).size();
        byte[] d = new byte[size + 7];
        Arrays.fill(d, (byte) 0x5a);
        assertThat(TipcCodec.reencode(m, 0, m.length, d, 7)).as(what).isEqualTo(size);
        assertThat(Bytes.hex(d, 7, size)).as(what).isEqualTo(Bytes.hex(m, 0, size));
        TestUtil.RecordingSink s = new TestUtil.RecordingSink();
        assertThat(TipcDescriber.describe(m, 0, m.length, s)).as(what).isEqualTo(Malformation.OK);
        assertThat(s.depth).isZero();
    }

    @Test
    void everyEthernetExcerptFrameValidatesDescribesAndReencodesExactly() throws Exception {
        List<TestUtil.Frame> frames = TestUtil.hexResource("eth-6.1-excerpt.hex");
        Set<String> kinds = new HashSet<>();
        for (TestUtil.Frame f : frames) {
            TipcMsg m = new TipcMsg().wrap(f.bytes(), 0, f.bytes().length);
            kinds.add(m.user() + "/" + m.type());
            assertRoundTrip(f.bytes(), "frame " + f.index());
        }
        // every user/type present in the capture
        assertThat(kinds).containsExactlyInAnyOrder("0/0", "0/2", "0/3", "0/5", "3/0", "5/0", "7/0", "7/1", "7/2",
            "8/2", "9/0", "9/1", "9/2", "9/3", "11/0", "11/1", "12/0", "12/1", "12/2", "13/0", "13/1", "13/2");
    }

    static TestUtil.RecordingSink describeFrame(int index) throws Exception {
        for (TestUtil.Frame f : TestUtil.hexResource("eth-6.1-excerpt.hex")) {
            if (f.index() == index) {
                TestUtil.RecordingSink s = new TestUtil.RecordingSink();
                TipcDescriber.describe(f.bytes(), 0, f.bytes().length, s);
                return s;
            }
        }
        throw new AssertionError("no frame " + index);
    }

    @Test
    void discoveryTrialFromCapture() throws Exception {
        TestUtil.RecordingSink s = describeFrame(11); // first DSC_TRIAL_MSG
        assertThat(s.get("user")).isEqualTo("13 (LINK_CONFIG)");
        assertThat(s.get("type")).isEqualTo("2 (DSC_TRIAL_MSG)");
        assertThat(s.num("hdr_sz")).isEqualTo(60);
        assertThat(s.num("non_seq")).isEqualTo(1);
        assertThat(s.num("size")).isEqualTo(76);
        assertThat(s.get("node_capabilities")).contains("NODE_ID128").contains("NAMED_BCAST");
        assertThat(s.num("node_capabilities")).isEqualTo(0xfff);
        assertThat(s.num("bc_netid")).isEqualTo(4711);
        assertThat(s.get("media_addr/media_type")).isEqualTo("1 (ETH)");
        assertThat(s.get("media_addr/eth_addr")).startsWith("52:54:00:00:00:0");
        String id = s.get("node_id");
        assertThat(id).isIn("srv-node", "cli-node");
        // trial address = hash of the node id
        assertThat(s.num("prevnode")).isEqualTo(NodeId.parse(id).hash() & 0xffffffffL);
    }

    @Test
    void linkStateWithGapAckRecordFromCapture() throws Exception {
        for (TestUtil.Frame f : TestUtil.hexResource("eth-6.1-excerpt.hex")) {
            TipcMsg m = new TipcMsg().wrap(f.bytes(), 0, f.bytes().length);
            if (m.user() == Tipc.LINK_PROTOCOL && m.type() == Tipc.STATE_MSG) {
                TestUtil.RecordingSink s = new TestUtil.RecordingSink();
                TipcDescriber.describe(f.bytes(), 0, f.bytes().length, s);
                assertThat(s.num("gap_ack_blocks/len")).isEqualTo(4 + 4 * (s.num("gap_ack_blocks/ugack_cnt") + s.num("gap_ack_blocks/bgack_cnt")));
                assertThat(s.values).containsKeys("session", "net_plane", "probe", "is_keepalive", "seq_gap",
                    "bcast_ack", "ack", "seqno", "last_bcast", "next_sent", "bc_gap", "max_pkt", "link_tolerance");
                assertThat(s.get("net_plane")).endsWith("(A)");
            }
            if (m.user() == Tipc.LINK_PROTOCOL && m.type() == Tipc.RESET_MSG) {
                TestUtil.RecordingSink s = new TestUtil.RecordingSink();
                TipcDescriber.describe(f.bytes(), 0, f.bytes().length, s);
                assertThat(s.get("if_name")).isEqualTo("eth0");
                assertThat(s.num("max_pkt")).isEqualTo(1500);
            }
            if (m.user() == Tipc.NAME_DISTRIBUTOR) {
                TestUtil.RecordingSink s = new TestUtil.RecordingSink();
                TipcDescriber.describe(f.bytes(), 0, f.bytes().length, s);
                assertThat(s.values).containsKeys("is_bulk", "is_last_bulk", "is_legacy", "named_seqno", "item[0]/type",
                    "item[0]/lower", "item[0]/upper", "item[0]/port", "item[0]/key");
                assertThat(s.num("is_legacy")).isZero();
            }
        }
    }

    @Test
    void encryptedUdpFramesFromCapture() throws Exception {
        Set<String> inner = new HashSet<>();
        for (TestUtil.Frame f : TestUtil.hexResource("udpcrypto-6.1-excerpt.hex")) {
            byte[] b = f.bytes();
            assertThat(EncryptionHeader.isEncrypted(b, 0, b.length)).isTrue();
            EncryptionHeader e = new EncryptionHeader().wrap(b, 0, b.length);
            assertThat(e.validate()).isEqualTo(Malformation.OK);
            assertThat(e.version()).isEqualTo(7);
            assertThat(e.txKey()).isZero();
            assertThat(e.masterKey()).isEqualTo(1);
            byte[] d = new byte[b.length];
            assertThat(EncryptionHeader.reencode(b, 0, b.length, d, 0)).isEqualTo(b.length);
            assertThat(d).isEqualTo(b);
            TestUtil.RecordingSink s = new TestUtil.RecordingSink();
            assertThat(e.describe(s)).isEqualTo(Malformation.OK);
            assertThat(s.num("seqno")).isEqualTo(e.seqno());
            // the plaintext framing is rejected with a precise reason
            assertThat(TipcCodec.validate(b, 0, b.length).field()).isEqualTo("version");
            byte[] p = TestUtil.decrypt(b);
            TipcMsg m = new TipcMsg().wrap(p, 0, p.length);
            inner.add(m.user() + "/" + m.type());
            CaptureGoldenTest.assertRoundTrip(p, "udp frame " + f.index());
            if (e.user() == Tipc.LINK_CONFIG) {
                assertThat(s.get("node_id")).isIn("srv-node", "cli-node");
                assertThat(m.user()).isEqualTo(Tipc.LINK_CONFIG);
                TestUtil.RecordingSink ms = new TestUtil.RecordingSink();
                TipcDescriber.describe(p, 0, p.length, ms);
                assertThat(ms.get("media_addr/media_type")).isEqualTo("3 (UDP)");
                assertThat(ms.get("media_addr/proto")).isEqualTo("2048 (IPv4)");
                assertThat(ms.num("media_addr/port")).isEqualTo(6118);
                assertThat(ms.get("media_addr/ip")).startsWith("169.254.10.");
                assertThat(ms.get("node_id")).isEqualTo(s.get("node_id"));
            } else {
                assertThat(e.addr()).isEqualTo(m.prevnode());
            }
            if (e.user() == Tipc.LINK_PROTOCOL) {
                assertThat(m.user()).isEqualTo(Tipc.LINK_PROTOCOL);
                assertThat(m.type()).isEqualTo(Tipc.STATE_MSG);
                assertThat(e.keepalive()).isEqualTo(m.isKeepalive());
            }
        }
        assertThat(inner).containsExactlyInAnyOrder("0/0", "0/2", "0/3", "0/5", "3/0", "5/0", "7/0", "7/1", "7/2",
            "8/2", "9/0", "9/1", "9/2", "9/3", "11/0", "11/1", "13/0", "13/1", "13/2");
    }
}
