package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The non-blocking and asynchronous socket API (issue 18): tryReceive, receiveAsync, message listeners, sendAsync,
 * ByteBuffer forms and typed options, between two TipcNodes over UDP on 127.0.0.1/127.0.0.2.
 */
class AsyncSocketApiTest {
    private static final Duration T = TwoNodeChecks.T;
    private static TipcNode a;
    private static TipcNode b;
    private static int service = 18_900;

    @BeforeAll
    static void start() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a1 = "127.0.0.1:" + port;
        String b1 = "127.0.0.2:" + port;
        a = TipcNode.builder().identity("jt-async-a").bearer("udp:" + a1 + ",remote=" + b1).build();
        b = TipcNode.builder().identity("jt-async-b").bearer("udp:" + b1 + ",remote=" + a1).build();
        TwoNodeChecks.startBoth(a, b);
        a.awaitLinkUp(T);
        b.awaitLinkUp(T);
    }

    @AfterAll
    static void stop() {
        if (a != null) a.close();
        if (b != null) b.close();
    }

    /** A socket on b bound to a fresh service that a already sees. */
    private static TipcSocket boundOnB(TipcAddress[] name) throws Exception {
        int type = ++service;
        TipcSocket s = TipcSocket.rdm(b);
        s.bind(TipcAddress.ofService(type, 1));
        a.awaitBinding(x -> x.type() == type, T);
        name[0] = TipcAddress.ofService(type, 1);
        return s;
    }

    @Test
    void tryReceiveReturnsNullWhenEmptyAndTheMessageWhenQueued() throws Exception {
        TipcAddress[] name = new TipcAddress[1];
        try (TipcSocket rx = boundOnB(name); TipcSocket tx = TipcSocket.rdm(a)) {
            assertThat(rx.tryReceive()).isNull();
            tx.send(name[0], new byte[] {1, 2, 3});
            TipcMessage m = null;
            long end = System.nanoTime() + T.toNanos();
            while (m == null && System.nanoTime() < end) {
                m = rx.tryReceive();
                if (m == null) Thread.sleep(1);
            }
            assertThat(m).isNotNull();
            assertThat(m.payload()).containsExactly(1, 2, 3);
            assertThat(m.source()).isEqualTo(tx.address());
            assertThat(rx.tryReceive()).isNull();
            rx.close();
            assertThatThrownBy(rx::tryReceive).isInstanceOf(TipcException.class).hasMessageContaining("closed");
        }
    }

    @Test
    void receiveAsyncCompletesInOrderIsBoundedAndFailsOnClose() throws Exception {
        TipcAddress[] name = new TipcAddress[1];
        try (TipcSocket rx = boundOnB(name); TipcSocket tx = TipcSocket.rdm(a)) {
            CompletableFuture<TipcMessage> f1 = rx.receiveAsync();
            CompletableFuture<TipcMessage> f2 = rx.receiveAsync();
            assertThat(f1).isNotDone();
            tx.send(name[0], new byte[] {1});
            tx.send(name[0], new byte[] {2});
            assertThat(f1.get(T.toSeconds(), TimeUnit.SECONDS).payload()).containsExactly(1);
            assertThat(f2.get(T.toSeconds(), TimeUnit.SECONDS).payload()).containsExactly(2);
            // a message queued before the future is asked for
            tx.send(name[0], new byte[] {3});
            assertThat(rx.receiveAsync().get(T.toSeconds(), TimeUnit.SECONDS).payload()).containsExactly(3);

            List<CompletableFuture<TipcMessage>> pending = new ArrayList<>();
            for (int i = 0; i < TipcSocket.MAX_PENDING_RECEIVES; i++) pending.add(rx.receiveAsync());
            CompletableFuture<TipcMessage> over = rx.receiveAsync();
            assertThat(over).isCompletedExceptionally();
            assertThatThrownBy(over::get).hasCauseInstanceOf(TipcException.class)
                    .satisfies(e -> assertThat(((TipcException) e.getCause()).error()).isEqualTo(TipcError.EAGAIN));
            assertThat(pending).noneMatch(CompletableFuture::isDone);
            assertThatThrownBy(() -> rx.setMessageListener(m -> { }, Runnable::run))
                    .isInstanceOf(IllegalStateException.class);

            rx.close();
            for (CompletableFuture<TipcMessage> f : pending) {
                assertThatThrownBy(() -> f.get(T.toSeconds(), TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TipcException.class);
            }
            assertThat(rx.receiveAsync()).isCompletedExceptionally();
        }
    }

    @Test
    void listenerGetsTenThousandMessagesInOrderOnTheExecutor() throws Exception {
        int n = 10_000;
        TipcAddress[] name = new TipcAddress[1];
        ExecutorService ex = Executors.newSingleThreadExecutor(r -> new Thread(r, "app-listener"));
        try (TipcSocket rx = boundOnB(name); TipcSocket tx = TipcSocket.rdm(a)) {
            List<Integer> got = new ArrayList<>(n);
            Set<String> threads = ConcurrentHashMap.newKeySet();
            CountDownLatch all = new CountDownLatch(n);
            rx.setMessageListener(m -> {
                got.add(ByteBuffer.wrap(m.payload()).getInt());
                threads.add(Thread.currentThread().getName());
                all.countDown();
            }, ex);
            assertThatThrownBy(rx::tryReceive).isInstanceOf(IllegalStateException.class);
            // importance HIGH: 8 MiB receive limit (30 000 such messages), so even a lagging listener loses none
            tx.setOption(TipcOption.IMPORTANCE, 2);
            for (int i = 0; i < n; i++) {
                tx.send(name[0], ByteBuffer.allocate(8).putInt(i).putInt(~i).array());
            }
            assertThat(all.await(60, TimeUnit.SECONDS)).as("all %d delivered", n).isTrue();
            ex.submit(() -> { }).get(); // the list is read after the listener thread's last write
            List<Integer> want = new ArrayList<>(n);
            for (int i = 0; i < n; i++) want.add(i);
            assertThat(got).isEqualTo(want);
            assertThat(threads).containsExactly("app-listener");
            assertThat(rx.droppedMessages()).isZero();
            assertThat(rx.listenerErrors()).isZero();
            // removing the listener: the blocking forms work again
            rx.setMessageListener(null, null);
            tx.send(name[0], new byte[] {9});
            assertThat(rx.receive(T).payload()).containsExactly(9);
        } finally {
            ex.shutdownNow();
        }
    }

    @Test
    void sendAsyncUnderCongestionCompletesLaterWithoutLoss() throws Exception {
        TipcAddress[] name = new TipcAddress[1];
        try (TipcSocket rx = boundOnB(name); TipcSocket tx = TipcSocket.rdm(a)) {
            int n = 1500; // 1500 x (1000 + 256) bytes stay below the receiver's 2 MiB buffer
            long waits0 = a.congestionWaits();
            // b's loop is held 400 ms: no acks, so a's link (window 50, backlog limit 100) congests
            CountDownLatch held = new CountDownLatch(1);
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
            assertThat(held.await(T.toSeconds(), TimeUnit.SECONDS)).isTrue(); // b's core is held from here
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            int notDoneAtReturn = 0;
            for (int i = 0; i < n; i++) {
                CompletableFuture<Void> f = tx.sendAsync(name[0], TwoNodeChecks.pattern(1000, i));
                if (!f.isDone()) notDoneAtReturn++;
                fs.add(f);
                if (fs.size() % 100 == 0) f.get(T.toSeconds(), TimeUnit.SECONDS); // back-pressure, as a caller would
            }
            CompletableFuture.allOf(fs.toArray(new CompletableFuture[0])).get(T.toSeconds(), TimeUnit.SECONDS);
            hold.join();
            assertThat(notDoneAtReturn).as("futures that completed after the call returned (congestion)").isPositive();
            assertThat(a.congestionWaits()).isGreaterThan(waits0);
            for (int i = 0; i < n; i++) {
                TipcMessage m = rx.receive(T);
                assertThat(m).as("message %d", i).isNotNull();
                assertThat(m.payload()).as("message %d in order", i).isEqualTo(TwoNodeChecks.pattern(1000, i));
            }
            CompletableFuture<Void> bad = tx.sendAsync(TipcAddress.ofService(4_000_000, 1), new byte[1]);
            assertThatThrownBy(bad::get).hasCauseInstanceOf(TipcException.class).hasMessageContaining("EHOSTUNREACH");
        }
    }

    @Test
    void byteBufferRoundTripsHeapAndDirectWithTruncation() throws Exception {
        TipcAddress[] name = new TipcAddress[1];
        try (TipcSocket rx = boundOnB(name); TipcSocket tx = TipcSocket.rdm(a)) {
            byte[] data = TwoNodeChecks.pattern(300, 5);
            for (boolean direct : new boolean[] {false, true}) {
                ByteBuffer src = direct ? ByteBuffer.allocateDirect(400) : ByteBuffer.allocate(400);
                src.position(10);
                src.put(data);
                src.flip().position(10); // 300 bytes between position 10 and limit 310
                tx.send(name[0], src);
                assertThat(src.position()).isEqualTo(310);
                assertThat(src.limit()).isEqualTo(310);

                ByteBuffer dst = direct ? ByteBuffer.allocateDirect(512) : ByteBuffer.allocate(512);
                dst.position(7);
                TipcReceived r = rx.receive(dst);
                assertThat(r.length()).isEqualTo(300);
                assertThat(r.copied()).isEqualTo(300);
                assertThat(r.truncated()).isFalse();
                assertThat(r.source()).isEqualTo(tx.address());
                assertThat(r.destination()).isEqualTo(name[0]);
                assertThat(dst.position()).isEqualTo(307);
                assertThat(dst.limit()).isEqualTo(512);
                byte[] back = new byte[300];
                dst.flip().position(7);
                dst.get(back);
                assertThat(back).as(direct ? "direct" : "heap").isEqualTo(data);

                // too small: the first bytes are kept, the rest discarded, truncated() set (MSG_TRUNC)
                tx.send(name[0], ByteBuffer.wrap(data));
                ByteBuffer small = direct ? ByteBuffer.allocateDirect(100) : ByteBuffer.allocate(100);
                small.limit(64);
                TipcReceived t = awaitTry(rx, small);
                assertThat(t.truncated()).isTrue();
                assertThat(t.length()).isEqualTo(300);
                assertThat(t.copied()).isEqualTo(64);
                assertThat(small.position()).isEqualTo(64);
                assertThat(small.limit()).isEqualTo(64);
                byte[] head = new byte[64];
                small.flip();
                small.get(head);
                assertThat(head).isEqualTo(java.util.Arrays.copyOf(data, 64));
                assertThat(rx.tryReceive(ByteBuffer.allocate(10))).as("the rest was discarded").isNull();
            }
            assertThatThrownBy(() -> rx.tryReceive(ByteBuffer.allocate(4).asReadOnlyBuffer()))
                    .isInstanceOf(java.nio.ReadOnlyBufferException.class);
        }
    }

    private static TipcReceived awaitTry(TipcSocket rx, ByteBuffer dst) throws Exception {
        long end = System.nanoTime() + T.toNanos();
        while (System.nanoTime() < end) {
            TipcReceived r = rx.tryReceive(dst);
            if (r != null) return r;
            Thread.sleep(1);
        }
        throw new AssertionError("no message");
    }

    @Test
    void typedOptionsRoundTripAndErrors() throws Exception {
        try (TipcSocket s = TipcSocket.rdm(a); TipcSocket d = TipcSocket.dgram(a)) {
            assertThat(s.getOption(TipcOption.IMPORTANCE)).isZero();
            s.setOption(TipcOption.IMPORTANCE, 3);
            assertThat(s.getOption(TipcOption.IMPORTANCE)).isEqualTo(3);
            assertThat(s.getOption(TipcOption.DEST_DROPPABLE)).isTrue();
            s.setOption(TipcOption.DEST_DROPPABLE, false);
            assertThat(s.getOption(TipcOption.DEST_DROPPABLE)).isFalse();
            assertThat(s.getOption(TipcOption.SRC_DROPPABLE)).isFalse();
            assertThat(d.getOption(TipcOption.SRC_DROPPABLE)).isTrue();
            s.setOption(TipcOption.SRC_DROPPABLE, false);
            assertThat(s.getOption(TipcOption.LOOKUP_DOMAIN)).isZero();
            s.setOption(TipcOption.LOOKUP_DOMAIN, b.address());
            assertThat(s.getOption(TipcOption.LOOKUP_DOMAIN)).isEqualTo(b.address());
            assertThat(s.getOption(TipcOption.SOCK_RECVQ_DEPTH)).isZero();
            assertThat(TipcOption.IMPORTANCE.optname()).isEqualTo(127);
            assertThat(TipcOption.NODELAY.optname()).isEqualTo(138);

            assertError(() -> s.setOption(TipcOption.SOCK_RECVQ_DEPTH, 5), TipcError.EINVAL);
            assertError(() -> s.setOption(TipcOption.IMPORTANCE, 4), TipcError.EINVAL);
            assertError(() -> s.setOption(TipcOption.NODELAY, true), TipcError.EINVAL);
            assertError(() -> s.getOption(TipcOption.CONN_TIMEOUT), TipcError.EINVAL);
            assertError(() -> s.setOption(TipcOption.SRC_DROPPABLE, true), TipcError.EOPNOTSUPP);
            assertThat(s.getOption(TipcOption.IMPORTANCE)).as("unchanged by the refused set").isEqualTo(3);

            // the depth counts unread messages (local delivery: a's own socket)
            s.bind(TipcAddress.ofService(18_999, 1));
            d.send(TipcAddress.ofService(18_999, 1), new byte[1]);
            d.send(TipcAddress.ofService(18_999, 1), new byte[1]);
            long end = System.nanoTime() + T.toNanos();
            while (s.getOption(TipcOption.SOCK_RECVQ_DEPTH) < 2 && System.nanoTime() < end) Thread.sleep(1);
            assertThat(s.getOption(TipcOption.SOCK_RECVQ_DEPTH)).isEqualTo(2);
            s.close();
            assertThatThrownBy(() -> s.getOption(TipcOption.IMPORTANCE)).isInstanceOf(TipcException.class);
        }
    }

    @Test
    void lookupDomainRestrictsSendsByName() throws Exception {
        TipcAddress[] name = new TipcAddress[1];
        try (TipcSocket rx = boundOnB(name); TipcSocket tx = TipcSocket.rdm(a)) {
            tx.setOption(TipcOption.LOOKUP_DOMAIN, a.address()); // only a's own bindings: there are none
            assertThatThrownBy(() -> tx.send(name[0], new byte[1])).hasMessageContaining("EHOSTUNREACH");
            tx.setOption(TipcOption.LOOKUP_DOMAIN, b.address());
            tx.send(name[0], new byte[] {4});
            assertThat(rx.receive(T).payload()).containsExactly(4);
        }
    }

    private interface Call {
        void run() throws Exception;
    }

    private static void assertError(Call c, TipcError want) {
        assertThatThrownBy(c::run).isInstanceOf(TipcException.class)
                .satisfies(e -> assertThat(((TipcException) e).error()).isEqualTo(want));
    }
}
