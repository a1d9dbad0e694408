package io.jtipc.cli.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.jtipc.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The default control socket is named by the identity as the node shows it ({@code node list}, READY), not as it
 * was typed: a node started with an upper-case hex identity is found by {@code jtipc --node} with the lower-case
 * form it shows (and with the typed form too).
 */
class ControlDefaultPathTest {

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theDefaultPathIsNamedByTheCanonicalIdentity() throws Exception {
        Path dir = ControlPaths.defaultDirectory();
        assertThat(ControlPaths.defaultPath("00112233445566778899AABBCCDDEEFF"))
            .isEqualTo(ControlPaths.defaultPath("00112233445566778899aabbccddeeff"))
            .isEqualTo(dir.resolve("00112233445566778899aabbccddeeff.ctl"));
        // a space is not shown as text: the node shows (and is found by) the hex form
        assertThat(ControlPaths.defaultPath("my node")).isEqualTo(dir.resolve("6d79206e6f6465.ctl"))
            .isEqualTo(ControlPaths.defaultPath("6d79206e6f6465"));
        // ':' and '@' are shown as text: kept, so these identities do not share a socket with "a_b"
        assertThat(ControlPaths.defaultPath("a:b")).isEqualTo(dir.resolve("a:b.ctl"));
        assertThat(ControlPaths.defaultPath("a@b")).isEqualTo(dir.resolve("a@b.ctl"));
        assertThat(ControlPaths.defaultPath("a_b")).isEqualTo(dir.resolve("a_b.ctl"));
        assertThat(ControlPaths.canonicalIdentity("x".repeat(40))).as("no identity: as it is").isEqualTo("x".repeat(40));
    }

    @Test
    void aNodeWithAnUpperCaseHexIdentityIsFoundByItsCanonicalForm() throws Exception {
        ControlPaths.ensurePrivate(ControlPaths.defaultDirectory());
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        // a last digit other than '0': the node shows the hex without trailing '0' characters
        String typed = "00112233445566778899AABBCCDD" + String.format("%03X", ThreadLocalRandom.current().nextInt(4096)) + "F";
        String shown = typed.toLowerCase(java.util.Locale.ROOT);
        Path expected = ControlPaths.defaultDirectory().resolve(shown + ControlPaths.SUFFIX);
        CompletableFuture<Result> node = CompletableFuture.supplyAsync(() -> run("node", "--identity", typed,
            "--bearer", "udp:127.0.0.1:" + port + ",remote=127.0.0.2:" + port + ",name=u", "--for", "10"));
        long end = System.nanoTime() + 30_000_000_000L;
        while (!Files.exists(expected) && !node.isDone() && System.nanoTime() < end) Thread.sleep(20);
        assertThat(Files.exists(expected)).as("socket " + expected + "; node: " + (node.isDone() ? node.get() : "running"))
            .isTrue();
        Result r = run("--node", shown, "node", "list");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains(shown);
        r = run("--node", typed, "link", "list");
        assertThat(r.code()).as(r.err()).isZero();
        Result n = node.get(60, TimeUnit.SECONDS);
        assertThat(n.code()).as(n.err()).isZero();
        assertThat(n.err()).contains("READY identity " + shown + " ").contains(" control " + expected);
        assertThat(Files.exists(expected)).as("removed when the node stops").isFalse();
    }
}
