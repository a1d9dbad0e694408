package io.jtipc.bearer.udp;

import static io.jtipc.bearer.udp.TestSupport.data;
import static io.jtipc.bearer.udp.TestSupport.media;
import static io.jtipc.bearer.udp.TestSupport.next;
import static io.jtipc.bearer.udp.TestSupport.receiver;
import static io.jtipc.bearer.udp.TestSupport.sa;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;

import org.junit.jupiter.api.Test;

/**
 * The IPv4 UDP bearer's send batch ({@link UdpTx}, issue 14): queued frames leave at flush in {@code sendmmsg} batches,
 * as the same datagrams, in order, to each of their destinations; a full batch goes first; errors and close.
 */
class UdpSendBatchTest {

    /** Nothing is waiting on {@code s} (a datagram sent before this call is already queued on loopback). */
    private static void assertNothingWaiting(DatagramSocket s) throws IOException {
        s.setSoTimeout(1);
        try {
            DatagramPacket p = new DatagramPacket(new byte[10], 10);
            assertThatThrownBy(() -> s.receive(p)).isInstanceOf(SocketTimeoutException.class);
        } finally {
            s.setSoTimeout(5000);
        }
    }

    private static UdpBearer open() throws IOException {
        return TestSupport.openRetrying(p -> UdpBearerConfig.local(sa("127.0.0.1", p)).replicast());
    }

    @Test
    void framesQueuedToSeveralDestinationsArriveIntactAndInOrderAtFlush() throws Exception {
        try (UdpBearer a = open(); DatagramSocket r1 = receiver("127.0.0.2"); DatagramSocket r2 = receiver("127.0.0.3");
                DatagramSocket r3 = receiver("127.0.0.4")) {
            assertThat(a.holdsQueuedFrames()).isTrue();
            DatagramSocket[] rs = {r1, r2, r3};
            byte[][] dests = {media(r1), media(r2), media(r3)};
            int n = 30;
            int[] sizes = {8, 64, 1000, 14000, 9000}; // 138 KB in all: one batch
            byte[] scratch = new byte[UdpMedia.MAX_PAYLOAD_IPV4 + 7];
            for (int i = 0; i < n; i++) {
                byte[] f = data(i, sizes[i % sizes.length]);
                System.arraycopy(f, 0, scratch, 7, f.length); // from an offset, and the array is reused at once
                a.queue(dests[i % 3], 0, scratch, 7, f.length);
            }
            for (DatagramSocket r : rs) {
                assertNothingWaiting(r); // held until the flush
            }
            long calls = a.batchSyscalls();
            long sent = a.framesSent();
            assertThat(a.flush()).isEqualTo(n);
            assertThat(a.framesSent() - sent).isEqualTo(n);
            assertThat(a.batchSyscalls() - calls).as("sendmmsg calls for 30 frames").isEqualTo(1);
            for (int i = 0; i < n; i++) {
                byte[] got = next(rs[i % 3]);
                assertThat(got).as("frame %d", i).isEqualTo(data(i, sizes[i % sizes.length]));
            }
            assertThat(a.sendsDropped()).isZero();
        }
    }

    @Test
    void aFullBatchIsSentByTheQueueThatDoesNotFitAndCountedByTheNextFlush() throws Exception {
        try (UdpBearer a = open(); DatagramSocket r = receiver("127.0.0.2")) {
            byte[] d = media(r);
            int n = UdpTx.BATCH + 6;
            for (int i = 0; i < n; i++) {
                byte[] f = data(i, 100);
                a.queue(d, 0, f, 0, f.length);
            }
            assertThat(a.sendBatch().queued()).isEqualTo(6);
            for (int i = 0; i < UdpTx.BATCH; i++) {
                assertThat(TestSupport.seqOf(next(r))).isEqualTo(i); // the first 64 went when the 65th was queued
            }
            assertThat(a.flush()).isEqualTo(n);
            for (int i = UdpTx.BATCH; i < n; i++) {
                assertThat(TestSupport.seqOf(next(r))).isEqualTo(i);
            }
            assertThat(a.flush()).isZero();
        }
    }

