package io.jtipc.testcontainers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

import io.jtipc.lab.KernelVersion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 18: {@code docker build} of both images (docker/kernel-peer, docker/jtipc, on the debootstrap base), and
 * the jtipc image, as a container running {@code jtipc node}, links with a kernel container: the kernel's
 * {@code tipc-agent rdm-ping} gets every echo from the jtipc node's {@code --echo} binding. Nothing is left.
 */
class JtipcImageTest {

    @BeforeAll
    static void root() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root (debootstrap, Docker)");
    }

    @Test
    void jtipcContainerLinksWithAKernelContainer() throws Exception {
        Path jar = Path.of(System.getProperty("jtipc.cli.jar", "../cli/target/jtipc.jar"));
        assertThat(jar).as("the cli's runnable jar (package the cli module first)").exists();
        String jtipcImage = TipcImages.jtipcImage(jar);
        String kernelImage = TipcImages.kernelPeerImage(KernelVersion.V6_1);
        assertThat(jtipcImage).startsWith(TipcImages.JTIPC_REPOSITORY + ":");
        assertThat(kernelImage).startsWith(TipcImages.KERNEL_PEER_REPOSITORY + ":6.1-");

        DockerLeftovers before = new DockerLeftovers();
        TipcNetwork net = TipcNetwork.newNetwork();
        try (net;
             TipcKernelContainer k = new TipcKernelContainer(KernelVersion.V6_1, TipcKernelContainer.Mode.AUTO).withNetwork(net);
             GenericContainer<?> j = new GenericContainer<>(CompletableFuture.completedFuture(jtipcImage))
                 .withNetwork(net)
                 .withLabel(TipcImages.LABEL, "jtipc")
                 .withCommand("node", "--identity", "jt-image", "--bearer", "eth:eth0", "--echo", "18888:1")
                 .waitingFor(Wait.forLogMessage(".*NODE jt-image .*", 1).withStartupTimeout(Duration.ofMinutes(2)))) {
            k.start();
            j.start();
            assertThat(k.execInNode("uname -r")).startsWith("6.1.");
            k.awaitLinkUp("jt-image", Duration.ofSeconds(30));
            String ping = k.execInNode("tipc-agent wait-service 18888 1 10000 && tipc-agent rdm-ping 18888 1 20 1000 5000");
            assertThat(ping).contains("DONE sent 20 ok 20");
            assertThat(j.getLogs()).contains("LINK up");
        }
        before.assertClean(net);
    }
}
