package io.jtipc.cli;

import java.io.PrintWriter;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lines written to a stream by a thread of their own, for callers that must not wait for the stream's reader: a
 * node's link listener runs under the node's core lock ({@code LinkListener}), and a stdout pipe whose reader stalls
 * would block it in write(2) and with it the whole node (no frame handled, links lost, control calls timing out).
 *
 * <p>At most {@value #CAPACITY} lines wait; a line offered beyond is dropped and counted, and the count is printed
 * ({@code LINES dropped N: output too slow}) before the next line that gets through. Lines keep their order. Each
 * line is written and flushed under the stream's monitor, as the command's other printers do.
 */
final class AsyncLines implements AutoCloseable {
    /** Lines waiting at most. */
    static final int CAPACITY = 1024;
    /** How long {@link #close()} waits for the waiting lines to be written, ms. */
    static final long DRAIN_MS = 2_000;

    private static final String END = new String("end"); // identity marks the end, never printed

    private final PrintWriter out;
    private final ArrayBlockingQueue<String> lines = new ArrayBlockingQueue<>(CAPACITY + 1);
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile boolean closed;

    AsyncLines(PrintWriter out, String threadName) {
        this.out = out;
        this.writer = new Thread(this::run, threadName);
        writer.setDaemon(true);
        writer.start();
    }

    /** Queues {@code line} (never blocks); dropped and counted if {@value #CAPACITY} lines wait or after close. */
    void println(String line) {
        if (closed || lines.size() >= CAPACITY || !lines.offer(line)) dropped.incrementAndGet();
    }

    /** Lines dropped so far (printed or not yet). */
    long dropped() {
        return dropped.get();
    }

    private void run() {
        try {
            while (true) {
                String line = lines.take();
                long d = dropped.getAndSet(0);
                synchronized (out) {
                    if (d > 0) out.println("LINES dropped " + d + ": output too slow");
                    if (line != END) out.println(line);
                    out.flush();
                }
                if (line == END) return;
            }
        } catch (InterruptedException e) {
            // close() gave up waiting: lines still queued are lost with the stream
        }
    }

    /** Stops taking lines and waits up to {@value #DRAIN_MS} ms for those queued to be written. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MS);
            if (lines.offer(END, DRAIN_MS, TimeUnit.MILLISECONDS)) {
                writer.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) writer.interrupt();
    }
}
