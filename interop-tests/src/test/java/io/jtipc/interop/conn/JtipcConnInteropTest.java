package io.jtipc.interop.conn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import io.jtipc.api.TipcAddress;
import io.jtipc.interop.ConnTraffic;
import io.jtipc.api.TipcConnection;
import io.jtipc.api.TipcException;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcServerSocket;
import io.jtipc.api.TipcSocket;
import io.jtipc.api.TipcSubscription;
import io.jtipc.api.TopologyEvent;
import io.jtipc.lab.ExecResult;
import io.jtipc.lab.GuestJob;
import io.jtipc.lab.KernelNode;
import io.jtipc.lab.KernelVersion;
import io.jtipc.lab.Lab;
import io.jtipc.lab.PacketCapture;
import io.jtipc.lab.Veth;
import io.jtipc.lab.junit.CaptureCheck;
import io.jtipc.lab.junit.LabExtension;

/**
 * Issue 6 in the lab: SEQPACKET and STREAM connections between a kernel node and a jtipc node, both directions,
 * 10 MB each way with content checked (the kernel agent's conn-ping compares every echo); connect to an unbound
 * name; topology subscriptions both ways; connections aborted on both sides when the other node goes away.
 */
@ExtendWith(LabExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class JtipcConnInteropTest {
    static final Duration T = Duration.ofSeconds(60);
    static final int TEN_MB = 10 * 1024 * 1024;

    Lab lab;
    KernelNode k;
    Veth veth;
    TipcNode node;
    PacketCapture capture;

    abstract KernelVersion version();

    @BeforeAll
    void start(Lab lab) throws Exception {
        this.lab = lab;
        capture = lab.capture(LabExtension.pcapPath(lab, "conn-" + version().label()));
        veth = lab.addVeth("jt0");
        k = lab.boot(version());
        k.setIdentity(k.name()).enableEthBearer();
        node = startNode();
        k.awaitUpLinks(1, T);
    }

    TipcNode startNode() throws Exception {
        TipcNode n = TipcNode.builder().identity("jtipc-conn").netns(veth.netns()).bearer("eth:" + veth.name()).start();
        n.awaitLinkUp(T);
        return n;
    }

    @AfterAll
    void stop() {
        if (node != null) node.close();
    }

    /** A jtipc echo server on {type,1}: every accepted connection echoed until the client goes. */
    Thread echoServer(TipcServerSocket ls, AtomicLong echoed) {
        return ConnTraffic.echoServer(ls, echoed);
    }

    @Test
    @Order(1)
    void kernelClientsToJtipcServer() throws Exception {
        for (TipcConnection.Type type : TipcConnection.Type.values()) {
            int svc = type == TipcConnection.Type.STREAM ? 18901 : 18900;
            try (TipcServerSocket ls = TipcServerSocket.listen(node, TipcAddress.ofService(svc, 1), type,
                    TipcSocket.Scope.CLUSTER)) {
                AtomicLong echoed = new AtomicLong();
                echoServer(ls, echoed);
                int size = type == TipcConnection.Type.STREAM ? 262144 : 65536;
                int count = TEN_MB / size;
                ExecResult r = k.agent(Duration.ofSeconds(600), "conn-ping", type.name().toLowerCase(),
                    String.valueOf(svc), "1", String.valueOf(count), String.valueOf(size), "20000");
                assertThat(r.lines()).as(r.toString()).contains("DONE sent " + count + " ok " + count);
                assertThat(echoed.get()).isEqualTo((long) count * size);
            }
        }
    }

    @Test
    @Order(2)
    void jtipcClientsToKernelServer() throws Exception {
        for (TipcConnection.Type type : TipcConnection.Type.values()) {
            int svc = type == TipcConnection.Type.STREAM ? 18903 : 18902;
            try (GuestJob echo = k.startAgent("conn-echo", type.name().toLowerCase(), String.valueOf(svc), "1")
                    .awaitReady(T)) {
                node.awaitBinding(x -> x.type() == svc, T);
                byte[] data = new byte[TEN_MB];
                new Random(svc).nextBytes(data);
                try (TipcConnection c = TipcConnection.connect(node, TipcAddress.ofService(svc, 1), type, T)) {
                    ConnTraffic.roundTrip(c, data, type == TipcConnection.Type.STREAM ? 200_000 : 66000,
                        Duration.ofSeconds(600));
                }
            }
        }
    }

    @Test
    @Order(2)
    void jtipcSmallStreamWritesWithNagleToKernelEcho() throws Exception {
        // 20 000 writes of 10 bytes: jtipc bundles them (TIPC_NAGLE, ACK_REQUIRED), the kernel nagle-acks
        try (GuestJob echo = k.startAgent("conn-echo", "stream", "18904", "1").awaitReady(T)) {
            node.awaitBinding(x -> x.type() == 18904, T);
            byte[] data = new byte[200_000];
            new Random(18904).nextBytes(data);
            try (TipcConnection c = TipcConnection.connect(node, TipcAddress.ofService(18904, 1),
                    TipcConnection.Type.STREAM, T)) {
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                Thread reader = new Thread(() -> {
                    byte[] buf = new byte[66000];
                    try {
                        while (got.size() < data.length) {
                            int n = c.read(buf);
                            if (n < 0) break;
                            got.write(buf, 0, n);
                        }
                    } catch (Exception e) {
                        // checked below
                    }
                });
                reader.start();
                for (int off = 0; off < data.length; off += 10) c.write(data, off, 10);
                reader.join(120_000);
                assertThat(got.size()).isEqualTo(data.length);
                assertThat(Arrays.equals(got.toByteArray(), data)).isTrue();
            }
        }
    }

    @Test
    @Order(3)
    void connectToUnboundNameAndToANonListeningSocket() throws Exception {
        assertThatThrownBy(() -> TipcConnection.connect(node, TipcAddress.ofService(18999, 1),
            TipcConnection.Type.SEQPACKET, T)).isInstanceOf(TipcException.class).hasMessageContaining("EHOSTUNREACH");
        // a kernel client's SYN waiting at a jtipc listener that closes without accepting: the SYN is rejected
        // with TIPC_ERR_NO_PORT and the kernel's connect() fails with ECONNREFUSED
        TipcServerSocket ls = TipcServerSocket.listen(node, TipcAddress.ofService(18998, 1),
            TipcConnection.Type.SEQPACKET, TipcSocket.Scope.CLUSTER);
        long rx0 = node.links().get(0).packetsReceived();
        GuestJob ping = k.startAgent("conn-ping", "seqpacket", "18998", "1", "1", "10", "5000");
        try {
            // the agent found the binding and its SYN waits in the listener's queue: at least 2.5 s, and until a
            // sequenced packet (the SYN) came in, however slow the emulated guest is to start the agent
            Thread.sleep(2500);
            long end = System.nanoTime() + T.toNanos();
            while (node.links().get(0).packetsReceived() == rx0 && System.nanoTime() < end) Thread.sleep(50);
            ls.close();
            String line = ping.awaitLine(l -> l.startsWith("ERROR") || l.startsWith("CONNECTED"), T, "connect result");
            assertThat(line).as(ping.output()).startsWith("ERROR connect ECONNREFUSED");
        } finally {
            ping.close();
        }
    }

    @Test
    @Order(4)
    void topologySubscriptionsBothWays() throws Exception {
        // the kernel agent's subscription sees jtipc's publication appear and disappear
        try (GuestJob sub = k.startAgent("subscribe", "18910", "0", "100", "ports").awaitReady(T)) {
            try (TipcSocket s = TipcSocket.rdm(node)) {
                s.bind(TipcAddress.ofServiceRange(18910, 5, 6));
                String port = "0x" + Integer.toHexString(s.port());
                sub.awaitLine(l -> l.startsWith("EVENT published 18910 5 6 " + port), T, "published event");
            }
            sub.awaitLine(l -> l.startsWith("EVENT withdrawn 18910 5 6 "), T, "withdrawn event");
        }
        // a jtipc subscription sees the kernel's publication
        try (TipcSubscription sub = TipcSubscription.open(node, TipcAddress.ofServiceRange(18911, 0, 100),
                TipcSubscription.Filter.PORTS, null)) {
            try (GuestJob pub = k.startAgent("publish", "18911", "7", "9").awaitReady(T)) {
                TopologyEvent e = sub.poll(T);
                assertThat(e).isNotNull();
                assertThat(e.kind()).isEqualTo(TopologyEvent.Kind.PUBLISHED);
                assertThat(e.foundLower()).isEqualTo(7);
                assertThat(e.foundUpper()).isEqualTo(9);
                assertThat(e.node()).isNotEqualTo(node.address());
            }
            TopologyEvent w = sub.poll(T);
            assertThat(w).isNotNull();
            assertThat(w.kind()).isEqualTo(TopologyEvent.Kind.WITHDRAWN);
        }
    }

    @Test
    @Order(5)
    void kernelRebootAbortsJtipcConnectionAndWithdrawsItsBindings() throws Exception {
        GuestJob echo = k.startAgent("conn-echo", "stream", "18920", "1").awaitReady(T);
        GuestJob pub = k.startAgent("publish", "18921", "1", "3").awaitReady(T);
        node.awaitBinding(x -> x.type() == 18920, T);
        node.awaitBinding(x -> x.type() == 18921, T);
        TipcSubscription sub = TipcSubscription.open(node, TipcAddress.ofServiceRange(18920, 0, ~0),
            TipcSubscription.Filter.PORTS, null);
        TipcSubscription sub2 = TipcSubscription.open(node, TipcAddress.ofServiceRange(18921, 0, ~0),
            TipcSubscription.Filter.PORTS, null);
        assertThat(sub.poll(T).kind()).isEqualTo(TopologyEvent.Kind.PUBLISHED);
        assertThat(sub2.poll(T).kind()).isEqualTo(TopologyEvent.Kind.PUBLISHED);
        TipcConnection c = TipcConnection.connect(node, TipcAddress.ofService(18920, 1), TipcConnection.Type.STREAM, T);
        c.write(new byte[] {1, 2, 3});
        byte[] buf = new byte[10];
        assertThat(c.read(buf)).isEqualTo(3);
        long t0 = System.nanoTime();
        k.kill();
        // the link's tolerance (1.5 s) expires, the node is lost, the connection aborted
        assertThatThrownBy(() -> c.read(buf, 0, 10, Duration.ofSeconds(10))).isInstanceOf(TipcException.class)
            .hasMessageContaining("ECONNRESET");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).isLessThan(5000);
        assertThat(sub.poll(T).kind()).isEqualTo(TopologyEvent.Kind.WITHDRAWN);
        assertThat(sub2.poll(T).kind()).isEqualTo(TopologyEvent.Kind.WITHDRAWN);
        c.close();
        sub.close();
        sub2.close();
        echo.close();
        pub.close();
        k.reboot();
        k.setIdentity(k.name()).enableEthBearer();
        k.awaitUpLinks(1, T);
    }

    @Test
    @Order(6)
    void jtipcNodeGoingAwayAbortsTheKernelsConnection() throws Exception {
        node.awaitLinkUp(T);
        TipcServerSocket ls = TipcServerSocket.listen(node, TipcAddress.ofService(18930, 1),
            TipcConnection.Type.SEQPACKET, TipcSocket.Scope.CLUSTER);
        AtomicLong echoed = new AtomicLong();
        echoServer(ls, echoed);
        // a long ping: the kernel client is connected when the jtipc node stops
        GuestJob ping = k.startAgent("conn-ping", "seqpacket", "18930", "1", "100000", "1000", "20000");
        ping.awaitLine(l -> l.startsWith("OK "), T, "first echo");
        long t0 = System.nanoTime();
        node.close();
        node = null;
        String line = ping.awaitLine(l -> l.startsWith("ERROR") || l.startsWith("DONE"), T, "connection aborted");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(line).startsWith("ERROR");
        assertThat(ms).isLessThan(5000);
        ping.close();
        node = startNode();
    }

    /** The capture of the whole class (10 MB each way, aborts) dissects without a malformed frame. */
    @Test
    @Order(100)
    void captureHasNoMalformedFrame() throws Exception {
        CaptureCheck.requireCleanCapture(capture, "jtipc-interop", 1000);
    }
}
