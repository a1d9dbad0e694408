package io.jtipc.bearer.udp;

import static io.jtipc.bearer.udp.TestSupport.data;
import static io.jtipc.bearer.udp.TestSupport.frame;
import static io.jtipc.bearer.udp.TestSupport.sa;
import static io.jtipc.bearer.udp.TestSupport.seqOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jtipc.wire.FragmentAssembler;
import io.jtipc.wire.MediaAddress;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

@Timeout(60)
class UdpBearerTest {
    private final byte[] rx = new byte[UdpBearer.MAX_FRAME];
    private final byte[] src = new byte[UdpMedia.UDP_ADDR_SIZE];

    /** Polls {@code b} for up to 5 s and returns the frame (copied); fails on timeout. */
    private byte[] receive(UdpBearer b) throws IOException {
        int n = b.poll(rx, 0, rx.length, src, 0, 5000);
        assertThat(n).as("frame on " + b.name()).isGreaterThanOrEqualTo(0);
        return Arrays.copyOf(rx, n);
    }

    private static UdpBearer[] replicastPair(String ipA, String ipB) throws IOException {
        return TestSupport.openPair(
                p -> UdpBearerConfig.local(sa(ipA, p)).name("a").replicast(sa(ipB, p)),
                p -> UdpBearerConfig.local(sa(ipB, p)).name("b").replicast(sa(ipA, p)));
    }

    @Test
    void replicastPairOnTwoLoopbackAddressesExchangesFramesBothWays() throws Exception {
        UdpBearer[] ab = replicastPair("127.0.0.1", "127.0.0.2");
        try (UdpBearer a = ab[0]; UdpBearer b = ab[1]) {
            assertThat(a.localAddress().getPort()).isEqualTo(b.localAddress().getPort());
            assertThat(a.name()).isEqualTo("udp:a");
            assertThat(a.isMulticast()).isFalse();
            assertThat(a.isIpv6()).isFalse();
            assertThat(a.mtu()).isEqualTo(14000);
            assertThat(a.peers()).containsExactly(b.localAddress());
            assertThat(UdpMedia.socketAddress(a.address(), 0)).isEqualTo(a.localAddress());
            int seq = 0;
            for (int size : new int[] {1, 24, 100, 1500, 9000, 14000, UdpMedia.MAX_PAYLOAD_IPV4}) {
                // a -> b to b's media address (what b's discovery advertises)
                byte[] f = data(seq++, size);
                assertThat(a.send(b.address(), 0, f, 0, f.length)).isTrue();
                assertThat(receive(b)).as("a->b " + size).isEqualTo(f);
                assertThat(src).isEqualTo(a.address());
                assertThat(b.lastSource()).isEqualTo(a.localAddress());
                // b -> a, replying to the media address the frame came from
                byte[] g = data(seq++, size);
                byte[] replyTo = src.clone();
                assertThat(b.send(replyTo, 0, g, 0, g.length)).isTrue();
                assertThat(receive(a)).as("b->a " + size).isEqualTo(g);
                assertThat(src).isEqualTo(b.address());
            }
            // EthBearer-shaped overloads (Media's): media address at offset 0
            byte[] e = data(seq++, 77);
            assertThat(a.send(b.address(), e, 0, e.length)).isTrue();
            assertThat(b.poll(rx, 0, rx.length, src, 5000)).isEqualTo(77);
            assertThat(Arrays.copyOf(rx, 77)).isEqualTo(e);
            assertThat(src).isEqualTo(a.address());
            // broadcast = one copy per replicast peer
            byte[] d = frame(Tipc.LINK_CONFIG, 99, 60);
            assertThat(a.broadcast(d, 0, d.length)).isTrue();
            assertThat(receive(b)).isEqualTo(d);
            assertThat(a.framesSent()).isEqualTo(9);
            assertThat(b.framesReceived()).isEqualTo(9);
            assertThat(a.sendsDropped()).isZero();
        }
    }

