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
                // b's core is held from before the first send until a send has met ELINKCONG (no ack comes back
                // meanwhile), at least 400 ms and at most 1 000 ms (within the 1500 ms tolerance): a sending thread
                // descheduled on a loaded machine still meets the congestion; each such send waits for the link to drain
                java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
                Thread hold = new Thread(() -> {
                    try {
                        b.call(now -> {
                            held.countDown();
                            try {
                                long t = System.nanoTime();
                                Thread.sleep(400);
                                while (a.congestionWaits() == 0 && System.nanoTime() - t < 1_000_000_000L) Thread.sleep(5);
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

    /**
     * A link listener that throws an Error (a failed assertion, a linkage error) is logged and the node goes on: before,
     * only RuntimeExceptions were caught and the Error failed the node as if its core had broken. (A state listener's:
     * NodeFailureTest.)
     */
    @Test
    void aListenerThrowingAnErrorDoesNotFailTheNode() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a1 = "127.0.0.1:" + port;
        String b1 = "127.0.0.2:" + port;
        try (TipcNode a = TipcNode.builder().identity("jt-lsn-a").bearer("udp:" + a1 + ",remote=" + b1).build();
             TipcNode b = TipcNode.builder().identity("jt-lsn-b").bearer("udp:" + b1 + ",remote=" + a1).build()) {
            java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
            a.addLinkListener(new LinkListener() {
                @Override
                public void linkUp(LinkInfo l) {
                    calls.incrementAndGet();
                    throw new AssertionError("listener's own failure");
                }
            });
            TwoNodeChecks.startBoth(a, b);
            a.awaitLinkUp(TwoNodeChecks.T);
            b.awaitLinkUp(TwoNodeChecks.T);
            long end = System.nanoTime() + 10_000_000_000L;
            while (calls.get() < 1 && System.nanoTime() < end) Thread.sleep(10);
            assertThat(calls.get()).as("the listener was called").isPositive();
            assertThat(a.state()).isEqualTo(TipcNodeState.RUNNING);
            try (TipcSocket rx = TipcSocket.rdm(b); TipcSocket tx = TipcSocket.rdm(a)) {
                tx.send(rx.address(), new byte[] {1, 2});
                assertThat(rx.receive(TwoNodeChecks.T).payload()).containsExactly(1, 2);
            }
            assertThat(a.state()).isEqualTo(TipcNodeState.RUNNING);
        }
    }

    /**
     * A send made while the calling thread holds the node's core lock (from a link listener or any callback of the
     * core) that meets ELINKCONG returns at once, its message queued: no uncongested event can come while the lock is
     * held (no frame is read, no timer runs), so it waited the whole 10 s with the node stalled, once per such send.
     */
    @Test
    @org.junit.jupiter.api.Timeout(120)
    void aSendFromInsideTheCoreDoesNotWaitForCongestion() throws Exception {
        TipcNode[] ab = TwoNodeChecks.linkedUdpPair("jt-incore-a", "jt-incore-b");
        try (TipcNode a = ab[0]; TipcNode b = ab[1]; TipcSocket rx = TipcSocket.rdm(b); TipcSocket tx = TipcSocket.rdm(a)) {
            // 170 messages of 9 000 bytes, one packet each (UDP MTU 14 000: no two bundle): more than the window of
            // 50 and the low-importance backlog limit of 100, so the last ones meet ELINKCONG; 1.5 MB in all stays
            // within b's receive buffer
            int n = 170;
            long t0 = System.nanoTime();
            int[] backlog = new int[1];
            a.call(now -> {
                try {
                    for (int i = 0; i < n; i++) tx.send(rx.address(), TwoNodeChecks.pattern(9000, i));
                    backlog[0] = a.links().get(0).backlog();
                } catch (TipcException e) {
                    throw new IllegalStateException(e);
                }
                return null;
            });
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(a.congestionWaits()).as("sends that waited (%d ms in the core)", ms).isZero();
            assertThat(backlog[0]).as("the link was congested").isGreaterThanOrEqualTo(100);
            for (int i = 0; i < n; i++) {
                TipcMessage m = rx.receive(TwoNodeChecks.T);
                assertThat(m).as("message %d", i).isNotNull();
                assertThat(m.payload()).as("message %d in order", i).isEqualTo(TwoNodeChecks.pattern(9000, i));
            }
            assertThat(a.links().get(0).resets()).isZero();
            assertThat(a.state()).isEqualTo(TipcNodeState.RUNNING);
        }
    }
}