    @Test
    void framesOverTheBatchAreaGoInTheNextBatch() throws Exception {
        try (UdpBearer a = open(); DatagramSocket r = receiver("127.0.0.2")) {
            byte[] d = media(r);
            int max = UdpMedia.MAX_PAYLOAD_IPV4; // 4 fit the 256 KiB area, the 5th sends them first
            for (int i = 0; i < 5; i++) {
                byte[] f = data(i, max);
                a.queue(d, 0, f, 0, f.length);
            }
            assertThat(a.sendBatch().queued()).isEqualTo(1);
            assertThat(a.flush()).isEqualTo(5);
            for (int i = 0; i < 5; i++) {
                assertThat(next(r)).isEqualTo(data(i, max));
            }
        }
    }

    @Test
    void flushWithNothingQueuedSendsNothing() throws Exception {
        try (UdpBearer a = open(); DatagramSocket r = receiver("127.0.0.2")) {
            long calls = a.batchSyscalls();
            assertThat(a.flush()).isZero();
            assertThat(a.flush()).isZero();
            assertThat(a.batchSyscalls()).isEqualTo(calls);
            assertThat(a.framesSent()).isZero();
            assertNothingWaiting(r);
        }
    }

    @Test
    void aFrameSentAtOnceGoesAfterTheFramesQueuedBeforeIt() throws Exception {
        try (UdpBearer a = open(); DatagramSocket r = receiver("127.0.0.2")) {
            byte[] d = media(r);
            for (int i = 0; i < 3; i++) {
                byte[] f = data(i, 200);
                a.queue(d, 0, f, 0, f.length);
            }
            byte[] f = data(3, 200);
            assertThat(a.send(d, 0, f, 0, f.length)).isTrue();
            for (int i = 0; i < 4; i++) {
                assertThat(next(r)).isEqualTo(data(i, 200));
            }
            assertThat(a.flush()).as("the 3 queued frames, sent by send()").isEqualTo(3);
        }
    }

    @Test
    void closeSendsWhatIsQueuedAndNothingAfterwards() throws Exception {
        DatagramSocket r = receiver("127.0.0.2");
        try (r) {
            UdpBearer a = open();
            byte[] d = media(r);
            for (int i = 0; i < 5; i++) {
                byte[] f = data(i, 300);
                a.queue(d, 0, f, 0, f.length);
            }
            a.close();
            for (int i = 0; i < 5; i++) {
                assertThat(next(r)).isEqualTo(data(i, 300));
            }
            byte[] f = data(9, 300);
            assertThatThrownBy(() -> a.queue(d, 0, f, 0, f.length)).isInstanceOfSatisfying(UdpBearerException.class,
                    e -> assertThat(e.reason()).isEqualTo(UdpBearerException.Reason.CLOSED));
            assertThatThrownBy(() -> a.queueBroadcast(f, 0, f.length)).isInstanceOfSatisfying(UdpBearerException.class,
                    e -> assertThat(e.reason()).isEqualTo(UdpBearerException.Reason.CLOSED));
            assertThat(a.flush()).isZero();
            a.close(); // idempotent
            assertNothingWaiting(r);
        }
    }

    @Test
    void aFailingDestinationSkipsItsFrameOnlyAndTheFlushReportsIt() throws Exception {
        try (UdpBearer a = open(); DatagramSocket r = receiver("127.0.0.2")) {
            byte[] d = media(r);
            byte[] port0 = UdpMedia.mediaAddr(sa("127.0.0.3", 0)); // udp_sendmsg refuses destination port 0: EINVAL
            byte[] f0 = data(0, 100), f1 = data(1, 100), f2 = data(2, 100);
            a.queue(d, 0, f0, 0, f0.length);
            a.queue(port0, 0, f1, 0, f1.length);
            a.queue(d, 0, f2, 0, f2.length);
            assertThatThrownBy(a::flush).isInstanceOfSatisfying(UdpBearerException.class,
                    e -> assertThat(e.reason()).isEqualTo(UdpBearerException.Reason.SEND_FAILED))
                    .hasMessageContaining("cannot send to 127.0.0.3:0 on bearer " + a.name()).hasMessageContaining("EINVAL");
            assertThat(next(r)).isEqualTo(f0);
            assertThat(next(r)).isEqualTo(f2);
            assertThat(a.flush()).as("the 2 sent frames, reported by the next flush").isEqualTo(2);
            assertThat(a.sendsDropped()).isZero(); // not a full send buffer
        }
    }

