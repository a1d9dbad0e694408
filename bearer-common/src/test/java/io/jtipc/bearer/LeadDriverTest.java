package io.jtipc.bearer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@link LeadDriver} over a scripted {@link LeadSource}: what the bearer tests cannot make happen on demand (a receive
 * lock that stays taken, an interrupt inside the lock wait, a deadline already passed, a batch left behind, a close
 * during the wait, each kind of failure), seen through the calls the driver makes. No timing: a deadline is only ever
 * "0 ms", "none" or "far away".
 */
class LeadDriverTest {
    final Fake src = new Fake();
    final LeadDriver d = new LeadDriver(src, "eth:test", "eth:test", LoggerFactory.getLogger(LeadDriverTest.class),
            64, 6);
    final List<Integer> seen = new ArrayList<>();
    final Media.FrameHandler handler = (s, f, n) -> seen.add((int) f[0]);
    static final BooleanSupplier NOT_DONE = () -> false;

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void aZeroTimeoutEndsTheLockAttemptsAtOnceWhenTheReceiveThreadHoldsTheLock() {
        src.lockFree = false;
        assertThat(d.lead(handler, NOT_DONE, 0, null, null)).isZero();
        assertThat(src.timedAttempts).as("deadline already passed: no 1 ms attempt").isZero();
        assertThat(src.reads).isZero();
        assertThat(src.events).containsExactly("open", "end");
        assertThat(d.leading()).isFalse();
    }

    @Test
    void doneEndsTheLockAttemptsWithoutReadingOrWaiting() {
        src.lockFree = false;
        BooleanSupplier done = () -> src.timedAttempts >= 3;
        assertThat(d.lead(handler, done, -1, null, null)).isZero();
        assertThat(src.timedAttempts).as("done looked at between attempts").isEqualTo(3);
        assertThat(src.reads).isZero();
        assertThat(src.events).doesNotContain("await");
    }

    @Test
    void anInterruptInTheLockWaitEndsItAndStaysSet() {
        src.lockFree = false;
        src.interruptTimedLock = true;
        assertThat(d.lead(handler, NOT_DONE, -1, null, null)).isZero();
        assertThat(Thread.currentThread().isInterrupted()).as("flag set again for the caller").isTrue();
        assertThat(src.timedAttempts).as("the second drain sees the flag before any attempt").isEqualTo(1);
        assertThat(src.reads).isZero();
    }

    @Test
    void anInterruptStopsAfterTheFirstFrameButABatchHandedOverWholeGoesToItsEnd() {
        src.queue(5, 3);
        src.wholeBatch = true;
        Thread.currentThread().interrupt();
        assertThat(d.lead(handler, NOT_DONE, -1, null, null)).isEqualTo(3);
        assertThat(seen).containsExactly(0, 1, 2);
        assertThat(src.events).doesNotContain("wake");
        assertThat(d.framesLed()).isEqualTo(3);
    }

    @Test
    void aLeadStoppedMidBatchWakesTheReceiveThreadAfterReleasingTheLock() {
        src.queue(5, 3);
        Thread.currentThread().interrupt();
        assertThat(d.lead(handler, NOT_DONE, -1, null, null)).isEqualTo(1);
        assertThat(seen).containsExactly(0);
        assertThat(src.events).containsExactly("open", "lock", "unlock", "wake", "end");
    }

    @Test
    void doneStopsBeforeTheFirstRead() {
        src.queue(2, 0);
        assertThat(d.lead(handler, () -> true, -1, null, null)).isZero();
        assertThat(src.reads).isZero();
    }

    @Test
    void theWaitIsTheTimeLeftInWholeMillisecondsOrNoLimit() {
        src.onAwait = () -> src.queue(1, 0);
        assertThat(d.lead(handler, NOT_DONE, 10_000, null, null)).isEqualTo(1);
        assertThat(src.waitMs).isBetween(1L, 10_000L);
        src.onAwait = () -> src.queue(1, 0);
        assertThat(d.lead(handler, NOT_DONE, Long.MAX_VALUE, null, null)).isEqualTo(1);
        assertThat(src.waitMs).as("no overflow").isPositive();
        src.onAwait = () -> src.queue(1, 0);
        assertThat(d.lead(handler, NOT_DONE, -1, null, null)).isEqualTo(1);
        assertThat(src.waitMs).isEqualTo(-1);
    }

