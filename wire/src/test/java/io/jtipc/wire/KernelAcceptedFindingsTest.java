package io.jtipc.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Findings the kernel (Linux 6.1, the specification) accepts are warnings, not errors: a gap ACK record whose len
 * matches no layout but fits (net/tipc/link.c tipc_get_gap_ack_blks ignores the blocks), NAME_DISTRIBUTOR data not a
 * multiple of 20 bytes (net/tipc/name_distr.c tipc_named_rcv applies the whole items), a bundle whose msgcnt or tail
 * disagrees with its contents (net/tipc/msg.c tipc_msg_extract walks by inner sizes). What the kernel refuses stays
 * an error. The single-result entry points keep their old answer (the first finding, now flagged as a warning), so
 * {@code isOk()} callers such as the node's link code decide as before.
 */
class KernelAcceptedFindingsTest {

    /** A STATE whose gap ACK record has {@code glen} bytes (ugack_cnt 1, bgack_cnt 0) and a valid 2-member domain record after it. */
    static byte[] state(int glen) {
        int dl = 16 + 4 * 2;
        byte[] b = new byte[40 + glen + dl];
        BodiesTest.msg(b, Tipc.LINK_PROTOCOL, Tipc.STATE_MSG, 40, b.length).setSession(1).setPrevnode(1).setOrignode(1);
        new GapAckBlocks().wrap(b, 40, glen + dl).setLen(glen).setUgackCnt(1).setBgackCnt(0).setAck(0, 9).setGap(0, 2);
        new MonitorDomain().wrap(b, 40 + glen, dl).setLen(dl).setGen(3).setAckGen(2).setMemberCnt(2).setUpMap(3L)
            .setMember(0, 0x1001001).setMember(1, 0x1001002);
        return b;
    }

    @Test
    void gapAckLenMatchingNoLayoutIsAWarningAndTheStateIsStillRead() {
        byte[] b = state(12); // 4 + 4 x 1 = 8 would be the layout; 12 fits in the data area
        GapAckBlocks g = new GapAckBlocks().wrap(b, 40, b.length - 40);
        Malformation gm = g.validate();
        assertThat(gm.isWarning()).isTrue();
        assertThat(gm.isOk()).as("not OK: the blocks are not used, as the kernel ignores them").isFalse();
        assertThat(gm.field()).isEqualTo("gap_ack_blocks");
        assertThat(gm.reason()).isEqualTo("len 12 != 4 + 4 x (ugack_cnt 1 + bgack_cnt 0): the kernel ignores the gap ACK blocks");
        assertThat(g.blockCount()).isZero();
        // the single-result contract: the first finding, as before
        assertThat(TipcCodec.validate(b, 0, b.length)).isEqualTo(gm);
        // kept apart: OK, one warning, and the monitor record at data + len is checked and described
        List<Malformation> w = new ArrayList<>();
        assertThat(TipcCodec.validate(b, 0, b.length, w::add)).isEqualTo(Malformation.OK);
        assertThat(w).containsExactly(gm);
        w.clear();
        assertThat(new TipcCodec.Validator().validate(b, 0, b.length, w::add)).isEqualTo(Malformation.OK);
        assertThat(w).containsExactly(gm);
        TestUtil.RecordingSink s = new TestUtil.RecordingSink();
        w.clear();
        assertThat(TipcDescriber.describe(b, 0, b.length, s, w::add)).isEqualTo(Malformation.OK);
        assertThat(w).containsExactly(gm);
        assertThat(s.depth).isZero();
        assertThat(s.num("gap_ack_blocks/len")).isEqualTo(12);
        assertThat(s.values).doesNotContainKey("gap_ack_blocks/gap_ack[0]/ack"); // ignored, not shown as used
        assertThat(s.get("gap_ack_blocks/data")).isEqualTo("0009000200000000"); // bytes 4-11, as on the wire
        assertThat(s.num("domain_record/member_cnt")).isEqualTo(2);
        byte[] copy = new byte[b.length];
        assertThat(TipcCodec.reencode(b, 0, b.length, copy, 0)).isEqualTo(b.length);
        assertThat(copy).isEqualTo(b); // every byte still accounted for

        // the monitor record after the ignored blocks is still read (at data + len), and one that fails the kernel's
        // checks is a warning too: monitor.c tipc_mon_rcv ignores it and the STATE is processed all the same
        new MonitorDomain().wrap(b, 40 + 12, b.length - 52).setMemberCnt(3);
        w.clear();
        assertThat(TipcCodec.validate(b, 0, b.length, w::add)).isEqualTo(Malformation.OK);
        assertThat(w).hasSize(2).first().isEqualTo(gm);
        assertThat(w.get(1).field()).isEqualTo("domain_record");
        assertThat(w.get(1).isWarning()).isTrue();
        assertThat(w.get(1).reason()).endsWith("the kernel ignores the domain record");
        assertThat(TipcCodec.validate(b, 0, b.length)).as("single result: the first finding").isEqualTo(gm);
    }

