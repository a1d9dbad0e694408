package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The node's MXBeans in the platform MBeanServer, between two TipcNodes over UDP on loopback: node, link and bearer
 * MBeans with the kernel's counters moving with traffic, the link MBeans following link churn (bearer disabled and
 * enabled under a new name, giving a new link name each time) without leaking, none left after close, none at all
 * with {@code jmx(false)}.
 */
@Timeout(120)
class NodeMBeansTest {
    private static final MBeanServer MBS = ManagementFactory.getPlatformMBeanServer();
    private static final Duration T = Duration.ofSeconds(20);

    private static Set<ObjectName> of(String identity) throws Exception {
        return MBS.queryNames(new ObjectName("io.jtipc:node=" + identity + ",*"), null);
    }

    private static Set<ObjectName> linksOf(String identity) throws Exception {
        return MBS.queryNames(new ObjectName("io.jtipc:type=Link,node=" + identity + ",*"), null);
    }

    private static void await(BooleanSupplier c, String what) throws InterruptedException {
        long end = System.nanoTime() + T.toNanos();
        while (!c.getAsBoolean() && System.nanoTime() < end) Thread.sleep(10);
        assertThat(c.getAsBoolean()).as(what).isTrue();
    }

    private static boolean registered(ObjectName on) {
        return MBS.isRegistered(on);
    }

