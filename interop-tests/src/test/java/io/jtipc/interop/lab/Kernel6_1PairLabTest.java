package io.jtipc.interop.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.jtipc.lab.KernelVersion;

/** Kernel pair self-test of the lab: 6_1 and 6_1 (see {@link KernelPairLabTest}). */
class Kernel6_1PairLabTest extends KernelPairLabTest {

    /** A killed node's peer loses the link; the rebooted node (fresh kernel, same MAC) links again. */
    @org.junit.jupiter.api.Test
    @org.junit.jupiter.api.Order(50)
    void aKilledNodeRebootsAndRelinks() {
        b.kill();
        assertThat(b.isRunning()).isFalse();
        long t0 = System.nanoTime();
        java.util.List<String> links;
        do {
            links = a.upLinks();
            if (!links.isEmpty()) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        } while (!links.isEmpty() && System.nanoTime() - t0 < 20_000_000_000L);
        assertThat(links).as("links of %s after %s was killed", a.name(), b.name()).isEmpty();
        b.reboot();
        b.setIdentity(b.name()).enableEthBearer();
        b.awaitUpLinks(1, java.time.Duration.ofSeconds(30));
        a.awaitUpLinks(1, java.time.Duration.ofSeconds(30));
        assertThat(b.exec("cat /proc/uptime").requireOk().output()).isNotBlank();
    }

    @Override
    KernelVersion versionA() {
        return KernelVersion.V6_1;
    }

    @Override
    KernelVersion versionB() {
        return KernelVersion.V6_1;
    }
}
