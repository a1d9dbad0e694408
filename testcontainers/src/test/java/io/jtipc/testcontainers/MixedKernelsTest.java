package io.jtipc.testcontainers;

import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.lifecycle.Startables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The other two kernel lines of the contract, {@code new TipcKernelContainer("5.10")} and {@code ("6.12")}: both
 * boot (in parallel) on one {@link TipcNetwork}, run their own kernels, link with each other over the Ethernet
 * bearer the container enabled, and pass kernel-to-kernel RDM traffic ({@code tipc-agent rdm-ping}). Nothing is left.
 */
class MixedKernelsTest {

    @BeforeAll
    static void root() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root (debootstrap, Docker)");
    }

    @Test
    void a510And612PairLinksAndPassesRdm() {
        DockerLeftovers before = new DockerLeftovers();
        TipcNetwork net = TipcNetwork.newNetwork();
        try (net;
             TipcKernelContainer old = new TipcKernelContainer("5.10").withNetwork(net).withIdentity("k510");
             TipcKernelContainer neu = new TipcKernelContainer("6.12").withNetwork(net).withIdentity("k612")) {
            Startables.deepStart(old, neu).join();
            if (old.mode() == TipcKernelContainer.Mode.QEMU) {
                assertThat(old.execInNode("uname -r")).startsWith("5.10.");
                assertThat(neu.execInNode("uname -r")).startsWith("6.12.");
            }
            assertThat(old.identity()).isEqualTo("k510");
            old.awaitLinkUp("k612", Duration.ofSeconds(60));
            neu.awaitLinkUp("k510", Duration.ofSeconds(60));
            old.execInNode("tipc-agent rdm-echo 18892 1 quiet >/tmp/echo.log 2>&1 &");
            String ping = neu.execInNode("tipc-agent wait-service 18892 1 20000 && tipc-agent rdm-ping 18892 1 20 1000 5000");
            assertThat(ping).contains("DONE sent 20 ok 20");
        }
        before.assertClean(net);
    }
}
