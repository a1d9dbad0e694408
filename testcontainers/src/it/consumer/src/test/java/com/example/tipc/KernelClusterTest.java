package com.example.tipc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.lifecycle.Startables;

import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcConnection;
import io.jtipc.api.TipcError;
import io.jtipc.api.TipcException;
import io.jtipc.api.TipcMessage;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcSocket;
import io.jtipc.testcontainers.TipcKernelContainer;
import io.jtipc.testcontainers.TipcNetwork;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 18's acceptance, as a user of the published artifacts writes it: two Linux kernel TIPC nodes
 * (TipcKernelContainer, qemu mode where the Docker host has no tipc.ko) and a jtipc node in this JVM on one
 * TipcNetwork; all three link, RDM and STREAM traffic both ways, and nothing is left afterwards.
 */
class KernelClusterTest {
    static final Duration T = Duration.ofSeconds(60);
    static final String JTIPC_ID = "jtipc-consumer";

    static TipcNetwork net;
    static TipcKernelContainer k1;
    static TipcKernelContainer k2;
    static TipcNode node;
    static Set<String> netnsBefore;
    static Set<String> linksBefore;
    static Set<String> containersBefore;
    static Set<String> networksBefore;

    @BeforeAll
    static void cluster() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "raw Ethernet on the Docker bridge needs root");
        netnsBefore = dockerNetns();
        linksBefore = hostLinks();
        // another JVM's test may run at the same time: count only what appears during this one
        containersBefore = new TreeSet<>(TipcKernelContainer.leftovers());
        networksBefore = new TreeSet<>(TipcNetwork.leftovers());
        net = TipcNetwork.newNetwork();
        k1 = new TipcKernelContainer("6.1").withNetwork(net);
        k2 = new TipcKernelContainer("6.1").withNetwork(net);
        Startables.deepStart(k1, k2).join(); // both boot at once
        if (!Files.isDirectory(Path.of("/sys/module/tipc"))) {
            assertEquals(TipcKernelContainer.Mode.QEMU, k1.mode(), "no tipc.ko on this host: qemu mode");
            assertTrue(k1.execInNode("uname -r").startsWith("6.1."), "the guest runs Debian's 6.1 kernel");
        }
        node = TipcNode.builder().identity(JTIPC_ID).bearer(net.jtipcBearer()).start();
        k1.awaitLinkUp(JTIPC_ID, T);
        k2.awaitLinkUp(JTIPC_ID, T);
        k1.awaitLinkUp(k2.identity(), T);
        k2.awaitLinkUp(k1.identity(), T);
    }

    @Test
    void rdmBothWays() throws Exception {
        // kernel echo, jtipc sends
        k1.execInNode("tipc-agent rdm-echo 18888 1 quiet >/tmp/rdm-echo.log 2>&1 &");
        node.awaitBinding(b -> b.type() == 18888 && b.lower() <= 1 && b.upper() >= 1, T);
        try (TipcSocket s = TipcSocket.rdm(node)) {
            for (int i = 0; i < 20; i++) {
                byte[] msg = ("hello kernel " + i).getBytes();
                s.send(TipcAddress.ofService(18888, 1), msg);
                TipcMessage reply = s.receive(T);
                assertNotNull(reply, "echo " + i);
                assertArrayEquals(msg, reply.payload());
            }
        }
        // jtipc echo, the other kernel pings
        try (TipcSocket echo = TipcSocket.rdm(node)) {
            echo.bind(TipcAddress.ofService(18889, 1), TipcSocket.Scope.CLUSTER);
            AtomicReference<Throwable> echoFailure = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    for (int i = 0; i < 10; i++) {
                        TipcMessage m = echo.receive(T);
                        if (m == null) throw new AssertionError("echo: no ping " + i + " within " + T);
                        echo.send(m.source(), m.payload());
                    }
                } catch (Throwable e) {
                    echoFailure.set(e);
                }
            });
            t.start();
            String out = k2.execInNode("tipc-agent wait-service 18889 1 30000 && tipc-agent rdm-ping 18889 1 10 1000 10000");
            t.join(T.toMillis());
            assertFalse(t.isAlive(), "the echo thread did not finish within " + T);
            if (echoFailure.get() != null) throw new AssertionError("the echo thread failed", echoFailure.get());
            assertTrue(out.contains("DONE sent 10 ok 10"), out);
        }
    }

    @Test
    void streamFromJtipcToAKernelEcho() throws Exception {
        k2.execInNode("tipc-agent conn-echo stream 18890 1 >/tmp/conn-echo.log 2>&1 &");
        node.awaitBinding(b -> b.type() == 18890 && b.lower() <= 1 && b.upper() >= 1, T);
        byte[] data = new byte[256 * 1024];
        new Random(18).nextBytes(data);
        byte[] got = new byte[data.length];
        try (TipcConnection c = connectWhenListening(TipcAddress.ofService(18890, 1), TipcConnection.Type.STREAM)) {
            AtomicReference<Throwable> writeFailure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    for (int off = 0; off < data.length; off += 8192) c.write(data, off, Math.min(8192, data.length - off));
                } catch (Throwable e) {
                    writeFailure.set(e);
                }
            });
            writer.start();
            int n = 0;
            while (n < got.length) {
                int r = c.read(got, n, got.length - n, T);
                if (r <= 0 && writeFailure.get() != null) throw new AssertionError("the writer failed", writeFailure.get());
                assertTrue(r > 0, "stream ended after " + n + " bytes");
                n += r;
            }
            writer.join(T.toMillis());
            assertFalse(writer.isAlive(), "the writer did not finish within " + T);
            if (writeFailure.get() != null) throw new AssertionError("the writer failed", writeFailure.get());
        }
        assertTrue(Arrays.equals(data, got), "the kernel echoed the same bytes");
    }

    /**
     * Connects, again after ECONNREFUSED for up to {@link #T}: the agent's server binds its name before it calls
     * listen(2), so the binding can be visible here while a SYN is still refused.
     */
    static TipcConnection connectWhenListening(TipcAddress dest, TipcConnection.Type type) throws Exception {
        long end = System.nanoTime() + T.toNanos();
        while (true) {
            try {
                return TipcConnection.connect(node, dest, type, T);
            } catch (TipcException e) {
                if (e.error() != TipcError.ECONNREFUSED || System.nanoTime() > end) throw e;
                Thread.sleep(100);
            }
        }
    }

    @AfterAll
    static void stopAndCheckNothingIsLeft() throws Exception {
        if (net == null) return;
        try {
            if (node != null) node.close();
        } finally {
            try {
                if (k1 != null) k1.stop();
            } finally {
                try {
                    if (k2 != null) k2.stop();
                } finally {
                    net.close();
                }
            }
        }
        Set<String> containers = new TreeSet<>(TipcKernelContainer.leftovers());
        containers.removeAll(containersBefore);
        assertEquals(Set.of(), containers, "containers left");
        Set<String> networks = new TreeSet<>(TipcNetwork.leftovers());
        networks.removeAll(networksBefore);
        assertEquals(Set.of(), networks, "networks left");
        Set<String> ns = dockerNetns();
        ns.removeAll(netnsBefore);
        assertEquals(Set.of(), ns, "network namespaces left (mounted under /run/docker/netns)");
        Set<String> links = hostLinks();
        links.removeAll(linksBefore);
        assertEquals(Set.of(), links, "host interfaces left (bridge, veths)");
    }

    /** dockerd's network namespaces: its bind mounts under /run/docker/netns. */
    static Set<String> dockerNetns() throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/mountinfo"))) {
            return new TreeSet<>(lines.map(l -> l.split(" ")[4]).filter(m -> m.contains("/docker/netns/")).toList());
        }
    }

    static Set<String> hostLinks() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/sys/class/net"))) {
            return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
        }
    }
}
