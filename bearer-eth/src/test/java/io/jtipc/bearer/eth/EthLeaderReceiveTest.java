package io.jtipc.bearer.eth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.jtipc.bearer.LabNetns;
import io.jtipc.bearer.LabNetnsExtension;
import io.jtipc.bearer.Media;
import io.jtipc.bearer.ReceiveLock;

/**
 * {@link EthBearer#lead}: an application thread reads the AF_PACKET socket's frames itself, taking turns with the
 * receive thread (issue 14): every frame reaches a handler once and in the order sent, whoever read it; the lead's
 * wait ends on {@link EthBearer#wakeLeader()}, an interrupt and close. Needs root: a namespace with a veth pair.
 */
@Timeout(60)
class EthLeaderReceiveTest {
    static final byte[] MAC_B = EthMedia.parse(LabNetns.MAC_B);
    @RegisterExtension
    static final LabNetnsExtension LAB = LabNetnsExtension.perClass(1500);

    private static byte[] frame(int seq, int len) {
        byte[] f = new byte[len];
        f[0] = (byte) (seq >>> 24);
        f[1] = (byte) (seq >>> 16);
        f[2] = (byte) (seq >>> 8);
        f[3] = (byte) seq;
        return f;
    }

    private static int seqOf(byte[] f) {
        return (f[0] & 0xFF) << 24 | (f[1] & 0xFF) << 16 | (f[2] & 0xFF) << 8 | (f[3] & 0xFF);
    }

    /** Sequence numbers seen by either reader, in handler order (the handlers never run at once: the receive lock). */
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

