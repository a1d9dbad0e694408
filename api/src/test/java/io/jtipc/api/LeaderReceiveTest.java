package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jtipc.bearer.eth.EthBearer;
import io.jtipc.bearer.udp.UdpBearer;

/**
 * Issue 14, the leader receive: a blocking receive on a socket that has just sent (a request/response) reads the UDP
 * bearer's frames on its own thread ({@link SocketRxQueue.Leader}, {@link UdpBearer#lead}). Two nodes in this JVM over
 * 127.0.0.1/127.0.0.2, an echo: every answer arrives, in order, some frames are read by the waiting threads
 * themselves (counted by the bearers), and the round trips allocate nothing per message (counts, not time).
 */
@Timeout(120)
class LeaderReceiveTest {
    static final int WARMUP = 20_000;
    static final int ROUND_TRIPS = 10_000;
    /** Bytes per round trip allowed over all measured threads, as {@link ZeroAllocationTest#BOUND_PER_MESSAGE}. */
    static final long BOUND_PER_ROUND_TRIP = 16;

    private static TipcNode a;
    private static TipcNode b;

    @BeforeAll
    static void start() throws Exception {
        TipcNode[] pair = TwoNodeChecks.linkedUdpPair("jt-lead-a", "jt-lead-b");
        a = pair[0];
        b = pair[1];
    }

    @AfterAll
    static void stop() {
        if (a != null) a.close();
        if (b != null) b.close();
    }

    static long framesLed(TipcNode n) {
        long s = 0;
        for (BearerIo io : n.bearerSet.list()) {
            if (io.media() instanceof UdpBearer u) s += u.framesLed();
            if (io.media() instanceof EthBearer e) s += e.framesLed();
        }
        return s;
    }

    @Test
    void echoesAreReadByTheWaitingThreadsInOrderAndAllocateNothing() throws Exception {
        echoesLedInOrderWithoutAllocation(a, b, "LeaderReceiveTest");
    }

    /**
     * {@code ROUND_TRIPS} echoes a -> b -> a after {@code WARMUP}: every answer arrives in order, some frames are
     * read by the waiting threads themselves, and the measured round trips allocate under
     * {@link #BOUND_PER_ROUND_TRIP} bytes each.
     */
    static void echoesLedInOrderWithoutAllocation(TipcNode a, TipcNode b, String label) throws Exception {
        var tm = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (TipcSocket echo = TipcSocket.rdm(b); TipcSocket client = TipcSocket.rdm(a)) {
            client.setDestDroppable(false);
            echo.setDestDroppable(false);
            TipcAddress dest = TipcAddress.ofSocket(echo.port(), b.address());
            int total = WARMUP + ROUND_TRIPS;
            long[] echoBytes = new long[2];
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread server = new Thread(() -> {
                try {
                    ByteBuffer buf = ByteBuffer.allocate(64);
                    TipcMessageInfo info = new TipcMessageInfo();
                    for (int i = 0; i < total; i++) {
                        if (i == WARMUP) echoBytes[0] = tm.getCurrentThreadAllocatedBytes();
                        buf.clear();
                        if (echo.receive(buf, info, TwoNodeChecks.T) < 0) throw new AssertionError("nothing after " + i);
                        echo.send(info.source(), buf.array(), 0, info.copied());
                    }
                    echoBytes[1] = tm.getCurrentThreadAllocatedBytes();
                } catch (Throwable e) {
                    failed.set(e);
                }
            }, "lead-test-echo");
            server.setDaemon(true);
            server.start();

            long ledBefore = framesLed(a) + framesLed(b);
            byte[] m = new byte[64];
            ByteBuffer mb = ByteBuffer.wrap(m);
            ByteBuffer rb = ByteBuffer.allocate(64);
            TipcMessageInfo ri = new TipcMessageInfo();
            long[] ids = null;
            long[] before = null;
            for (int i = 0; i < total; i++) {
                if (i == WARMUP) {
                    ids = measuredThreads();
                    before = tm.getThreadAllocatedBytes(ids);
                }
                mb.putInt(0, i);
                client.send(dest, m);
                rb.clear();
                // checked without AssertJ: its assertion objects would count as allocated by this thread
                if (client.receive(rb, ri, TwoNodeChecks.T) != 64 || rb.getInt(0) != i) {
                    throw new AssertionError("echo of " + i + ": " + rb.getInt(0) + " (echo: " + failed.get() + ")");
                }
            }
            long[] after = tm.getThreadAllocatedBytes(ids);
            server.join(TwoNodeChecks.T.toMillis());
            assertThat(failed.get()).isNull();
            assertThat(server.isAlive()).as("echo finished").isFalse();
            long led = framesLed(a) + framesLed(b) - ledBefore;
            assertThat(led).as("frames read by a waiting application thread over %d round trips", total).isPositive();
            long sum = echoBytes[1] - echoBytes[0];
            StringBuilder perThread = new StringBuilder("echo=" + sum);
            for (int i = 0; i < ids.length; i++) {
                if (before[i] >= 0 && after[i] >= 0) {
                    sum += after[i] - before[i];
                    ThreadInfoName n = ThreadInfoName.of(ids[i]);
                    perThread.append(' ').append(n).append('=').append(after[i] - before[i]);
                }
            }
            System.out.println(label + " per thread (id=bytes, first = client): " + perThread);
            System.out.printf("%s: %d of %d frames led, %.2f B allocated per round trip%n", label, led,
                2L * total, sum / (double) ROUND_TRIPS);
            assertThat(sum / (double) ROUND_TRIPS).as("bytes allocated per round trip").isLessThan(BOUND_PER_ROUND_TRIP);
        }
    }

    /** A thread's name for the per-thread figures (looked up after the measurement). */
    record ThreadInfoName(long id, String name) {
        static ThreadInfoName of(long id) {
            var info = ManagementFactory.getThreadMXBean().getThreadInfo(id);
            return new ThreadInfoName(id, info == null ? "?" : info.getThreadName());
        }

        @Override
        public String toString() {
            return id + ":" + name;
        }
    }

    /** This (client) thread and every thread of the two nodes (names start with "jtipc-"); the echo counts its own. */
    private static long[] measuredThreads() {
        List<Long> ids = new ArrayList<>(List.of(Thread.currentThread().getId()));
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("jtipc-")) ids.add(t.getId());
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }
}
