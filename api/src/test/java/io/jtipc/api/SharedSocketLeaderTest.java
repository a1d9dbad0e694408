package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jtipc.bearer.udp.UdpBearer;

/**
 * Two threads share one RDM socket and each waits for the answer to its own request while one of them leads the UDP
 * bearer's receive ({@link SocketRxQueue.Leader}). The bearer gets no datagrams at all (its only peer address does not
 * exist), the answers come from a local socket, so only {@link SocketRxQueue#offer} can wake the leader: a second
 * thread entering the lead must not make the queue forget the real leader (reviewer's finding, issue 14).
 */
@Timeout(120)
class SharedSocketLeaderTest {
    /** Generous bound for both answers (the receive timeouts are far above it, so the failure is clear). */
    static final Duration BOUND = Duration.ofSeconds(5);
    static final Duration RECEIVE_TIMEOUT = Duration.ofSeconds(60);

    @Test
    void bothThreadsSharingASocketGetTheirAnswersWhileOneLeads() throws Exception {
        run(false);
    }

    /** The second thread leads the node's second bearer for the same socket: a message must wake both leaders. */
    @Test
    void bothThreadsSharingASocketGetTheirAnswersWhileEachLeadsABearer() throws Exception {
        run(true);
    }

    private static void run(boolean twoBearers) throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        TipcNode.Builder nb = TipcNode.builder().identity("jt-shared-lead")
                .bearer("udp:127.0.0.1:" + port + ",remote=127.0.0.3:" + port);
        if (twoBearers) nb.bearer("udp:127.0.0.4:" + (port + 1) + ",remote=127.0.0.5:" + (port + 1));
        try (TipcNode n = nb.start(); TipcSocket echo = TipcSocket.rdm(n); TipcSocket client = TipcSocket.rdm(n)) {
            UdpBearer udp = (UdpBearer) n.bearerSet.list().get(0).media();
            UdpBearer udp2 = twoBearers ? (UdpBearer) n.bearerSet.list().get(1).media() : null;
            TipcAddress dest = TipcAddress.ofSocket(echo.port(), n.address());
            AtomicReference<Throwable> failed = new AtomicReference<>();
            AtomicInteger answered = new AtomicInteger();
            Thread[] t2 = new Thread[1];
            // the echo answers only once both requests are in and the second thread waits on the queue's monitor
            Thread server = new Thread(() -> {
                try {
                    TipcAddress[] src = new TipcAddress[2];
                    ByteBuffer buf = ByteBuffer.allocate(16);
                    TipcMessageInfo info = new TipcMessageInfo();
                    for (int i = 0; i < 2; i++) {
                        buf.clear();
                        if (echo.receive(buf, info, RECEIVE_TIMEOUT) < 0) throw new AssertionError("no request " + i);
                        src[i] = info.source();
                    }
                    long end = System.nanoTime() + BOUND.toNanos();
                    if (twoBearers) {
                        while (!udp2.leading() && System.nanoTime() < end) Thread.sleep(5);
                    } else {
                        while (t2[0].getState() != Thread.State.TIMED_WAITING && System.nanoTime() < end) {
                            Thread.sleep(5);
                        }
                    }
                    for (TipcAddress s : src) echo.send(s, new byte[] {1});
                } catch (Throwable e) {
                    failed.set(e);
                }
            }, "shared-lead-echo");
            server.setDaemon(true);
            server.start();

            Runnable request = () -> {
                try {
                    client.send(dest, new byte[] {7});
                    ByteBuffer rb = ByteBuffer.allocate(16);
                    if (client.receive(rb, new TipcMessageInfo(), RECEIVE_TIMEOUT) == 1) answered.incrementAndGet();
                } catch (Throwable e) {
                    failed.set(e);
                }
            };
            Thread t1 = new Thread(request, "shared-lead-1");
            t1.setDaemon(true);
            t1.start();
            long end = System.nanoTime() + BOUND.toNanos();
            while (!udp.leading() && System.nanoTime() < end) Thread.sleep(1); // t1 leads the bearer
            assertThat(udp.leading()).as("the first thread leads").isTrue();
            t2[0] = new Thread(request, "shared-lead-2");
            t2[0].setDaemon(true);
            long start = System.nanoTime();
            t2[0].start();

            long left = BOUND.toMillis();
            t1.join(left);
            t2[0].join(Math.max(1, left - (System.nanoTime() - start) / 1_000_000));
            assertThat(failed.get()).isNull();
            assertThat(t1.isAlive() || t2[0].isAlive()).as("a thread still waits for its answer after %s", BOUND)
                .isFalse();
            assertThat(answered.get()).isEqualTo(2);
        }
    }
}
