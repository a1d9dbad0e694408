package io.jtipc.api;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.jtipc.nametable.BindingChange;
import io.jtipc.nametable.BindingListener;
import io.jtipc.nametable.BindingTable;
import io.jtipc.nametable.Publication;

/**
 * Thread-safe facade over a single-threaded {@link BindingTable}: lets listeners on any thread join late and
 * still see a complete, consistent picture followed by every later change, with no loss and no duplicate.
 *
 * <h2>Mechanism (snapshot + delta on the change counter)</h2>
 * The view is a {@link BindingListener} of the table, so the table's thread hands it every
 * {@link BindingChange} (numbered by the table's change counter, +1 per change). Under one lock the view
 * keeps a mirror of the table's bindings and the counter of the last change applied. {@link #open} takes that
 * lock, copies the matching mirror bindings (the snapshot, exact as of change {@code N}) and registers the
 * feed; every later change ({@code > N}) that matches is appended to the feed's queue by the table's thread
 * under the same lock. Since snapshot and registration are one critical section with respect to change
 * delivery, snapshot + deltas = the table's state after any later change {@code M}, each change delivered
 * once, in counter order. A feed that falls more than its capacity behind is marked overflowed and then throws
 * from {@link Feed#poll()} / {@link Feed#take} (nothing is lost silently); the reader must reopen.
 *
 * <h2>Threads</h2>
 * {@link #attach(BindingTable)} must run on the table's thread (it reads the table). {@link #onChange} is
 * called by the table. Everything else may be called from any thread. The lock lives here, in the module that
 * owns the threads ({@link TipcNode}'s event loop is the table's thread), so that the binding table itself
 * stays lock-free. {@link TipcNode#awaitBinding} and {@link TipcNode#awaitNoBinding} sleep on a {@link Feed}
 * and wake on the next binding change.
 */
final class ConcurrentBindingView implements BindingListener {
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<Publication, Boolean> mirror = new LinkedHashMap<>();
    private final List<Feed> feeds = new ArrayList<>();
    private long lastChange;
    private boolean closed;

    private ConcurrentBindingView(List<Publication> initial, long changeCount) {
        initial = new ArrayList<>(initial);
        // oldest first within each service type (publication ids are per type, compared modulo 2^32)
        initial.sort((a, b) -> a.type() != b.type() ? Integer.compare(a.type(), b.type())
                : BindingTable.after(a.id(), b.id()) ? 1 : BindingTable.after(b.id(), a.id()) ? -1 : 0);
        for (Publication p : initial) {
            mirror.put(p, Boolean.TRUE);
        }
        lastChange = changeCount;
    }

    /** Creates a view of {@code table} and registers it as a listener. Call on the table's thread. */
    public static ConcurrentBindingView attach(BindingTable table) {
        ConcurrentBindingView v = new ConcurrentBindingView(table.publications(), table.changeCount());
        table.addListener(v);
        return v;
    }

