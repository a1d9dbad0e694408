package io.jtipc.testcontainers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.jtipc.lab.KernelVersion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A kernel node that cannot come up fails fast with its console's reason, after {@link
 * TipcKernelContainer#STARTUP_ATTEMPTS} attempts, and leaves no container behind: native mode on a Docker host
 * without tipc.ko (the entrypoint says "module-failed tipc" and exits).
 */
class KernelStartFailureTest {

    @BeforeAll
    static void rootWithoutTipc() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root (Docker)");
        assumeTrue(!Files.isDirectory(Path.of("/sys/module/tipc")), "the Docker host has tipc.ko: native mode would work");
    }

    @Test
    void nativeModeWithoutTipcKoFailsFastAndLeavesNothing() {
        DockerLeftovers before = new DockerLeftovers();
        TipcImages.kernelPeerImage(KernelVersion.V6_1); // a first build takes minutes: not part of the bound
        TipcNetwork net = TipcNetwork.newNetwork();
        long t0 = System.nanoTime(); // the bound is on start(): two failed attempts and their clean-up
        try (net; TipcKernelContainer k = new TipcKernelContainer(KernelVersion.V6_1, TipcKernelContainer.Mode.NATIVE)
                .withNetwork(net)) {
            assertThatThrownBy(k::start).hasMessageContaining("did not start (2 attempts)");
            assertThat(k.getContainerId()).isNull();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(TipcKernelContainer.DEFAULT_STARTUP_TIMEOUT);
        before.assertClean(net);
    }
}
