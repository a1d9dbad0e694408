package io.jtipc.testcontainers;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.jtipc.lab.KernelVersion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A kernel node that cannot come up fails after {@link TipcKernelContainer#STARTUP_ATTEMPTS} attempts because its
 * container stops, not after a start-up time-out, and leaves no container behind: native mode on a Docker host without
 * tipc.ko (the entrypoint finds no tipc module and exits).
 */
class KernelStartFailureTest {

    @BeforeAll
    static void rootWithoutTipc() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root (Docker)");
        assumeTrue(!Files.isDirectory(Path.of("/sys/module/tipc")), "the Docker host has tipc.ko: native mode would work");
    }

    @Test
    void nativeModeWithoutTipcKoFailsAfterTwoAttemptsAndLeavesNothing() {
        DockerLeftovers before = new DockerLeftovers();
        TipcImages.kernelPeerImage(KernelVersion.V6_1); // built before the container (a first build takes minutes)
        TipcNetwork net = TipcNetwork.newNetwork();
        try (net; TipcKernelContainer k = new TipcKernelContainer(KernelVersion.V6_1, TipcKernelContainer.Mode.NATIVE)
                .withNetwork(net)) {
            // the container itself stopped (Testcontainers' "did not start correctly"), not a wait that timed out
            assertThatThrownBy(k::start).hasMessageContaining("did not start (2 attempts)")
                .hasStackTraceContaining("Container did not start correctly");
            assertThat(k.getContainerId()).isNull();
        }
        before.assertClean(net);
    }
}
