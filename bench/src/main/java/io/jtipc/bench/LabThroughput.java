package io.jtipc.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.jtipc.api.LinkInfo;
import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcMessage;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcSocket;
import io.jtipc.bench.LabReport.Pair;
import io.jtipc.bench.LabReport.Sample;
import io.jtipc.bench.LabReport.Stream;
import io.jtipc.lab.ExecResult;
import io.jtipc.lab.GuestJob;
import io.jtipc.lab.KernelNode;
import io.jtipc.lab.KernelVersion;
import io.jtipc.lab.Lab;
import io.jtipc.lab.LabException;
import io.jtipc.lab.LabOptions;
import io.jtipc.lab.Veth;

/**
 * Issue 14's lab acceptance line as a benchmark (run by hand, {@code bench/run.sh lab}; never by the tests): "jtipc ↔
 * kernel throughput ≥ kernel ↔ kernel throughput on the same bridge (jtipc is never the bottleneck)".
 *
 * <p><b>Set-up.</b> One {@link Lab} (a network namespace with a bridge): two kernel guests of one line (default 6.1,
 * qemu TCG, one vCPU each) with TIPC Ethernet bearers, and a jtipc node in this JVM with an Ethernet bearer (AF_PACKET)
 * on a lab veth, as the interop tests do. Kernel B runs the agent's {@code rdm-echo} on {{@value #KERNEL_ECHO_TYPE},
 * 1}; the jtipc node an RDM echo socket (a thread sending every message back to its source) on
 * {{@value #JTIPC_ECHO_TYPE}, 1}.
 *
 * <p><b>Streams.</b> A stream is {@code count} numbered messages of one size with at most {@code window} unanswered:
 * kernel A → kernel B and kernel A → jtipc run the agent's {@code rdm-stream} on kernel A; jtipc → kernel B runs the
 * same algorithm in this JVM ({@link #jtipcStream}): message i is i big-endian then the agent's fill pattern, every
 * echo checked for length, content, duplicates and order. Any lost, duplicated, reordered, bad or returned message —
 * or a jtipc echo count different from the stream's — fails the run (exit 1). Per size: one warm-up stream per pair
 * (not counted; it also picks {@code count} so a kernel → kernel stream lasts about {@code --seconds}), then
 * {@code --rounds} rounds of the three pairs, the order reversed every other round.
 *
 * <p><b>Figures.</b> msg/s = messages echoed per second of transfer time (the agent's elapsed time less its
 * {@link LabReport#AGENT_TRAILING_WAIT_US 300 ms trailing wait}; for jtipc, first send to last echo); MB/s = payload
 * one way; CPU = this JVM's process CPU time and each qemu's (/proc/PID/stat) over the host-side wall time of the
 * stream, in % of one core; the 1-minute load average before each stream. Medians over the rounds, ratio = jtipc pair
 * / kernel pair. The lab (guests, namespace, veth) is torn down at the end, also on failure.
 *
 * <pre>
 * java -cp bench/target/jtipc-benchmarks.jar io.jtipc.bench.LabThroughput [--kernel 6.1|5.10|6.12] [--rounds 3]
 *     [--seconds 3] [--window 128] [--sizes 64,1000] [--count N] [--out FILE]
 * </pre>
 * Exit status: 0 every check passed, 1 a check failed or the lab failed, 2 bad arguments or no lab on this host.
 */
public final class LabThroughput {
    /** The kernel echo's service type (on kernel B). */
    static final int KERNEL_ECHO_TYPE = 21_400;
    /** The jtipc echo's service type (on the jtipc node). */
    static final int JTIPC_ECHO_TYPE = 21_401;
    /** The instance both echoes bind. */
    static final int INSTANCE = 1;
    /** Longest wait for one echo, ms (the agent's TIMEOUT_MS; the jtipc sender's too). */
    static final int ECHO_TIMEOUT_MS = 10_000;
    /** Longest one stream may take, host side, s (the agent's command is killed after it). */
    static final int STREAM_LIMIT_S = 120;
    /** Bounds of the messages per stream the calibration may pick. */
    static final long MIN_COUNT = 1_000, MAX_COUNT = 1_000_000;
    /** Messages of each warm-up stream, by size: 64 B → 3 000, larger → 2 000. */
    static long warmCount(int size) {
        return size <= 64 ? 3_000 : 2_000;
    }

    private static final Duration T = Duration.ofSeconds(60);

