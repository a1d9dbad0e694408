package io.jtipc.capture.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.jtipc.capture.CaptureSummary;
import io.jtipc.capture.DissectorOptions;
import io.jtipc.capture.TipcCaptureDissector;
import io.jtipc.wire.Tipc;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatsAnalysisTest {

    @Test
    void ethCountsPerUserAndTypeMatchARecountOfTheFrames() throws Exception {
        StatsAnalysis st = new StatsAnalysis();
        CaptureSummary s = Samples.dissect("eth-6.1.pcap", st);
        Map<Integer, Long> top = new HashMap<>();
        for (Samples.RawFrame f : Samples.rawEthernetTipc("eth-6.1.pcap")) {
            top.merge(((f.word(0) >>> 25) & 15) * 8 + (f.word(1) >>> 29), 1L, Long::sum);
        }
        Map<Integer, Long> ours = new HashMap<>();
        for (StatsAnalysis.Count c : st.counts()) {
            if (c.top() > 0) ours.put(c.user() * 8 + c.type(), c.top());
        }
        assertThat(ours).isEqualTo(top);
        assertThat(st.messages()).isEqualTo(s.messages());
        assertThat(st.tipcFrames()).isEqualTo(s.tipcFrames());
        assertThat(st.counts()).filteredOn(c -> c.user() == Tipc.LINK_PROTOCOL && c.type() == Tipc.STATE_MSG)
                .singleElement().satisfies(c -> assertThat(c.typeName()).isEqualTo("STATE_MSG"));
        assertThat(st.malformedTotal()).isZero();
        assertThat(st.encryptedFrames()).isZero();
        FileTotals t = FileTotals.of(Samples.file("eth-6.1.pcap"));
        assertThat(t.frames()).isEqualTo(s.frames()).isEqualTo(1218);
        assertThat(t.capturedBytes()).isEqualTo(Files.size(Samples.file("eth-6.1.pcap")) - 24 - 16 * 1218L);
        assertThat(st.format(t)).contains("Frames: 1218").contains("Malformed: 0");
    }

    @Test
    void encryptedFramesAreCountedWithAndWithoutTheKey() throws Exception {
        StatsAnalysis with = new StatsAnalysis();
        CaptureSummary s = Samples.dissect("udpcrypto-6.1.pcap", with);
        assertThat(with.encryptedFrames()).isEqualTo(s.encryptedFrames()).isPositive();
        assertThat(with.decryptedFrames()).isEqualTo(with.encryptedFrames());
        assertThat(with.undecryptedFrames()).isZero();

        StatsAnalysis without = new StatsAnalysis();
        new TipcCaptureDissector(DissectorOptions.defaults()).dissect(Samples.file("udpcrypto-6.1.pcap"), without);
        assertThat(without.undecryptedFrames()).isEqualTo(with.encryptedFrames());
        assertThat(without.decryptedFrames()).isZero();
        assertThat(without.messages()).isZero();
    }

    @Test
    void malformedFramesAreListedWithFieldAndReason(@TempDir Path tmp) throws Exception {
        SyntheticCapture c = new SyntheticCapture();
        c.data(true, 1);
        Path ok = c.write(tmp, "ok.pcap");
        byte[] b = Files.readAllBytes(ok);
        // corrupt the TIPC message size (w0 bits 16-0) to exceed the frame: 24 + 16 + 14 = offset of w0
        ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN).putShort(24 + 16 + 14 + 2, (short) 0x7fff);
        Path bad = Files.write(tmp.resolve("bad.pcap"), b);
        StatsAnalysis st = new StatsAnalysis();
        new TipcCaptureDissector(DissectorOptions.defaults()).dissect(bad, st);
        assertThat(st.malformedTotal()).isEqualTo(1);
        assertThat(st.malformed()).singleElement().satisfies(m -> {
            assertThat(m.frame()).isEqualTo(1);
            assertThat(m.field()).isNotBlank();
            assertThat(m.reason()).isNotBlank();
        });
        assertThat(st.format(null)).contains("Malformed: 1").contains("frame 1: ");
    }
}