    @Test
    void gapAckLenBeyondTheDataSizeStaysAnError() {
        byte[] b = state(8);
        new GapAckBlocks().wrap(b, 40, b.length - 40).setLen(b.length - 40 + 4); // link.c tipc_link_proto_rcv drops it
        List<Malformation> w = new ArrayList<>();
        Malformation m = TipcCodec.validate(b, 0, b.length, w::add);
        assertThat(m).isEqualTo(Malformation.of("gap_ack_blocks", "len 36 > data size 32"));
        assertThat(m.isWarning()).isFalse();
        assertThat(w).isEmpty();
        // the well-formed record: nothing at all
        assertThat(TipcCodec.validate(state(8), 0, b.length, w::add)).isEqualTo(Malformation.OK);
        assertThat(w).isEmpty();
    }

    @Test
    void nameDistributorTrailingBytesAreAWarningNamingWhatTheKernelReads() {
        byte[] b = new byte[40 + 50];
        BodiesTest.msg(b, Tipc.NAME_DISTRIBUTOR, Tipc.PUBLICATION, 40, b.length).setOrignode(0x1001001);
        new DistrItem().wrap(b, 40).setType(4000).setLower(1).setUpper(2).setPort(3).setKey(4);
        new DistrItem().wrap(b, 60).setType(4001).setLower(5).setUpper(6).setPort(7).setKey(8);
        Malformation expected = Malformation.warning("data",
            "data size 50 is not a multiple of 20 (distr_item): the kernel reads 2 items and ignores 10 trailing bytes");
        assertThat(TipcCodec.validate(b, 0, b.length)).isEqualTo(expected);
        List<Malformation> w = new ArrayList<>();
        TestUtil.RecordingSink s = new TestUtil.RecordingSink();
        assertThat(TipcDescriber.describe(b, 0, b.length, s, w::add)).isEqualTo(Malformation.OK);
        assertThat(w).containsExactly(expected);
        assertThat(s.num("item[1]/type")).isEqualTo(4001);
        assertThat(s.values).containsKey("data_extra").doesNotContainKey("item[2]/type");

        byte[] one = java.util.Arrays.copyOf(b, 40 + 30);
        new TipcMsg().wrap(one, 0, one.length).setSize(one.length);
        w.clear();
        assertThat(TipcCodec.validate(one, 0, one.length, w::add)).isEqualTo(Malformation.OK);
        assertThat(w).singleElement().satisfies(x -> assertThat(x.reason()).endsWith("the kernel reads 1 item and ignores 10 trailing bytes"));
    }

    /** A bundle of two messages (27 and 32 bytes; the first padded to 28) and {@code tail} bytes after them. */
    static byte[] bundle(int msgcnt, int tail) {
        byte[] a = BodiesTest.innerData(3);
        byte[] c = BodiesTest.innerData(8);
        byte[] b = new byte[40 + 28 + 32 + tail];
        BodiesTest.msg(b, Tipc.MSG_BUNDLER, 0, 40, b.length).setMsgcnt(msgcnt);
        System.arraycopy(a, 0, b, 40, a.length);
        System.arraycopy(c, 0, b, 68, c.length);
        return b;
    }

