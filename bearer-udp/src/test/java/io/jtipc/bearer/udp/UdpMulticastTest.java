package io.jtipc.bearer.udp;

import static io.jtipc.bearer.udp.TestSupport.data;
import static io.jtipc.bearer.udp.TestSupport.frame;
import static io.jtipc.bearer.udp.TestSupport.sa;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jtipc.bearer.LabNetns;
import io.jtipc.wire.Tipc;

/**
 * Multicast discovery: on the loopback device (IPv4; no privilege needed where the host routes
 * multicast out of lo) and, as root, between two network namespaces this test creates and joins
 * with a veth pair (IPv4 and IPv6). All traffic stays on lo or inside those namespaces.
 */
@Timeout(60)
class UdpMulticastTest {
    private final byte[] rx = new byte[UdpBearer.MAX_FRAME];
    private final byte[] src = new byte[UdpMedia.UDP_ADDR_SIZE];

    private byte[] receive(UdpBearer b) throws IOException {
        int n = b.poll(rx, 0, rx.length, src, 0, 5000);
        assertThat(n).as("frame on " + b.name()).isGreaterThanOrEqualTo(0);
        return Arrays.copyOf(rx, n);
    }

    private void assertQuiet(UdpBearer b) throws IOException {
        assertThat(b.poll(rx, 0, rx.length, src, 0, 100)).as("nothing more on " + b.name()).isEqualTo(UdpBearer.TIMEOUT);
    }

    /** Two bearers in one group: discovery-style broadcast both ways, unicast replies to the advertised address. */
    private void exchange(UdpBearer a, UdpBearer b) throws IOException {
        byte[] disc = frame(Tipc.LINK_CONFIG, 1, 60);
        assertThat(a.broadcast(disc, 0, disc.length)).isTrue();
        assertThat(receive(b)).isEqualTo(disc);
        assertThat(src).as("source of the multicast frame is a's advertised address").isEqualTo(a.address());
        // loop is on, as for the kernel's socket: a hears its own discovery once
        assertThat(receive(a)).isEqualTo(disc);
        assertThat(src).isEqualTo(a.address());
        assertQuiet(a);
        assertQuiet(b);
        // b replies to the media address a advertised; link traffic of any size up to the MTU
        for (int size : new int[] {40, b.mtu()}) {
            byte[] reply = data(size, size);
            assertThat(b.send(a.address(), 0, reply, 0, reply.length)).isTrue();
            assertThat(receive(a)).isEqualTo(reply);
            assertThat(src).isEqualTo(b.address());
        }
        byte[] disc2 = frame(Tipc.LINK_CONFIG, 2, 60);
        assertThat(b.broadcast(disc2, 0, disc2.length)).isTrue();
        assertThat(receive(a)).isEqualTo(disc2);
        assertThat(receive(b)).isEqualTo(disc2);
        assertQuiet(a);
        assertQuiet(b);
        // the queued form (the node's path): to the group at flush, one sendmmsg on IPv4, at once on IPv6
        byte[] disc3 = frame(Tipc.LINK_CONFIG, 3, 60);
        a.queueBroadcast(disc3, 0, disc3.length);
        assertThat(a.flush()).isEqualTo(a.holdsQueuedFrames() ? 1 : 0);
        assertThat(receive(b)).isEqualTo(disc3);
        assertThat(src).isEqualTo(a.address());
        assertThat(receive(a)).isEqualTo(disc3);
        assertQuiet(a);
        assertQuiet(b);
        assertThat(a.peers()).as("multicast bearers learn no replicast peers").isEmpty();
    }