    @Test
    void everyFailedFrameOfABatchIsCountedAndTheFlushSaysHowManyMore() throws Exception {
        try (UdpBearer a = open(); DatagramSocket r = receiver("127.0.0.2")) {
            byte[] d = media(r);
            byte[] port0 = UdpMedia.mediaAddr(sa("127.0.0.3", 0)); // EINVAL, for this frame only
            byte[] port0b = UdpMedia.mediaAddr(sa("127.0.0.4", 0));
            byte[] f = data(0, 100);
            a.queue(port0, 0, f, 0, f.length);
            a.queue(d, 0, f, 0, f.length);
            a.queue(port0b, 0, f, 0, f.length);
            a.queue(port0b, 0, f, 0, f.length);
            assertThatThrownBy(a::flush).isInstanceOfSatisfying(UdpBearerException.class,
                    e -> assertThat(e.reason()).isEqualTo(UdpBearerException.Reason.SEND_FAILED))
                    .hasMessageContaining("cannot send to 127.0.0.3:0").hasMessageEndingWith(" and 2 more queued frames failed");
            assertThat(a.sendsFailed()).isEqualTo(3);
            assertThat(next(r)).isEqualTo(f);
            assertThat(a.flush()).isEqualTo(1);
            assertThat(a.sendsDropped()).isZero();
        }
    }

    @Test
    void aQueuedFramesFailureIsReportedByTheFlushNotByALaterSendOrQueue() throws Exception {
        try (UdpBearer a = open(); DatagramSocket r1 = receiver("127.0.0.2"); DatagramSocket r2 = receiver("127.0.0.3")) {
            byte[] d = media(r1);
            byte[] port0 = UdpMedia.mediaAddr(sa("127.0.0.5", 0)); // EINVAL
            byte[] f = data(1, 100);
            a.queue(port0, 0, f, 0, f.length);
            // the send sends the queued frame first; its own frame goes, so it returns normally
            assertThat(a.send(d, 0, f, 0, f.length)).isTrue();
            assertThat(next(r1)).isEqualTo(f);
            // a replicast broadcast whose copies all go does not throw either
            a.addPeer((InetSocketAddress) r1.getLocalSocketAddress());
            a.addPeer((InetSocketAddress) r2.getLocalSocketAddress());
            a.queue(port0, 0, f, 0, f.length);
            assertThat(a.broadcast(f, 0, f.length)).isTrue();
            assertThat(next(r1)).isEqualTo(f);
            assertThat(next(r2)).isEqualTo(f);
            // a queue that has to send a full batch with a failing frame in it does not throw: its own frame is queued
            for (int i = 0; i < UdpTx.BATCH; i++) {
                a.queue(i == 3 ? port0 : d, 0, f, 0, f.length);
            }
            a.queue(d, 0, f, 0, f.length); // the 65th: sends the 64 first
            assertThat(a.sendBatch().queued()).isEqualTo(1);
            assertThat(a.sendsFailed()).isEqualTo(3);
            assertThatThrownBy(a::flush).isInstanceOfSatisfying(UdpBearerException.class,
                    e -> assertThat(e.reason()).isEqualTo(UdpBearerException.Reason.SEND_FAILED))
                    .hasMessageContaining("cannot send to 127.0.0.5:0").hasMessageContaining("EINVAL")
                    .hasMessageEndingWith(" and 2 more queued frames failed");
            assertThat(a.flush()).as("the 63 + 1 queued frames that went").isEqualTo(UdpTx.BATCH);
            assertThat(a.flush()).isZero(); // the failure was reported once
        }
    }

