package io.jtipc.lab;

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
    void reassemblyReportsAreExcusedOnlyByLateFragments() throws Exception {
        CaptureCheck.Report r = CaptureCheck.check(excerpt());
        if (r.reassemblyReports() > 0) {
            // the dissector still reassembles in capture order: strict mode must refuse the capture
            assertThatThrownBy(() -> r.requireClean(false)).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("tipc.reassembled");
        }
        assertThat(r.requireClean(true)).isSameAs(r);
        CaptureCheck.Report noLate = new CaptureCheck.Report(r.file(), r.summary(), r.messages(), r.malformed(),
                java.util.List.of());
        if (r.reassemblyReports() > 0) {
            assertThatThrownBy(() -> noLate.requireClean(true)).isInstanceOf(AssertionError.class);
        }
    }
}
