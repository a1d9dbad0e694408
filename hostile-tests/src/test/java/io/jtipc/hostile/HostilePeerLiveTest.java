package io.jtipc.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jtipc.api.TipcNode;
import io.jtipc.nametable.PublicationItem;
import io.jtipc.node.HostileKit;
import io.jtipc.node.Link;
import io.jtipc.node.MediaType;
import io.jtipc.node.SocketType;
import io.jtipc.wire.Tipc;

/**
 * Issue 15's acceptance over UDP loopback: each attack, scaled up 2x, against {@code jtipc node --echo} running in a
 * child JVM with {@code -Xmx512m} ({@link TargetJvm}), while an honest {@link TipcNode} in this JVM pings the echo
 * service every 100 ms ({@link EchoPinger}). After each attack: every honest echo came back within 1 s, the honest link
 * never went down, the child is alive with no OutOfMemoryError and its heap after a full GC is under
 * {@value #HEAP_BOUND_MIB} MiB, and its log names an attacker (address or identity) at least once (where the issue
 * says the attack must show) and each attacker at most {@value #MAX_ATTACK_LINES} times (rate-limited).
 *
 * <p>Every test uses its own addresses 127.15.N.x and a random port, and kills its child on the way out. Traffic goes
 * to 127.0.0.0/8 only. Each attack is bounded in count and in time (flood loops stop at a deadline).
 */
@Timeout(value = 90)
class HostilePeerLiveTest {
    /** Heap the child may use after a full GC once an attack is over: half its -Xmx. */
    static final long HEAP_BOUND_MIB = 256;
    /** Most log lines (not link up/down) naming one attacker per attack: "once", rate-limited, with slack. */
    static final int MAX_ATTACK_LINES = 5;
    static final int NET_ID = 4711;
    private static final AtomicInteger NEXT = new AtomicInteger(ThreadLocalRandom.current().nextInt(200));

    final int subnet = 16 + NEXT.getAndIncrement() % 220;
    final int port = 20000 + ThreadLocalRandom.current().nextInt(40000);
    final List<AutoCloseable> toClose = new ArrayList<>();
    TargetJvm target;
    TipcNode honest;
    EchoPinger pinger;

    String ip(int host) {
        return "127.15." + subnet + "." + host;
    }

    InetSocketAddress sa(int host) {
        return new InetSocketAddress(ip(host), port);
    }

    /** Starts the target (host 1) knowing hosts 2 (honest) and {@code peers}, then the honest node and its pinger. */
    void start(String name, int... peers) throws Exception {
        StringBuilder bearer = new StringBuilder("udp:" + ip(1) + ":" + port + ",remote=" + ip(2) + ":" + port);
        for (int h : peers) bearer.append(",remote=").append(ip(h)).append(':').append(port);
        target = new TargetJvm("target-" + name, bearer.toString());
        toClose.add(target);
        honest = honestNode("honest-" + subnet, 2);
        honest.awaitBinding(b -> b.type() == TargetJvm.ECHO_TYPE, Duration.ofSeconds(10));
        pinger = new EchoPinger(honest);
        toClose.add(pinger);
        Thread.sleep(500);
        assertThat(pinger.problems()).as("pinger before the attack").isEmpty();
    }

    TipcNode honestNode(String identity, int host) throws Exception {
        TipcNode n = TipcNode.builder().identity(identity)
            .bearer("udp:" + ip(host) + ":" + port + ",remote=" + ip(1) + ":" + port).start();
        toClose.add(n);
        n.awaitLinkUp(Duration.ofSeconds(10));
        return n;
    }

