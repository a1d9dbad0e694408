package io.jtipc.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pure part of {@link LabThroughput}: the agent's {@code STREAM} line, the checks every stream must pass, the
 * medians and the Markdown table with the ratio jtipc pair / kernel pair. No I/O, no clock: unit-tested on its own
 * ({@code LabReportTest}).
 */
final class LabReport {
    private LabReport() {}

    /**
     * Microseconds the agent's {@code us} figure includes after the last echo: {@code rdm-stream} looks for one more
     * (duplicate) echo with a 300 ms receive timeout before it prints its line (docker/peer/tipc-agent.c
     * cmd_rdm_stream, {@code set_rcv_timeout(sd, 300)}). Subtracted to get the transfer time.
     */
    static final long AGENT_TRAILING_WAIT_US = 300_000;

    private static final Pattern STREAM = Pattern.compile(
            "STREAM sent (\\d+) echoed (\\d+) lost (\\d+) duplicated (\\d+) reordered (\\d+) bad (\\d+) us (\\d+)");

    /** Which two nodes a stream ran between: the sender (numbered messages, window) → the echo. */
    enum Pair {
        /** The reference: kernel A's agent streams to kernel B's agent echo. */
        KERNEL_KERNEL("kernel A → kernel B"),
        /** Kernel A's agent streams to the jtipc node's echo socket. */
        KERNEL_JTIPC("kernel A → jtipc"),
        /** The jtipc node streams (same algorithm as the agent) to kernel B's agent echo. */
        JTIPC_KERNEL("jtipc → kernel B");

        final String label;

        Pair(String label) {
            this.label = label;
        }
    }

    /**
     * One stream's outcome, as the agent prints it (the jtipc sender fills the same fields).
     *
     * @param sent       messages sent
     * @param echoed     echoes received (duplicates and bad ones included)
     * @param lost       messages never echoed
     * @param duplicated echoes of a number already echoed
     * @param reordered  echoes whose number was not the one after the previous echo's
     * @param bad        echoes of the wrong length or content, or returned (0 bytes: a kernel recv of a returned
     *                   message copies no data, socket.c tipc_recvmsg)
     * @param micros     elapsed microseconds as the sender reports them (the agent's include
     *                   {@link #AGENT_TRAILING_WAIT_US})
     */
    record Stream(long sent, long echoed, long lost, long duplicated, long reordered, long bad, long micros) {

        /**
         * Parses the first {@code STREAM ...} line of the agent's output.
         *
         * @throws IllegalArgumentException no such line (the agent failed before it: the output is quoted)
         */
        static Stream parse(List<String> output) {
            for (String l : output) {
                Matcher m = STREAM.matcher(l.trim());
                if (m.matches()) {
                    return new Stream(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                            Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), Long.parseLong(m.group(6)),
                            Long.parseLong(m.group(7)));
                }
            }
            throw new IllegalArgumentException("no STREAM line in the agent's output: " + String.join(" | ", output));
        }

        /**
         * What is wrong with this stream of {@code count} messages, or null: every message sent and echoed exactly
         * once, in order and intact.
         */
        String problem(long count) {
            List<String> p = new ArrayList<>();
            if (sent != count) p.add("sent " + sent + " of " + count);
            if (echoed != count) p.add("echoed " + echoed + " of " + count);
            if (lost != 0) p.add("lost " + lost);
            if (duplicated != 0) p.add("duplicated " + duplicated);
            if (reordered != 0) p.add("reordered " + reordered);
            if (bad != 0) p.add("bad " + bad);
            return p.isEmpty() ? null : String.join(", ", p);
        }

