package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CyclicBarrier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link TrafficTap} driven directly (no node): concurrent close, bearer churn, the size bound, stale files. */
class TrafficTapDirectTest {
    @TempDir
    Path dir;

    static final int CLOSERS = 6;

    /** Threads closing at once: one end mark only, no write failure, every frame written. */
    @Test
    void concurrentCloseWritesEverythingOnce() throws Exception {
        for (int round = 0; round < 300; round++) {
            Path f = dir.resolve("c" + round + ".pcapng");
            TrafficTap t = new TrafficTap(f, TrafficTap.MIN_FILE_BYTES, 1, "cc" + round);
            for (int i = 0; i < 5; i++) t.loopback(new byte[64], 0, 64);
            CyclicBarrier go = new CyclicBarrier(CLOSERS);
            Thread[] others = new Thread[CLOSERS - 1];
            for (int k = 0; k < others.length; k++) {
                others[k] = new Thread(() -> {
                    try {
                        go.await();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                    t.close();
                });
                others[k].start();
            }
            go.await();
            t.close();
            for (Thread o : others) o.join(10_000);
            assertThat(t.failed()).as("round " + round).isFalse();
            assertThat(t.written()).as("round " + round).isEqualTo(5);
            assertThat(t.dropped()).isZero();
            Files.delete(f);
        }
    }

    /**
     * Two end marks in the queue (what two racing close() calls enqueued before the fix): the writer stops at the
     * first and its drain loop must skip the second, not write it (a NullPointerException, reported as a write
     * failure). The writer is held on a FIFO nobody reads until both marks are queued, so the order is certain.
     */
    @Test
    void aSecondEndMarkIsNotWritten() throws Exception {
        Path fifo = dir.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        java.util.concurrent.CountDownLatch read = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicLong got = new java.util.concurrent.atomic.AtomicLong();
        Thread reader = new Thread(() -> {
            try (var in = Files.newInputStream(fifo)) {
                read.await();
                byte[] b = new byte[1 << 16];
                for (int n; (n = in.read(b)) > 0; ) got.addAndGet(n);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        reader.start();
        TrafficTap t = new TrafficTap(fifo, 1L << 20, 1, "fifo");
        int frames = 400; // ~400 KiB: more than the pipe and the stream buffer hold, so the writer blocks
        for (int i = 0; i < frames; i++) t.loopback(new byte[1000], 0, 1000);
        var qf = TrafficTap.class.getDeclaredField("queue");
        var ef = TrafficTap.class.getDeclaredField("END");
        qf.setAccessible(true);
        ef.setAccessible(true);
        @SuppressWarnings("unchecked")
        var q = (java.util.concurrent.BlockingQueue<Object>) qf.get(t);
        Object end = ef.get(null);
        assertThat(q.offer(end)).isTrue();
        assertThat(q.offer(end)).isTrue();
        read.countDown();
        t.close();
        reader.join(10_000);
        assertThat(t.failed()).isFalse();
        assertThat(t.written()).isEqualTo(frames);
        assertThat(got.get()).isGreaterThan(frames * 1000L);
    }

    private static BearerIo udpBearer(String name) throws Exception {
        return BearerIo.open(BearerSpec.parse("udp:127.0.0.1:0,name=" + name, null), 4711, m -> m);
    }

    /** Fills the tap with node-local frames of {@code total} bytes of blocks (each a multiple of 4, 64 to 2048). */
    private static void fill(TrafficTap t, long total) {
        while (total > 0) {
            long blk = total >= 4096 ? 2048 : total > 2048 ? total / 2 & ~3 : total;
            t.loopback(new byte[(int) blk - 32 - 14], 0, (int) blk - 32 - 14);
            total -= blk;
        }
    }

    /**
     * Bearer churn: 30 bearers come and go; the tap forgets each removed one, and the file started by the next
     * rotation declares only node-local and the bearer still in use.
     */
    @Test
    void removedBearersAreForgottenAndNotDeclaredAgain() throws Exception {
        Path f = dir.resolve("churn.pcapng");
        TrafficTap t = new TrafficTap(f, TrafficTap.MIN_FILE_BYTES, 2, "churn");
        BearerIo keep = udpBearer("keep");
        try {
            t.sent(keep, keep.config().ownAddr(), new byte[100], 0, 100);
            for (int i = 0; i < 30; i++) {
                BearerIo b = udpBearer("gone" + i);
                t.sent(b, keep.config().ownAddr(), new byte[100], 0, 100);
                t.bearerRemoved(b);
                t.sent(b, keep.config().ownAddr(), new byte[100], 0, 100); // not tapped any more
                b.close();
            }
            assertThat(t.bearerInterfaces()).isEqualTo(1);
            fill(t, TrafficTap.MIN_FILE_BYTES + 1000); // at least one rotation
            t.sent(keep, keep.config().ownAddr(), new byte[100], 0, 100);
        } finally {
            t.close();
            keep.close();
        }
        assertThat(t.failed()).isFalse();
        assertThat(t.rotations()).isPositive();
        assertThat(t.written()).isEqualTo(t.tapped());
        assertThat(TrafficTapTest.interfaces(f)).containsExactly("1 node-local", "101 udp:keep");
        assertThat(TrafficTapTest.interfaces(dir.resolve("churn.pcapng.1"))).hasSize(32); // node-local, keep, 30 gone
    }

    /** A new interface that would cross the size bound starts a new file; the bound holds exactly. */
    @Test
    void interfaceBlocksCountTowardsTheSizeBound() throws Exception {
        long max = TrafficTap.MIN_FILE_BYTES;
        Path probe = dir.resolve("probe.pcapng");
        new TrafficTap(probe, max, 1, "probe").close();
        long start = Files.size(probe); // section header and node-local interface
        Path f = dir.resolve("bound.pcapng");
        TrafficTap t = new TrafficTap(f, max, 3, "bound");
        BearerIo b = udpBearer("late");
        try {
            fill(t, max - start); // the file is exactly full
            // the writer declares a new interface as soon as it sees it: let it write the frames before first
            for (long t0 = System.nanoTime(); t.written() < t.tapped() && System.nanoTime() - t0 < 10_000_000_000L; ) {
                Thread.sleep(5);
            }
            assertThat(t.written()).isEqualTo(t.tapped());
            t.sent(b, b.config().ownAddr(), new byte[100], 0, 100);
        } finally {
            t.close();
            b.close();
        }
        assertThat(t.failed()).isFalse();
        assertThat(Files.size(f.resolveSibling("bound.pcapng.1"))).isEqualTo(max);
        assertThat(TrafficTapTest.interfaces(f.resolveSibling("bound.pcapng.1"))).containsExactly("1 node-local");
        assertThat(Files.size(f)).isLessThanOrEqualTo(max);
        assertThat(TrafficTapTest.interfaces(f)).containsExactly("1 node-local", "101 udp:late");
        assertThat(TrafficTap.interfaceBlockBytes("udp:late")).isEqualTo(44);
    }

    /** FILE.N left by an earlier run with more files (N >= files) are deleted when the tap starts. */
    @Test
    void staleRotatedFilesOfAnEarlierRunAreDeleted() throws Exception {
        Path f = dir.resolve("s.pcapng");
        for (String n : new String[] {"s.pcapng.1", "s.pcapng.2", "s.pcapng.7", "s.pcapng.x", "other.2"}) {
            Files.write(dir.resolve(n), new byte[] {1});
        }
        new TrafficTap(f, TrafficTap.MIN_FILE_BYTES, 2, "stale").close();
        assertThat(dir.resolve("s.pcapng.1")).exists(); // within the bound: rotation takes care of it
        assertThat(dir.resolve("s.pcapng.2")).doesNotExist();
        assertThat(dir.resolve("s.pcapng.7")).doesNotExist();
        assertThat(dir.resolve("s.pcapng.x")).exists();
        assertThat(dir.resolve("other.2")).exists();
    }
}