    /** A hostile peer on {@code host}, linked with the target. */
    UdpAttacker attacker(String identity, int host, String ifName) throws Exception {
        UdpAttacker a = new UdpAttacker(identity, sa(host), sa(1), NET_ID, ifName);
        toClose.add(a);
        long end = System.nanoTime() + 10_000_000_000L;
        while (a.targetAddress() == 0 && System.nanoTime() < end) Thread.sleep(20);
        assertThat(a.awaitLink(a.targetAddress(), 10_000)).as(a + " links with the target").isTrue();
        Thread.sleep(300);
        return a;
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                // go on closing the rest
            }
        }
    }

    /**
     * The target's log lines naming {@code a}, link lifecycle lines excepted: by its IP, its identity (link names),
     * its node address in hex, or its UDP media address in hex (as the discovery rate limiter reports a source).
     */
    List<String> attackLines(UdpAttacker a) {
        List<String> names = new ArrayList<>(List.of(a.self.getAddress().getHostAddress(), a.identity,
            java.util.HexFormat.of().formatHex(a.maddr)));
        int addr = a.address();
        if (addr != 0) names.add(Integer.toHexString(addr));
        return target.stderr().lines()
            .filter(l -> names.stream().anyMatch(l::contains))
            .filter(l -> !l.contains("Established link") && !l.contains("Lost link") && !l.contains("down: its bindings"))
            .toList();
    }

    /** What must hold after every attack (see the class comment); {@code logged}: the attack must show in the log. */
    void assertSurvived(String attack, boolean logged, UdpAttacker... attackers) throws Exception {
        Thread.sleep(1000);
        String tail = tail(target.stderr());
        assertThat(target.process.isAlive()).as(attack + ": target alive; log tail:\n" + tail).isTrue();
        assertThat(target.stderr()).as(attack + ": target log").doesNotContain("OutOfMemoryError");
        assertThat(pinger.problems()).as(attack + ": honest echoes; " + pinger + "; log tail:\n" + tail).isEmpty();
        assertThat(pinger.worstMs()).as(attack + ": worst honest echo, ms").isLessThan(EchoPinger.BOUND_MS);
        assertThat(pinger.linkDowns()).as(attack + ": honest link downs").isEmpty();
        assertThat(pinger.answered()).as(attack + ": honest echoes answered").isPositive();
        long heap = target.heapUsedAfterGc();
        assertThat(heap).as(attack + ": target heap after GC, bytes (-1: jcmd failed)")
            .isBetween(0L, HEAP_BOUND_MIB << 20);
        List<String> all = new ArrayList<>();
        for (UdpAttacker a : attackers) {
            List<String> lines = attackLines(a);
            all.addAll(lines);
            assertThat(lines).as(attack + ": log lines naming " + a + " (rate-limited)")
                .hasSizeLessThanOrEqualTo(MAX_ATTACK_LINES);
        }
        // "the attack shows in the log once": a line naming an attacker (with two attackers at once, a rate limit
        // per kind of line may print only the first one's)
        if (logged) assertThat(all).as(attack + ": the log names an attacker; log tail:\n" + tail).isNotEmpty();
    }

    static String tail(String s) {
        List<String> l = s.lines().toList();
        return String.join("\n", l.subList(Math.max(0, l.size() - 15), l.size()));
    }

    // ====================================================================== (a) out-of-order flood

    /**
     * Two peers each send, twice, the whole 8 190-packet receive window of 65 000-byte packets behind a seqno they
     * never send (~530 MB per peer and round). Fails on the unfixed node: OutOfMemoryError in the receive thread
     * (the process lives on, deaf), the honest echo stops.
     */
    @Test
    void outOfOrderFlood() throws Exception {
        start("ooo", 10, 11);
        UdpAttacker[] evil = {attacker("evil-ooo-1", 10, "evil"), attacker("evil-ooo-2", 11, "evil")};
        int size = 65_000;
        List<Thread> threads = new ArrayList<>();
        for (UdpAttacker a : evil) {
            Thread t = new Thread(() -> {
                try {
                    for (int round = 0; round < 2; round++) {
                        int ta = a.targetAddress();
                        if (!a.awaitLink(ta, 5000)) return;
                        int own = a.address();
                        long end = System.nanoTime() + 20_000_000_000L;
                        for (int i = 0; i < HostileKit.receiveWindow() - 1 && System.nanoTime() < end; i++) {
                            int k = i;
                            byte[] f = a.withCore(c -> {
                                Link l = a.link(c, ta);
                                return l == null ? null : HostileKit.floodPacket(own, l, k, size);
                            });
                            if (f == null) break;
                            a.sendRaw(f);
                            if (i % 8 == 7) Thread.sleep(1);
                        }
                        Thread.sleep(500);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "flood-" + a.identity);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) t.join(60_000);
        assertSurvived("out-of-order flood", true, evil);
    }

    // ====================================================================== (b) binding flood

    /** 261 600 publications on one service range (2x the 130 800: 41 s freeze), then node-down withdrawal. */
    @Test
    void bindingFloodOnOneRange() throws Exception {
        start("range", 20);
        UdpAttacker a = attacker("evil-range", 20, "evil");
        bindingFlood(a, 261_600, i -> new PublicationItem(70_000, 5, 5, 1 + (i & 0xffff), i));
        assertSurvived("binding flood on one range", true, a);
    }

    /** 392 400 publications from one peer on distinct ranges (2x the 196 200: +160 MB, no per-peer limit). */
    @Test
    void bindingFloodFromOnePeer() throws Exception {
        start("peer", 21);
        UdpAttacker a = attacker("evil-peer", 21, "evil");
        bindingFlood(a, 392_400, i -> new PublicationItem(80_000 + (i >>> 16), i, i, 1, i));
        assertSurvived("binding flood from one peer", true, a);
    }

    private void bindingFlood(UdpAttacker a, int total, java.util.function.IntFunction<PublicationItem> item)
        throws Exception {
        int ta = a.targetAddress();
        int mss = a.withCore(c -> a.link(c, ta).mss());
        List<byte[]> bulks = HostileKit.publicationBulks(a.address(), ta, mss, total, item);
        long end = System.nanoTime() + 40_000_000_000L;
        int sent = 0;
        while (sent < bulks.size() && System.nanoTime() < end) {
            byte[] b = bulks.get(sent);
            boolean ok = a.withCore(c -> {
                Link l = a.link(c, ta);
                if (l == null || !HostileKit.hasRoom(l)) return false;
                HostileKit.inject(l, b, a.now(), a);
                return true;
            });
            if (ok) sent++;
            else Thread.sleep(1);
        }
        // node-down withdrawal of everything the target accepted: the attacker leaves (RESET, peer stopping)
        Thread.sleep(1000);
        a.shutdown();
        Thread.sleep(3000);
    }

    // ====================================================================== (c) discovery flood

    /**
     * 12 000 DSC_REQ with fresh 128-bit ids (2x the 6 000 that filled the peer table), repeated every 3 s; a new
     * honest node must link within 10 s. Fails on the unfixed node: the newcomer stays out, nothing is logged.
     */
    @Test
    void discoveryFlood() throws Exception {
        start("disc", 3, 30);
        UdpAttacker a = attacker("evil-disc", 30, "evil");
        Random rnd = new Random(30);
        AtomicBoolean stop = new AtomicBoolean();
        Thread flood = new Thread(() -> {
            long end = System.nanoTime() + 25_000_000_000L;
            try {
                while (!stop.get() && System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < 12_000 && !stop.get(); i++) {
                        a.sendRaw(HostileKit.freshDiscoveryRequest(rnd, NET_ID, MediaType.UDP, a.maddr));
                        if (i % 16 == 15) Thread.sleep(1);
                    }
                    long rest = 3000 - (System.nanoTime() - t0) / 1_000_000;
                    if (rest > 0) Thread.sleep(rest);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "discovery-flood");
        flood.start();
        try {
            Thread.sleep(1500); // the table is full before the newcomer starts
            long t0 = System.nanoTime();
            TipcNode newcomer = TipcNode.builder().identity("newcomer-" + subnet)
                .bearer("udp:" + ip(3) + ":" + port + ",remote=" + ip(1) + ":" + port).start();
            toClose.add(newcomer);
            boolean linked;
            try {
                newcomer.awaitLinkUp(Duration.ofSeconds(10));
                linked = true;
            } catch (Exception e) {
                linked = false;
            }
            double s = (System.nanoTime() - t0) / 1e9;
            assertThat(linked).as("new honest node linked within 10 s during the flood (%.1f s)", s).isTrue();
            Thread.sleep(3000); // one more re-flood with the newcomer linked
            assertThat(newcomer.links()).as("newcomer's link after a re-flood").anyMatch(l -> l.up());
        } finally {
            stop.set(true);
            flood.join(5000);
        }
        assertSurvived("discovery flood", true, a);
    }

    // ====================================================================== (d) a peer that never acknowledges

    /**
     * A peer links, then never acknowledges the target's data (it answers STATE, so the link stays up) while it sends
     * 400 requests of 10 000 bytes (one link packet each: no bundling) to the echo service: the target's link to it
     * fills its window and backlog (50 + 50 packets on UDP). Fails on the unfixed node: the echo thread blocks up to 10 s in each send to
     * the congested peer, and the honest echoes stop.
     */
    @Test
    void nonAckingPeer() throws Exception {
        start("deaf", 40);
        UdpAttacker a = attacker("evil-deaf", 40, "evil");
        long end = System.nanoTime() + 10_000_000_000L;
        while (!a.withCore(c -> c.bindingTable() != null
            && c.bindingTable().lookupAnycast(TargetJvm.ECHO_TYPE, TargetJvm.ECHO_INSTANCE, 0) != null)) {
            assertThat(System.nanoTime()).as("attacker sees the echo binding").isLessThan(end);
            Thread.sleep(20);
        }
        a.deafTo = m -> m.user() != Tipc.LINK_PROTOCOL && m.user() != Tipc.LINK_CONFIG;
        int sp = a.withCore(c -> c.openSocket(SocketType.RDM, d -> true));
        byte[] req = new byte[10_000];
        for (int i = 0; i < 400; i++) {
            a.withCore(c -> c.sendToName(a.now(), sp, TargetJvm.ECHO_TYPE, TargetJvm.ECHO_INSTANCE, 0, req, 0,
                req.length, a));
            if (i % 10 == 9) Thread.sleep(20);
        }
        Thread.sleep(6000); // the echo thread meets the congested link for a while
        assertSurvived("non-acking peer", false, a);
    }

    // ====================================================================== (e) control characters in peer strings

    /**
     * A peer announces the interface name "\n[INFO] forged ESC[31m" in RESET/ACTIVATE, links and leaves:
     * the target's console output and log hold no raw control character and no forged line. Fails on the unfixed
     * node: "LINK up" and the INFO lines print the name raw.
     */
    @Test
    void forgedInterfaceName() throws Exception {
        start("esc", 50);
        UdpAttacker a = attacker("evil-esc", 50, HostileKit.FORGED_IF_NAME);
        a.shutdown(); // a RESET with the name again, and the link down lines name the link
        Thread.sleep(1500);
        for (String line : target.lines()) {
            assertThat(line).as("forged log line in the target's output").doesNotStartWith("[INFO] forged");
            assertThat(HostileKit.controlCharAt(line.replace("\t", " ")))
                .as("raw control character in the target's output line '%s'", line).isEqualTo(-1);
        }
        assertThat(target.stdout()).as("the peer's link shows up on the console").contains("LINK up");
        assertSurvived("forged interface name", false, a);
    }
}
