package io.jtipc.cli.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jtipc.api.Binding;
import io.jtipc.api.LinkInfo;
import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcSocket;
import io.jtipc.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control channel against a real node: node A (with the {@link ControlServer}) linked to node B over UDP
 * loopback, every command through {@code jtipc --node SOCKET ...} (the client, the socket, the server, the
 * commands), text and {@code --json} checked on real values; bad requests; the socket's permissions.
 */
class ControlChannelTest {
    static final ObjectMapper JSON = new ObjectMapper();

    record Result(int code, String out, String err) {}

    @TempDir
    Path dir;
    int port;
    String ipA;
    String ipB;
    TipcNode a;
    TipcNode b;
    ControlServer server;
    Path ctl;
    String link;

    @BeforeEach
    void start() throws Exception {
        port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        ipA = "127.0.0.1:" + port;
        ipB = "127.0.0.2:" + port;
        a = TipcNode.builder().identity("ctl-a").bearer(specA()).start();
        b = TipcNode.builder().identity("ctl-b").bearer("udp:" + ipB + ",remote=" + ipA + ",name=cb").start();
        ctl = dir.resolve("a.ctl");
        ControlCommands commands = new ControlCommands(a);
        server = ControlServer.start(ctl, commands::execute);
        link = a.awaitLinkUp(Duration.ofSeconds(20)).name();
        b.awaitLinkUp(Duration.ofSeconds(20));
    }

    String specA() {
        return "udp:" + ipA + ",remote=" + ipB + ",name=ca";
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
        if (b != null) b.close();
        if (a != null) a.close();
    }

