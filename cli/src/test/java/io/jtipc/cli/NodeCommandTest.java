package io.jtipc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** {@code jtipc node} in-process: two nodes over UDP on 127.0.0.1 / 127.0.0.2 (no privilege needed). */
class NodeCommandTest {

    @Test
    void aHostileReplyIsPrintedEscaped() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a = "127.0.0.1:" + port;
        String b = "127.0.0.2:" + port;
        try (io.jtipc.api.TipcNode peer = io.jtipc.api.TipcNode.builder().identity("cli-hostile")
                .bearer("udp:" + a + ",remote=" + b + ",name=ha").start();
             io.jtipc.api.TipcSocket s = io.jtipc.api.TipcSocket.rdm(peer)) {
            s.bind(io.jtipc.api.TipcAddress.ofService(18891, 1));
            CompletableFuture<Void> replier = CompletableFuture.runAsync(() -> {
                try {
                    io.jtipc.api.TipcMessage m = s.receive(java.time.Duration.ofSeconds(30));
                    if (m != null) s.send(m.source(), "\n[INFO] x\u001b[31m".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            MainTest.Result r = MainTest.run("node", "--identity", "cli-victim", "--bearer", "udp:" + b + ",remote=" + a
                    + ",name=hb", "--wait-link", "15", "--timeout", "8", "send", "18891:1", "hi");
            replier.get(30, TimeUnit.SECONDS);
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).containsPattern("REPLY 14 bytes from <[0-9a-f]+:\\d+>: \\\\x0a\\[INFO\\] x\\\\x1b\\[31m\n")
                    .doesNotContain("\u001b").doesNotContain("\n[INFO] x");
        }
    }

    /**
     * The "LINK up" line is told under the node's core lock: printed there, a stdout whose reader stalls (a full pipe)
     * blocked the core in write(2) and the node answered nothing. Here the echo node's stdout blocks every write from
     * its first "LINK " line on; the sender must still get its echo.
     */
    @Test
    void aStalledStdoutDoesNotStopTheNode() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a = "127.0.0.1:" + port;
        String b = "127.0.0.2:" + port;
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.io.ByteArrayOutputStream seen = new java.io.ByteArrayOutputStream();
        java.io.OutputStream stalling = new java.io.OutputStream() {
            @Override
            public void write(int c) throws java.io.IOException {
                write(new byte[] {(byte) c}, 0, 1);
            }

            @Override
            public void write(byte[] buf, int off, int len) throws java.io.IOException {
                boolean stall;
                synchronized (seen) {
                    seen.write(buf, off, len);
                    stall = seen.toString(java.nio.charset.StandardCharsets.UTF_8).contains("LINK ");
                }
                try {
                    if (stall) release.await(30, TimeUnit.SECONDS); // a pipe nobody reads
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
            }
        };
        java.io.ByteArrayOutputStream echoErr = new java.io.ByteArrayOutputStream();
        CompletableFuture<Integer> echo = CompletableFuture.supplyAsync(() -> Main.run(new String[] {"node",
                "--identity", "cli-stalled", "--bearer", "udp:" + a + ",remote=" + b + ",name=ua", "--echo", "18892:1",
                "--for", "10"}, new java.io.PrintStream(stalling, true, java.nio.charset.StandardCharsets.UTF_8),
                new java.io.PrintStream(echoErr, true, java.nio.charset.StandardCharsets.UTF_8)));
        try {
            MainTest.Result r = MainTest.run("node", "--identity", "cli-asker", "--bearer", "udp:" + b + ",remote=" + a
                    + ",name=ub", "--wait-link", "15", "--timeout", "5", "send", "18892:1", "still there?");
            assertThat(r.code()).as(r.out() + r.err()).isZero();
            assertThat(r.out()).containsPattern("REPLY 12 bytes from <[0-9a-f]+:\\d+>: still there\\?");
            synchronized (seen) {
                assertThat(seen.toString(java.nio.charset.StandardCharsets.UTF_8)).as("the echo node's stalled stdout")
                        .contains("LINK up cli-stalled:ua-cli-asker:ub");
            }
        } finally {
            release.countDown();
        }
        assertThat(echo.get(30, TimeUnit.SECONDS)).as(echoErr.toString(java.nio.charset.StandardCharsets.UTF_8))
                .isZero();
        assertThat(seen.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("ECHO 12 bytes to");
    }

    @Test
    void echoNodeAndScriptedSender() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a = "127.0.0.1:" + port;
        String b = "127.0.0.2:" + port;
        CompletableFuture<MainTest.Result> echo = CompletableFuture.supplyAsync(() -> MainTest.run("node", "--identity", "cli-echo",
                "--bearer", "udp:" + a + ",remote=" + b + ",name=ua", "--echo", "18888:17", "--for", "12"));
        MainTest.Result r = MainTest.run("node", "--identity", "cli-send", "--bearer", "udp:" + b + ",remote=" + a + ",name=ub",
                "--wait-link", "15", "--timeout", "8", "send", "18888:17", "hello kernel", "links", "nametable");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("SENT 12 bytes to {18888, 17}")
                .containsPattern("REPLY 12 bytes from <[0-9a-f]+:\\d+>: hello kernel")
                .contains("broadcast-link: up\n").contains("cli-send:ub-cli-echo:ua: up")
                .contains("Type       Lower      Upper      Scope    Port       Node")
                .containsPattern("18888\\s+17\\s+17\\s+cluster\\s+\\d+\\s+cli-echo");
        MainTest.Result e = echo.get(30, TimeUnit.SECONDS);
        assertThat(e.code()).as(e.err()).isZero();
        assertThat(e.out()).contains("READY echo {18888, 17}").containsPattern("ECHO 12 bytes to <[0-9a-f]+:\\d+>");
    }

    /** ping (issue 12) against an --echo node, and link-set / bearer-set; bad ping and set arguments. */
    @Test
    void pingCountsEveryEchoAndLinkSetChangesTheLink() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a = "127.0.0.1:" + port;
        String b = "127.0.0.2:" + port;
        CompletableFuture<MainTest.Result> echo = CompletableFuture.supplyAsync(() -> MainTest.run("node", "--identity", "cli-pecho",
                "--bearer", "udp:" + a + ",remote=" + b + ",name=ua", "--echo", "18889:1", "--for", "15"));
        MainTest.Result r = MainTest.run("node", "--identity", "cli-ping", "--bearer", "udp:" + b + ",remote=" + a + ",name=ub",
                "--wait-link", "15", "--timeout", "5", "ping", "18889:1", "2000", "700",
                "link-set", "tolerance", "3000", "cli-ping:ub-cli-pecho:ua", "bearer-set", "window", "100", "udp:ub",
                "link-stats");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("PING sent 2000 echoed 2000 lost 0 duplicated 0 reordered 0")
                .contains("LINK cli-ping:ub-cli-pecho:ua tolerance 3000").contains("BEARER udp:ub window 100")
                .containsPattern("Tolerance:3000 ms")
                .containsPattern("Tunnel synch-sent:\\d+ synch-rcvd:\\d+ failover-sent:\\d+ failover-rcvd:\\d+");
        MainTest.Result e = echo.get(30, TimeUnit.SECONDS);
        assertThat(e.code()).as(e.err()).isZero();
        // no peer any more: nothing can be sent (EHOSTUNREACH), everything lost, exit 1
        r = MainTest.run("node", "--identity", "cli-ping2", "--bearer", "udp:" + b + ",remote=" + a + ",name=ub",
                "--timeout", "1", "ping", "18889:2", "3", "8", "link-set", "priority", "5", "no-such-link");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("PING sent 0 echoed 0 lost 3 duplicated 0 reordered 0");
        assertThat(r.err()).contains("jtipc: ping: ").contains("no link no-such-link");
        r = MainTest.run("node", "--identity", "x", "--bearer", "udp:127.0.0.1:1", "ping", "1:1", "3", "2");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("ping SIZE must be at least 4");
        r = MainTest.run("node", "--identity", "x", "--bearer", "udp:127.0.0.1:1", "link-set", "mtu", "3", "l");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("PROP is tolerance, priority or window");
    }

    @Test
    void badArgumentsAndMissingInterface() {
        MainTest.Result r = MainTest.run("node", "--identity", "x", "--bearer", "tcp:1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("bad bearer 'tcp:1'");
        r = MainTest.run("node", "--identity", "x", "--bearer", "udp:127.0.0.1:1", "frobnicate");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown action 'frobnicate'");
        r = MainTest.run("node", "--identity", "x", "--bearer", "eth:nosuch0", "links");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("jtipc: ").contains("nosuch0");
    }

    @Test
    void moreThanThreeBearersIsAUsageError() {
        MainTest.Result r = MainTest.run("node", "--identity", "x", "--bearer", "udp:127.0.0.1:7001", "--bearer",
            "udp:127.0.0.1:7002", "--bearer", "udp:127.0.0.1:7003", "--bearer", "udp:127.0.0.1:7004", "links");
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("at most 3 bearers, got 4");
        // --lab adds one (eth:jt0): three more are one too many, refused before any lab is made
        r = MainTest.run("node", "--identity", "x", "--lab", "6.1", "--bearer", "udp:127.0.0.1:7001", "--bearer",
            "udp:127.0.0.1:7002", "--bearer", "udp:127.0.0.1:7003", "links");
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("--lab adds eth:jt0, so at most 2 --bearer, got 3");
    }

    @Test
    void secondsOptionsMustBeFiniteAndBounded() {
        // NaN first: it passed the old '< 0' check, ran the node and exited 0
        for (String option : new String[] {"--timeout", "--wait-link", "--wait", "--for"}) {
            for (String bad : new String[] {"NaN", "Infinity", "-Infinity", "1e300", "1000001", "-1"}) {
                MainTest.Result r = MainTest.run("node", "--identity", "x", "--bearer", "udp:127.0.0.1:1", option, bad,
                    "links");
                assertThat(r.code()).as(option + " " + bad + ": " + r.err()).isEqualTo(2);
                assertThat(r.err()).contains(option + " takes seconds from 0 to 1000000");
            }
        }
    }
}
