package io.jtipc.capture;

import io.jtipc.capture.analysis.StatsAnalysis;
import io.jtipc.capture.filter.DisplayFilter;
import io.jtipc.capture.filter.FieldRecord;
import io.jtipc.wire.DistrItem;
import io.jtipc.wire.GapAckBlocks;
import io.jtipc.wire.MonitorDomain;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static io.jtipc.capture.CaptureFiles.MAC_A;
import static io.jtipc.capture.CaptureFiles.MAC_B;
import static io.jtipc.capture.CaptureFiles.eth;
import static io.jtipc.capture.CaptureFiles.pcap;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Frames the kernel (Linux 6.1) accepts although its own sender would not build them are reported through
 * {@link TipcMessageListener#onWarning}, counted in {@link CaptureSummary#warnings()} and not in {@code malformed};
 * the capture stays {@link CaptureSummary#clean() clean} and the frame is dissected fully. What the kernel refuses
 * stays malformed. Frames built with the wire module's flyweights.
 */
class KernelAcceptedWarningsTest {
    static final int A = 0x1001001, B = 0x1001002;

    static final class Rec implements TipcMessageListener {
        final List<CapturedMessage> msgs = new ArrayList<>();
        final List<String> bad = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();
        final List<FieldRecord> records = new ArrayList<>();

        @Override public void onMessage(CapturedMessage m) {
            msgs.add(m.copy());
            records.add(FieldRecord.ofMessage(m));
        }

        @Override public void onMalformed(CapturedFrame f, String field, String reason) {
            bad.add(f.frameNumber() + " " + field + ": " + reason);
            records.add(FieldRecord.ofMalformed(f, field, reason));
        }

        @Override public void onWarning(CapturedFrame f, String field, String reason) {
            warnings.add(f.frameNumber() + " " + field + ": " + reason);
            records.add(FieldRecord.ofWarning(f, field, reason));
        }
    }

    static CaptureSummary run(Rec r, byte[]... tipc) throws IOException {
        List<byte[]> frames = new ArrayList<>();
        for (byte[] t : tipc) frames.add(eth(MAC_B, MAC_A, 0x88ca, t));
        return new TipcCaptureDissector(DissectorOptions.defaults())
                .dissect(new ByteArrayInputStream(pcap(1, frames)), r);
    }

    static TipcMsg header(byte[] b, int user, int type, int hs) {
        return new TipcMsg().wrap(b, 0, b.length).setVersion(2).setUser(user).setType(type).setHdrSize(hs)
                .setSize(b.length).setPrevnode(A).setOrignode(A).setDestnode(B);
    }

    /** A STATE whose gap ACK record is {@code glen} bytes long (one unicast block) with a 2-member domain record after it. */
    static byte[] state(int glen) {
        int dl = 16 + 4 * 2;
        byte[] b = new byte[40 + glen + dl];
        header(b, Tipc.LINK_PROTOCOL, Tipc.STATE_MSG, 40).setSession(7).setSeqno(3).setAck(2);
        new GapAckBlocks().wrap(b, 40, glen + dl).setLen(glen).setUgackCnt(1).setBgackCnt(0).setAck(0, 9).setGap(0, 2);
        new MonitorDomain().wrap(b, 40 + glen, dl).setLen(dl).setGen(1).setAckGen(1).setMemberCnt(2).setUpMap(3L)
                .setMember(0, A).setMember(1, B);
        return b;
    }

    /** A NAME_DISTRIBUTOR PUBLICATION with {@code items} distr_items and {@code extra} bytes after them. */
    static byte[] publication(int items, int extra) {
        byte[] b = new byte[40 + Tipc.ITEM_SIZE * items + extra];
        header(b, Tipc.NAME_DISTRIBUTOR, Tipc.PUBLICATION, 40);
        for (int i = 0; i < items; i++) {
            new DistrItem().wrap(b, 40 + Tipc.ITEM_SIZE * i).setType(4000 + i).setLower(1).setUpper(2).setPort(3 + i)
                    .setKey(5);
        }
        return b;
    }

    /** A bundle of {@code inner} (each but the last padded to 4 bytes, as tipc_msg_bundle) whose msgcnt says {@code msgcnt}. */
    static byte[] bundle(int msgcnt, byte[]... inner) {
        int n = 0;
        for (byte[] m : inner) n = ((n + 3) & ~3) + m.length;
        byte[] b = new byte[40 + n];
        header(b, Tipc.MSG_BUNDLER, 0, 40).setMsgcnt(msgcnt).setSeqno(5);
        int p = 0;
        for (byte[] m : inner) {
            p = (p + 3) & ~3;
            System.arraycopy(m, 0, b, 40 + p, m.length);
            p += m.length;
        }
        return b;
    }

    static boolean matches(String filter, FieldRecord r) {
        return DisplayFilter.parse(filter).matches(r);
    }

    @Test
    void gapAckLenMatchingNoLayoutIsAWarningAndTheStateIsDissectedFully() throws IOException {
        Rec r = new Rec();
        CaptureSummary s = run(r, state(12)); // 12 is neither 4 + 4 x (1 + 0) nor 4 + 4 x 1, and fits the 36 data bytes
        assertThat(r.warnings).containsExactly(
                "1 tipc.gap_ack_blocks: len 12 != 4 + 4 x (ugack_cnt 1 + bgack_cnt 0): the kernel ignores the gap ACK blocks");
        assertThat(r.bad).isEmpty();
        assertThat(s.malformed()).isZero();
        assertThat(s.warnings()).isEqualTo(1);
        assertThat(s.clean()).isTrue();
        assertThat(r.msgs).singleElement().satisfies(m -> assertThat(m.type()).isEqualTo(Tipc.STATE_MSG));
        // the message's own record: the domain record after the ignored blocks is read, a warning and no malformation
        FieldRecord msg = r.records.get(0);
        assertThat(msg.values()).extracting(FieldRecord.Value::path)
                .contains("gap_ack_blocks.len", "domain_record.member_cnt", "warning.field", "warning.reason")
                .doesNotContain("malformed.field", "gap_ack_blocks.gap_ack.ack");
        assertThat(matches("warning", msg)).isTrue();
        assertThat(matches("malformed", msg)).isFalse();
        FieldRecord w = r.records.get(1);
        assertThat(matches("warning.field == tipc.gap_ack_blocks", w)).isTrue();
        assertThat(matches("warning.reason contains \"ignores the gap ACK blocks\"", w)).isTrue();
        assertThat(matches("malformed", w)).isFalse();
    }

    @Test
    void gapAckLenBeyondTheDataSizeStaysMalformed() throws IOException {
        byte[] b = state(8); // the right layout; then a len beyond the 32 data bytes: tipc_link_proto_rcv drops the STATE
        new GapAckBlocks().wrap(b, 40, b.length - 40).setLen(36);
        Rec r = new Rec();
        CaptureSummary s = run(r, b);
        assertThat(r.bad).containsExactly("1 tipc.gap_ack_blocks: len 36 > data size 32");
        assertThat(r.warnings).isEmpty();
        assertThat(s.malformed()).isEqualTo(1);
        assertThat(s.warnings()).isZero();
        assertThat(s.clean()).isFalse();
        assertThat(matches("malformed", r.records.get(0))).isTrue();
        assertThat(matches("warning", r.records.get(0))).isFalse();
    }

    @Test
    void nameDistributorTrailingBytesAreAWarningAndTheItemsAreRead() throws IOException {
        Rec r = new Rec();
        CaptureSummary s = run(r, publication(2, 10), publication(1, 0));
        assertThat(r.warnings).containsExactly("1 tipc.data: data size 50 is not a multiple of 20 (distr_item):"
                + " the kernel reads 2 items and ignores 10 trailing bytes");
        assertThat(r.bad).isEmpty();
        assertThat(s.malformed()).isZero();
        assertThat(s.warnings()).isEqualTo(1);
        assertThat(s.clean()).isTrue();
        assertThat(r.msgs).hasSize(2);
        assertThat(r.records.get(0).values()).filteredOn(v -> v.path().equals("item.type"))
                .extracting(FieldRecord.Value::number).containsExactly(4000L, 4001L);
    }

    @Test
    void bundleMsgcntIsAWarningAndEveryInnerMessageIsReported() throws IOException {
        byte[] inner1 = publication(1, 10); // 70 bytes: its own warning, under the bundle path
        byte[] inner2 = publication(1, 0);
        Rec r = new Rec();
        CaptureSummary s = run(r, bundle(5, inner1, inner2));
        assertThat(r.msgs).extracting(CapturedMessage::origin).containsExactly(Origin.TOP, Origin.BUNDLED, Origin.BUNDLED);
        assertThat(r.msgs.get(1).buf()).isEqualTo(inner1);
        assertThat(r.msgs.get(2).buf()).isEqualTo(inner2);
        assertThat(r.warnings).containsExactly(
                "1 bundle[0].data: data size 30 is not a multiple of 20 (distr_item): the kernel reads 1 item and ignores 10 trailing bytes",
                "1 tipc.msgcnt: msgcnt 5 but 2 messages in bundle: the kernel extracts by inner sizes and ignores msgcnt");
        assertThat(r.bad).isEmpty();
        assertThat(s.malformed()).isZero();
        assertThat(s.warnings()).isEqualTo(2);
        assertThat(s.clean()).isTrue();

        // the right msgcnt: nothing to say about the bundle itself
        r = new Rec();
        s = run(r, bundle(2, inner2, inner2));
        assertThat(r.warnings).isEmpty();
        assertThat(s.warnings()).isZero();
    }

    @Test
    void statsCountWarningsApartFromMalformations() throws IOException {
        StatsAnalysis st = new StatsAnalysis();
        byte[] tooLong = state(8);
        new GapAckBlocks().wrap(tooLong, 40, tooLong.length - 40).setLen(200);
        List<byte[]> frames = new ArrayList<>();
        for (byte[] t : List.of(state(12), publication(2, 10), tooLong)) frames.add(eth(MAC_B, MAC_A, 0x88ca, t));
        CaptureSummary s = new TipcCaptureDissector(DissectorOptions.defaults())
                .dissect(new ByteArrayInputStream(pcap(1, frames)), st);
        assertThat(s.warnings()).isEqualTo(2);
        assertThat(s.malformed()).isEqualTo(1);
        assertThat(st.warningsTotal()).isEqualTo(2);
        assertThat(st.malformedTotal()).isEqualTo(1);
        assertThat(st.warningsByReason()).hasSize(2);
        assertThat(st.format(null)).contains("Malformed: 1").contains("Warnings (accepted by the kernel, not malformed): 2")
                .contains("the kernel ignores the gap ACK blocks");
    }

    @Test
    void theOldSummaryConstructorMeansNoWarnings() {
        CaptureSummary s = new CaptureSummary(1, 1, 1, 0, 0, 0, 0, 0, null, 0, -1);
        assertThat(s.warnings()).isZero();
        assertThat(s.clean()).isTrue();
        assertThat(new CaptureSummary(1, 1, 1, 0, 0, 0, 0, 0, null, 0, -1, 9).clean()).isTrue();
    }
}
