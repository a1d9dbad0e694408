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
}
