package io.jtipc.bearer.udp;

import static io.jtipc.bearer.udp.TestSupport.data;
import static io.jtipc.bearer.udp.TestSupport.sa;
import static io.jtipc.bearer.udp.TestSupport.seqOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jtipc.bearer.Media;
import io.jtipc.bearer.ReceiveLock;

/**
 * The bounds of {@link UdpBearer#lead}: a lead ends at its deadline and on an interrupt while a stream of datagrams
 * that never makes {@code done} true keeps coming, handing every datagram over once and in order; it does not wait
 * without bound for the receive lock; a handler exception costs one datagram, not leading. No timed assertions: the
 * stream runs until the lead returned, and would only stop on its own after 5 s (asserted not to).
 */
@Timeout(60)
class UdpLeadBoundsTest {
    /**
     * Datagrams sent and not handled yet at most: the socket queue never runs dry, nor over even at the default
     * net.core.rmem_max (256 datagrams of 64 B take about 300 KB of buffer).
     */
    static final int IN_FLIGHT = 256;

    private static UdpBearer[] pair() throws Exception {
        return TestSupport.openPair(
                p -> UdpBearerConfig.local(sa("127.0.0.1", p)).name("a").replicast(sa("127.0.0.2", p)),
                p -> UdpBearerConfig.local(sa("127.0.0.2", p)).name("b").replicast(sa("127.0.0.1", p)));
    }

    private static ReceiveLock rxLockOf(UdpBearer b) throws Exception {
        java.lang.reflect.Field f = UdpRx.class.getDeclaredField("rxLock");
        f.setAccessible(true);
        return (ReceiveLock) f.get(b.receiveSide());
    }

    /** Sequence numbers seen by either reader, in handler order; the leader's handler is slow (a busy core). */
    private static final class Seen {
        final List<Integer> seqs = new ArrayList<>();
        final AtomicInteger count = new AtomicInteger();
        final AtomicInteger byLeader = new AtomicInteger();
        volatile Thread leader;

        Media.FrameHandler handler() {
            return (src, frame, len) -> {
                synchronized (seqs) {
                    seqs.add(seqOf(frame));
                }
                if (Thread.currentThread() == leader) {
                    byLeader.incrementAndGet();
                    long until = System.nanoTime() + 200_000; // slower than the sender: the queue never runs dry
                    while (System.nanoTime() < until) Thread.onSpinWait();
                }
                count.incrementAndGet();
            };
        }
    }

    @Test
    void aLeadWhoseDoneNeverComesEndsAtItsDeadlineUnderASteadyStream() throws Exception {
        leadUnderAStream(false);
    }

    @Test
    void anInterruptedLeadEndsUnderASteadyStreamAndTheFlagStays() throws Exception {
        leadUnderAStream(true);
    }

