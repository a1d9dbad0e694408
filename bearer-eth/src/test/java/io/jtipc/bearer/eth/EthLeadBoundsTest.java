package io.jtipc.bearer.eth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.jtipc.bearer.LabNetns;
import io.jtipc.bearer.LabNetnsExtension;
import io.jtipc.bearer.Media;

/**
 * The bounds of {@link EthBearer#lead}: a lead ends at its deadline and on an interrupt while a stream of frames that
 * never makes {@code done} true keeps coming, handing every frame over once and in order; it does not wait without
 * bound for the receive lock; a handler exception costs one frame, not leading; a receive error the kernel returned
 * (ENETDOWN) is reported and counted and leading goes on. No timed assertions: the stream runs until the lead
 * returned, and would only stop on its own after 5 s (asserted not to). Needs root: a namespace with veth pairs.
 */
@Timeout(60)
class EthLeadBoundsTest {
    static final byte[] MAC_B = EthMedia.parse(LabNetns.MAC_B);
    /** Frames sent and not handled yet at most: the socket queue never runs dry nor over (16 MiB receive buffer). */
    static final int IN_FLIGHT = 4096;
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
                    long until = System.nanoTime() + 100_000; // slower than the sender: the queue never runs dry
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
     * A sender keeps {@link #IN_FLIGHT} frames queued until the lead returned (or 5 s passed); this thread leads with
     * {@code done} never true, holding the receive lock already so the receive thread cannot take frames from it. A
     * lead that ignores its deadline (or the interrupt) goes on until the sender gives up after 5 s.
     */
    private static void leadUnderAStream(boolean interrupt) throws Exception {
        try (EthBearer a = EthBearer.open(LAB.name(), "va"); EthBearer b = EthBearer.open(LAB.name(), "vb")) {
            Seen seen = new Seen();
            b.start(seen.handler(), null);
            AtomicBoolean returned = new AtomicBoolean();
            AtomicBoolean senderTimedOut = new AtomicBoolean();
            AtomicInteger sent = new AtomicInteger();
            AtomicInteger sentSoFar = new AtomicInteger();
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
                        byte[] f = frame(i, 64);
                        if (a.send(MAC_B, 0, f, 0, f.length)) sentSoFar.set(++i);
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
            int r;
            b.socket().rx().lockReceive();
            try {
                sender.start();
                // the stream runs before the lead: a full queue, refilled faster than the leader's handler empties it
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (sentSoFar.get() < IN_FLIGHT && System.nanoTime() < end) Thread.sleep(1);
                if (interrupt) interrupter.start();
                r = b.lead(seen.handler(), () -> false, interrupt ? 30_000 : 200, null, null);
                returned.set(true);
            } finally {
                b.socket().rx().unlockReceive();
            }
            boolean flag = Thread.interrupted();
            sender.join();
            if (interrupt) interrupter.join();
            assertThat(senderTimedOut.get()).as("the lead returned while the stream still ran").isFalse();
            assertThat(flag).as("the interrupt flag stays for the caller").isEqualTo(interrupt);
            assertThat(r).as("frames the lead handed over").isEqualTo(seen.byLeader.get());
            assertThat(b.framesLed()).isEqualTo(r);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (seen.count.get() < sent.get() && System.nanoTime() < end) Thread.sleep(1);
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < sent.get(); i++) expected.add(i);
            synchronized (seen.seqs) {
                assertThat(seen.seqs).as("every frame once, in order, the rest by the receive thread")
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void aLeadDoesNotWaitWithoutBoundForAReceiveLockHeldElsewhere() throws Exception {
        try (EthBearer b = EthBearer.open(LAB.name(), "vb")) {
            b.start((s, f, l) -> { }, null);
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean holding = new AtomicBoolean();
            Thread holder = new Thread(() -> { // plays a receive thread handing a frame to a slow core
                b.socket().rx().lockReceive();
                holding.set(true);
                held.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    holding.set(false);
                    b.socket().rx().unlockReceive();
                }
            });
            holder.start();
            held.await();
            try {
                // the deadline ends the attempts
                assertThat(b.lead((s, f, l) -> { }, () -> false, 20, null, null)).isZero();
                assertThat(holding.get()).as("returned while the lock was still held elsewhere").isTrue();
                // done turning true ends them (no time limit on this lead)
                AtomicBoolean done = new AtomicBoolean();
                Thread setter = new Thread(() -> {
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (!b.leading() && System.nanoTime() < end) Thread.onSpinWait();
                    done.set(true);
                });
                setter.start();
                assertThat(b.lead((s, f, l) -> { }, done::get, -1, null, null)).isZero();
                setter.join();
                assertThat(holding.get()).as("returned while the lock was still held elsewhere").isTrue();
                // an interrupt ends them, and stays set
                Thread.currentThread().interrupt();
                assertThat(b.lead((s, f, l) -> { }, () -> false, -1, null, null)).isZero();
                assertThat(Thread.interrupted()).isTrue();
                assertThat(holding.get()).isTrue();
            } finally {
                release.countDown();
                holder.join();
            }
        }
    }

    @Test
    void aHandlerExceptionOnALedFrameIsCountedAndTheNextFrameGoesOn() throws Exception {
        try (EthBearer a = EthBearer.open(LAB.name(), "va"); EthBearer b = EthBearer.open(LAB.name(), "vb")) {
            List<Integer> seqs = new ArrayList<>();
            AtomicInteger byThread = new AtomicInteger();
            b.start((s, f, l) -> {
                synchronized (seqs) {
                    seqs.add(seqOf(f));
                }
                byThread.incrementAndGet();
            }, null);
            AtomicInteger calls = new AtomicInteger();
            Media.FrameHandler failing = (s, f, l) -> {
                calls.incrementAndGet();
                throw new IllegalStateException("core bug on frame " + seqOf(f));
            };
            b.socket().rx().lockReceive(); // the receive thread cannot take them: the leader reads all three
            int r;
            try {
                for (int i = 0; i < 3; i++) {
                    byte[] f = frame(i, 64);
                    assertThat(a.send(MAC_B, 0, f, 0, f.length)).isTrue();
                }
                int got = 0;
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (got < 3 && System.nanoTime() < end) {
                    r = b.lead(failing, () -> false, 100, null, null);
                    assertThat(r).as("leading stays on").isGreaterThanOrEqualTo(0);
                    got += r;
                }
                assertThat(got).isEqualTo(3);
            } finally {
                b.socket().rx().unlockReceive();
            }
            assertThat(calls.get()).as("each frame reached the handler").isEqualTo(3);
            assertThat(b.handlerFailures()).isEqualTo(3);
            byte[] f = frame(3, 64);
            assertThat(a.send(MAC_B, 0, f, 0, f.length)).isTrue();
            List<Integer> led = new ArrayList<>();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (led.isEmpty() && byThread.get() == 0 && System.nanoTime() < end) {
                assertThat(b.lead((s, fr, l) -> led.add(seqOf(fr)), () -> !led.isEmpty(), 100, null, null))
                        .as("still leading after the failures").isGreaterThanOrEqualTo(0);
            }
            List<Integer> all = new ArrayList<>(led);
            synchronized (seqs) {
                all.addAll(seqs);
            }
            assertThat(all).as("the next frame arrives, by the leader or the receive thread").containsExactly(3);
        }
    }

    @Test
    void aReceiveErrorMetByALeaderGoesToOnErrorAndLeadingGoesOnAfterTheInterfaceComesBack() throws Exception {
        LAB.ipIn("link", "add", "name", "vc", "type", "veth", "peer", "name", "vd"); // down: ENETDOWN on receive
        try (EthBearer c = EthBearer.open(LAB.name(), "vc")) {
            BlockingQueue<IOException> errors = new LinkedBlockingQueue<>();
            // this thread holds the receive lock first, so the leader (this thread again) reads the error, not the
            // receive thread
            c.socket().rx().lockReceive();
            int r;
            long counted;
            try {
                c.start((s, f, l) -> { }, errors::add);
                r = c.lead((s, f, l) -> { }, () -> false, 10, null, null);
                counted = c.receiveErrors();
            } finally {
                c.socket().rx().unlockReceive();
            }
            assertThat(r).as("reported, not a lead refused").isZero();
            assertThat(counted).as("counted as the receive thread counts its errors").isEqualTo(1);
            IOException e = errors.poll(5, TimeUnit.SECONDS);
            assertThat(e).isInstanceOf(AfPacketException.class).hasMessageStartingWith("interface vc is down");
            // the flap ends: the same bearer object is led again, and frames arrive through the leader
            LAB.ipIn("link", "set", "vc", "up");
            LAB.ipIn("link", "set", "vd", "up");
            try (EthBearer d = EthBearer.open(LAB.name(), "vd")) {
                byte[] macC = c.address();
                AtomicInteger led = new AtomicInteger();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                c.socket().rx().lockReceive(); // the frames go to the leader only
                try {
                    while (led.get() == 0 && System.nanoTime() < end) {
                        byte[] f = frame(1, 64);
                        try {
                            d.send(macC, 0, f, 0, f.length);
                        } catch (AfPacketException notUpYet) {
                            // carrier not up yet
                        }
                        int n = c.lead((s, f2, l) -> led.incrementAndGet(), () -> led.get() > 0, 50, null, null);
                        if (n < 0) Thread.sleep(5); // paused after the error (20 ms)
                    }
                } finally {
                    c.socket().rx().unlockReceive();
                }
                assertThat(led.get()).as("a frame handed over by a lead after the flap").isPositive();
                assertThat(c.isReceiving()).as("the receive thread goes on").isTrue();
            }
        } finally {
            LAB.ipIn("link", "del", "vc");
        }
    }
}
