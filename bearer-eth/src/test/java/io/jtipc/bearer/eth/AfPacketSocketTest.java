package io.jtipc.bearer.eth;

import static io.jtipc.bearer.eth.AfPacketSocket.TIMEOUT;
import static io.jtipc.bearer.eth.AfPacketSocket.WAKEUP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.jtipc.bearer.LabNetns;
import io.jtipc.bearer.LabNetnsExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real frames over a veth pair inside a network namespace this test creates and deletes. Needs
 * root; skipped with the reason otherwise.
 */
class AfPacketSocketTest {
    static final int MTU = 4000;
    static final int OTHER_ETHERTYPE = 0x88B5; // IEEE 802 local experimental ethertype 1
    static final byte[] MAC_A = EthMedia.parse(LabNetns.MAC_A);
    static final byte[] MAC_B = EthMedia.parse(LabNetns.MAC_B);
    static final byte[] BCAST = EthMedia.broadcastMac();

    @RegisterExtension
    static final LabNetnsExtension LAB = LabNetnsExtension.perClass(MTU);

    AfPacketSocket a;
    AfPacketSocket b;
    final byte[] buf = new byte[AfPacketSocket.MAX_FRAME];
    final byte[] src = new byte[6];
    final Random random = new Random(4711);

    @BeforeEach
    void openSockets() throws IOException {
        a = AfPacketSocket.open(LAB.name(), LabNetns.VA, EthMedia.ETH_P_TIPC);
        b = AfPacketSocket.open(LAB.name(), LabNetns.VB, EthMedia.ETH_P_TIPC);
    }

    @AfterEach
    void closeSockets() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    private byte[] payload(int size) {
        byte[] p = new byte[size];
        random.nextBytes(p);
        return p;
    }

    @Test
    void readsMacMtuFlagsAndIndexOfTheInterfaceInsideTheNamespace() throws IOException {
        assertThat(a.macAddress()).isEqualTo(MAC_A);
        assertThat(b.macAddress()).isEqualTo(MAC_B);
        assertThat(a.mtu()).isEqualTo(MTU);
        assertThat(a.hardwareType()).isEqualTo(AfPacketSocket.ARPHRD_ETHER);
        assertThat(a.isUp()).isTrue();
        assertThat(a.isRunning()).isTrue();
        assertThat(a.flags() & AfPacketSocket.IFF_BROADCAST).isNotZero();
        assertThat(a.interfaceIndex()).isPositive().isNotEqualTo(b.interfaceIndex());
        assertThat(a.interfaceName()).isEqualTo("va");
        assertThat(a.ethertype()).isEqualTo(0x88CA);
        // the MTU is read live from the device
        LAB.ipIn("link", "set", LabNetns.VA, "mtu", "1500");
        try {
            assertThat(a.mtu()).isEqualTo(1500);
        } finally {
            LAB.ipIn("link", "set", LabNetns.VA, "mtu", Integer.toString(MTU));
        }
        assertThat(a.mtu()).isEqualTo(MTU);
    }

    @Test
    void broadcastBothWays() throws IOException {
        byte[] p = payload(76);
        assertThat(a.send(BCAST, p, 0, p.length)).isTrue();
        int n = b.receive(buf, src, 2000);
        assertThat(n).isEqualTo(p.length);
        assertThat(Arrays.copyOf(buf, n)).isEqualTo(p);
        assertThat(src).isEqualTo(MAC_A);
        assertThat(b.lastPacketType()).isEqualTo(AfPacketSocket.PACKET_BROADCAST);

        byte[] q = payload(200);
        assertThat(b.send(BCAST, q, 0, q.length)).isTrue();
        n = a.receive(buf, src, 2000);
        assertThat(Arrays.copyOf(buf, n)).isEqualTo(q);
        assertThat(src).isEqualTo(MAC_B);
        assertThat(a.lastPacketType()).isEqualTo(AfPacketSocket.PACKET_BROADCAST);
    }

