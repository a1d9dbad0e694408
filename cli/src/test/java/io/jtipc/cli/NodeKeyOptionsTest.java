package io.jtipc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jtipc node --key KEY [--key-master] [--key-node ID] [--rekeying MINUTES]} in-process over UDP loopback. */
class NodeKeyOptionsTest {
    static final String KEY = "0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef11223344";

    @Test
    void aKeyedNodeStartsAndNeverPrintsItsKey() {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        MainTest.Result r = MainTest.run("node", "--identity", "cli-key-a", "--bearer", "udp:127.0.0.1:" + port,
            "--key", KEY, "--key-node", "cli-key-a", "--rekeying", "5", "--for", "1.5", "-v");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("NODE cli-key-a");
        assertThat(r.out() + r.err()).doesNotContain("0123456789abcdef").doesNotContain("11223344");
    }

    @Test
    void badKeyOptionsExitTwo() {
        MainTest.Result r = MainTest.run("node", "--identity", "x", "--bearer", "udp:127.0.0.1:1", "--key-master");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("need --key");
        r = MainTest.run("node", "--identity", "x", "--bearer", "udp:127.0.0.1:1", "--key", KEY, "--key-master", "--key-node", "y");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("exclude each other");
        r = MainTest.run("node", "--identity", "x", "--bearer", "udp:127.0.0.1:1", "--key", "0x0123456789abcdef1234");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("16, 24 or 32 bytes").doesNotContain("0123456789abcdef1234");
    }

    static Path keyFile(Path dir, String name, String content, String mode) throws Exception {
        Path f = Files.writeString(dir.resolve(name), content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    /**
     * Issue 18 (the key off the command line, where ps shows it): {@code --key-file} keys the node as {@code --key}
     * does — the link with a node keyed by {@code --key} comes up with the same cluster key and does not with
     * another; a file others can read, two key lines, or --key with it are usage errors that never print the key.
     */
    @Test
    void aKeyFileKeysTheNodeAsKeyDoes(@TempDir Path dir) throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a = "udp:127.0.0.1:" + port + ",remote=127.0.0.2:" + port + ",name=ua";
        String b = "udp:127.0.0.2:" + port + ",remote=127.0.0.1:" + port + ",name=ub";
        Path good = keyFile(dir, "good", "# the cluster key\n\n" + KEY + "\n", "rw-------");
        Path other = keyFile(dir, "other", KEY.replace("0x01", "0x99") + "\n", "rw-------");
        CompletableFuture<MainTest.Result> keyed = CompletableFuture.supplyAsync(() -> MainTest.run("node", "--identity",
            "cli-kf-a", "--bearer", a, "--key", KEY, "--key-master", "--for", "14"));
        MainTest.Result r = MainTest.run("node", "--identity", "cli-kf-b", "--bearer", b, "--key-file", good.toString(),
            "--key-master", "--wait-link", "10", "links");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("cli-kf-b:ub-cli-kf-a:ua");
        MainTest.Result wrong = MainTest.run("node", "--identity", "cli-kf-c", "--bearer", b, "--key-file",
            other.toString(), "--key-master", "--wait-link", "3", "links");
        assertThat(wrong.code()).as("another key: no link").isEqualTo(1);
        assertThat(keyed.get(30, TimeUnit.SECONDS).code()).isZero();

        Path open = keyFile(dir, "open", KEY + "\n", "rw-r--r--");
        Path two = keyFile(dir, "two", KEY + "\n" + KEY + "\n", "rw-------");
        Path none = keyFile(dir, "none", "# nothing\n", "rw-------");
        for (String[] bad : new String[][] {{"--key-file", open.toString()}, {"--key-file", two.toString()},
                {"--key-file", none.toString()}, {"--key-file", dir.resolve("missing").toString()},
                {"--key-file", good.toString(), "--key", KEY}}) {
            String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("node", "--identity", "x", "--bearer",
                "udp:127.0.0.1:1"), java.util.stream.Stream.of(bad)).toArray(String[]::new);
            MainTest.Result e = MainTest.run(args);
            assertThat(e.code()).as(String.join(" ", bad) + ": " + e.err()).isEqualTo(2);
            assertThat(e.err()).as(String.join(" ", bad)).contains("key").doesNotContain("0123456789abcdef");
        }
    }
}
