package io.jtipc.bearer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bearer's receive lock: a {@link ReentrantLock} (held from reading a frame until its handler returned, by the
 * receive thread and by a leading application thread alike) whose waits allocate nothing. A {@link ReentrantLock}
 * queues an AQS node on the heap every time a thread has to wait for it, about 32 bytes each time the receive thread
 * finds a frame led by an application thread or the leader finds the receive thread handing one over; here a waiting
 * thread records itself in one of {@value #WAITER_SLOTS} waiter slots (the receive thread and the one leader) and
 * parks ({@link LockSupport}), and {@link #unlock} unparks the recorded waiters once the lock is free. A thread that
 * finds every slot taken waits in the {@link ReentrantLock}'s queue (correct, allocating).
 */
public final class ReceiveLock {
    /** Threads that can wait without allocating at the same time: the receive thread and the one leader. */
    static final int WAITER_SLOTS = 2;

    private final ReentrantLock lock = new ReentrantLock();
    /** The threads parked in {@link #lock} or {@link #tryLock(long)} (null = free slot). */
    private final AtomicReferenceArray<Thread> waiters = new AtomicReferenceArray<>(WAITER_SLOTS);
    /** Times {@link #unlock} woke a waiting thread (lossy when releases race; tests). */
    private volatile long wakeups;

    /**
     * Takes the lock, waiting as long as it takes, as {@link ReentrantLock#lock}: an interrupt does not end the wait
     * and is kept (the flag is set again once the lock is taken).
     */
    public void lock() {
        if (lock.tryLock()) {
            return;
        }
        Thread me = Thread.currentThread();
        int slot = claim(me);
        if (slot < 0) {
            lock.lock();
            return;
        }
        boolean interrupted = false;
        try {
            // tried after recording this thread: a holder that released before the record left the lock free here,
            // one that releases after it sees the record and unparks (both sides: volatile write, then volatile read)
            while (!lock.tryLock()) {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    interrupted = true; // cleared while waiting (a set flag would make park return at once)
                }
            }
        } finally {
            waiters.set(slot, null);
        }
        if (interrupted) {
            me.interrupt();
        }
    }

    /** Takes the lock if it is free (or held by this thread); never waits. */
    public boolean tryLock() {
        return lock.tryLock();
    }

    /**
     * Takes the lock, waiting at most {@code nanos} ns for a holder to release it. A release while this thread waits
     * wakes it at once; it may lose the lock again to a thread that took it first, and then waits on until the time
     * is up.
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
        int slot = claim(Thread.currentThread());
        if (slot < 0) {
            return lock.tryLock(nanos, TimeUnit.NANOSECONDS);
        }
        try {
            long deadline = System.nanoTime() + Math.min(nanos, Long.MAX_VALUE >> 2); // no overflow for huge waits
            for (;;) {
                if (lock.tryLock()) { // after the record: see lock()
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
            waiters.set(slot, null);
        }
    }

    /** Records {@code me} in a free waiter slot; its index, or -1 when all are taken. */
    private int claim(Thread me) {
        for (int i = 0; i < WAITER_SLOTS; i++) {
            if (waiters.compareAndSet(i, null, me)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Releases the lock (once per take) and, when it is free now, wakes the threads waiting in {@link #lock} or
     * {@link #tryLock(long)} with a slot (those in the {@link ReentrantLock}'s queue are woken by it).
     *
     * @throws IllegalMonitorStateException if this thread does not hold it
     */
    public void unlock() {
        lock.unlock();
        if (lock.isHeldByCurrentThread()) {
            return; // a reentrant take is still held
        }
        for (int i = 0; i < WAITER_SLOTS; i++) {
            Thread w = waiters.get(i);
            if (w != null) {
                wakeups++;
                LockSupport.unpark(w); // a stale unpark only ends a later park early; every park loop allows that
            }
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

    /** Times {@link #unlock} woke a waiting thread (tests; may miss racing releases). */
    public long wakeups() {
        return wakeups;
    }

    /** True while a thread waits in {@link #lock} or {@link #tryLock(long)} with a waiter slot (tests). */
    public boolean hasParkedWaiter() {
        for (int i = 0; i < WAITER_SLOTS; i++) {
            if (waiters.get(i) != null) {
                return true;
            }
        }
        return false;
    }
}