    @Test
    void unicastBothWaysAtManySizesUpToTheMtu() throws IOException {
        int[] sizes = {1, 13, 14, 45, 46, 60, 100, 1499, 1500, 1501, MTU - 1, MTU};
        for (int size : sizes) {
            byte[] p = payload(size);
            assertThat(a.send(MAC_B, p, 0, size)).isTrue();
            int n = b.receive(buf, src, 2000);
            assertThat(n).as("a->b size %d", size).isEqualTo(size);
            assertThat(Arrays.copyOf(buf, n)).as("a->b content size %d", size).isEqualTo(p);
            assertThat(src).isEqualTo(MAC_A);
            assertThat(b.lastPacketType()).isEqualTo(AfPacketSocket.PACKET_HOST);

            byte[] q = payload(size);
            assertThat(b.send(MAC_A, q, 0, size)).isTrue();
            n = a.receive(buf, 7, buf.length - 7, src, 0, 2000);
            assertThat(n).as("b->a size %d", size).isEqualTo(size);
            assertThat(Arrays.copyOfRange(buf, 7, 7 + n)).as("b->a content size %d", size).isEqualTo(q);
            assertThat(src).isEqualTo(MAC_B);
        }
    }

    @Test
    void kernelCapturedTipcFramesPassUnchanged() throws IOException {
        List<byte[]> frames = PcapFrames.read(PcapFrames.sample("eth-6.1.pcap"));
        int sent = 0;
        for (byte[] f : frames) {
            if (PcapFrames.ethertype(f) != EthMedia.ETH_P_TIPC || f.length - 14 > MTU) {
                continue;
            }
            int len = f.length - 14;
            byte[] dest = Arrays.copyOfRange(f, 0, 6);
            assertThat(a.send(EthMedia.isBroadcast(dest, 0) ? BCAST : MAC_B, f, 14, len)).isTrue();
            int n = b.receive(buf, src, 2000);
            assertThat(n).isEqualTo(len);
            assertThat(Arrays.copyOf(buf, n)).isEqualTo(Arrays.copyOfRange(f, 14, f.length));
            if (++sent == 200) {
                break;
            }
        }
        assertThat(sent).isEqualTo(200);
    }

    @Test
    void frameOverTheMtuIsRefusedWithAClearMessage() {
        byte[] p = new byte[MTU + 1];
        assertThatThrownBy(() -> a.send(MAC_B, p, 0, p.length))
                .isInstanceOf(AfPacketException.class)
                .hasMessageContaining("frame of 4001 bytes is larger than the MTU of interface va")
                .satisfies(e -> assertThat(((AfPacketException) e).errno()).isEqualTo(90));
    }

    @Test
    void receiveTimesOutAndZeroTimeoutDoesNotWait() throws IOException {
        long t0 = System.nanoTime();
        assertThat(b.receive(buf, src, 200)).isEqualTo(TIMEOUT);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(ms).isBetween(190L, 10_000L);
        assertThat(b.receive(buf, src, 0)).isEqualTo(TIMEOUT);
    }

    @Test
    void ownFramesAreNotEchoedBack() throws IOException {
        byte[] p = payload(64);
        a.send(BCAST, p, 0, p.length);
        assertThat(b.receive(buf, src, 2000)).isEqualTo(64);
        assertThat(a.receive(buf, src, 200)).isEqualTo(TIMEOUT);
    }

    @Test
    void framesOfOtherEthertypesAreNotDelivered() throws IOException {
        try (AfPacketSocket otherA = AfPacketSocket.open(LAB.name(), LabNetns.VA, OTHER_ETHERTYPE);
             AfPacketSocket otherB = AfPacketSocket.open(LAB.name(), LabNetns.VB, OTHER_ETHERTYPE)) {
            byte[] other = payload(100);
            assertThat(otherA.send(MAC_B, other, 0, other.length)).isTrue();
            assertThat(otherA.send(BCAST, other, 0, other.length)).isTrue();
            // the frames did cross the wire: a socket for that ethertype sees both
            assertThat(otherB.receive(buf, src, 2000)).isEqualTo(100);
            assertThat(otherB.receive(buf, src, 2000)).isEqualTo(100);
            assertThat(Arrays.copyOf(buf, 100)).isEqualTo(other);
            // ... and the TIPC socket sees neither
            assertThat(b.receive(buf, src, 300)).isEqualTo(TIMEOUT);
            byte[] tipc = payload(120);
            a.send(MAC_B, tipc, 0, tipc.length);
            assertThat(b.receive(buf, src, 2000)).isEqualTo(120);
            assertThat(Arrays.copyOf(buf, 120)).isEqualTo(tipc);
            assertThat(otherB.receive(buf, src, 200)).isEqualTo(TIMEOUT);
        }
    }

