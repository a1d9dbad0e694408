package io.jtipc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** {@code jtipc node ... connect / --echo-conn / subscribe} in-process over UDP on 127.0.0.1 / 127.0.0.2. */
class ConnCommandTest {

    @Test
    void connectPipesStdinThroughAnEchoConnServerBothTypesAndSubscribeSeesIt() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a = "127.0.0.1:" + port;
        String b = "127.0.0.2:" + port;
        CompletableFuture<MainTest.Result> echo = CompletableFuture.supplyAsync(() -> MainTest.run("node", "--identity",
            "cli-echoconn", "--bearer", "udp:" + a + ",remote=" + b + ",name=ua", "--echo-conn", "18889:1", "--for", "14"));
        InputStream0 in = new InputStream0();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        ConnActions.stdin = in.stream("hello over seqpacket\n");
        ConnActions.stdout = new PrintStream(data, true);
        try {
            MainTest.Result r = MainTest.run("node", "--identity", "cli-conn", "--bearer", "udp:" + b + ",remote=" + a
                + ",name=ub", "--wait-link", "15", "--wait", "10", "--timeout", "1", "subscribe", "18889:0:10",
                "connect", "18889:1", "sleep", "0.5");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(data.toString(StandardCharsets.UTF_8)).isEqualTo("hello over seqpacket\n");
            assertThat(r.err()).contains("CONNECTED SEQPACKET to {18889, 1}").contains("CLOSED");
            assertThat(r.err()).contains("SUBSCRIBED {18889,0,10}").containsPattern("TIPC_PUBLISHED found 1-1 port.ref \\d+ port.node [0-9a-f]{8}");
            data.reset();
            ConnActions.stdin = in.stream("x".repeat(200_000));
            r = MainTest.run("node", "--identity", "cli-conn2", "--bearer", "udp:" + b + ",remote=" + a + ",name=ub",
                "--wait-link", "15", "--wait", "10", "--timeout", "1", "--stream", "connect", "18889:1");
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(data.toString(StandardCharsets.UTF_8)).isEqualTo("x".repeat(200_000));
            // nothing bound: EHOSTUNREACH
            r = MainTest.run("node", "--identity", "cli-conn3", "--bearer", "udp:" + b + ",remote=" + a + ",name=ub",
                "--wait-link", "15", "connect", "18890:1");
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).contains("EHOSTUNREACH");
        } finally {
            ConnActions.stdin = System.in;
            ConnActions.stdout = System.out;
        }
        MainTest.Result e = echo.get(30, TimeUnit.SECONDS);
        assertThat(e.code()).as(e.err()).isZero();
        assertThat(e.out()).contains("READY echo-conn {18889, 1}").contains("ECHO-CONN 21 bytes")
            .contains("ECHO-CONN 200000 bytes");
    }

    /**
     * Issue 18: {@code jtipc node ... connect S < f > out} leaves in {@code out} exactly the bytes the service echoed;
     * the node's status lines ({@code NODE ...}, {@code LINK up ...}) go to stderr. The command's own standard output
     * and the connection's sink are one stream here, as in a real process.
     */
    @Test
    void connectWritesOnlyTheEchoedBytesToStdout() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a = "127.0.0.1:" + port;
        String b = "127.0.0.2:" + port;
        CompletableFuture<MainTest.Result> echo = CompletableFuture.supplyAsync(() -> MainTest.run("node", "--identity",
            "cli-echoraw", "--bearer", "udp:" + a + ",remote=" + b + ",name=ua", "--echo-conn", "18892:1", "--for", "12"));
        byte[] sent = new byte[100_000];
        new java.util.Random(18).nextBytes(sent); // every byte value, newlines included
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        PrintStream so = new PrintStream(stdout, true);
        ConnActions.stdin = new ByteArrayInputStream(sent);
        ConnActions.stdout = so;
        try {
            int rc = Main.run(new String[] {"node", "--identity", "cli-rawc", "--bearer", "udp:" + b + ",remote=" + a
                + ",name=ub", "--wait-link", "15", "--wait", "10", "--timeout", "1", "--stream", "connect", "18892:1"},
                so, new PrintStream(stderr, true, StandardCharsets.UTF_8));
            String err = stderr.toString(StandardCharsets.UTF_8);
            assertThat(rc).as(err).isZero();
            assertThat(stdout.toByteArray()).as(err).isEqualTo(sent);
            assertThat(err).contains("NODE cli-rawc").contains("LINK up ").contains("CONNECTED STREAM");
        } finally {
            ConnActions.stdin = System.in;
            ConnActions.stdout = System.out;
        }
        MainTest.Result e = echo.get(30, TimeUnit.SECONDS);
        assertThat(e.out()).contains("ECHO-CONN 100000 bytes");
    }

    /**
     * Issue 18 acceptance as a shell runs it: {@code jtipc node ... connect S < f > out} in its own JVM (the real
     * System.out, the SLF4J binding's logs, JVM warnings), its standard input and output redirected to files; {@code
     * out} is byte-identical to {@code f}, which the echo service sent back.
     */
    @Test
    void connectInItsOwnProcessLeavesOutByteIdenticalToTheEcho(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a = "127.0.0.1:" + port;
        String b = "127.0.0.2:" + port;
        CompletableFuture<MainTest.Result> echo = CompletableFuture.supplyAsync(() -> MainTest.run("node", "--identity",
            "cli-echoproc", "--bearer", "udp:" + a + ",remote=" + b + ",name=ua", "--echo-conn", "18895:1", "--for", "20"));
        byte[] sent = new byte[200_000];
        new java.util.Random(1818).nextBytes(sent);
        java.nio.file.Path f = java.nio.file.Files.write(dir.resolve("f"), sent);
        java.nio.file.Path out = dir.resolve("out");
        java.nio.file.Path err = dir.resolve("err");
        String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), Main.class.getName(), "node",
                "--identity", "cli-procc", "--bearer", "udp:" + b + ",remote=" + a + ",name=ub", "--wait-link", "15",
                "--wait", "10", "--timeout", "1", "--stream", "connect", "18895:1")
            .redirectInput(f.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("connect ends").isTrue();
        String log = java.nio.file.Files.readString(err);
        assertThat(p.exitValue()).as(log).isZero();
        assertThat(java.nio.file.Files.readAllBytes(out)).as(log).isEqualTo(sent);
        assertThat(log).contains("NODE cli-procc").contains("LINK up ").contains("CONNECTED STREAM");
        assertThat(echo.get(30, TimeUnit.SECONDS).out()).contains("ECHO-CONN 200000 bytes");
    }

    /** The same for {@code listen}: standard output holds exactly what the connecting peer sent. */
    @Test
    void listenWritesOnlyThePeersBytesToStdout() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a = "127.0.0.1:" + port;
        String b = "127.0.0.2:" + port;
        byte[] fromPeer = new byte[50_000];
        new java.util.Random(81).nextBytes(fromPeer);
        byte[] fromStdin = "answer from the listener\n".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        PrintStream so = new PrintStream(stdout, true);
        ConnActions.stdin = new ByteArrayInputStream(fromStdin);
        ConnActions.stdout = so;
        try (io.jtipc.api.TipcNode client = io.jtipc.api.TipcNode.builder().identity("cli-lclient")
                 .bearer("udp:" + b + ",remote=" + a + ",name=ub").start()) {
            CompletableFuture<Integer> listener = CompletableFuture.supplyAsync(() -> Main.run(new String[] {"node",
                "--identity", "cli-listen", "--bearer", "udp:" + a + ",remote=" + b + ",name=ua", "--timeout", "5",
                "--stream", "listen", "18893:1"}, so, new PrintStream(stderr, true, StandardCharsets.UTF_8)));
            client.awaitLinkUp(java.time.Duration.ofSeconds(15));
            io.jtipc.api.TipcAddress at = io.jtipc.api.TipcAddress.ofService(18893, 1);
            client.awaitBinding(x -> x.type() == 18893, java.time.Duration.ofSeconds(15));
            try (io.jtipc.api.TipcConnection c = io.jtipc.api.TipcConnection.connect(client, at,
                     io.jtipc.api.TipcConnection.Type.STREAM, java.time.Duration.ofSeconds(8))) {
                c.write(fromPeer);
                byte[] got = new byte[fromStdin.length];
                int n = 0;
                while (n < got.length) {
                    int k = c.read(got, n, got.length - n, java.time.Duration.ofSeconds(10));
                    assertThat(k).as("bytes from the listener's stdin").isPositive();
                    n += k;
                }
                assertThat(got).isEqualTo(fromStdin);
            }
            int rc = listener.get(30, TimeUnit.SECONDS);
            String err = stderr.toString(StandardCharsets.UTF_8);
            assertThat(rc).as(err).isZero();
            assertThat(stdout.toByteArray()).as(err).isEqualTo(fromPeer);
            assertThat(err).contains("NODE cli-listen").contains("LINK up ").contains("ACCEPTED from");
        } finally {
            ConnActions.stdin = System.in;
            ConnActions.stdout = System.out;
        }
    }

    /**
     * --echo-conn serves at most {@link ConnActions#ECHO_CONN_MAX} connections at once (one thread each): the ones
     * beyond are closed at once by the echo side (end of stream or a reset at the client), the refusal printed once;
     * the open ones go on echoing. Unbounded, every connection took a platform thread until the JVM had none left.
     */
    @Test
    void echoConnClosesConnectionsBeyondItsLimit() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a = "127.0.0.1:" + port;
        String b = "127.0.0.2:" + port;
        CompletableFuture<MainTest.Result> echo = CompletableFuture.supplyAsync(() -> MainTest.run("node", "--identity",
            "cli-echomax", "--bearer", "udp:" + a + ",remote=" + b + ",name=ua", "--echo-conn", "18896:1", "--for", "25"));
        int max = ConnActions.ECHO_CONN_MAX;
        java.util.List<io.jtipc.api.TipcConnection> open = new java.util.ArrayList<>();
        try (io.jtipc.api.TipcNode client = io.jtipc.api.TipcNode.builder().identity("cli-echomaxc")
                 .bearer("udp:" + b + ",remote=" + a + ",name=ub").start()) {
            client.awaitLinkUp(java.time.Duration.ofSeconds(15));
            client.awaitBinding(x -> x.type() == 18896, java.time.Duration.ofSeconds(15));
            io.jtipc.api.TipcAddress at = io.jtipc.api.TipcAddress.ofService(18896, 1);
            byte[] one = new byte[1];
            for (int i = 0; i < max; i++) {
                io.jtipc.api.TipcConnection c = io.jtipc.api.TipcConnection.connect(client, at,
                    io.jtipc.api.TipcConnection.Type.STREAM, java.time.Duration.ofSeconds(8));
                open.add(c);
                c.write(new byte[] {(byte) i});
                assertThat(c.read(one)).as("echo on connection " + i).isEqualTo(1);
                assertThat(one[0]).isEqualTo((byte) i);
            }
            for (int i = 0; i < 3; i++) {
                assertThat(closedByTheEchoSide(client, at)).as("connection " + (max + i) + " beyond the limit").isTrue();
            }
            for (int i = 0; i < max; i++) { // the first ones still echo
                io.jtipc.api.TipcConnection c = open.get(i);
                c.write(new byte[] {(byte) ~i});
                assertThat(c.read(one)).as("echo again on connection " + i).isEqualTo(1);
                assertThat(one[0]).isEqualTo((byte) ~i);
            }
        } finally {
            for (io.jtipc.api.TipcConnection c : open) c.close();
        }
        MainTest.Result e = echo.get(60, TimeUnit.SECONDS);
        assertThat(e.code()).as(e.err()).isZero();
        assertThat(e.out().split("ECHO-CONN refused: " + max + " connections open", -1)).as(e.out()).hasSize(2);
        assertThat(e.out()).contains("ECHO-CONN accepting again (3 refused)").doesNotContain("cannot start a thread");
    }

    /** Refusals for the limit and failed thread starts are each printed once per episode, then counted. */
    @Test
    void echoSlotsPrintEachEpisodeOnce() {
        java.io.StringWriter w = new java.io.StringWriter();
        ConnActions.EchoSlots slots = new ConnActions.EchoSlots(new java.io.PrintWriter(w));
        for (int i = 0; i < ConnActions.ECHO_CONN_MAX; i++) assertThat(slots.take()).isTrue();
        assertThat(slots.take()).isFalse();
        assertThat(slots.take()).isFalse();
        slots.release();
        assertThat(slots.take()).as("a freed slot").isTrue();
        assertThat(slots.take()).isFalse();
        slots.release();
        assertThat(slots.take()).isTrue();
        slots.startFailed(); // its thread did not start: the slot is free again
        assertThat(slots.take()).isTrue();
        slots.startFailed();
        assertThat(slots.take()).isTrue();
        slots.started();
        assertThat(w.toString()).isEqualTo(String.join(System.lineSeparator(),
            "ECHO-CONN refused: 64 connections open", "ECHO-CONN accepting again (2 refused)",
            "ECHO-CONN refused: 64 connections open", "ECHO-CONN accepting again (1 refused)",
            "ECHO-CONN refused: cannot start a thread (63 connections open)", "ECHO-CONN threads start again (2 refused)", ""));
    }

    /** Connects, sends a byte and reads: true if the connection ends (end of stream or an error) instead of echoing. */
    private static boolean closedByTheEchoSide(io.jtipc.api.TipcNode client, io.jtipc.api.TipcAddress at) {
        try (io.jtipc.api.TipcConnection c = io.jtipc.api.TipcConnection.connect(client, at,
                 io.jtipc.api.TipcConnection.Type.STREAM, java.time.Duration.ofSeconds(8))) {
            c.write(new byte[] {42});
            return c.read(new byte[1]) < 0;
        } catch (io.jtipc.api.TipcException e) {
            return true; // refused, reset or closed by the peer
        } catch (java.io.InterruptedIOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void badConnArguments() {
        MainTest.Result r = MainTest.run("node", "--identity", "x", "--bearer", "udp:127.0.0.1:1", "connect");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("connect needs TYPE:INSTANCE");
        r = MainTest.run("node", "--identity", "x", "--bearer", "udp:127.0.0.1:1", "connect", "1:2:3");
        assertThat(r.code()).isEqualTo(2);
        r = MainTest.run("node", "--identity", "x", "--bearer", "udp:127.0.0.1:1", "--echo-conn", "1:2:3");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--echo-conn takes TYPE:INSTANCE");
    }

    static final class InputStream0 {
        java.io.InputStream stream(String s) {
            return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
        }
    }
}