    /** Command line options. */
    record Options(KernelVersion kernel, int rounds, double seconds, int window, int[] sizes, long count, Path out) {
        static Options parse(String[] args) {
            KernelVersion kernel = KernelVersion.V6_1;
            int rounds = 3, window = 128;
            double seconds = 3;
            int[] sizes = {64, 1000};
            long count = 0;
            Path out = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (i + 1 >= args.length) throw new IllegalArgumentException("missing value after " + a);
                String v = args[++i];
                switch (a) {
                    case "--kernel" -> kernel = KernelVersion.parse(v);
                    case "--rounds" -> rounds = Integer.parseInt(v);
                    case "--seconds" -> seconds = Double.parseDouble(v);
                    case "--window" -> window = Integer.parseInt(v);
                    case "--sizes" -> sizes = Arrays.stream(v.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
                    case "--count" -> count = Long.parseLong(v);
                    case "--out" -> out = Path.of(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (rounds < 1 || rounds > 20) throw new IllegalArgumentException("--rounds must be 1-20");
            if (!(seconds > 0 && seconds <= 30)) throw new IllegalArgumentException("--seconds must be in (0, 30]");
            if (window < 1 || window > 1000) throw new IllegalArgumentException("--window must be 1-1000");
            for (int s : sizes) {
                if (s < 4 || s > 66_000) throw new IllegalArgumentException("sizes must be 4-66000: " + s);
            }
            if (count != 0 && (count < 1 || count > MAX_COUNT)) {
                throw new IllegalArgumentException("--count must be 1-" + MAX_COUNT);
            }
            return new Options(kernel, rounds, seconds, window, sizes, count, out);
        }
    }

    public static void main(String[] args) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("LabThroughput: " + e.getMessage());
            System.err.println("usage: LabThroughput [--kernel 6.1|5.10|6.12] [--rounds 3] [--seconds 3] [--window 128]"
                    + " [--sizes 64,1000] [--count N] [--out FILE]");
            System.exit(2);
            return;
        }
        var why = Lab.unavailableReason();
        if (why.isPresent()) {
            System.err.println("LabThroughput: no lab on this host: " + why.get());
            System.exit(2);
        }
        int rc;
        try {
            rc = new LabThroughput(o).run();
        } catch (Throwable t) {
            System.err.println("LabThroughput: FAILED: " + t);
            t.printStackTrace();
            rc = 1;
        }
        System.exit(rc);
    }

    private final Options o;
    private final List<String> failures = new ArrayList<>();

    LabThroughput(Options o) {
        this.o = o;
    }

    /** Runs everything; the lab and the node are closed before it returns, whatever happens. */
    int run() throws Exception {
        String loadBefore = loadAvg();
        Instant start = Instant.now();
        Path work = Path.of("bench", "target", "lab").toAbsolutePath();
        Lab lab = Lab.create(LabOptions.defaults("lab-throughput").withWorkDir(work));
        TipcNode node = null;
        Echo echo = null;
        TipcSocket sender = null;
        GuestJob kernelEcho = null;
        try {
            Veth veth = lab.addVeth("jt0");
            List<KernelNode> ks = lab.bootCluster(o.kernel(), o.kernel());
            KernelNode a = ks.get(0), b = ks.get(1);
            node = TipcNode.builder().identity("jtipcbench").netns(veth.netns()).bearer("eth:" + veth.name()).start();
            for (KernelNode k : ks) {
                node.awaitLink(l -> l.up() && l.name().contains("-" + k.name() + ":"), T);
                k.awaitUpLinks(ks.size(), T);
            }
            kernelEcho = b.startAgent("rdm-echo", Integer.toString(KERNEL_ECHO_TYPE), Integer.toString(INSTANCE), "quiet")
                    .awaitReady(T);
            node.awaitBinding(x -> x.type() == KERNEL_ECHO_TYPE && x.lower() == INSTANCE, T);
            TipcSocket es = TipcSocket.rdm(node);
            es.bind(TipcAddress.ofService(JTIPC_ECHO_TYPE, INSTANCE));
            echo = new Echo(es);
            a.agent(T, "wait-service", Integer.toString(JTIPC_ECHO_TYPE), Integer.toString(INSTANCE), "30000").requireOk();
            sender = TipcSocket.rdm(node);
            QemuCpu cpuA = QemuCpu.of(a), cpuB = QemuCpu.of(b);

            List<Sample> samples = new ArrayList<>();
            Map<Integer, Long> counts = new java.util.TreeMap<>();
            for (int size : o.sizes()) {
                // warm-up (JIT, guests' caches), and the rate the count is picked from
                Map<Pair, Double> warm = new EnumMap<>(Pair.class);
                for (Pair p : Pair.values()) {
                    Sample s = stream(p, size, 0, warmCount(size), a, node, sender, echo, cpuA, cpuB);
                    if (s == null) return report(samples, counts, start, loadBefore, a, b, node);
                    warm.put(p, s.msgPerSec());
                }
                long count = o.count() > 0 ? o.count() : pickCount(warm, o.seconds());
                counts.put(size, count);
                System.err.printf("[lab-throughput] %d B: warm-up msg/s %s; %d messages per stream%n", size, warm, count);
                for (int r = 1; r <= o.rounds(); r++) {
                    List<Pair> order = new ArrayList<>(List.of(Pair.values()));
                    if (r % 2 == 0) java.util.Collections.reverse(order);
                    for (Pair p : order) {
                        Sample s = stream(p, size, r, count, a, node, sender, echo, cpuA, cpuB);
                        if (s == null) return report(samples, counts, start, loadBefore, a, b, node);
                        samples.add(s);
                        System.err.printf("[lab-throughput] %d B round %d %s: %.0f msg/s, JVM CPU %.0f %%, load %.2f%n",
                                size, r, p.label, s.msgPerSec(), Sample.percent(s.jvmCpuNanos(), s.wallNanos()), s.load1());
                    }
                }
            }
            return report(samples, counts, start, loadBefore, a, b, node);
        } finally {
            if (kernelEcho != null) kernelEcho.close();
            if (echo != null) echo.close();
            if (sender != null) sender.close();
            if (node != null) node.close();
            lab.close();
            System.err.println("[lab-throughput] lab torn down (namespace " + lab.netns() + " exists: "
                    + Lab.namespaceExists(lab.netns()) + ")");
        }
    }