    @Test
    void largestTipcMessageCrossesAsFragmentsOfTheBearerMtu() throws Exception {
        // 66060 bytes = MAX_H_SIZE + TIPC_MAX_USER_MSG_SIZE: more than one UDP datagram holds, so the
        // link fragments it to the bearer MTU (14000) as the kernel does; the bearer carries the fragments.
        byte[] whole = new byte[Tipc.MAX_MSG_SIZE];
        new java.util.Random(7).nextBytes(whole);
        new TipcMsg().wrap(whole, 0, whole.length).init(0x1001001, 0, Tipc.TIPC_NAMED_MSG, Tipc.MAX_H_SIZE, 0x1001002)
                .setSize(whole.length);
        assertThat(whole.length).isEqualTo(66060);
        UdpBearer[] ab = replicastPair("127.0.0.1", "127.0.0.2");
        try (UdpBearer a = ab[0]; UdpBearer b = ab[1]) {
            for (UdpBearer[] dir : new UdpBearer[][] {{a, b}, {b, a}}) {
                List<byte[]> frags = fragment(whole, dir[0].mtu());
                assertThat(frags).hasSize(5);
                assertThat(frags.get(0).length).isEqualTo(14000);
                FragmentAssembler<String> asm = new FragmentAssembler<>(1);
                FragmentAssembler.Result r = null;
                for (byte[] f : frags) {
                    assertThat(dir[0].send(dir[1].address(), 0, f, 0, f.length)).isTrue();
                    byte[] got = receive(dir[1]);
                    r = asm.append("link", got, 0, got.length);
                    assertThat(r.status()).as("%s", r.malformation()).isNotEqualTo(FragmentAssembler.Status.ERROR);
                }
                assertThat(r.status()).isEqualTo(FragmentAssembler.Status.COMPLETE);
                assertThat(r.message()).isEqualTo(whole);
            }
            // the whole message as one datagram: refused in plain words
            assertThatThrownBy(() -> a.send(b.address(), 0, whole, 0, whole.length))
                    .isInstanceOfSatisfying(UdpBearerException.class,
                            e -> assertThat(e.reason()).isEqualTo(UdpBearerException.Reason.FRAME_TOO_LARGE))
                    .hasMessage("frame of 66060 bytes does not fit one UDP datagram over IPv4 (at most 65507 bytes; "
                            + "the bearer MTU is 14000, larger messages are fragmented by the link)");
        }
    }

    /** MSG_FRAGMENTER fragments of at most {@code mtu} bytes (INT_H_SIZE header each), as tipc_msg_build cuts them. */
    static List<byte[]> fragment(byte[] whole, int mtu) {
        int per = mtu - Tipc.INT_H_SIZE;
        List<byte[]> out = new ArrayList<>();
        int no = 1;
        for (int pos = 0; pos < whole.length; pos += per, no++) {
            int n = Math.min(per, whole.length - pos);
            int type = pos == 0 ? Tipc.FIRST_FRAGMENT : pos + n == whole.length ? Tipc.LAST_FRAGMENT : Tipc.FRAGMENT;
            byte[] f = new byte[Tipc.INT_H_SIZE + n];
            new TipcMsg().wrap(f, 0, f.length).init(0x1001001, Tipc.MSG_FRAGMENTER, type, Tipc.INT_H_SIZE, 0x1001002)
                    .setSize(f.length).setFragmNo(no);
            System.arraycopy(whole, pos, f, Tipc.INT_H_SIZE, n);
            out.add(f);
        }
        return out;
    }

