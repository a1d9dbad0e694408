package io.jtipc.bearer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link ReceiveLock}: its waits are woken by a release and allocate nothing. */
@Timeout(60)
class ReceiveLockTest {
    /** Longer than the test's timeout: a wait that ends did so because of a release, not its bound. */
    static final long HOUR_NS = TimeUnit.HOURS.toNanos(1);

    @Test
    void aWaiterGoesOnWhenTheHolderReleases() throws Exception {
        ReceiveLock lock = new ReceiveLock();
        lock.lock();
        AtomicReference<Object> got = new AtomicReference<>();
        Thread w = new Thread(() -> {
            try {
                got.set(lock.tryLock(HOUR_NS));
                lock.unlock();
            } catch (Throwable t) {
                got.set(t);
            }
        });
        w.start();
        awaitTrue(lock::hasParkedWaiter);
        long wakeups = lock.wakeups();
        lock.unlock();
        w.join();
        assertThat(got.get()).as("the waiter took the lock").isEqualTo(true);
        assertThat(lock.wakeups()).as("woken by the release").isEqualTo(wakeups + 1);
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void aWaiterInLockGoesOnWhenTheHolderReleasesAndKeepsAnInterrupt() throws Exception {
        ReceiveLock lock = new ReceiveLock();
        lock.lock();
        AtomicReference<Object> got = new AtomicReference<>();
        Thread w = new Thread(() -> {
            lock.lock();
            got.set(Thread.currentThread().isInterrupted() ? "interrupted" : "not interrupted");
            lock.unlock();
        });
        w.start();
        awaitTrue(lock::hasParkedWaiter);
        w.interrupt();
        awaitTrue(() -> w.getState() == Thread.State.WAITING); // parked again, not spinning on the flag
        assertThat(got.get()).as("still waiting").isNull();
        lock.unlock();
        w.join();
        assertThat(got.get()).isEqualTo("interrupted");
    }

    @Test
    void waitersBeyondTheSlotsUseTheQueuedWaitAndAllGoOn() throws Exception {
        ReceiveLock lock = new ReceiveLock();
        lock.lock();
        AtomicInteger took = new AtomicInteger();
        List<Thread> ws = new ArrayList<>();
        for (int i = 0; i < ReceiveLock.WAITER_SLOTS + 2; i++) {
            boolean timed = i % 2 == 0;
            Thread w = new Thread(() -> {
                try {
                    if (timed) {
                        if (!lock.tryLock(HOUR_NS)) return;
                    } else {
                        lock.lock();
                    }
                    took.incrementAndGet();
                    lock.unlock();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            w.start();
            awaitTrue(() -> w.getState() == Thread.State.WAITING || w.getState() == Thread.State.TIMED_WAITING);
            ws.add(w);
        }
        lock.unlock();
        for (Thread w : ws) w.join();
        assertThat(took.get()).isEqualTo(ReceiveLock.WAITER_SLOTS + 2);
        assertThat(lock.hasParkedWaiter()).isFalse();
    }

    @Test
    void noWaitWhenHeldAndReentrantForTheHolder() throws Exception {
        ReceiveLock lock = new ReceiveLock();
        lock.lock();
        assertThat(lock.tryLock(HOUR_NS)).as("held by this thread").isTrue();
        lock.unlock();
        AtomicReference<Object> got = new AtomicReference<>();
        Thread w = new Thread(() -> {
            try {
                got.set(lock.tryLock() || lock.tryLock(0));
            } catch (Throwable t) {
                got.set(t);
            }
        });
        w.start();
        w.join();
        assertThat(got.get()).isEqualTo(false);
        lock.unlock();
        assertThatThrownBy(lock::unlock).isInstanceOf(IllegalMonitorStateException.class);
    }

    @Test
    void anInterruptEndsTheWaitAndClearsTheFlag() throws Exception {
        ReceiveLock lock = new ReceiveLock();
        lock.lock();
        AtomicReference<Object> got = new AtomicReference<>();
        Thread w = new Thread(() -> {
            try {
                got.set(lock.tryLock(HOUR_NS));
            } catch (InterruptedException e) {
                got.set(Thread.currentThread().isInterrupted() ? "still set" : e);
            }
        });
        w.start();
        awaitTrue(lock::hasParkedWaiter);
        w.interrupt();
        w.join();
        lock.unlock();
        assertThat(got.get()).isInstanceOf(InterruptedException.class);
        assertThat(lock.hasParkedWaiter()).isFalse();
    }

    static final int WARMUP = 2_000;
    static final int ROUNDS = 5_000;

    @Test
    void theBoundedWaitAllocatesNothing() throws Exception {
        ReceiveLock lock = new ReceiveLock();
        long bytes = allocatedByContendedWaits(lock::lock, lock::unlock, lock::hasParkedWaiter,
            () -> lock.tryLock(HOUR_NS));
        assertThat(bytes).as("bytes allocated by the waiting thread over %d contended waits", ROUNDS)
            .isLessThan(ROUNDS / 4);
    }

    @Test
    void theUnboundedWaitAllocatesNothing() throws Exception {
        ReceiveLock lock = new ReceiveLock();
        long bytes = allocatedByContendedWaits(lock::lock, lock::unlock, lock::hasParkedWaiter, () -> {
            lock.lock();
            return true;
        });
        assertThat(bytes).as("bytes allocated by the waiting thread over %d contended waits", ROUNDS)
            .isLessThan(ROUNDS / 4);
    }

    /** The harness sees what {@link ReentrantLock#tryLock(long, TimeUnit)} allocates (its queue node per wait). */
    @Test
    void theHarnessSeesTheQueuedWaitAllocate() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        long bytes = allocatedByContendedWaits(lock::lock, lock::unlock, lock::hasQueuedThreads,
            () -> lock.tryLock(1, TimeUnit.HOURS));
        assertThat(bytes).as("bytes allocated by the waiting thread over %d contended waits", ROUNDS)
            .isGreaterThan(16L * ROUNDS);
    }

    interface Wait {
        boolean take() throws InterruptedException;
    }

    interface Check {
        boolean ok();
    }

    private volatile int round = -1;
    private volatile int done = -1;
    private volatile long before;
    private volatile long after;

    /**
     * This thread holds the lock, lets the waiter start its wait, waits until it is queued or parked, and releases;
     * the waiter takes and releases the lock; {@code ROUNDS} times after a warm-up. Returns the waiter's bytes.
     */
    private long allocatedByContendedWaits(Runnable lock, Runnable unlock, Check waiting, Wait wait)
            throws Exception {
        var tm = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        AtomicInteger took = new AtomicInteger();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread w = new Thread(() -> {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            int n = 0;
            try {
                for (int i = 0; i < WARMUP + ROUNDS; i++) {
                    if (i == WARMUP) before = tm.getCurrentThreadAllocatedBytes();
                    while (round != i) {
                        if (System.nanoTime() > end) return;
                        Thread.yield();
                    }
                    if (wait.take()) {
                        n++;
                        unlock.run();
                    }
                    done = i;
                }
                after = tm.getCurrentThreadAllocatedBytes();
            } catch (Throwable t) {
                failed.set(t);
            } finally {
                took.set(n);
            }
        }, "receive-lock-waiter");
        w.start();
        for (int i = 0; i < WARMUP + ROUNDS; i++) {
            lock.run();
            round = i;
            awaitTrue(waiting::ok);
            unlock.run();
            int r = i;
            awaitTrue(() -> done == r);
        }
        w.join();
        assertThat(failed.get()).isNull();
        assertThat(took.get()).as("every wait took the lock").isEqualTo(WARMUP + ROUNDS);
        return after - before;
    }

    /** Waits (yielding, at most 20 s) until {@code c} holds. */
    private static void awaitTrue(Check c) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!c.ok()) {
            if (System.nanoTime() > end) throw new AssertionError("condition not met in 20 s");
            Thread.yield();
        }
    }
}
