package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14's threading model keeps the guarantees of the frame inbox it replaced (issue 15's InboxLimitTest and the
 * per-sender lanes, SourceLanes), with the bound moved to where the kernel has it:
 * <ul>
 * <li>no queue of received frames can grow inside the node: while the core is busy, a bearer's receive thread waits
 * with its frame (so it stops reading its socket, and the kernel's socket buffer, 16 MiB by default, is the only place
 * frames wait; beyond it the kernel drops them, the link retransmits). The earlier test bounded a 64 MiB inbox;</li>
 * <li>every frame handed over reaches the core exactly once, none lost uncounted, also while API calls keep coming
 * (was LoopBatchEndTest's second half);</li>
 * <li>fairness: a thread waiting for the core (another bearer's frame, an API call) waits behind at most one frame of
 * a flooding sender, not behind everything it sent (was SourceLanes' round robin).</li>
 * </ul>
 */
@Timeout(60)
class FrameHandOffTest {
    private static void await(String what, BooleanSupplier c) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!c.getAsBoolean()) {
            assertThat(System.nanoTime() < end).as(what).isTrue();
            Thread.sleep(1);
        }
    }

    private static TipcNode node(String id) throws Exception {
        int p = 20000 + ThreadLocalRandom.current().nextInt(20000);
        // no JMX: its refresh thread would wait for the core too and be counted by queuedCommands()
        return TipcNode.builder().identity(id).bearer("udp:127.0.0.1:" + p + ",remote=127.0.0.3:" + p).jmx(false)
                .start();
    }

    /** Holds the core (a deferred task on the loop) until the returned latch is counted down. */
    private static CountDownLatch holdCore(TipcNode a) throws InterruptedException {
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
        return release;
    }

    @Test
    void aFrameWaitsOnItsReceiveThreadNotInAQueueAndIsHandledOnce() throws Exception {
        try (TipcNode a = node("jt-handoff")) {
            BearerIo bearer = a.bearers().get(0);
            byte[] frame = new byte[64 * 1024]; // not a TIPC frame: the core drops and counts it
            CountDownLatch release = holdCore(a);
            long before = a.framesHandled();
            Thread rx = new Thread(() -> a.received(new BearerIo.Rx(bearer, new byte[6], frame, frame.length)), "test-rx");
            try {
                rx.start();
                await("the receive thread waits for the core", () -> a.queuedCommands() == 1);
                // the earlier inbox took the frame and returned at once: the receive thread read the next one
                assertThat(rx.isAlive()).as("received() waits while the core is busy").isTrue();
                assertThat(a.framesHandled()).isEqualTo(before);
            } finally {
                release.countDown();
            }
            rx.join(10_000);
            assertThat(rx.isAlive()).isFalse();
            assertThat(a.framesHandled()).as("handed to the core exactly once").isEqualTo(before + 1);
            assertThat(a.isRunning()).isTrue();
        }
    }

    @Test
    void everyFrameReachesTheCoreWhileCommandsAreServed() throws Exception {
        try (TipcNode a = node("jt-batchend")) {
            BearerIo bearer = a.bearers().get(0);
            byte[] frame = new byte[64];
            long before = a.framesHandled();
            int frames = 150_000;
            Thread feeder = new Thread(() -> {
                for (int i = 0; i < frames; i++) a.received(new BearerIo.Rx(bearer, new byte[6], frame, frame.length));
            }, "test-feeder");
            feeder.start();
            int calls = 0;
            while (feeder.isAlive()) {
                long t0 = System.nanoTime();
                assertThat(a.<Integer>call(now -> 1)).isEqualTo(1);
                assertThat(System.nanoTime() - t0).as("a command served within 10 s (bound: generous)")
                        .isLessThan(TimeUnit.SECONDS.toNanos(10));
                calls++;
            }
            feeder.join();
            assertThat(calls).as("commands came while the frames were handled").isGreaterThan(0);
            assertThat(a.framesHandled() - before).as("no frame lost").isGreaterThanOrEqualTo(frames);
            assertThat(a.isRunning()).isTrue();
        }
    }

    @Test
    void aWaitingCallerWaitsBehindAtMostOneFrameOfAFloodingSender() throws Exception {
        try (TipcNode a = node("jt-fair")) {
            BearerIo bearer = a.bearers().get(0);
            byte[] frame = new byte[64];
            CountDownLatch release = holdCore(a);
            long before = a.framesHandled();
            Thread flood = new Thread(() -> {
                for (int i = 0; i < 20_000; i++) a.received(new BearerIo.Rx(bearer, new byte[6], frame, frame.length));
            }, "test-flood");
            AtomicLong seen = new AtomicLong(-1);
            Thread caller = new Thread(() -> {
                try {
                    seen.set(a.<Long>call(now -> a.framesHandled()));
                } catch (TipcException e) {
                    seen.set(-2);
                }
            }, "test-caller");
            try {
                flood.start();
                await("the flooder waits for the core", () -> a.queuedCommands() == 1);
                caller.start();
                await("the caller waits behind it", () -> a.queuedCommands() == 2);
            } finally {
                release.countDown();
            }
            caller.join(10_000);
            flood.join(30_000);
            // the flooder went first (it came first) with one frame; then the caller, before the flooder's next frame
            assertThat(seen.get() - before).as("frames of the flooder handled before the caller").isBetween(0L, 1L);
            assertThat(a.framesHandled() - before).isGreaterThanOrEqualTo(20_000);
        }
    }
}