    @Test
    void ipv6OnLoopback() throws Exception {
        try (UdpBearer a = TestSupport.openRetrying(p -> UdpBearerConfig.local(sa("::1", p)).replicast());
                UdpBearer b = TestSupport.openRetrying(p -> UdpBearerConfig.local("[::1]:" + p)
                        .replicast(a.localAddress()))) {
            assertThat(a.addPeer(b.localAddress())).isTrue();
            assertThat(a.isIpv6()).isTrue();
            assertThat(a.mtu()).isEqualTo(1280);
            MediaAddress m = new MediaAddress().wrap(UdpMedia.addrToMsg(a.address()), 0);
            assertThat(m.udpProto()).isEqualTo(MediaAddress.UDP_PROTO_IPV6);
            assertThat(m.udpPort()).isEqualTo(a.localAddress().getPort());
            assertThat(m.ipString()).isEqualTo("0:0:0:0:0:0:0:1");
            assertThat(a.name()).isEqualTo("udp:u" + a.localAddress().getPort());
            int seq = 0;
            for (int size : new int[] {1, 1280, 14000, UdpMedia.MAX_PAYLOAD_IPV6}) {
                byte[] f = data(seq++, size);
                assertThat(a.send(b.address(), 0, f, 0, f.length)).isTrue();
                assertThat(receive(b)).isEqualTo(f);
                assertThat(src).isEqualTo(a.address());
                byte[] g = data(seq++, size);
                assertThat(b.broadcast(g, 0, g.length)).isTrue();
                assertThat(receive(a)).isEqualTo(g);
                assertThat(src).isEqualTo(b.address());
            }
            // an IPv4 destination cannot be reached from an IPv6 bearer
            byte[] f = data(1, 10);
            long failedBefore = a.sendsFailed();
            assertThatThrownBy(() -> a.send(UdpMedia.mediaAddr(sa("127.0.0.1", 9)), 0, f, 0, f.length))
                    .isInstanceOfSatisfying(UdpBearerException.class,
                            e -> assertThat(e.reason()).isEqualTo(UdpBearerException.Reason.SEND_FAILED))
                    .hasMessageContaining("cannot send to 127.0.0.1:9 from IPv6 bearer");
            assertThat(a.sendsFailed()).as("the refused frame is counted").isEqualTo(failedBefore + 1);
        }
    }

    /** Collects the sequence numbers a bearer's receive thread sees. */
    private static final class Sink {
        final ConcurrentLinkedQueue<Integer> seqs = new ConcurrentLinkedQueue<>();
        final AtomicInteger bad = new AtomicInteger();

        void attach(UdpBearer b) {
            b.start((srcMedia, frame, len) -> {
                byte[] f = Arrays.copyOf(frame, len);
                int s = seqOf(f);
                if (Arrays.equals(f, data(s, len))) {
                    seqs.add(s);
                } else {
                    bad.incrementAndGet();
                }
            }, null);
        }

        List<Integer> sorted() {
            List<Integer> l = new ArrayList<>(seqs);
            l.sort(null);
            return l;
        }
    }

