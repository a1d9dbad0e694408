package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

/** The checks shared by the two-node tests over veth and over UDP. */
final class TwoNodeChecks {
    static final Duration T = Duration.ofSeconds(20);

    private TwoNodeChecks() {
    }

    /**
     * Starts {@code a} and {@code b} at the same time ({@code b} on a helper thread): each start() waits for its
     * address, which a replicast UDP node commits sooner when its peer is up too.
     *
     * @throws Exception what either start() threw ({@code b}'s wrapped in a RuntimeException)
     */
    static void startBoth(TipcNode a, TipcNode b) throws Exception {
        AtomicReference<Exception> failed = new AtomicReference<>();
        Thread sb = new Thread(() -> {
            try {
                b.start();
            } catch (Exception e) {
                failed.set(e);
            }
        }, "start-" + b.identity());
        sb.start();
        a.start();
        sb.join();
        if (failed.get() != null) throw new RuntimeException("starting " + b.identity(), failed.get());
    }

    /**
     * Two nodes {@code idA} on 127.0.0.1 and {@code idB} on 127.0.0.2 (one random UDP port, replicast to each other),
     * started ({@link #startBoth}) and linked; returns {a, b}. The caller closes both.
     */
    static TipcNode[] linkedUdpPair(String idA, String idB) throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a1 = "127.0.0.1:" + port;
        String b1 = "127.0.0.2:" + port;
        TipcNode a = TipcNode.builder().identity(idA).bearer("udp:" + a1 + ",remote=" + b1).build();
        TipcNode b = TipcNode.builder().identity(idB).bearer("udp:" + b1 + ",remote=" + a1).build();
        try {
            startBoth(a, b);
            a.awaitLinkUp(T);
            b.awaitLinkUp(T);
        } catch (Exception | Error e) {
            a.close();
            b.close();
            throw e;
        }
        return new TipcNode[] {a, b};
    }

    /** Links up both ways with kernel-format names, bindings exchanged, RDM echo with content checked, unbind withdrawn. */
    static void linkBindingsEcho(TipcNode a, TipcNode b, String ifA, String ifB) throws Exception {
        LinkInfo la = a.awaitLinkUp(T);
        LinkInfo lb = b.awaitLinkUp(T);
        assertThat(la.name()).isEqualTo(a.identity() + ":" + ifA + "-" + b.identity() + ":" + ifB);
        assertThat(lb.name()).isEqualTo(b.identity() + ":" + ifB + "-" + a.identity() + ":" + ifA);
        assertThat(la.state()).isEqualTo("ESTABLISHED");
        assertThat(la.peerNode()).isEqualTo(b.address());
        assertThat(a.linkList()).contains(la.name() + ": up");

        try (TipcSocket echo = TipcSocket.rdm(b); TipcSocket client = TipcSocket.rdm(a)) {
            echo.bind(TipcAddress.ofService(18888, 17));
            Binding seen = a.awaitBinding(x -> x.type() == 18888 && x.lower() == 17, T);
            assertThat(seen.node()).isEqualTo(b.address());
            assertThat(seen.port()).isEqualTo(echo.port());
            assertThat(seen.nodeName()).isEqualTo(b.identity().toString());
            assertThat(a.nametableShow()).contains("Type       Lower      Upper      Scope    Port       Node")
                    .containsPattern("18888\\s+17\\s+17\\s+cluster\\s+" + Integer.toUnsignedString(echo.port()) + "\\s+"
                            + b.identity());

            startEcho(echo);

            for (int size : new int[] {1, 100, 1500, 66000}) {
                for (int i = 0; i < 5; i++) {
                    byte[] p = pattern(size, i);
                    client.send(TipcAddress.ofService(18888, 17), p);
                    TipcMessage r = client.receive(T);
                    assertThat(r).as("echo of %d bytes #%d", size, i).isNotNull();
                    assertThat(r.errcode()).isZero();
                    assertThat(r.source()).isEqualTo(echo.address());
                    assertThat(Arrays.equals(r.payload(), p)).as("payload of %d bytes #%d", size, i).isTrue();
                }
            }
            // a named message carries its destination name
            try (TipcSocket probe = TipcSocket.rdm(b)) {
                probe.bind(TipcAddress.ofServiceRange(18889, 0, 99));
                a.awaitBinding(x -> x.type() == 18889, T);
                client.send(TipcAddress.ofService(18889, 42), "to a name".getBytes(StandardCharsets.US_ASCII));
                TipcMessage m = probe.receive(T);
                assertThat(m.destination()).isEqualTo(TipcAddress.ofService(18889, 42));
                client.send(TipcAddress.ofServiceRange(18889, 40, 50), "mcast".getBytes(StandardCharsets.US_ASCII));
                TipcMessage mc = probe.receive(T);
                assertThat(mc.destination()).isEqualTo(TipcAddress.ofServiceRange(18889, 40, 50));
                assertThat(new String(mc.payload(), StandardCharsets.US_ASCII)).isEqualTo("mcast");
                probe.unbind(TipcAddress.ofServiceRange(18889, 0, 99));
                a.awaitNoBinding(x -> x.type() == 18889, T);
            }
            echo.close();
            a.awaitNoBinding(x -> x.type() == 18888, T);
        }
    }

    /** Closing b brings a's link down promptly (RESET with peer-stopping) and withdraws b's bindings on a. */
    static void closeTakesLinkDown(TipcNode a, TipcNode b) throws Exception {
        closeTakesLinkDown(a, b, false);
    }

    /**
     * The same, b closed on a thread whose interrupt flag is set if {@code interrupted} (the close completes all the
     * same and keeps the flag set).
     */
    static void closeTakesLinkDown(TipcNode a, TipcNode b, boolean interrupted) throws Exception {
        List<LinkInfo> downs = new CopyOnWriteArrayList<>();
        a.addLinkListener(new LinkListener() {
            @Override
            public void linkDown(LinkInfo l) {
                downs.add(l);
            }
        });
        try (TipcSocket s = TipcSocket.rdm(b)) {
            s.bind(TipcAddress.ofService(18890, 1));
            a.awaitBinding(x -> x.type() == 18890, T);
            if (interrupted) Thread.currentThread().interrupt();
            try {
                b.close();
            } finally {
                if (interrupted) assertThat(Thread.interrupted()).as("the interrupt flag is kept").isTrue();
            }
            a.awaitNoBinding(x -> x.type() == 18890, T);
        }
        assertThat(b.state()).isEqualTo(TipcNodeState.CLOSED);
        assertThat(downs).hasSize(1);
        // b's RESET with the peer-stopping bit took the link down, not the tolerance expiring
        assertThat(downs.get(0).lastResetReason()).isEqualTo("peer stopping (RESET)");
        assertThat(a.links()).noneMatch(LinkInfo::up);
    }

    /**
     * Issue 4's RDM scenario from a to an echo socket on b: 1000 x 100 B and 20 x 66000 B ping-pong with content
     * checked, then 10 000 messages (at most {@code window} outstanding) that must come back complete, in order and
     * without a duplicate.
     */
    static void rdmScenario(TipcNode a, TipcNode b, int window) throws Exception {
        a.awaitLinkUp(T);
        try (TipcSocket echo = TipcSocket.rdm(b); TipcSocket client = TipcSocket.rdm(a)) {
            echo.bind(TipcAddress.ofService(18891, 1));
            a.awaitBinding(x -> x.type() == 18891, T);
            startEcho(echo);
            TipcAddress to = TipcAddress.ofService(18891, 1);
            for (int[] run : new int[][] {{1000, 100}, {20, 66000}}) {
                for (int i = 0; i < run[0]; i++) {
                    byte[] p = pattern(run[1], i);
                    client.send(to, p);
                    TipcMessage r = client.receive(T);
                    assertThat(r).as("echo %d of %d (%d B)", i, run[0], run[1]).isNotNull();
                    assertThat(r.errcode()).isZero();
                    assertThat(Arrays.equals(r.payload(), p)).as("content of echo %d (%d B)", i, run[1]).isTrue();
                }
            }
            int n = 10_000;
            int sent = 0;
            int received = 0;
            while (received < n) {
                while (sent < n && sent - received < window) {
                    client.send(to, numbered(sent));
                    sent++;
                }
                TipcMessage r = client.receive(T);
                assertThat(r).as("echo %d (sent %d)", received, sent).isNotNull();
                assertThat(java.nio.ByteBuffer.wrap(r.payload()).getInt()).as("in order, no loss, no duplicate")
                        .isEqualTo(received);
                assertThat(r.payload()).isEqualTo(numbered(received));
                received++;
            }
            assertThat(client.receive(Duration.ofMillis(500))).as("nothing after the last").isNull();
        }
    }

    /** A daemon thread that sends every message {@code echo} receives back to its source, until it is closed. */
    static void startEcho(TipcSocket echo) {
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    TipcMessage m = echo.receive();
                    echo.send(m.source(), m.payload());
                }
            } catch (Exception e) {
                // the socket was closed: the echo ends
            }
        }, "echo-" + echo.port());
        t.setDaemon(true);
        t.start();
    }

    static byte[] numbered(int seq) {
        byte[] p = pattern(100, seq);
        java.nio.ByteBuffer.wrap(p).putInt(seq);
        return p;
    }

    static byte[] pattern(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) b[i] = (byte) (i * 31 + seed * 7 + (i >> 8));
        return b;
    }
}
