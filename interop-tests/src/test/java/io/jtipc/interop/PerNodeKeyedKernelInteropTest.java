package io.jtipc.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import io.jtipc.api.LinkInfo;
import io.jtipc.api.TipcNode;
import io.jtipc.capture.CapturedMessage;
import io.jtipc.capture.DissectorOptions;
import io.jtipc.capture.TipcCaptureDissector;
import io.jtipc.capture.TipcMessageListener;
import io.jtipc.lab.KernelNode;
import io.jtipc.lab.KernelVersion;
import io.jtipc.lab.Lab;
import io.jtipc.lab.PacketCapture;
import io.jtipc.lab.Veth;
import io.jtipc.lab.junit.CaptureCheck;
import io.jtipc.lab.junit.LabExtension;

/**
 * Issue 11, per-node keys against a real kernel, no master and no cluster key. node.c {@code __tipc_nl_node_set_key}:
 * {@code tipc node set key KEY nodeid ID} with the node's own id sets its TX key (PER_NODE_KEY, slot 1, distributed
 * in KEY_DISTR to the nodes that are up); with another node's id it sets the RX key of that peer, creating a
 * preliminary node for an id not known yet, so the peer's first discovery frame decrypts. {@code ID} is parsed by
 * iproute2's {@code str2nodeid} (up to 16 characters: the identity as text), the same form {@code tipc node set
 * identity} and jtipc's {@code identity()} take.
 *
 * <p>The kernel gets its own TX key {@link #K_KERNEL} and jtipc's {@link #K_JTIPC}; the jtipc node the mirror
 * ({@code TipcNode.Builder.key(key, nodeId)}). On UDP (multicast discovery), then with a new jtipc node of the same id
 * on Ethernet: the link comes up, bindings both ways, RDM echo both ways (1000 x 100 B, 20 x 66000 B, content checked);
 * on Ethernet also a SEQPACKET and a STREAM connection of 10 MB each way; the capture of both
 * holds only encrypted frames, none under a master key (TX key slot 0), and the capture analyser decrypts every one
 * given both keys. One kernel per class.
 */