    @Test
    void replicastPeersAddedAndRemovedWhileTrafficFlows() throws Exception {
        final int n = 3000;
        UdpBearer[] ab = replicastPair("127.0.0.1", "127.0.0.2");
        int p = ab[0].localAddress().getPort();
        UdpBearer a = ab[0];
        UdpBearer b = ab[1];
        try (a; b; UdpBearer c = UdpBearer.open(UdpBearerConfig.local(sa("127.0.0.3", p)).replicast());
                UdpBearer d = UdpBearer.open(UdpBearerConfig.local(sa("127.0.0.4", p)).replicast())) {
            assertThat(a.addPeer(c.localAddress())).isTrue();
            assertThat(a.addPeer(c.localAddress())).as("already a peer").isFalse();
            Sink sb = new Sink();
            Sink sc = new Sink();
            Sink sd = new Sink();
            sb.attach(b);
            sc.attach(c);
            sd.attach(d);
            AtomicInteger progress = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread sender = new Thread(() -> {
                try {
                    for (int s = 0; s < n; s++) {
                        byte[] f = data(s, 200);
                        if (!a.broadcast(f, 0, f.length)) {
                            throw new AssertionError("send buffer full at " + s);
                        }
                        progress.set(s + 1);
                        if (s % 5 == 4) {
                            Thread.sleep(1);
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "test-sender");
            sender.start();
            // the peer list changes on this thread while the sender broadcasts
            // a change made while frame k is in flight takes effect at frame k or k+1: frames
            // sent before the call see the old list, frames started after it returned the new one
            await(() -> progress.get() >= n / 4);
            int removeFrom = progress.get();
            assertThat(a.removePeer(c.localAddress())).isTrue();
            int removedAt = progress.get();
            await(() -> progress.get() >= removedAt + n / 5);
            int dFrom = progress.get();
            assertThat(a.addPeer(d.localAddress())).isTrue();
            int dAddedAt = progress.get();
            await(() -> progress.get() >= dAddedAt + n / 5);
            int cFrom = progress.get();
            assertThat(a.addPeer(c.localAddress())).isTrue();
            int cBackAt = progress.get();
            sender.join(30_000);
            assertThat(failure.get()).isNull();
            assertThat(cBackAt).as("traffic still flowing when the last peer came back").isLessThan(n);
            assertThat(a.peers()).containsExactly(b.localAddress(), d.localAddress(), c.localAddress());
            await(() -> sb.seqs.size() >= n && sc.seqs.contains(n - 1) && sd.seqs.contains(n - 1));
            Thread.sleep(50);

            // b was never touched: everything, in full
            assertThat(sb.sorted()).hasSize(n).isEqualTo(range(0, n));
            // c: a head, a gap while removed, then the tail
            List<Integer> cs = sc.sorted();
            int gapStart = firstGap(cs);
            assertThat(gapStart).isBetween(removeFrom, removedAt + 1);
            int tailStart = cs.get(gapStart);
            assertThat(tailStart).isBetween(cFrom, cBackAt + 1);
            assertThat(cs).isEqualTo(concat(range(0, gapStart), range(tailStart, n)));
            // d: only what came after it was added
            List<Integer> ds = sd.sorted();
            assertThat(ds.get(0)).isBetween(dFrom, dAddedAt + 1);
            assertThat(ds).isEqualTo(range(ds.get(0), n));
            assertThat(sb.bad.get() + sc.bad.get() + sd.bad.get()).isZero();
            assertThat(a.removePeer(sa("127.0.0.9", p))).isFalse();
        }
    }

    private static int firstGap(List<Integer> sorted) {
        for (int i = 0; i < sorted.size(); i++) {
            if (sorted.get(i) != i) {
                return i;
            }
        }
        throw new AssertionError("no gap in " + sorted.size() + " frames");
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> l = new ArrayList<>();
        for (int i = from; i < to; i++) {
            l.add(i);
        }
        return l;
    }

    private static List<Integer> concat(List<Integer> x, List<Integer> y) {
        List<Integer> l = new ArrayList<>(x);
        l.addAll(y);
        return l;
    }

    private static void await(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not reached in 20 s");
            }
            Thread.sleep(1);
        }
    }

    @Test
    void replicastPeersAreLearntFromDiscoveryOnly() throws Exception {
        UdpBearer[] ab = TestSupport.openPair(
                p -> UdpBearerConfig.local(sa("127.0.0.1", p)).replicast(sa("127.0.0.2", p)),
                p -> UdpBearerConfig.local(sa("127.0.0.2", p)).replicast());
        try (UdpBearer a = ab[0]; UdpBearer b = ab[1]) {
            assertThat(b.peers()).isEmpty();
            byte[] nothing = data(1, 40);
            assertThat(b.broadcast(nothing, 0, nothing.length)).as("no peers: nothing to do").isTrue();
            // a data frame teaches nothing
            a.broadcast(nothing, 0, nothing.length);
            assertThat(receive(b)).isEqualTo(nothing);
            assertThat(b.peers()).isEmpty();
            // a discovery (LINK_CONFIG) frame from an unknown source adds it: tipc_udp_rcast_disc
            byte[] disc = TestSupport.discovery(4711, 2);
            a.broadcast(disc, 0, disc.length);
            assertThat(receive(b)).isEqualTo(disc);
            assertThat(b.peers()).containsExactly(a.localAddress());
            assertThat(b.peersLearnt()).isEqualTo(1);
            a.broadcast(disc, 0, disc.length);
            receive(b);
            assertThat(b.peersLearnt()).as("known peers are not added twice").isEqualTo(1);
            // now b's broadcasts reach a
            byte[] back = frame(Tipc.LINK_CONFIG, 3, 60);
            b.broadcast(back, 0, back.length);
            assertThat(receive(a)).isEqualTo(back);
        }
        // learning switched off
        UdpBearer[] cd = TestSupport.openPair(
                p -> UdpBearerConfig.local(sa("127.0.0.1", p)).replicast(sa("127.0.0.2", p)),
                p -> UdpBearerConfig.local(sa("127.0.0.2", p)).replicast().learnPeers(false));
        try (UdpBearer c = cd[0]; UdpBearer d = cd[1]) {
            byte[] disc = TestSupport.discovery(4711, 4);
            c.broadcast(disc, 0, disc.length);
            assertThat(receive(d)).isEqualTo(disc);
            assertThat(d.peers()).isEmpty();
        }
    }

    @Test
    void pollTimesOutWakesUpAndTruncates() throws Exception {
        UdpBearer[] ab = replicastPair("127.0.0.1", "127.0.0.2");
        try (UdpBearer a = ab[0]; UdpBearer b = ab[1]) {
            assertThat(b.poll(rx, 0, rx.length, src, 0, 0)).isEqualTo(UdpBearer.TIMEOUT);
            long t0 = System.nanoTime();
            assertThat(b.poll(rx, 0, rx.length, src, 0, 150)).isEqualTo(UdpBearer.TIMEOUT);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(140);
            // a wakeup from another thread ends an unlimited wait
            CountDownLatch waiting = new CountDownLatch(1);
            Thread w = new Thread(() -> {
                try {
                    waiting.await();
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
                b.wakeup();
            });
            w.start();
            waiting.countDown();
            assertThat(b.poll(rx, 0, rx.length, src, 0, -1)).isEqualTo(UdpBearer.WAKEUP);
            w.join();
            // a wakeup while nobody waits is kept for the next poll that finds nothing
            b.wakeup();
            byte[] f = data(5, 300);
            a.send(b.address(), 0, f, 0, f.length);
            assertThat(receive(b)).as("frames come before the pending wakeup").isEqualTo(f);
            assertThat(b.poll(rx, 0, rx.length, src, 0, 1000)).isEqualTo(UdpBearer.WAKEUP);
            // a short buffer gets the head of the datagram; src may be null
            a.send(b.address(), 0, f, 0, f.length);
            byte[] small = new byte[100];
            assertThat(b.poll(small, 0, 100, null, 0, 5000)).isEqualTo(100);
            assertThat(small).isEqualTo(Arrays.copyOf(f, 100));
            assertThat(b.truncatedFrames()).isEqualTo(1);
        }
    }

    @Test
    void receiveThreadDeliversSurvivesHandlerFailuresAndStopsOnClose() throws Exception {
        UdpBearer[] ab = replicastPair("127.0.0.1", "127.0.0.2");
        UdpBearer a = ab[0];
        UdpBearer b = ab[1];
        try (a) {
            ConcurrentLinkedQueue<byte[]> got = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<byte[]> sources = new ConcurrentLinkedQueue<>();
            b.start((srcMedia, frame, len) -> {
                byte[] f = Arrays.copyOf(frame, len);
                if (seqOf(f) == 3) {
                    throw new IllegalStateException("handler bug on purpose");
                }
                got.add(f);
                sources.add(srcMedia.clone());
            }, null);
            assertThat(b.isReceiving()).isTrue();
            assertThatThrownBy(() -> b.start((s, f, l) -> { }, null)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("bearer udp:b already started");
            assertThatThrownBy(() -> b.poll(rx, 0, rx.length, src, 0, 0)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("bearer udp:b has a receive thread; poll() is for event loops");
            for (int s = 0; s < 10; s++) {
                byte[] f = data(s, 1000 + s);
                a.send(b.address(), 0, f, 0, f.length);
            }
            await(() -> got.size() == 9);
            assertThat(got).allSatisfy(f -> assertThat(f).isEqualTo(data(seqOf(f), f.length)));
            assertThat(sources).allSatisfy(s -> assertThat(s).isEqualTo(a.address()));
            assertThat(b.handlerFailures()).isEqualTo(1);
            b.close();
            assertThat(b.isReceiving()).isFalse();
            assertThat(b.isOpen()).isFalse();
            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("jtipc-udp-rx-b"));
            b.close(); // idempotent
            byte[] f = data(1, 10);
            assertThatThrownBy(() -> b.send(a.address(), 0, f, 0, f.length))
                    .isInstanceOfSatisfying(UdpBearerException.class,
                            e -> assertThat(e.reason()).isEqualTo(UdpBearerException.Reason.CLOSED))
                    .hasMessage("bearer udp:b is closed");
            // the port is free again
            try (UdpBearer again = UdpBearer.open(UdpBearerConfig.local(b.localAddress()).replicast())) {
                assertThat(again.localAddress()).isEqualTo(b.localAddress());
            }
        }
        // poll on a closed bearer and close from inside a handler
        UdpBearer[] cd = replicastPair("127.0.0.1", "127.0.0.2");
        UdpBearer c = cd[0];
        UdpBearer d = cd[1];
        c.close();
        assertThat(c.poll(rx, 0, rx.length, src, 0, -1)).isEqualTo(UdpBearer.WAKEUP);
        CountDownLatch closedInHandler = new CountDownLatch(1);
        d.start((s, fr, len) -> {
            d.close();
            closedInHandler.countDown();
        }, null);
        try (UdpBearer e = UdpBearer.open(UdpBearerConfig.local(sa("127.0.0.5", 0)).replicast())) {
            byte[] f = data(1, 10);
            e.send(d.address(), 0, f, 0, f.length);
            assertThat(closedInHandler.await(5, TimeUnit.SECONDS)).isTrue();
            await(() -> !d.isReceiving());
        }
    }

    @Test
    void errorsAreInPlainWords() throws Exception {
        // 192.0.2.1 (TEST-NET-1) is on no interface: binding it fails, nothing is sent
        assertThatThrownBy(() -> UdpBearer.open(UdpBearerConfig.local("192.0.2.1:6118")))
                .isInstanceOfSatisfying(UdpBearerException.class,
                        e -> assertThat(e.reason()).isEqualTo(UdpBearerException.Reason.ADDRESS_NOT_LOCAL))
                .hasMessage("192.0.2.1 is not an address of this host (in this network namespace)");
        assertThatThrownBy(() -> UdpBearer.open(UdpBearerConfig.local("192.0.2.1:6118").replicast()))
                .hasMessage("192.0.2.1 is not an address of this host (in this network namespace)");
        // port in use
        try (DatagramChannel squatter = DatagramChannel.open().bind(sa("127.0.0.1", 0))) {
            int p = ((InetSocketAddress) squatter.getLocalAddress()).getPort();
            assertThatThrownBy(() -> UdpBearer.open(UdpBearerConfig.local(sa("127.0.0.1", p)).replicast()))
                    .isInstanceOfSatisfying(UdpBearerException.class,
                            e -> assertThat(e.reason()).isEqualTo(UdpBearerException.Reason.PORT_IN_USE))
                    .hasMessage("UDP port " + p + " on 127.0.0.1 is already in use (by another TIPC bearer or program)");
        }
        // configurations the kernel refuses too
        assertThatThrownBy(() -> UdpBearer.open(UdpBearerConfig.local("0.0.0.0:7000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("local IP must be a unicast address of this host, not the wildcard 0.0.0.0");
        assertThatThrownBy(() -> UdpBearer.open(UdpBearerConfig.local("228.0.18.103:7000")))
                .hasMessageStartingWith("local IP 228.0.18.103 is a multicast address");
        assertThatThrownBy(() -> UdpBearer.open(UdpBearerConfig.local("127.0.0.1:7000").multicast(sa("127.0.0.2", 7000))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("multicast group 127.0.0.2:7000 is not a multicast address");
        assertThatThrownBy(() -> UdpBearer.open(UdpBearerConfig.local("127.0.0.1:7000").multicast(sa("ff02::4711", 7000))))
                .hasMessage("local address is IPv4 but multicast group [ff02:0:0:0:0:0:0:4711]:7000 is IPv6; "
                        + "a UDP bearer uses one family");
        assertThatThrownBy(() -> UdpBearer.open(UdpBearerConfig.local("127.0.0.1:7000").replicast(sa("::1", 7000))))
                .hasMessageContaining("but peer [0:0:0:0:0:0:0:1]:7000 is IPv6");
        assertThatThrownBy(() -> UdpBearer.open(UdpBearerConfig.local("[fe80::1]:7000")))
                .hasMessage("IPv6 link-local address fe80:0:0:0:0:0:0:1 needs a scope, e.g. fe80:0:0:0:0:0:0:1%eth0");
        assertThatThrownBy(() -> UdpBearerConfig.local("127.0.0.1").multicast(sa("228.0.0.1", 1)).remote(sa("127.0.0.2", 1)))
                .hasMessage("bearer is configured for multicast group 228.0.0.1:1; cannot add replicast peer 127.0.0.2:1");
        assertThatThrownBy(() -> UdpBearer.open(UdpBearerConfig.local("127.0.0.1:0").name("x".repeat(40))))
                .hasMessageContaining("want 1 to 15 ASCII characters");
        assertThatThrownBy(() -> UdpBearer.open(UdpBearerConfig.local("127.0.0.1:0").mtu(100)))
                .hasMessage("UDP bearer MTU 100 is not in 128..65507");
        assertThatThrownBy(() -> UdpBearer.open(UdpBearerConfig.local("::1").multicastForNetId(12345)))
                .hasMessageContaining("ff02::12345 is not an IPv6 address");

        try (UdpBearer a = UdpBearer.open(UdpBearerConfig.local(sa("127.0.0.1", 0)).replicast())) {
            assertThat(a.localAddress().getPort()).isPositive();
            assertThatThrownBy(() -> a.addPeer(sa("228.0.0.1", 6118))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("replicast peer 228.0.0.1:6118 must be a unicast address");
            assertThatThrownBy(() -> a.addPeer(sa("127.0.0.2", 0))).hasMessage("replicast peer 127.0.0.2:0 has no port");
            // an Ethernet media address (a MAC, zero-padded) is not a udp_media_addr
            byte[] eth = new byte[UdpMedia.UDP_ADDR_SIZE];
            System.arraycopy(new byte[] {0x02, 0x00, 0x5e, 0x10, 0x00, 0x0a}, 0, eth, 0, 6);
            byte[] f = data(1, 10);
            assertThatThrownBy(() -> a.send(eth, 0, f, 0, f.length)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("cannot send to this media address: UDP media address proto 0x200 is neither IPv4 (0x0800) "
                            + "nor IPv6 (0x86dd)");
            a.setMtu(1500);
            assertThat(a.mtu()).isEqualTo(1500);
            assertThatThrownBy(() -> a.setMtu(127)).hasMessage("UDP bearer MTU 127 is not in 128..65507");
        }
        // IPv6: TIPC_MIN_BEARER_MTU 100 + IPv6 40 + UDP 8 (tipc_bearer_min_mtu with udp_media.c's encap_hlen)
        assertThatThrownBy(() -> UdpBearer.open(UdpBearerConfig.local("[::1]:0").replicast().mtu(147)))
                .hasMessage("UDP bearer MTU 147 is not in 148..65527 (IPv6)");
        try (UdpBearer v6 = UdpBearer.open(UdpBearerConfig.local("[::1]:0").replicast().mtu(148))) {
            assertThat(v6.mtu()).isEqualTo(148);
            assertThatThrownBy(() -> v6.setMtu(128)).hasMessage("UDP bearer MTU 128 is not in 148..65527 (IPv6)");
            v6.setMtu(148);
            assertThat(v6.mtu()).isEqualTo(148);
        }
        // unprivileged: ports below net.ipv4.ip_unprivileged_port_start need a capability
        int start = Integer.parseInt(Files.readString(Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start")).trim());
        if (TestSupport.uid() != 0 && start > 1) {
            assertThatThrownBy(() -> UdpBearer.open(UdpBearerConfig.local("127.0.0.1:1").replicast()))
                    .isInstanceOfSatisfying(UdpBearerException.class,
                            e -> assertThat(e.reason()).isEqualTo(UdpBearerException.Reason.SOCKET))
                    .hasMessage("cannot bind UDP port 1 on 127.0.0.1: ports below 1024 need root or CAP_NET_BIND_SERVICE");
        }
    }

    @Test
    void multicastBearerRefusesReplicastPeers() throws Exception {
        UdpBearer m;
        try {
            m = TestSupport.openRetrying(p -> UdpBearerConfig.local(sa("127.0.0.1", p)).multicast(sa("228.0.77.1", p)));
        } catch (UdpBearerException e) {
            Assumptions.assumeTrue(e.reason() != UdpBearerException.Reason.MULTICAST_SETUP,
                    "multicast on lo not available here: " + e.getMessage());
            throw e;
        }
        try (m) {
            assertThat(m.isMulticast()).isTrue();
            assertThat(m.peers()).isEmpty();
            assertThatThrownBy(() -> m.addPeer(sa("127.0.0.2", 6118))).isInstanceOf(IllegalStateException.class)
                    .hasMessage("cannot add replicast peer 127.0.0.2:6118 to multicast bearer " + m.name() + " (group 228.0.77.1:"
                            + m.group().getPort() + ")");
        }
    }

    @Test
    void sendAndPollAllocateNothingPerFrame() throws Exception {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(mx instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter");
        com.sun.management.ThreadMXBean tmx = (com.sun.management.ThreadMXBean) mx;
        UdpBearer[] ab = replicastPair("127.0.0.1", "127.0.0.2");
        try (UdpBearer a = ab[0]; UdpBearer b = ab[1]) {
            byte[] f = data(1, 1400);
            byte[] dst = b.address();
            byte[] back = a.address();
            for (int i = 0; i < 2000; i++) { // warm up (JIT, caches)
                a.send(dst, 0, f, 0, f.length);
                b.poll(rx, 0, rx.length, src, 0, 5000);
                b.broadcast(f, 0, f.length);
                a.poll(rx, 0, rx.length, src, 0, 5000);
            }
            long before = tmx.getThreadAllocatedBytes(Thread.currentThread().getId());
            int frames = 5000;
            for (int i = 0; i < frames; i++) {
                a.send(dst, 0, f, 0, f.length);
                if (b.poll(rx, 0, rx.length, src, 0, 5000) != f.length) {
                    throw new AssertionError("lost frame " + i);
                }
                b.send(back, 0, f, 0, f.length);
                if (a.poll(rx, 0, rx.length, src, 0, 5000) != f.length) {
                    throw new AssertionError("lost reply " + i);
                }
            }
            long allocated = tmx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            assertThat(allocated).as("bytes allocated for %d send+poll pairs each way", frames).isLessThan(64 * 1024);
        }
    }
}
