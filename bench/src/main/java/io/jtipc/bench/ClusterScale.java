package io.jtipc.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.jtipc.api.LinkInfo;
import io.jtipc.api.LinkMonitorSummary;
import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcSocket;
import io.jtipc.node.Link;
import io.jtipc.node.Monitor;
import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.Tipc;

/**
 * Cluster scale (issue 16): N jtipc nodes all linked to each other, neighbour monitoring (monitor.c) active above 32,
 * binding updates, a killed node, probes per node per second and heap per node, in two forms:
 * <ul>
 * <li>{@code --sim N,...}: in-memory ({@code SimNetwork} of node's test kit, simulated time), one process;</li>
 * <li>{@code --udp N,...}: N separate {@link TipcNode}s over UDP loopback (node i on 127.0.1.(i+1), one port, replicast
 *     discovery to every other node: no multicast on lo), spread over {@code --jvms} child JVMs plus one JVM holding
 *     only the victim, which is killed with SIGKILL (a crash: no RESET sent) after the measurement.</li>
 * </ul>
 * Timers are the defaults (UDP and Ethernet link tolerance 1500 ms, node timer tolerance / 4 = 375 ms). Monitors settle
 * only after the first domain-size re-check ({@link #MON_TIMEOUT_MS}, monitor.c MON_TIMEOUT), so the UDP run waits for
 * it before measuring. Probes are STATE messages with the probe bit ({@code Link.sentProbes}, over the API
 * {@link LinkMonitorSummary#probesSent()}). Heap per node (UDP): heap used after {@code System.gc()} in each worker
 * JVM with its nodes linked and settled, minus the same after a warm-up node was started and closed (class
 * initialisation and shared caches in the baseline), over the JVM's nodes (JMX off); in memory: heap used after GC with the converged cluster minus before it was built, divided by N. The per-peer cost
 * is the slope of that figure between the two largest N (measured at the same point: after the 120 s settle).
 *
 * <p>Output: a Markdown table on stdout; progress on stderr. Run by {@code bench/run.sh scale}.
 */
public final class ClusterScale {
    /** Link tolerance of the defaults (UDP and Ethernet media), ms. */
    static final int TOLERANCE_MS = 1500;
    /** Node timer period = tolerance / 4 (node.c tipc_node_calculate_timer), ms. */
    static final int TICK_MS = TOLERANCE_MS / 4;
    /** monitor.c MON_TIMEOUT: the domain-size re-check that lets monitors settle, ms. */
    static final long MON_TIMEOUT_MS = 120_000;
    /** Service type bound by one node and by the victim (binding updates). */
    static final int TYPE = 7100;

    private ClusterScale() { }

    /** One row: N nodes, in-memory or over UDP. Times in ms; -1 = not measured. */
    public record Row(String mode, int nodes, int jvms, int minLinks, int monitored, int monitoredMax, int recordBytes,
                      double probesPerNodePerSec, long heapPerNode, long linkedMs, long bindMs, long settledMs,
                      long detectMs, int victimMonitors) { }

    /** dom_size(N) - 1 own domain members plus one head per further domain: the peers a node monitors. */
    static int expectedMonitored(int n) {
        if (n <= Monitor.DEF_THRESHOLD) return n - 1;
        int d = (int) Math.ceil(Math.sqrt(n));
        return d - 1 + (n - 1) / d;
    }

    /** The own domain record's size as monitor.c computes it (dom_rec_len(dom_size(N) - 1)), bytes; 0 if inactive. */
    static int expectedRecordBytes(int n) {
        return n <= Monitor.DEF_THRESHOLD ? 0 : 16 + 4 * ((int) Math.ceil(Math.sqrt(n)) - 1);
    }

    static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static void log(String f, Object... a) {
        System.err.printf(Locale.ROOT, "scale: " + f + "%n", a);
    }

    // ------------------------------------------------------------------------------------------------ in-memory

    static long probes(SimNode s) {
        return s.core.links().stream().mapToLong(Link::sentProbes).sum();
    }