    @Test
    void leaderAndReceiveThreadHandOverEveryFrameOnceInOrder() throws Exception {
        try (EthBearer a = EthBearer.open(LAB.name(), "va"); EthBearer b = EthBearer.open(LAB.name(), "vb")) {
            Seen seen = new Seen();
            b.start(seen.handler(), null);
            int total = 3000;
            Thread sender = new Thread(() -> {
                try {
                    for (int i = 0; i < total; i++) {
                        byte[] f = frame(i, 64);
                        while (!a.send(MAC_B, 0, f, 0, f.length)) Thread.onSpinWait();
                        if (i % 64 == 0) Thread.sleep(1); // bursts of up to 64 frames, some batched by recvmmsg
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
                assertThat(b.lead(seen.handler(), () -> seen.count.get() >= want, 100, null, null))
                        .isGreaterThanOrEqualTo(0);
            }
            sender.join();
            assertThat(seen.count.get()).isEqualTo(total);
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < total; i++) expected.add(i);
            assertThat(seen.seqs).as("each frame once, in order").isEqualTo(expected);
            assertThat(seen.byLeader.get()).as("frames read by the leading thread").isGreaterThan(0);
            assertThat(b.framesLed()).isEqualTo(seen.byLeader.get());
            assertThat(seen.byLeader.get()).as("and by the receive thread").isLessThan(total);
        }
    }

    @Test
    void onlyOneLeaderAtATimeAndWakeLeaderEndsItsWait() throws Exception {
        try (EthBearer b = EthBearer.open(LAB.name(), "vb")) {
            b.start((s, f, l) -> { }, null);
            AtomicInteger second = new AtomicInteger(Integer.MIN_VALUE);
            AtomicBoolean returned = new AtomicBoolean();
            AtomicInteger started = new AtomicInteger();
            AtomicInteger ended = new AtomicInteger();
            Thread other = new Thread(() -> {
                try {
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (!b.leading() && System.nanoTime() < end) Thread.sleep(5); // the test thread leads
                    second.set(b.lead((s, f, l) -> { }, () -> false, 10, started::incrementAndGet,
                            ended::incrementAndGet));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                wakeUntil(b, returned);
            });
            other.start();
            long t0 = System.nanoTime();
            int r = b.lead((s, f, l) -> { }, () -> false, 20_000, started::incrementAndGet, ended::incrementAndGet);
            returned.set(true);
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            other.join();
            assertThat(r).as("woken, nothing read").isZero();
            assertThat(waitedMs).as("wakeLeader ended the wait (not its 20 s time-out)").isLessThan(15_000);
            assertThat(second.get()).as("a second thread cannot lead meanwhile").isEqualTo(-1);
            assertThat(started.get()).as("only the leader ran started").isEqualTo(1);
            assertThat(ended.get()).as("and ended").isEqualTo(1);
        }
    }

    @Test
    void aWakeupWhileNoOneWaitsIsNotKeptForTheNextLead() throws Exception {
        try (EthBearer b = EthBearer.open(LAB.name(), "vb")) {
            b.start((s, f, l) -> { }, null);
            b.wakeLeader(); // no leader: nothing written
            // the leader's own wait, as a lead makes it: no wakeup was kept for it (TIMEOUT; READABLE on an EINTR)
            assertThat(b.socket().rx().awaitLead(() -> false, 300)).as("the leader's wait was not woken")
                    .isNotEqualTo(AfPacketSocket.WAKEUP);
            assertThat(b.lead((s, f, l) -> { }, () -> false, 10, null, null)).isZero();
        }
    }

    @Test
    void anInterruptEndsALeadsWaitAndStaysSet() throws Exception {
        try (EthBearer b = EthBearer.open(LAB.name(), "vb")) {
            b.start((s, f, l) -> { }, null);
            Thread leader = Thread.currentThread();
            AtomicBoolean returned = new AtomicBoolean();
            Thread interrupter = new Thread(() -> {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!returned.get() && System.nanoTime() < end) {
                    if (b.leading()) leader.interrupt();
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            interrupter.start();
            long t0 = System.nanoTime();
            int r = b.lead((s, f, l) -> { }, () -> false, 20_000, null, null);
            returned.set(true);
            boolean interrupted = Thread.interrupted();
            interrupter.join();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(15_000);
            assertThat(r).isZero();
            assertThat(interrupted).as("the interrupt flag stays for the caller").isTrue();
            // an interrupt pending at the start ends the wait at once; the next lead without one waits again
            Thread.currentThread().interrupt();
            assertThat(b.lead((s, f, l) -> { }, () -> false, 20_000, null, null)).isZero();
            assertThat(Thread.interrupted()).isTrue();
            assertThat(b.socket().rx().awaitLead(() -> false, 200)).as("no wakeup left behind by the interrupts")
                    .isNotEqualTo(AfPacketSocket.WAKEUP);
            assertThat(b.lead((s, f, l) -> { }, () -> false, 10, null, null)).isZero();
        }
    }

    @Test
    void closeEndsALeadAndNoLeadAfterwards() throws Exception {
        EthBearer b = EthBearer.open(LAB.name(), "vb");
        try {
            b.start((s, f, l) -> { }, null);
            Thread closer = new Thread(() -> {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                try {
                    while (!b.leading() && System.nanoTime() < end) Thread.sleep(5);
                    Thread.sleep(100); // in its poll by now, most likely (either way the lead must end)
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                b.close();
            });
            closer.start();
            long t0 = System.nanoTime();
            int r = b.lead((s, f, l) -> { }, () -> false, 20_000, null, null);
            closer.join();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(15_000);
            assertThat(r).isLessThanOrEqualTo(0);
            assertThat(b.lead((s, f, l) -> { }, () -> false, 10, null, null)).as("closed: cannot lead").isEqualTo(-1);
            assertThat(b.socket().isOpen()).isFalse();
        } finally {
            b.close();
        }
    }

    @Test
    void theReceiveThreadEndsWhenItsSocketIsClosedUnderIt() throws Exception {
        try (EthBearer b = EthBearer.open(LAB.name(), "vb")) {
            b.start((s, f, l) -> { }, null);
            b.socket().close(); // not through the bearer: the thread's next read finds the socket closed
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (b.isReceiving() && System.nanoTime() < end) Thread.sleep(5);
            assertThat(b.isReceiving()).as("the receive thread ended (it does not spin on a closed socket)").isFalse();
            assertThat(b.receiveErrors()).isZero();
        }
    }

    @Test
    void noLeadWithoutAReceiveThread() throws Exception {
        try (EthBearer b = EthBearer.open(LAB.name(), "vb")) {
            assertThat(b.lead((s, f, l) -> { }, () -> false, 10, null, null)).isEqualTo(-1);
        }
    }

    private static ReentrantLock leadLockOf(EthBearer b) throws Exception {
        java.lang.reflect.Field leader = EthBearer.class.getDeclaredField("leader");
        leader.setAccessible(true);
        java.lang.reflect.Field f = io.jtipc.bearer.LeadDriver.class.getDeclaredField("leadLock");
        f.setAccessible(true);
        return (ReentrantLock) f.get(leader.get(b));
    }

    @Test
    void receiveThreadWaitsWithoutSpinningWhileALeaderHoldsTheReceiveLock() throws Exception {
        try (EthBearer a = EthBearer.open(LAB.name(), "va"); EthBearer b = EthBearer.open(LAB.name(), "vb")) {
            Seen seen = new Seen();
            b.start(seen.handler(), null);
            ReentrantLock leadLock = leadLockOf(b);
            // this thread plays a leader handing a frame to a slow core: both locks held, frames queued meanwhile
            leadLock.lock();
            b.socket().rx().lockReceive();
            long busy;
            try {
                for (int i = 0; i < 3; i++) {
                    byte[] f = frame(i, 64);
                    assertThat(a.send(MAC_B, 0, f, 0, f.length)).isTrue();
                }
                Thread.sleep(300);
                busy = b.rxLockBusy();
                assertThat(seen.count.get()).as("nothing handed over while the lock is held").isZero();
            } finally {
                b.socket().rx().unlockReceive();
                leadLock.unlock();
            }
            // 300 ms / RX_LOCK_WAIT_MS = 60 timed waits; a poll-and-retry loop would go round thousands of times
            assertThat(busy).as("receive thread's turns on a held receive lock in 300 ms").isBetween(1L, 199L);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (seen.count.get() < 3 && System.nanoTime() < end) Thread.sleep(1);
            assertThat(seen.seqs).as("every frame once, in order, once the lock is free").containsExactly(0, 1, 2);
        }
    }

    static final int WAIT_WARMUP = 300;
    static final int WAIT_ROUNDS = 1_000;

    /**
     * The receive thread finds the receive lock held by a leader every round and waits for it: the leader's release
     * wakes it (counted by the lock), every frame arrives once and in order, and the waits allocate nothing
     * (the receive thread's bytes over the rounds; rxEpoll, whose readiness wait allocates nothing either).
     */
    @Test
    void aReceiveThreadWaitingForTheLeaderGoesOnWhenItReleasesAndAllocatesNothing() throws Exception {
        try (EthBearer a = EthBearer.open(LAB.name(), "va"); EthBearer b = EthBearer.open(LAB.name(), "vb")) {
            AtomicInteger count = new AtomicInteger();
            AtomicInteger outOfOrder = new AtomicInteger();
            AtomicReference<Thread> rx = new AtomicReference<>();
            b.start((src, frame, len) -> {
                rx.set(Thread.currentThread());
                if (seqOf(frame) != count.get()) outOfOrder.incrementAndGet();
                count.incrementAndGet();
            }, null);
            ReentrantLock leadLock = leadLockOf(b);
            ReceiveLock rxLock = b.socket().rx().receiveLock();
            var tm = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            byte[][] frames = new byte[WAIT_WARMUP + WAIT_ROUNDS][];
            for (int i = 0; i < frames.length; i++) frames[i] = frame(i, 64);
            long before = 0, wakeups = 0, busy = 0;
            for (int i = 0; i < frames.length; i++) {
                if (i == WAIT_WARMUP) {
                    before = tm.getThreadAllocatedBytes(rx.get().getId());
                    wakeups = rxLock.wakeups();
                    busy = b.rxLockBusy();
                }
                // this thread plays a leader handing a frame over: the frame arrives while it holds the lock
                leadLock.lock();
                b.socket().rx().lockReceive();
                try {
                    assertThat(a.send(MAC_B, 0, frames[i], 0, frames[i].length)).isTrue();
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (!rxLock.hasParkedWaiter() && System.nanoTime() < end) Thread.yield();
                    assertThat(rxLock.hasParkedWaiter()).as("receive thread waits for the lock, round %d", i).isTrue();
                } finally {
                    b.socket().rx().unlockReceive();
                    leadLock.unlock();
                }
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (count.get() <= i && System.nanoTime() < end) Thread.yield();
                assertThat(count.get()).as("frames handed over after round %d", i).isEqualTo(i + 1);
            }
            long bytes = tm.getThreadAllocatedBytes(rx.get().getId()) - before;
            System.out.printf("receive thread: %d B over %d contended waits, %d woken by the release%n", bytes,
                WAIT_ROUNDS, rxLock.wakeups() - wakeups);
            assertThat(outOfOrder.get()).isZero();
            assertThat(b.rxLockBusy() - busy).as("turns on a held lock").isGreaterThanOrEqualTo(WAIT_ROUNDS);
            assertThat(rxLock.wakeups() - wakeups).as("waits ended by the leader's release")
                .isGreaterThanOrEqualTo(WAIT_ROUNDS);
            // a queued ReentrantLock wait allocated its node, 32 B or more, every round
            assertThat(bytes).as("receive thread's bytes over %d waits and frames", WAIT_ROUNDS)
                .isLessThan(WAIT_ROUNDS * 4L);
        }
    }

    /** Calls {@code wakeLeader} until the lead returned (at most 10 s): it may not be in its poll yet at the first. */
    private static void wakeUntil(EthBearer b, AtomicBoolean returned) {
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