    @Test
    void framesForAnotherHostAreSkippedAndCounted() throws IOException {
        byte[] p = payload(80);
        long before = b.droppedNotForUs();
        a.send(EthMedia.parse("02:00:5e:10:00:99"), p, 0, p.length); // veth delivers it, as PACKET_OTHERHOST
        assertThat(b.receive(buf, src, 300)).isEqualTo(TIMEOUT);
        assertThat(b.droppedNotForUs()).isEqualTo(before + 1);
        // a multicast destination is for us (PACKET_MULTICAST), as in tipc_l2_rcv_msg
        a.send(EthMedia.parse("01:00:5e:00:00:fb"), p, 0, p.length);
        assertThat(b.receive(buf, src, 2000)).isEqualTo(80);
        assertThat(b.lastPacketType()).isEqualTo(AfPacketSocket.PACKET_MULTICAST);
    }

    @Test
    void aQueuedBurstIsReadInBatchesInOrderAndIntact() throws IOException {
        // 3 full batches and a bit, frames for another host and an oversize one among them, all queued before the
        // first receive: every frame for us comes back in order and intact, with about one system call per batch
        int frames = 3 * AfPacketSocket.RX_BATCH + 5;
        java.util.List<byte[]> sent = new java.util.ArrayList<>();
        long otherBefore = b.droppedNotForUs();
        b.setReceiveBufferSize(4 << 20); // the whole burst fits (the kernel default holds ~50 such frames)
        for (int i = 0; i < frames; i++) {
            byte[] p = payload(60 + 37 * i % (MTU - 60));
            p[0] = (byte) i;
            sent.add(p);
            assertThat(a.send(MAC_B, p, 0, p.length)).isTrue();
            if (i % 7 == 3) {
                a.send(EthMedia.parse("02:00:5e:10:00:99"), p, 0, p.length); // PACKET_OTHERHOST: skipped
            }
        }
        long callsBefore = b.receiveSyscalls();
        for (int i = 0; i < frames; i++) {
            int n = b.receive(buf, src, 2000);
            assertThat(n).as("frame %d", i).isEqualTo(sent.get(i).length);
            assertThat(Arrays.copyOf(buf, n)).as("frame %d", i).isEqualTo(sent.get(i));
            assertThat(src).isEqualTo(MAC_A);
        }
        long calls = b.receiveSyscalls() - callsBefore;
        int otherHost = (frames + 3) / 7;
        assertThat(calls).as("system calls for %d frames", frames)
            .isLessThanOrEqualTo((frames + otherHost) / AfPacketSocket.RX_BATCH + 2L);
        assertThat(b.receive(buf, src, 0)).isEqualTo(TIMEOUT); // passes over the last frame for another host
        assertThat(b.droppedNotForUs() - otherBefore).isEqualTo(otherHost);
    }

