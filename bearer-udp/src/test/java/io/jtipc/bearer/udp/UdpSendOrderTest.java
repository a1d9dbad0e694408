package io.jtipc.bearer.udp;

import static io.jtipc.bearer.udp.TestSupport.data;
import static io.jtipc.bearer.udp.TestSupport.sa;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.SocketTimeoutException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/**
 * The IPv4 UDP send batch ({@link UdpTx}) across threads: a frame sent at once does not overtake frames queued before
 * it that a concurrent flush is still sending, and no frame a queue accepted is lost when the batch closes meanwhile.
 * Count-based: a bounded number of rounds, every violation counted, none allowed.
 */
class UdpSendOrderTest {

    private static int nextSeq(DatagramSocket s, byte[] buf) throws IOException {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.receive(p);
        return TestSupport.seqOf(buf);
    }

    private static UdpBearer open() throws IOException {
        return TestSupport.openRetrying(p -> UdpBearerConfig.local(sa("127.0.0.1", p)).replicast());
    }

    /**
     * Round k: this thread queues 16 frames (14000 bytes each), lets the other thread go and flushes; the other
     * thread waits until the flush has taken the batch (nothing is queued any more) and sends one frame at once. That
     * frame was sent after the 16 were queued, so it must arrive after them, also while this thread's flush is still
     * in its sendmmsg (before the fix it went out beside it).
     */
    @Test
    void aFrameSentAtOnceNeverOvertakesABatchAConcurrentFlushIsSending() throws Exception {
        int rounds = 200;
        int queued = 16;
        try (UdpBearer a = open(); DatagramSocket r = TestSupport.receiver("127.0.0.2")) {
            byte[] d = TestSupport.media(r);
            byte[][] frames = new byte[queued][];
            for (int j = 0; j < queued; j++) {
                frames[j] = data(j, 14000);
            }
            UdpTx tx = a.sendBatch();
            AtomicInteger roundsQueued = new AtomicInteger();
            Semaphore sent = new Semaphore(0);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread direct = new Thread(() -> {
                byte[] f = data(1000, 100);
                try {
                    for (int k = 0; k < rounds; k++) {
                        while (roundsQueued.get() <= k) {
                            Thread.onSpinWait(); // bounded: this round's frames are being queued
                        }
                        while (tx.queued() > 0) {
                            Thread.onSpinWait(); // bounded: the flush is about to take them
                        }
                        a.send(d, 0, f, 0, f.length);
                        sent.release();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                    sent.release(rounds);
                }
            }, "direct-sender");
            direct.start();
            byte[] buf = new byte[UdpBearer.MAX_FRAME];
            int overtaken = 0;
            for (int k = 0; k < rounds; k++) {
                for (int j = 0; j < queued; j++) {
                    a.queue(d, 0, frames[j], 0, frames[j].length);
                }
                roundsQueued.incrementAndGet();
                a.flush();
                sent.acquire();
                assertThat(failure.get()).isNull();
                int position = -1;
                for (int j = 0; j <= queued; j++) {
                    if (nextSeq(r, buf) == 1000) {
                        position = j;
                    }
                }
                if (position != queued) {
                    overtaken++;
                }
            }
            direct.join();
            assertThat(overtaken).as("rounds of %d in which the frame sent at once overtook queued frames", rounds).isZero();
        }
    }

    /**
     * A thread queues small frames without pause while the batch closes; every frame whose queue returned normally
     * must arrive (the close sends it), every later queue throws CLOSED. 30 rounds.
     */
    @Test
    void noFrameAQueueAcceptedIsLostWhenTheBatchClosesMeanwhile() throws Exception {
        int lost = 0;
        int accepted = 0;
        for (int round = 0; round < 30; round++) {
            try (UdpBearer a = open(); DatagramSocket r = TestSupport.receiver("127.0.0.2")) {
                byte[] d = TestSupport.media(r);
                UdpTx tx = a.sendBatch();
                AtomicInteger ok = new AtomicInteger();
                AtomicReference<Throwable> failure = new AtomicReference<>();
                Thread q = new Thread(() -> {
                    byte[] f = data(1, 64);
                    try {
                        for (int i = 0; i < 400; i++) {
                            tx.queue(d, 0, f, 0, f.length);
                            ok.incrementAndGet();
                        }
                    } catch (UdpBearerException e) {
                        if (e.reason() != UdpBearerException.Reason.CLOSED) {
                            failure.set(e);
                        }
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                }, "queuer");
                q.start();
                while (ok.get() < 50 && q.isAlive()) {
                    Thread.onSpinWait();
                }
                tx.close();
                q.join();
                assertThat(failure.get()).isNull();
                int n = ok.get();
                accepted += n;
                byte[] buf = new byte[100];
                r.setSoTimeout(200); // only bounds the wait for a datagram that never comes; counted, not timed
                int got = 0;
                try {
                    while (got < n + 1) {
                        r.receive(new DatagramPacket(buf, buf.length));
                        got++;
                    }
                } catch (SocketTimeoutException e) {
                    // all that will come has come
                }
                assertThat(got).as("round %d: more datagrams than accepted frames", round).isLessThanOrEqualTo(n);
                lost += n - got;
            }
        }
        assertThat(accepted).isPositive();
        assertThat(lost).as("frames accepted by queue and never sent, of %d", accepted).isZero();
    }
}
