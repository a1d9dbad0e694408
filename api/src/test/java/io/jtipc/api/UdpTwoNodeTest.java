package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

/** Two TipcNodes in this JVM over UDP on 127.0.0.1 and 127.0.0.2, replicast discovery (no privilege needed). */
class UdpTwoNodeTest {
    @Test
    void linkBindingsEchoAndShutdown() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a1 = "127.0.0.1:" + port;
        String b1 = "127.0.0.2:" + port;
        try (TipcNode a = TipcNode.builder().identity("jt-udp-a").bearer("udp:" + a1 + ",remote=" + b1 + ",name=ua").build();
             TipcNode b = TipcNode.builder().identity("jt-udp-b").bearer("udp:" + b1 + ",remote=" + a1 + ",name=ub").build()) {
            Thread sa = new Thread(() -> {
                try {
                    a.start();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            sa.start();
            b.start();
            sa.join();
            assertThat(a.address()).isNotZero().isNotEqualTo(b.address());
            TwoNodeChecks.linkBindingsEcho(a, b, "ua", "ub");
            assertThat(a.droppedFrames()).isZero();
            assertThat(a.internalErrors()).isZero();
            TwoNodeChecks.closeTakesLinkDown(a, b);
        }
    }

    @Test
    void floodWaitsForTheCongestedLinkAndLosesNothing() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a1 = "127.0.0.1:" + port;
        String b1 = "127.0.0.2:" + port;
        try (TipcNode a = TipcNode.builder().identity("jt-flood-a").bearer("udp:" + a1 + ",remote=" + b1).build();
             TipcNode b = TipcNode.builder().identity("jt-flood-b").bearer("udp:" + b1 + ",remote=" + a1).build()) {
            TwoNodeChecks.startBoth(a, b);
            a.awaitLinkUp(TwoNodeChecks.T);
            try (TipcSocket rx = TipcSocket.rdm(b); TipcSocket tx = TipcSocket.rdm(a)) {
                rx.bind(TipcAddress.ofService(18891, 1));
                a.awaitBinding(x -> x.type() == 18891, TwoNodeChecks.T);
                // 100 x (19 000 + 256 overhead) bytes stay below the 2 MiB receive buffer of the unread socket; each
                // message is 2 fragments (UDP MTU 14 000), so 200 packets: more than the window of 50 and the
                // low-importance backlog limit of 100 packets together, and fragments are never bundled
                int n = 100, size = 19_000;
                long t0 = System.nanoTime();
                // b's core is held for 400 ms (well within the 1500 ms tolerance) from before the first send, so no
                // ack comes back and the flood surely meets ELINKCONG; each such send then waits for the link to drain
                java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
                Thread hold = new Thread(() -> {
                    try {
                        b.call(now -> {
                            held.countDown();
                            try {
                                Thread.sleep(400);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            return null;
                        });
                    } catch (TipcException e) {
                        throw new RuntimeException(e);
                    }
                });
                hold.start();
                assertThat(held.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                for (int i = 0; i < n; i++) {
                    tx.send(TipcAddress.ofService(18891, 1), TwoNodeChecks.pattern(size, i));
                }
                for (int i = 0; i < n; i++) {
                    TipcMessage m = rx.receive(TwoNodeChecks.T);
                    assertThat(m).as("message %d", i).isNotNull();
                    assertThat(m.payload()).as("message %d in order", i).isEqualTo(TwoNodeChecks.pattern(size, i));
                }
                assertThat(rx.receive(java.time.Duration.ofMillis(200))).isNull();
                assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(15_000);
                assertThat(a.links().get(0).up()).isTrue();
                assertThat(a.congestionWaits()).as("sends that waited for the congested link").isPositive();
            }
        }
    }

    @Test
    void errorsAreReportedNotFatal() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        try (TipcNode a = TipcNode.builder().identity("jt-lonely").bearer("udp:127.0.0.1:" + port + ",remote=127.0.0.3:" + port)
                .start();
             TipcSocket s = TipcSocket.rdm(a)) {
            assertThatThrownBy(() -> s.send(TipcAddress.ofService(5000, 1), new byte[10]))
                    .isInstanceOf(TipcException.class).hasMessageContaining("EHOSTUNREACH");
            assertThatThrownBy(() -> s.bind(TipcAddress.ofService(1, 1))).hasMessageContaining("EACCES");
            s.bind(TipcAddress.ofService(5000, 1));
            // local delivery: a socket on the same node
            try (TipcSocket c = TipcSocket.rdm(a)) {
                c.send(TipcAddress.ofService(5000, 1), new byte[] {1, 2, 3});
                TipcMessage m = s.receive(TwoNodeChecks.T);
                assertThat(m.payload()).containsExactly(1, 2, 3);
                assertThat(m.source()).isEqualTo(c.address());
            }
            assertThat(a.nametableShow()).contains("5000       1          1          cluster");
        }
        assertThatThrownBy(() -> TipcNode.builder().identity("x").bearer("udp:").build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TipcNode.builder().bearer("eth:x").build()).hasMessageContaining("identity");
    }
}
