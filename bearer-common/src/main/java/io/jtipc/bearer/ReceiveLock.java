package io.jtipc.bearer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bearer's receive lock: a {@link ReentrantLock} (held from reading a frame until its handler returned, by the
 * receive thread and by a leading application thread alike) whose bounded wait {@link #tryLock(long)} allocates
 * nothing. {@link ReentrantLock#tryLock(long, TimeUnit)} queues an AQS node on the heap every time it has to wait,
 * about 32 bytes for each frame a receive thread finds led by an application thread; here the waiting thread
 * records itself (one waiter slot) and parks ({@link LockSupport#parkNanos}), and {@link #unlock} unparks it once
 * the lock is free. A second thread waiting at the same time falls back to the queued wait (correct, allocating).
 * Threads that block in {@link #lock} queue in the {@link ReentrantLock} as before.
 */
public final class ReceiveLock {
    private final ReentrantLock lock = new ReentrantLock();
    /** The thread parked in {@link #tryLock(long)}, or null. */
    private final AtomicReference<Thread> waiter = new AtomicReference<>();
    /** Times {@link #unlock} woke a thread waiting in {@link #tryLock(long)} (lossy when releases race; tests). */
    private volatile long wakeups;

    /** Takes the lock, waiting as long as it takes (see {@link ReentrantLock#lock}). */
    public void lock() {
        lock.lock();
    }

    /** Takes the lock if it is free (or held by this thread); never waits. */
    public boolean tryLock() {
        return lock.tryLock();
    }

    /**
     * Takes the lock, waiting at most {@code nanos} ns for a holder to release it; allocation-free for one waiting
     * thread at a time. A release while this thread waits wakes it at once; it may lose the lock again to a thread
     * that took it first, and then waits on until the time is up.
     *
     * @param nanos longest wait in ns (0 or less: do not wait)
     * @return true with the lock held, false when the time passed without it
     * @throws InterruptedException if this thread is interrupted (the flag is cleared, as by
     *         {@link ReentrantLock#tryLock(long, TimeUnit)})
     */
    public boolean tryLock(long nanos) throws InterruptedException {
        if (lock.tryLock()) {
            return true;
        }
        if (nanos <= 0) {
            return false;
        }
        Thread me = Thread.currentThread();
        if (!waiter.compareAndSet(null, me)) {
            return lock.tryLock(nanos, TimeUnit.NANOSECONDS); // another thread has the waiter slot
        }
        try {
            long deadline = System.nanoTime() + nanos;
            for (;;) {
                // tried again after recording this thread: a holder that released before it was recorded left the
                // lock free here, one that releases after it sees the record and unparks (volatile order both sides)
                if (lock.tryLock()) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                LockSupport.parkNanos(this, left);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
        } finally {
            waiter.set(null);
        }
    }

    /**
     * Releases the lock (once per take) and, when it is free now, wakes the thread waiting in {@link #tryLock(long)}.
     *
     * @throws IllegalMonitorStateException if this thread does not hold it
     */
    public void unlock() {
        lock.unlock();
        Thread w = waiter.get();
        if (w != null && !lock.isHeldByCurrentThread()) {
            wakeups++;
            LockSupport.unpark(w); // a stale unpark only ends the waiter's next park early; every park loop allows that
        }
    }

    /** True if this thread holds the lock. */
    public boolean isHeldByCurrentThread() {
        return lock.isHeldByCurrentThread();
    }

    /** True if some thread holds the lock (for monitoring and tests, not for control). */
    public boolean isLocked() {
        return lock.isLocked();
    }

    /** Times {@link #unlock} woke a thread waiting in {@link #tryLock(long)} (tests; may miss racing releases). */
    public long wakeups() {
        return wakeups;
    }

    /** True while a thread waits in {@link #tryLock(long)} with the waiter slot (tests). */
    public boolean hasParkedWaiter() {
        return waiter.get() != null;
    }
}
