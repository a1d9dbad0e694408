package io.jtipc.testcontainers;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.jtipc.lab.KernelVersion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
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
            Throwable t = catchThrowable(k::start);
            assertThat(t).hasMessageContaining("did not start (2 attempts)");
            // the container stopped (seen by Testcontainers before the wait, or by the wait: the module line on the
            // console, or the container gone), not a wait that ran out of time
            java.io.StringWriter trace = new java.io.StringWriter();
            t.printStackTrace(new java.io.PrintWriter(trace));
            assertThat(trace.toString()).containsAnyOf("Container did not start correctly", "a kernel module failed to load",
                "the container exited").doesNotContain("not ready within");
            assertThat(k.getContainerId()).isNull();
        }
        before.assertClean(net);
    }
}
