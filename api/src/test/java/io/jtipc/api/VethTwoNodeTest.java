package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two TipcNodes over raw Ethernet on a veth pair inside a network namespace this test creates (root only;
 * skipped otherwise). Nothing leaves the namespace.
 */
class VethTwoNodeTest {
    static final String NS = "jtipc-api-" + ProcessHandle.current().pid();

    @BeforeAll
    static void createNamespace() throws Exception {
        createNamespaceNamed(NS);
    }

    @AfterAll
    static void removeNamespace() throws Exception {
        removeNamespaceNamed(NS);
    }

    /** Namespace {@code ns} with veth pair va/vb, both up; skips the test class unless root with iproute2. */
    static void createNamespaceNamed(String ns) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root (netns, AF_PACKET)");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))
                || Files.isExecutable(Path.of("/usr/bin/ip")), "needs iproute2");
        run("ip", "netns", "add", ns);
        run("ip", "-n", ns, "link", "add", "va", "type", "veth", "peer", "name", "vb");
        run("ip", "-n", ns, "link", "set", "va", "up");
        run("ip", "-n", ns, "link", "set", "vb", "up");
    }

    static void removeNamespaceNamed(String ns) throws Exception {
        if (Files.exists(Path.of("/var/run/netns", ns))) run("ip", "netns", "del", ns);
    }

    static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    @Test
    void linkBindingsEchoAndShutdownOverEthernet() throws Exception {
        try (TipcNode a = TipcNode.builder().identity("jt-eth-a").netns(NS).bearer("eth:va").start();
             TipcNode b = TipcNode.builder().identity("jt-eth-b").bearer("eth:vb", NS).start()) {
            TwoNodeChecks.linkBindingsEcho(a, b, "va", "vb");
            assertThat(a.links().get(0).mtu()).isEqualTo(1500);
            assertThat(a.droppedFrames()).isZero();
            assertThat(b.internalErrors()).isZero();
            TwoNodeChecks.closeTakesLinkDown(a, b);
        }
    }

    /**
     * bearer.c tipc_l2_device_event: an interface's new MTU (NETDEV_CHANGEMTU) or MAC (NETDEV_CHANGEADDR) resets the
     * bearer, and its links come back with the new values; messages flow again, the peer sees the new MAC.
     */
    @Test
    void anInterfaceMtuOrMacChangeResetsTheBearerWithTheNewValues() throws Exception {
        try (TipcNode a = TipcNode.builder().identity("jt-eth-m").netns(NS).bearer("eth:va").start();
             TipcNode b = TipcNode.builder().identity("jt-eth-n").netns(NS).bearer("eth:vb").start()) {
            a.awaitLinkUp(TwoNodeChecks.T);
            b.awaitLinkUp(TwoNodeChecks.T);
            assertThat(a.links().get(0).mtu()).isEqualTo(1500);
            try {
                run("ip", "-n", NS, "link", "set", "va", "mtu", "1400");
                long end = System.nanoTime() + TwoNodeChecks.T.toNanos();
                while (System.nanoTime() < end && !(a.links().size() == 1 && a.links().get(0).up()
                        && a.links().get(0).mtu() == 1400 && b.links().size() == 1 && b.links().get(0).up()
                        && b.links().get(0).mtu() == 1400)) {
                    Thread.sleep(20);
                }
                assertThat(a.links()).singleElement().satisfies(l -> {
                    assertThat(l.up()).isTrue();
                    assertThat(l.mtu()).isEqualTo(1400);
                });
                assertThat(b.links().get(0).mtu()).as("negotiated down on b's side too").isEqualTo(1400);
                assertThat(b.links().get(0).resets()).as("b saw a's bearer reset once").isEqualTo(1);
                // an 8 000-byte message now travels in fragments that fit 1 400
                try (TipcSocket rx = TipcSocket.rdm(b); TipcSocket tx = TipcSocket.rdm(a)) {
                    tx.send(rx.address(), TwoNodeChecks.pattern(8000, 5));
                    assertThat(rx.receive(TwoNodeChecks.T).payload()).isEqualTo(TwoNodeChecks.pattern(8000, 5));
                }
                run("ip", "-n", NS, "link", "set", "va", "address", "02:00:00:00:77:01");
                end = System.nanoTime() + TwoNodeChecks.T.toNanos();
                while (System.nanoTime() < end && !(b.links().size() == 1 && b.links().get(0).resets() == 2
                        && b.links().get(0).up() && a.links().size() == 1 && a.links().get(0).up())) {
                    Thread.sleep(20);
                }
                assertThat(b.links().get(0).resets()).as("a's bearer reset again").isEqualTo(2);
                assertThat(b.links().get(0).up()).isTrue();
                try (TipcSocket rx = TipcSocket.rdm(a); TipcSocket tx = TipcSocket.rdm(b)) {
                    tx.send(rx.address(), TwoNodeChecks.pattern(100, 6));
                    assertThat(rx.receive(TwoNodeChecks.T).payload()).as("b reaches a at its new MAC")
                        .isEqualTo(TwoNodeChecks.pattern(100, 6));
                }
            } finally {
                run("ip", "-n", NS, "link", "set", "va", "mtu", "1500");
            }
        }
    }

    /**
     * bearer.c tipc_l2_device_event: a lost carrier (NETDEV_CHANGE, here the far end of the veth pair set down, so
     * va stays up but without IFF_RUNNING and every send on it still "succeeds") resets the bearer at once: a's link
     * goes down within the interface check's second, not after the 30 s link tolerance; with the carrier back the link
     * returns by discovery and messages flow.
     */
    @Test
    void aLostCarrierResetsTheBearerAtOnceAndTheLinkComesBack() throws Exception {
        try (TipcNode a = TipcNode.builder().identity("jt-eth-c").netns(NS).bearer("eth:va").start();
             TipcNode b = TipcNode.builder().identity("jt-eth-d").netns(NS).bearer("eth:vb").start()) {
            String name = a.awaitLinkUp(TwoNodeChecks.T).name();
            b.awaitLinkUp(TwoNodeChecks.T);
            a.setLink(name, LinkProperty.TOLERANCE, 30_000);
            b.awaitLink(l -> l.tolerance() == 30_000, TwoNodeChecks.T); // both ends: only the reset can be quick
            try {
                long t0 = System.nanoTime();
                run("ip", "-n", NS, "link", "set", "vb", "down");
                long end = t0 + 25_000_000_000L; // the reset deletes the link: no link up, whether listed or not
                while (a.links().stream().anyMatch(LinkInfo::up) && System.nanoTime() < end) Thread.sleep(10);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertThat(ms).as("a's link down after the far end lost its interface, ms").isLessThan(15_000);
            } finally {
                run("ip", "-n", NS, "link", "set", "vb", "up");
            }
            a.awaitLinkUp(TwoNodeChecks.T);
            b.awaitLinkUp(TwoNodeChecks.T);
            try (TipcSocket rx = TipcSocket.rdm(b); TipcSocket tx = TipcSocket.rdm(a)) {
                tx.send(rx.address(), TwoNodeChecks.pattern(100, 7));
                assertThat(rx.receive(TwoNodeChecks.T).payload()).isEqualTo(TwoNodeChecks.pattern(100, 7));
            }
            assertThat(a.internalErrors()).isZero();
        }
    }

    /**
     * bearer.c tipc_l2_device_event NETDEV_UNREGISTER: an interface deleted, here and made again at once under the same
     * name (a new index, to which the bearer's AF_PACKET socket is not attached: af_packet.c unhooks it for good),
     * disables the bearer, as the kernel does; its other bearer keeps the node linked. Before, the bearer stayed
     * listed, neither sending nor receiving, while the by-name interface checks saw a healthy interface.
     */
    @Test
    void aRemovedOrReplacedInterfaceDisablesItsBearer() throws Exception {
        run("ip", "-n", NS, "link", "add", "vx", "type", "veth", "peer", "name", "vy");
        run("ip", "-n", NS, "link", "set", "vx", "up");
        run("ip", "-n", NS, "link", "set", "vy", "up");
        try (TipcNode a = TipcNode.builder().identity("jt-eth-r").netns(NS).bearer("eth:va").bearer("eth:vx").start();
             TipcNode b = TipcNode.builder().identity("jt-eth-s").netns(NS).bearer("eth:vb").bearer("eth:vy").start()) {
            a.awaitLink(l -> l.up() && l.name().contains(":vx-"), TwoNodeChecks.T);
            // both links up before vx goes, or the node would lose its only link (ci: va had not come up yet)
            a.awaitLink(l -> l.up() && l.name().contains(":va-"), TwoNodeChecks.T);
            b.awaitLink(l -> l.up() && l.name().contains(":vb-"), TwoNodeChecks.T);
            assertThat(a.bearerNames()).containsExactlyInAnyOrder("eth:va", "eth:vx");
            run("ip", "-n", NS, "link", "del", "vx"); // takes vy with it
            run("ip", "-n", NS, "link", "add", "vx", "type", "veth", "peer", "name", "vy");
            run("ip", "-n", NS, "link", "set", "vx", "up");
            run("ip", "-n", NS, "link", "set", "vy", "up");
            long end = System.nanoTime() + 10_000_000_000L;
            while ((a.bearerNames().contains("eth:vx") || b.bearerNames().contains("eth:vy"))
                    && System.nanoTime() < end) Thread.sleep(20);
            assertThat(a.bearerNames()).as("the replaced interface's bearer is disabled").containsExactly("eth:va");
            assertThat(b.bearerNames()).as("b's vy went with vx").containsExactly("eth:vb");
            LinkInfo va = a.awaitLink(l -> l.up() && l.name().contains(":va-"), TwoNodeChecks.T);
            assertThat(va.resets()).as("the other link was not reset: " + va.lastResetReason()).isZero();
            // the node stays linked on its other bearer, and a bearer enabled again on the new vx links too
            try (TipcSocket rx = TipcSocket.rdm(b); TipcSocket tx = TipcSocket.rdm(a)) {
                tx.send(rx.address(), TwoNodeChecks.pattern(100, 8));
                assertThat(rx.receive(TwoNodeChecks.T).payload()).isEqualTo(TwoNodeChecks.pattern(100, 8));
            }
            a.addBearer("eth:vx");
            b.addBearer("eth:vy");
            a.awaitLink(l -> l.up() && l.name().contains(":vx-"), TwoNodeChecks.T);
            assertThat(a.internalErrors()).isZero();
        } finally {
            run("ip", "-n", NS, "link", "del", "vx");
        }
    }

    /**
     * Issue 4's RDM scenario over the veth pair, then b "reboots" (closes, and a new node with the same identity
     * starts on the same interface): a declares the link down, withdraws b's bindings, and the link comes back.
     */
    @Test
    void rdmScenarioAndRelinkAfterRestartOverEthernet() throws Exception {
        try (TipcNode a = TipcNode.builder().identity("jt-eth-c").netns(NS).bearer("eth:va").start()) {
            try (TipcNode b = TipcNode.builder().identity("jt-eth-d").netns(NS).bearer("eth:vb").start()) {
                TwoNodeChecks.rdmScenario(a, b, 64);
                assertThat(a.droppedFrames()).isZero();
                TwoNodeChecks.closeTakesLinkDown(a, b);
            }
            try (TipcNode b2 = TipcNode.builder().identity("jt-eth-d").netns(NS).bearer("eth:vb").start()) {
                LinkInfo l = a.awaitLink(x -> x.up(), TwoNodeChecks.T);
                assertThat(l.name()).isEqualTo("jt-eth-c:va-jt-eth-d:vb");
                b2.awaitLinkUp(TwoNodeChecks.T);
                try (TipcSocket s = TipcSocket.rdm(b2)) {
                    s.bind(TipcAddress.ofService(18892, 1));
                    a.awaitBinding(x -> x.type() == 18892, TwoNodeChecks.T);
                }
            }
        }
    }

    @Test
    void missingInterfaceIsAClearError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> TipcNode.builder().identity("jt-x").netns(NS).bearer("eth:nosuch0").start())
                .isInstanceOf(IOException.class).hasMessageContaining("nosuch0");
    }
}
