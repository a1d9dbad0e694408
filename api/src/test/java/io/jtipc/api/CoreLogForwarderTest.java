package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The core's log lines reach the logger, each kind at most once per interval, with the suppressed count after. */
class CoreLogForwarderTest {
    private long now = 5_000;
    private final List<String> out = new ArrayList<>();
    private final CoreLogForwarder f = new CoreLogForwarder(out::add, () -> now);

    @Test
    void kindsMaskNumbersAndIdsButKeepWords() {
        assertThat(CoreLogForwarder.kind("peer table full (4096), discovery from 1001234 ignored"))
                .isEqualTo(CoreLogForwarder.kind("peer table full (4096), discovery from 1001a9f ignored"))
                .isEqualTo("peer table full (#), discovery from # ignored");
        assertThat(CoreLogForwarder.kind("duplicate node address 1001001 used by deadbeefcafe0000deadbeefcafe0000"))
                .isEqualTo("duplicate node address # used by #");
        assertThat(CoreLogForwarder.kind("link a:u1-b:u1: fragment reassembly error X"))
                .isNotEqualTo(CoreLogForwarder.kind("link a:u1-c:u1: fragment reassembly error X"));
        assertThat(CoreLogForwarder.kind("decade added")).as("short hex-looking words stay").isEqualTo("decade added");
        assertThat(CoreLogForwarder.kind("x".repeat(500))).hasSize(CoreLogForwarder.KIND_MAX_CHARS);
    }

    @Test
    void eachKindPrintsAtMostOncePerIntervalThenWithTheSuppressedCount() {
        f.accept("peer table full (4096), discovery from 1001234 ignored");
        f.accept("peer table full (4096), discovery from 1001235 ignored");
        f.accept("duplicate address 1001001 on udp:u1");
        now += CoreLogForwarder.INTERVAL_MS - 1;
        f.accept("peer table full (4096), discovery from 1001236 ignored");
        assertThat(out).containsExactly("peer table full (4096), discovery from 1001234 ignored",
                "duplicate address 1001001 on udp:u1");
        now += 1;
        f.accept("peer table full (4096), discovery from 1001237 ignored");
        f.accept("peer table full (4096), discovery from 1001238 ignored");
        assertThat(out).hasSize(3).last().isEqualTo(
                "peer table full (4096), discovery from 1001237 ignored (2 more like this suppressed)");
        now += CoreLogForwarder.INTERVAL_MS;
        f.accept("peer table full (4096), discovery from 1001239 ignored");
        assertThat(out).last().isEqualTo(
                "peer table full (4096), discovery from 1001239 ignored (1 more like this suppressed)");
        assertThat(f.printed()).isEqualTo(4);
        assertThat(f.suppressed()).isEqualTo(3);
    }

    @Test
    void aFloodOfDistinctKindsIsCappedInAllAndKeepsTheTableBounded() {
        for (int i = 0; i < 10_000; i++) f.accept("kind" + (char) ('a' + i % 26) + (char) ('a' + i / 26 % 26)
                + (char) ('a' + i / 676 % 26) + " happened");
        // 26^3 > 10 000: every line is a new kind, yet one window prints at most TOTAL_PER_INTERVAL of them
        assertThat(f.printed()).isEqualTo(CoreLogForwarder.TOTAL_PER_INTERVAL);
        assertThat(f.suppressed()).isEqualTo(10_000 - CoreLogForwarder.TOTAL_PER_INTERVAL);
        assertThat(f.kindsTracked()).isEqualTo(CoreLogForwarder.KINDS_LIMIT);
        now += CoreLogForwarder.INTERVAL_MS;
        f.accept("duplicate address 1001001 on udp:u1");
        assertThat(out).hasSize(CoreLogForwarder.TOTAL_PER_INTERVAL + 2);
        assertThat(out.get(out.size() - 2)).isEqualTo("(" + (10_000 - CoreLogForwarder.TOTAL_PER_INTERVAL)
                + " more core log lines suppressed: over 100 per 10000 ms)");
        assertThat(out).last().isEqualTo("duplicate address 1001001 on udp:u1");
    }
}
