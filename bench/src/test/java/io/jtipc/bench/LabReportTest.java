package io.jtipc.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.jtipc.bench.LabReport.Pair;
import io.jtipc.bench.LabReport.Sample;
import io.jtipc.bench.LabReport.Stream;

/**
 * The pure logic of {@link LabThroughput}: the agent's STREAM line, the per-stream checks, the ratio table and its
 * verdicts, the count calibration, the agent's message pattern and /proc/PID/stat parsing. No lab, no timing.
 */
class LabReportTest {

    @Test
    void parsesTheAgentsStreamLineAmongOtherOutput() {
        Stream s = Stream.parse(List.of("READY whatever", "STREAM sent 5000 echoed 5000 lost 0 duplicated 0 reordered 0"
                + " bad 0 us 2300000"));
        assertThat(s).isEqualTo(new Stream(5000, 5000, 0, 0, 0, 0, 2_300_000));
        assertThat(s.problem(5000)).isNull();
        assertThat(s.agentTransferNanos()).isEqualTo(2_000_000_000L);
    }

    @Test
    void aMissingOrMalformedStreamLineIsAnErrorQuotingTheOutput() {
        assertThatThrownBy(() -> Stream.parse(List.of("ERROR recv ETIMEDOUT no echo within 10000 ms (sent 5, echoed 2)")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ETIMEDOUT");
        assertThatThrownBy(() -> Stream.parse(List.of("STREAM sent 5 echoed 5 lost 0 duplicated 0 reordered 0 bad 0")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Stream(1, 1, 0, 0, 0, 0, 300_000).agentTransferNanos())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyKindOfDamageIsAProblem() {
        assertThat(new Stream(10, 9, 1, 0, 0, 0, 1).problem(10)).contains("echoed 9 of 10", "lost 1");
        assertThat(new Stream(10, 11, 0, 1, 0, 0, 1).problem(10)).contains("duplicated 1");
        assertThat(new Stream(10, 10, 0, 0, 2, 0, 1).problem(10)).isEqualTo("reordered 2");
        assertThat(new Stream(10, 10, 0, 0, 0, 1, 1).problem(10)).isEqualTo("bad 1");
        assertThat(new Stream(9, 9, 0, 0, 0, 0, 1).problem(10)).contains("sent 9 of 10");
    }

    static Sample sample(Pair p, int size, int round, long msgs, long nanos) {
        return new Sample(p, size, round, msgs, nanos, nanos + 500_000_000, nanos / 4, nanos, -1, 1.5);
    }

    @Test
    void tableGivesMediansAndTheRatioToTheKernelPair() {
        List<Sample> s = List.of(
                sample(Pair.KERNEL_KERNEL, 64, 1, 10_000, 1_000_000_000L), // 10 000 msg/s
                sample(Pair.KERNEL_KERNEL, 64, 2, 10_000, 2_000_000_000L), // 5 000
                sample(Pair.KERNEL_KERNEL, 64, 3, 10_000, 500_000_000L), // 20 000 -> median 10 000
                sample(Pair.KERNEL_JTIPC, 64, 1, 10_000, 800_000_000L), // 12 500
                sample(Pair.JTIPC_KERNEL, 64, 1, 10_000, 2_000_000_000L), // 5 000
                sample(Pair.KERNEL_KERNEL, 1000, 1, 1_000, 1_000_000_000L), // 1 000 msg/s, 1 MB/s
                sample(Pair.KERNEL_JTIPC, 1000, 1, 2_000, 1_000_000_000L)); // 2 000
        assertThat(LabReport.medianRate(s, Pair.KERNEL_KERNEL, 64)).isEqualTo(10_000.0);
        assertThat(LabReport.ratio(s, Pair.KERNEL_JTIPC, 64)).isEqualTo(1.25);
        assertThat(LabReport.ratio(s, Pair.JTIPC_KERNEL, 64)).isEqualTo(0.5);
        assertThat(LabReport.ratio(s, Pair.JTIPC_KERNEL, 1000)).isNaN();
        String t = LabReport.table(s);
        assertThat(t).contains("| 64 B | kernel A → kernel B | 3 | 10000 (5000–20000) | 0.64 | 1 (reference) |  |",
                "| 64 B | kernel A → jtipc | 1 | 12500 (12500–12500) | 0.80 | 1.25 | 1.25–1.25 |",
                "| 64 B | jtipc → kernel B | 1 | 5000 (5000–5000) | 0.32 | 0.50 | 0.50–0.50 |",
                "| 1000 B | kernel A → kernel B | 1 | 1000 (1000–1000) | 1.00 | 1 (reference) |  |",
                "| 1000 B | kernel A → jtipc | 1 | 2000 (2000–2000) | 2.00 | 2.00 | 2.00–2.00 |");
        // 1000 B kernel pair: JVM CPU 0.25 s of 1.5 s wall = 17 %, 250 µs/msg (1 000 msgs); guest A 1 s of 1.5 s; B unknown
        assertThat(t.lines().filter(l -> l.startsWith("| 1000 B | kernel A → kernel B")).findFirst().orElseThrow())
                .endsWith("| 17 | 250.0 | 67 | ? | 1.50 |");
        assertThat(t.indexOf("| 64 B | kernel A → kernel B")).isLessThan(t.indexOf("| 64 B | kernel A → jtipc"));
        assertThat(LabReport.verdicts(s)).containsExactly(
                "64 B kernel A → jtipc: 1.25 × kernel → kernel: met (jtipc pair ≥ kernel pair)",
                "64 B jtipc → kernel B: 0.50 × kernel → kernel: NOT met (jtipc pair ≥ kernel pair)",
                "1000 B kernel A → jtipc: 2.00 × kernel → kernel: met (jtipc pair ≥ kernel pair)");
    }

    @Test
    void sameRoundRatiosPairEachRoundWithTheKernelPairOfThatRound() {
        List<Sample> s = List.of(
                sample(Pair.KERNEL_KERNEL, 64, 1, 10_000, 1_000_000_000L), // 10 000 msg/s
                sample(Pair.KERNEL_JTIPC, 64, 1, 8_000, 1_000_000_000L), // 8 000: 0.8 in round 1
                sample(Pair.KERNEL_KERNEL, 64, 2, 5_000, 1_000_000_000L), // 5 000
                sample(Pair.KERNEL_JTIPC, 64, 2, 10_000, 1_000_000_000L), // 10 000: 2.0 in round 2
                sample(Pair.KERNEL_JTIPC, 64, 3, 10_000, 1_000_000_000L), // round 3 has no kernel pair
                sample(Pair.KERNEL_KERNEL, 1000, 1, 1, 1_000_000_000L)); // another size
        assertThat(LabReport.roundRatios(s, Pair.KERNEL_JTIPC, 64)).containsExactly(0.8, 2.0);
        assertThat(LabReport.table(s)).contains("| 64 B | kernel A → jtipc | 3 | 10000 (8000–10000) | 0.64 | 1.33 | 0.80–2.00 |");
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(LabReport.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
        assertThat(LabReport.median(List.of())).isNaN();
    }

    @Test
    void countFollowsTheKernelPairButIsBoundedByTheSlowestPair() {
        Map<Pair, Double> w = new EnumMap<>(Pair.class);
        w.put(Pair.KERNEL_KERNEL, 10_400.0);
        w.put(Pair.KERNEL_JTIPC, 20_000.0);
        w.put(Pair.JTIPC_KERNEL, 15_000.0);
        assertThat(LabThroughput.pickCount(w, 3)).isEqualTo(31_000);
        w.put(Pair.JTIPC_KERNEL, 1_000.0); // a slow pair: at most 3 × seconds of it
        assertThat(LabThroughput.pickCount(w, 3)).isEqualTo(9_000);
        w.replaceAll((k, v) -> 10.0);
        assertThat(LabThroughput.pickCount(w, 3)).isEqualTo(LabThroughput.MIN_COUNT);
        w.replaceAll((k, v) -> 1e9);
        assertThat(LabThroughput.pickCount(w, 3)).isEqualTo(LabThroughput.MAX_COUNT);
    }

    @Test
    void agentMessageIsTheAgentsPattern() {
        // tipc-agent.c stream_msg(buf, 8, 0x01020304): fill (i*31 + k*7) & 0xff, then i big-endian in bytes 0-3
        byte[] b = new byte[8];
        LabThroughput.agentMessage(b, 0x01020304);
        int i = 0x01020304;
        assertThat(b).containsExactly(1, 2, 3, 4, (byte) (i * 31 + 28), (byte) (i * 31 + 35), (byte) (i * 31 + 42),
                (byte) (i * 31 + 49));
    }

    @Test
    void procStatCpuIsUtimePlusStimeAfterTheCommandName() {
        String stat = "4242 (qemu-system-x86 (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 1 2 3";
        assertThat(LabThroughput.parseStatCpuNanos(stat)).isEqualTo(300 * 10_000_000L);
    }
}