        /**
         * The agent's transfer time in ns: its {@code us} less {@link #AGENT_TRAILING_WAIT_US}.
         *
         * @throws IllegalArgumentException {@code us} not above the trailing wait (a line the agent cannot print)
         */
        long agentTransferNanos() {
            if (micros <= AGENT_TRAILING_WAIT_US) {
                throw new IllegalArgumentException("agent elapsed " + micros + " us is not above its "
                        + AGENT_TRAILING_WAIT_US + " us trailing wait");
            }
            return (micros - AGENT_TRAILING_WAIT_US) * 1000;
        }
    }

    /**
     * One measured stream.
     *
     * @param pair     sender → echo
     * @param size     payload bytes per message
     * @param round    round number (1-based)
     * @param messages messages echoed (= sent: a stream with a problem fails the run)
     * @param nanos    transfer time, first send to last echo, ns
     * @param wallNanos host-side wall time around the whole stream command (start-up and the agent's trailing wait
     *                 included), ns: the base of the CPU percentages
     * @param jvmCpuNanos CPU time of this JVM (the jtipc node and the harness) over {@code wallNanos}, ns
     * @param guestACpuNanos host CPU time of kernel A's qemu over {@code wallNanos}, ns (-1 unknown)
     * @param guestBCpuNanos host CPU time of kernel B's qemu over {@code wallNanos}, ns (-1 unknown)
     * @param load1    the host's 1-minute load average just before the stream
     */
    record Sample(Pair pair, int size, int round, long messages, long nanos, long wallNanos, long jvmCpuNanos,
                  long guestACpuNanos, long guestBCpuNanos, double load1) {
        double msgPerSec() {
            return messages * 1e9 / nanos;
        }

        /** Payload MB/s (10^6 bytes) one way; the echoes carry as much back. */
        double mbPerSec() {
            return messages * (double) size * 1e3 / nanos;
        }

        /** CPU percent of one core over the stream's wall time; -1 when unknown. */
        static double percent(long cpuNanos, long wallNanos) {
            return cpuNanos < 0 || wallNanos <= 0 ? -1 : 100.0 * cpuNanos / wallNanos;
        }
    }

    /** The median (mean of the middle two for an even count); NaN for none. */
    static double median(List<Double> values) {
        if (values.isEmpty()) return Double.NaN;
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    /**
     * Median msg/s of {@code pair} at {@code size} over {@code samples}; NaN when none.
     */
    static double medianRate(List<Sample> samples, Pair pair, int size) {
        List<Double> r = new ArrayList<>();
        for (Sample s : samples) {
            if (s.pair() == pair && s.size() == size) r.add(s.msgPerSec());
        }
        return median(r);
    }

    /** Median msg/s of {@code pair} / median msg/s of the kernel pair at {@code size}; NaN when either is missing. */
    static double ratio(List<Sample> samples, Pair pair, int size) {
        double k = medianRate(samples, Pair.KERNEL_KERNEL, size);
        double j = medianRate(samples, pair, size);
        return Double.isNaN(k) || Double.isNaN(j) || k <= 0 ? Double.NaN : j / k;
    }

    /**
     * Per round, msg/s of {@code pair} / msg/s of the kernel pair in the same round at {@code size} (rounds with both),
     * in round order.
     */
    static List<Double> roundRatios(List<Sample> samples, Pair pair, int size) {
        Map<Integer, Double> kernel = new TreeMap<>(), other = new TreeMap<>();
        for (Sample s : samples) {
            if (s.size() != size) continue;
            if (s.pair() == Pair.KERNEL_KERNEL) kernel.put(s.round(), s.msgPerSec());
            if (s.pair() == pair) other.put(s.round(), s.msgPerSec());
        }
        List<Double> r = new ArrayList<>();
        for (Map.Entry<Integer, Double> e : other.entrySet()) {
            Double k = kernel.get(e.getKey());
            if (k != null && k > 0) r.add(e.getValue() / k);
        }
        return r;
    }

    /**
     * The Markdown table: one row per size and pair (kernel pair first), medians over the rounds with min–max, the
     * ratio of the medians to the kernel pair's of the same size and the range of the same-round ratios, CPU
     * percentages of one core and the JVM's CPU µs per message.
     */
    static String table(List<Sample> samples) {
        Map<Integer, Map<Pair, List<Sample>>> by = new TreeMap<>();
        for (Sample s : samples) {
            by.computeIfAbsent(s.size(), k -> new TreeMap<>()).computeIfAbsent(s.pair(), k -> new ArrayList<>()).add(s);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("| size | pair (sender → echo) | rounds | msg/s median (min–max) | MB/s median | ratio to kernel → kernel"
                + " | same-round ratios (min–max) | JVM CPU % of a core | JVM CPU µs/msg | kernel A qemu CPU %"
                + " | kernel B qemu CPU % | load (1 min) |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map.Entry<Integer, Map<Pair, List<Sample>>> e : by.entrySet()) {
            int size = e.getKey();
            for (Map.Entry<Pair, List<Sample>> pe : e.getValue().entrySet()) {
                Pair pair = pe.getKey();
                List<Sample> ss = pe.getValue();
                List<Double> rate = new ArrayList<>(), mb = new ArrayList<>(), jvm = new ArrayList<>(),
                        jvmUs = new ArrayList<>(), ga = new ArrayList<>(), gb = new ArrayList<>(), load = new ArrayList<>();
                for (Sample s : ss) {
                    rate.add(s.msgPerSec());
                    mb.add(s.mbPerSec());
                    jvm.add(Sample.percent(s.jvmCpuNanos(), s.wallNanos()));
                    jvmUs.add(s.jvmCpuNanos() / 1e3 / s.messages());
                    if (s.guestACpuNanos() >= 0) ga.add(Sample.percent(s.guestACpuNanos(), s.wallNanos()));
                    if (s.guestBCpuNanos() >= 0) gb.add(Sample.percent(s.guestBCpuNanos(), s.wallNanos()));
                    load.add(s.load1());
                }
                String ratio = pair == Pair.KERNEL_KERNEL ? "1 (reference)" : fmt2(ratio(samples, pair, size));
                List<Double> rr = roundRatios(samples, pair, size);
                String perRound = pair == Pair.KERNEL_KERNEL ? "" : rr.isEmpty() ? "?"
                        : fmt2(Collections.min(rr)) + "–" + fmt2(Collections.max(rr));
                sb.append("| ").append(size).append(" B | ").append(pair.label).append(" | ").append(ss.size())
                        .append(" | ").append(fmt0(median(rate))).append(" (").append(fmt0(Collections.min(rate)))
                        .append("–").append(fmt0(Collections.max(rate))).append(") | ").append(fmt2(median(mb)))
                        .append(" | ").append(ratio).append(" | ").append(perRound).append(" | ").append(fmt0(median(jvm))).append(" | ")
                        .append(fmt1(median(jvmUs))).append(" | ").append(ga.isEmpty() ? "?" : fmt0(median(ga)))
                        .append(" | ").append(gb.isEmpty() ? "?" : fmt0(median(gb))).append(" | ")
                        .append(fmt2(median(load))).append(" |\n");
            }
        }
        return sb.toString();
    }

    /**
     * The acceptance line per size and jtipc pair: "jtipc ↔ kernel throughput ≥ kernel ↔ kernel throughput"
     * (issue 14), each as {@code met} or {@code NOT met} with its ratio.
     */
    static List<String> verdicts(List<Sample> samples) {
        List<String> out = new ArrayList<>();
        Map<Integer, Boolean> sizes = new TreeMap<>();
        for (Sample s : samples) sizes.put(s.size(), true);
        for (int size : sizes.keySet()) {
            for (Pair p : new Pair[] {Pair.KERNEL_JTIPC, Pair.JTIPC_KERNEL}) {
                double r = ratio(samples, p, size);
                if (Double.isNaN(r)) continue;
                out.add(size + " B " + p.label + ": " + fmt2(r) + " × kernel → kernel: "
                        + (r >= 1.0 ? "met" : "NOT met") + " (jtipc pair ≥ kernel pair)");
            }
        }
        return out;
    }

    static String fmt0(double d) {
        return Double.isNaN(d) || d < 0 ? "?" : String.format(Locale.ROOT, "%.0f", d);
    }

    static String fmt1(double d) {
        return Double.isNaN(d) || d < 0 ? "?" : String.format(Locale.ROOT, "%.1f", d);
    }

    static String fmt2(double d) {
        return Double.isNaN(d) || d < 0 ? "?" : String.format(Locale.ROOT, "%.2f", d);
    }
}
