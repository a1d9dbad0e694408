package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A bearer whose interface goes down (its media throws ENETDOWN, as an AF_PACKET socket on a down interface does) is
 * reset at once, as the kernel resets it on NETDEV_GOING_DOWN (bearer.c tipc_l2_device_event, tipc_reset_bearer):
 * its link is deleted and fails over to the parallel link, instead of staying until the tolerance finds the peer
 * silent; when the interface is back, discovery brings the link up again. Two nodes with two UDP bearers each on
 * loopback, unprivileged; the real-interface version is interop-tests' VethFailoverTest.
 */
@Timeout(90)
class InterfaceDownTest {
    private final Map<String, FaultyMedia> media = new ConcurrentHashMap<>();

    @Test
    void aDownInterfaceResetsItsBearerAndTheLinkComesBackWithIt() throws Exception {
        int p = 20000 + new Random().nextInt(30000);
        TipcNode.Builder ab = TipcNode.builder().identity("ifdA")
            .bearer("udp:127.0.0.1:" + p + ",remote=127.0.0.3:" + p + ",name=a1")
            .bearer("udp:127.0.0.2:" + p + ",remote=127.0.0.4:" + p + ",name=a2");
        ab = FaultyMedia.wrapping(ab, m -> {
            FaultyMedia f = new FaultyMedia(m);
            media.put(m.name(), f);
            return f;
        });
        try (TipcNode a = ab.start();
             TipcNode b = TipcNode.builder().identity("ifdB")
                 .bearer("udp:127.0.0.3:" + p + ",remote=127.0.0.1:" + p + ",name=b1")
                 .bearer("udp:127.0.0.4:" + p + ",remote=127.0.0.2:" + p + ",name=b2").start()) {
            for (String bearer : List.of("udp:a1", "udp:a2")) {
                a.awaitLink(x -> x.up() && x.bearer().equals(bearer), Duration.ofSeconds(20));
            }
            String name = a.links().stream().filter(x -> x.bearer().equals("udp:a1")).findFirst().orElseThrow().name();
            FaultyMedia a1 = media.values().stream().filter(f -> f.name().equals("udp:a1")).findFirst().orElseThrow();
            a1.netDown(true);
            // the link's next STATE (tolerance/4) meets ENETDOWN: the bearer is reset and the link deleted, not reset
            // by the tolerance (which would leave it listed, down, with "peer silent" as its reason)
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (a.links().stream().anyMatch(x -> x.name().equals(name)) && System.nanoTime() < end) Thread.sleep(5);
            assertThat(a.links()).as("the link on the down interface is deleted with its bearer's reset")
                .noneMatch(x -> x.name().equals(name));
            assertThat(a.links()).filteredOn(x -> x.bearer().equals("udp:a2")).singleElement()
                .satisfies(x -> assertThat(x.up()).isTrue())
                .satisfies(x -> assertThat(x.failoverSent()).as("the surviving link tunnelled (FAILOVER)").isPositive());
            a1.netDown(false);
            a.awaitLink(x -> x.up() && x.name().equals(name), Duration.ofSeconds(20));
            b.awaitLink(x -> x.up() && x.bearer().equals("udp:b1"), Duration.ofSeconds(20));
            assertThat(a.links()).hasSize(2).allMatch(LinkInfo::up);
        }
    }

    /**
     * A bearer enabled at run time sends its first discovery request while it is being enabled (disc.c
     * tipc_disc_create sends at once): the shell maps the bearer's slot before the core's enable, so that frame is not
     * dropped for want of a bearer (the discovery timer would only send the next one later).
     */
    @Test
    void theFirstDiscoveryRequestOfABearerEnabledAtRunTimeGoesOut() throws Exception {
        int p = 20000 + new Random().nextInt(30000);
        TipcNode.Builder ab = TipcNode.builder().identity("ifdC").bearer("udp:127.0.0.5:" + p + ",remote=127.0.0.6:" + p
            + ",name=c1");
        ab = FaultyMedia.wrapping(ab, m -> {
            FaultyMedia f = new FaultyMedia(m);
            media.put(m.name(), f);
            return f;
        });
        try (TipcNode a = ab.start()) {
            String name = a.addBearer("udp:127.0.0.7:" + p + ",remote=127.0.0.8:" + p + ",name=c2");
            FaultyMedia c2 = media.get(name);
            assertThat(c2).isNotNull();
            // the enable ran on the loop thread inside addBearer's call: its discovery request was sent before it returned
            assertThat(c2.framesOut.get()).as("frames sent while the bearer was enabled").isPositive();
        }
    }

