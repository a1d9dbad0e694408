package io.jtipc.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.jtipc.api.LinkInfo;
import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcSocket;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link TipcMetrics} in a {@link SimpleMeterRegistry} over two TipcNodes on UDP loopback: bound before any link
 * exists, the link is picked up when it comes up; RX/TX packet counters move with RDM traffic on both ends; a link
 * deleted (its bearer disabled) loses its meters and the new link gets them; close removes every meter.
 */
@Timeout(120)
class TipcMetricsTest {
    private static final Duration T = Duration.ofSeconds(20);

    private static void await(BooleanSupplier c, String what) throws InterruptedException {
        long end = System.nanoTime() + T.toNanos();
        while (!c.getAsBoolean() && System.nanoTime() < end) Thread.sleep(10);
        assertThat(c.getAsBoolean()).as(what).isTrue();
    }

    private static double count(SimpleMeterRegistry r, String name, String link) {
        FunctionCounter c = r.find(name).tag("link", link).functionCounter();
        return c == null ? -1 : c.count();
    }

    @Test
    void countersMoveWithTrafficAndFollowTheLinks() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a1 = "127.0.0.1:" + port, b1 = "127.0.0.2:" + port;
        SimpleMeterRegistry ra = new SimpleMeterRegistry(), rb = new SimpleMeterRegistry();
        try (TipcNode b = TipcNode.builder().identity("mm-b").jmx(false)
                 .bearer("udp:" + b1 + ",remote=" + a1 + ",name=mb").build();
             TipcNode a = TipcNode.builder().identity("mm-a").jmx(false)
                 .bearer("udp:" + a1 + ",remote=" + b1 + ",name=m0").build();
             TipcMetrics ma = new TipcMetrics(a); TipcMetrics mb = new TipcMetrics(b)) {
            ma.bindTo(ra); // before start: no link yet
            mb.bindTo(rb);
            assertThat(ma.boundLinks()).isEmpty();
            Thread sb = new Thread(() -> {
                try {
                    b.start();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            sb.start();
            a.start();
            sb.join();
            LinkInfo la = a.awaitLinkUp(T);
            LinkInfo lb = b.awaitLinkUp(T);
            await(() -> ma.boundLinks().contains(la.name()) && mb.boundLinks().contains(lb.name()),
                "links that came up after bindTo are bound");
            assertThat(ra.find("tipc.link.up").tag("link", la.name()).tag("node", "mm-a").tag("bearer", "udp:m0")
                .gauge().value()).isEqualTo(1.0);
            assertThat(ra.find("tipc.node.links.up").gauge().value()).isEqualTo(1.0);
            assertThat(ra.find("tipc.link.tolerance").tag("link", la.name()).gauge().value()).isEqualTo(la.tolerance());

            double tx0 = count(ra, "tipc.link.tx.packets", la.name());
            double rx0 = count(rb, "tipc.link.rx.packets", lb.name());
            double states0 = count(ra, "tipc.link.tx.states", la.name());
            assertThat(states0).as("the STATE counter is bound").isGreaterThanOrEqualTo(0);
            try (TipcSocket srv = TipcSocket.rdm(b); TipcSocket cli = TipcSocket.rdm(a)) {
                srv.bind(TipcAddress.ofService(18894, 1));
                a.awaitBinding(x -> x.type() == 18894, T);
                for (int i = 0; i < 30; i++) cli.send(TipcAddress.ofService(18894, 1), new byte[200]);
                for (int i = 0; i < 30; i++) assertThat(srv.receive(T)).isNotNull();
            }
            await(() -> count(ra, "tipc.link.tx.packets", la.name()) >= tx0 + 30, "a's TX packets count the 30 messages");
            await(() -> count(rb, "tipc.link.rx.packets", lb.name()) >= rx0 + 30, "b's RX packets count the 30 messages");
            // a's link sends STATE messages (acknowledgements, probes of the link timer): the counter grows
            await(() -> count(ra, "tipc.link.tx.states", la.name()) > states0, "a's TX states grow");

            // the link is deleted with its bearer; the new bearer's link (another name) replaces its meters
            a.removeBearer("udp:m0");
            a.addBearer("udp:" + a1 + ",remote=" + b1 + ",name=m1");
            LinkInfo l2 = a.awaitLink(x -> x.up() && x.bearer().equals("udp:m1"), T);
            await(() -> {
                ma.refresh();
                return ma.boundLinks().equals(java.util.List.of(l2.name()));
            }, "only the live link is bound");
            assertThat(ra.find("tipc.link.tx.packets").tag("link", la.name()).functionCounter())
                .as("the deleted link's meters are removed").isNull();
            assertThat(ra.find("tipc.link.tx.packets").tag("link", l2.name()).functionCounter()).isNotNull();

            ma.close();
            assertThat(ra.getMeters()).as("close removes every meter").isEmpty();
            for (Meter m : rb.getMeters()) assertThat(m.getId().getTag("node")).isEqualTo("mm-b");
        }
    }
}