@ExtendWith(LabExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class PerNodeKeyedKernelInteropTest {
    static final Duration T = KeyedTraffic.T;
    /** The kernel's own TX key (AES-256 + salt). */
    static final String K_KERNEL = "0x5a17c3e90b2d4f6881a3c5e7092b4d6f8193a5b7c9d1e3f50718293a4b5c6d7e8f901a2b";
    /** jtipc's own TX key (AES-128 + salt: the two sides need not use the same length). */
    static final String K_JTIPC = "0xc0ffee112233445566778899aabbccdd0badf00d";
    static final String JTIPC_ID = "jtk-pn";

    Lab lab;
    PacketCapture capture;
    KernelNode k;
    Veth jt0;
    TipcNode node;

    abstract KernelVersion version();

    @BeforeAll
    void start(Lab lab) {
        this.lab = lab;
        capture = lab.capture(LabExtension.pcapPath(lab, "pernode-" + version().label()));
        jt0 = lab.addVeth("jt0");
        k = lab.boot(version());
        k.setIdentity(k.name());
        k.setNodeKey(K_KERNEL, k.name()); // own id: the TX key
        k.setNodeKey(K_JTIPC, JTIPC_ID); // the peer's id: its RX key (a preliminary node until discovered)
    }

    @AfterAll
    void stop() {
        if (node != null) node.close();
        if (lab != null) System.err.println("[jtipc-pernode] " + lab + " workdir " + lab.workDir());
    }

    TipcNode.Builder keyed(TipcNode.Builder b) {
        return b.identity(JTIPC_ID).key(K_JTIPC, JTIPC_ID).key(K_KERNEL, k.name());
    }

    @Test
    @Order(1)
    void udpLinkComesUpWithPerNodeKeys() throws Exception {
        k.enableUdpBearer("u1");
        node = keyed(TipcNode.builder().netns(lab.netns()).bearer("udp:" + jt0.ipv4() + ",name=m1")).start();
        LinkInfo l = node.awaitLinkUp(T);
        k.awaitUpLinks(1, T);
        System.err.println("[jtipc-pernode] " + version() + " udp: kernel " + k.linkList() + " jtipc " + node.linkList()
                + "\n" + k.tipc("node", "list").output());
        assertThat(l.name()).isEqualTo(JTIPC_ID + ":m1-" + k.name() + ":u1");
        assertThat(k.upLinks()).containsExactly(k.name() + ":u1-" + JTIPC_ID + ":m1");
        assertThat(node.undecryptableFrames()).isZero();
    }

    @Test
    @Order(2)
    void udpBindingsAndRdmEchoBothWays() throws Exception {
        KeyedTraffic.bindings(k, node, 18900);
        KeyedTraffic.rdmEchoBothWays(k, node, 18910);
        assertThat(node.undecryptableFrames()).isZero();
    }

    /** A new jtipc node with the same id and keys on Ethernet (the kernel keeps its RX key for that id). */
    @Test
    @Order(3)
    void ethernetLinkComesUpWithPerNodeKeys() throws Exception {
        node.close();
        node = null;
        KeyedTraffic.awaitGuest(() -> k.upLinks().isEmpty(), "the kernel's UDP link down after the jtipc node left");
        k.tipc("bearer", "disable", "media", "udp", "name", "u1");
        k.enableEthBearer();
        node = keyed(TipcNode.builder().netns(jt0.netns()).bearer("eth:" + jt0.name())).start();
        LinkInfo l = node.awaitLinkUp(T);
        k.awaitUpLinks(1, T);
        System.err.println("[jtipc-pernode] " + version() + " eth: kernel " + k.linkList() + " jtipc " + node.linkList());
        assertThat(l.name()).isEqualTo(JTIPC_ID + ":" + jt0.name() + "-" + k.name() + ":eth0");
        assertThat(k.upLinks()).containsExactly(k.name() + ":eth0-" + JTIPC_ID + ":" + jt0.name());
        assertThat(node.undecryptableFrames()).isZero();
    }

    @Test
    @Order(4)
    void ethernetBindingsRdmEchoAndConnectionsTenMegabytesEachWay() throws Exception {
        KeyedTraffic.bindings(k, node, 18930);
        KeyedTraffic.rdmEchoBothWays(k, node, 18940);
        KeyedTraffic.connections(version() + " per-node", k, node, 18950, KeyedKernelInteropTest.TEN_MB);
        assertThat(node.undecryptableFrames()).isZero();
        assertThat(node.links()).singleElement().matches(LinkInfo::up, "up");
    }

    /** Only encrypted frames, none under a master key, and every one decrypts given the two per-node keys. */
    @Test
    @Order(100)
    void captureHoldsOnlyPerNodeEncryptedFramesThatDecryptWithBothKeys() throws Exception {
        Path file = capture.stop();
        DissectorOptions options = DissectorOptions.builder().addKey(DissectorOptions.parseKey(K_KERNEL))
                .addKey(DissectorOptions.parseKey(K_JTIPC)).build();
        CaptureCheck.Report r = CaptureCheck.check(file, options);
        long[] slot0 = {0};
        new TipcCaptureDissector(options).dissect(file, new TipcMessageListener() {
            @Override
            public void onMessage(CapturedMessage m) {
                // a decrypted frame's outermost message carries its encryption header; w0 bits 23-22: TX key slot
                if (m.depth() == 0 && m.wasEncrypted() && ((m.encryptionHeader()[1] >>> 6) & 3) == 0) slot0[0]++;
            }
        });
        System.err.println("[jtipc-pernode] " + version() + " " + r + ", frames under TX key slot 0: " + slot0[0]);
        r.requireClean();
        assertThat(r.summary().tipcFrames()).isGreaterThan(10_000);
        assertThat(r.summary().encryptedFrames()).as("TIPC frames in plaintext").isEqualTo(r.summary().tipcFrames());
        assertThat(r.summary().undecryptedFrames()).isZero();
        assertThat(slot0[0]).as("frames under a master key (slot 0)").isZero();
        // neither key alone opens everything: both sides really encrypt with their own key
        for (String one : new String[] {K_KERNEL, K_JTIPC}) {
            CaptureCheck.Report alone = CaptureCheck.check(file,
                    DissectorOptions.builder().addKey(DissectorOptions.parseKey(one)).build());
            assertThat(alone.summary().undecryptedFrames()).as("frames one key alone does not open").isPositive();
        }
    }
}