    /**
     * A sender keeps {@link #IN_FLIGHT} datagrams queued until the lead returned (or 5 s passed); this thread leads
     * with {@code done} never true, holding the receive lock already so the receive thread cannot take datagrams from
     * it. A lead that ignores its deadline (or the interrupt) goes on until the sender gives up after 5 s.
     */
    private static void leadUnderAStream(boolean interrupt) throws Exception {
        UdpBearer[] ab = pair();
        try (UdpBearer a = ab[0]; UdpBearer b = ab[1]) {
            Seen seen = new Seen();
            b.start(seen.handler(), null);
            AtomicBoolean returned = new AtomicBoolean();
            AtomicBoolean senderTimedOut = new AtomicBoolean();
            AtomicInteger sent = new AtomicInteger();
            AtomicInteger sentSoFar = new AtomicInteger();
            byte[] dest = b.address();
            Thread sender = new Thread(() -> {
                try {
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    int i = 0;
                    while (!returned.get()) {
                        if (System.nanoTime() > end) {
                            senderTimedOut.set(true);
                            break;
                        }
                        if (i - seen.count.get() >= IN_FLIGHT) {
                            Thread.onSpinWait();
                            continue;
                        }
                        byte[] f = data(i, 64);
                        if (a.send(dest, 0, f, 0, f.length)) sentSoFar.set(++i);
                    }
                    sent.set(i);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            Thread leader = Thread.currentThread();
            seen.leader = leader;
            Thread interrupter = new Thread(() -> {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (seen.byLeader.get() < 200 && System.nanoTime() < end) Thread.onSpinWait();
                leader.interrupt();
            });
            ReceiveLock rxLock = rxLockOf(b);
            int r;
            rxLock.lock();
            try {
                sender.start();
                // the stream runs before the lead: a full queue, refilled faster than the leader's handler empties it
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (sentSoFar.get() < IN_FLIGHT && System.nanoTime() < end) Thread.sleep(1);
                if (interrupt) interrupter.start();
                r = b.lead(seen.handler(), () -> false, interrupt ? 30_000 : 200);
                returned.set(true);
            } finally {
                rxLock.unlock();
            }
            boolean flag = Thread.interrupted();
            sender.join();
            if (interrupt) interrupter.join();
            assertThat(senderTimedOut.get()).as("the lead returned while the stream still ran").isFalse();
            assertThat(flag).as("the interrupt flag stays for the caller").isEqualTo(interrupt);
            assertThat(r).as("datagrams the lead handed over").isEqualTo(seen.byLeader.get());
            assertThat(b.framesLed()).isEqualTo(r);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (seen.count.get() < sent.get() && System.nanoTime() < end) Thread.sleep(1);
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < sent.get(); i++) expected.add(i);
            synchronized (seen.seqs) {
                assertThat(seen.seqs).as("every datagram once, in order, the rest by the receive thread")
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void aLeadDoesNotWaitWithoutBoundForAReceiveLockHeldElsewhere() throws Exception {
        UdpBearer[] ab = pair();
        try (UdpBearer a = ab[0]; UdpBearer b = ab[1]) {
            b.start((s, f, l) -> { }, null);
            ReceiveLock rxLock = rxLockOf(b);
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean holding = new AtomicBoolean();
            Thread holder = new Thread(() -> { // plays a receive thread handing a datagram to a slow core
                rxLock.lock();
                holding.set(true);
                held.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    holding.set(false);
                    rxLock.unlock();
                }
            });
            holder.start();
            held.await();
            try {
                assertThat(b.lead((s, f, l) -> { }, () -> false, 20)).isZero();
                assertThat(holding.get()).as("returned while the lock was still held elsewhere").isTrue();
                AtomicBoolean done = new AtomicBoolean();
                Thread setter = new Thread(() -> {
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (!b.leading() && System.nanoTime() < end) Thread.onSpinWait();
                    done.set(true);
                });
                setter.start();
                assertThat(b.lead((s, f, l) -> { }, done::get, -1)).isZero();
                setter.join();
                assertThat(holding.get()).as("returned while the lock was still held elsewhere").isTrue();
                Thread.currentThread().interrupt();
                assertThat(b.lead((s, f, l) -> { }, () -> false, -1)).isZero();
                assertThat(Thread.interrupted()).isTrue();
                assertThat(holding.get()).isTrue();
            } finally {
                release.countDown();
                holder.join();
            }
        }
    }

    @Test
    void aHandlerExceptionOnALedDatagramIsCountedAndTheNextGoesOn() throws Exception {
        UdpBearer[] ab = pair();
        try (UdpBearer a = ab[0]; UdpBearer b = ab[1]) {
            AtomicInteger byThread = new AtomicInteger();
            b.start((s, f, l) -> byThread.incrementAndGet(), null);
            AtomicInteger calls = new AtomicInteger();
            Media.FrameHandler failing = (s, f, l) -> {
                calls.incrementAndGet();
                throw new IllegalStateException("core bug on datagram " + seqOf(f));
            };
            ReceiveLock rxLock = rxLockOf(b);
            rxLock.lock(); // the receive thread cannot take them: the leader reads all three
            try {
                for (int i = 0; i < 3; i++) {
                    byte[] f = data(i, 64);
                    assertThat(a.send(b.address(), 0, f, 0, f.length)).isTrue();
                }
                int got = 0;
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (got < 3 && System.nanoTime() < end) {
                    int r = b.lead(failing, () -> false, 100);
                    assertThat(r).as("leading stays on").isGreaterThanOrEqualTo(0);
                    got += r;
                }
                assertThat(got).isEqualTo(3);
            } finally {
                rxLock.unlock();
            }
            assertThat(calls.get()).as("each datagram reached the handler").isEqualTo(3);
            assertThat(b.handlerFailures()).isEqualTo(3);
            byte[] f = data(3, 64);
            assertThat(a.send(b.address(), 0, f, 0, f.length)).isTrue();
            AtomicInteger led = new AtomicInteger();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (led.get() == 0 && byThread.get() == 0 && System.nanoTime() < end) {
                assertThat(b.lead((s, fr, l) -> led.incrementAndGet(), () -> led.get() > 0, 100))
                        .as("still leading after the failures").isGreaterThanOrEqualTo(0);
            }
            assertThat(led.get() + byThread.get()).as("the next datagram arrives, by the leader or the receive thread")
                    .isEqualTo(1);
        }
    }
}