    /** Called by the table's thread for every change. */
    @Override
    public void onChange(BindingChange c) {
        lock.lock();
        try {
            if (c.published()) {
                mirror.put(c.publication(), Boolean.TRUE);
            } else {
                mirror.remove(c.publication());
            }
            lastChange = c.changeCount();
            for (int i = feeds.size() - 1; i >= 0; i--) {
                Feed f = feeds.get(i);
                if (f.matches(c.publication())) {
                    f.offer(c);
                    if (f.overflowed) {
                        feeds.remove(i);
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Change counter of the last change the view has seen. */
    public long changeCount() {
        lock.lock();
        try {
            return lastChange;
        } finally {
            lock.unlock();
        }
    }

    /** All bindings as of {@link #changeCount()}, oldest first within each service type. */
    public List<Publication> snapshot() {
        lock.lock();
        try {
            return List.copyOf(mirror.keySet());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes every feed (their {@link Feed#take} returns null at once) and every feed opened later: the table's
     * thread has stopped. Idempotent.
     */
    public void close() {
        lock.lock();
        try {
            closed = true;
            for (Feed f : new ArrayList<>(feeds)) {
                f.close();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Opens a feed of the bindings of {@code type} overlapping {@code [lower, upper]} (unsigned).
     *
     * @param capacity maximum number of undelivered changes before the feed overflows
     */
    public Feed open(int type, int lower, int upper, int capacity) {
        return open(false, type, lower, upper, capacity);
    }

    /** Opens a feed of every binding of every type. */
    public Feed openAll(int capacity) {
        return open(true, 0, 0, 0, capacity);
    }

    private Feed open(boolean all, int type, int lower, int upper, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        lock.lock();
        try {
            Feed f = new Feed(all, type, lower, upper, capacity, lastChange);
            List<Publication> snap = new ArrayList<>();
            for (Publication p : mirror.keySet()) {
                if (f.matches(p)) {
                    snap.add(p);
                }
            }
            f.snapshot = List.copyOf(snap);
            if (closed) {
                f.closed = true; // the node is gone: no change will ever come
            } else {
                feeds.add(f);
            }
            return f;
        } finally {
            lock.unlock();
        }
    }

    /** One listener's view: a snapshot, then the changes after it. */
    public final class Feed implements AutoCloseable {
        private final boolean all;
        private final int type;
        private final int lower;
        private final int upper;
        private final int capacity;
        private final long snapshotChangeCount;
        private final ArrayDeque<BindingChange> queue = new ArrayDeque<>();
        private final Condition notEmpty = lock.newCondition();
        private List<Publication> snapshot;
        private boolean overflowed;
        private boolean closed;

        private Feed(boolean all, int type, int lower, int upper, int capacity, long snapshotChangeCount) {
            this.all = all;
            this.type = type;
            this.lower = lower;
            this.upper = upper;
            this.capacity = capacity;
            this.snapshotChangeCount = snapshotChangeCount;
        }

        /** The matching bindings as of change {@link #snapshotChangeCount()}, oldest first within each type. */
        public List<Publication> snapshot() {
            return snapshot;
        }

        /** The table change counter the snapshot reflects; every delivered change has a larger counter. */
        public long snapshotChangeCount() {
            return snapshotChangeCount;
        }

        /**
         * Next change, or null if none is pending.
         *
         * @throws IllegalStateException if the feed overflowed and its queue is exhausted
         */
        public BindingChange poll() {
            lock.lock();
            try {
                BindingChange c = queue.poll();
                if (c == null && overflowed) {
                    throw new IllegalStateException("feed overflowed (more than " + capacity + " pending changes)");
                }
                return c;
            } finally {
                lock.unlock();
            }
        }

        /**
         * Next change, waiting up to {@code timeout}; null on timeout or if closed.
         *
         * @throws IllegalStateException if the feed overflowed and its queue is exhausted
         */
        public BindingChange take(long timeout, TimeUnit unit) throws InterruptedException {
            long nanos = unit.toNanos(timeout);
            lock.lock();
            try {
                while (queue.isEmpty() && !overflowed && !closed) {
                    if (nanos <= 0) {
                        return null;
                    }
                    nanos = notEmpty.awaitNanos(nanos);
                }
                return poll();
            } finally {
                lock.unlock();
            }
        }

        /** True if the reader fell more than its capacity behind; it must reopen. */
        public boolean overflowed() {
            lock.lock();
            try {
                return overflowed;
            } finally {
                lock.unlock();
            }
        }

        /** Stops delivery to this feed. */
        @Override
        public void close() {
            lock.lock();
            try {
                closed = true;
                feeds.remove(this);
                notEmpty.signalAll();
            } finally {
                lock.unlock();
            }
        }

        boolean matches(Publication p) {
            return all || (p.type() == type && p.overlaps(lower, upper));
        }

        void offer(BindingChange c) {
            if (queue.size() >= capacity) {
                overflowed = true;
            } else {
                queue.add(c);
            }
            notEmpty.signalAll();
        }
    }
}
