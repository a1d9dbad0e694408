package io.jtipc.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import io.jtipc.api.LinkInfo;
import io.jtipc.api.LinkMonitorSummary;
import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcSocket;
import io.jtipc.lab.KernelNode;
import io.jtipc.lab.KernelVersion;
import io.jtipc.lab.Lab;
import io.jtipc.lab.Veth;
import io.jtipc.lab.junit.LabExtension;

/**
 * Issue 16, scale with the lab's kernels: 40 jtipc nodes (this JVM, UDP bearers on one lab veth address, ports P..P+39)
 * and a 6.1 and a 6.12 kernel node (UDP bearers, replicast to every jtipc node and to each other): 42 nodes, so
 * neighbour monitoring is active on all of them (threshold 32). Everyone linked (41 links each); the kernels report
 * cluster_size 42 and algorithm overlapping-ring ({@code tipc link monitor summary}) and apply 6-member domain records
 * ({@code tipc link monitor list}); every jtipc node applies the kernels'
 * records (dom_size ⌈√42⌉ = 7: 6 members) and rejects none; a jtipc binding reaches both kernels; the 6.12 guest is
 * killed (qemu SIGKILL) and every jtipc node and the 6.1 kernel take their link to it down within 2 × tolerance
 * + 2 ticks + 2 s of polling slack (the kernels' UDP tolerance is 1500 ms).
 */