    @Test
    void ipv4MulticastOnLoopback() throws Exception {
        int netId = 1 + new SecureRandom().nextInt(65000);
        UdpBearer[] ab;
        try {
            // both on one random port p; the group port is p as well (localport = remoteport, as usual)
            ab = TestSupport.openPair(
                    p -> UdpBearerConfig.local(sa("127.0.0.1", p)).multicast(new InetSocketAddress(UdpMedia.multicastGroup(netId, false), p)),
                    p -> UdpBearerConfig.local(sa("127.0.0.2", p)).multicast(new InetSocketAddress(UdpMedia.multicastGroup(netId, false), p)));
        } catch (UdpBearerException e) {
            Assumptions.assumeTrue(e.reason() != UdpBearerException.Reason.MULTICAST_SETUP,
                    "this host cannot do IPv4 multicast on lo: " + e.getMessage());
            throw e;
        }
        try (UdpBearer a = ab[0]; UdpBearer b = ab[1]) {
            assertThat(a.isMulticast()).isTrue();
            assertThat(a.group().getAddress()).isEqualTo(UdpMedia.multicastGroup(netId, false));
            assertThat(a.networkInterface().isLoopback()).isTrue();
            assertThat(b.networkInterface().isLoopback()).as("127.0.0.2 is local through lo's 127/8 route").isTrue();
            exchange(a, b);
        }
    }

