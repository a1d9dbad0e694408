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