    @Test
    void queuedFramesLeaveInOneSystemCallPerBatchInOrderAndIntact() throws IOException {
        // a full batch and 9 more (unicast, broadcast, sizes up to the MTU), then a plain send: nothing leaves before a
        // flush or a full batch; then every frame arrives once, in order, intact, for 3 system calls in all
        b.setReceiveBufferSize(4 << 20);
        int frames = AfPacketSocket.TX_BATCH + 9;
        List<byte[]> sent = new java.util.ArrayList<>();
        long callsBefore = a.sendSyscalls();
        long framesBefore = a.framesSent();
        for (int i = 0; i < frames; i++) {
            byte[] p = payload(i == 5 ? MTU : 60 + 53 * i % (MTU - 60));
            p[0] = (byte) i;
            sent.add(p.clone());
            a.queue(i % 10 == 7 ? BCAST : MAC_B, 0, p, 0, p.length);
            if (i == 3) {
                assertThat(b.receive(buf, src, 0)).as("nothing sent before a flush").isEqualTo(TIMEOUT);
            }
            Arrays.fill(p, (byte) 0x55); // the caller's array is free again once queue returns
        }
        assertThat(a.queued()).isEqualTo(9); // the first TX_BATCH went out when the batch was full
        byte[] last = payload(100);
        assertThat(a.send(MAC_B, last, 0, last.length)).isTrue(); // sends what is queued first
        sent.add(last);
        assertThat(a.queued()).isZero();
        assertThat(a.flush()).as("frames sent by the full batch and by send, for the queue").isEqualTo(frames);
        assertThat(a.flush()).isZero();
        for (int i = 0; i < sent.size(); i++) {
            int n = b.receive(buf, src, 2000);
            assertThat(n).as("frame %d", i).isEqualTo(sent.get(i).length);
            assertThat(Arrays.copyOf(buf, n)).as("frame %d", i).isEqualTo(sent.get(i));
            assertThat(src).isEqualTo(MAC_A);
            assertThat(b.lastPacketType()).as("frame %d", i)
                .isEqualTo(i < frames && i % 10 == 7 ? AfPacketSocket.PACKET_BROADCAST : AfPacketSocket.PACKET_HOST);
        }
        assertThat(b.receive(buf, src, 0)).isEqualTo(TIMEOUT);
        assertThat(a.sendSyscalls() - callsBefore).as("sendmmsg, sendmmsg, sendto").isEqualTo(3);
        assertThat(a.framesSent() - framesBefore).isEqualTo(frames + 1);
        assertThat(a.sendDropped()).isZero();
    }

    @Test
    void aFrameOverTheMtuInABatchIsDroppedAloneAndReported() throws IOException {
        byte[] ok = payload(200);
        byte[] big = new byte[MTU + 1];
        a.queue(MAC_B, 0, ok, 0, ok.length);
        a.queue(MAC_B, 0, big, 0, big.length);
        a.queue(MAC_B, 0, ok, 0, 100);
        assertThatThrownBy(() -> a.flush())
                .isInstanceOf(AfPacketException.class)
                .hasMessageContaining("frame of 4001 bytes is larger than the MTU of interface va")
                .satisfies(e -> assertThat(((AfPacketException) e).errno()).isEqualTo(90));
        assertThat(a.queued()).isZero();
        assertThat(a.sendDropped()).isEqualTo(1);
        assertThat(b.receive(buf, src, 2000)).isEqualTo(200);
        assertThat(b.receive(buf, src, 2000)).isEqualTo(100);
        assertThat(b.receive(buf, src, 0)).isEqualTo(TIMEOUT);
    }

    @Test
    void closeSendsWhatIsQueuedAndLaterCallsFailClosed() throws IOException {
        byte[] p = payload(300);
        a.queue(MAC_B, 0, p, 0, p.length);
        a.close();
        assertThat(b.receive(buf, src, 2000)).isEqualTo(300);
        assertThatThrownBy(() -> a.queue(MAC_B, 0, p, 0, p.length)).isInstanceOf(ClosedChannelException.class);
        assertThat(a.flush()).as("nothing queued: no error after close").isZero();
    }

