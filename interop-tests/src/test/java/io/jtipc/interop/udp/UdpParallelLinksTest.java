package io.jtipc.interop.udp;

import io.jtipc.interop.RdmEcho;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import io.jtipc.api.LinkInfo;
import io.jtipc.api.LinkListener;
import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcMessage;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcSocket;

/**
 * Two jtipc nodes, each with two UDP bearers on loopback (bearer ids 0 and 1, planes A and B): one link per bearer
 * pair, both come up on both sides and stay up while 10 000 messages are echoed in order and without duplicates
 * (all traffic goes on one link, so none can overtake another). Unprivileged.
 */
class UdpParallelLinksTest {

    @Test
    void twoLinksBetweenTwoNodesBothUpTrafficInOrder() throws Exception {
        int p = 20000 + new Random().nextInt(30000);
        List<LinkInfo> downs = new CopyOnWriteArrayList<>();
        LinkListener l = new LinkListener() {
            @Override
            public void linkDown(LinkInfo i) {
                downs.add(i);
            }
        };
        try (TipcNode a = TipcNode.builder().identity("parA")
                    .bearer("udp:127.0.0.1:" + p + ",remote=127.0.0.3:" + p + ",name=a1")
                    .bearer("udp:127.0.0.2:" + p + ",remote=127.0.0.4:" + p + ",name=a2").start();
                TipcNode b = TipcNode.builder().identity("parB")
                    .bearer("udp:127.0.0.3:" + p + ",remote=127.0.0.1:" + p + ",name=b1")
                    .bearer("udp:127.0.0.4:" + p + ",remote=127.0.0.2:" + p + ",name=b2").start()) {
            a.addLinkListener(l);
            b.addLinkListener(l);
            a.awaitLink(x -> x.up() && x.name().equals("parA:a1-parB:b1"), Duration.ofSeconds(20));
            a.awaitLink(x -> x.up() && x.name().equals("parA:a2-parB:b2"), Duration.ofSeconds(20));
            b.awaitLink(x -> x.up() && x.name().equals("parB:b1-parA:a1"), Duration.ofSeconds(20));
            b.awaitLink(x -> x.up() && x.name().equals("parB:b2-parA:a2"), Duration.ofSeconds(20));
            System.err.println("[udp-parallel] A: " + a.links() + "\nB: " + b.links());
            try (TipcSocket echo = TipcSocket.rdm(b); TipcSocket s = TipcSocket.rdm(a)) {
                echo.bind(TipcAddress.ofService(18940, 1));
                AtomicBoolean run = new AtomicBoolean(true);
                Thread t = new Thread(() -> {
                    try {
                        while (run.get()) {
                            TipcMessage m = echo.receive(Duration.ofMillis(200));
                            if (m != null) echo.send(m.source(), m.payload());
                        }
                    } catch (Exception e) {
                        // closed
                    }
                });
                t.setDaemon(true);
                t.start();
                try {
                    a.awaitBinding(x -> x.type() == 18940, Duration.ofSeconds(10));
                    RdmEcho.pingPong(s, TipcAddress.ofService(18940, 1), 20, 66000);
                    UdpRdmScenario.inOrder(s, TipcAddress.ofService(18940, 1), 10_000, 48);
                } finally {
                    run.set(false);
                    t.join(2000);
                }
            }
            Thread.sleep(2000);
            assertThat(downs).isEmpty();
            assertThat(a.links()).hasSize(2).allMatch(LinkInfo::up);
            assertThat(b.links()).hasSize(2).allMatch(LinkInfo::up);
        }
    }
}
