package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * {@link TipcNode#awaitBinding} / {@link TipcNode#awaitNoBinding} sleep on the binding view and wake on the event
 * loop's binding changes: a change made from another thread ends the wait, closing the node ends it with an error,
 * nothing matching ends it at the timeout.
 */
class AwaitBindingTest {
    private static TipcNode node(String id) throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        return TipcNode.builder().identity(id).bearer("udp:127.0.0.1:" + port + ",remote=127.0.0.3:" + port).start();
    }

    @Test
    void waitersWakeOnBindAndUnbind() throws Exception {
        try (TipcNode a = node("jt-await"); TipcSocket s = TipcSocket.rdm(a)) {
            CompletableFuture<Binding> seen = CompletableFuture.supplyAsync(() -> {
                try {
                    return a.awaitBinding(b -> b.type() == 7300 && b.lower() == 4, Duration.ofSeconds(20));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(200);
            assertThat(seen).isNotDone();
            s.bind(TipcAddress.ofService(7300, 4));
            Binding b = seen.get(5, TimeUnit.SECONDS);
            assertThat(b.port()).isEqualTo(s.port());
            assertThat(b.node()).isEqualTo(a.address());

            CompletableFuture<Void> gone = CompletableFuture.runAsync(() -> {
                try {
                    a.awaitNoBinding(x -> x.type() == 7300, Duration.ofSeconds(20));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(200);
            assertThat(gone).isNotDone();
            s.unbind(TipcAddress.ofService(7300, 4));
            gone.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void timeoutAndClosedNodeEndTheWait() throws Exception {
        TipcNode a = node("jt-await2");
        try {
            assertThatThrownBy(() -> a.awaitBinding(b -> b.type() == 7301, Duration.ofMillis(300)))
                .isInstanceOf(TipcException.class).hasMessageContaining("no matching binding");
            assertThatThrownBy(() -> a.awaitNoBinding(b -> b.type() == 0, Duration.ofMillis(300)))
                .isInstanceOf(TipcException.class).hasMessageContaining("still present");
            CompletableFuture<Binding> waiter = CompletableFuture.supplyAsync(() -> {
                try {
                    return a.awaitBinding(b -> b.type() == 7301, Duration.ofSeconds(60));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(200);
            a.close();
            assertThatThrownBy(() -> waiter.get(5, TimeUnit.SECONDS)).hasRootCauseInstanceOf(TipcException.class)
                .hasMessageContaining("not running");
        } finally {
            a.close();
        }
    }
}