    @Test
    void framesSentByAFullBatchOrByFailedFlushesAreReportedByTheNextFlush() throws IOException {
        b.setReceiveBufferSize(4 << 20);
        byte[] p = payload(100);
        for (int i = 0; i < AfPacketSocket.TX_BATCH + 3; i++) {
            a.queue(MAC_B, 0, p, 0, p.length); // the 65th sends the first 64
        }
        assertThat(a.queued()).isEqualTo(3);
        assertThat(a.flush()).as("64 sent by queue + 3 by this flush").isEqualTo(AfPacketSocket.TX_BATCH + 3);
        assertThat(a.flush()).isZero();
        // a flush that fails still reports its frames that went out, at the next flush
        byte[] big = new byte[MTU + 1];
        a.queue(MAC_B, 0, p, 0, p.length);
        a.queue(MAC_B, 0, big, 0, big.length);
        assertThatThrownBy(() -> a.flush()).isInstanceOf(AfPacketException.class);
        assertThat(a.flush()).isEqualTo(1);
        assertThat(a.flush()).isZero();
        for (int i = 0; i < AfPacketSocket.TX_BATCH + 4; i++) {
            assertThat(b.receive(buf, src, 2000)).as("frame %d", i).isEqualTo(100);
        }
    }

    @Test
    void sendAfterAFailedQueuedFrameSendsItsOwnFrameAndNamesTheEarlierOne() throws IOException {
        byte[] big = new byte[MTU + 1];
        byte[] p = payload(120);
        a.queue(MAC_B, 0, big, 0, big.length);
        assertThatThrownBy(() -> a.send(MAC_B, p, 0, p.length))
                .isInstanceOf(AfPacketException.class)
                .hasMessageContaining("frame of 4001 bytes is larger than the MTU")
                .hasMessageContaining("(an earlier queued frame)");
        assertThat(b.receive(buf, src, 2000)).as("send's own frame went out").isEqualTo(120);
        assertThat(Arrays.copyOf(buf, 120)).isEqualTo(p);
        assertThat(b.receive(buf, src, 0)).isEqualTo(TIMEOUT);
    }