    /** Two UDP bearers on one port without name= get the same default name: the refusal says how to fix it. */
    @Test
    void aSecondUnnamedUdpBearerOnThePortIsRefusedWithAHint() throws Exception {
        int p = 20000 + new Random().nextInt(30000);
        try (TipcNode a = TipcNode.builder().identity("ifdD").bearer("udp:127.0.0.9:" + p + ",remote=127.0.0.10:" + p)
                .start()) {
            assertThatThrownBy(() -> a.addBearer("udp:127.0.0.11:" + p + ",remote=127.0.0.12:" + p))
                .isInstanceOf(TipcException.class).hasMessageContaining("already enabled")
                .hasMessageContaining("give each one its own name=");
            assertThat(a.addBearer("udp:127.0.0.11:" + p + ",remote=127.0.0.12:" + p + ",name=d2")).isEqualTo("udp:d2");
        }
    }

    /**
     * A UDP port free on both 127.0.0.1 and 127.0.0.2 now (the kernel's choice for 127.0.0.1), so two nodes can use it
     * without colliding with another test's random port.
     */
    static int freePortOnBoth(String ip1, String ip2) throws java.io.IOException {
        for (int tries = 0; ; tries++) {
            try (java.net.DatagramSocket s1 = new java.net.DatagramSocket(0, java.net.InetAddress.getByName(ip1))) {
                int p = s1.getLocalPort();
                try (java.net.DatagramSocket s2 = new java.net.DatagramSocket(p, java.net.InetAddress.getByName(ip2))) {
                    return p;
                } catch (java.net.BindException e) {
                    if (tries >= 20) throw e;
                }
            }
        }
    }

    /**
     * A media that holds queued frames until a flush (as the Ethernet bearer's sendmmsg batch): a flush that sent frames
     * while the interface was up and was preempted before it returned must not clear the down state of a reset that
     * happened meanwhile, or the next ENETDOWN (a discovery frame) resets the bearer a second time for one outage.
     * Down, up, down again with such a stale flush: exactly two resets.
     */
    @Test
    void aStaleFlushDoesNotEndTheNextOutageSoOneOutageResetsTheBearerOnce() throws Exception {
        int p = freePortOnBoth("127.0.0.1", "127.0.0.3");
        TipcNode.Builder ab = TipcNode.builder().identity("ifdE").jmx(false)
            .bearer("udp:127.0.0.1:" + p + ",remote=127.0.0.3:" + p + ",name=e1");
        ab = FaultyMedia.wrapping(ab, m -> {
            FaultyMedia f = new FaultyMedia(m, true);
            media.put(m.name(), f);
            return f;
        });
        try (TipcNode a = ab.start();
             TipcNode b = TipcNode.builder().identity("ifdF").jmx(false)
                 .bearer("udp:127.0.0.3:" + p + ",remote=127.0.0.1:" + p + ",name=f1").start();
             TipcSocket rx = TipcSocket.rdm(b)) {
            FaultyMedia e1 = media.get("udp:e1");
            assertThat(e1).isNotNull();
            rx.bind(TipcAddress.ofService(18941, 1));
            a.awaitLink(x -> x.up(), Duration.ofSeconds(20));
            a.awaitBinding(x -> x.type() == 18941, Duration.ofSeconds(20));
            java.util.function.LongSupplier resets = a.bearerSet.netDownResets::sum;
            e1.netDown(true);
            waitFor(() -> resets.getAsLong() == 1, "first reset");
            e1.netDown(false);
            a.awaitLink(x -> x.up(), Duration.ofSeconds(20));
            assertThat(resets.getAsLong()).isEqualTo(1);
            // a thread whose flush sends its frames while the interface is up, then is preempted
            java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
            Thread t = new Thread(() -> {
                try (TipcSocket tx = TipcSocket.rdm(a)) {
                    for (int i = 0; i < 10_000 && !e1.awaitPaused(0); i++) {
                        tx.send(TipcAddress.ofService(18941, 1), new byte[100]);
                    }
                } catch (Throwable e) {
                    failed.set(e);
                }
            }, "stale-flush");
            e1.pauseFlushOf(t);
            t.start();
            assertThat(e1.awaitPaused(20_000)).as("the flush of the sending thread paused").isTrue();
            e1.netDown(true); // the second outage, while the stale flush waits
            waitFor(() -> resets.getAsLong() == 2, "second reset");
            long errors = a.bearerSet.sendErrors();
            e1.resumeFlush(); // the stale flush returns: it sent frames, but before this outage
            t.join(20_000);
            assertThat(failed.get()).isNull();
            // the bearer's next frames (discovery) meet ENETDOWN: counted, but no further reset for the same outage
            waitFor(() -> a.bearerSet.sendErrors() >= errors + 3, "three more failed sends on the down interface");
            assertThat(resets.getAsLong()).as("bearer resets for two outages").isEqualTo(2);
            e1.netDown(false);
            a.awaitLink(x -> x.up(), Duration.ofSeconds(20));
            assertThat(resets.getAsLong()).isEqualTo(2);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier c, String what) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!c.getAsBoolean()) {
            assertThat(System.nanoTime() < end).as(what).isTrue();
            Thread.sleep(2);
        }
    }
}