    @Test
    void aZeroTimeoutReturnsAfterOneDrainOrDrainsAgainAroundAPauseWithoutWaiting() {
        assertThat(d.lead(handler, NOT_DONE, 0, null, null)).isZero();
        assertThat(src.events).containsExactly("open", "lock", "unlock", "end");
        src.events.clear();
        src.drainsAgain = true;
        src.pauses = true;
        assertThat(d.lead(handler, NOT_DONE, 0, null, null)).isZero();
        assertThat(src.events).containsExactly("open", "lock", "unlock", "pause", "lock", "unlock", "lock", "unlock",
                "end", "resume");
    }

    @Test
    void aCloseDuringTheWaitEndsTheLeadWithMinusOne() {
        src.onAwait = () -> src.closed = true;
        src.awaitResult = Media.WAKEUP;
        assertThat(d.lead(handler, NOT_DONE, -1, null, null)).isEqualTo(-1);
        assertThat(d.lead(handler, NOT_DONE, -1, null, null)).as("closed").isEqualTo(-1);
        src.closed = false;
        src.onAwait = () -> { throw new ClosedSelectorException(); };
        assertThat(d.lead(handler, NOT_DONE, -1, null, null)).isEqualTo(-1);
        src.onAwait = null;
        src.queue(1, 0);
        assertThat(d.lead(handler, NOT_DONE, -1, null, null)).as("not broken by a close").isEqualTo(1);
    }

    @Test
    void aHandlerFailureIsCountedAndTheNextFrameHandedOver() {
        src.queue(3, 0);
        assertThat(d.lead((s, f, n) -> {
            seen.add((int) f[0]);
            if (f[0] == 0) throw new IllegalStateException("core bug");
        }, NOT_DONE, -1, null, null)).isEqualTo(3);
        assertThat(seen).containsExactly(0, 1, 2);
        assertThat(d.handlerFailures()).isEqualTo(1);
    }

    @Test
    void aReceiveErrorIsReportedAsTheSourceSaysAndTheBatchLeftWakesTheReceiveThread() {
        List<IOException> reported = new ArrayList<>();
        d.errorHandler(reported::add);
        src.queue(3, 3);
        src.readFailure = new IOException("ENETDOWN");
        src.failAfter = 1;
        List<String> calls = new ArrayList<>();
        assertThat(d.lead(handler, NOT_DONE, -1, () -> calls.add("started"), () -> calls.add("ended")))
                .as("the frame handed over before the error").isEqualTo(1);
        assertThat(seen).containsExactly(0);
        assertThat(reported).singleElement().satisfies(e -> assertThat(e).hasMessage("wrapped: ENETDOWN"));
        assertThat(d.receiveErrors()).isEqualTo(1);
        assertThat(src.events).containsSubsequence("unlock", "wake", "end");
        assertThat(calls).containsExactly("started", "ended");
        assertThat(d.leading()).isFalse();
    }

    @Test
    void aReceiveErrorAfterFramesWereHandedOverReturnsThoseFramesAndIsStillReported() {
        List<IOException> reported = new ArrayList<>();
        d.errorHandler(reported::add);
        src.queue(4, 0);
        src.readFailure = new IOException("ENETDOWN");
        src.failAfter = 2;
        assertThat(d.lead(handler, NOT_DONE, -1, null, null)).as("frames handed over before the error").isEqualTo(2);
        assertThat(seen).containsExactly(0, 1);
        assertThat(d.framesLed()).isEqualTo(2);
        assertThat(reported).singleElement().satisfies(e -> assertThat(e).hasMessage("wrapped: ENETDOWN"));
        assertThat(d.receiveErrors()).isEqualTo(1);
        assertThat(src.events).containsExactly("open", "lock", "unlock", "end");
    }

    @Test
    void aCloseAfterFramesWereHandedOverReturnsThoseFramesElseMinusOne() {
        src.queue(4, 0);
        src.readFailure = new java.nio.channels.ClosedChannelException();
        src.failAfter = 3;
        assertThat(d.lead(handler, NOT_DONE, -1, null, null)).as("frames handed over before the close").isEqualTo(3);
        assertThat(seen).containsExactly(0, 1, 2);
        src.failAfter = 0;
        assertThat(d.lead(handler, NOT_DONE, -1, null, null)).as("closed before any frame").isEqualTo(-1);
        assertThat(d.receiveErrors()).as("a close is no receive error").isZero();
    }

    @Test
    void aReceiveErrorBeforeAnyFrameReturnsZero() {
        List<IOException> reported = new ArrayList<>();
        d.errorHandler(reported::add);
        src.queue(2, 0);
        src.readFailure = new IOException("ENETDOWN");
        assertThat(d.lead(handler, NOT_DONE, -1, null, null)).isZero();
        assertThat(seen).isEmpty();
        assertThat(reported).singleElement().satisfies(e -> assertThat(e).hasMessage("wrapped: ENETDOWN"));
        assertThat(d.receiveErrors()).isEqualTo(1);
    }