    static int walk(BundleCursor c) {
        int n = 0;
        while (c.next()) n++;
        return n;
    }

    @Test
    void bundleMsgcntAndTailAreWarningsAndEveryMessageIsWalked() {
        BundleCursor c = new BundleCursor();
        Malformation cnt = Malformation.warning("msgcnt",
            "msgcnt 5 but 2 messages in bundle: the kernel extracts by inner sizes and ignores msgcnt");
        assertThat(walk(c.wrap(bundle(5, 0), 0, 100))).isEqualTo(2);
        assertThat(c.error()).isEqualTo(Malformation.OK);
        assertThat(c.warningCount()).isEqualTo(1);
        assertThat(c.warning(0)).isEqualTo(cnt);
        assertThat(c.malformation()).isEqualTo(cnt); // the old single result, now flagged

        byte[] tail = bundle(2, 8);
        assertThat(walk(c.wrap(tail, 0, tail.length))).isEqualTo(2);
        assertThat(c.error()).isEqualTo(Malformation.OK);
        assertThat(c.warningCount()).isEqualTo(1);
        assertThat(c.warning(0)).isEqualTo(Malformation.warning("data", "8 trailing bytes after last bundled message:"
            + " the kernel stops when fewer than 24 bytes remain and ignores them"));

        byte[] both = bundle(0, 20);
        assertThat(walk(c.wrap(both, 0, both.length))).isEqualTo(2);
        assertThat(c.warningCount()).isEqualTo(2);
        assertThat(c.warning(0).field()).isEqualTo("msgcnt");
        assertThat(c.warning(1).field()).isEqualTo("data");
        List<Malformation> w = new ArrayList<>();
        assertThat(TipcCodec.validate(both, 0, both.length, w::add)).isEqualTo(Malformation.OK);
        assertThat(w).containsExactly(c.warning(0), c.warning(1));
        assertThat(TipcCodec.validate(both, 0, both.length)).isEqualTo(c.warning(0));

        // what tipc_msg_extract refuses stays an error, and no warning is made up after it
        byte[] lie = bundle(7, 0);
        new TipcMsg().wrap(lie, 68, 32).setSize(100);
        assertThat(walk(c.wrap(lie, 0, lie.length))).isEqualTo(1);
        assertThat(c.error()).isEqualTo(Malformation.of("msg[1].size", "inner msg_size 100 > 32 bytes left in bundle"));
        assertThat(c.error().isWarning()).isFalse();
        assertThat(c.warningCount()).isZero();
        w.clear();
        assertThat(TipcCodec.validate(lie, 0, lie.length, w::add).field()).isEqualTo("msg[1].size");
        assertThat(w).isEmpty();
        // a cursor reused after a warning starts clean
        byte[] good = bundle(2, 0);
        assertThat(walk(c.wrap(good, 0, good.length))).isEqualTo(2);
        assertThat(c.warningCount()).isZero();
        assertThat(c.malformation()).isEqualTo(Malformation.OK);
    }

    @Test
    void aWarningIsNeitherOkNorEqualToTheSameError() {
        Malformation w = Malformation.warning("f", "r");
        assertThat(w.isOk()).isFalse();
        assertThat(w.isWarning()).isTrue();
        assertThat(Malformation.of("f", "r").isWarning()).isFalse();
        assertThat(Malformation.OK.isWarning()).isFalse();
        assertThat(w).isNotEqualTo(Malformation.of("f", "r")).isEqualTo(Malformation.warning("f", "r"));
        assertThat(w.toString()).isEqualTo("warning f: r");
        assertThat(w.or(Malformation.of("g", "x"))).isSameAs(w);
    }
}
