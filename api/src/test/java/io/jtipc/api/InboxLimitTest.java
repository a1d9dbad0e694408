package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The queue of received frames waiting for the event loop is bounded in bytes as well as in frames (issue 15: any UDP
 * source can fill it, no link needed): past {@link TipcNode#INBOX_BYTE_LIMIT} frames are dropped and counted.
 */
@Timeout(60)
class InboxLimitTest {
    @Test
    void framesBeyondTheByteLimitAreDroppedAndCounted() throws Exception {
        int p = 20000 + ThreadLocalRandom.current().nextInt(20000);
        try (TipcNode a = TipcNode.builder().identity("jt-inbox").bearer("udp:127.0.0.1:" + p + ",remote=127.0.0.3:" + p)
                .start()) {
            BearerIo bearer = a.bearers().get(0);
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            a.later(() -> {
                holding.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
            long before = a.droppedInboxFrames();
            byte[] frame = new byte[64 * 1024]; // one array for every frame: the test itself holds 64 KiB only
            byte[] src = new byte[6];
            int fit = (int) (TipcNode.INBOX_BYTE_LIMIT / frame.length);
            assertThat(fit).as("far fewer frames than the frame limit").isLessThan(TipcNode.INBOX_FRAME_LIMIT / 100);
            try {
                for (int i = 0; i < fit; i++) a.received(new BearerIo.Rx(bearer, src, frame));
                assertThat(a.droppedInboxFrames()).as("64 MiB are queued").isEqualTo(before);
                for (int i = 0; i < 10; i++) a.received(new BearerIo.Rx(bearer, src, frame));
                assertThat(a.droppedInboxFrames()).as("beyond 64 MiB").isEqualTo(before + 10);
                a.received(new BearerIo.Rx(bearer, src, new byte[1]));
                assertThat(a.droppedInboxFrames()).as("even one byte more").isEqualTo(before + 11);
            } finally {
                release.countDown();
            }
            // the loop serves commands as they come and frames per sender (SourceLanes): wait until it has handed
            // every queued frame to the core
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (a.queuedFrameBytes() > 0 && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(a.queuedFrameBytes()).as("the loop caught up").isZero();
            a.received(new BearerIo.Rx(bearer, src, frame));
            assertThat(a.droppedInboxFrames()).as("room again once the loop caught up").isEqualTo(before + 11);
            assertThat(a.isRunning()).isTrue();
        }
    }
}