    /** N in-memory nodes: linked, converged, bindings, probes over 40 ticks, heap per node, a paused node detected. */
    public static Row sim(int n, long seed) {
        long h0 = usedHeapAfterGc();
        SimNetwork net = new SimNetwork(seed);
        for (int i = 0; i < n; i++) net.addNode("scale" + i, i + 1, 0x2000 * (i + 1) + 11);
        List<SimNode> ns = net.nodes();
        int want = expectedMonitored(n);
        long linked = -1;
        long limit = 200_000;
        while (net.now() < limit) {
            net.runFor(250);
            boolean all = ns.stream().allMatch(s -> s.core.links().stream().filter(Link::isUp).count() == n - 1);
            if (all && linked < 0) linked = net.now();
            if (all && ns.stream().allMatch(s -> s.core.bearer(0).monitor().monitoredCount() == want)) break;
        }
        long settled = net.now();
        for (SimNode s : ns) {
            Monitor m = s.core.bearer(0).monitor();
            if (m.monitoredCount() != want) throw new IllegalStateException(n + " nodes: monitors not settled by " + limit + " ms");
        }
        long t = net.now();
        int p0 = ns.get(0).core.openSocket(io.jtipc.node.SocketType.RDM, d -> true);
        if (ns.get(0).core.bind(net.now(), p0, Tipc.TIPC_CLUSTER_SCOPE, TYPE, 0, 0, ns.get(0)) != 0) throw new IllegalStateException("bind");
        while (!ns.stream().allMatch(s -> s.core.bindingTable().publications(TYPE, 0, 0).size() == 1)) {
            net.runFor(10);
            if (net.now() - t > 10_000) throw new IllegalStateException("binding did not converge");
        }
        long bindMs = net.now() - t;
        long before = ns.stream().mapToLong(ClusterScale::probes).sum();
        int ticks = 40;
        net.runFor(ticks * TICK_MS);
        long after = ns.stream().mapToLong(ClusterScale::probes).sum();
        double perSec = (after - before) / (double) n / (ticks * TICK_MS / 1000.0);
        int minLinks = (int) ns.stream().mapToLong(s -> s.core.links().stream().filter(Link::isUp).count()).min().orElse(0);
        Monitor m0 = ns.get(0).core.bearer(0).monitor();
        int monitored = m0.monitoredCount(), recordBytes = m0.ownRecordBytes();
        long heap = (usedHeapAfterGc() - h0) / n;
        // kill (pause) the middle node: time until every other node has its link down
        SimNode victim = ns.get(n / 2);
        int va = victim.core.ownAddr();
        int victimMonitors = (int) ns.stream().filter(s -> s != victim).filter(s -> s.core.bearer(0).monitor().peers()
            .stream().anyMatch(v -> v.addr() == va && (v.local() || v.head()))).count();
        victim.paused = true;
        long k = net.now();
        // checked after every simulated event (exact to the ms, no polling step)
        if (!net.runUntil(() -> ns.stream().allMatch(s -> s == victim || !s.core.peer(va).isUp()), k + 4L * TOLERANCE_MS)) {
            throw new IllegalStateException("killed node not detected by all");
        }
        return new Row("in-memory", n, 1, minLinks, monitored, monitored, recordBytes, perSec, heap, linked, bindMs,
            settled, net.now() - k, victimMonitors);
    }

    // ------------------------------------------------------------------------------------------------ UDP, parent

    /** One child JVM and its command lines. */
    static final class Child implements AutoCloseable {
        final Process process;
        final BufferedReader in;
        final PrintStream out;
        final int first, count;
        long h0;

