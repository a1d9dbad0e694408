package io.jtipc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jtipc node --config FILE}: the keys of the flags, the command line overriding the file, and clear usage
 * errors (exit 2) naming FILE:LINE for unknown keys, repeated single keys and bad values. The nodes run in-process
 * over UDP on loopback with --control none and a short --for.
 */
class NodeConfigFileTest {

    private static Path write(Path dir, String text) throws Exception {
        Path f = dir.resolve("node.conf");
        Files.writeString(f, text);
        return f;
    }

    private static int port() {
        return 20000 + ThreadLocalRandom.current().nextInt(20000);
    }

    @Test
    void theFileConfiguresTheNodeAndTheCommandLineWins(@TempDir Path dir) throws Exception {
        int p = port();
        Path f = write(dir, """
                # a node from its config file
                identity = cfg-file   # trailing comment
                bearer = udp:127.0.0.1:%d,remote=127.0.0.4:%d,name=f1
                bearer = udp:127.0.0.2:%d,remote=127.0.0.5:%d,name=f2
                cluster = 321
                control = none

                for = 0.2
                verbose = false
                """.formatted(p, p, p, p));
        MainTest.Result r = MainTest.run("node", "--config", f.toString(), "bearer-set", "window", "100", "udp:f1",
                "bearer-set", "window", "90", "udp:f2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("NODE cfg-file address [0-9a-f]+ cluster 321")
                .contains("BEARER udp:f1 window 100").contains("BEARER udp:f2 window 90");

        // flags override: identity, cluster, and --bearer replaces both bearers of the file
        r = MainTest.run("node", "--config", f.toString(), "--identity", "cfg-cli", "--cluster", "77",
                "--bearer", "udp:127.0.0.3:" + p + ",remote=127.0.0.6:" + p + ",name=c1", "bearer-set", "window", "100", "udp:c1");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("NODE cfg-cli address [0-9a-f]+ cluster 77").contains("BEARER udp:c1 window 100");
        r = MainTest.run("node", "--config", f.toString(), "--bearer", "udp:127.0.0.3:" + p + ",remote=127.0.0.6:" + p + ",name=c1",
                "bearer-set", "window", "100", "udp:f1");
        assertThat(r.code()).as("the file's bearer udp:f1 is not enabled: " + r.out()).isEqualTo(1);
    }

    @Test
    void unknownKeysAndBadValuesAreUsageErrorsNamingFileAndLine(@TempDir Path dir) throws Exception {
        int p = port();
        String good = "identity = cfg-bad\nbearer = udp:127.0.0.1:" + p + "\ncontrol = none\n";
        record Case(String text, String message) {}
        for (Case c : new Case[] {
            new Case(good + "bearers = udp:127.0.0.2\n", ":4: unknown key 'bearers'"),
            new Case("# x\n" + good + "cluster = abc\n", ":5: Invalid value for option '--cluster'"),
            new Case(good + "cluster = 0\n", ":4: cluster: cluster id not in 1-9999: 0"),
            new Case(good + "identity = other\n", ":4: 'identity' given twice (first on line 1)"),
            new Case(good + "bearer = tcp:1.2.3.4\n", ":4: bearer: "),
            new Case(good + "verbose = yes\n", ":4: 'verbose' is a flag: true or false"),
            new Case(good + "cluster\n", ":4: 'cluster' needs '= VALUE'"),
            new Case(good + "help = true\n", ":4: 'help' is not allowed in a config file"),
            new Case(good + "config = /x\n", ":4: 'config' is not allowed in a config file"),
            new Case(good + "--identity = x\n", ":4: unknown key '--identity'"),
            new Case(good + "v = true\n", ":4: unknown key 'v'"),
            new Case(good + "evil\u001b[31m = 1\n", ":4: unknown key 'evil\\x1b[31m'"),
        }) {
            Path f = write(dir, c.text());
            MainTest.Result r = MainTest.run("node", "--config", f.toString(), "links");
            assertThat(r.code()).as(c.text() + r.err()).isEqualTo(2);
            assertThat(r.err()).as(c.text()).contains(f + c.message()).doesNotContain("\u001b");
        }
        MainTest.Result r = MainTest.run("node", "--config", dir.resolve("missing.conf").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("missing.conf: no such file");
        r = MainTest.run("node", "--config", write(dir, "bearer = udp:127.0.0.1:" + p + "\n").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("give --identity (or 'identity = ID' in --config FILE)");
    }

    @Test
    void helpDocumentsTheConfigFileAndTheExitCodes() {
        MainTest.Result r = MainTest.run("node", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out().replaceAll("\\s+", " ")).contains("--config=FILE")
                .contains("Exit codes: 0 done or stopped by SIGTERM/SIGINT (graceful close), 1 runtime failure")
                .contains("2 usage error (bad option, action or value, bad --config file)");
    }

    /** Only a regular file of at most MAX_BYTES is read: a larger file and /dev/zero are usage errors. */
    @Test
    void theFileIsRegularAndBounded(@TempDir Path dir) throws Exception {
        Path big = dir.resolve("big.conf");
        Files.write(big, ("#".repeat((int) NodeConfigFile.MAX_BYTES) + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        MainTest.Result r = MainTest.run("node", "--config", big.toString(), "links");
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("larger than " + NodeConfigFile.MAX_BYTES + " bytes");
        r = MainTest.run("node", "--config", "/dev/zero", "links");
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("/dev/zero is not a regular file");
    }

    /**
     * A file with a key must be private to the user as a pcap --key-file: owned by the user, no group/other bits;
     * the messages never show the key.
     */
    @Test
    void aFileWithAKeyMustBePrivate(@TempDir Path dir) throws Exception {
        String key = "0123456789abcdef0123456789abcdef11223344";
        Path f = write(dir, "identity = cfg-key\nkey = " + key + "\nnot-a-key = 1\n");
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        MainTest.Result r = MainTest.run("node", "--config", f.toString(), "links");
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("accessible by other users").contains("chmod 600").doesNotContain(key.substring(4, 12));
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        // private: read on, to the next error
        r = MainTest.run("node", "--config", f.toString(), "links");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(":3: unknown key 'not-a-key'");
        // owned by another user (the tests may run as root, who can give it away)
        Object uid = Files.getAttribute(f, "unix:uid");
        try {
            Files.setAttribute(f, "unix:uid", ((Integer) uid) + 4242);
        } catch (java.io.IOException e) {
            org.junit.jupiter.api.Assumptions.abort("cannot chown: " + e);
        }
        r = MainTest.run("node", "--config", f.toString(), "links");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("not owned by the current user");
        // a bad key: the message names the position only
        Path g = dir.resolve("bad.conf");
        Files.writeString(g, "identity = cfg-key\nkey = 0123456789abcdef0123456789abcdef112233%4\n");
        Files.setPosixFilePermissions(g, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        r = MainTest.run("node", "--config", g.toString(), "links");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(":2: key: ").contains("position 38").doesNotContain("%").doesNotContain("abcdef");
        // a group-readable file without a key is fine (read on, to the next error)
        Path h = write(dir, "identity = cfg-key\nnot-a-key = 1\n");
        Files.setPosixFilePermissions(h, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        r = MainTest.run("node", "--config", h.toString(), "links");
        assertThat(r.err()).contains(":2: unknown key 'not-a-key'");
    }
}