    /**
     * The bearer MBean shows its socket shell's counters: frames refused by the send side (here a FaultyMedia refusing
     * unicast sends, as a full send queue would) appear in FramesNotSent, and the link still delivers once sends go
     * through again (it retransmits what was refused).
     */
    @Test
    void bearerMBeanShowsSendsTheMediaRefused() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a1 = "127.0.0.1:" + port, b1 = "127.0.0.2:" + port;
        AtomicReference<FaultyMedia> faulty = new AtomicReference<>();
        TipcNode a = FaultyMedia.wrapping(TipcNode.builder().identity("jmx-fa").bearer("udp:" + a1 + ",remote=" + b1
                + ",name=f0"), m -> {
                    FaultyMedia f = new FaultyMedia(m);
                    faulty.set(f);
                    return f;
                }).build();
        try (a; TipcNode b = TipcNode.builder().identity("jmx-fb").bearer("udp:" + b1 + ",remote=" + a1).build()) {
            TwoNodeChecks.startBoth(a, b);
            a.awaitLinkUp(T);
            b.awaitLinkUp(T);
            ObjectName bearer = new ObjectName("io.jtipc:type=Bearer,node=jmx-fa,bearer=" + ObjectName.quote("udp:f0"));
            await(() -> registered(bearer), "bearer MBean registered");
            assertThat(MBS.getAttribute(bearer, "FramesNotSent")).isEqualTo(0L);
            assertThat(MBS.getAttribute(bearer, "ReceiveErrors")).isEqualTo(0L);
            assertThat(MBS.getAttribute(bearer, "HandlerFailures")).isEqualTo(0L);
            try (TipcSocket srv = TipcSocket.rdm(b); TipcSocket cli = TipcSocket.rdm(a)) {
                srv.bind(TipcAddress.ofService(18894, 1));
                a.awaitBinding(x -> x.type() == 18894, T);
                faulty.get().refuseSends(true);
                for (int i = 0; i < 5; i++) cli.send(TipcAddress.ofService(18894, 1), TwoNodeChecks.numbered(i));
                long before = faulty.get().framesNotSent(); // link timers may refuse more frames meanwhile: read first
                long refused = (long) MBS.getAttribute(bearer, "FramesNotSent");
                assertThat(before).as("the five messages' frames at least").isGreaterThanOrEqualTo(5);
                assertThat(refused).as("the media's count, read through JMX").isGreaterThanOrEqualTo(before);
                faulty.get().refuseSends(false);
                for (int i = 0; i < 5; i++) {
                    TipcMessage m = srv.receive(T);
                    assertThat(m).as("message %d, retransmitted", i).isNotNull();
                    assertThat(m.payload()).isEqualTo(TwoNodeChecks.numbered(i));
                }
            }
        }
    }

    @Test
    void countersMoveChurnDoesNotLeakCloseUnregistersAll() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a1 = "127.0.0.1:" + port, b1 = "127.0.0.2:" + port;
        try (TipcNode b = TipcNode.builder().identity("jmx-b").bearer("udp:" + b1 + ",remote=" + a1 + ",name=mb").build()) {
            Thread sb = new Thread(() -> {
                try {
                    b.start();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            sb.start();
            try (TipcNode a = TipcNode.builder().identity("jmx-a").bearer("udp:" + a1 + ",remote=" + b1 + ",name=m0").start()) {
                sb.join();
                LinkInfo l = a.awaitLinkUp(T);
                ObjectName node = new ObjectName("io.jtipc:type=Node,node=jmx-a");
                ObjectName link = new ObjectName("io.jtipc:type=Link,node=jmx-a,link=" + ObjectName.quote(l.name()));
                ObjectName bearer = new ObjectName("io.jtipc:type=Bearer,node=jmx-a,bearer=" + ObjectName.quote("udp:m0"));
                assertThat(registered(node)).isTrue();
                await(() -> registered(link) && registered(bearer), "link and bearer MBeans registered");
                assertThat(MBS.getAttribute(node, "Identity")).isEqualTo("jmx-a");
                assertThat(MBS.getAttribute(node, "UpLinks")).isEqualTo(1);
                assertThat(MBS.getAttribute(link, "Up")).isEqualTo(true);
                assertThat(MBS.getAttribute(link, "State")).isEqualTo("ESTABLISHED");
                assertThat(MBS.getAttribute(link, "Tolerance")).isEqualTo(l.tolerance());
                assertThat(MBS.getAttribute(link, "Mtu")).isEqualTo(l.mtu());
                assertThat((int) MBS.getAttribute(link, "Priority")).isBetween(1, 31);
                assertThat(MBS.getAttribute(bearer, "Links")).isEqualTo(1);

                // traffic: an RDM message a -> b and back over the link moves RX/TX packets
                long tx0 = (long) MBS.getAttribute(link, "TxPackets");
                try (TipcSocket srv = TipcSocket.rdm(b); TipcSocket cli = TipcSocket.rdm(a)) {
                    srv.bind(TipcAddress.ofService(18893, 1));
                    a.awaitBinding(x -> x.type() == 18893, T);
                    for (int i = 0; i < 20; i++) cli.send(TipcAddress.ofService(18893, 1), new byte[100]);
                    for (int i = 0; i < 20; i++) assertThat(srv.receive(T)).isNotNull();
                }
                await(() -> {
                    try {
                        return (long) MBS.getAttribute(link, "TxPackets") >= tx0 + 20;
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, "TxPackets counts the 20 messages");
                MBS.invoke(link, "resetStats", null, null);
                assertThat((long) MBS.getAttribute(link, "TxPackets")).isLessThan(tx0 + 20);

                // churn: each cycle deletes the link (bearer disabled) and brings up one of another name
                String bearerName = "udp:m0";
                for (int i = 1; i <= 4; i++) {
                    a.removeBearer(bearerName);
                    bearerName = a.addBearer("udp:" + a1 + ",remote=" + b1 + ",name=m" + i);
                    String bn = bearerName;
                    LinkInfo up = a.awaitLink(x -> x.up() && x.bearer().equals(bn), T);
                    ObjectName now = new ObjectName("io.jtipc:type=Link,node=jmx-a,link=" + ObjectName.quote(up.name()));
                    await(() -> {
                        try {
                            return registered(now) && linksOf("jmx-a").size() == 1;
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    }, "exactly the live link's MBean after cycle " + i);
                }
                assertThat(registered(link)).as("the first link's MBean is gone with it").isFalse();
                assertThat(registered(bearer)).as("the disabled bearer's MBean is gone").isFalse();
                assertThat(of("jmx-a")).hasSize(3); // node, one link, one bearer
                a.close();
                assertThat(of("jmx-a")).as("nothing of the node is left after close").isEmpty();
            }
        }
        assertThat(of("jmx-b")).isEmpty();
        await(() -> jmxThreads("jtipc-jmx-jmx-").isEmpty(), "no JMX refresh thread of jmx-a or jmx-b is left after close");
    }

    /** Live threads whose name starts with {@code prefix}. */
    private static java.util.List<String> jmxThreads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
            .filter(n -> n.startsWith(prefix)).toList();
    }

    @Test
    void jmxOffRegistersNothing() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        try (TipcNode a = TipcNode.builder().identity("jmx-off").jmx(false)
                .bearer("udp:127.0.0.1:" + port + ",remote=127.0.0.2:" + port).start()) {
            assertThat(a.isRunning()).isTrue();
            assertThat(of("jmx-off")).isEmpty();
            assertThat(jmxThreads("jtipc-jmx-jmx-off")).isEmpty();
        }
    }

    @Test
    void namesAreQuotedWhereAnObjectNameNeedsIt() throws Exception {
        assertThat(NodeMBeans.value("plain-id")).isEqualTo("plain-id");
        assertThat(NodeMBeans.value("a,b=c:d")).isEqualTo(ObjectName.quote("a,b=c:d"));
        assertThat(NodeMBeans.value("\"*?")).isEqualTo(ObjectName.quote("\"*?"));
        // a peer-supplied link name with ObjectName syntax stays one key value
        String hostile = "x:y-evil,type=Node,node=*:\"q\"\n";
        ObjectName on = new ObjectName("io.jtipc:type=Link,node=n,link=" + ObjectName.quote(hostile));
        assertThat(ObjectName.unquote(on.getKeyProperty("link"))).isEqualTo(hostile);
        assertThat(on.getKeyProperty("type")).isEqualTo("Link");
    }
}
