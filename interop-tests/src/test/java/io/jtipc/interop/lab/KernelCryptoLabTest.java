package io.jtipc.interop.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.jtipc.capture.DissectorOptions;
import io.jtipc.lab.GuestJob;
import io.jtipc.lab.KernelNode;
import io.jtipc.lab.KernelVersion;
import io.jtipc.lab.Lab;
import io.jtipc.lab.PacketCapture;
import io.jtipc.lab.junit.CaptureCheck;
import io.jtipc.lab.junit.LabExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * TIPC encryption (cluster master key, gcm(aes)) between a 6.1 and a 6.12 kernel over UDP bearers
 * with multicast discovery: the crypto modules load, the link comes up encrypted, traffic passes,
 * and every encrypted frame of the capture decrypts with the key in jtipc's dissector.
 */
@ExtendWith(LabExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KernelCryptoLabTest {
    /** AES-256 key followed by the 4-byte salt, as `tipc node set key` takes it. */
    static final String KEY = "0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f5a17ab1e";
    private static final Duration T = Duration.ofSeconds(60);

    PacketCapture capture;
    KernelNode a;
    KernelNode b;

    @BeforeAll
    void bootEncryptedPair(Lab lab) {
        capture = lab.capture(LabExtension.pcapPath(lab, "crypto-udp"));
        List<KernelNode> nodes = lab.bootAll(KernelVersion.V6_1, KernelVersion.V6_12);
        a = nodes.get(0);
        b = nodes.get(1);
        for (KernelNode n : nodes) {
            n.setIdentity(n.name()).setMasterKey(KEY).enableUdpBearer("u1");
        }
        a.awaitUpLinks(1, Duration.ofSeconds(30));
        b.awaitUpLinks(1, Duration.ofSeconds(30));
    }

    @Test
    @Order(1)
    void encryptedLinkCarriesRdmAndStream() {
        assertThat(a.upLinks()).singleElement().asString().contains(":u1-");
        assertThat(a.exec("grep -c . /proc/crypto && grep -q 'gcm(aes)' /proc/crypto").ok()).isTrue();
        try (GuestJob echo = b.startAgent("rdm-echo", "1000", "1").awaitReady(T);
             GuestJob conn = b.startAgent("conn-echo", "stream", "1002", "1").awaitReady(T)) {
            assertThat(a.agent(T, "rdm-ping", "1000", "1", "10", "2000").requireOk().lines()).contains("DONE sent 10 ok 10");
            assertThat(a.agent(T, "conn-ping", "stream", "1002", "1", "3", "50000").requireOk().lines())
                    .contains("DONE sent 3 ok 3");
        }
    }

    @Test
    @Order(100)
    void everyEncryptedFrameDecryptsWithTheKey() throws Exception {
        var file = capture.stop();
        DissectorOptions options = DissectorOptions.builder().addKey(DissectorOptions.parseKey(KEY)).build();
        CaptureCheck.Report r = CaptureCheck.check(file, options);
        System.err.println("[jtipc-lab] " + r);
        r.requireClean();
        assertThat(r.summary().encryptedFrames()).isGreaterThan(20);
        assertThat(r.summary().undecryptedFrames()).isZero();
        assertThat(r.messages()).isGreaterThan(20);
    }
}
