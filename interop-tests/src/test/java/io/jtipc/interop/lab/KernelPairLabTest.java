package io.jtipc.interop.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.jtipc.lab.ExecResult;
import io.jtipc.lab.GuestJob;
import io.jtipc.lab.Host;
import io.jtipc.lab.KernelNode;
import io.jtipc.lab.KernelVersion;
import io.jtipc.lab.Lab;
import io.jtipc.lab.NetnsProcess;
import io.jtipc.lab.PacketCapture;
import io.jtipc.lab.Veth;
import io.jtipc.lab.junit.CaptureCheck;
import io.jtipc.lab.junit.LabExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two kernel nodes on the lab bridge (booted once per class): links come up, RDM / SEQPACKET /
 * STREAM echo, topology events, group broadcast, a jtipc veth port reachable; the capture of the
 * whole run is dissected by jtipc's capture module without a malformed frame. Subclasses choose the
 * kernels.
 */
@ExtendWith(LabExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class KernelPairLabTest {
    private static final Duration T = Duration.ofSeconds(60);

    Lab lab;
    PacketCapture capture;
    KernelNode a;
    KernelNode b;

    abstract KernelVersion versionA();

    abstract KernelVersion versionB();

    @BeforeAll
    void bootPair(Lab lab) {
        this.lab = lab;
        capture = lab.capture(LabExtension.pcapPath(lab, "pair"));
        long t0 = System.nanoTime();
        List<KernelNode> nodes = lab.bootCluster(versionA(), versionB());
        a = nodes.get(0);
        b = nodes.get(1);
        System.err.printf("[jtipc-lab] %s: boot %d ms / %d ms, cluster ready %d ms after start%n", getClass().getSimpleName(),
                a.bootMillis(), b.bootMillis(), (System.nanoTime() - t0) / 1_000_000);
    }

    @AfterAll
    void report() {
        if (lab != null) {
            System.err.println("[jtipc-lab] " + lab + " workdir " + lab.workDir());
        }
    }

    @Test
    @Order(1)
    void nodesRunTheRequestedKernelsAndLinkUp() {
        assertThat(a.exec("uname -r").requireOk().output()).startsWith(versionA().label() + ".");
        assertThat(b.exec("uname -r").requireOk().output()).startsWith(versionB().label() + ".");
        assertThat(a.upLinks()).singleElement().asString().contains(":eth0-").contains(b.name());
        assertThat(b.upLinks()).hasSize(1);
        assertThat(a.tipc("node", "list").output()).contains("up");
    }

    @Test
    @Order(2)
    void rdmEcho() {
        try (GuestJob echo = b.startAgent("rdm-echo", "1000", "1").awaitReady(T)) {
            ExecResult ping = a.agent(T, "rdm-ping", "1000", "1", "20", "1000").requireOk();
            assertThat(ping.lines()).filteredOn(l -> l.startsWith("OK 1000 bytes")).hasSize(20);
            assertThat(ping.lines()).contains("DONE sent 20 ok 20");
            echo.awaitLine(l -> l.equals("ECHO 1000 bytes"), T, "an ECHO line");
        }
    }

    @Test
    @Order(3)
    void seqpacketEcho() {
        try (GuestJob echo = b.startAgent("conn-echo", "seqpacket", "1001", "1").awaitReady(T)) {
            // 5000 bytes: above the ~1500 byte MTU, so the kernel fragments every message
            ExecResult ping = a.agent(T, "conn-ping", "seqpacket", "1001", "1", "10", "5000").requireOk();
            assertThat(ping.lines()).contains("DONE sent 10 ok 10");
            echo.awaitLine(l -> l.startsWith("ACCEPTED "), T, "an ACCEPTED line");
        }
    }

    @Test
    @Order(4)
    void streamEcho() {
        try (GuestJob echo = b.startAgent("conn-echo", "stream", "1002", "1").awaitReady(T)) {
            ExecResult ping = a.agent(T, "conn-ping", "stream", "1002", "1", "5", "100000").requireOk();
            assertThat(ping.lines()).contains("DONE sent 5 ok 5");
        }
    }

    @Test
    @Order(5)
    void topologyEventsCrossTheLink() {
        try (GuestJob sub = b.startAgent("subscribe", "2000", "0", "100", "ports").awaitReady(T)) {
            try (GuestJob pub = a.startAgent("publish", "2000", "5", "7").awaitReady(T)) {
                String ev = sub.awaitLine(l -> l.startsWith("EVENT published 2000 5 7"), T, "a published event");
                assertThat(ev.split(" ")).hasSize(7);
            }
            sub.awaitLine(l -> l.startsWith("EVENT withdrawn 2000 5 7"), T, "a withdrawn event");
        }
    }

    @Test
    @Order(6)
    void groupBroadcastReachesTheOtherMember() {
        try (GuestJob m1 = a.startAgent("group-join", "3000", "1").awaitReady(T)) {
            try (GuestJob m2 = b.startAgent("group-join", "3000", "2", "5", "100").awaitReady(T)) {
                m2.awaitLine(l -> l.startsWith("MEMBER up 3000 1 "), T, "member 1 up");
                m1.awaitLine(l -> l.startsWith("MEMBER up 3000 2 "), T, "member 2 up");
                List<String> got = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    got.add(m1.awaitLine(l -> l.startsWith("RECV "), T, "broadcast " + (i + 1)));
                }
                assertThat(got).allMatch(l -> l.startsWith("RECV 100 bytes") && l.endsWith("member 2"));
            }
            m1.awaitLine(l -> l.startsWith("MEMBER down 3000 2 "), T, "member 2 down");
        }
    }

    @Test
    @Order(7)
    void vethPortIsOnTheSegment() {
        Veth v = lab.addVeth("jt0");
        // the jtipc end lives in the lab namespace, with its own MAC and an address of the lab subnet
        assertThat(v.netns()).isEqualTo(lab.netns());
        assertThat(a.exec("ping -c 2 -W 3 " + v.ipv4(), T).requireOk().output()).contains("2 packets received");
        assertThat(Host.run(java.time.Duration.ofSeconds(10), v.command("ip", "-o", "link", "show", v.name())).output())
                .contains(v.mac());
        // kernel TIPC frames (discovery broadcasts, every ~1-2 s once linked) reach the jtipc port
        Host.Result seen = Host.run(Duration.ofSeconds(20),
                v.command("timeout", "15", "tcpdump", "-i", v.name(), "-c", "1", "-nn", "-e", "ether", "proto", "0x88ca"));
        assertThat(seen.output()).as("tcpdump on %s", v.name()).contains("1 packet captured").contains("(0x88ca)").contains("52:54:00:4a:00:");
    }

    @Test
    @Order(10)
    void aJvmInTheNamespaceReachesKernelNodesOverItsVeth() throws Exception {
        Veth v = lab.addVeth("jtj");
        try (NetnsProcess jvm = lab.startJava(List.of("-Xmx64m"), NetnsProbe.class.getName(), v.ipv4(), "6999")) {
            jvm.awaitLine("READY"::equals, T, "READY");
            // it sees the lab's interfaces (those with an address: Java lists no others), none of the host's
            List<String> hostInterfaces = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())
                    .stream().map(ni -> "IF " + ni.getName()).filter(n -> !n.equals("IF lo")).toList();
            assertThat(jvm.lines()).contains("IF " + v.name(), "IF lo").doesNotContainAnyElementsOf(hostInterfaces);
            // busybox nc in the guest: a line over TCP to the JVM, its echo back
            ExecResult r = a.exec("echo hello-jvm | nc -w 5 " + v.ipv4() + " 6999", T);
            assertThat(r.output()).contains("hello-jvm");
            jvm.awaitLine(l -> l.startsWith("ECHO "), T, "ECHO line");
        }
    }

    @Test
    @Order(8)
    void rdmSurvivesAnImpairedLink() {
        a.impair("loss 7% reorder 5% delay 2ms");
        try (GuestJob echo = b.startAgent("rdm-echo", "1003", "1").awaitReady(T)) {
            ExecResult ping = a.agent(T, "rdm-ping", "1003", "1", "50", "3000", "20000").requireOk();
            assertThat(ping.lines()).contains("DONE sent 50 ok 50");
        } finally {
            a.clearImpairment();
        }
        assertThat(a.exec(KernelNode.TC + " qdisc show dev eth0").requireOk().output()).doesNotContain("netem");
    }

    @Test
    @Order(9)
    void udpBearersLinkTheNodesToo() {
        a.enableUdpBearer("u1");
        b.enableUdpBearer("u1");
        a.awaitUpLinks(2, Duration.ofSeconds(30));
        b.awaitUpLinks(2, Duration.ofSeconds(30));
        assertThat(a.upLinks()).anyMatch(l -> l.contains(":u1-")).anyMatch(l -> l.contains(":eth0-"));
    }

    @Test
    @Order(100)
    void captureDissectsWithoutMalformedFrames() throws Exception {
        CaptureCheck.Report r = CaptureCheck.requireCleanCapture(capture, "jtipc-lab", 50);
        assertThat(r.messages()).isGreaterThan(50);
    }
}