    @Test
    void multicastBetweenTwoNamespaces() throws Exception {
        String why = LabPair.whyNot();
        Assumptions.assumeTrue(why == null, why);
        try (LabPair lab = LabPair.create()) {
            // iproute2's defaults: port 6118 both ways, group derived from net id 4711
            try (UdpBearer a = UdpBearer.open(lab.nsA, UdpBearerConfig.local("10.77.0.1").name("u1"));
                    UdpBearer b = UdpBearer.open(lab.nsB, UdpBearerConfig.local("10.77.0.2").name("u1"))) {
                assertThat(a.group()).isEqualTo(sa("228.0.18.103", 6118));
                assertThat(a.networkInterface().getName()).isEqualTo("va");
                assertThat(a.localAddress()).isEqualTo(sa("10.77.0.1", 6118));
                exchange(a, b);
            }
            try (UdpBearer a = UdpBearer.open(lab.nsA, UdpBearerConfig.local("[fd77::1]").name("u6"));
                    UdpBearer b = UdpBearer.open(lab.nsB, UdpBearerConfig.local("[fd77::2]").name("u6"))) {
                assertThat(a.group()).isEqualTo(sa("ff02::4711", 6118));
                assertThat(a.mtu()).isEqualTo(1280);
                exchange(a, b);
            }
            // a namespace that does not exist: a clear error from NetNs
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> UdpBearer.open(lab.nsA + "-missing",
                    UdpBearerConfig.local("10.77.0.1"))).isInstanceOf(IOException.class)
                    .hasMessageContaining("no such network namespace");
        }
    }

    /**
     * Two bearers of one node on two planes with the default group and port (both group sockets bound to
     * 228.0.18.103:6118): a discovery multicast on the second plane reaches the second bearer only. A socket with
     * the kernel's default IP_MULTICAST_ALL = 1 would hear the group from every interface where any socket joined it
     * (igmp.c ip_mc_sf_allow), and a peer would show up on the wrong bearer with the other plane's address; the JDK
     * opens every datagram socket with it at 0 on Linux (sun.nio.ch.Net socket0), and this keeps it so.
     */
    @Test
    void twoPlanesWithTheDefaultGroupEachHearOnlyTheirOwn() throws Exception {
        String why = LabPair.whyNot();
        Assumptions.assumeTrue(why == null, why);
        try (LabPair lab = LabPair.create();
                UdpBearer a1 = UdpBearer.open(lab.nsA, UdpBearerConfig.local("10.77.0.1").name("p1"));
                UdpBearer a2 = UdpBearer.open(lab.nsA, UdpBearerConfig.local("10.78.0.1").name("p2"));
                UdpBearer b2 = UdpBearer.open(lab.nsB, UdpBearerConfig.local("10.78.0.2").name("p2"))) {
            assertThat(a1.group()).isEqualTo(a2.group()).isEqualTo(sa("228.0.18.103", 6118));
            assertThat(a2.networkInterface().getName()).isEqualTo("va2");
            byte[] disc = frame(Tipc.LINK_CONFIG, 7, 60);
            assertThat(b2.broadcast(disc, 0, disc.length)).isTrue();
            assertThat(receive(a2)).isEqualTo(disc);
            assertThat(src).isEqualTo(b2.address());
            assertQuiet(a1);
            assertThat(receive(b2)).isEqualTo(disc); // its own, looped back
            byte[] disc2 = frame(Tipc.LINK_CONFIG, 8, 60);
            assertThat(a2.broadcast(disc2, 0, disc2.length)).isTrue();
            assertThat(receive(b2)).isEqualTo(disc2);
            assertThat(receive(a2)).isEqualTo(disc2);
            assertQuiet(a1);
            assertQuiet(a2);
        }
    }

    /**
     * Two namespaces jtipc-udp-&lt;rand&gt;-a/-b joined by veth va (10.77.0.1, fd77::1) / vb (10.77.0.2, fd77::2) and a
     * second pair va2 (10.78.0.1) / vb2 (10.78.0.2).
     */
    static final class LabPair implements AutoCloseable {
        final String nsA;
        final String nsB;

        private LabPair(String base) {
            nsA = base + "-a";
            nsB = base + "-b";
        }

        static String whyNot() {
            return LabNetns.whyNotRunnable("multicast between network namespaces: creates namespaces and a veth pair");
        }

        private static String ip(String... args) throws IOException {
            return LabNetns.ip(args);
        }

        static LabPair create() throws IOException {
            LabPair lab = new LabPair(LabNetns.randomName("jtipc-udp"));
            try {
                ip("netns", "add", lab.nsA);
                ip("netns", "add", lab.nsB);
                ip("-n", lab.nsA, "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", lab.nsB);
                ip("-n", lab.nsA, "link", "add", "va2", "type", "veth", "peer", "name", "vb2", "netns", lab.nsB);
                for (String[] side : new String[][] {{lab.nsA, "va", "1"}, {lab.nsB, "vb", "2"}}) {
                    ip("-n", side[0], "link", "set", "lo", "up");
                    ip("-n", side[0], "addr", "add", "10.77.0." + side[2] + "/24", "dev", side[1]);
                    ip("-n", side[0], "-6", "addr", "add", "fd77::" + side[2] + "/64", "dev", side[1], "nodad");
                    ip("-n", side[0], "link", "set", side[1], "up");
                    // a second plane (va2 - vb2, 10.78.0.0/24, IPv4 only)
                    ip("-n", side[0], "addr", "add", "10.78.0." + side[2] + "/24", "dev", side[1] + "2");
                    ip("-n", side[0], "link", "set", side[1] + "2", "up");
                }
                // carrier comes through linkwatch, which may lag up to a second; until then frames are dropped
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                for (String[] side : new String[][] {{lab.nsA, "va"}, {lab.nsB, "vb"}, {lab.nsA, "va2"},
                        {lab.nsB, "vb2"}}) {
                    while (true) {
                        String link = ip("-n", side[0], "link", "show", side[1]);
                        String addr6 = ip("-n", side[0], "-6", "addr", "show", "dev", side[1]);
                        if (link.contains("LOWER_UP") && link.contains("state UP") && !addr6.contains("tentative")) {
                            break;
                        }
                        if (System.nanoTime() > end) {
                            throw new IOException("veth " + side[1] + " in " + side[0] + " did not come up: " + link + addr6);
                        }
                        Thread.sleep(20);
                    }
                }
                return lab;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                lab.close();
                throw new IOException("interrupted while waiting for the veth pair", e);
            } catch (IOException | RuntimeException e) {
                lab.close();
                throw e;
            }
        }

        @Override
        public void close() {
            for (String ns : new String[] {nsA, nsB}) {
                try {
                    if (Files.exists(Path.of("/var/run/netns", ns))) {
                        ip("netns", "del", ns);
                    }
                } catch (IOException e) {
                    System.err.println("could not delete network namespace " + ns + ": " + e.getMessage());
                }
            }
        }
    }
}