        Child(int port, int n, int first, int count, String maxHeap) throws IOException {
            this.first = first;
            this.count = count;
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            process = new ProcessBuilder(java, "-Xmx" + maxHeap, "-XX:+UseSerialGC", "-Xss512k",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                ClusterScale.class.getName(), "--child", String.valueOf(port), String.valueOf(n), String.valueOf(first),
                String.valueOf(count)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            out = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        }

        String[] ask(String cmd, String word) throws IOException {
            out.println(cmd);
            return expect(word);
        }

        String[] expect(String word) throws IOException {
            String l = in.readLine();
            if (l == null) throw new IOException("child JVM of nodes " + first + ".." + (first + count - 1) + " ended");
            String[] f = l.split(" ");
            if (!f[0].equals(word)) throw new IOException("child answered '" + l + "', expected " + word);
            return f;
        }

        /** Per node: up links, bindings of TYPE seen, monitor active, monitored, record bytes, probes sent. */
        List<long[]> status() throws IOException {
            out.println("STATUS");
            List<long[]> r = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String[] f = expect("S");
                long[] v = new long[f.length - 1];
                for (int j = 1; j < f.length; j++) v[j - 1] = Long.parseLong(f[j]);
                r.add(v);
            }
            expect("END");
            return r;
        }

        @Override
        public void close() {
            try {
                if (process.isAlive()) out.println("QUIT");
                if (!process.waitFor(15, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Status indices of {@link Child#status()}. */
    static final int UP = 0, SEEN = 1, ACTIVE = 2, MONITORED = 3, RECORD = 4, PROBES = 5, ADDR = 6;

    static List<long[]> statusAll(List<Child> cs) throws IOException {
        List<long[]> r = new ArrayList<>();
        for (Child c : cs) r.addAll(c.status());
        return r;
    }

    /**
     * N nodes over UDP loopback in {@code jvms} child JVMs plus the victim's own JVM.
     *
     * @param settleLimitMs how long to wait for the monitors to settle after all linked (beyond MON_TIMEOUT), ms
     * @param measureMs how long to count probes, ms
     * @throws IOException a child failed, or a step did not complete in its limit (message names it)
     */
    public static Row udp(int n, int jvms, long settleLimitMs, long measureMs) throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        int workers = n - 1;
        List<Child> cs = new ArrayList<>();
        Child victim = null;
        try {
            int first = 0;
            for (int j = 0; j < jvms; j++) {
                int cnt = workers / jvms + (j < workers % jvms ? 1 : 0);
                cs.add(new Child(port, n, first, cnt, "384m"));
                first += cnt;
            }
            victim = new Child(port, n, n - 1, 1, "64m");
            List<Child> all = new ArrayList<>(cs);
            all.add(victim);
            long t0 = System.nanoTime();
            for (Child c : all) c.h0 = Long.parseLong(c.expect("READY")[1]);
            log("%d nodes started in %d JVMs + 1 (port %d) in %d ms", n, jvms, port, ms(t0));
            waitFor(all, s -> s[UP] == n - 1, 120_000, "all linked (N-1 links each)");
            long linkedMs = ms(t0);
            log("all %d linked after %d ms", n, linkedMs);
            long tb = System.nanoTime();
            cs.get(0).ask("BIND 0 0", "OK");
            victim.ask("BIND 0 1", "OK");
            waitFor(all, s -> s[SEEN] == 2, 20_000, "both bindings seen by all");
            long bindMs = ms(tb);
            log("bindings seen by all after %d ms", bindMs);
            int want = expectedMonitored(n);
            long limit = MON_TIMEOUT_MS + settleLimitMs;
            // exactly the kernel rule's count everywhere, or after MON_TIMEOUT + 20 s at most 2 more: a peer whose
            // record grew while this node had fewer peers keeps a stale applied count (monitor.c mon_update_neighbors
            // re-applies only dom_size(own count) predecessors; no new generation comes once the cluster is steady),
            // so its domain looks shorter and one more head is monitored: more probing, never less
            if (!tryWaitFor(all, s -> s[MONITORED] == want && s[UP] == n - 1, MON_TIMEOUT_MS + 20_000)) {
                waitFor(all, s -> s[MONITORED] >= want && s[MONITORED] <= want + 2 && s[UP] == n - 1, limit,
                    "monitors settled (" + want + " to " + (want + 2) + " monitored each)");
            }
            long settledMs = ms(t0);
            log("monitors settled after %d ms", settledMs);
            long p0 = statusAll(all).stream().mapToLong(s -> s[PROBES]).sum();
            long tm = System.nanoTime();
            Thread.sleep(measureMs);
            List<long[]> st = statusAll(all);
            double secs = (System.nanoTime() - tm) / 1e9;
            long p1 = st.stream().mapToLong(s -> s[PROBES]).sum();
            double perSec = (p1 - p0) / (double) n / secs;
            int minLinks = (int) st.stream().mapToLong(s -> s[UP]).min().orElse(0);
            int monitored = (int) st.stream().mapToLong(s -> s[MONITORED]).max().orElse(0);
            int monitoredMin = (int) st.stream().mapToLong(s -> s[MONITORED]).min().orElse(0);
            long atMax = st.stream().filter(s -> s[MONITORED] == monitored).count();
            int record = (int) st.stream().mapToLong(s -> s[RECORD]).max().orElse(0);
            if (st.stream().anyMatch(s -> s[RECORD] != record || s[ACTIVE] != (n > Monitor.DEF_THRESHOLD ? 1 : 0))) {
                throw new IOException("monitor activity or record size differs between nodes");
            }
            // heap per node: each worker JVM's heap after GC now minus after its warm-up node, over its nodes
            long heap = 0;
            int hn = 0;
            for (Child c : cs) {
                heap += Long.parseLong(c.ask("HEAP", "HEAP")[1]) - c.h0;
                hn += c.count;
            }
            long heapPerNode = heap / hn;
            // the victim: monitored directly by how many; then SIGKILL, and poll until every other node has it down
            long va = victim.status().get(0)[ADDR];
            int victimMonitors = 0;
            for (Child c : cs) victimMonitors += Integer.parseInt(c.ask("MONITORS " + va, "MONITORS")[1]);
            victim.process.destroyForcibly();
            long tk = System.nanoTime();
            long detect = -1;
            while (ms(tk) < 6L * TOLERANCE_MS) {
                int down = 0;
                for (Child c : cs) down += Integer.parseInt(c.ask("DOWN " + va, "DOWN")[1]);
                if (down == workers) {
                    detect = ms(tk);
                    break;
                }
                Thread.sleep(20);
            }
            if (detect < 0) throw new IOException("killed node not detected by all " + workers + " within " + 6 * TOLERANCE_MS + " ms");
            log("killed node (monitored by %d) detected by all %d after %d ms", victimMonitors, workers, detect);
            waitFor(cs, s -> s[SEEN] == 1, 10_000, "the killed node's binding withdrawn everywhere");
            log("monitored per node: %d to %d (%d nodes at %d)", monitoredMin, monitored, atMax, monitored);
            return new Row("UDP", n, jvms + 1, minLinks, monitoredMin, monitored, record, perSec, heapPerNode, linkedMs, bindMs, settledMs,
                detect, victimMonitors);
        } finally {
            for (Child c : cs) c.close();
            if (victim != null) victim.close();
        }
    }

    static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** Polls every child's status every 500 ms until {@code ok} holds for every node: true, or false after limitMs. */
    static boolean tryWaitFor(List<Child> cs, java.util.function.Predicate<long[]> ok, long limitMs) throws Exception {
        long t0 = System.nanoTime();
        while (ms(t0) <= limitMs) {
            if (statusAll(cs).stream().allMatch(ok)) return true;
            Thread.sleep(500);
        }
        return false;
    }

    /** Polls every child's status every 500 ms until {@code ok} holds for every node; returns the ms waited. */
    static long waitFor(List<Child> cs, java.util.function.Predicate<long[]> ok, long limitMs, String what) throws Exception {
        long t0 = System.nanoTime();
        while (true) {
            List<long[]> st = statusAll(cs);
            if (st.stream().allMatch(ok)) return ms(t0);
            if (ms(t0) > limitMs) {
                long bad = st.stream().filter(ok.negate()).count();
                throw new IOException("not reached within " + limitMs + " ms: " + what + " (" + bad + " of " + st.size()
                    + " nodes not there; first: " + java.util.Arrays.toString(st.stream().filter(ok.negate()).findFirst().get()) + ")");
            }
            Thread.sleep(500);
        }
    }

    // ------------------------------------------------------------------------------------------------ UDP, child

    static String ip(int i) {
        return "127.0.1." + (i + 1);
    }

    /** A child JVM: nodes first..first+count-1 of n; answers the parent's commands on stdin/stdout. */
    static void child(int port, int n, int first, int count) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err); // nothing but answers on stdout
        // a warm-up node (its own port, one unreachable replicast peer) started and closed first, so that class
        // initialisation and the JVM's shared caches are in the baseline, not in the per-node figure
        try (TipcNode w = TipcNode.builder().identity("scale-warmup-" + first).jmx(false)
                .bearer("udp:127.0.2." + (first % 250 + 1) + ":" + port + ",remote=127.0.2.254:" + port).start()) {
            w.links();
        }
        Thread.sleep(300);
        long h0 = usedHeapAfterGc();
        List<TipcNode> nodes = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            StringBuilder spec = new StringBuilder("udp:" + ip(i) + ":" + port);
            for (int j = 0; j < n; j++) if (j != i) spec.append(",remote=").append(ip(j)).append(':').append(port);
            spec.append(",name=s");
            nodes.add(TipcNode.builder().identity("scale-" + i).jmx(false).bearer(spec.toString()).build());
        }
        ExecutorService ex = Executors.newFixedThreadPool(count);
        List<Future<?>> fs = new ArrayList<>();
        for (TipcNode t : nodes) fs.add(ex.submit(() -> t.start()));
        for (Future<?> f : fs) f.get(30, TimeUnit.SECONDS);
        ex.shutdown();
        List<TipcSocket> socks = new ArrayList<>();
        out.println("READY " + h0);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try {
            for (String l; (l = in.readLine()) != null; ) {
                String[] f = l.split(" ");
                switch (f[0]) {
                    case "STATUS" -> {
                        for (TipcNode t : nodes) {
                            long up = t.links().stream().filter(LinkInfo::up).count();
                            long seen = t.bindings().stream().filter(b -> b.type() == TYPE).count();
                            List<LinkMonitorSummary> ms = t.linkMonitors();
                            LinkMonitorSummary m = ms.isEmpty() ? null : ms.get(0);
                            out.println("S " + up + " " + seen + " " + (m != null && m.active() ? 1 : 0) + " "
                                + (m == null ? 0 : m.monitored()) + " " + (m == null ? 0 : m.recordBytes()) + " "
                                + (m == null ? 0 : m.probesSent()) + " " + (t.address() & 0xffffffffL));
                        }
                        out.println("END");
                    }
                    case "BIND" -> {
                        TipcSocket s = TipcSocket.rdm(nodes.get(Integer.parseInt(f[1])));
                        s.bind(TipcAddress.ofService(TYPE, Integer.parseInt(f[2])));
                        socks.add(s);
                        out.println("OK");
                    }
                    case "HEAP" -> out.println("HEAP " + usedHeapAfterGc());
                    case "DOWN" -> {
                        int a = (int) Long.parseLong(f[1]);
                        int down = 0;
                        for (TipcNode t : nodes) if (t.links().stream().noneMatch(li -> li.peerNode() == a && li.up())) down++;
                        out.println("DOWN " + down);
                    }
                    case "MONITORS" -> {
                        int a = (int) Long.parseLong(f[1]);
                        int k = 0;
                        for (TipcNode t : nodes) {
                            for (LinkMonitorSummary m : t.linkMonitors()) {
                                if (m.peers().stream().anyMatch(p -> p.address() == a && p.monitored())) k++;
                            }
                        }
                        out.println("MONITORS " + k);
                    }
                    case "QUIT" -> {
                        return;
                    }
                    default -> out.println("ERR unknown command");
                }
            }
        } finally {
            for (TipcSocket s : socks) s.close();
            for (TipcNode t : nodes) t.close();
        }
    }

    // ------------------------------------------------------------------------------------------------ report

    /** The Markdown table of {@code rows}, with the N-1 and √N comparison and the per-peer heap slope per mode. */
    public static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| mode | N | JVMs | links per node (min) | monitored per node (kernel rule) | own record B | probes/s per node"
            + " | full mesh (N-1)/tick per s | probes/s ÷ √N | probes/s ÷ (N-1) | heap per node | all linked ms | binding seen by all ms"
            + " | monitors settled ms | killed node: direct monitors, detected by all ms |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            double mesh = (r.nodes() - 1) * 1000.0 / TICK_MS;
            sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %s (%d) | %d | %.1f | %.1f | %.2f | %.2f | %d KiB | %d | %d | %d | %d, %d |%n",
                r.mode(), r.nodes(), r.jvms(), r.minLinks(),
                r.monitored() == r.monitoredMax() ? String.valueOf(r.monitored()) : r.monitored() + "–" + r.monitoredMax(), expectedMonitored(r.nodes()), r.recordBytes(),
                r.probesPerNodePerSec(), mesh, r.probesPerNodePerSec() / Math.sqrt(r.nodes()),
                r.probesPerNodePerSec() / (r.nodes() - 1), r.heapPerNode() / 1024, r.linkedMs(), r.bindMs(), r.settledMs(),
                r.victimMonitors(), r.detectMs()));
        }
        for (String mode : List.of("in-memory", "UDP")) {
            List<Row> m = rows.stream().filter(r -> r.mode().equals(mode)).toList();
            if (m.size() < 2) continue;
            // heap slope between the two largest N (both measured after the 120 s settle when above the threshold);
            // probes between the smallest and the largest
            Row a = m.get(0), b = m.get(m.size() - 1), c = m.get(m.size() - 2);
            sb.append(String.format(Locale.ROOT, "%n%s: heap per node grows by %d B per extra peer (slope N=%d→%d); probes/s per"
                    + " node ×%.2f for N ×%.1f (√N ×%.2f, N-1 ×%.2f).%n", mode,
                (b.heapPerNode() - c.heapPerNode()) / (b.nodes() - c.nodes()), c.nodes(), b.nodes(),
                b.probesPerNodePerSec() / a.probesPerNodePerSec(), b.nodes() / (double) a.nodes(),
                Math.sqrt(b.nodes() / (double) a.nodes()), (b.nodes() - 1) / (double) (a.nodes() - 1)));
        }
        return sb.toString();
    }

    static List<Integer> sizes(String s) {
        List<Integer> r = new ArrayList<>();
        for (String x : s.split(",")) r.add(Integer.parseInt(x.trim()));
        return r;
    }

    /**
     * {@code --sim 10,25,50,100} and/or {@code --udp 10,25,50,100 [--jvms 3] [--settle-ms 60000] [--measure-ms 15000]},
     * or {@code --child PORT N FIRST COUNT} (internal).
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 5 && args[0].equals("--child")) {
            child(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            return;
        }
        List<Integer> sim = List.of(), udp = List.of();
        int jvms = 3;
        long settle = 60_000, measure = 15_000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--sim" -> sim = sizes(args[++i]);
                case "--udp" -> udp = sizes(args[++i]);
                case "--jvms" -> jvms = Integer.parseInt(args[++i]);
                case "--settle-ms" -> settle = Long.parseLong(args[++i]);
                case "--measure-ms" -> measure = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("usage: ClusterScale [--sim N,..] [--udp N,..] [--jvms J]"
                    + " [--settle-ms MS] [--measure-ms MS]");
            }
        }
        List<Row> rows = new ArrayList<>();
        for (int n : sim) {
            Row r = sim(n, n);
            log("%s", r);
            rows.add(r);
        }
        for (int n : udp) {
            Row r = udp(n, Math.min(jvms, n - 1), settle, measure);
            log("%s", r);
            rows.add(r);
        }
        System.out.print(table(rows));
    }
}
