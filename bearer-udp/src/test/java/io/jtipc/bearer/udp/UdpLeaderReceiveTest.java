package io.jtipc.bearer.udp;

import static io.jtipc.bearer.udp.TestSupport.data;
import static io.jtipc.bearer.udp.TestSupport.sa;
import static io.jtipc.bearer.udp.TestSupport.seqOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.jtipc.bearer.Media;
import io.jtipc.bearer.ReceiveLock;

/**
 * {@link UdpBearer#lead}: an application thread reads the bearer's datagrams itself, taking turns with the receive
 * thread (issue 14): every datagram reaches a handler once and in the order sent, whoever read it.
 */
@Timeout(60)
class UdpLeaderReceiveTest {
    /** A replicast pair in the default wait mode (the JDK selectors). */
    private static UdpBearer[] pair() throws Exception {
        return pair("false");
    }

    /**
     * A replicast pair; {@code mode}: system property {@code jtipc.udpRxEpoll} while they open ({@code false}, the
     * default JDK selectors; {@code exclusive}; {@code pause}), see {@link UdpRx}.
     */
    static UdpBearer[] pair(String mode) throws Exception {
        String was = System.getProperty("jtipc.udpRxEpoll");
        System.setProperty("jtipc.udpRxEpoll", mode);
        try {
            UdpBearer[] ab = TestSupport.openPair(
                p -> UdpBearerConfig.local(sa("127.0.0.1", p)).name("a").replicast(sa("127.0.0.2", p)),
                p -> UdpBearerConfig.local(sa("127.0.0.2", p)).name("b").replicast(sa("127.0.0.1", p)));
            String expected = mode.equals("false") ? "selector" : mode.equals("true") ? "pause" : mode;
            for (UdpBearer x : ab) {
                if (!x.receiveSide().waitMode().equals(expected)) {
                    try (UdpBearer a0 = ab[0]; UdpBearer b0 = ab[1]) {
                        // closed, whichever close throws
                    }
                    throw new AssertionError("jtipc.udpRxEpoll=" + mode + " not in effect: " + x.receiveSide().waitMode());
                }
            }
            return ab;
        } finally {
            if (was == null) System.clearProperty("jtipc.udpRxEpoll");
            else System.setProperty("jtipc.udpRxEpoll", was);
        }
    }

