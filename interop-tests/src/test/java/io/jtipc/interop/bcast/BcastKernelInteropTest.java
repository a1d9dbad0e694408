package io.jtipc.interop.bcast;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcMessage;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcOption;
import io.jtipc.api.TipcSocket;
import io.jtipc.capture.CapturedMessage;
import io.jtipc.capture.DissectorOptions;
import io.jtipc.capture.Origin;
import io.jtipc.capture.TipcCaptureDissector;
import io.jtipc.capture.TipcMessageListener;
import io.jtipc.lab.GuestJob;
import io.jtipc.lab.KernelNode;
import io.jtipc.lab.KernelVersion;
import io.jtipc.lab.Lab;
import io.jtipc.lab.PacketCapture;
import io.jtipc.lab.Veth;
import io.jtipc.lab.junit.CaptureCheck;
import io.jtipc.lab.junit.LabExtension;

/**
 * Issue 16: jtipc's own broadcast link in a cluster of three kernel nodes (5.10, 6.1, 6.12) and a jtipc node on one
 * bridge. Each kernel runs the agent's {@code rdm-echo} bound to {TYPE, i} (i = 1..3) and echoes every message it
 * receives to the sender's socket, so the order in which each kernel received jtipc's multicasts comes back to jtipc.
 * jtipc multicasts {@link #COUNT} numbered messages to {TYPE, 1, 3} (three destinations of three peers: more than the
 * threshold 1 + 3 × 10 %, so by broadcast; at most 256 ahead of the echoes, as multicast has no end-to-end flow
 * control): every kernel receives all, in order; the same with replicast forced
 * ({@code TIPC_MCAST_REPLICAST}) for the middle third and freed again (two method switches with the SYN twin); each
 * kernel's multicast to a range jtipc is bound in still reaches jtipc. The capture shows every node's discovery
 * capabilities with TIPC_MCAST_RBCTL (so the kernels' cluster capabilities keep it: node.c ANDs them) and jtipc's
 * multicasts as non-sequenced frames of its broadcast link; the kernels' own method switches are SYN-marked (which
 * they do only with TIPC_MCAST_RBCTL in their cluster capabilities), as are jtipc's two.
 */