    @Test
    void oneQueuingThreadAndThreeFlushingThreadsDeliverEveryFrameOnceInOrder() throws Exception {
        // queue under a lock (as the core lock), flush from 3 other threads at once (as CoreRunner.flushOutbox after
        // the lock is released): each numbered frame must arrive once, in order; a receiver thread drains b meanwhile
        b.setReceiveBufferSize(8 << 20);
        a.setSendBufferSize(8 << 20);
        int frames = 20_000;
        Object coreLock = new Object();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong flushed = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.ConcurrentLinkedQueue<Throwable> errors = new java.util.concurrent.ConcurrentLinkedQueue<>();
        List<Thread> flushers = new java.util.ArrayList<>();
        for (int f = 0; f < 3; f++) {
            Thread t = new Thread(() -> {
                try {
                    while (!done.get()) {
                        flushed.addAndGet(a.flush());
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }, "flusher-" + f);
            t.start();
            flushers.add(t);
        }
        int[] received = new int[frames];
        int[] got = new int[1];
        Thread rx = new Thread(() -> {
            byte[] rbuf = new byte[AfPacketSocket.MAX_FRAME];
            byte[] rsrc = new byte[6];
            try {
                while (got[0] < frames) {
                    int n = b.receive(rbuf, rsrc, 3000);
                    if (n == TIMEOUT) {
                        return;
                    }
                    received[got[0]++] = java.nio.ByteBuffer.wrap(rbuf, 0, 4).getInt();
                }
            } catch (Throwable e) {
                errors.add(e);
            }
        }, "rx");
        rx.start();
        byte[] p = new byte[64];
        for (int i = 0; i < frames; i++) {
            java.nio.ByteBuffer.wrap(p).putInt(0, i);
            synchronized (coreLock) {
                a.queue(MAC_B, 0, p, 0, p.length);
            }
            if (i % 500 == 499) {
                Thread.sleep(1); // let the receiver keep up: the test is about order, not loss under overload
            }
        }
        done.set(true);
        for (Thread t : flushers) {
            t.join(10_000);
        }
        flushed.addAndGet(a.flush());
        rx.join(20_000);
        assertThat(errors).isEmpty();
        long dropped = a.sendDropped();
        assertThat(a.framesSent() + dropped).isEqualTo(frames);
        assertThat(flushed.get()).as("every frame sent is reported by one flush").isEqualTo(a.framesSent());
        assertThat(dropped).as("no frame dropped by the kernel").isZero();
        assertThat(got[0]).as("frames received").isEqualTo(frames);
        for (int i = 0; i < frames; i++) {
            assertThat(received[i]).as("frame %d", i).isEqualTo(i);
        }
    }

    @Test
    void frameLongerThanTheBufferIsSkippedAndCounted() throws IOException {
        byte[] p = payload(300);
        a.send(MAC_B, p, 0, p.length);
        a.send(MAC_B, p, 0, 50);
        byte[] small = new byte[100];
        assertThat(b.receive(small, 0, small.length, src, 0, 2000)).isEqualTo(50);
        assertThat(b.droppedOversize()).isEqualTo(1);
        assertThat(small).startsWith(Arrays.copyOf(p, 50));
    }

    @Test
    void wakeupEndsAWaitAndAnEarlierWakeupEndsTheNextOne() throws Exception {
        CompletableFuture<Integer> r = CompletableFuture.supplyAsync(() -> {
            try {
                return b.receive(new byte[2000], new byte[6], -1);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(100);
        assertThat(r).isNotDone();
        b.wakeup();
        assertThat(r.get(5, TimeUnit.SECONDS)).isEqualTo(WAKEUP);
        b.wakeup();
        assertThat(b.receive(buf, src, 5000)).isEqualTo(WAKEUP);
        assertThat(b.receive(buf, src, 0)).isEqualTo(TIMEOUT);
    }

    @Test
    void closeWakesABlockedReceiverAndLaterCallsFailClosed() throws Exception {
        CompletableFuture<Integer> r = CompletableFuture.supplyAsync(() -> {
            try {
                return b.receive(new byte[2000], new byte[6], -1);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(100);
        b.close();
        assertThat(r.get(5, TimeUnit.SECONDS)).isEqualTo(WAKEUP);
        assertThat(b.isOpen()).isFalse();
        assertThatThrownBy(() -> b.receive(buf, src, 0)).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> b.send(MAC_A, buf, 0, 10)).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> b.mtu()).isInstanceOf(ClosedChannelException.class);
        b.close(); // idempotent
        b.wakeup(); // no-op
    }

    @Test
    void socketKeepsItsNamespaceAfterTheThreadEnds() throws Exception {
        // the lab's va exists only in the lab; used from this (host-namespace) thread afterwards
        try (AfPacketSocket s = AfPacketSocket.open(LAB.name(), "va", EthMedia.ETH_P_TIPC)) {
            assertThat(s.macAddress()).isEqualTo(EthMedia.parse(LabNetns.MAC_A));
            assertThat(s.mtu()).isEqualTo(MTU);
        }
    }

    @Test
    void unknownInterfaceAndNamespaceGetClearMessages() {
        assertThatThrownBy(() -> AfPacketSocket.open(LAB.name(), "nosuch0", EthMedia.ETH_P_TIPC))
                .isInstanceOf(AfPacketException.class)
                .hasMessageStartingWith("no such interface nosuch0")
                .satisfies(e -> assertThat(((AfPacketException) e).errno()).isEqualTo(19));
        assertThatThrownBy(() -> AfPacketSocket.open(LAB.name(), "a-name-longer-than-15", EthMedia.ETH_P_TIPC))
                .hasMessageStartingWith("no such interface a-name-longer-than-15");
        assertThatThrownBy(() -> AfPacketSocket.open(LAB.name() + "-missing", "va", EthMedia.ETH_P_TIPC))
                .isInstanceOf(AfPacketException.class)
                .hasMessageStartingWith("no such network namespace " + LAB.name() + "-missing")
                .hasMessageContaining("ip netns add");
        assertThatThrownBy(() -> AfPacketSocket.open(LAB.name(), "va", 0x05FF))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void socketOnADownInterfaceReportsItOnceAndWorksWhenItComesUp() throws IOException {
        LAB.ipIn("link", "add", "name", "vc", "type", "veth", "peer", "name", "vd");
        try (AfPacketSocket c = AfPacketSocket.open(LAB.name(), "vc", EthMedia.ETH_P_TIPC)) {
            assertThat(c.isUp()).isFalse();
            assertThatThrownBy(() -> c.receive(buf, src, 2000))
                    .isInstanceOf(AfPacketException.class)
                    .hasMessageStartingWith("interface vc is down");
            LAB.ipIn("link", "set", "vc", "up");
            LAB.ipIn("link", "set", "vd", "up");
            LAB.awaitOperational("vc"); // until then a veth drops what is sent on it (noop qdisc)
            LAB.awaitOperational("vd");
            try (AfPacketSocket d = AfPacketSocket.open(LAB.name(), "vd", EthMedia.ETH_P_TIPC)) {
                byte[] p = payload(99);
                assertThat(d.send(c.macAddress(), p, 0, p.length)).isTrue();
                assertThat(c.receive(buf, src, 2000)).isEqualTo(99);
                assertThat(src).isEqualTo(d.macAddress());
            }
        } finally {
            LAB.ipIn("link", "del", "vc");
        }
    }

    @Test
    void receiveBufferSizeAndKernelDropCounters() throws IOException {
        assertThat(b.setReceiveBufferSize(4096)).isBetween(4096, 3 * 4096);
        assertThat(b.kernelPackets()).isZero();
        byte[] p = payload(1000);
        for (int i = 0; i < 100; i++) {
            a.send(MAC_B, p, 0, p.length);
        }
        long drops = b.kernelDrops();
        assertThat(drops).as("frames that could not fit an 8 kB buffer").isPositive();
        assertThat(b.kernelPackets()).isEqualTo(100);
        int queued = 0;
        while (b.receive(buf, src, 0) == 1000) {
            queued++;
        }
        assertThat(queued + drops).isEqualTo(100);
        assertThat(b.setReceiveBufferSize(1 << 20)).isGreaterThanOrEqualTo(1 << 20);
        assertThat(b.receiveBufferSize()).isGreaterThanOrEqualTo(1 << 20);
    }

    @Test
    void sendAndReceiveAllocateNothingOnTheHeap() throws IOException {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadAllocatedMemorySupported(), "thread allocation counter not supported");
        byte[] p = payload(1000);
        long tid = Thread.currentThread().getId();
        for (int round = 0; round < 2; round++) {
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 5000; i++) {
                a.send(MAC_B, p, 0, p.length);
                if (b.receive(buf, 0, buf.length, src, 0, 2000) != p.length) {
                    throw new AssertionError("frame lost at " + i);
                }
            }
            long allocated = mx.getThreadAllocatedBytes(tid) - before;
            if (round == 1) {
                // 10000 native calls; a per-call allocation would be >= 160 kB
                assertThat(allocated).as("bytes allocated by 5000 send+receive").isLessThan(16_000);
            }
        }
    }

    @Test
    void queueAndFlushAllocateNothingOnTheHeap() throws IOException {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadAllocatedMemorySupported(), "thread allocation counter not supported");
        b.setReceiveBufferSize(4 << 20);
        byte[] p = payload(1000);
        long tid = Thread.currentThread().getId();
        for (int round = 0; round < 2; round++) {
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 500; i++) {
                for (int k = 0; k < 10; k++) {
                    a.queue(MAC_B, 0, p, 0, p.length);
                }
                a.flush();
                for (int k = 0; k < 10; k++) {
                    if (b.receive(buf, 0, buf.length, src, 0, 2000) != p.length) {
                        throw new AssertionError("frame lost at " + i + "/" + k);
                    }
                }
            }
            long allocated = mx.getThreadAllocatedBytes(tid) - before;
            if (round == 1) {
                // 5000 frames queued, 500 flushes: a per-frame allocation would be >= 80 kB
                assertThat(allocated).as("bytes allocated by 5000 queue + 500 flush + 5000 receive").isLessThan(16_000);
            }
        }
    }
}