    Result run(String... args) {
        List<String> all = new ArrayList<>(List.of("--node", ctl.toString()));
        all.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.run(all.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    JsonNode json(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--json");
        Result r = run(all.toArray(new String[0]));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().strip()).as("one compact JSON document").doesNotContain("\n");
        return JSON.readTree(r.out());
    }

    @Test
    void linkListAndStatsAndSettings() throws Exception {
        assertThat(link).isEqualTo("ctl-a:ca-ctl-b:cb");
        Result r = run("link", "list");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("broadcast-link: up\nctl-a:ca-ctl-b:cb: up\n");
        JsonNode j = json("link", "list");
        assertThat(j.get("links")).hasSize(1);
        assertThat(j.get("links").get(0).get("name").asText()).isEqualTo(link);
        assertThat(j.get("links").get(0).get("up").asBoolean()).isTrue();
        assertThat(j.get("links").get(0).get("state").asText()).isEqualTo("ESTABLISHED");

        // traffic A -> B: the packet counters move
        try (TipcSocket rx = TipcSocket.rdm(b); TipcSocket tx = TipcSocket.rdm(a)) {
            rx.bind(TipcAddress.ofService(18950, 1));
            a.awaitBinding(x -> x.type() == 18950, Duration.ofSeconds(10));
            for (int i = 0; i < 20; i++) tx.send(TipcAddress.ofService(18950, 1), new byte[100]);
            for (int i = 0; i < 20; i++) assertThat(rx.receive(Duration.ofSeconds(10))).isNotNull();
        }
        // b's WITHDRAW of 18950 is a sequenced packet: it must have arrived before the counters are reset below
        a.awaitNoBinding(x -> x.type() == 18950, Duration.ofSeconds(20));
        JsonNode s = json("link", "stat", "show", "link", link).get("links").get(0);
        long sent = s.get("tx").get("packets").asLong();
        assertThat(sent).isGreaterThanOrEqualTo(20);
        assertThat(s.get("node_addr").asText()).isEqualTo(Integer.toHexString(b.address()));
        assertThat(s.get("tolerance_ms").asInt()).isEqualTo(1500);
        r = run("link", "stat", "show");
        assertThat(r.out()).contains("Link <" + link + ">\n  ACTIVE  MTU:").containsPattern("TX packets:(\\d+) states:");
        long textSent = Long.parseLong(r.out().replaceAll("(?s).*TX packets:(\\d+).*", "$1"));
        assertThat(textSent).isGreaterThanOrEqualTo(sent);

        r = run("link", "stat", "reset", "link", link);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEmpty();
        s = json("link", "stat", "show").get("links").get(0);
        assertThat(s.get("tx").get("packets").asLong()).as("TX packets after reset").isZero();
        assertThat(s.get("rx").get("packets").asLong()).as("RX packets after reset").isZero();
        assertThat(a.links().get(0).packetsSent()).isZero();

        assertThat(json("link", "set", "tolerance", "5000", "link", link).get("ok").asBoolean()).isTrue();
        assertThat(a.links().get(0).tolerance()).isEqualTo(5000);
        b.awaitLink(l -> l.tolerance() == 5000, Duration.ofSeconds(10)); // sent to the peer in a STATE message
        assertThat(run("link", "set", "window", "100", "link", link).code()).isZero();
        assertThat(run("link", "set", "window", "5", "link", link).code()).as("below the minimum 50").isEqualTo(1);
        assertThat(run("link", "set", "priority", "7", "link", link).code()).isZero();
        // the broadcast link's properties are spelt as the kernel's tipc spells them (a hyphen, not an underscore)
        Result br = run("link", "set", "broadcast-ratio", "20", "link", "broadcast-link");
        assertThat(br.err()).doesNotContain("PROPERTY is");
        assertThat(run("link", "set", "bogus", "20", "link", "broadcast-link").err()).contains("PROPERTY is");
    }

    @Test
    void linkMonitorSummaryListAndThreshold() throws Exception {
        Result r = run("link", "monitor", "summary");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("bearer udp:ca node " + Integer.toHexString(a.address())
            + " cluster_size 2 algorithm overlapping-ring status inactive monitor_threshold 32 monitored 1 rejected_records 0\n");
        // threshold 1: two peers make the monitor active; records flow in STATE messages and b is a's domain member
        assertThat(json("link", "monitor", "set", "threshold", "1").get("ok").asBoolean()).isTrue();
        b.setMonitorThreshold(1);
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode m;
        do {
            Thread.sleep(100);
            m = json("link", "monitor", "list").get("monitors").get(0);
        } while (System.nanoTime() < end && m.get("peers").get(0).get("generation").asInt() == 0);
        assertThat(m.get("active").asBoolean()).isTrue();
        assertThat(m.get("threshold").asInt()).isEqualTo(1);
        JsonNode pb = m.get("peers").get(0);
        assertThat(pb.get("node").asText()).isEqualTo(Integer.toHexString(b.address()));
        assertThat(pb.get("local").asBoolean()).isTrue();
        assertThat(pb.get("generation").asInt()).as("b's record applied").isPositive();
        assertThat(pb.get("members").asInt()).isEqualTo(1);
        assertThat(run("link", "monitor", "list").out()).contains("  " + Integer.toHexString(b.address()) + " up direct");
        assertThat(run("link", "monitor", "set", "threshold", "-1").code()).isEqualTo(1);
        assertThat(run("link", "monitor", "bogus").code()).isNotZero();
    }

    @Test
    void nametableNodesSocketsAndPeers() throws Exception {
        try (TipcSocket sb = TipcSocket.rdm(b); TipcSocket sa = TipcSocket.rdm(a)) {
            sb.bind(TipcAddress.ofService(18960, 42));
            sa.bind(TipcAddress.ofServiceRange(18961, 1, 9));
            Binding bound = a.awaitBinding(x -> x.type() == 18960, Duration.ofSeconds(10));
            Result r = run("nametable", "show");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).startsWith("Type       Lower      Upper      Scope    Port       Node")
                .containsPattern("18960\\s+42\\s+42\\s+cluster\\s+" + Integer.toUnsignedString(bound.port()) + "\\s+ctl-b");
            JsonNode j = json("nametable", "show");
            assertThat(j.get("bindings")).anySatisfy(x -> {
                assertThat(x.get("type").asLong()).isEqualTo(18960);
                assertThat(x.get("lower").asLong()).isEqualTo(42);
                assertThat(x.get("node").asText()).isEqualTo("ctl-b");
                assertThat(x.get("node_addr").asText()).isEqualTo(Integer.toHexString(b.address()));
            });

            r = run("socket", "list");
            assertThat(r.out()).contains("socket " + Integer.toUnsignedString(sa.port()) + "\n\tbound to {18961,1,9}\n");
            j = json("socket", "list");
            assertThat(j.get("sockets")).anySatisfy(x -> {
                assertThat(x.get("port").asLong()).isEqualTo(Integer.toUnsignedLong(sa.port()));
                assertThat(x.get("bindings").get(0).get("upper").asLong()).isEqualTo(9);
            });
        }

        Result r = run("node", "list");
        assertThat(r.out()).startsWith("Node Identity                    Hash     State\n")
            .contains(String.format("ctl-a%s %08x up%n", " ".repeat(27), a.address()))
            .contains(String.format("ctl-b%s %08x up%n", " ".repeat(27), b.address()));
        JsonNode j = json("node", "list");
        assertThat(j.get("nodes")).hasSize(2).anySatisfy(x -> {
            assertThat(x.get("identity").asText()).isEqualTo("ctl-b");
            assertThat(x.get("up").asBoolean()).isTrue();
            assertThat(x.get("self").asBoolean()).isFalse();
        });

        String hexB = Integer.toHexString(b.address());
        r = run("peer", "remove", "address", hexB);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("is not down");
        b.close(); // peer-stopping RESET: A sees the node down at once
        a.awaitLink(l -> !l.up(), Duration.ofSeconds(20));
        r = run("peer", "remove", "address", hexB);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(run("node", "list").out()).doesNotContain("ctl-b");
        assertThat(a.links()).isEmpty();
        r = run("peer", "remove", "address", hexB);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("no peer node " + hexB);
    }

