package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.jtipc.wire.Tipc;

/**
 * {@link TipcSocket#receive(ByteBuffer, TipcMessageInfo)} and its timed and non-blocking forms (issue 14: recvmsg
 * into the caller's buffer), mixed with the older forms on the same socket, between two nodes over UDP on
 * 127.0.0.1/127.0.0.2.
 */
class ReceiveIntoBufferTest {
    private static TipcNode a;
    private static TipcNode b;
    private static final Duration T = TwoNodeChecks.T;

    @BeforeAll
    static void start() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a1 = "127.0.0.1:" + port;
        String b1 = "127.0.0.2:" + port;
        a = TipcNode.builder().identity("jt-rib-a").bearer("udp:" + a1 + ",remote=" + b1).build();
        b = TipcNode.builder().identity("jt-rib-b").bearer("udp:" + b1 + ",remote=" + a1).build();
        TwoNodeChecks.startBoth(a, b);
        a.awaitLinkUp(T);
        b.awaitLinkUp(T);
    }

    @AfterAll
    static void stop() {
        if (a != null) a.close();
        if (b != null) b.close();
    }

    @Test
    void closingASocketGivesItsSpareArraysBackAndQueuesNothingMore() throws Exception {
        TipcSocket rx = TipcSocket.rdm(b);
        try (TipcSocket tx = TipcSocket.rdm(a)) {
            // a burst queued, then read: the socket keeps the read messages' arrays for reuse (counted process-wide)
            for (int i = 0; i < 50; i++) tx.send(rx.address(), TwoNodeChecks.pattern(4000, i));
            TipcMessageInfo info = new TipcMessageInfo();
            ByteBuffer dst = ByteBuffer.allocate(4000);
            for (int i = 0; i < 50; i++) assertThat(rx.receive(dst.clear(), info, T)).isEqualTo(4000);
            // (as many arrays as messages were queued at once: at least one)
            long kept = SocketRxQueue.totalSpareBytes();
            assertThat(kept).as("spares kept by the open socket").isGreaterThanOrEqualTo(4000);
            rx.close();
            assertThat(SocketRxQueue.totalSpareBytes()).as("after close").isLessThanOrEqualTo(kept - 4000);
            // a message for the closed socket is not queued (it is rejected or dropped), and receive says closed
            tx.send(TipcAddress.ofSocket(rx.port(), b.address()), new byte[10]);
            assertThatThrownBy(() -> rx.receive(dst.clear(), info, Duration.ofMillis(200))).isInstanceOf(TipcException.class);
        } finally {
            rx.close();
        }
    }

    /**
     * Spares left by many small messages do not make every later large message allocate its array (bench/RESULTS.md:
     * one way 60 000 B over veth after the 1 000 B test allocated about one 60 000-byte array per message): the large
     * arrays recycled at the tail are taken there, and they displace the oldest small ones from the byte budget.
     */
    @Test
    void aNewMessageSizeReusesItsOwnArraysAfterSmallSpares() throws Exception {
        try (TipcSocket rx = TipcSocket.rdm(b); TipcSocket tx = TipcSocket.rdm(a)) {
            TipcMessageInfo info = new TipcMessageInfo();
            ByteBuffer dst = ByteBuffer.allocate(60000);
            burst(tx, rx, 1500, 1000, info, dst); // 1.5 MB of 1 000-byte spare arrays (of the 2 MiB budget)
            long before = rx.rx.allocated();
            for (int round = 0; round < 5; round++) burst(tx, rx, 25, 60000, info, dst); // 1.5 MB queued at once
            // the first burst needs 25 new arrays, later ones reuse them (125 without either change, 84 with the tail
            // take alone: few large arrays fit next to the small ones)
            assertThat(rx.rx.allocated() - before).as("60 000-byte arrays allocated").isEqualTo(25);
            assertThat(SocketRxQueue.totalSpareBytes()).isLessThanOrEqualTo(SocketRxQueue.TOTAL_SPARE_BYTES);
        }
    }

    /** Sends {@code count} messages of {@code size} bytes, waits until all are queued at once, then reads them. */
    private static void burst(TipcSocket tx, TipcSocket rx, int count, int size, TipcMessageInfo info, ByteBuffer dst)
            throws Exception {
        for (int i = 0; i < count; i++) tx.send(rx.address(), TwoNodeChecks.pattern(size, i));
        long deadline = System.nanoTime() + T.toNanos();
        while (rx.rx.size() < count && System.nanoTime() < deadline) Thread.sleep(1);
        assertThat(rx.rx.size()).as("queued at once").isEqualTo(count);
        for (int i = 0; i < count; i++) assertThat(rx.receive(dst.clear(), info, T)).isEqualTo(size);
    }

    @Test
    void addressesLengthsTruncationAndReusedAddressObjects() throws Exception {
        try (TipcSocket rx = TipcSocket.rdm(b); TipcSocket tx = TipcSocket.rdm(a)) {
            rx.bind(TipcAddress.ofService(18_950, 7));
            a.awaitBinding(x -> x.type() == 18_950, T);
            TipcMessageInfo info = new TipcMessageInfo();
            assertThat(info.source()).isNull();
            assertThat(rx.tryReceive(ByteBuffer.allocate(8), info)).isEqualTo(-1);
            assertThat(rx.receive(ByteBuffer.allocate(8), info, Duration.ofMillis(50))).isEqualTo(-1);

            tx.send(TipcAddress.ofService(18_950, 7), TwoNodeChecks.pattern(300, 1));
            ByteBuffer dst = ByteBuffer.allocate(1000);
            dst.position(10);
            assertThat(rx.receive(dst, info)).isEqualTo(300);
            assertThat(dst.position()).isEqualTo(310);
            byte[] got = new byte[300];
            dst.flip().position(10);
            dst.get(got);
            assertThat(got).isEqualTo(TwoNodeChecks.pattern(300, 1));
            assertThat(info.length()).isEqualTo(300);
            assertThat(info.copied()).isEqualTo(300);
            assertThat(info.truncated()).isFalse();
            assertThat(info.sourcePort()).isEqualTo(tx.port());
            assertThat(info.sourceNode()).isEqualTo(a.address());
            assertThat(info.source()).isEqualTo(tx.address());
            assertThat(info.destination()).isEqualTo(TipcAddress.ofService(18_950, 7));
            assertThat(info.errcode()).isZero();
            assertThat(info.isReturned()).isFalse();
            TipcAddress src = info.source();
            TipcAddress dest = info.destination();

            // to the socket address: no destination; same source object; a short buffer truncates (MSG_TRUNC)
            tx.setImportance(2);
            tx.send(rx.address(), TwoNodeChecks.pattern(500, 2));
            ByteBuffer small = ByteBuffer.allocate(100);
            assertThat(rx.receive(small, info, T)).isEqualTo(100);
            assertThat(small.position()).isEqualTo(100);
            assertThat(small.array()).isEqualTo(java.util.Arrays.copyOf(TwoNodeChecks.pattern(500, 2), 100));
            assertThat(info.length()).isEqualTo(500);
            assertThat(info.copied()).isEqualTo(100);
            assertThat(info.truncated()).isTrue();
            assertThat(info.destination()).isNull();
            assertThat(info.importance()).isEqualTo(2);
            assertThat(info.source()).isSameAs(src);

            // named again after a direct message: an equal destination, then the very same object while it stays
            tx.send(TipcAddress.ofService(18_950, 7), new byte[0]);
            assertThat(rx.receive(ByteBuffer.allocate(0), info)).isZero();
            assertThat(info.length()).isZero();
            assertThat(info.destination()).isEqualTo(dest);
            TipcAddress d2 = info.destination();
            tx.send(TipcAddress.ofService(18_950, 7), new byte[1]);
            assertThat(rx.receive(ByteBuffer.allocate(4), info)).isEqualTo(1);
            assertThat(info.destination()).isSameAs(d2);
            assertThat(info.source()).isSameAs(src);
            assertThat(info.toString()).contains("length=1");
        }
    }

    /**
     * socket.c tipc_release -> tsk_rej_rx_queue: an RDM socket closed with messages unread returns those whose sender
     * cleared dest-droppable, with TIPC_ERR_NO_PORT and at most 1 024 payload bytes; dest-droppable ones are dropped.
     */
    @Test
    void closingWithMessagesUnreadReturnsThoseTheirSendersWantBack() throws Exception {
        try (TipcSocket tx = TipcSocket.rdm(a); TipcSocket droppable = TipcSocket.rdm(a)) {
            tx.setDestDroppable(false);
            TipcSocket rx = TipcSocket.rdm(b);
            for (int i = 0; i < 3; i++) tx.send(rx.address(), TwoNodeChecks.pattern(i == 2 ? 3000 : 40, i));
            droppable.send(rx.address(), new byte[8]);
            long all = 40 + 40 + 3000 + 8 + 4L * TipcSocket.MESSAGE_OVERHEAD;
            long deadline = System.nanoTime() + T.toNanos();
            while (rx.queuedBytes() < all && System.nanoTime() < deadline) Thread.sleep(5);
            assertThat(rx.queuedBytes()).as("all four queued, none read").isEqualTo(all);
            rx.close();
            TipcMessageInfo info = new TipcMessageInfo();
            ByteBuffer dst = ByteBuffer.allocate(4000);
            for (int i = 0; i < 3; i++) {
                int n = tx.receive(dst.clear(), info, T);
                assertThat(info.isReturned()).isTrue();
                assertThat(info.errcode()).isEqualTo(Tipc.TIPC_ERR_NO_PORT);
                assertThat(n).isEqualTo(i == 2 ? 1024 : 40);
                assertThat(java.util.Arrays.copyOf(dst.array(), n))
                    .isEqualTo(java.util.Arrays.copyOf(TwoNodeChecks.pattern(i == 2 ? 3000 : 40, i), n));
            }
            assertThat(tx.receive(dst.clear(), info, java.time.Duration.ofMillis(300))).as("nothing more").isEqualTo(-1);
            assertThat(droppable.receive(dst.clear(), info, java.time.Duration.ofMillis(100))).isEqualTo(-1);
        }
    }

    @Test
    void returnedMessageCarriesItsErrorCode() throws Exception {
        try (TipcSocket tx = TipcSocket.rdm(a)) {
            tx.setDestDroppable(false);
            int port;
            try (TipcSocket gone = TipcSocket.rdm(b)) {
                port = gone.port();
            }
            tx.send(TipcAddress.ofSocket(port, b.address()), TwoNodeChecks.pattern(40, 3));
            TipcMessageInfo info = new TipcMessageInfo();
            ByteBuffer dst = ByteBuffer.allocate(64);
            assertThat(tx.receive(dst, info, T)).isEqualTo(40);
            assertThat(info.isReturned()).isTrue();
            assertThat(info.errcode()).isEqualTo(Tipc.TIPC_ERR_NO_PORT);
            assertThat(java.util.Arrays.copyOf(dst.array(), 40)).isEqualTo(TwoNodeChecks.pattern(40, 3));
        }
    }

    /**
     * Bursts that grow the socket's ring while its head is not at index 0, read with every form in turn: nothing lost,
     * nothing out of order, the byte count back to 0 (a ring grown without re-basing its head lost a message).
     */
    @Test
    void burstsKeepOrderAcrossEveryReceiveForm() throws Exception {
        try (TipcSocket rx = TipcSocket.rdm(b); TipcSocket tx = TipcSocket.rdm(a)) {
            TipcMessageInfo info = new TipcMessageInfo();
            ByteBuffer dst = ByteBuffer.allocate(2000);
            int next = 0;
            int sent = 0;
            for (int round = 0; round < 7; round++) {
                // 7, 157, ... 757 more while about half of the last round's are still queued, so the ring grows past
                // 16, 32, ... with its head away from index 0; the last round drains everything
                int burst = round < 6 ? 7 + round * 150 : 0;
                for (int i = 0; i < burst; i++) {
                    tx.send(rx.address(), TwoNodeChecks.pattern(20 + (sent % 1500), sent));
                    sent++;
                }
                int read = round < 6 ? (sent - next) / 2 + 1 : sent - next;
                for (int i = 0; i < read; i++, next++) {
                    byte[] want = TwoNodeChecks.pattern(20 + (next % 1500), next);
                    byte[] got;
                    switch (next % 4) {
                        case 0 -> got = rx.receive(T).payload();
                        case 1 -> {
                            dst.clear();
                            assertThat(rx.receive(dst, info, T)).isEqualTo(want.length);
                            got = java.util.Arrays.copyOf(dst.array(), dst.position());
                        }
                        case 2 -> {
                            dst.clear();
                            int n;
                            while ((n = rx.tryReceive(dst, info)) < 0) Thread.onSpinWait();
                            got = java.util.Arrays.copyOf(dst.array(), n);
                        }
                        default -> {
                            dst.clear();
                            TipcReceived r = rx.receive(dst);
                            got = java.util.Arrays.copyOf(dst.array(), r.copied());
                        }
                    }
                    assertThat(got).as("message %d", next).isEqualTo(want);
                }
            }
            assertThat(next).isEqualTo(sent);
            assertThat(rx.queuedBytes()).isZero();
            assertThat(rx.getOption(TipcOption.SOCK_RECVQ_DEPTH)).isZero();
        }
    }

    /** A socket closed with a message unread has none left to read (tipc_release empties the queue). */
    @Test
    void aClosedSocketHasNothingLeftToRead() throws Exception {
        TipcSocket rx = TipcSocket.rdm(b);
        try (TipcSocket tx = TipcSocket.rdm(a)) {
            tx.send(rx.address(), TwoNodeChecks.pattern(10, 9));
            TipcMessageInfo info = new TipcMessageInfo();
            // wait until it is queued, then close with it unread
            for (long end = System.nanoTime() + T.toNanos(); rx.queuedBytes() == 0 && System.nanoTime() < end; ) {
                Thread.sleep(1);
            }
            assertThat(rx.queuedBytes()).isPositive();
            rx.close();
            assertThatThrownBy(() -> rx.receive(ByteBuffer.allocate(10), info, T)).isInstanceOf(TipcException.class);
            assertThatThrownBy(() -> rx.receive(ByteBuffer.allocate(10), info)).isInstanceOf(TipcException.class)
                .hasMessageContaining("closed");
            assertThatThrownBy(() -> rx.tryReceive(ByteBuffer.allocate(10), info)).isInstanceOf(TipcException.class);
            assertThatThrownBy(() -> rx.receive(ByteBuffer.allocate(10).asReadOnlyBuffer(), info))
                .isInstanceOf(java.nio.ReadOnlyBufferException.class);
        }
    }

    @Test
    void aBlockedReceiveWakesForTheMessageAndForClose() throws Exception {
        try (TipcSocket tx = TipcSocket.rdm(a)) {
            TipcSocket rx = TipcSocket.rdm(b);
            java.util.concurrent.CompletableFuture<Integer> got = new java.util.concurrent.CompletableFuture<>();
            java.util.concurrent.CompletableFuture<Throwable> closed = new java.util.concurrent.CompletableFuture<>();
            Thread t = new Thread(() -> {
                TipcMessageInfo info = new TipcMessageInfo();
                try {
                    got.complete(rx.receive(ByteBuffer.allocate(100), info));
                    rx.receive(ByteBuffer.allocate(100), info);
                    closed.complete(null);
                } catch (Throwable e) {
                    closed.complete(e);
                }
            });
            t.start();
            Thread.sleep(50);
            tx.send(rx.address(), TwoNodeChecks.pattern(33, 1));
            assertThat(got.get(20, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(33);
            Thread.sleep(50);
            rx.close();
            assertThat(closed.get(20, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(TipcException.class);
            t.join(20_000);
        }
    }
}
