package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The event loop serves at most 1024 frames from its per-sender lanes per turn, polling the inbox after each: what the
 * last poll of a turn takes (a frame or an API command) must still be served. It was dropped, so under a steady
 * stream of frames a command now and then waited the 30 s of {@code call} and failed ("event loop did not answer",
 * seen in bench's EncryptedThroughput, about one run in three with 60 000 B messages), and a frame was lost without
 * leaving the inbox counters.
 */
@Timeout(120)
class LoopBatchEndTest {
    @Test
    void whatTheLastPollOfATurnTakesIsServed() throws Exception {
        int p = 20000 + ThreadLocalRandom.current().nextInt(20000);
        try (TipcNode a = TipcNode.builder().identity("jt-batchend").bearer("udp:127.0.0.1:" + p + ",remote=127.0.0.3:" + p)
                .start()) {
            BearerIo bearer = a.bearers().get(0);
            byte[] frame = new byte[64]; // not a TIPC frame: the core drops it at once
            byte[] src = new byte[6];
            long droppedBefore = a.droppedInboxFrames();
            // 150 000 frames queue while the loop is held: when it resumes it works through them 1 024 a turn (~146
            // turns), and meanwhile API commands come one after the other, each taken by the loop's next poll
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
            for (int i = 0; i < 150_000; i++) a.received(new BearerIo.Rx(bearer, src, frame));
            release.countDown();
            int calls = 0;
            while (a.queuedFrameBytes() > 0) {
                long t0 = System.nanoTime();
                // a command taken by the last poll of a turn was dropped: this call then failed after 30 s
                assertThat(a.<Integer>call(now -> 1)).isEqualTo(1);
                assertThat(System.nanoTime() - t0).as("a command served within 10 s (bound: generous)")
                        .isLessThan(TimeUnit.SECONDS.toNanos(10));
                calls++;
            }
            assertThat(calls).as("commands came while the frames were served").isGreaterThan(10);
            assertThat(a.droppedInboxFrames()).as("the inbox never overflowed").isEqualTo(droppedBefore);
            assertThat(a.isRunning()).isTrue();
        }
    }
}
