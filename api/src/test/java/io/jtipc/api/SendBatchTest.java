package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.jtipc.wire.Tipc;

/**
 * {@link TipcSocket#send(TipcAddress, ByteBuffer[], int, int)} (issue 14: several messages per system call, as
 * {@code sendmmsg}): the messages of one call leave in one flush of the bearer (node a's UDP media holds queued frames
 * until the flush, {@link OutboxFlushTest.HoldingMedia}), a call larger than the link's window waits for room and goes
 * on, every message arrives once and in order, heap and direct buffers alike, and each sent buffer is consumed.
 */
class SendBatchTest {

    @Test
    void aBatchLeavesInOneFlushAndArrivesInOrder() throws Exception {
        int port = InterfaceDownTest.freePortOnBoth("127.0.0.1", "127.0.0.2");
        String a1 = "127.0.0.1:" + port, b1 = "127.0.0.2:" + port;
        AtomicReference<TipcNode> ref = new AtomicReference<>();
        AtomicReference<OutboxFlushTest.HoldingMedia> media = new AtomicReference<>();
        TipcNode a = TipcNode.builder().identity("jt-batch-a").bearer("udp:" + a1 + ",remote=" + b1)
            .mediaWrapper(m -> {
                OutboxFlushTest.HoldingMedia h = new OutboxFlushTest.HoldingMedia(m, ref);
                media.set(h);
                return h;
            }).build();
        ref.set(a);
        try (a; TipcNode b = TipcNode.builder().identity("jt-batch-b").bearer("udp:" + b1 + ",remote=" + a1).build()) {
            TwoNodeChecks.startBoth(a, b);
            a.awaitLinkUp(TwoNodeChecks.T);
            b.awaitLinkUp(TwoNodeChecks.T);
            OutboxFlushTest.HoldingMedia h = media.get();
            try (TipcSocket rx = TipcSocket.rdm(b); TipcSocket tx = TipcSocket.rdm(a)) {
                rx.bind(TipcAddress.ofService(18932, 1));
                a.awaitBinding(x -> x.type() == 18932, TwoNodeChecks.T);
                TipcAddress to = TipcAddress.ofService(18932, 1);
                // 32 messages of 1 000 B, within the link's first window (50): one run of the core, one flush
                ByteBuffer[] small = new ByteBuffer[34];
                for (int i = 0; i < small.length; i++) {
                    byte[] p = TwoNodeChecks.pattern(1000, i);
                    small[i] = i % 2 == 0 ? ByteBuffer.wrap(p) : ByteBuffer.allocateDirect(1000).put(p).flip();
                }
                int flushes = h.largestFlush.get();
                assertThat(tx.send(to, small, 1, 32)).isEqualTo(32);
                assertThat(h.largestFlush.get()).as("frames of the batch's flush").isGreaterThanOrEqualTo(Math.max(flushes, 32));
                assertThat(small[0].remaining()).as("outside the range: untouched").isEqualTo(1000);
                assertThat(small[33].remaining()).isEqualTo(1000);
                for (int i = 1; i <= 32; i++) assertThat(small[i].remaining()).as("buffer %d consumed", i).isZero();
                for (int i = 1; i <= 32; i++) {
                    TipcMessage m = rx.receive(TwoNodeChecks.T);
                    assertThat(m).as("message %d", i).isNotNull();
                    assertThat(m.payload()).as("message %d in order", i).isEqualTo(TwoNodeChecks.pattern(1000, i));
                }
                // 3 000 messages, far more than the window: the call waits for room and goes on; all arrive in order
                ByteBuffer[] many = new ByteBuffer[3000];
                for (int i = 0; i < many.length; i++) many[i] = ByteBuffer.wrap(TwoNodeChecks.pattern(200, 1000 + i));
                assertThat(tx.send(to, many, 0, many.length)).isEqualTo(many.length);
                for (int i = 0; i < many.length; i++) {
                    TipcMessage m = rx.receive(TwoNodeChecks.T);
                    assertThat(m).as("message %d", i).isNotNull();
                    assertThat(m.payload()).as("message %d in order", i).isEqualTo(TwoNodeChecks.pattern(200, 1000 + i));
                }
                // a later message refused (too large): the count of those sent before it, as sendmmsg returns
                ByteBuffer[] mixed = {ByteBuffer.wrap(TwoNodeChecks.pattern(100, 7)), ByteBuffer.allocate(70_000),
                    ByteBuffer.wrap(new byte[5])};
                assertThat(tx.send(to, mixed, 0, 3)).isEqualTo(1);
                assertThat(mixed[0].remaining()).isZero();
                assertThat(mixed[1].remaining()).as("not sent: position kept").isEqualTo(70_000);
                assertThat(mixed[2].remaining()).isEqualTo(5);
                assertThat(rx.receive(TwoNodeChecks.T).payload()).isEqualTo(TwoNodeChecks.pattern(100, 7));
                // a direct buffer too large is refused before it is copied; to a socket address
                ByteBuffer[] bigDirect = {ByteBuffer.allocateDirect(70_000)};
                assertThatThrownBy(() -> tx.send(to, bigDirect, 0, 1)).isInstanceOfSatisfying(TipcException.class,
                    e -> assertThat(e.error()).isEqualTo(TipcError.EMSGSIZE));
                assertThat(bigDirect[0].position()).as("not sent: position kept").isZero();
                assertThat(SendOp.copyLength()).as("the copy array did not grow for it")
                    .isLessThanOrEqualTo(Tipc.MAX_USER_MSG_SIZE);
                ByteBuffer[] two = {ByteBuffer.wrap(TwoNodeChecks.pattern(50, 1)), ByteBuffer.wrap(TwoNodeChecks.pattern(50, 2))};
                assertThat(tx.send(rx.address(), two, 0, 2)).isEqualTo(2);
                assertThat(rx.receive(TwoNodeChecks.T).payload()).isEqualTo(TwoNodeChecks.pattern(50, 1));
                assertThat(rx.receive(TwoNodeChecks.T).payload()).isEqualTo(TwoNodeChecks.pattern(50, 2));
                // a bad range or a null buffer: nothing sent
                assertThatThrownBy(() -> tx.send(to, many, 2999, 2)).isInstanceOf(IndexOutOfBoundsException.class);
                ByteBuffer[] holes = {ByteBuffer.wrap(new byte[10]), null};
                assertThatThrownBy(() -> tx.send(to, holes, 0, 2)).isInstanceOf(NullPointerException.class);
                assertThat(holes[0].remaining()).isEqualTo(10);
                // the first message refused: thrown, as sendmmsg returns the first message's error
                ByteBuffer[] tooBig = {ByteBuffer.allocate(70_000)};
                assertThatThrownBy(() -> tx.send(to, tooBig, 0, 1)).isInstanceOf(TipcException.class);
                assertThat(rx.tryReceive()).isNull();
            }
        }
    }
}