    @Test
    void aSocketWideErrorDropsTheRestOfTheBatchInOneSystemCall() throws Exception {
        UdpTx tx = UdpTx.onDescriptor("udp:test", -1, false); // EBADF for every frame
        try {
            byte[] d = UdpMedia.mediaAddr(sa("127.0.0.2", 9));
            byte[] f = data(0, 100);
            for (int i = 0; i < 10; i++) {
                tx.queue(d, 0, f, 0, f.length);
            }
            assertThatThrownBy(tx::flush).isInstanceOfSatisfying(UdpBearerException.class,
                    e -> assertThat(e.reason()).isEqualTo(UdpBearerException.Reason.SEND_FAILED))
                    .hasMessageContaining("EBADF").hasMessageEndingWith(" and 9 more queued frames failed");
            assertThat(tx.sendSyscalls()).as("sendmmsg calls for 10 frames on a bad descriptor").isEqualTo(1);
            assertThat(tx.sendsFailed()).isEqualTo(10);
            assertThat(tx.framesSent()).isZero();
            assertThat(tx.flush()).isZero();
        } finally {
            tx.close();
        }
    }

    @Test
    void queueRefusesWhatSendRefuses() throws Exception {
        try (UdpBearer a = open()) {
            byte[] big = new byte[UdpMedia.MAX_PAYLOAD_IPV4 + 1];
            byte[] d = UdpMedia.mediaAddr(sa("127.0.0.2", 9));
            assertThatThrownBy(() -> a.queue(d, 0, big, 0, big.length)).isInstanceOfSatisfying(UdpBearerException.class,
                    e -> assertThat(e.reason()).isEqualTo(UdpBearerException.Reason.FRAME_TOO_LARGE));
            byte[] bad = d.clone();
            bad[0] = 0x12;
            assertThatThrownBy(() -> a.queue(bad, 0, big, 0, 10)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("neither IPv4");
            byte[] v6 = UdpMedia.mediaAddr(sa("::1", 9));
            assertThatThrownBy(() -> a.queue(v6, 0, big, 0, 10)).isInstanceOfSatisfying(UdpBearerException.class,
                    e -> assertThat(e.reason()).isEqualTo(UdpBearerException.Reason.SEND_FAILED))
                    .hasMessageContaining("from IPv4 bearer");
            assertThat(a.sendBatch().queued()).isZero();
        }
    }

    @Test
    void queueBroadcastCopiesToEveryReplicastPeerAtFlush() throws Exception {
        try (UdpBearer a = open(); DatagramSocket r1 = receiver("127.0.0.2"); DatagramSocket r2 = receiver("127.0.0.3")) {
            a.addPeer((InetSocketAddress) r1.getLocalSocketAddress());
            a.addPeer((InetSocketAddress) r2.getLocalSocketAddress());
            byte[] f = data(7, 500), g = data(8, 14000);
            a.queueBroadcast(f, 0, f.length);
            a.queueBroadcast(g, 0, g.length);
            assertNothingWaiting(r1);
            assertThat(a.flush()).isEqualTo(4);
            for (DatagramSocket r : new DatagramSocket[] {r1, r2}) {
                assertThat(next(r)).isEqualTo(f);
                assertThat(next(r)).isEqualTo(g);
            }
        }
    }

    @Test
    void anIpv6BearerSendsEachQueuedFrameAtOnce() throws Exception {
        try (UdpBearer a = TestSupport.openRetrying(p -> UdpBearerConfig.local(sa("::1", p)).replicast());
                DatagramSocket r = receiver("::1")) {
            assertThat(a.holdsQueuedFrames()).isFalse();
            assertThat(a.sendBatch()).isNull();
            byte[] f = data(1, 1000);
            a.queue(media(r), 0, f, 0, f.length);
            assertThat(next(r)).isEqualTo(f); // no flush needed
            assertThat(a.flush()).isZero();
            assertThat(a.framesSent()).isEqualTo(1);
        }
    }
}