    @Test
    void bearerDisableTakesTheLinkDownAndEnableBringsItBack() throws Exception {
        Result r = run("bearer", "list");
        assertThat(r.out()).isEqualTo("udp:ca\n");
        assertThat(json("bearer", "list").get("bearers").get(0).get("name").asText()).isEqualTo("udp:ca");

        r = run("bearer", "disable", "udp:ca");
        assertThat(r.code()).as(r.err()).isZero();
        // the peer-stopping RESET: B takes the link down at once, not at its 1.5 s tolerance (the reason tells which;
        // a loaded machine may take more than the tolerance to get there)
        LinkInfo down = b.awaitLink(l -> !l.up(), Duration.ofSeconds(20));
        assertThat(down.lastResetReason()).isEqualTo("peer stopping (RESET)");
        assertThat(a.links()).isEmpty();
        assertThat(run("bearer", "list").out()).isEmpty();
        r = run("bearer", "disable", "udp:ca");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("no bearer udp:ca");

        JsonNode j = json("bearer", "enable", specA());
        assertThat(j.get("name").asText()).isEqualTo("udp:ca");
        a.awaitLinkUp(Duration.ofSeconds(20));
        b.awaitLinkUp(Duration.ofSeconds(20));
        assertThat(run("link", "list").out()).contains("ctl-a:ca-ctl-b:cb: up");
        r = run("bearer", "enable", specA());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("already in use");

        // a replicast peer added at run time (tipc bearer add ... remoteip): a third node is discovered through it
        int port2 = port + 1;
        try (TipcNode c = TipcNode.builder().identity("ctl-c").bearer("udp:127.0.0.3:" + port
                + ",remote=" + ipA + ",name=cc").start()) {
            assertThat(json("bearer", "add", "name", "udp:ca", "remoteip", "127.0.0.3", "remoteport",
                String.valueOf(port)).get("added").asBoolean()).isTrue();
            c.awaitLinkUp(Duration.ofSeconds(20));
            a.awaitLink(l -> l.up() && l.peerId().equals("ctl-c"), Duration.ofSeconds(20));
        }
        assertThat(port2).isPositive();
    }

