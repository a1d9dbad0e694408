package io.jtipc.bearer.udp;

import static io.jtipc.bearer.udp.TestSupport.data;
import static io.jtipc.bearer.udp.TestSupport.media;
import static io.jtipc.bearer.udp.TestSupport.next;
import static io.jtipc.bearer.udp.TestSupport.receiver;
import static io.jtipc.bearer.udp.TestSupport.sa;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramSocket;
import java.util.Arrays;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Segmentation offload on the IPv4 UDP bearer (issue 14, {@link UdpBearerConfig#gso}): runs of equal-sized frames to one
 * destination leave as one {@code UDP_SEGMENT} send and arrive as the same datagrams, also at a plain socket the kernel
 * splits them for; a bearer's receive batch takes a run whole ({@code UDP_GRO}) and splits it itself; where a run
 * breaks; a refused send turns it off and loses nothing; when it is off.
 */
class UdpSegmentationOffloadTest {
    private final byte[] buf = new byte[UdpBearer.MAX_FRAME];

    /** UDP_SEGMENT came with Linux 4.18, UDP_GRO with 5.0: older kernels skip (a regression on newer ones fails). */
    @BeforeAll
    static void kernelHasBoth() {
        Assumptions.assumeTrue(kernelAtLeast(5, 0), "kernel " + System.getProperty("os.version") + " before 5.0");
    }

    /** Whether the running kernel ({@code os.version}, "6.1.0-13-amd64") is at least {@code major.minor}. */
    static boolean kernelAtLeast(int major, int minor) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(System.getProperty("os.version", ""));
        if (!m.find()) {
            return false;
        }
        int ma = Integer.parseInt(m.group(1));
        return ma > major || ma == major && Integer.parseInt(m.group(2)) >= minor;
    }
    private final byte[] src = new byte[UdpMedia.UDP_ADDR_SIZE];

    private static UdpBearer open(boolean gso) throws IOException {
        return TestSupport.openRetrying(p -> UdpBearerConfig.local(sa("127.0.0.1", p)).replicast().gso(gso));
    }

    private byte[] polled(UdpBearer b) throws IOException {
        int n = b.poll(buf, 0, buf.length, src, 0, 5000);
        assertThat(n).as("poll result").isGreaterThanOrEqualTo(0);
        return Arrays.copyOf(buf, n);
    }

    /** Queues frames of {@code sizes} (numbered from {@code seq}) to {@code dest}. */
    static void queue(UdpBearer a, byte[] dest, int seq, int... sizes) throws IOException {
        for (int i = 0; i < sizes.length; i++) {
            byte[] f = data(seq + i, sizes[i]);
            a.queue(dest, 0, f, 0, f.length);
        }
    }

    @Test
    void aLoopbackBearerUsesItWithChecksumsOnAndOffItKeepsTheKernelsZeroChecksum() throws Exception {
        try (UdpBearer on = open(true); UdpBearer off = open(false)) {
            assertThat(on.udpSegmentationOffload()).isTrue();
            assertThat(on.udpChecksumsOff()).as("UDP_SEGMENT needs checksums").isFalse();
            assertThat(UdpNoCheck.get(UdpNoCheck.fdOf(on.localAddress()))).isZero();
            assertThat(on.receiveSide().batch().gro()).isTrue();
            assertThat(off.udpSegmentationOffload()).isFalse();
            assertThat(off.udpChecksumsOff()).isTrue();
            assertThat(off.receiveSide().batch().gro()).isFalse();
        }
    }

    @Test
    void onlyWhereTheInterfaceTakesABearerMtuDatagramWhole() {
        UdpBearerConfig cfg = UdpBearerConfig.local(sa("127.0.0.1", 0));
        assertThat(UdpSockets.gsoPossible(false, cfg, 65536, 14000)).isTrue();
        assertThat(UdpSockets.gsoPossible(false, cfg, 14028, 14000)).isTrue();
        assertThat(UdpSockets.gsoPossible(false, cfg, 14027, 14000)).as("one byte short").isFalse();
        assertThat(UdpSockets.gsoPossible(false, cfg, 1500, 14000)).as("IP fragments the datagrams").isFalse();
        assertThat(UdpSockets.gsoPossible(false, cfg, 1500, 1472)).isTrue();
        assertThat(UdpSockets.gsoPossible(false, cfg, -1, 1472)).as("MTU unknown").isFalse();
        assertThat(UdpSockets.gsoPossible(true, cfg, 65536, 1280)).as("IPv6").isFalse();
        assertThat(UdpSockets.gsoPossible(false, cfg.gso(false), 65536, 14000)).isFalse();
    }

    @Test
    void aRunLeavesAsOneSendAndAPlainSocketGetsTheSameDatagrams() throws Exception {
        try (UdpBearer a = open(true); DatagramSocket r1 = receiver("127.0.0.2"); DatagramSocket r2 = receiver("127.0.0.3")) {
            UdpTx tx = a.sendBatch();
            // a 64 KiB message's fragments at MTU 14000 (the last shorter), then two of another peer's
            queue(a, media(r1), 0, 14000, 14000, 14000, 14000, 9000);
            queue(a, media(r2), 5, 700, 700);
            long calls = tx.sendSyscalls();
            assertThat(a.flush()).isEqualTo(7);
            assertThat(tx.sendSyscalls() - calls).isEqualTo(1);
            assertThat(tx.gsoSends()).as("one send per run").isEqualTo(2);
            int[] sizes = {14000, 14000, 14000, 14000, 9000};
            for (int i = 0; i < 5; i++) {
                assertThat(next(r1)).as("frame %d", i).isEqualTo(data(i, sizes[i]));
            }
            assertThat(next(r2)).isEqualTo(data(5, 700));
            assertThat(next(r2)).isEqualTo(data(6, 700));
            assertThat(a.udpSegmentationOffload()).isTrue();
        }
    }

    @Test
    void aRunBreaksAtAnotherDestinationALongerFrameTheDatagramLimitAndAfterAShorterOne() throws Exception {
        try (UdpBearer a = open(true); DatagramSocket r1 = receiver("127.0.0.2"); DatagramSocket r2 = receiver("127.0.0.3")) {
            UdpTx tx = a.sendBatch();
            byte[] d1 = media(r1);
            byte[] d2 = media(r2);
            queue(a, d1, 0, 100);                // alone: the next is longer
            queue(a, d1, 1, 200, 200, 150);      // run of 3 (the shorter one ends it)
            queue(a, d1, 4, 150);                // alone: a run never goes on after its shorter last
            queue(a, d2, 5, 150);                // alone: another peer
            queue(a, d1, 6, 30000, 30000, 30000); // 90 000 B: a run of 2 (65 507 B at most), then one alone
            assertThat(a.flush()).isEqualTo(9);
            assertThat(tx.gsoSends()).isEqualTo(2);
            int[] sizes = {100, 200, 200, 150, 150, 150, 30000, 30000, 30000};
            for (int i = 0; i < 9; i++) {
                assertThat(next(i == 5 ? r2 : r1)).as("frame %d", i).isEqualTo(data(i, sizes[i]));
            }
        }
    }

    @Test
    void runsStayWithinWhatEveryKernelTakes() {
        int[] starts = new int[UdpTx.BATCH + 1];
        int[] lens = new int[UdpTx.BATCH];
        long[] dests = new long[UdpTx.BATCH];
        // before Linux 5.16 the headers counted against gso_size * 64: 62 frames of 24 bytes fit, 63 do not
        Arrays.fill(lens, 24);
        assertThat(UdpTx.runs(lens, dests, 64, starts)).isEqualTo(2);
        assertThat(starts[1]).isEqualTo(62);
        Arrays.fill(lens, 100);
        assertThat(UdpTx.runs(lens, dests, 64, starts)).isEqualTo(2);
        assertThat(starts[1]).isEqualTo(63);
        // 65 507 bytes at most: four of 14 000 and a shorter one do not fit together, four do
        int[] five = {14000, 14000, 14000, 14000, 9600};
        assertThat(UdpTx.runs(five, dests, 5, starts)).isEqualTo(2);
        assertThat(starts[1]).isEqualTo(4);
        int[] mixed = {14000, 14000, 9600, 14000, 14000, 9600};
        assertThat(UdpTx.runs(mixed, dests, 6, starts)).isEqualTo(2);
        assertThat(starts[1]).isEqualTo(3);
        // frames to a multicast group (228.0.18.103:6118) go one by one
        long group = 6118L << 32 | 0xE4001267L;
        assertThat(UdpTx.runs(new int[] {500, 500, 500}, new long[] {group, group, group}, 3, starts)).isEqualTo(3);
        long unicast = 6118L << 32 | 0x7F000002L;
        assertThat(UdpTx.runs(new int[] {500, 500, 500}, new long[] {unicast, unicast, unicast}, 3, starts)).isEqualTo(1);
        // 224/4 exactly: its first and last addresses are groups, the neighbours on either side are not
        for (long a : new long[] {0xE0000000L, 0xEFFFFFFFL}) {
            long d = 6118L << 32 | a;
            assertThat(UdpTx.runs(new int[] {500, 500}, new long[] {d, d}, 2, starts)).as("%x", a).isEqualTo(2);
        }
        for (long a : new long[] {0xDFFFFFFFL, 0xF0000001L}) {
            long d = 6118L << 32 | a;
            assertThat(UdpTx.runs(new int[] {500, 500}, new long[] {d, d}, 2, starts)).as("%x", a).isEqualTo(1);
        }
        // another destination starts another run
        long[] two = {1, 1, 2, 2};
        assertThat(UdpTx.runs(new int[] {500, 500, 500, 500}, two, 4, starts)).isEqualTo(2);
        assertThat(starts[1]).isEqualTo(2);
        assertThat(starts[2]).isEqualTo(4);
    }

    @Test
    void aDestinationsErrorOnARunFailsItsFramesAndKeepsTheOffload() throws Exception {
        try (UdpBearer a = open(true); DatagramSocket r = receiver("127.0.0.2")) {
            byte[] port0 = UdpMedia.mediaAddr(sa("127.0.0.4", 0)); // udp_sendmsg: EINVAL for port 0
            queue(a, port0, 0, 800, 800, 800);
            queue(a, media(r), 3, 800, 800);
            assertThatThrownBy(a::flush).isInstanceOfSatisfying(UdpBearerException.class,
                    e -> assertThat(e.reason()).isEqualTo(UdpBearerException.Reason.SEND_FAILED))
                    .hasMessageContaining("EINVAL").hasMessageEndingWith(" and 2 more queued frames failed");
            assertThat(a.sendsFailed()).isEqualTo(3);
            assertThat(next(r)).isEqualTo(data(3, 800));
            assertThat(next(r)).isEqualTo(data(4, 800));
            assertThat(a.udpSegmentationOffload()).as("the frames failed on their own too").isTrue();
            assertThat(a.udpChecksumsOff()).isFalse();
            long runs = a.sendBatch().gsoSends();
            queue(a, media(r), 5, 800, 800);
            a.flush();
            assertThat(a.sendBatch().gsoSends()).isEqualTo(runs + 1);
            assertThat(next(r)).isEqualTo(data(5, 800));
            assertThat(next(r)).isEqualTo(data(6, 800));
        }
    }

    @Test
    void aBearerWithGroTakesARunWholeAndHandsOverTheSameDatagramsInOrder() throws Exception {
        try (UdpBearer a = open(true); UdpBearer b = open(true)) {
            UdpRxBatch rb = b.receiveSide().batch();
            assertThat(rb.gro()).isTrue();
            byte[] to = UdpMedia.mediaAddr(b.localAddress());
            int[] sizes = {14000, 14000, 14000, 14000, 9000, 14000, 14000, 14000, 14000, 9000, 64, 64, 64};
            int seq = 0;
            queue(a, to, seq, Arrays.copyOfRange(sizes, 0, 5));
            queue(a, to, 5, Arrays.copyOfRange(sizes, 5, 10));
            queue(a, to, 10, Arrays.copyOfRange(sizes, 10, 13));
            assertThat(a.flush()).isEqualTo(13);
            for (int i = 0; i < sizes.length; i++) {
                assertThat(polled(b)).as("frame %d", i).isEqualTo(data(i, sizes[i]));
            }
            assertThat(rb.coalesced()).as("runs the kernel handed over whole").isGreaterThanOrEqualTo(1);
            assertThat(b.framesReceived()).isEqualTo(sizes.length);
        }
    }

    @Test
    void aSendTheKernelRefusesTurnsItOffAndEveryFrameStillGoes() throws Exception {
        try (UdpBearer a = open(true); DatagramSocket r = receiver("127.0.0.2")) {
            // checksums off now: the kernel refuses UDP_SEGMENT with EINVAL (net/ipv4/udp.c udp_send_skb)
            assertThat(UdpNoCheck.apply(a.localAddress())).isNull();
            queue(a, media(r), 0, 1000, 1000, 1000, 500);
            assertThat(a.flush()).as("nothing reported as failed").isEqualTo(4);
            assertThat(a.udpSegmentationOffload()).isFalse();
            assertThat(a.udpChecksumsOff()).as("back to the kernel's zero checksum").isTrue();
            assertThat(a.sendBatch().gsoSends()).isZero();
            assertThat(a.sendsFailed()).isZero();
            int[] sizes = {1000, 1000, 1000, 500};
            for (int i = 0; i < 4; i++) {
                assertThat(next(r)).as("frame %d", i).isEqualTo(data(i, sizes[i]));
            }
            queue(a, media(r), 4, 1000, 1000);
            assertThat(a.flush()).isEqualTo(2);
            assertThat(next(r)).isEqualTo(data(4, 1000));
            assertThat(next(r)).isEqualTo(data(5, 1000));
        }
    }

    @Test
    void aSocketWideErrorOnARunDropsTheRestInOneSystemCall() throws Exception {
        UdpTx tx = UdpTx.onDescriptor("udp:test", -1, true); // EBADF
        try {
            byte[] d = UdpMedia.mediaAddr(sa("127.0.0.2", 9));
            byte[] f = data(0, 100);
            for (int i = 0; i < 10; i++) {
                tx.queue(d, 0, f, 0, f.length);
            }
            assertThatThrownBy(tx::flush).hasMessageContaining("EBADF")
                    .hasMessageEndingWith(" and 9 more queued frames failed");
            assertThat(tx.sendSyscalls()).isEqualTo(1);
            assertThat(tx.sendsFailed()).isEqualTo(10);
            assertThat(tx.gso()).as("not a refusal of the offload").isTrue();
        } finally {
            tx.close();
        }
    }
}
