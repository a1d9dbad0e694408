package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

/** Encryption through the public API: two TipcNodes over UDP loopback with keys (net/tipc/crypto.c end to end). */
class UdpCryptoTest {
    static final String KEY = "0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef11223344";
    static final String OTHER = "fedcba9876543210fedcba9876543210aabbccdd";

    static void startBoth(TipcNode a, TipcNode b) throws Exception {
        Thread sa = new Thread(() -> {
            try {
                a.start();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        sa.start();
        b.start();
        sa.join();
    }

    @Test
    void sameMasterKeyLinksAndEchoes() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a1 = "127.0.0.1:" + port, b1 = "127.0.0.2:" + port;
        try (TipcNode a = TipcNode.builder().identity("jt-key-a").masterKey(KEY).bearer("udp:" + a1 + ",remote=" + b1 + ",name=ua").build();
             TipcNode b = TipcNode.builder().identity("jt-key-b").masterKey(KEY).bearer("udp:" + b1 + ",remote=" + a1 + ",name=ub").build()) {
            startBoth(a, b);
            TwoNodeChecks.linkBindingsEcho(a, b, "ua", "ub");
            assertThat(a.undecryptableFrames()).isZero();
            assertThat(b.undecryptableFrames()).isZero();
        }
    }

    @Test
    void differentKeysDoNotLink() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a1 = "127.0.0.1:" + port, b1 = "127.0.0.2:" + port;
        try (TipcNode a = TipcNode.builder().identity("jt-kx-a").key(KEY).bearer("udp:" + a1 + ",remote=" + b1).build();
             TipcNode b = TipcNode.builder().identity("jt-kx-b").key(OTHER).bearer("udp:" + b1 + ",remote=" + a1).build()) {
            startBoth(a, b);
            assertThatThrownBy(() -> a.awaitLinkUp(Duration.ofSeconds(4))).isInstanceOf(TipcException.class);
            assertThat(b.undecryptableFrames()).isPositive();
        }
    }

    @Test
    void malformedKeysAreRefusedWithoutEchoingTheKey() {
        String bad = "0x0123456789abcdef0123456789abcdef11223344ff";
        assertThatThrownBy(() -> TipcNode.builder().key(bad))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("20, 28 or 36 bytes")
            .hasMessageNotContaining("0123456789");
        assertThatThrownBy(() -> TipcNode.builder().key(KEY, "not a hex id, far too long for text ids"))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