    @Test
    void keysAreSetAndFlushedAsTipcNodeSetKey() throws Exception {
        String key = "0x" + "0123456789abcdef0123456789abcdef" + "11223344";
        // A encrypts from now on; B, still without a key, cannot read it
        Result r = run("node", "set", "key", key, "algname", "gcm(aes)");
        assertThat(r.code()).as(r.err()).isZero();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (b.undecryptableFrames() == 0 && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(b.undecryptableFrames()).as("B receives A's encrypted frames").isPositive();
        b.setKey(key, "cluster");
        try (TipcSocket rx = TipcSocket.rdm(b); TipcSocket tx = TipcSocket.rdm(a)) {
            rx.bind(TipcAddress.ofService(18951, 1));
            a.awaitLinkUp(Duration.ofSeconds(20));
            a.awaitBinding(x -> x.type() == 18951, Duration.ofSeconds(20));
            tx.send(TipcAddress.ofService(18951, 1), new byte[] {1});
            assertThat(rx.receive(Duration.ofSeconds(10))).as("keyed both ways").isNotNull();
            assertThat(json("node", "set", "key", "rekeying", "30").get("ok").asBoolean()).isTrue();
            assertThat(run("node", "set", "key", "rekeying", "now").code()).isZero(); // KEY_DISTR on the broadcast link
            tx.send(TipcAddress.ofService(18951, 1), new byte[] {3});
            assertThat(rx.receive(Duration.ofSeconds(10))).as("after the rekeying").isNotNull();
            // both flushed: clear text again; A's count of frames it could not decrypt stays where it is
            assertThat(json("node", "flush", "key").get("ok").asBoolean()).isTrue();
            b.flushKeys();
            long before = a.undecryptableFrames();
            for (int i = 0; i < 5; i++) tx.send(TipcAddress.ofService(18951, 1), new byte[] {2});
            for (int i = 0; i < 5; i++) assertThat(rx.receive(Duration.ofSeconds(10))).as("after the flush").isNotNull();
            long settled = stableUndecryptable(a);
            assertThat(settled - before).as("at most those in flight at the flush").isLessThan(10);
            // a per-node key for A's own identity is its TX key: A encrypts again, B (flushed) cannot read it
            long bBefore = b.undecryptableFrames();
            assertThat(run("node", "set", "key", key, "nodeid", "ctl-a", "rekeying", "0").code()).isZero();
            long until = System.nanoTime() + 20_000_000_000L;
            while (b.undecryptableFrames() == bBefore && System.nanoTime() < until) Thread.sleep(20);
            assertThat(b.undecryptableFrames()).as("A encrypts with its own per-node key").isGreaterThan(bBefore);
            // a peer's per-node key is an RX key: nothing changes on the wire
            assertThat(run("node", "set", "key", key, "nodeid", "ctl-b").code()).isZero();
            assertThat(run("node", "flush", "key").code()).isZero();
        }
        // refusals name no part of the request
        for (String[] bad : List.of(new String[] {"node", "set", "key", "short_text_key"},
                new String[] {"node", "set", "key", key, "algname", "cbc(aes)"},
                new String[] {"node", "set", "key", key, "mastr"},
                new String[] {"node", "set", "key", key, "nodeid"},
                new String[] {"node", "set", "key", key, "nodeid", "master"},
                new String[] {"node", "set", "key", key, "rekeying", "soon"},
                new String[] {"node", "set", "key", "rekeying", "soon"},
                new String[] {"node", "set", "key", "rekeying", "-1"},
                new String[] {"node", "set", "key"},
                new String[] {"node", "flush", "keys"})) {
            r = run(bad);
            assertThat(r.code()).as(String.join(" ", bad)).isEqualTo(2);
            assertThat(r.err()).hasLineCount(1).doesNotContain("short_text").doesNotContain("0123456789abcdef")
                .doesNotContain("mastr");
        }
        assertThat(run("node", "set", "key", "rekeying", "-1").err()).contains("0 (never) to 4294967295");
        // KEY '-': the key is the first line of standard input, off the command line
        java.io.InputStream in = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream((key + "\n").getBytes(StandardCharsets.US_ASCII)));
            r = run("node", "set", "key", "-", "master");
            assertThat(r.code()).as(r.err()).isZero();
            System.setIn(new java.io.ByteArrayInputStream("too_short_a_key\n".getBytes(StandardCharsets.US_ASCII)));
            r = run("node", "set", "key", "-");
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("15 bytes of text").doesNotContain("too_short");
            System.setIn(new java.io.ByteArrayInputStream(new byte[0]));
            assertThat(run("node", "set", "key", "-").err()).contains("no key on standard input");
        } finally {
            System.setIn(in);
        }
        assertThat(a.isRunning()).isTrue();
    }

    /** {@code n}'s undecryptable count once it has not moved for a second (at most 20 s), then checked for 2 s more. */
    static long stableUndecryptable(TipcNode n) throws Exception {
        long last = n.undecryptableFrames();
        long quietSince = System.nanoTime();
        long end = quietSince + 20_000_000_000L;
        while (System.nanoTime() - quietSince < 1_000_000_000L && System.nanoTime() < end) {
            Thread.sleep(50);
            long now = n.undecryptableFrames();
            if (now != last) {
                last = now;
                quietSince = System.nanoTime();
            }
        }
        Thread.sleep(2000); // a few STATE exchanges: none of them is encrypted any more
        assertThat(n.undecryptableFrames()).as("no encrypted frame after both flushed").isEqualTo(last);
        return last;
    }

    @Test
    void badRequestsGetAClearErrorAndTheNodeRunsOn() throws Exception {
        Result r = run("link", "frobnicate");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown command 'link frobnicate'").endsWith("(try 'jtipc link --help')\n");
        r = run("link", "set", "tolerance", "5000", "link", "no-such-link");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("no link no-such-link");
        r = run("link", "set", "tolerance", "lots", "link", link);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("VALUE must be a number");
        r = run("link", "stat", "show", "link", "nope");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("no link nope");
        r = run("peer", "remove", "address", "zz");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).endsWith("(try 'jtipc peer --help')\n").hasLineCount(1);
        r = run("bearer", "enable", "udp:bogus");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).endsWith("(try 'jtipc bearer --help')\n").hasLineCount(1);
        // a host name is no IP literal: refused before any DNS lookup
        for (String host : List.of("cafe", "dead.beef", "1.2.3.4.5", "256.0.0.1")) {
            r = run("bearer", "add", "name", "udp:ca", "remoteip", host);
            assertThat(r.code()).as(host).isEqualTo(2);
            assertThat(r.err()).contains("remoteip is an IP address literal, not '" + host + "'");
        }
        r = run("link", "stat", "show", "link", "nope", "--json");
        assertThat(r.code()).isEqualTo(1);
        assertThat(JSON.readTree(r.out()).get("error").asText()).contains("no link nope");

        // an oversized line, and a line with an escape character, straight on the socket
        assertThat(raw("x".repeat(ControlServer.MAX_REQUEST_BYTES + 10) + "\n"))
            .startsWith("%USAGE request longer than " + ControlServer.MAX_REQUEST_BYTES);
        assertThat(raw("link \u001b[31m\n")).isEqualTo("%USAGE unknown command 'link \\x1b[31m'\n");

        // clients that connect and say nothing do not block the others (and are dropped after the timeout)
        List<SocketChannel> idle = new ArrayList<>();
        try {
            for (int i = 0; i < ControlServer.MAX_CLIENTS - 1; i++) {
                idle.add(SocketChannel.open(UnixDomainSocketAddress.of(ctl)));
            }
            awaitServed(ControlServer.MAX_CLIENTS - 1);
            r = run("link", "list");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).contains(link + ": up");
            awaitServed(ControlServer.MAX_CLIENTS - 1); // that client's slot is released (after its answer)
            idle.add(SocketChannel.open(UnixDomainSocketAddress.of(ctl))); // now every slot is taken
            awaitServed(ControlServer.MAX_CLIENTS);
            r = run("link", "list");
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).contains("busy");
            Thread.sleep(ControlServer.REQUEST_TIMEOUT_MS + 1000);
            ByteBuffer buf = ByteBuffer.allocate(100);
            assertThat(idle.get(0).read(buf)).as("an idle client is closed after the timeout").isNotPositive();
        } finally {
            for (SocketChannel c : idle) c.close();
        }
        r = run("link", "list");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(a.isRunning()).isTrue();
    }

    /** Waits (at most 3 s) until the server serves exactly {@code n} clients. */
    void awaitServed(int n) throws InterruptedException {
        long end = System.nanoTime() + 3_000_000_000L;
        while (server.clientsServed() != n && System.nanoTime() < end) Thread.sleep(5);
        assertThat(server.clientsServed()).as("clients being served").isEqualTo(n);
    }

    String raw(String request) throws Exception {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(ctl));
            ByteBuffer req = ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8));
            while (req.hasRemaining()) c.write(req);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (c.read(buf) >= 0) {
                got.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            return got.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void theSocketIsForItsOwnerOnly() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ctl))).isEqualTo("rw-------");
        assertThat(Files.getPosixFilePermissions(ctl.getParent()))
            .doesNotContain(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE);
        // no temporary directory is left next to it
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("a.ctl");
        }
        // as another user (nobody), through a directory everyone may traverse: refused by the socket's mode alone
        Path setpriv = Path.of("/usr/bin/setpriv");
        Path python = Path.of("/usr/bin/python3");
        assumeTrue(ControlPaths.uid() == 0, "needs root to run a process as nobody");
        assumeTrue(Files.isExecutable(setpriv) && Files.isExecutable(python), "needs setpriv and python3");
        Path open = Files.createTempDirectory("jtipc-ctl-perm-");
        try {
            Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path sock = open.resolve("n.ctl");
            try (ControlServer s2 = ControlServer.start(sock, new ControlCommands(a)::execute)) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock))).isEqualTo("rw-------");
                assertThat(connectAsNobody(setpriv, python, sock)).as("nobody connects to the 0600 socket").isNotZero();
                // the check can fail: with the socket opened to everyone, nobody gets in
                Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rw-rw-rw-"));
                assertThat(connectAsNobody(setpriv, python, sock)).as("nobody connects to a 0666 socket").isZero();
            }
        } finally {
            try (var s = Files.list(open)) {
                for (Path p : s.toList()) Files.deleteIfExists(p);
            }
            Files.deleteIfExists(open);
        }
    }

    @Test
    void theDefaultDirectoryMustBePrivate() throws Exception {
        Path mine = dir.resolve("rt");
        ControlPaths.ensurePrivate(mine);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(mine))).isEqualTo("rwx------");
        ControlPaths.ensurePrivate(mine); // again: fine
        Files.setPosixFilePermissions(mine, PosixFilePermissions.fromString("rwxrwxrwx"));
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
            () -> ControlPaths.ensurePrivate(mine));
        assertThat(e.getMessage()).contains("is not private");
    }

    static int connectAsNobody(Path setpriv, Path python, Path sock) throws Exception {
        Process p = new ProcessBuilder(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups",
            python.toString(), "-c", "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])",
            sock.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    @Test
    void aLiveSocketIsNotTakenOverAndAStaleOneIsReplaced() throws Exception {
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
            () -> ControlServer.start(ctl, x -> ControlServer.Reply.ok("")));
        assertThat(e.getMessage()).contains("in use by a running node");
        assertThat(run("link", "list").code()).isZero(); // still ours
        server.close();
        // a stale socket file (its server gone without deleting it) is replaced
        try (java.nio.channels.ServerSocketChannel stale = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            stale.bind(UnixDomainSocketAddress.of(ctl));
        }
        assertThat(Files.exists(ctl)).isTrue();
        server = ControlServer.start(ctl, new ControlCommands(a)::execute);
        assertThat(run("link", "list").code()).isZero();
        server.close();
        Files.writeString(ctl, "not a socket");
        e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
            () -> ControlServer.start(ctl, x -> ControlServer.Reply.ok("")));
        assertThat(e.getMessage()).contains("not a socket");
        server = null;
    }

    @Test
    void ipLiteralsAreCheckedWithoutResolving() {
        for (String ok : List.of("127.0.0.3", "0.0.0.0", "255.255.255.255", "::1", "fe80::1", "::ffff:10.0.0.1")) {
            assertThat(ControlCommands.isIpLiteral(ok)).as(ok).isTrue();
        }
        for (String bad : List.of("cafe", "dead.beef", "beef", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3",
            "1.2.3.4.", "")) {
            assertThat(ControlCommands.isIpLiteral(bad)).as(bad).isFalse();
        }
    }

    @Test
    void staleSocketsAreFoundByTheConnectErrorNotItsText() throws Exception {
        Path p = dir.resolve("gone.ctl");
        try (java.nio.channels.ServerSocketChannel stale = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            stale.bind(UnixDomainSocketAddress.of(p));
        }
        assertThat(ControlServer.isStale(p)).as("nobody listens: ECONNREFUSED").isTrue();
        assertThat(ControlServer.isStale(ctl)).as("a live server").isFalse();
        assertThat(ControlServer.isStale(dir.resolve("missing.ctl"))).as("no file: ENOENT").isFalse();
    }

    @Test
    void theClientSkipsStaleSocketsWhenLookingForTheNode() throws Exception {
        Path d = dir.resolve("rt3");
        ControlPaths.ensurePrivate(d);
        Path old = d.resolve("old.ctl");
        try (java.nio.channels.ServerSocketChannel stale = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            stale.bind(UnixDomainSocketAddress.of(old)); // its node died without deleting it
        }
        Path live = d.resolve("live.ctl");
        try (ControlServer s = ControlServer.start(live, x -> ControlServer.Reply.ok("live\n"))) {
            assertThat(ControlClient.running(d)).isEqualTo(live);
        }
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> ControlClient.running(d));
        assertThat(e.getMessage()).contains("no running node found").contains("1 stale socket(s) skipped");
    }

    @Test
    void aRefusalAfterTheCloseClosesTheClient() throws Exception {
        // the acceptor may hand a client over just before close() shuts the timer down
        Path p = dir.resolve("pair.ctl");
        try (java.nio.channels.ServerSocketChannel ss = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ss.bind(UnixDomainSocketAddress.of(p));
            client.connect(UnixDomainSocketAddress.of(p));
            SocketChannel c = ss.accept();
            server.close();
            server.refuse(c);
            long end = System.nanoTime() + 3_000_000_000L;
            while (c.isOpen() && System.nanoTime() < end) Thread.sleep(5);
            assertThat(c.isOpen()).as("the refused client's channel is closed").isFalse();
            assertThat(client.read(ByteBuffer.allocate(16))).as("the client sees the end").isNegative();
        } finally {
            Files.deleteIfExists(p);
        }
    }

    @Test
    void aRequestOfExactlyTheBoundIsAnswered() throws Exception {
        String req = "link list";
        req += " ".repeat(ControlServer.MAX_REQUEST_BYTES - 1 - req.length()) + "\n";
        assertThat(req.getBytes(StandardCharsets.UTF_8)).hasSize(ControlServer.MAX_REQUEST_BYTES);
        long t0 = System.nanoTime();
        String got = raw(req);
        assertThat(got).contains(link + ": up").endsWith("%OK\n");
        // not after the request timeout closed it
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(ControlServer.REQUEST_TIMEOUT_MS);
    }

    @Test
    void c1ControlsAreEscapedByServerAndClient() throws Exception {
        assertThat(raw("link \u009b31m\n")).isEqualTo("%USAGE unknown command 'link \\x9b31m'\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = ControlClient.print("a\u001b[31m\tb\u007f\nc\u0085\u009b\n%ERR x\u001b]0;\n",
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("a\\x1b[31m\tb\\x7f\nc\\x85\\x9b\n");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("jtipc: x\\x1b]0;\n");
    }

    @Test
    void closeLeavesASocketThatReplacedOurs() throws Exception {
        Path p = dir.resolve("r.ctl");
        ControlServer first = ControlServer.start(p, x -> ControlServer.Reply.ok("first\n"));
        Files.delete(p); // e.g. removed by hand; another node takes the path
        try (ControlServer second = ControlServer.start(p, x -> ControlServer.Reply.ok("second\n"))) {
            first.close();
            assertThat(Files.exists(p)).as("the second node's socket is kept").isTrue();
            Result r = runAt(p, "link", "list");
            assertThat(r.out()).isEqualTo("second\n");
        }
        assertThat(Files.exists(p)).as("its own socket is removed").isFalse();
    }

    @Test
    void aSocketWithAFullBacklogIsNotStaleAndDoesNotHangTheStart() throws Exception {
        Path p = dir.resolve("frozen.ctl");
        List<SocketChannel> held = new ArrayList<>();
        try (java.nio.channels.ServerSocketChannel frozen = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            frozen.bind(UnixDomainSocketAddress.of(p), 1); // never accepts: a frozen node
            for (int i = 0; i < 64; i++) { // fill its backlog (non-blocking connects until EAGAIN)
                SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
                held.add(c);
                c.configureBlocking(false);
                try {
                    c.connect(UnixDomainSocketAddress.of(p));
                } catch (java.io.IOException e) {
                    break;
                }
            }
            var f = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try (ControlServer s = ControlServer.start(p, x -> ControlServer.Reply.ok(""))) {
                    return "started";
                } catch (java.io.IOException e) {
                    return e.getMessage();
                }
            });
            String got;
            try {
                got = f.get(20, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                got = "hung";
            }
            assertThat(got).contains("in use by a running node");
            assertThat(Files.exists(p)).as("the live socket is kept").isTrue();
        } finally {
            for (SocketChannel c : held) c.close();
        }
    }

    @Test
    void theClientChecksTheDefaultDirectoryAndThePeer() throws Exception {
        Path d = dir.resolve("rt2");
        ControlPaths.ensurePrivate(d);
        Path sock = d.resolve("x.ctl");
        ControlClient.checkDefault(d, sock); // private, no socket yet: fine
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
            () -> ControlClient.checkDefault(d, sock));
        assertThat(e.getMessage()).contains("is not private");
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(ctl))) {
            ControlClient.checkPeer(c); // our own node: trusted
        }
        assumeTrue(ControlPaths.uid() == 0, "needs root to run a node as nobody");
        Path setpriv = Path.of("/usr/bin/setpriv"), python = Path.of("/usr/bin/python3");
        assumeTrue(Files.isExecutable(setpriv) && Files.isExecutable(python), "needs setpriv and python3");
        // a server run as nobody in a directory it owns: the client refuses it (SO_PEERCRED)
        Path nopen = Files.createTempDirectory("jtipc-ctl-peer-");
        Path nsock = nopen.resolve("n.ctl");
        Process p = null;
        try {
            Files.setPosixFilePermissions(nopen, PosixFilePermissions.fromString("rwxrwxrwx"));
            p = new ProcessBuilder(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups", python.toString(),
                "-c", "import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4);"
                    + " c,_=s.accept(); time.sleep(30)", nsock.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            long end = System.nanoTime() + 20_000_000_000L;
            while (!Files.exists(nsock) && System.nanoTime() < end) Thread.sleep(50);
            try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(nsock))) {
                Exception pe = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                    () -> ControlClient.checkPeer(c));
                assertThat(pe.getMessage()).contains("not as").contains("or root");
            }
        } finally {
            if (p != null) p.destroyForcibly();
            Files.deleteIfExists(nsock);
            Files.deleteIfExists(nopen);
        }
    }

    Result runAt(Path socket, String... args) {
        List<String> all = new ArrayList<>(List.of("--node", socket.toString()));
        all.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.run(all.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
