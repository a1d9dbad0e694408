package io.jtipc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

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
}
