package io.jtipc.bearer.udp;

import static io.jtipc.bearer.udp.TestSupport.discovery;
import static io.jtipc.bearer.udp.TestSupport.sa;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jtipc.wire.Tipc;

/** Replicast peer learning: only valid discovery of our net id teaches, within a cap, and learnt peers expire. */
@Timeout(60)
class UdpPeerLearningTest {
    private final byte[] rx = new byte[70_000];
    private final AtomicLong clock = new AtomicLong(1_000_000);

    private UdpBearer open(int maxLearnt, InetSocketAddress... configured) throws IOException {
        return TestSupport.openRetrying(p -> UdpBearerConfig.local(sa("127.0.0.1", p)).replicast(configured)
                .maxLearntPeers(maxLearnt).learntPeerExpiryMs(60_000).clockMs(clock::get));
    }

    private static DatagramChannel sender(String ip) throws IOException {
        DatagramChannel c = DatagramChannel.open();
        c.bind(new InetSocketAddress(ip, 0));
        return c;
    }

    /** Sends {@code f} from {@code c} to {@code b} and lets {@code b} receive it. */
    private void deliver(DatagramChannel c, UdpBearer b, byte[] f) throws IOException {
        c.send(ByteBuffer.wrap(f), b.localAddress());
        int n = b.poll(rx, 0, rx.length, new byte[32], 0, 5000);
        assertThat(n).as("datagram received").isEqualTo(f.length);
    }

    @Test
    void garbageAndForgedDiscoveryTeachNothing() throws Exception {
        try (UdpBearer b = open(64); DatagramChannel c = sender("127.0.0.3")) {
            // first byte says LINK_CONFIG, the rest is random: the old first-byte check learnt from it
            byte[] garbage = new byte[60];
            new Random(7).nextBytes(garbage);
            garbage[0] = (byte) (2 << 5 | Tipc.LINK_CONFIG << 1);
            deliver(c, b, garbage);
            // well-formed but a foreign net id
            deliver(c, b, discovery(1234, 0x1001));
            // valid LINK_CONFIG of our net id but not a request/response (DSC_TRIAL_MSG)
            byte[] trial = discovery(4711, 0x1001);
            trial[4] = (byte) ((trial[4] & 0x1F) | Tipc.DSC_TRIAL_MSG << 5);
            deliver(c, b, trial);
            // version 3, otherwise valid
            byte[] v3 = discovery(4711, 0x1001);
            v3[0] = (byte) ((v3[0] & 0x1F) | 3 << 5);
            deliver(c, b, v3);
            // msg_size larger than the datagram
            byte[] cut = java.util.Arrays.copyOf(discovery(4711, 0x1001), 40);
            deliver(c, b, cut);
            assertThat(b.peers()).isEmpty();
            assertThat(b.peersLearnt()).isZero();
            // the same source with a valid discovery of net id 4711 is learnt
            deliver(c, b, discovery(4711, 0x1001));
            assertThat(b.peers()).containsExactly((InetSocketAddress) c.getLocalAddress());
            assertThat(b.peersLearnt()).isEqualTo(1);
        }
    }

    @Test
    void netIdComesFromTheConfig() throws Exception {
        try (UdpBearer b = TestSupport.openRetrying(p -> UdpBearerConfig.local(sa("127.0.0.1", p)).replicast()
                .netId(1234));
                DatagramChannel c = sender("127.0.0.3")) {
            deliver(c, b, discovery(4711, 0x1001));
            assertThat(b.peers()).isEmpty();
            deliver(c, b, discovery(1234, 0x1001));
            assertThat(b.peers()).hasSize(1);
        }
    }

