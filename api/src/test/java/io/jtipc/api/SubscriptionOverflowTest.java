package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;


/**
 * A subscriber that leaves too many events unread loses the subscription with a clear error, never memory; a
 * subscriber waiting when its node closes is woken.
 */
class SubscriptionOverflowTest {
    static final Duration T = Duration.ofSeconds(10);

    @Test
    void liveEventsBeyondTheLimitCloseTheSubscription() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        List<TipcSocket> socks = new ArrayList<>();
        try (TipcNode a = TipcNode.builder().identity("jt-subovf").bearer("udp:127.0.0.1:" + port
                + ",remote=127.0.0.3:" + port).start();
             TipcSubscription s = TipcSubscription.open(a, TipcAddress.ofServiceRange(7100, 0, 100),
                 TipcSubscription.Filter.PORTS, null, 5)) {
            for (int i = 0; i < 8; i++) {
                TipcSocket k = TipcSocket.rdm(a);
                socks.add(k);
                k.bind(TipcAddress.ofService(7100, i));
            }
            // the subscription is gone from the core (cancelled on the loop after the overflowing event)
            assertThat(a.<Boolean>call(now -> s.coreSubscription().deleted()).booleanValue()).isTrue();
            assertThat(s.overflowed()).isTrue();
            for (int i = 0; i < 5; i++) {
                assertThat(s.poll(T).kind()).isEqualTo(TopologyEvent.Kind.PUBLISHED);
            }
            assertThatThrownBy(() -> s.poll(T)).isInstanceOf(TipcException.class)
                .hasMessageContaining("overflow")
                .satisfies(e -> assertThat(((TipcException) e).errno()).isEqualTo(-105)) // ENOBUFS
                .satisfies(e -> assertThat(((TipcException) e).error()).isEqualTo(TipcError.ENOBUFS));
            // and keeps saying so
            assertThatThrownBy(() -> s.poll(Duration.ofMillis(10))).hasMessageContaining("overflow");
        } finally {
            for (TipcSocket k : socks) k.close();
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void closingTheNodeEndsAWaitingPoll() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        TipcNode a = TipcNode.builder().identity("jt-subclose").bearer("udp:127.0.0.1:" + port
                + ",remote=127.0.0.3:" + port).start();
        TipcSubscription s = TipcSubscription.open(a, TipcAddress.ofServiceRange(7102, 0, 100),
                TipcSubscription.Filter.PORTS, null);
        java.util.concurrent.CompletableFuture<TopologyEvent> polled = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> {
                    try {
                        return s.poll(Duration.ofHours(1)); // only the node's close can end this wait
                    } catch (Exception e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
        a.close();
        assertThat(polled.get()).isNull();
        assertThat(s.poll(Duration.ofHours(1))).isNull(); // and stays ended
        s.close(); // idempotent after the node's close
    }

    @Test
    void replayBeyondTheLimitClosesTheSubscription() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        List<TipcSocket> socks = new ArrayList<>();
        try (TipcNode a = TipcNode.builder().identity("jt-subovf2").bearer("udp:127.0.0.1:" + port
                + ",remote=127.0.0.3:" + port).start()) {
            for (int i = 0; i < 8; i++) {
                TipcSocket k = TipcSocket.rdm(a);
                socks.add(k);
                k.bind(TipcAddress.ofService(7101, i));
            }
            try (TipcSubscription s = TipcSubscription.open(a, TipcAddress.ofServiceRange(7101, 0, 100),
                    TipcSubscription.Filter.PORTS, null, 5)) {
                assertThat(s.overflowed()).isTrue();
                assertThat(a.<Boolean>call(now -> s.coreSubscription().deleted()).booleanValue()).isTrue();
                for (int i = 0; i < 5; i++) assertThat(s.poll(T)).isNotNull();
                assertThatThrownBy(() -> s.poll(T)).hasMessageContaining("overflow");
            }
            // a subscription within the limit still works
            try (TipcSubscription s = TipcSubscription.open(a, TipcAddress.ofServiceRange(7101, 0, 100),
                    TipcSubscription.Filter.PORTS, null, 8)) {
                for (int i = 0; i < 8; i++) assertThat(s.poll(T)).isNotNull();
                assertThat(s.poll(Duration.ofMillis(100))).isNull();
                assertThat(s.overflowed()).isFalse();
            }
        } finally {
            for (TipcSocket k : socks) k.close();
        }
    }
}
