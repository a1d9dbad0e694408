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
import io.jtipc.nametable.Subscription;
import io.jtipc.nametable.SubscriptionEvent;
import io.jtipc.nametable.SubscriptionRequest;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcEvent;
import io.jtipc.wire.TipcSubscr;

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

    /**
     * Opens a topology-style feed: the kernel's subscription semantics (see {@link Subscription}) computed on
     * the reader's side from a {@link Feed} (first/last counted over all bindings of the exact range, the scope
     * bits only filter what is reported, as in {@code tipc_sub_report_overlap}): first PUBLISHED events for the snapshot (SUB_PORTS: every
     * overlapping binding; otherwise the oldest of each overlapping exact range; oldest first), then one event
     * per relevant later change. Timeouts are not handled here (the caller has the clock).
     *
     * @param filter   {@link TipcSubscr#TIPC_SUB_PORTS} or {@link TipcSubscr#TIPC_SUB_SERVICE} (plus the scope bits)
     * @param capacity see {@link #open(int, int, int, int)}
     * @throws IllegalArgumentException for PORTS together with SERVICE, or {@code lower > upper}
     */
    public TopologyFeed openTopology(int filter, int type, int lower, int upper, int capacity) {
        if (((filter & TipcSubscr.TIPC_SUB_PORTS) != 0 && (filter & TipcSubscr.TIPC_SUB_SERVICE) != 0)
                || Integer.compareUnsigned(lower, upper) > 0) {
            throw new IllegalArgumentException("illegal subscription filter 0x" + Integer.toHexString(filter));
        }
        return new TopologyFeed(SubscriptionRequest.of(type, lower, upper, TipcSubscr.TIPC_WAIT_FOREVER, filter, 0L),
                open(type, lower, upper, capacity));
    }

    /**
     * Kernel subscription events for one reader, derived from a {@link Feed}. Not itself thread-safe: use it
     * from one reader thread.
     */
    public static final class TopologyFeed implements AutoCloseable {
        private final SubscriptionRequest request;
        private final Feed feed;
        private final java.util.HashMap<Long, Integer> rangeCounts = new java.util.HashMap<>();
        private final ArrayDeque<SubscriptionEvent> pending = new ArrayDeque<>();

        TopologyFeed(SubscriptionRequest request, Feed feed) {
            this.request = request;
            this.feed = feed;
            java.util.HashSet<Long> seenRange = new java.util.HashSet<>();
            for (Publication p : feed.snapshot()) {
                long rk = rangeKey(p);
                rangeCounts.merge(rk, 1, Integer::sum);
                boolean oldestOfRange = seenRange.add(rk);
                if (((request.filter() & TipcSubscr.TIPC_SUB_PORTS) != 0 || oldestOfRange) && inScope(p)) {
                    pending.add(event(TipcEvent.TIPC_PUBLISHED, p));
                }
            }
        }

        /** The subscription the events carry. */
        public SubscriptionRequest request() {
            return request;
        }

        /** The underlying binding feed. */
        public Feed feed() {
            return feed;
        }

        /**
         * Next event, or null if none is pending now.
         *
         * @throws IllegalStateException if the underlying feed overflowed
         */
        public SubscriptionEvent poll() {
            while (pending.isEmpty()) {
                BindingChange c = feed.poll();
                if (c == null) {
                    return null;
                }
                apply(c);
            }
            return pending.poll();
        }

        /** Next event, waiting up to {@code timeout}; null on timeout. */
        public SubscriptionEvent take(long timeout, TimeUnit unit) throws InterruptedException {
            long end = System.nanoTime() + unit.toNanos(timeout);
            while (pending.isEmpty()) {
                long left = end - System.nanoTime();
                BindingChange c = feed.take(Math.max(0, left), TimeUnit.NANOSECONDS);
                if (c == null) {
                    return null;
                }
                apply(c);
            }
            return pending.poll();
        }

        private void apply(BindingChange c) {
            Publication p = c.publication();
            long rk = rangeKey(p);
            boolean ports = (request.filter() & TipcSubscr.TIPC_SUB_PORTS) != 0;
            if (c.published()) {
                int before = rangeCounts.merge(rk, 1, Integer::sum) - 1;
                if ((ports || before == 0) && inScope(p)) {
                    pending.add(event(TipcEvent.TIPC_PUBLISHED, p));
                }
            } else {
                Integer n = rangeCounts.get(rk);
                int after = n == null ? 0 : n - 1;
                if (after <= 0) {
                    rangeCounts.remove(rk);
                } else {
                    rangeCounts.put(rk, after);
                }
                if ((ports || after == 0) && inScope(p)) {
                    pending.add(event(TipcEvent.TIPC_WITHDRAWN, p));
                }
            }
        }

        private boolean inScope(Publication p) {
            int f = request.filter();
            if ((f & Subscription.TIPC_SUB_CLUSTER_SCOPE) != 0 && p.scope() == Tipc.TIPC_NODE_SCOPE) {
                return false;
            }
            return (f & Subscription.TIPC_SUB_NODE_SCOPE) == 0 || p.scope() == Tipc.TIPC_NODE_SCOPE;
        }

        private SubscriptionEvent event(int ev, Publication p) {
            return new SubscriptionEvent(ev, p.lower(), p.upper(), p.port(), p.node(), request);
        }

        private static long rangeKey(Publication p) {
            return ((long) p.lower() << 32) | (p.upper() & 0xFFFFFFFFL);
        }

        @Override
        public void close() {
            feed.close();
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