    @Test
    void anUnexpectedFailureTurnsLeadingOffForGood() {
        src.queue(1, 0);
        src.readFailure = new IllegalStateException("bug");
        List<String> calls = new ArrayList<>();
        assertThat(d.lead(handler, NOT_DONE, -1, () -> calls.add("started"), () -> calls.add("ended"))).isEqualTo(-1);
        src.readFailure = null;
        assertThat(d.lead(handler, NOT_DONE, -1, () -> calls.add("started"), () -> calls.add("ended"))).isEqualTo(-1);
        assertThat(calls).containsExactly("started", "ended");
        assertThat(src.reads).isZero();
    }

    @Test
    void noLeadWithoutAReceiveThreadAndStartedDoesNotRun() {
        src.alive = false;
        List<String> calls = new ArrayList<>();
        assertThat(d.lead(handler, NOT_DONE, -1, () -> calls.add("started"), () -> calls.add("ended"))).isEqualTo(-1);
        assertThat(calls).isEmpty();
        assertThat(src.events).isEmpty();
    }

    @Test
    void noLeadWhileTheSourceSaysItWouldNotHelpAndFramesStayForTheReceiveThread() {
        src.useful = false;
        src.queue(3, 0);
        List<String> calls = new ArrayList<>();
        assertThat(d.lead(handler, NOT_DONE, -1, () -> calls.add("started"), () -> calls.add("ended"))).isEqualTo(-1);
        assertThat(calls).isEmpty();
        assertThat(src.events).isEmpty();
        assertThat(src.reads).isZero();
        src.useful = true;
        assertThat(d.lead(handler, NOT_DONE, 1000, null, null)).isEqualTo(3);
        assertThat(seen).containsExactly(0, 1, 2);
    }

    /** A socket side driven by the test; records the calls that matter for order in {@link #events}. */
    static final class Fake implements LeadSource {
        final List<String> events = new ArrayList<>();
        final ArrayDeque<Integer> frames = new ArrayDeque<>();
        int next;
        int batch;
        boolean closed, alive = true, useful = true, lockFree = true, interruptTimedLock, wholeBatch, drainsAgain, pauses;
        int timedAttempts, reads, failAfter;
        Exception readFailure;
        Runnable onAwait;
        int awaitResult;
        long waitMs;

        /** Queues {@code n} frames, the first {@code inBatch} of them already read by a recvmmsg. */
        void queue(int n, int inBatch) {
            for (int i = 0; i < n; i++) frames.add(next++);
            batch = inBatch;
        }

        @Override public boolean isClosed() { return closed; }
        @Override public boolean receiveThreadAlive() { return alive; }
        @Override public boolean leadUseful() { return useful; }
        @Override public void openLead() { events.add("open"); }

        @Override
        public boolean tryLockReceive() {
            if (lockFree) events.add("lock");
            return lockFree;
        }

        @Override
        public boolean tryLockReceive(long ms) throws InterruptedException {
            assertThat(ms).isEqualTo(LeadDriver.LEAD_LOCK_WAIT_MS);
            timedAttempts++;
            if (interruptTimedLock) throw new InterruptedException();
            return false;
        }

        @Override public void unlockReceive() { events.add("unlock"); }

        @Override
        public int readQueued(byte[] buf, int off, int len, byte[] src, int srcOff) throws IOException {
            if (readFailure != null && reads >= failAfter) {
                if (readFailure instanceof IOException e) throw e;
                throw (RuntimeException) readFailure;
            }
            Integer f = frames.poll();
            if (f == null) return -1;
            reads++;
            if (batch > 0) batch--;
            buf[off] = (byte) (int) f;
            return 1;
        }

        @Override public boolean batchLeft() { return batch > 0; }
        @Override public boolean handsOverBatch() { return wholeBatch; }
        @Override public void wakeReceiveThread() { events.add("wake"); }
        @Override public boolean zeroTimeoutDrainsAgain() { return drainsAgain; }

        @Override
        public boolean pauseReceiveThread() {
            if (pauses) events.add("pause");
            return pauses;
        }

        @Override public void resumeReceiveThread() { events.add("resume"); }

        @Override
        public int awaitLead(BooleanSupplier done, long waitMs) {
            events.add("await");
            this.waitMs = waitMs;
            if (onAwait != null) onAwait.run();
            return awaitResult;
        }

        @Override public void endLead() { events.add("end"); }
        @Override public IOException receiveError(IOException e) { return new IOException("wrapped: " + e.getMessage(), e); }
    }
}