@ExtendWith(LabExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BcastKernelInteropTest {
    static final Duration T = Duration.ofSeconds(60);
    static final int TYPE = 21016;
    /** Multicasts per test (system property jtipc.bcast.count, default 10 000). */
    static final int COUNT = Integer.getInteger("jtipc.bcast.count", 10_000);
    static final int SIZE = 64;
    /** Multicasts sent ahead of the slowest kernel's echoes. */
    static final int WINDOW = 256;
    static final int TIPC_MCAST_RBCTL = 0x80;

    Lab lab;
    PacketCapture capture;
    Veth veth;
    List<KernelNode> kernels;
    final List<GuestJob> echoes = new ArrayList<>();
    TipcNode node;
    TipcSocket sock;
    /** Echoes received: per kernel node address, the message numbers in arrival order. */
    final Map<Integer, List<Integer>> got = new ConcurrentHashMap<>();
    final AtomicInteger received = new AtomicInteger();
    Thread reader;
    volatile boolean reading = true;

    @BeforeAll
    void start(Lab lab) throws Exception {
        this.lab = lab;
        capture = lab.capture(LabExtension.pcapPath(lab, "jtipc-bcast"));
        veth = lab.addVeth("jb0");
        kernels = lab.bootCluster(KernelVersion.V5_10, KernelVersion.V6_1, KernelVersion.V6_12);
        node = TipcNode.builder().identity("jtipcb").netns(veth.netns()).bearer("eth:" + veth.name()).start();
        for (KernelNode kn : kernels) {
            node.awaitLink(l -> l.up() && l.name().contains("-" + kn.name() + ":"), T);
            kn.awaitUpLinks(kernels.size(), T);
        }
        for (int i = 0; i < kernels.size(); i++) {
            echoes.add(kernels.get(i).startAgent("rdm-echo", Integer.toString(TYPE), Integer.toString(i + 1), "quiet")
                .awaitReady(T));
        }
        for (int i = 1; i <= kernels.size(); i++) {
            int inst = i;
            node.awaitBinding(b -> b.type() == TYPE && b.lower() == inst, T);
        }
        sock = TipcSocket.rdm(node);
        reader = new Thread(this::read, "bcast-echo-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        while (reading) {
            try {
                TipcMessage m = sock.receive(Duration.ofMillis(200));
                if (m == null) continue;
                got.computeIfAbsent(m.source().node(), k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                    .add(ByteBuffer.wrap(m.payload()).getInt());
                received.incrementAndGet();
            } catch (Exception e) {
                if (reading) e.printStackTrace();
                return;
            }
        }
    }

    @AfterAll
    void stop() {
        reading = false;
        for (GuestJob j : echoes) j.close();
        if (sock != null) sock.close();
        if (node != null) node.close();
        if (lab != null) System.err.println("[jtipc-bcast] " + lab + " workdir " + lab.workDir());
    }

    /**
     * Multicasts [from, to) to {TYPE, 1, 3}; at {@code forceAt} forces replicast, at {@code freeAt} frees it again.
     * Multicast has no end-to-end flow control (a full receive queue drops a dest-droppable message), so at most
     * {@link #WINDOW} messages are sent ahead of the slowest kernel's echoes.
     */
    private void multicast(int from, int to, int forceAt, int freeAt) throws Exception {
        TipcAddress range = TipcAddress.ofServiceRange(TYPE, 1, kernels.size());
        for (int i = from; i < to; i++) {
            long end = System.nanoTime() + T.toNanos();
            while (slowestEcho() < i - WINDOW) {
                assertThat(System.nanoTime()).as("echoes of message %d within %s", i - WINDOW, T).isLessThan(end);
                Thread.sleep(1);
            }
            if (i == forceAt) sock.setOption(TipcOption.MCAST_REPLICAST, true);
            if (i == freeAt) sock.setOption(TipcOption.MCAST_REPLICAST, false);
            byte[] b = new byte[SIZE];
            ByteBuffer.wrap(b).putInt(i);
            sock.send(range, b); // waits while the broadcast link (or a link) is congested
        }
    }

    private int slowestEcho() {
        if (got.size() < kernels.size()) return 0;
        int min = Integer.MAX_VALUE;
        for (List<Integer> l : got.values()) min = Math.min(min, l.size());
        return min;
    }

    /** Waits until every kernel echoed [0, n) and checks each got them in order, once. */
    private void awaitEchoes(int n) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(Math.max(120, n / 50)).toNanos();
        while (received.get() < n * kernels.size() && System.nanoTime() < end) Thread.sleep(200);
        Thread.sleep(1000); // duplicates would arrive now
        assertThat(got).as("echoes from every kernel").hasSize(kernels.size());
        List<Integer> expected = new ArrayList<>(n);
        for (int i = 0; i < n; i++) expected.add(i);
        for (Map.Entry<Integer, List<Integer>> e : got.entrySet()) {
            List<Integer> l;
            synchronized (e.getValue()) {
                l = new ArrayList<>(e.getValue());
            }
            assertThat(l).as("messages kernel %x received, in its order", e.getKey()).isEqualTo(expected);
        }
    }

    @Test
    @Order(1)
    void everyKernelReceivesAllMulticastsInOrder() throws Exception {
        got.clear();
        received.set(0);
        long t0 = System.nanoTime();
        multicast(0, COUNT, -1, -1);
        awaitEchoes(COUNT);
        System.err.printf("[jtipc-bcast] %d multicasts to 3 kernels, all echoed in order in %d ms%n", COUNT,
            (System.nanoTime() - t0) / 1_000_000);
    }

    @Test
    @Order(2)
    void forcingReplicastAndSwitchingBackMidStreamKeepsOrder() throws Exception {
        got.clear();
        received.set(0);
        multicast(0, COUNT, COUNT / 3, 2 * COUNT / 3);
        awaitEchoes(COUNT);
    }

    @Test
    @Order(3)
    void aKernelMulticastToJtipcStillWorks() throws Exception {
        int type = TYPE + 1;
        int n = 200;
        try (TipcSocket s = TipcSocket.rdm(node)) {
            s.bind(TipcAddress.ofServiceRange(type, 10, 20));
            for (KernelNode kn : kernels) {
                long end = System.nanoTime() + T.toNanos();
                while (kn.tipc("nametable", "show").lines().stream().noneMatch(l -> l.startsWith(type + " "))) {
                    assertThat(System.nanoTime()).as("jtipc's binding in %s", kn.name()).isLessThan(end);
                    Thread.sleep(200);
                }
                var r = kn.agent(Duration.ofSeconds(120), "mcast-send", Integer.toString(type), "12", "17",
                    Integer.toString(n), "100", "10000");
                assertThat(r.lines()).as(r.toString()).contains("MCAST sent " + n);
                for (int i = 0; i < n; i++) {
                    TipcMessage m = s.receive(Duration.ofSeconds(20));
                    assertThat(m).as("%s: message %d", kn.name(), i).isNotNull();
                    assertThat(ByteBuffer.wrap(m.payload()).getInt()).as("%s: order", kn.name()).isEqualTo(i);
                }
            }
            assertThat(s.receive(Duration.ofMillis(300))).as("no duplicate").isNull();
        }
    }

    @Test
    @Order(100)
    void captureShowsRbctlEverywhereAndJtipcsMulticastsOnItsBroadcastLink() throws Exception {
        // tcpdump lags behind the guests under load, and drops what it has not written when stopped: wait until the
        // file stops growing (at most 2 minutes)
        long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        long size = -1;
        while (System.nanoTime() < end) {
            long s = java.nio.file.Files.size(capture.file());
            if (s == size) break;
            size = s;
            Thread.sleep(3000);
        }
        CaptureCheck.requireCleanCapture(capture, "jtipc-bcast", 1000);
        System.err.println("[jtipc-bcast] tcpdump: " + capture.output());
        int jtipc = node.address();
        Map<Integer, Integer> capsByNode = new HashMap<>();
        long[] bcastMcast = {0};
        // distinct (link: destination node or the broadcast link, seqno): a retransmitted SYN copy counts once
        java.util.List<java.util.Set<Long>> jtipcSyn = java.util.List.of(new java.util.HashSet<>(), new java.util.HashSet<>());
        java.util.Set<Integer> kernelSyn = new java.util.HashSet<>();
        // the last top-level packet: non-sequenced (w0 bit 20), its seqno (w2 bits 15-0), messages seen inside it; a
        // bundled message (jtipc and the kernel bundle small messages on the broadcast link too: link.c tipc_link_xmit)
        // is on the link its bundle was on, numbered by the bundle's seqno and its place in it
        long[] outer = {0, 0, 0};
        new TipcCaptureDissector(DissectorOptions.defaults()).dissect(capture.file(), new TipcMessageListener() {
            @Override
            public void onMessage(CapturedMessage m) {
                boolean bundled = m.origin() == Origin.BUNDLED && m.depth() == 1;
                if (m.depth() == 0) {
                    outer[0] = (m.word(0) >>> 20) & 1;
                    outer[1] = m.word(2) & 0xffff;
                    outer[2] = 0;
                } else if (bundled) {
                    outer[2]++;
                } else {
                    return;
                }
                if (m.user() == 13) { // LINK_CONFIG: w1 bits 27-15 node capabilities (msg.h msg_node_capabilities)
                    capsByNode.merge(m.word(3), (m.word(1) >>> 15) & 0x1fff, (a, b) -> a & b); // w3: prevnode
                }
                boolean nonSeq = bundled ? outer[0] == 1 : ((m.word(0) >>> 20) & 1) == 1;
                if (nonSeq && m.user() <= 3 && m.type() == 1 && m.srcNode() == jtipc) bcastMcast[0]++;
                boolean syn = ((m.word(0) >>> 17) & 1) == 1;
                if (syn && m.user() <= 3 && m.type() == 1) {
                    if (m.srcNode() == jtipc) {
                        long link = nonSeq ? 0 : m.dstNode() & 0xffffffffL;
                        long seq = bundled ? outer[1] : m.word(2) & 0xffff; // w2 bits 15-0: seqno
                        jtipcSyn.get(nonSeq ? 1 : 0).add(link << 24 | seq << 8 | (bundled ? outer[2] : 0));
                    }
                    else kernelSyn.add(m.srcNode());
                }
            }
        });
        System.err.printf("[jtipc-bcast] discovery capabilities %s; jtipc multicasts on its broadcast link: %d%n",
            capsByNode, bcastMcast[0]);
        assertThat(capsByNode).as("discovery from 3 kernels and jtipc").hasSizeGreaterThanOrEqualTo(4);
        assertThat(capsByNode.values()).as("every node advertises TIPC_MCAST_RBCTL: the cluster keeps it")
            .allSatisfy(c -> assertThat(c & TIPC_MCAST_RBCTL).isNotZero());
        // a kernel SYN-marks a multicast on a method switch only when its cluster capabilities (node.c: ANDed over
        // all nodes, jtipc's included) have TIPC_MCAST_RBCTL (bcast.c tipc_mcast_send_sync): each kernel's first
        // multicast to jtipc (test 3) switched from its initial broadcast to replicast
        System.err.printf("[jtipc-bcast] SYN-marked multicasts: kernels %s, jtipc unicast %d broadcast link %d%n",
            kernelSyn, jtipcSyn.get(0).size(), jtipcSyn.get(1).size());
        assertThat(kernelSyn).as("kernels that sent a SYN-marked (method switch) multicast").hasSize(kernels.size());
        // jtipc's two switches in test 2: to replicast (3 SYN copies + the twin on the broadcast link) and back (the
        // SYN message on the broadcast link + 3 twins)
        assertThat(jtipcSyn.get(0)).hasSize(6);
        assertThat(jtipcSyn.get(1)).hasSize(2);
        // test 1 all by broadcast, test 2 two thirds
        assertThat(bcastMcast[0]).as("jtipc's multicasts as non-sequenced frames of its broadcast link")
            .isGreaterThanOrEqualTo(COUNT + 2L * COUNT / 3 - 1);
    }
}