    /**
     * Messages per stream: the kernel pair's warm-up rate × {@code seconds}, but at most what the slowest pair does in
     * 3 × {@code seconds}, rounded to a thousand, within [{@link #MIN_COUNT}, {@link #MAX_COUNT}].
     */
    static long pickCount(Map<Pair, Double> warmRates, double seconds) {
        double ref = warmRates.getOrDefault(Pair.KERNEL_KERNEL, 0.0);
        double slowest = warmRates.values().stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double c = Math.min(ref * seconds, slowest * 3 * seconds);
        long n = Math.round(c / 1000) * 1000;
        return Math.max(MIN_COUNT, Math.min(MAX_COUNT, n));
    }

    /**
     * One stream of {@code pair}; null (with the reason in {@link #failures}) when a check failed.
     */
    private Sample stream(Pair pair, int size, int round, long count, KernelNode a, TipcNode node, TipcSocket sender,
                          Echo echo, QemuCpu cpuA, QemuCpu cpuB) throws Exception {
        double load = load1();
        long echoedBefore = echo.echoed.get(), returnedBefore = echo.returned.get();
        long jvm0 = jvmCpu(), ga0 = cpuA.nanos(), gb0 = cpuB.nanos(), w0 = System.nanoTime();
        Stream st;
        long nanos;
        if (pair == Pair.JTIPC_KERNEL) {
            long[] t = new long[1];
            st = jtipcStream(sender, TipcAddress.ofService(KERNEL_ECHO_TYPE, INSTANCE), count, size, o.window(), t);
            nanos = t[0];
        } else {
            int type = pair == Pair.KERNEL_KERNEL ? KERNEL_ECHO_TYPE : JTIPC_ECHO_TYPE;
            ExecResult r = a.agent(Duration.ofSeconds(STREAM_LIMIT_S), "rdm-stream", Integer.toString(type),
                    Integer.toString(INSTANCE), Long.toString(count), Integer.toString(size), Integer.toString(o.window()),
                    Integer.toString(ECHO_TIMEOUT_MS));
            try {
                st = Stream.parse(r.lines());
                nanos = st.agentTransferNanos();
            } catch (IllegalArgumentException e) {
                failures.add(pair.label + " " + size + " B round " + round + ": " + e.getMessage() + " (" + r.node()
                        + " exit " + r.exitCode() + (r.timedOut() ? ", timed out" : "") + ")");
                return null;
            }
        }
        long wall = System.nanoTime() - w0, jvm = jvmCpu() - jvm0;
        long ga = ga0 < 0 ? -1 : cpuA.nanos() - ga0, gb = gb0 < 0 ? -1 : cpuB.nanos() - gb0;
        String problem = st.problem(count);
        if (problem == null && pair == Pair.KERNEL_JTIPC) {
            // the kernel counts a returned message as bad; jtipc's echo must also have echoed each one exactly once
            echo.awaitEchoed(echoedBefore + count, 1000);
            long e = echo.echoed.get() - echoedBefore, ret = echo.returned.get() - returnedBefore;
            if (e != count || ret != 0) problem = "jtipc echo echoed " + e + " of " + count + ", returned " + ret;
        }
        if (echo.failure != null) problem = (problem == null ? "" : problem + "; ") + "jtipc echo: " + echo.failure;
        if (problem != null) {
            failures.add(pair.label + " " + size + " B round " + round + ": " + problem + " [" + st + "]");
            return null;
        }
        return new Sample(pair, size, round, count, nanos, wall, jvm, ga, gb, load);
    }

