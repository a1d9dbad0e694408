package io.jtipc.bearer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** {@link LeadFaults} on a hand-driven clock: counts, reports, the pause after a receive error, log pacing. */
class LeadFaultsTest {
    final AtomicLong nanos = new AtomicLong(5_000_000_000L);
    final RecordingLogger log = new RecordingLogger();
    final List<String> lines = log.lines;
    final LeadFaults f = new LeadFaults("eth:test", log, nanos::get);

    @Test
    void aReceiveErrorIsReportedCountedAndPausesLeadingThenLeadingResumes() {
        List<IOException> reported = new ArrayList<>();
        assertThat(f.paused()).isFalse();
        f.receiveFailed(new IOException("interface vc is down"), reported::add);
        assertThat(reported).singleElement().satisfies(e -> assertThat(e).hasMessage("interface vc is down"));
        assertThat(f.receiveErrors()).isEqualTo(1);
        assertThat(f.paused()).as("paused right after").isTrue();
        nanos.addAndGet(19_000_000L);
        assertThat(f.paused()).as("for the backoff's first 20 ms").isTrue();
        nanos.addAndGet(1_000_000L);
        assertThat(f.paused()).as("then leading resumes").isFalse();
        // a second error at once doubles the pause; a frame read in between restarts it at 20 ms
        f.receiveFailed(new IOException("again"), reported::add);
        nanos.addAndGet(20_000_000L);
        assertThat(f.paused()).as("40 ms the second time").isTrue();
        nanos.addAndGet(20_000_000L);
        assertThat(f.paused()).isFalse();
        f.readOk();
        f.receiveFailed(new IOException("once more"), reported::add);
        nanos.addAndGet(20_000_000L);
        assertThat(f.paused()).isFalse();
        assertThat(f.receiveErrors()).isEqualTo(3);
        assertThat(reported).as("reports paced as the receive thread's (first at once, then per 10 s)").hasSize(1);
    }

    @Test
    void handlerFailuresAreAllCountedAndLoggedAtMostOncePer10s() {
        for (int i = 0; i < 1000; i++) {
            f.handlerFailed(new IllegalStateException("core bug " + i));
        }
        assertThat(f.handlerFailures()).isEqualTo(1000);
        assertThat(lines).as("one line, not one per frame").singleElement()
                .satisfies(l -> assertThat(l).startsWith("WARN frame handler of eth:test failed"));
        nanos.addAndGet(LeadFaults.LOG_INTERVAL_MS * 1_000_000L);
        f.handlerFailed(new IllegalStateException("later"));
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).contains("(999 more since the last line)");
        assertThat(f.paused()).as("a handler failure does not pause leading").isFalse();
    }
}
