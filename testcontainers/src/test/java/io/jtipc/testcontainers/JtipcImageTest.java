package io.jtipc.testcontainers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcMessage;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcSocket;
import io.jtipc.lab.KernelVersion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 18: {@code docker build} of both images (docker/kernel-peer, docker/jtipc, on the debootstrap base), and
 * the jtipc image, as a container running {@code jtipc node}, links with a kernel container: the kernel's
 * {@code tipc-agent rdm-ping} gets every echo from the jtipc node's {@code --echo} binding. Then the same kernel
 * node enables a UDP bearer and a jtipc node of this JVM links with it over {@link TipcNetwork#jtipcUdpBearer()}
 * (multicast discovery on the bridge's address) and gets an RDM echo. Nothing is left.
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
                 .withLabels(DockerCleanup.labels("jtipc"))
                 .withCommand("node", "--identity", "jt-image", "--bearer", "eth:eth0", "--echo", "18888:1")
                 .waitingFor(Wait.forLogMessage(".*NODE jt-image .*", 1).withStartupTimeout(Duration.ofMinutes(2)))) {
            k.start();
            j.start();
            assertThat(k.execInNode("uname -r")).startsWith("6.1.");
            k.awaitLinkUp("jt-image", Duration.ofSeconds(30));
            String ping = k.execInNode("tipc-agent wait-service 18888 1 10000 && tipc-agent rdm-ping 18888 1 20 1000 5000");
            assertThat(ping).contains("DONE sent 20 ok 20");
            assertThat(j.getLogs()).contains("LINK up");

            // the same kernel node on a UDP bearer too, and a jtipc node of this JVM on the network's UDP bearer
            String ip = k.enableUdpBearer("u0");
            assertThat(ip).startsWith(net.subnet().substring(0, net.subnet().lastIndexOf('.') + 1));
            k.execInNode("tipc-agent rdm-echo 18891 1 quiet >/tmp/udp-echo.log 2>&1 &");
            try (TipcNode node = TipcNode.builder().identity("jt-udp").bearer(net.jtipcUdpBearer()).start()) {
                k.awaitLinkUp("jt-udp", Duration.ofSeconds(30));
                // the kernel names a link "<self>:<bearer name after 'udp:'>-<peer>:<peer's if>" (link.c
                // tipc_link_create): the link to jt-udp is on bearer udp:u0
                assertThat(k.linkList()).anyMatch(l -> l.contains(":u0-jt-udp:") && l.endsWith(": up"));
                node.awaitBinding(b -> b.type() == 18891, Duration.ofSeconds(30));
                try (TipcSocket s = TipcSocket.rdm(node)) {
                    s.send(TipcAddress.ofService(18891, 1), "over udp".getBytes());
                    TipcMessage reply = s.receive(Duration.ofSeconds(10));
                    assertThat(reply).isNotNull();
                    assertThat(reply.payloadText()).isEqualTo("over udp");
                }
            }
        }
        before.assertClean(net);
    }
}