    /**
     * The agent's {@code rdm-stream} in jtipc: {@code count} messages to {@code to} with at most {@code window}
     * unanswered, every echo checked; {@code elapsed[0]} = ns from the first send to the last echo. Then 300 ms more
     * for a late duplicate, as the agent does (not timed).
     */
    static Stream jtipcStream(TipcSocket s, TipcAddress to, long count, int size, int window, long[] elapsed)
            throws Exception {
        byte[] out = new byte[size], want = new byte[size];
        boolean[] seen = new boolean[(int) count];
        long sent = 0, echoed = 0, distinct = 0, dup = 0, reord = 0, bad = 0, next = 0;
        long t0 = System.nanoTime();
        while (distinct < count) {
            while (sent < count && sent - echoed < window) {
                agentMessage(out, (int) sent);
                s.send(to, out);
                sent++;
            }
            TipcMessage m = s.receive(Duration.ofMillis(ECHO_TIMEOUT_MS));
            if (m == null) {
                System.err.printf("[lab-throughput] jtipc stream: no echo within %d ms (sent %d, echoed %d)%n",
                        ECHO_TIMEOUT_MS, sent, echoed);
                break;
            }
            echoed++;
            byte[] in = m.payload();
            if (m.errcode() != 0 || in.length != size) {
                bad++;
                continue;
            }
            long seq = Integer.toUnsignedLong(ByteBuffer.wrap(in).getInt());
            if (seq >= sent) {
                bad++;
                continue;
            }
            agentMessage(want, (int) seq);
            if (!Arrays.equals(in, want)) {
                bad++;
                continue;
            }
            if (seen[(int) seq]) {
                dup++;
                continue;
            }
            seen[(int) seq] = true;
            distinct++;
            if (seq != next) reord++;
            next = seq + 1;
        }
        long t1 = System.nanoTime();
        elapsed[0] = t1 - t0;
        for (TipcMessage m; (m = s.receive(Duration.ofMillis(300))) != null; ) {
            echoed++;
            dup++;
        }
        return new Stream(sent, echoed, count - distinct, dup, reord, bad, (t1 - t0) / 1000);
    }

    /**
     * Message {@code i} of the agent's {@code rdm-stream} into {@code buf}: the fill pattern
     * {@code (i * 31 + k * 7) & 0xff} at byte k, then i big-endian in the first 4 bytes (tipc-agent.c stream_msg).
     */
    static void agentMessage(byte[] buf, int i) {
        for (int k = 0; k < buf.length; k++) buf[k] = (byte) (i * 31 + k * 7);
        buf[0] = (byte) (i >>> 24);
        buf[1] = (byte) (i >>> 16);
        buf[2] = (byte) (i >>> 8);
        buf[3] = (byte) i;
    }

