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
            assertThat(r.out()).contains("SUBSCRIBED {18889,0,10}").containsPattern("TIPC_PUBLISHED found 1-1 port.ref \\d+ port.node [0-9a-f]{8}");
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
