package io.jtipc.lab.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** CaptureCheck on a recorded lab capture (no root needed). */
class CaptureCheckTest {
    /**
     * Frames 600-660 of a 5.10 pair's capture: a STREAM message of 34024 bytes in 25 fragments from
     * n2 (52:54:00:4a:00:02); fragment 2 (link seqno 263) left n2 after the last one (seqno 286).
     */
    private static Path excerpt() throws Exception {
        return Path.of(CaptureCheckTest.class.getResource("/captures/reordered-fragment-5.10.pcap").toURI());
    }

    @Test
    void findsTheLateFragmentOfTheRecordedCapture() throws Exception {
        CaptureCheck.Report r = CaptureCheck.check(excerpt());
        assertThat(r.summary().frames()).isEqualTo(61);
        assertThat(r.lateFragments()).singleElement().asString()
                .startsWith("frame 46 ").contains("52:54:00:4a:00:02").contains("seqno 263 after 286");
    }

    @Test
    void theMessageWithTheLateFragmentIsReassembledInSeqnoOrder() throws Exception {
        CaptureCheck.Report r = CaptureCheck.check(excerpt());
        assertThat(r.requireClean()).isSameAs(r);
        assertThat(r.malformed()).isEmpty();
        // 61 frames, one of them carrying a fragment that completes the 34024-byte message
        assertThat(r.messages()).isEqualTo(62);
    }

    @Test
    void aCaptureWithMalformedReportsIsRefused() throws Exception {
        CaptureCheck.Report r = CaptureCheck.check(excerpt());
        CaptureCheck.Report bad = new CaptureCheck.Report(r.file(), r.summary(), r.messages(),
                java.util.List.of("frame 45 tipc.reassembled.size: message size 34024 exceeds the 32636 bytes present"),
                r.lateFragments());
        assertThatThrownBy(bad::requireClean).isInstanceOf(AssertionError.class)
                .hasMessageContaining("frame 45 tipc.reassembled.size").hasMessageContaining("seqno 263 after 286");
    }
}