    /** Writes the report (stdout and {@code --out}); returns the exit status. */
    private int report(List<Sample> samples, Map<Integer, Long> counts, Instant start, String loadBefore, KernelNode a,
                       KernelNode b, TipcNode node) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("Date: ").append(start.truncatedTo(ChronoUnit.SECONDS)).append("; host: ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                .append("; Java ").append(System.getProperty("java.version")).append(".\n");
        sb.append("Guests: ").append(a.name()).append(" (kernel A) and ").append(b.name()).append(" (kernel B), ")
                .append(a.kernelRelease()).append(", qemu TCG, 1 vCPU, ").append("256 MiB each; jtipc: one node in this"
                        + " JVM, Ethernet bearer (AF_PACKET) on a lab veth; all on one bridge.\n");
        sb.append("Window ").append(o.window()).append(" messages; messages per stream: ");
        List<String> cs = new ArrayList<>();
        counts.forEach((size, n) -> cs.add(size + " B " + n));
        sb.append(String.join(", ", cs)).append("; ").append(o.rounds())
                .append(" rounds after one warm-up stream per pair and size (pair order reversed every other round).\n");
        sb.append("Load average before: ").append(loadBefore).append("; after: ").append(loadAvg()).append(".\n\n");
        sb.append(LabReport.table(samples)).append('\n');
        for (String v : LabReport.verdicts(samples)) sb.append("- ").append(v).append('\n');
        try {
            long retr = 0, dups = 0, overloads = 0, resets = 0;
            for (LinkInfo l : node.links()) {
                retr += l.retransmitted();
                dups += l.duplicates();
                overloads += l.socketOverloads();
                resets += l.resets();
            }
            sb.append("- jtipc links over the whole run: retransmitted ").append(retr).append(", duplicates received ")
                    .append(dups).append(", peer socket overloads ").append(overloads).append(", resets ").append(resets)
                    .append('\n');
        } catch (Exception e) {
            sb.append("- jtipc link counters unavailable: ").append(e).append('\n');
        }
        for (String f : failures) sb.append("- **FAILED**: ").append(f).append('\n');
        sb.append(failures.isEmpty() ? "- every stream: nothing lost, duplicated, reordered, bad or returned\n" : "");
        String text = sb.toString();
        System.out.print(text);
        System.out.flush();
        if (o.out() != null) {
            if (o.out().toAbsolutePath().getParent() != null) Files.createDirectories(o.out().toAbsolutePath().getParent());
            Files.writeString(o.out(), text, StandardCharsets.UTF_8);
        }
        return failures.isEmpty() ? 0 : 1;
    }

    static long jvmCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static String loadAvg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    static double load1() {
        try {
            return Double.parseDouble(loadAvg().split(" ")[0]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The echo on the jtipc node: every message back to its source; returned messages counted, not echoed. */
    static final class Echo implements AutoCloseable {
        final AtomicLong echoed = new AtomicLong(), returned = new AtomicLong();
        final AtomicBoolean run = new AtomicBoolean(true);
        final TipcSocket sock;
        final Thread thread;
        volatile String failure;

        Echo(TipcSocket sock) {
            this.sock = sock;
            thread = new Thread(this::loop, "lab-throughput-echo");
            thread.setDaemon(true);
            thread.start();
        }

        private void loop() {
            try {
                while (run.get()) {
                    TipcMessage m = sock.receive(Duration.ofMillis(200));
                    if (m == null) continue;
                    if (m.errcode() != 0) {
                        returned.incrementAndGet();
                        continue;
                    }
                    sock.send(m.source(), m.payload());
                    echoed.incrementAndGet();
                }
            } catch (Exception e) {
                if (run.get()) failure = e.toString();
            }
        }

        /** Waits up to {@code ms} for the echo count to reach {@code n} (the last echo may still be counting). */
        void awaitEchoed(long n, long ms) throws InterruptedException {
            long end = System.nanoTime() + ms * 1_000_000;
            while (echoed.get() < n && System.nanoTime() < end) Thread.sleep(5);
        }

        @Override
        public void close() throws InterruptedException {
            run.set(false);
            sock.close();
            thread.join(2000);
        }
    }

    /**
     * Host CPU time of one guest's qemu process: utime + stime of {@code /proc/PID/stat} (clock ticks of 10 ms), the
     * process found by its command line, which names the guest's console log (unique per lab and node).
     */
    static final class QemuCpu {
        private final Path stat;

        private QemuCpu(Path stat) {
            this.stat = stat;
        }

        static QemuCpu of(KernelNode k) {
            String needle = "path=" + k.consoleLog();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
                for (Path p : ds) {
                    try {
                        String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                                .replace('\0', ' ');
                        if (cmd.startsWith("qemu-system") && cmd.contains(needle)) return new QemuCpu(p.resolve("stat"));
                    } catch (IOException e) {
                        // gone meanwhile, or not ours to read
                    }
                }
            } catch (IOException e) {
                // no /proc: unknown
            }
            System.err.println("[lab-throughput] qemu of " + k.name() + " not found in /proc: its CPU is not reported");
            return new QemuCpu(null);
        }

        /** CPU ns so far, or -1 when unknown. */
        long nanos() {
            if (stat == null) return -1;
            try {
                return parseStatCpuNanos(Files.readString(stat));
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }
    }

    /**
     * utime + stime of a {@code /proc/PID/stat} line in ns, assuming USER_HZ = 100 (fields 14 and 15, counted after
     * the command name's closing parenthesis, which may itself contain spaces).
     */
    static long parseStatCpuNanos(String statLine) {
        String[] f = statLine.substring(statLine.lastIndexOf(')') + 2).trim().split("\\s+");
        // f[0] is field 3 (state): utime is field 14 -> f[11], stime field 15 -> f[12]
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
    }
}
