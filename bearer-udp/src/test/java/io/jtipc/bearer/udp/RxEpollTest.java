package io.jtipc.bearer.udp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link RxEpoll}: the receive thread's and the leader's wait. Paused (a thread leads), a queued datagram does not end
 * it; resumed, the datagram already queued ends it at once; {@link RxEpoll#wakeup()} ends it without a datagram;
 * exclusive, a datagram ends one wait only.
 */
@Timeout(60)
class RxEpollTest {
    /** Runs {@code e.await()} on a new thread; the latch opens when it returned. */
    private static CountDownLatch awaitOn(RxEpoll e) {
        CountDownLatch done = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            e.await();
            done.countDown();
        }, "rx-epoll-test");
        t.setDaemon(true);
        t.start();
        return done;
    }

    @Test
    void pausedSocketDoesNotWakeTheWaiterAndResumeDoesAtOnce() throws Exception {
        try (DatagramChannel rx = DatagramChannel.open(StandardProtocolFamily.INET);
                DatagramChannel tx = DatagramChannel.open(StandardProtocolFamily.INET)) {
            rx.bind(new InetSocketAddress("127.0.0.1", 0));
            InetSocketAddress bound = (InetSocketAddress) rx.getLocalAddress();
            RxEpoll e = RxEpoll.open(bound, false);
            Assumptions.assumeTrue(e != null, "no procfs descriptor or jnr-ffi here");
            try (e) {
                e.pause();
                CountDownLatch done = awaitOn(e);
                tx.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), bound);
                assertThat(done.await(300, TimeUnit.MILLISECONDS)).as("paused: the datagram does not wake it").isFalse();
                e.resume();
                assertThat(done.await(10, TimeUnit.SECONDS)).as("resumed with a datagram queued: woken").isTrue();
                // level-triggered: still queued, a new wait returns at once; read it, then only wakeup ends a wait
                assertThat(awaitOn(e).await(10, TimeUnit.SECONDS)).isTrue();
                ByteBuffer b = ByteBuffer.allocate(16);
                rx.receive(b);
                assertThat(b.position()).isEqualTo(3);
                CountDownLatch idle = awaitOn(e);
                assertThat(idle.await(300, TimeUnit.MILLISECONDS)).as("nothing queued: it waits").isFalse();
                e.wakeup();
                assertThat(idle.await(10, TimeUnit.SECONDS)).as("wakeup ends the wait").isTrue();
            }
        }
    }

    @Test
    void closeWaitsUntilTheReceiveThreadLeftItsWait() throws Exception {
        try (DatagramChannel rx = DatagramChannel.open(StandardProtocolFamily.INET)) {
            rx.bind(new InetSocketAddress("127.0.0.1", 0));
            RxEpoll e = RxEpoll.open((InetSocketAddress) rx.getLocalAddress(), false);
            Assumptions.assumeTrue(e != null, "no procfs descriptor or jnr-ffi here");
            CountDownLatch done = awaitOn(e);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (e.users() == 0 && System.nanoTime() < end) Thread.sleep(1); // the thread is in epoll_wait
            assertThat(e.users()).as("waiting in epoll_wait").isEqualTo(1);
            e.close();
            // close returned only after the waiter left its native call: its descriptors are closed unused
            assertThat(e.users()).as("no thread inside a native call once close returned").isZero();
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            e.await(); // closed: returns at once, touches no descriptor
            e.wakeup();
            assertThat(e.users()).isZero();
        }
    }

    /**
     * Exclusive mode, two instances on one socket as the UDP bearer opens them (the leader's first): a datagram wakes
     * the first instance that has a waiter and not the second; with no waiter on the first, it wakes the second.
     * {@link RxEpoll#readable()} follows the socket's queue.
     */
    @Test
    void exclusiveWakesTheFirstWaitingInstanceOnly() throws Exception {
        try (DatagramChannel rx = DatagramChannel.open(StandardProtocolFamily.INET);
                DatagramChannel tx = DatagramChannel.open(StandardProtocolFamily.INET)) {
            rx.bind(new InetSocketAddress("127.0.0.1", 0));
            InetSocketAddress bound = (InetSocketAddress) rx.getLocalAddress();
            RxEpoll first = RxEpoll.open(bound, true);
            Assumptions.assumeTrue(first != null, "no procfs descriptor or jnr-ffi here");
            RxEpoll second = RxEpoll.open(bound, true);
            try (first; second) {
                assertThat(first.exclusive()).isTrue();
                assertThat(first.readable()).as("nothing queued").isFalse();
                CountDownLatch one = awaitOn(first);
                CountDownLatch two = awaitOn(second);
                waitUntilIn(first, 1);
                waitUntilIn(second, 2);
                tx.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), bound);
                assertThat(one.await(10, TimeUnit.SECONDS)).as("the first waiting instance is woken").isTrue();
                assertThat(two.await(300, TimeUnit.MILLISECONDS)).as("the second is not").isFalse();
                assertThat(first.readable()).as("the datagram is still queued").isTrue();
                ByteBuffer b = ByteBuffer.allocate(16);
                rx.receive(b);
                assertThat(first.readable()).isFalse();
                // the first has no waiter now: the next datagram goes to the second
                tx.send(ByteBuffer.wrap(new byte[] {4}), bound);
                assertThat(two.await(10, TimeUnit.SECONDS)).as("no waiter on the first: the second is woken").isTrue();
            }
        }
    }

    /**
     * Waits (up to 10 s) until a thread is inside {@code e}'s native wait, then until {@code waiters} threads of this
     * process named "rx-epoll-test" sleep in epoll ({@code /proc/self/task/T/wchan}; where wchan is hidden, state S and
     * 50 ms more; where thread names are not shown, 50 ms).
     */
    private static void waitUntilIn(RxEpoll e, int waiters) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (e.users() == 0 && System.nanoTime() < end) Thread.sleep(1);
        assertThat(e.users()).isEqualTo(1);
        while (System.nanoTime() < end) {
            int asleep = 0, named = 0;
            boolean wchanKnown = true;
            try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
                for (java.nio.file.Path t : (Iterable<java.nio.file.Path>) tasks::iterator) {
                    String comm, stat, wchan;
                    try {
                        comm = java.nio.file.Files.readString(t.resolve("comm")).trim();
                        if (!comm.equals("rx-epoll-test")) continue;
                        stat = java.nio.file.Files.readString(t.resolve("stat"));
                        wchan = java.nio.file.Files.readString(t.resolve("wchan")).trim();
                    } catch (java.io.IOException gone) {
                        continue; // a thread that ended meanwhile
                    }
                    named++;
                    boolean sleeping = stat.substring(stat.lastIndexOf(')') + 2).startsWith("S");
                    if (wchan.isEmpty() || wchan.equals("0")) wchanKnown = false;
                    if (sleeping && (!wchanKnown || wchan.contains("epoll") || wchan.contains("ep_poll"))) asleep++;
                }
            }
            if (named < waiters) { // thread names not shown here: the users count and 50 ms more
                Thread.sleep(50);
                return;
            }
            if (asleep >= waiters) {
                if (!wchanKnown) Thread.sleep(50);
                return;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("the waiting threads did not fall asleep in epoll_wait within 10 s");
    }

    @Test
    void ipv6IsNotHandled() throws Exception {
        assertThat(RxEpoll.open(new InetSocketAddress("::1", 9), false)).isNull();
    }
}