    /** Sequence numbers seen by either reader, in handler order (the handlers never run at once: rxLock). */
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
                if (Thread.currentThread() == leader) byLeader.incrementAndGet();
                count.incrementAndGet();
            };
        }
    }

    @ParameterizedTest(name = "udpRxEpoll={0}")
    @ValueSource(strings = {"false", "pause", "exclusive"})
    void leaderAndReceiveThreadHandOverEveryDatagramOnceInOrder(String mode) throws Exception {
        UdpBearer[] ab = pair(mode);
        try (UdpBearer a = ab[0]; UdpBearer b = ab[1]) {
            Seen seen = new Seen();
            b.start(seen.handler(), null);
            int total = 3000;
            Thread sender = new Thread(() -> {
                try {
                    for (int i = 0; i < total; i++) {
                        byte[] f = data(i, 64);
                        while (!a.send(b.address(), 0, f, 0, f.length)) Thread.onSpinWait();
                        if (i % 64 == 0) Thread.sleep(1); // bursts: loopback never overflows b's buffer
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            seen.leader = Thread.currentThread();
            sender.start();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (seen.count.get() < total && System.nanoTime() < end) {
                int want = seen.count.get() + 1;
                int r = b.lead(seen.handler(), () -> seen.count.get() >= want, 100);
                // exclusive mode: -1 while the receive thread hands a burst over (it goes on with it)
                assertThat(r).isGreaterThanOrEqualTo(mode.equals("exclusive") ? -1 : 0);
                if (r < 0) Thread.yield(); // the receive thread needs this core for the burst
            }
            sender.join();
            assertThat(seen.count.get()).isEqualTo(total);
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < total; i++) expected.add(i);
            assertThat(seen.seqs).as("each datagram once, in order").isEqualTo(expected);
            assertThat(seen.byLeader.get()).as("datagrams read by the leading thread").isGreaterThan(0);
            assertThat(b.handlerFailures()).isZero();
            assertThat(b.receiveErrors()).isZero();
        }
    }

    @ParameterizedTest(name = "udpRxEpoll={0}")
    @ValueSource(strings = {"false", "exclusive"})
    void onlyOneLeaderAtATimeAndWakeLeaderEndsItsWait(String mode) throws Exception {
        UdpBearer[] ab = pair(mode);
        try (UdpBearer a = ab[0]; UdpBearer b = ab[1]) {
            b.start((s, f, l) -> { }, null);
            AtomicInteger second = new AtomicInteger(Integer.MIN_VALUE);
            AtomicBoolean returned = new AtomicBoolean();
            Thread other = new Thread(() -> {
                try {
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (!b.leading() && System.nanoTime() < end) Thread.sleep(5); // the test thread leads
                    second.set(b.lead((s, f, l) -> { }, () -> false, 10));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                wakeUntil(b, returned);
            });
            other.start();
            long t0 = System.nanoTime();
            int r = b.lead((s, f, l) -> { }, () -> false, 20_000);
            returned.set(true);
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            other.join();
            assertThat(r).as("woken, nothing read").isZero();
            assertThat(waitedMs).as("wakeLeader ended the wait (not its 20 s time-out)").isLessThan(15_000);
            assertThat(second.get()).as("a second thread cannot lead meanwhile").isEqualTo(-1);
        }
    }

    /**
     * Exclusive mode: no lead while the receive thread is handing a datagram over (its handler still runs): the
     * caller waits on its queue instead, and leads again once that thread found the socket empty. With the JDK
     * selectors a lead starts and waits for the receive lock (0: nothing handed over in its time).
     */
    @ParameterizedTest(name = "udpRxEpoll={0}")
    @ValueSource(strings = {"false", "exclusive"})
    void noLeadWhileTheReceiveThreadHandsADatagramOverInExclusiveMode(String mode) throws Exception {
        UdpBearer[] ab = pair(mode);
        try (UdpBearer a = ab[0]; UdpBearer b = ab[1]) {
            java.util.concurrent.CountDownLatch inHandler = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            b.start((s, f, l) -> {
                inHandler.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, null);
            byte[] f = data(0, 64);
            assertThat(a.send(b.address(), 0, f, 0, f.length)).isTrue();
            assertThat(inHandler.await(10, TimeUnit.SECONDS)).isTrue();
            int busy = b.lead((s, fr, l) -> { }, () -> false, 20);
            release.countDown();
            assertThat(busy).isEqualTo(mode.equals("exclusive") ? -1 : 0);
            // the receive thread finds the socket empty and waits: leading is possible again
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int idle;
            do {
                idle = b.lead((s, fr, l) -> { }, () -> false, 10);
            } while (idle < 0 && System.nanoTime() < end);
            assertThat(idle).isZero();
        }
    }

    @ParameterizedTest(name = "udpRxEpoll={0}")
    @ValueSource(strings = {"false", "exclusive"})
    void closeEndsALeadAndNoLeadAfterwards(String mode) throws Exception {
        UdpBearer[] ab = pair(mode);
        UdpBearer a = ab[0];
        UdpBearer b = ab[1];
        try (a) {
            b.start((s, f, l) -> { }, null);
            Thread closer = new Thread(() -> {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                b.close();
            });
            closer.start();
            long t0 = System.nanoTime();
            int r = b.lead((s, f, l) -> { }, () -> false, 20_000);
            closer.join();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(15_000);
            assertThat(r).isLessThanOrEqualTo(0);
            assertThat(b.lead((s, f, l) -> { }, () -> false, 10)).as("closed: cannot lead").isEqualTo(-1);
        }
    }

    /**
     * Exclusive mode: a datagram that arrives while the leader waits wakes the leader only, not the receive thread. A
     * lead that then ends without reading it ({@code done} came true meanwhile) must wake the receive thread for it as
     * it ends ({@code UdpRx.LeadSocket.endLead}, a poll of the socket); without that the datagram stays queued until another one
     * arrives, and this test fails. Each round's {@code done} turns true just before its datagram is sent, 100 ms into
     * the lead (the leader waits by then: were it still draining, the datagram would wake the receive thread and the
     * round would pass without the path).
     */
    @Test
    void aDatagramThatWokeALeaderWhichDidNotReadItReachesTheReceiveThread() throws Exception {
        UdpBearer[] ab = pair("exclusive");
        try (UdpBearer a = ab[0]; UdpBearer b = ab[1]) {
            Seen seen = new Seen();
            b.start(seen.handler(), null);
            int rounds = 20;
            int led = 0;
            for (int r = 0; r < rounds; r++) {
                AtomicBoolean done = new AtomicBoolean();
                AtomicReference<Throwable> failed = new AtomicReference<>();
                byte[] f = data(r, 64);
                Thread sender = new Thread(() -> {
                    try {
                        Thread.sleep(100);
                        done.set(true);
                        assertThat(a.send(b.address(), 0, f, 0, f.length)).as("sent").isTrue();
                    } catch (Throwable e) {
                        failed.set(e);
                    }
                });
                sender.start();
                led += Math.max(0, b.lead(seen.handler(), done::get, 5_000));
                sender.join();
                if (failed.get() != null) throw new AssertionError("sender of round " + r, failed.get());
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (seen.count.get() <= r && System.nanoTime() < end) Thread.sleep(1);
                assertThat(seen.count.get()).as("datagram of round %d handed over", r).isEqualTo(r + 1);
            }
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < rounds; i++) expected.add(i);
            assertThat(seen.seqs).isEqualTo(expected);
            System.out.printf("%d of %d datagrams read by the leader itself%n", led, rounds);
        }
    }

    @Test
    void noLeadWithoutAReceiveThread() throws Exception {
        UdpBearer[] ab = pair();
        try (UdpBearer a = ab[0]; UdpBearer b = ab[1]) {
            assertThat(b.lead((s, f, l) -> { }, () -> false, 10)).isEqualTo(-1);
        }
    }

    /** The private field {@code name} of {@code b}'s receive side ({@link UdpRx}). */
    @SuppressWarnings("unchecked")
    private static <T> T lockOf(UdpBearer b, String name) throws Exception {
        java.lang.reflect.Field f = UdpRx.class.getDeclaredField(name);
        f.setAccessible(true);
        return (T) f.get(b.receiveSide());
    }

    /** The lead lock of {@code b}'s leader receive ({@link io.jtipc.bearer.LeadDriver}). */
    private static java.util.concurrent.locks.ReentrantLock leadLockOf(UdpBearer b) throws Exception {
        java.lang.reflect.Field f = io.jtipc.bearer.LeadDriver.class.getDeclaredField("leadLock");
        f.setAccessible(true);
        return (java.util.concurrent.locks.ReentrantLock) f.get(lockOf(b, "leader"));
    }

    @Test
    void receiveThreadWaitsWithoutSpinningWhileALeaderHoldsTheReceiveLock() throws Exception {
        UdpBearer[] ab = pair();
        try (UdpBearer a = ab[0]; UdpBearer b = ab[1]) {
            Seen seen = new Seen();
            b.start(seen.handler(), null);
            java.util.concurrent.locks.ReentrantLock leadLock = leadLockOf(b);
            ReceiveLock rxLock = lockOf(b, "rxLock");
            // this thread plays a leader handing a frame to a slow core: both locks held, datagrams queued meanwhile
            leadLock.lock();
            rxLock.lock();
            long busy;
            try {
                for (int i = 0; i < 3; i++) {
                    byte[] f = data(i, 64);
                    assertThat(a.send(b.address(), 0, f, 0, f.length)).isTrue();
                }
                Thread.sleep(300);
                busy = b.rxLockBusy();
            } finally {
                rxLock.unlock();
                leadLock.unlock();
            }
            // 300 ms / RX_LOCK_WAIT_MS = 60 timed waits; the old yield + select loop went round thousands of times
            assertThat(busy).as("receive thread's turns on a held receive lock in 300 ms").isLessThan(200);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (seen.count.get() < 3 && System.nanoTime() < end) Thread.sleep(1);
            assertThat(seen.seqs).as("every datagram once, in order, once the lock is free").containsExactly(0, 1, 2);
        }
    }

    static final int WAIT_WARMUP = 300;
    static final int WAIT_ROUNDS = 1_000;

    /**
     * The receive thread finds the receive lock held by a leader every round and waits for it: the leader's release
     * wakes it (counted by the lock), every datagram arrives once and in order, and the waits allocate nothing
     * (the receive thread's bytes over the rounds; rxEpoll, whose readiness wait allocates nothing either).
     */
    @Test
    void aReceiveThreadWaitingForTheLeaderGoesOnWhenItReleasesAndAllocatesNothing() throws Exception {
        UdpBearer[] ab = pair("pause");
        try (UdpBearer a = ab[0]; UdpBearer b = ab[1]) {
            AtomicInteger count = new AtomicInteger();
            AtomicInteger outOfOrder = new AtomicInteger();
            AtomicReference<Thread> rx = new AtomicReference<>();
            b.start((src, frame, len) -> {
                rx.set(Thread.currentThread());
                if (seqOf(frame) != count.get()) outOfOrder.incrementAndGet();
                count.incrementAndGet();
            }, null);
            java.util.concurrent.locks.ReentrantLock leadLock = leadLockOf(b);
            ReceiveLock rxLock = lockOf(b, "rxLock");
            var tm = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            byte[][] frames = new byte[WAIT_WARMUP + WAIT_ROUNDS][];
            for (int i = 0; i < frames.length; i++) frames[i] = data(i, 64);
            long before = 0, wakeups = 0, busy = 0;
            for (int i = 0; i < frames.length; i++) {
                if (i == WAIT_WARMUP) {
                    before = tm.getThreadAllocatedBytes(rx.get().getId());
                    wakeups = rxLock.wakeups();
                    busy = b.rxLockBusy();
                }
                // this thread plays a leader handing a frame over: the datagram arrives while it holds the lock
                leadLock.lock();
                rxLock.lock();
                try {
                    assertThat(a.send(b.address(), 0, frames[i], 0, frames[i].length)).isTrue();
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (!rxLock.hasParkedWaiter() && System.nanoTime() < end) Thread.yield();
                    assertThat(rxLock.hasParkedWaiter()).as("receive thread waits for the lock, round %d", i).isTrue();
                } finally {
                    rxLock.unlock();
                    leadLock.unlock();
                }
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (count.get() <= i && System.nanoTime() < end) Thread.yield();
                assertThat(count.get()).as("datagrams handed over after round %d", i).isEqualTo(i + 1);
            }
            long bytes = tm.getThreadAllocatedBytes(rx.get().getId()) - before;
            System.out.printf("receive thread: %d B over %d contended waits, %d woken by the release%n", bytes,
                WAIT_ROUNDS, rxLock.wakeups() - wakeups);
            assertThat(outOfOrder.get()).isZero();
            assertThat(b.rxLockBusy() - busy).as("turns on a held lock").isGreaterThanOrEqualTo(WAIT_ROUNDS);
            assertThat(rxLock.wakeups() - wakeups).as("waits ended by the leader's release")
                .isGreaterThanOrEqualTo(WAIT_ROUNDS);
            // a queued ReentrantLock wait allocated its node, 32 B or more, every round
            assertThat(bytes).as("receive thread's bytes over %d waits and datagrams", WAIT_ROUNDS)
                .isLessThan(WAIT_ROUNDS * 4L);
        }
    }

    @Test
    void startedAndEndedRunOnlyForTheThreadThatLeads() throws Exception {
        UdpBearer[] ab = pair();
        try (UdpBearer a = ab[0]; UdpBearer b = ab[1]) {
            b.start((s, f, l) -> { }, null);
            AtomicInteger started = new AtomicInteger();
            AtomicInteger ended = new AtomicInteger();
            AtomicInteger second = new AtomicInteger(Integer.MIN_VALUE);
            AtomicBoolean returned = new AtomicBoolean();
            Thread other = new Thread(() -> {
                try {
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (!b.leading() && System.nanoTime() < end) Thread.sleep(5);
                    second.set(b.lead((s, f, l) -> { }, () -> false, 10, started::incrementAndGet,
                        ended::incrementAndGet));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                wakeUntil(b, returned);
            });
            other.start();
            int r = b.lead((s, f, l) -> { }, () -> false, 20_000, started::incrementAndGet, ended::incrementAndGet);
            returned.set(true);
            other.join();
            assertThat(r).isZero();
            assertThat(second.get()).isEqualTo(-1);
            assertThat(started.get()).as("only the leader ran started").isEqualTo(1);
            assertThat(ended.get()).as("and ended").isEqualTo(1);
        }
    }

    /**
     * Calls {@code wakeLeader} until the lead returned (at most 10 s): the leader's selector is opened inside its
     * first lead, after {@code leading()} turns true, and a wakeup before that finds no selector to wake.
     */
    private static void wakeUntil(UdpBearer b, AtomicBoolean returned) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!returned.get() && System.nanoTime() < end) {
            b.wakeLeader();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
