package io.jtipc.api;

import static io.jtipc.wire.Tipc.TIPC_CLUSTER_SCOPE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

import io.jtipc.nametable.BindingChange;
import io.jtipc.nametable.BindingTable;
import io.jtipc.nametable.Publication;

/**
 * Late listeners on other threads join while the table's thread keeps changing the table: each must get a
 * consistent snapshot and then every later change exactly once, in order (many seeds, bounded in ops and time).
 */
class ConcurrentBindingViewRaceTest {
    static final int SELF = 0x1001;
    static final int OPS = 2000;
    static final int READERS = 3;
    final AtomicInteger joinedMidStream = new AtomicInteger();

    @Test
    void lateListenersSeeSnapshotThenEveryChangeOnce() throws Exception {
        for (long seed = 0; seed < 40; seed++) {
            runSeed(seed);
        }
        // the race was really exercised: most readers joined while the table was still changing
        assertThat(joinedMidStream.get()).isGreaterThan(40 * READERS / 4);
    }

    private void runSeed(long seed) throws Exception {
        Random r = new Random(seed);
        BindingTable table = new BindingTable(SELF);
        for (int i = 0; i < 20; i++) {
            table.insert(1 + r.nextInt(3), i, i + r.nextInt(4), TIPC_CLUSTER_SCOPE, i + 1, SELF, i);
        }
        ConcurrentBindingView view = ConcurrentBindingView.attach(table);
        AtomicLong finalCount = new AtomicLong(-1);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> readers = new ArrayList<>();
        List<Set<Publication>> results = new ArrayList<>();
        List<int[]> ranges = new ArrayList<>();
        List<java.util.concurrent.CountDownLatch> latches = new ArrayList<>();
        List<Long> openAts = new ArrayList<>();
        for (int k = 0; k < READERS; k++) {
            long openAt = r.nextInt(OPS); // join somewhere in the middle of the changes
            boolean all = k == 0 || r.nextBoolean();
            int[] range = all ? null : new int[] {1 + r.nextInt(3), r.nextInt(30), 0};
            if (range != null) {
                range[2] = range[1] + r.nextInt(20);
            }
            Set<Publication> state = new HashSet<>();
            java.util.concurrent.CountDownLatch latch = new java.util.concurrent.CountDownLatch(1);
            latches.add(latch);
            openAts.add(openAt + 20);
            results.add(state);
            ranges.add(range);
            Thread th = new Thread(() -> {
                try {
                    if (read(view, openAt, range, state, finalCount, latch)) {
                        joinedMidStream.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            th.setDaemon(true);
            readers.add(th);
            th.start();
        }
        // the table's own thread (this one) keeps changing the table
        List<Publication> live = new ArrayList<>(table.publications());
        int port = 1000;
        for (int op = 0; op < OPS; op++) {
            if (live.isEmpty() || r.nextInt(100) < 55) {
                int lower = r.nextInt(40);
                Publication p = table.insert(1 + r.nextInt(3), lower, lower + r.nextInt(5), TIPC_CLUSTER_SCOPE, ++port,
                        r.nextBoolean() ? SELF : 0x2002, r.nextInt(8));
                if (p != null) {
                    live.add(p);
                }
            } else {
                Publication p = live.remove(r.nextInt(live.size()));
                assertThat(table.remove(p.type(), p.lower(), p.upper(), p.node(), p.key())).isEqualTo(p);
            }
            for (int k = 0; k < READERS; k++) {
                if (table.changeCount() == openAts.get(k)) {
                    // wait (bounded) until reader k is about to open, so that it joins mid-stream
                    latches.get(k).await(2, TimeUnit.SECONDS);
                }
            }
            if ((op & 31) == 0) {
                LockSupport.parkNanos(30_000);
            }
        }
        finalCount.set(table.changeCount());
        for (Thread th : readers) {
            th.join(20_000);
            assertThat(th.isAlive()).as("reader finished").isFalse();
        }
        assertThat(failures).as("seed %d", seed).isEmpty();
        for (int k = 0; k < READERS; k++) {
            Set<Publication> expected = new HashSet<>();
            int[] range = ranges.get(k);
            for (Publication p : table.publications()) {
                if (range == null || (p.type() == range[0] && p.overlaps(range[1], range[2]))) {
                    expected.add(p);
                }
            }
            assertThat(results.get(k)).as("seed %d reader %d", seed, k).isEqualTo(expected);
        }
    }

    /** @return true if the feed was opened before the last change */
    private static boolean read(ConcurrentBindingView view, long openAt, int[] range, Set<Publication> state,
                             AtomicLong finalCount, java.util.concurrent.CountDownLatch opening)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (view.changeCount() < openAt + 20 && finalCount.get() < 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(20_000);
        }
        opening.countDown(); // the changing thread goes on at once: open() races with the next changes
        ConcurrentBindingView.Feed feed = range == null ? view.openAll(1 << 20)
                : view.open(range[0], range[1], range[2], 1 << 20);
        state.addAll(feed.snapshot());
        if (state.size() != feed.snapshot().size()) {
            throw new AssertionError("duplicate in snapshot");
        }
        long last = feed.snapshotChangeCount();
        boolean midStream = finalCount.get() < 0;
        while (true) {
            long fin = finalCount.get();
            if (fin >= 0 && last >= fin) {
                break;
            }
            BindingChange c = feed.take(5, TimeUnit.MILLISECONDS);
            if (c == null) {
                if (fin >= 0 && feed.poll() == null) {
                    break; // everything up to the final change that matched was delivered
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("reader timed out");
                }
                continue;
            }
            if (c.changeCount() <= last) {
                throw new AssertionError("change " + c.changeCount() + " after " + last + ": duplicate/out of order");
            }
            if (range == null && c.changeCount() != last + 1) {
                throw new AssertionError("gap: " + last + " -> " + c.changeCount());
            }
            last = c.changeCount();
            boolean ok = c.published() ? state.add(c.publication()) : state.remove(c.publication());
            if (!ok) {
                throw new AssertionError("inconsistent change " + c);
            }
        }
        feed.close();
        return midStream;
    }

    @Test
    void overflowIsReportedNotSilent() {
        BindingTable table = new BindingTable(SELF);
        ConcurrentBindingView view = ConcurrentBindingView.attach(table);
        ConcurrentBindingView.Feed f = view.openAll(2);
        for (int i = 0; i < 3; i++) {
            table.insert(100, i, i, TIPC_CLUSTER_SCOPE, i + 1, SELF, i);
        }
        assertThat(f.overflowed()).isTrue();
        assertThat(f.poll().changeCount()).isEqualTo(1);
        assertThat(f.poll().changeCount()).isEqualTo(2);
        assertThatThrownBy(f::poll).isInstanceOf(IllegalStateException.class);
        ConcurrentBindingView.Feed g = view.open(100, 0, 1, 10);
        assertThat(g.snapshot()).hasSize(2);
        assertThat(g.snapshotChangeCount()).isEqualTo(3);
        assertThat(view.snapshot()).hasSize(3);
    }
}