@ExtendWith(LabExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MonitorScaleInteropTest {
    static final int JT = 40;
    static final Duration T = Duration.ofSeconds(180);
    static final int TOL = 1500;

    Lab lab;
    List<KernelNode> ks;
    Veth jt0;
    final List<TipcNode> nodes = new ArrayList<>();

    @BeforeAll
    void start(Lab lab) {
        this.lab = lab;
        jt0 = lab.addVeth("jt0");
        ks = lab.bootAll(KernelVersion.V6_1, KernelVersion.V6_12);
        for (KernelNode k : ks) k.setIdentity(k.name());
    }

    @AfterAll
    void stop() {
        for (TipcNode n : nodes) n.close();
        if (lab != null) System.err.println("[monitor-scale] " + lab + " workdir " + lab.workDir());
    }

    static void await(BooleanSupplier c, Duration limit, String what) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            if (c.getAsBoolean()) return;
            Thread.sleep(200);
        }
        assertThat(c.getAsBoolean()).as(what).isTrue();
    }

    static long upLinks(TipcNode n) {
        try {
            return n.links().stream().filter(LinkInfo::up).count();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static LinkMonitorSummary monitor(TipcNode n) {
        try {
            return n.linkMonitors().get(0);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void fortyJtipcNodesAndTwoKernelsLinkMonitorEachOtherAndDetectAKilledKernel() throws Exception {
        int port = 21000 + ThreadLocalRandom.current().nextInt(18000);
        String j = jt0.ipv4();
        KernelNode k61 = ks.get(0), k612 = ks.get(1);
        for (KernelNode k : ks) {
            k.tipc("bearer", "enable", "media", "udp", "name", "u1", "localip", k.ipv4(), "remoteip", j, "remoteport",
                String.valueOf(port));
            for (int i = 1; i < JT; i++) {
                k.tipc("bearer", "add", "media", "udp", "name", "u1", "remoteip", j, "remoteport", String.valueOf(port + i));
            }
            for (KernelNode o : ks) if (o != k) k.tipc("bearer", "add", "media", "udp", "name", "u1", "remoteip", o.ipv4());
        }
        for (int i = 0; i < JT; i++) {
            StringBuilder spec = new StringBuilder("udp:" + j + ":" + (port + i));
            for (int x = 0; x < JT; x++) if (x != i) spec.append(",remote=").append(j).append(':').append(port + x);
            for (KernelNode k : ks) spec.append(",remote=").append(k.ipv4()).append(":6118");
            spec.append(",name=s");
            nodes.add(TipcNode.builder().identity("jtscale" + i).jmx(false).netns(lab.netns()).bearer(spec.toString()).build());
        }
        ExecutorService ex = Executors.newFixedThreadPool(JT);
        List<Future<?>> fs = new ArrayList<>();
        for (TipcNode n : nodes) fs.add(ex.submit(() -> n.start()));
        for (Future<?> f : fs) f.get(60, TimeUnit.SECONDS);
        ex.shutdown();
        int peers = JT + ks.size() - 1;
        long t0 = System.nanoTime();
        await(() -> nodes.stream().allMatch(n -> upLinks(n) == peers), T, "every jtipc node has " + peers + " links up");
        for (KernelNode k : ks) k.awaitUpLinks(peers, T);
        System.err.printf("[monitor-scale] all %d nodes linked after %d ms%n", JT + ks.size(), (System.nanoTime() - t0) / 1_000_000);

        // the kernels' monitors: active, cluster_size 42; jtipc's records applied (tipc link monitor list)
        for (KernelNode k : ks) {
            String sum = k.tipc("link", "monitor", "summary").output();
            System.err.println("[monitor-scale] " + k.name() + ": " + sum.trim().replace('\n', ' '));
            // iproute2: "cluster_size N", "algorithm overlapping-ring" when active, "full-mesh" when not
            assertThat(sum).containsPattern("cluster_size\\s+" + (JT + ks.size()) + "\\b").contains("algorithm overlapping-ring");
        }
        // jtipc: the kernels' records applied (6 members each once the kernel's domain is sized for 42), none rejected
        int d = (int) Math.ceil(Math.sqrt(JT + ks.size()));
        int a61 = kernelAddr(nodes.get(0), k61), a612 = kernelAddr(nodes.get(0), k612);
        assertThat(a61).isNotZero();
        assertThat(a612).isNotZero();
        await(() -> nodes.stream().allMatch(n -> {
            LinkMonitorSummary m = monitor(n);
            // own record sized for 42 (jtipc's domain-size re-check, MON_TIMEOUT 120 s, as the kernel's)
            return m.active() && m.peerCount() == JT + ks.size() && m.rejectedRecords() == 0
                && m.recordBytes() == 16 + 4 * (d - 1)
                && m.peers().stream().filter(p -> p.address() == a61 || p.address() == a612)
                    .allMatch(p -> p.members().size() == d - 1);
        }), Duration.ofSeconds(200), "every jtipc node sends a " + (d - 1) + "-member record and applied both kernels'");
        System.err.printf("[monitor-scale] records: jtipc %d B, kernels' applied by all after %d ms%n",
            monitor(nodes.get(0)).recordBytes(), (System.nanoTime() - t0) / 1_000_000);
        // the kernels apply jtipc's 6-member records: applied_node_status "UUUUU,U" (iproute2 groups by 5) on a peer line
        for (KernelNode k : ks) {
            await(() -> k.tipc("link", "monitor", "list").output().contains("UUUUU,U"), Duration.ofSeconds(60),
                k.name() + " applied a 6-member domain record");
        }
        String list = k61.tipc("link", "monitor", "list").output();
        System.err.println("[monitor-scale] " + k61.name() + " monitor list:\n" + list);

        // a jtipc binding reaches both kernels
        try (TipcSocket s = TipcSocket.rdm(nodes.get(7))) {
            s.bind(TipcAddress.ofService(18990, 3));
            for (KernelNode k : ks) {
                await(() -> k.tipc("nametable", "show").output().contains("18990"), Duration.ofSeconds(30),
                    "jtipc binding on " + k.name());
            }
        }

        // the 6.12 guest crashes: every jtipc node and the 6.1 kernel take the link down
        int dead = a612;
        long tk = System.nanoTime();
        k612.kill();
        long bound = 2L * TOL + 2L * TOL / 4 + 2000;
        await(() -> nodes.stream().allMatch(n -> linkDown(n, dead)), Duration.ofMillis(bound),
            "all 40 jtipc nodes detect the killed kernel");
        long jt = (System.nanoTime() - tk) / 1_000_000;
        // the same bound, measured from the kill: only what is left of it after the jtipc nodes' wait
        long left = Math.max(0, bound - (System.nanoTime() - tk) / 1_000_000);
        await(() -> k61.upLinks().size() == peers - 1, Duration.ofMillis(left), "the 6.1 kernel detects it");
        System.err.printf("[monitor-scale] killed 6.12 detected by all 40 jtipc nodes after %d ms, by 6.1 after %d ms%n",
            jt, (System.nanoTime() - tk) / 1_000_000);
    }

    static boolean linkDown(TipcNode n, int addr) {
        try {
            return n.links().stream().noneMatch(l -> l.peerNode() == addr && l.up());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A kernel node's address as a jtipc node knows it (the peer of the link whose name ends in the kernel's name). */
    static int kernelAddr(TipcNode n, KernelNode k) {
        try {
            return n.links().stream().filter(l -> l.name().contains("-" + k.name() + ":")).findFirst()
                .map(LinkInfo::peerNode).orElse(0);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
