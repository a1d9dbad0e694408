package io.jtipc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcMessage;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcSocket;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * A peer that makes every echo fail (a forged origin node: EHOSTUNREACH) costs one line per node, not one per
 * message; the echoes are still counted. The echo's per-message step is driven directly with forged messages.
 */
class RdmEchoFailureTest {

    private static long lines(StringWriter text, String prefix) {
        return Arrays.stream(text.toString().split("\n")).filter(l -> l.startsWith(prefix)).count();
    }

    @Test
    void failedEchoesAreToldOncePerNode() throws Exception {
        int p = 20000 + ThreadLocalRandom.current().nextInt(20000);
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
        try (TipcNode a = TipcNode.builder().identity("jt-echo-fail").bearer("udp:127.0.0.1:" + p + ",remote=127.0.0.2:" + p)
                .start();
             TipcSocket sock = TipcSocket.rdm(a);
             TipcSocket client = TipcSocket.rdm(a)) {
            RdmEcho echo = new RdmEcho(sock, out);
            TipcAddress forged1 = TipcAddress.ofSocket(1234, 0x0bad0001);
            TipcAddress forged2 = TipcAddress.ofSocket(1234, 0x0bad0002);
            for (int i = 0; i < 100; i++) {
                echo.echo(new TipcMessage(forged1, sock.address(), new byte[] {(byte) i}, 0, 0));
            }
            assertThat(echo.failed()).isEqualTo(100);
            assertThat(lines(text, "ECHO failed to ")).as(text.toString()).isEqualTo(1);
            assertThat(text.toString()).contains("ECHO failed to " + forged1 + ": ");
            for (int i = 0; i < 10; i++) {
                echo.echo(new TipcMessage(forged2, sock.address(), new byte[] {(byte) i}, 0, 0));
            }
            assertThat(echo.failed()).isEqualTo(110);
            assertThat(lines(text, "ECHO failed to ")).as("one more line, for the other node").isEqualTo(2);
            // a real client is echoed as before
            echo.echo(new TipcMessage(client.address(), sock.address(), new byte[] {7, 7}, 0, 0));
            TipcMessage back = client.receive(Duration.ofSeconds(10));
            assertThat(back).isNotNull();
            assertThat(back.payload()).containsExactly(7, 7);
            assertThat(echo.echoed()).isEqualTo(1);
            assertThat(text.toString()).contains("ECHO 2 bytes to " + client.address());
        }
    }

    @Test
    void peerTroubleTellsTheFirstFailureAndCountsUntilAPass() {
        PeerTrouble t = new PeerTrouble(2);
        assertThat(t.failed(1)).as("node 1's first failure is told").isTrue();
        assertThat(t.failed(1)).isFalse();
        assertThat(t.failed(1)).isFalse();
        assertThat(t.failed(2)).as("node 2's first failure is told").isTrue();
        assertThat(t.failed(3)).as("beyond the limit: only counted by the caller").isFalse();
        assertThat(t.size()).isEqualTo(2);
        assertThat(t.passed(1)).as("failures since the first").isEqualTo(3);
        assertThat(t.passed(1)).as("told once").isZero();
        assertThat(t.failed(1)).as("a new failure after a pass is told again").isTrue();
        assertThat(t.failed(3)).as("room again").isFalse();
        assertThat(t.passed(3)).isZero();
    }
}