    @Test
    void learntPeersAreCappedUnderAFlood() throws Exception {
        InetSocketAddress configured = sa("127.0.0.9", 6118);
        List<DatagramChannel> senders = new ArrayList<>();
        try (UdpBearer b = open(4, configured)) {
            for (int i = 0; i < 20; i++) {
                DatagramChannel c = sender("127.0.1." + (i + 1));
                senders.add(c);
                deliver(c, b, discovery(4711, 0x2000 + i));
            }
            assertThat(b.peers()).hasSize(5).contains(configured);
            assertThat(b.peersLearnt()).isEqualTo(4);
            assertThat(b.peersNotLearnt()).isEqualTo(16);
            // a learnt peer's repeated discovery neither adds nor counts as refused
            deliver(senders.get(0), b, discovery(4711, 0x2000));
            assertThat(b.peers()).hasSize(5);
            assertThat(b.peersNotLearnt()).isEqualTo(16);
            // configured peers still go in beyond the cap
            assertThat(b.addPeer(sa("127.0.0.10", 6118))).isTrue();
        } finally {
            for (DatagramChannel c : senders) {
                c.close();
            }
        }
    }

    @Test
    void silentLearntPeersExpireConfiguredOnesStay() throws Exception {
        InetSocketAddress configured = sa("127.0.0.9", 6118);
        try (UdpBearer b = open(2, configured); DatagramChannel c = sender("127.0.0.3");
                DatagramChannel d = sender("127.0.0.4"); DatagramChannel e = sender("127.0.0.5")) {
            InetSocketAddress cAddr = (InetSocketAddress) c.getLocalAddress();
            InetSocketAddress dAddr = (InetSocketAddress) d.getLocalAddress();
            deliver(c, b, discovery(4711, 0x1001));
            deliver(d, b, discovery(4711, 0x1002));
            assertThat(b.peers()).containsExactly(configured, cAddr, dAddr);
            byte[] f = discovery(4711, 0x1);
            clock.addAndGet(40_000);
            deliver(c, b, discovery(4711, 0x1001)); // c refreshes, d stays silent
            clock.addAndGet(30_000); // d silent 70 s, c 30 s
            b.broadcast(f, 0, f.length);
            assertThat(b.peers()).containsExactly(configured, cAddr);
            assertThat(b.peersExpired()).isEqualTo(1);
            // the freed slot can be learnt again; here by e
            deliver(e, b, discovery(4711, 0x1003));
            assertThat(b.peers()).hasSize(3).contains((InetSocketAddress) e.getLocalAddress());
            clock.addAndGet(60_001);
            assertThat(b.expireLearntPeers()).isEqualTo(2);
            assertThat(b.peers()).containsExactly(configured);
            assertThat(b.peersExpired()).isEqualTo(3);
        }
    }

    /**
     * With the default expiry a linked peer whose discovery comes every 60 s and a little (the kernel's TIPC_DISC_SLOW
     * once its bearer has nodes, timers firing late) is never forgotten; one silent for three intervals is. The former
     * default, 60 s, forgot it before each of its discovery frames.
     */
    @Test
    void aLinkedPeerDiscoveringEverySixtySecondsIsKeptByDefault() throws Exception {
        try (UdpBearer b = TestSupport.openRetrying(p -> UdpBearerConfig.local(sa("127.0.0.1", p)).replicast()
                .clockMs(clock::get));
                DatagramChannel c = sender("127.0.0.3")) {
            InetSocketAddress cAddr = (InetSocketAddress) c.getLocalAddress();
            byte[] f = discovery(4711, 0x1);
            for (int i = 0; i < 5; i++) {
                deliver(c, b, discovery(4711, 0x1001));
                clock.addAndGet(60_050);
                b.broadcast(f, 0, f.length); // our own discovery (or broadcast link traffic) meanwhile
                assertThat(b.peers()).as("after interval " + i).containsExactly(cAddr);
            }
            assertThat(b.peersExpired()).isZero();
            clock.addAndGet(2 * 60_000); // 180 050 ms silent
            assertThat(b.expireLearntPeers()).isEqualTo(1);
            assertThat(b.peers()).isEmpty();
        }
    }
}
