package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Per-destination back-pressure (issue 15): a+b honest, c links and then never acknowledges again
 * ({@link FaultyMedia#freezeAcks}), so a's link to c fills and stays congested. A send to c waits for c's link only;
 * {@link TipcSocket#trySend} to c refuses at once, to b goes through.
 */
@Timeout(120)
class PeerCongestionTest {
    private static long upLinks(TipcNode n) {
        try {
            return n.links().stream().filter(LinkInfo::up).count();
        } catch (TipcException e) {
            return -1;
        }
    }

    private static LinkInfo linkTo(TipcNode n, TipcNode peer) throws TipcException {
        return n.links().stream().filter(l -> l.peerNode() == peer.address()).findFirst().orElseThrow();
    }

    @Test
    void aCongestedPeerHoldsOnlyItsOwnSends() throws Exception {
        int p = 20000 + ThreadLocalRandom.current().nextInt(20000);
        AtomicReference<FaultyMedia> cMedia = new AtomicReference<>();
        try (TipcNode a = TipcNode.builder().identity("jt-cong-a")
                .bearer("udp:127.0.0.1:" + p + ",remote=127.0.0.2:" + p + ",remote=127.0.0.3:" + p).build();
             TipcNode b = TipcNode.builder().identity("jt-cong-b").bearer("udp:127.0.0.2:" + p + ",remote=127.0.0.1:" + p)
                     .build();
             TipcNode c = FaultyMedia.wrapping(TipcNode.builder().identity("jt-cong-c")
                     .bearer("udp:127.0.0.3:" + p + ",remote=127.0.0.1:" + p), m -> {
                         FaultyMedia f = new FaultyMedia(m);
                         cMedia.set(f);
                         return f;
                     }).build()) {
            List<CompletableFuture<Void>> starts = new ArrayList<>();
            for (TipcNode n : List.of(a, b, c)) {
                starts.add(CompletableFuture.runAsync(() -> {
                    try {
                        n.start();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            for (CompletableFuture<Void> f : starts) f.get(30, TimeUnit.SECONDS);
            long end = System.nanoTime() + TwoNodeChecks.T.toNanos();
            while (upLinks(a) < 2 || upLinks(b) < 1 || upLinks(c) < 1) {
                assertThat(System.nanoTime()).as("links up within 20 s").isLessThan(end);
                Thread.sleep(20);
            }
            try (TipcSocket tx = TipcSocket.rdm(a); TipcSocket brx = TipcSocket.rdm(b); TipcSocket crx = TipcSocket.rdm(c)) {
                TipcAddress toB = brx.address();
                TipcAddress toC = crx.address();
                tx.send(toC, new byte[] {1});
                assertThat(crx.receive(TwoNodeChecks.T)).isNotNull();
                // c's acknowledge of it goes out (a has nothing unacknowledged for c) before the freeze
                long acked = System.nanoTime() + TwoNodeChecks.T.toNanos();
                while (linkTo(a, c).transmitQueue() != 0) {
                    assertThat(System.nanoTime()).as("c acknowledged within 20 s").isLessThan(acked);
                    Thread.sleep(10);
                }
                cMedia.get().freezeAcks();
                int size = Math.min(60_000, linkTo(a, c).mtu() * 6 / 10); // one message per packet
                byte[] big = new byte[size];
                int sent = 0;
                while (tx.trySend(toC, big)) {
                    sent++;
                    assertThat(sent).as("c's link congests after window + backlog").isLessThan(1000);
                }
                LinkInfo cong = linkTo(a, c);
                assertThat(sent).as("messages queued before c's link refused more").isGreaterThan(100);
                assertThat(cong.transmitQueue() + cong.backlog()).as("packets held for c: window + low backlog limit")
                        .isGreaterThanOrEqualTo(150).isGreaterThanOrEqualTo(sent);
                assertThat(tx.trySend(toC, big)).as("refused again, nothing queued").isFalse();
                assertThat(linkTo(a, c).backlog()).isEqualTo(cong.backlog());

                // a blocking send to c waits for c's link; meanwhile b is served at once, repeatedly
                long waitsBefore = a.congestionWaits();
                CompletableFuture<Void> toCBlocked = CompletableFuture.runAsync(() -> {
                    try {
                        tx.send(toC, new byte[] {7});
                    } catch (TipcException e) {
                        throw new RuntimeException(e);
                    }
                });
                long waiting = System.nanoTime() + TwoNodeChecks.T.toNanos();
                while (a.congestionWaits() == waitsBefore) { // the send to c got ELINKCONG and waits now
                    assertThat(System.nanoTime()).as("the send to c waits within 20 s").isLessThan(waiting);
                    Thread.sleep(10);
                }
                for (int i = 0; i < 20; i++) {
                    assertThat(tx.trySend(toB, new byte[] {(byte) i})).isTrue();
                    tx.send(toB, new byte[] {(byte) i});
                    assertThat(brx.receive(TwoNodeChecks.T).payload()).containsExactly(i);
                    assertThat(brx.receive(TwoNodeChecks.T).payload()).containsExactly(i);
                }
                assertThat(toCBlocked).as("still waiting for c's link").isNotDone();
                assertThat(a.congestionWaits()).isEqualTo(waitsBefore + 1);

                // b's link congests too (b's loop held 400 ms, so no acknowledge) and drains again: its uncongested
                // events wake b's senders, not the one waiting for c
                CompletableFuture<Integer> drained = CompletableFuture.supplyAsync(() -> {
                    int n = 0;
                    try {
                        while (brx.receive(Duration.ofSeconds(3)) != null) n++;
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                    return n;
                });
                CompletableFuture<Object> hold = CompletableFuture.supplyAsync(() -> {
                    try {
                        return b.call(now -> {
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
                Thread.sleep(50);
                for (int i = 0; i < 200; i++) tx.send(toB, big);
                hold.get(10, TimeUnit.SECONDS);
                assertThat(a.congestionWaits()).as("sends to b waited for b's link").isGreaterThan(waitsBefore + 1);
                assertThat(drained.get(30, TimeUnit.SECONDS)).as("b got them all").isEqualTo(200);
                assertThat(toCBlocked).as("b's link draining did not wake the send to c").isNotDone();
                // c goes away: its link goes down, and that (only that) wakes the send to it
                c.close();
                toCBlocked.get(TipcNode.CONGESTION_WAIT_MS, TimeUnit.MILLISECONDS);
                assertThatThrownBy(() -> tx.trySend(TipcAddress.ofService(18960, 1), big))
                        .isInstanceOf(IllegalArgumentException.class);
            }
        }
    }
}
