package io.jtipc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jtipc.api.FaultyMedia;
import io.jtipc.api.LinkInfo;
import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcException;
import io.jtipc.api.TipcMessage;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcSocket;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15: one peer that never acknowledges must not stall {@code --echo} for the others. Three nodes over UDP
 * loopback: A runs the echo; C links, then freezes its link acknowledge ({@link FaultyMedia#freezeAcks}) and floods the
 * echo, so A's link to C fills (window, then backlog) and stays congested; B's echo round trips must stay under 1 s
 * throughout (the bound).
 */
@Timeout(120)
class RdmEchoCongestionTest {
    private static final Duration T = Duration.ofSeconds(20);
    private static final TipcAddress ECHO = TipcAddress.ofService(18950, 1);

    private static long upLinks(TipcNode n) {
        try {
            return n.links().stream().filter(LinkInfo::up).count();
        } catch (TipcException e) {
            return -1;
        }
    }

    @Test
    void aPeerThatNeverAcksCostsOnlyItsOwnEchoes() throws Exception {
        int p = 20000 + ThreadLocalRandom.current().nextInt(20000);
        AtomicReference<FaultyMedia> cMedia = new AtomicReference<>();
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
        try (TipcNode a = TipcNode.builder().identity("jt-echo-a")
                .bearer("udp:127.0.0.1:" + p + ",remote=127.0.0.2:" + p + ",remote=127.0.0.3:" + p).build();
             TipcNode b = TipcNode.builder().identity("jt-echo-b").bearer("udp:127.0.0.2:" + p + ",remote=127.0.0.1:" + p)
                     .build();
             TipcNode c = FaultyMedia.wrapping(TipcNode.builder().identity("jt-echo-c")
                     .bearer("udp:127.0.0.3:" + p + ",remote=127.0.0.1:" + p), m -> {
                         FaultyMedia f = new FaultyMedia(m);
                         cMedia.set(f);
                         return f;
                     }).build()) {
            List<CompletableFuture<Void>> starts = new ArrayList<>();
            for (TipcNode n : List.of(a, b, c)) {
                starts.add(CompletableFuture.runAsync(() -> {
                    try {
                        n.start();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            for (CompletableFuture<Void> f : starts) f.get(30, TimeUnit.SECONDS);
            long end = System.nanoTime() + T.toNanos();
            while (upLinks(a) < 2 || upLinks(b) < 1 || upLinks(c) < 1) {
                assertThat(System.nanoTime()).as("links up within 20 s").isLessThan(end);
                Thread.sleep(20);
            }
            RdmEcho echo = RdmEcho.start(a, ECHO, out);
            b.awaitBinding(x -> x.type() == ECHO.type(), T);
            c.awaitBinding(x -> x.type() == ECHO.type(), T);
            try (TipcSocket bs = TipcSocket.rdm(b); TipcSocket cs = TipcSocket.rdm(c)) {
                // a warm-up round trip each, acknowledged normally
                bs.send(ECHO, new byte[] {1});
                assertThat(bs.receive(T)).isNotNull();
                cs.send(ECHO, new byte[] {2});
                assertThat(cs.receive(T)).isNotNull();
                cMedia.get().freezeAcks();
                // c floods: 300 messages of 60 % of the link MTU (one per packet: no bundling, no fragments); a's
                // echoes to c are never acknowledged, so its link to c congests after window + backlog (UDP: 50 + 100
                // packets at low importance) and stays so
                int size = Math.min(60_000, a.links().stream().mapToInt(LinkInfo::mtu).min().orElseThrow() * 6 / 10);
                CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
                    try {
                        for (int i = 0; i < 300; i++) cs.send(ECHO, new byte[size]);
                    } catch (TipcException e) {
                        throw new RuntimeException(e);
                    }
                });
                long worstMs = 0;
                int probes = 0;
                long stop = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
                while (System.nanoTime() < stop || probes < 40) {
                    byte[] probe = ("probe " + probes).getBytes();
                    long t0 = System.nanoTime();
                    bs.send(ECHO, probe);
                    TipcMessage m = bs.receive(Duration.ofSeconds(12));
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    assertThat(m).as("echo of probe %d", probes).isNotNull();
                    assertThat(m.payload()).isEqualTo(probe);
                    worstMs = Math.max(worstMs, ms);
                    probes++;
                    Thread.sleep(20);
                }
                flood.get(30, TimeUnit.SECONDS);
                assertThat(echo.dropped()).as("c's echoes dropped: its link was congested").isPositive();
                assertThat(worstMs).as("b's worst echo round trip, ms, while c's link was congested").isLessThan(1000);
                assertThat(upLinks(a)).as("both of a's links stay up").isEqualTo(2);
                out.flush();
                assertThat(text.toString()).contains("ECHO dropped to ").contains(": link congested");
                echo.thread().interrupt();
            }
        }
    }
}
