package io.jtipc.interop.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import io.jtipc.api.LinkInfo;
import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcConnection;
import io.jtipc.api.TipcMessage;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcServerSocket;
import io.jtipc.api.TipcSocket;
import io.jtipc.lab.Host;

/**
 * Issue 12's first acceptance bullet on a real network: two jtipc nodes, each in its own network namespace created
 * here, joined by two veth pairs ({@code v0} and {@code v1} in both namespaces, no addresses, no route anywhere);
 * each node has two Ethernet (AF_PACKET) bearers {@code eth:v0} and {@code eth:v1} of equal priority, so two
 * parallel links that share the load by the sending port's selector. One JVM: each bearer's socket is opened in its
 * node's namespace ({@link TipcNode.Builder#netns}), the sockets stay there.
 *
 * <p>Each scenario runs one transfer from node A to node B — 100 000 numbered RDM messages, 50 MB over a SEQPACKET
 * connection (numbered messages of varying size, each one's content checked), 50 MB over a STREAM connection (every
 * byte checked against its offset) — and, once a fifth of it is through, takes the interface of the link carrying it
 * down in A's namespace ({@code ip link set DEV down}); in the "down-up" run the interface comes back up while the
 * transfer goes on, so the link is re-established and synchronised (SYNCH) mid-stream. The transfer must arrive
 * whole: no message or byte lost, duplicated or reordered. Counters: the surviving link tunnelled (FAILOVER) the
 * failed link's packets, the returning link was synchronised (SYNCH), and with equal priorities both links carry
 * traffic of ports with even and odd selectors.
 *
 * <p>Needs root (network namespaces, veth, AF_PACKET); skipped with the reason otherwise. No qemu. Namespaces are
 * named {@code jtipc-lab-PID-90x} so the lab's stale-namespace sweep removes them if this JVM dies before
 * {@link #tearDown}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 240)
class VethFailoverTest {
    private static final int RDM_COUNT = 100_000;
    private static final int RDM_SIZE = 200;
    /** RDM messages sent and not yet acknowledged by the receiver, at most (its socket's receive limit is 2 MiB). */
    private static final int RDM_WINDOW = 2_000;
    private static final int RDM_ACK_EVERY = 250;
    private static final long CONN_BYTES = 50L << 20;
    private static final int SERVICE = 18_950;
    private static final Duration LINK_WAIT = Duration.ofSeconds(20);
    private static final Duration TRANSFER_WAIT = Duration.ofSeconds(90);
    /**
     * Longest acceptable time from {@code ip link set DEV down} to A's link on DEV being down, ms: the bearer is reset on
     * the ENETDOWN of the next send on it (the transfer's packets, or at the latest the link's STATE probe every
     * tolerance/4 = 375 ms while its window is full), as the kernel resets it on NETDEV_GOING_DOWN — under the 1500 ms
     * Ethernet link tolerance after which the silent peer would take the link down otherwise (about 2 s in practice).
     */
    private static final long DETECTION_MS = 1000;
    /** The name of A's link that was deleted by the bearer reset in the current scenario (a new one replaces it). */
    private static String vanished;

    private static String nsA;
    private static String nsB;
    private static TipcNode a;
    private static TipcNode b;
    private static final List<String> report = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        String why = unavailableReason();
        assumeTrue(why == null, why);
        long pid = ProcessHandle.current().pid();
        nsA = "jtipc-lab-" + pid + "-901";
        nsB = "jtipc-lab-" + pid + "-902";
        Runtime.getRuntime().addShutdownHook(new Thread(VethFailoverTest::deleteNamespaces));
        try {
            sh("ip", "netns", "add", nsA);
            sh("ip", "netns", "add", nsB);
            for (String ns : List.of(nsA, nsB)) {
                sh("ip", "-n", ns, "link", "set", "lo", "up");
                Host.run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
                Host.run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
            }
            for (String dev : List.of("v0", "v1")) {
                sh("ip", "-n", nsA, "link", "add", dev, "type", "veth", "peer", "name", dev, "netns", nsB);
                sh("ip", "-n", nsA, "link", "set", dev, "up");
                sh("ip", "-n", nsB, "link", "set", dev, "up");
            }
            a = TipcNode.builder().identity("vethA").netns(nsA).bearer("eth:v0").bearer("eth:v1").start();
            b = TipcNode.builder().identity("vethB").netns(nsB).bearer("eth:v0").bearer("eth:v1").start();
            awaitAllLinksUp();
        } catch (Exception | Error e) {
            tearDown();
            throw e;
        }
    }

    @AfterAll
    static void tearDown() {
        if (!report.isEmpty()) System.err.println(String.join("\n", report));
        if (a != null) a.close();
        if (b != null) b.close();
        a = null;
        b = null;
        deleteNamespaces();
    }

    /** Fewest packets 500 RDM messages of 100 bytes can take when bundled (at most 10 per 1 500-byte bundle). */
    private static final int MIN_PACKETS_OF_500 = 50;

    @Test
    @Order(1)
    void equalPrioritiesBothLinksCarryTraffic() throws Exception {
        Map<String, LinkInfo> before = byName(a.links());
        Map<String, LinkInfo> beforeB = byName(b.links());
        try (TipcSocket rx = TipcSocket.rdm(b)) {
            rx.bind(TipcAddress.ofService(SERVICE, 9));
            a.awaitBinding(x -> x.type() == SERVICE && x.lower() == 9, LINK_WAIT);
            List<TipcSocket> senders = new ArrayList<>();
            try {
                // sockets until one of each port parity (selector bit 0 picks the link)
                boolean even = false, odd = false;
                while (!(even && odd) && senders.size() < 64) {
                    TipcSocket s = TipcSocket.rdm(a);
                    senders.add(s);
                    if ((s.port() & 1) == 0 && !even) {
                        even = true;
                        for (int i = 0; i < 500; i++) s.send(TipcAddress.ofService(SERVICE, 9), new byte[100]);
                    } else if ((s.port() & 1) == 1 && !odd) {
                        odd = true;
                        for (int i = 0; i < 500; i++) s.send(TipcAddress.ofService(SERVICE, 9), new byte[100]);
                    }
                }
                assertThat(even && odd).as("sockets of both port parities").isTrue();
                for (int i = 0; i < 1000; i++) assertThat(rx.receive(Duration.ofSeconds(10))).isNotNull();
            } finally {
                for (TipcSocket s : senders) s.close();
            }
        }
        Map<String, LinkInfo> after = byName(a.links());
        Map<String, LinkInfo> afterB = byName(b.links());
        for (LinkInfo l : after.values()) {
            LinkInfo o = before.get(l.name());
            long sent = l.packetsSent() - (o == null ? 0 : o.packetsSent());
            report.add("[veth-failover] load sharing: A " + l.name() + " sent " + sent + " packets");
            // 500 messages of 100 bytes per link; a congested link bundles them: a bundle of at most 1 500 bytes
            // (40-byte MSG_BUNDLER header) holds at most 10 of them (40-byte named-RDM header + 100 bytes each), so
            // at least 50 packets; a link that carried none of them would send none
            assertThat(sent).as("packets A sent on " + l.name()).isGreaterThanOrEqualTo(MIN_PACKETS_OF_500);
        }
        for (LinkInfo l : afterB.values()) {
            LinkInfo o = beforeB.get(l.name());
            long rcvd = l.packetsReceived() - (o == null ? 0 : o.packetsReceived());
            report.add("[veth-failover] load sharing: B " + l.name() + " received " + rcvd + " packets");
            assertThat(rcvd).as("packets B received on " + l.name()).isGreaterThanOrEqualTo(MIN_PACKETS_OF_500);
        }
    }

    @Test
    @Order(2)
    void rdmInterfaceDown() throws Exception {
        run("RDM down", new RdmTransfer(), false);
    }

    @Test
    @Order(3)
    void rdmInterfaceDownUp() throws Exception {
        run("RDM down-up", new RdmTransfer(), true);
    }

    @Test
    @Order(4)
    void seqpacketInterfaceDown() throws Exception {
        run("SEQPACKET down", new ConnTransfer(TipcConnection.Type.SEQPACKET), false);
    }

    @Test
    @Order(5)
    void seqpacketInterfaceDownUp() throws Exception {
        run("SEQPACKET down-up", new ConnTransfer(TipcConnection.Type.SEQPACKET), true);
    }

    @Test
    @Order(6)
    void streamInterfaceDown() throws Exception {
        run("STREAM down", new ConnTransfer(TipcConnection.Type.STREAM), false);
    }

    @Test
    @Order(7)
    void streamInterfaceDownUp() throws Exception {
        run("STREAM down-up", new ConnTransfer(TipcConnection.Type.STREAM), true);
    }

    // ====================================================================== scenario driver

    /**
     * Runs {@code t}; once a fifth of it is through, takes the interface of A's link that carried it down (and, with
     * {@code restore}, up again once A saw the link go down); requires the transfer to complete intact and the
     * failover (and synch) to show in the tunnel counters. Leaves both interfaces up and all links up.
     */
    private void run(String name, Transfer t, boolean restore) throws Exception {
        awaitAllLinksUp();
        vanished = null;
        Map<String, LinkInfo> beforeA = byName(a.links());
        Map<String, LinkInfo> beforeB = byName(b.links());
        long start = System.nanoTime();
        t.start();
        String dev = null;
        try {
            awaitProgress(t, 0.2);
            LinkInfo active = busiest(beforeA, a.links());
            dev = active.bearer().substring("eth:".length());
            t.slow(true); // keep the rest of the transfer long enough to outlast detection (and re-establishment)
            long cut = System.nanoTime();
            sh("ip", "-n", nsA, "link", "set", dev, "down");
            // A takes the link down when it finds the interface down (ENETDOWN: bearer reset, the link deleted) or,
            // failing that, when the peer has been silent for the tolerance
            long detected = 0;
            while (detected == 0) {
                LinkInfo now = byName(a.links()).get(active.name());
                if (now == null || !now.up()) detected = System.nanoTime();
                if (now == null) vanished = active.name();
                if (detected == 0 && System.nanoTime() - cut > LINK_WAIT.toNanos()) {
                    throw new AssertionError(name + ": " + active.name() + " still up " + LINK_WAIT + " after the cut");
                }
                if (detected == 0) Thread.sleep(2);
            }
            double atDetection = t.progress();
            String upTimes = "";
            if (restore) {
                Thread.sleep(200);
                sh("ip", "-n", nsA, "link", "set", dev, "up");
                awaitAllLinksUp();
                upTimes = String.format(", re-established %d ms after the cut",
                    (System.nanoTime() - cut) / 1_000_000);
            }
            Map<String, LinkInfo> atUp = byName(a.links());
            t.slow(false);
            double atResume = t.progress();
            String verdict = t.await(TRANSFER_WAIT);
            long ms = (System.nanoTime() - start) / 1_000_000;
            report.add(String.format("[veth-failover] %s: %s; link %s cut at 20%%, down seen %d ms later at %.0f%%%s, "
                    + "full speed again at %.0f%%; total %d ms", name, verdict, active.name(),
                (detected - cut) / 1_000_000, atDetection * 100, upTimes, atResume * 100, ms));
            assertThat(t.failure()).as(name + ": " + verdict).isNull();
            assertThat(atDetection).as(name + ": the transfer was still running when the link went down").isLessThan(1.0);
            assertThat((detected - cut) / 1_000_000).as(name + ": the interface going down is seen at once (ENETDOWN), "
                + "not after the 1500 ms link tolerance").isLessThan(DETECTION_MS);
            if (restore) {
                assertThat(atResume).as(name + ": still running when the link came back").isLessThan(1.0);
                LinkInfo back = byName(a.links()).get(active.name());
                long after = back.packetsSent() - atUp.get(active.name()).packetsSent();
                report.add("[veth-failover] " + name + ": the restored link " + active.name() + " sent " + after
                    + " packets after it came back");
                assertThat(after).as(name + ": the transfer moved back onto the restored link").isGreaterThan(1000);
            }
        } finally {
            t.stop();
            if (dev != null) Host.run("ip", "-n", nsA, "link", "set", dev, "up");
        }
        awaitAllLinksUp();
        if (vanished != null) beforeA.remove(vanished); // its counters start again from 0 on the new link
        List<LinkInfo> la = a.links(), lb = b.links();
        for (LinkInfo l : la) report.add("[veth-failover] " + name + " A " + counters(l, beforeA.get(l.name())));
        for (LinkInfo l : lb) report.add("[veth-failover] " + name + " B " + counters(l, beforeB.get(l.name())));
        long failover = tunnel(la, beforeA, LinkInfo::failoverSent) + tunnel(lb, beforeB, LinkInfo::failoverSent);
        long failoverRcvd = tunnel(la, beforeA, LinkInfo::failoverReceived)
            + tunnel(lb, beforeB, LinkInfo::failoverReceived);
        assertThat(failover).as(name + ": FAILOVER tunnel messages sent").isPositive();
        assertThat(failoverRcvd).as(name + ": FAILOVER tunnel messages received").isPositive();
        if (restore) {
            long synch = tunnel(la, beforeA, LinkInfo::synchSent) + tunnel(lb, beforeB, LinkInfo::synchSent);
            long synchRcvd = tunnel(la, beforeA, LinkInfo::synchReceived) + tunnel(lb, beforeB, LinkInfo::synchReceived);
            assertThat(synch).as(name + ": SYNCH tunnel messages sent").isPositive();
            assertThat(synchRcvd).as(name + ": SYNCH tunnel messages received").isPositive();
        }
    }

    private interface Counter {
        long of(LinkInfo l);
    }

    private static long tunnel(List<LinkInfo> now, Map<String, LinkInfo> before, Counter c) {
        long n = 0;
        for (LinkInfo l : now) {
            LinkInfo o = baseline(l, before.get(l.name()));
            n += c.of(l) - (o == null ? 0 : c.of(o));
        }
        return n;
    }

    /**
     * {@code o}, the link's counters before the scenario, or null when {@code l} is a new link of the same name
     * (deleted and created again meanwhile, its counters from 0: fewer resets or packets than before). Either end
     * may have deleted its link (ci79: B's, after A's bearer reset), not only the one whose interface went down.
     */
    private static LinkInfo baseline(LinkInfo l, LinkInfo o) {
        if (o == null || l.resets() < o.resets() || l.packetsSent() < o.packetsSent()
            || l.packetsReceived() < o.packetsReceived()) {
            return null;
        }
        return o;
    }

    private static String counters(LinkInfo l, LinkInfo before) {
        LinkInfo o = baseline(l, before);
        return String.format("%s: sent %d received %d retrans %d dups %d resets %d synch sent %d rcvd %d failover "
                + "sent %d rcvd %d", l.name(), l.packetsSent() - (o == null ? 0 : o.packetsSent()),
            l.packetsReceived() - (o == null ? 0 : o.packetsReceived()),
            l.retransmitted() - (o == null ? 0 : o.retransmitted()), l.duplicates() - (o == null ? 0 : o.duplicates()),
            l.resets() - (o == null ? 0 : o.resets()), l.synchSent() - (o == null ? 0 : o.synchSent()),
            l.synchReceived() - (o == null ? 0 : o.synchReceived()), l.failoverSent() - (o == null ? 0 : o.failoverSent()),
            l.failoverReceived() - (o == null ? 0 : o.failoverReceived()));
    }

    /** A's link that sent the most packets since {@code before}. */
    private static LinkInfo busiest(Map<String, LinkInfo> before, List<LinkInfo> now) {
        LinkInfo best = null;
        long most = -1;
        for (LinkInfo l : now) {
            LinkInfo o = before.get(l.name());
            long d = l.packetsSent() - (o == null ? 0 : o.packetsSent());
            if (l.up() && d > most) {
                most = d;
                best = l;
            }
        }
        assertThat(best).as("an up link carrying the transfer").isNotNull();
        return best;
    }

    private static void awaitProgress(Transfer t, double p) throws InterruptedException {
        long end = System.nanoTime() + TRANSFER_WAIT.toNanos();
        while (t.progress() < p) {
            if (t.failure() != null) throw new AssertionError("transfer failed: " + t.failure());
            if (System.nanoTime() > end) throw new AssertionError("transfer made no progress to " + p + ": " + t.progress());
            Thread.sleep(1);
        }
    }

    private static void awaitAllLinksUp() throws Exception {
        for (TipcNode n : List.of(a, b)) {
            for (String dev : List.of("v0", "v1")) n.awaitLink(x -> x.up() && x.bearer().equals("eth:" + dev), LINK_WAIT);
        }
    }

    private static Map<String, LinkInfo> byName(List<LinkInfo> links) {
        Map<String, LinkInfo> m = new HashMap<>();
        for (LinkInfo l : links) m.put(l.name(), l);
        return m;
    }

    // ====================================================================== transfers

    /** One transfer from A to B, run on its own threads. */
    private abstract static class Transfer {
        volatile boolean slow;
        volatile boolean stopped;
        volatile String failure;
        private volatile String verdict;
        private final List<Thread> threads = new ArrayList<>();

        abstract void start() throws Exception;

        /** Fraction of the transfer the receiver has taken, 0 to 1. */
        abstract double progress();

        void slow(boolean on) {
            slow = on;
        }

        String failure() {
            return failure;
        }

        void fail(String why) {
            if (failure == null) failure = why;
        }

        void thread(String name, ThrowingRunnable r) {
            Thread t = new Thread(() -> {
                try {
                    r.run();
                } catch (Throwable e) {
                    if (!stopped) fail(name + ": " + e);
                }
            }, "veth-failover-" + name);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }

        void done(String v) {
            verdict = v;
        }

        /** Waits for the receiver's verdict; returns it. */
        String await(Duration timeout) throws InterruptedException {
            long end = System.nanoTime() + timeout.toNanos();
            while (verdict == null && failure == null && System.nanoTime() < end) Thread.sleep(5);
            if (verdict == null && failure == null) fail("not complete within " + timeout.toSeconds() + " s at "
                + Math.round(progress() * 100) + "%");
            return verdict == null ? "FAILED " + failure : verdict;
        }

        void stop() throws Exception {
            stopped = true;
            closeAll();
            for (Thread t : threads) t.join(5000);
        }

        abstract void closeAll();

        /** Pause of the slow mode: {@code ms} every {@code every} calls. */
        void pace(long i, int every, long ms) throws InterruptedException {
            if (slow && i % every == 0) Thread.sleep(ms);
        }
    }

    private interface ThrowingSupplier<T> {
        T get() throws Exception;
    }

    /**
     * Opens sockets with {@code open} until one has an odd port, closing the others: the port is the link selector
     * (socket.c), and an odd one uses active slot 1 (node.c active_links[selector &amp; 1]), the slot a returning link
     * of equal priority takes (tipc_node_link_up), so the transfer moves onto the restored link and its SYNCH has
     * data to synchronise.
     */
    static <T> T oddPort(ThrowingSupplier<T> open, java.util.function.ToIntFunction<T> port,
                         java.util.function.Consumer<T> close) throws Exception {
        for (int i = 0; i < 64; i++) {
            T s = open.get();
            if ((port.applyAsInt(s) & 1) == 1) return s;
            close.accept(s);
        }
        throw new AssertionError("no odd port in 64 sockets");
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /**
     * {@value #RDM_COUNT} RDM messages of {@value #RDM_SIZE} bytes, bytes 0-3 the number from 0, the rest a function
     * of it; the receiver counts each number's arrivals and acknowledges every {@value #RDM_ACK_EVERY}th message so
     * the sender keeps at most {@value #RDM_WINDOW} outstanding.
     */
    private static final class RdmTransfer extends Transfer {
        private TipcSocket tx;
        private TipcSocket rx;
        private final AtomicInteger received = new AtomicInteger();

        @Override
        void start() throws Exception {
            rx = TipcSocket.rdm(b);
            rx.bind(TipcAddress.ofService(SERVICE, 1));
            a.awaitBinding(x -> x.type() == SERVICE && x.lower() == 1, LINK_WAIT);
            tx = oddPort(() -> TipcSocket.rdm(a), TipcSocket::port, TipcSocket::close);
            tx.setDestDroppable(false);
            thread("rdm-receiver", () -> {
                byte[] seen = new byte[RDM_COUNT];
                int distinct = 0, highest = -1;
                long dup = 0, reordered = 0, corrupt = 0;
                while (distinct < RDM_COUNT) {
                    TipcMessage m = rx.receive(Duration.ofSeconds(30));
                    if (m == null) break;
                    byte[] p = m.payload();
                    int n = p.length == RDM_SIZE ? ByteBuffer.wrap(p).getInt() : -1;
                    if (n < 0 || n >= RDM_COUNT || !Arrays2.rdmContentOk(p, n)) {
                        corrupt++;
                        continue;
                    }
                    if (seen[n] != 0) {
                        dup++;
                    } else {
                        seen[n] = 1;
                        distinct++;
                        received.set(distinct);
                    }
                    if (n < highest) reordered++;
                    highest = Math.max(highest, n);
                    if (n % RDM_ACK_EVERY == RDM_ACK_EVERY - 1 || n == RDM_COUNT - 1) {
                        byte[] ack = new byte[4];
                        ByteBuffer.wrap(ack).putInt(n);
                        rx.send(m.source(), ack);
                    }
                }
                String v = "sent " + RDM_COUNT + " received " + distinct + " lost " + (RDM_COUNT - distinct)
                    + " duplicated " + dup + " reordered " + reordered + " corrupt " + corrupt;
                if (distinct != RDM_COUNT || dup != 0 || reordered != 0 || corrupt != 0) fail(v);
                done(v);
            });
            thread("rdm-sender", () -> {
                int acked = -1;
                TipcAddress to = TipcAddress.ofService(SERVICE, 1);
                for (int i = 0; i < RDM_COUNT && !stopped; i++) {
                    while (i - acked > RDM_WINDOW) {
                        TipcMessage ack = tx.receive(Duration.ofSeconds(30));
                        if (ack == null) throw new AssertionError("no acknowledgement for 30 s after " + acked);
                        if (ack.isReturned()) throw new AssertionError("message returned: error " + ack.errcode());
                        acked = Math.max(acked, ByteBuffer.wrap(ack.payload()).getInt());
                    }
                    tx.send(to, Arrays2.rdmMessage(i));
                    pace(i, 10, 1);
                }
            });
        }

        @Override
        double progress() {
            return received.get() / (double) RDM_COUNT;
        }

        @Override
        void closeAll() {
            if (tx != null) tx.close();
            if (rx != null) rx.close();
        }
    }

    /**
     * {@value #CONN_BYTES} bytes over one connection. SEQPACKET: messages numbered from 0 (bytes 0-7), sizes 8 to
     * 66000 bytes varying, every byte a function of the number and position; each received message must be the next
     * number with its exact size and content. STREAM: byte k is a function of k; writes of varying size; every byte
     * read is checked against its offset.
     */
    private static final class ConnTransfer extends Transfer {
        private final TipcConnection.Type type;
        private TipcServerSocket ls;
        private TipcConnection client;
        private volatile TipcConnection server;
        private volatile long bytes;

        ConnTransfer(TipcConnection.Type type) {
            this.type = type;
        }

        @Override
        void start() throws Exception {
            int instance = type == TipcConnection.Type.SEQPACKET ? 2 : 3;
            ls = TipcServerSocket.listen(b, TipcAddress.ofService(SERVICE, instance), type, TipcSocket.Scope.CLUSTER);
            a.awaitBinding(x -> x.type() == SERVICE && x.lower() == instance, LINK_WAIT);
            List<TipcConnection> spare = new ArrayList<>();
            client = oddPort(() -> {
                // the connect completes when the server accepts (the accepted socket answers the SYN)
                CompletableFuture<TipcConnection> accepted = CompletableFuture.supplyAsync(() -> {
                    try {
                        return ls.accept(Duration.ofSeconds(10));
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                });
                TipcConnection c = TipcConnection.connect(a, TipcAddress.ofService(SERVICE, instance), type,
                    Duration.ofSeconds(8));
                server = accepted.get(10, TimeUnit.SECONDS);
                if (server == null) throw new AssertionError("no connection accepted");
                spare.add(server);
                return c;
            }, TipcConnection::port, TipcConnection::close);
            for (TipcConnection c : spare) if (c != server) c.close();
            if (type == TipcConnection.Type.SEQPACKET) {
                thread("seqpacket-receiver", () -> {
                    byte[] buf = new byte[70_000];
                    long n = 0, total = 0;
                    while (total < CONN_BYTES) {
                        int r = server.read(buf, 0, buf.length, Duration.ofSeconds(30));
                        if (r <= 0) throw new AssertionError("read " + r + " after message " + n + ", " + total + " bytes");
                        int want = Arrays2.seqSize(n, total);
                        long got = r >= 8 ? ByteBuffer.wrap(buf).getLong() : -1;
                        if (got != n || r != want || !Arrays2.seqContentOk(buf, r, n)) {
                            throw new AssertionError("message " + n + " (" + want + " bytes) expected, got number " + got
                                + " of " + r + " bytes" + (got == n && r == want ? " with wrong content" : ""));
                        }
                        n++;
                        total += r;
                        bytes = total;
                    }
                    done("sent " + CONN_BYTES + " bytes in " + n + " messages, all received in order and intact");
                });
                thread("seqpacket-sender", () -> {
                    long n = 0, total = 0;
                    while (total < CONN_BYTES && !stopped) {
                        int size = Arrays2.seqSize(n, total);
                        client.write(Arrays2.seqMessage(n, size));
                        total += size;
                        n++;
                        pace(n, 1, 3);
                    }
                });
            } else {
                thread("stream-receiver", () -> {
                    byte[] buf = new byte[70_000];
                    long total = 0;
                    while (total < CONN_BYTES) {
                        int r = server.read(buf, 0, buf.length, Duration.ofSeconds(30));
                        if (r <= 0) throw new AssertionError("read " + r + " at byte " + total);
                        for (int i = 0; i < r; i++) {
                            if (buf[i] != Arrays2.streamByte(total + i)) {
                                throw new AssertionError("byte " + (total + i) + " differs");
                            }
                        }
                        total += r;
                        bytes = total;
                    }
                    int extra = server.read(buf, 0, buf.length, Duration.ofMillis(200));
                    if (extra > 0) throw new AssertionError(extra + " bytes more than sent");
                    done("sent " + CONN_BYTES + " bytes, all received in order and intact");
                });
                thread("stream-sender", () -> {
                    long total = 0;
                    int k = 0;
                    byte[] chunk = new byte[66_000];
                    while (total < CONN_BYTES && !stopped) {
                        int size = (int) Math.min(CONN_BYTES - total, 1 + (k++ * 7919L) % 65_999);
                        for (int i = 0; i < size; i++) chunk[i] = Arrays2.streamByte(total + i);
                        client.write(chunk, 0, size);
                        total += size;
                        pace(k, 1, 3);
                    }
                });
            }
        }

        @Override
        double progress() {
            return bytes / (double) CONN_BYTES;
        }

        @Override
        void closeAll() {
            if (client != null) client.close();
            if (server != null) server.close();
            if (ls != null) ls.close();
        }
    }

    /** The content generators and checks of the transfers. */
    private static final class Arrays2 {
        static byte[] rdmMessage(int n) {
            byte[] m = new byte[RDM_SIZE];
            ByteBuffer.wrap(m).putInt(n);
            for (int i = 4; i < RDM_SIZE; i++) m[i] = (byte) (n * 31 + i);
            return m;
        }

        static boolean rdmContentOk(byte[] p, int n) {
            for (int i = 4; i < p.length; i++) if (p[i] != (byte) (n * 31 + i)) return false;
            return true;
        }

        /** Size of SEQPACKET message {@code n} when {@code total} bytes went before it: 8 to 66000, the last cut. */
        static int seqSize(long n, long total) {
            int s = (int) (8 + (n * 7919) % 65_993);
            return (int) Math.min(s, CONN_BYTES - total);
        }

        static byte[] seqMessage(long n, int size) {
            byte[] m = new byte[size];
            ByteBuffer.wrap(m).putLong(n);
            for (int i = 8; i < size; i++) m[i] = (byte) (n * 13 + i * 7);
            return m;
        }

        static boolean seqContentOk(byte[] b, int size, long n) {
            for (int i = 8; i < size; i++) if (b[i] != (byte) (n * 13 + i * 7)) return false;
            return true;
        }

        static byte streamByte(long k) {
            long x = k * 0x9E3779B97F4A7C15L;
            return (byte) (x >>> 56 ^ k);
        }
    }

    // ====================================================================== host

    /** Why this cannot run here (not Linux, not root, no {@code ip}), or null. */
    private static String unavailableReason() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return "needs Linux (network namespaces, veth, AF_PACKET)";
        }
        Host.Result id = Host.run("id", "-u");
        if (!id.ok() || !id.output().trim().equals("0")) {
            return "needs root (network namespaces, veth, AF_PACKET): running as " + System.getProperty("user.name")
                + " — run as root (CI does)";
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))
                && !Host.run("ip", "-V").ok()) {
            return "needs iproute2's ip";
        }
        return null;
    }

    private static void sh(String... command) {
        Host.Result r = Host.run(command);
        if (!r.ok()) throw new IllegalStateException(String.join(" ", command) + " failed: " + r.output());
    }

    private static synchronized void deleteNamespaces() {
        for (String ns : new String[] {nsA, nsB}) {
            if (ns == null) continue;
            Host.run("ip", "netns", "delete", ns);
        }
    }
}
