package io.jtipc.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import io.jtipc.api.LinkInfo;
import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcConnection;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcServerSocket;
import io.jtipc.api.TipcSocket;
import io.jtipc.capture.DissectorOptions;
import io.jtipc.lab.ExecResult;
import io.jtipc.lab.GuestJob;
import io.jtipc.lab.KernelNode;
import io.jtipc.lab.KernelVersion;
import io.jtipc.lab.Lab;
import io.jtipc.lab.PacketCapture;
import io.jtipc.lab.Veth;
import io.jtipc.lab.junit.CaptureCheck;
import io.jtipc.lab.junit.LabExtension;

/**
 * Issue 11 against real kernels: a keyed kernel node ({@code tipc node set key K algname "gcm(aes)" [master]}, set
 * before any bearer, so every frame it sends is encrypted) and jtipc nodes given the same key. One kernel is booted
 * per class and serves, in order:
 * <ol>
 *   <li>UDP (multicast discovery, kernel {@code u1}, jtipc {@code udp:JT0}): link up on both sides, bindings both
 *       ways, RDM echo both ways (1000 x 100 B, 20 x 66000 B, content checked), a SEQPACKET connection from a kernel
 *       client to a jtipc echo and a STREAM one from jtipc to a kernel echo, 10 MB each way each;</li>
 *   <li>the same on Ethernet (kernel {@code eth0}, jtipc {@code eth:jt0}), the 10 MB transfers only where
 *       {@link #heavyOnEthernet()} says so (to keep the lab run bounded);</li>
 *   <li>the capture of 1-2 holds only encrypted (version 7) TIPC frames and jtipc's capture analyser decrypts every
 *       one with the key;</li>
 *   <li>a jtipc node with a wrong key, then one with none, on a second port: no link on either side, encrypted frames
 *       counted as undecryptable, the kernel and its link to the keyed jtipc node stay up.</li>
 * </ol>
 * Subclasses choose the kernel and the key mode (master key on 6.1/6.12, cluster key on 5.10).
 */
@ExtendWith(LabExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class KeyedKernelInteropTest {
    static final Duration T = Duration.ofSeconds(60);
    /** AES-256 key followed by the 4-byte salt, as {@code tipc node set key} takes it. */
    static final String KEY = "0x3c1f6a0b9e2d47c58a13f0e6d2b97a4c1e5f08d3b6a2c9e7f4d1a8b5c2e9f6a3d0c7b4a1";
    /** Same length, other bytes. */
    static final String WRONG_KEY = "0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff01020304";
    static final int TEN_MB = 10 * 1024 * 1024;

    Lab lab;
    PacketCapture capture;
    KernelNode k;
    Veth jt0;
    Veth jt1;
    TipcNode node;

    abstract KernelVersion version();

    /** True: the kernel gets the key as the cluster master key ({@code … master}); false: as a cluster key. */
    abstract boolean masterKey();

    /** Whether the 10 MB connection transfers run on Ethernet too (they always run on UDP). */
    abstract boolean heavyOnEthernet();

    @BeforeAll
    void start(Lab lab) {
        this.lab = lab;
        capture = lab.capture(LabExtension.pcapPath(lab, "keyed-" + version().label()));
        jt0 = lab.addVeth("jt0");
        jt1 = lab.addVeth("jt1");
        k = lab.boot(version());
        k.setIdentity(k.name());
        if (masterKey()) k.setMasterKey(KEY);
        else k.setClusterKey(KEY);
    }

    @AfterAll
    void stop() {
        if (node != null) node.close();
        if (lab != null) System.err.println("[jtipc-keyed] " + lab + " workdir " + lab.workDir());
    }

    TipcNode.Builder keyed(TipcNode.Builder b, String key) {
        return masterKey() ? b.masterKey(key) : b.key(key);
    }

    @Test
    @Order(1)
    void udpLinkComesUpEncrypted() throws Exception {
        k.enableUdpBearer("u1");
        node = keyed(TipcNode.builder().identity("jtk-udp").netns(lab.netns()).bearer("udp:" + jt0.ipv4() + ",name=m1"),
                KEY).start();
        LinkInfo l = node.awaitLinkUp(T);
        k.awaitUpLinks(1, T);
        System.err.println("[jtipc-keyed] " + version() + " udp: kernel " + k.linkList() + " jtipc " + node.linkList()
                + "\n" + k.tipc("node", "list").output());
        assertThat(l.name()).isEqualTo("jtk-udp:m1-" + k.name() + ":u1");
        assertThat(k.upLinks()).containsExactly(k.name() + ":u1-jtk-udp:m1");
        assertThat(node.undecryptableFrames()).isZero();
    }

    @Test
    @Order(2)
    void udpBindingsBothWays() throws Exception {
        bindings(18700);
    }

    @Test
    @Order(3)
    void udpRdmEchoBothWays() throws Exception {
        rdmEchoBothWays(18710);
    }

    @Test
    @Order(4)
    void udpConnectionsTenMegabytesEachWay() throws Exception {
        connections(18720, TEN_MB);
        assertThat(node.undecryptableFrames()).isZero();
    }

    @Test
    @Order(5)
    void ethernetLinkComesUpEncrypted() throws Exception {
        node.close();
        node = null;
        awaitGuest(() -> k.upLinks().isEmpty(), "the kernel's UDP link down after the jtipc node left");
        k.tipc("bearer", "disable", "media", "udp", "name", "u1");
        k.enableEthBearer();
        node = keyed(TipcNode.builder().identity("jtk-eth").netns(jt0.netns()).bearer("eth:" + jt0.name()), KEY).start();
        LinkInfo l = node.awaitLinkUp(T);
        k.awaitUpLinks(1, T);
        System.err.println("[jtipc-keyed] " + version() + " eth: kernel " + k.linkList() + " jtipc " + node.linkList());
        assertThat(l.name()).isEqualTo("jtk-eth:" + jt0.name() + "-" + k.name() + ":eth0");
        assertThat(l.mtu()).isEqualTo(1500);
        assertThat(k.upLinks()).containsExactly(k.name() + ":eth0-jtk-eth:" + jt0.name());
    }

    @Test
    @Order(6)
    void ethernetBindingsAndRdmEchoBothWays() throws Exception {
        bindings(18730);
        rdmEchoBothWays(18740);
    }

    @Test
    @Order(7)
    void ethernetConnections() throws Exception {
        // the full 10 MB where the class says so, else 1 MB each (the path is the same, the lab run stays bounded)
        connections(18750, heavyOnEthernet() ? TEN_MB : 1024 * 1024);
        assertThat(node.undecryptableFrames()).isZero();
        assertThat(node.links()).singleElement().matches(LinkInfo::up, "up");
    }

    /** Every TIPC frame of the capture (kernel's and jtipc's, UDP and Ethernet) is encrypted and decrypts. */
    @Test
    @Order(100)
    void captureHoldsOnlyEncryptedFramesThatDecryptWithTheKey() throws Exception {
        Path file = capture.stop();
        DissectorOptions options = DissectorOptions.builder().addKey(DissectorOptions.parseKey(KEY)).build();
        CaptureCheck.Report r = CaptureCheck.check(file, options);
        System.err.println("[jtipc-keyed] " + r);
        r.requireClean();
        assertThat(r.summary().tipcFrames()).isGreaterThan(10_000);
        assertThat(r.summary().encryptedFrames()).as("TIPC frames in plaintext").isEqualTo(r.summary().tipcFrames());
        assertThat(r.summary().undecryptedFrames()).isZero();
    }

    @Test
    @Order(200)
    void wrongKeyDoesNotLink() throws Exception {
        String log = withLogTap(() -> {
            try (TipcNode bad = keyed(TipcNode.builder().identity("jtk-bad").netns(jt1.netns())
                    .bearer("eth:" + jt1.name()), WRONG_KEY).start()) {
                assertNoLink(bad, "jtk-bad");
            }
        });
        assertLoggedOnce(log, "jtk-bad");
        assertThat(log).as("key material in the log").doesNotContain(WRONG_KEY.substring(2, 18))
                .doesNotContain(KEY.substring(2, 18));
    }

    @Test
    @Order(201)
    void noKeyDoesNotLink() throws Exception {
        String log = withLogTap(() -> {
            try (TipcNode none = TipcNode.builder().identity("jtk-none").netns(jt1.netns()).bearer("eth:" + jt1.name())
                    .start()) {
                assertNoLink(none, "jtk-none");
            }
        });
        assertLoggedOnce(log, "jtk-none");
    }

    /**
     * The API's warning about undecryptable frames ("node ID: encrypted TIPC frames received that no key ..."): once
     * by node {@code id}, however many frames came on whichever receive thread (no log storm), and at most once by any
     * node (the keyed node hears the other's frames too and may warn once itself).
     */
    static void assertLoggedOnce(String log, String id) {
        java.util.Map<String, Long> byNode = log.lines().filter(l -> l.contains("no key of this node decrypts"))
                .collect(java.util.stream.Collectors.groupingBy(
                        l -> l.replaceAll("^.*? node (\\S+): encrypted .*$", "$1"), java.util.stream.Collectors.counting()));
        assertThat(byNode).as("warnings about undecryptable frames per node in:\n" + log)
                .containsEntry(id, 1L).allSatisfy((k, n) -> assertThat(n).isEqualTo(1L));
    }

    /** Runs {@code a} with System.err (slf4j-simple's target, looked up per line) also copied into the result. */
    static String withLogTap(Action a) throws Exception {
        java.io.PrintStream orig = System.err;
        java.io.ByteArrayOutputStream copy = new java.io.ByteArrayOutputStream();
        java.io.OutputStream tee = new java.io.OutputStream() {
            @Override
            public void write(int b) {
                orig.write(b);
                synchronized (copy) {
                    copy.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                orig.write(b, off, len);
                synchronized (copy) {
                    copy.write(b, off, len);
                }
            }
        };
        System.setErr(new java.io.PrintStream(tee, true));
        try {
            a.run();
        } finally {
            System.setErr(orig);
        }
        synchronized (copy) {
            return copy.toString();
        }
    }

    /**
     * A rekeying on the kernel side ({@code tipc node set key rekeying now}): the kernel makes a session key, sends it
     * in KEY_DISTR, and switches its TX to it once jtipc reports it as its RX active key. RDM traffic runs all along:
     * every echo arrives with its content, no link goes down, and the kernel's frames use the session key afterwards.
     */
    @Test
    @Order(300)
    void kernelRekeyingLosesNothing() throws Exception {
        Assumptions.assumeTrue(masterKey(), "rekeying checked in master-key mode (6.1, 6.12)");
        // the kernel makes session keys with the crypto API's default RNG (crypto.c tipc_aead_key_generate,
        // crypto_get_default_rng): built in on 6.12, modules on 6.1 (drbg, jitterentropy_rng, sha512_generic) that
        // docker/peer/modules.list loads; a guest without it cannot rekey, which must fail here, not skip
        assertThat(k.exec("grep -q '^name *: stdrng' /proc/crypto").ok())
                .as("stdrng (drbg) in the guest's /proc/crypto: see docker/peer/modules.list").isTrue();
        rekeyUnderTraffic(18800, () -> k.tipc("node", "set", "key", "rekeying", "now"), k.mac(), "kernel");
    }

    /** The same with a rekeying started by jtipc ({@link TipcNode#rekeyNow}): jtipc's frames use its session key. */
    @Test
    @Order(301)
    void jtipcRekeyingLosesNothing() throws Exception {
        Assumptions.assumeTrue(masterKey(), "rekeying checked in master-key mode (6.1, 6.12)");
        rekeyUnderTraffic(18810, () -> node.rekeyNow(), jt0.mac(), "jtipc");
    }

    interface Action {
        void run() throws Exception;
    }

    /**
     * RDM ping-pong to a kernel echo on {type,1} from 2 s before {@code rekey} to 15 s after it, captured; then every
     * echo must have come back, the link never gone down, and frames from {@code senderMac} encrypted with a session
     * key (TX key slot 1-3, which the master key does not open) must be on the wire.
     */
    void rekeyUnderTraffic(int type, Action rekey, String senderMac, String who) throws Exception {
        PacketCapture cap = lab.capture(LabExtension.pcapPath(lab, "keyed-rekey-" + who + "-" + version().label()));
        java.util.List<LinkInfo> downs = new java.util.concurrent.CopyOnWriteArrayList<>();
        io.jtipc.api.LinkListener ll = new io.jtipc.api.LinkListener() {
            @Override
            public void linkDown(LinkInfo l) {
                downs.add(l);
            }
        };
        node.addLinkListener(ll);
        long undecryptableBefore = node.undecryptableFrames();
        int sent = 0;
        try (GuestJob echo = k.startAgent("rdm-echo", String.valueOf(type), "1").awaitReady(T);
             TipcSocket s = TipcSocket.rdm(node)) {
            node.awaitBinding(x -> x.type() == type, T);
            TipcAddress to = TipcAddress.ofService(type, 1);
            long rekeyAt = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            long end = rekeyAt + Duration.ofSeconds(15).toNanos();
            boolean rekeyed = false;
            while (System.nanoTime() < end) {
                if (!rekeyed && System.nanoTime() >= rekeyAt) {
                    rekey.run();
                    rekeyed = true;
                }
                RdmEcho.pingPong(s, to, 10, 1000 + (sent % 500));
                sent += 10;
            }
        } finally {
            node.removeLinkListener(ll);
        }
        Path file = cap.stop();
        long[] session = {0};
        long[] master = {0};
        byte[] mac = macBytes(senderMac);
        DissectorOptions options = DissectorOptions.builder().addKey(DissectorOptions.parseKey(KEY)).build();
        new io.jtipc.capture.TipcCaptureDissector(options).dissect(file, new io.jtipc.capture.TipcMessageListener() {
            // counted by the TX key slot in the clear header (w0 bits 23-22), whether or not the analyser opened the
            // frame: it opens session-key frames too once it has seen the KEY_DISTR (sent under the master key)
            void count(io.jtipc.capture.CapturedMessage m) {
                if (!java.util.Arrays.equals(m.src().address(), mac)) return;
                if (((m.encryptionHeader()[1] >>> 6) & 3) != 0) session[0]++;
                else master[0]++;
            }

            @Override
            public void onMessage(io.jtipc.capture.CapturedMessage m) {
                if (m.depth() == 0 && m.wasEncrypted()) count(m);
            }

            @Override
            public void onEncrypted(io.jtipc.capture.CapturedMessage m) {
                count(m);
            }
        });
        System.err.printf("[jtipc-keyed] %s %s rekeying: %d echoes, %d %s frames on a session key, %d on the master key,"
                + " jtipc undecryptable +%d, links down %s%n", version(), who, sent, session[0], who, master[0],
                node.undecryptableFrames() - undecryptableBefore, downs);
        assertThat(downs).as("links down during the rekeying").isEmpty();
        assertThat(session[0]).as(who + " frames encrypted with the new session key").isGreaterThan(20);
        assertThat(k.upLinks()).containsExactly(k.name() + ":eth0-jtk-eth:" + jt0.name());
    }

    static byte[] macBytes(String mac) {
        String[] p = mac.split(":");
        byte[] b = new byte[p.length];
        for (int i = 0; i < p.length; i++) b[i] = (byte) Integer.parseInt(p[i], 16);
        return b;
    }

    /** For 8 s: no link on either side, the kernel's frames counted as undecryptable; the keyed node's link stays. */
    void assertNoLink(TipcNode other, String id) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        while (System.nanoTime() < end) {
            assertThat(other.links()).as("links of " + id).noneMatch(LinkInfo::up);
            assertThat(k.upLinks()).as("kernel links").noneMatch(n -> n.contains(id));
            Thread.sleep(500);
        }
        long dropped = other.undecryptableFrames();
        System.err.println("[jtipc-keyed] " + version() + " " + id + ": " + dropped + " undecryptable frames, kernel "
                + k.linkList());
        assertThat(dropped).as("encrypted frames " + id + " could not decrypt").isPositive();
        // the kernel is up and still talks to the keyed jtipc node
        assertThat(k.isRunning()).isTrue();
        assertThat(k.upLinks()).containsExactly(k.name() + ":eth0-jtk-eth:" + jt0.name());
        // the keyed node keeps its link; like the kernel (non-strict mode) it may hold a down link to a plaintext node
        assertThat(node.links()).filteredOn(LinkInfo::up).extracting(LinkInfo::name)
                .containsExactly("jtk-eth:" + jt0.name() + "-" + k.name() + ":eth0");
        try (GuestJob echo = k.startAgent("rdm-echo", "18790", "1").awaitReady(T);
             TipcSocket s = TipcSocket.rdm(node)) {
            node.awaitBinding(x -> x.type() == 18790, T);
            RdmEcho.pingPong(s, TipcAddress.ofService(18790, 1), 10, 1000);
        }
    }

    /** {@link KeyedTraffic#bindings} with this class's kernel and node. */
    void bindings(int type) throws Exception {
        KeyedTraffic.bindings(k, node, type);
    }

    /** {@link KeyedTraffic#rdmEchoBothWays} with this class's kernel and node. */
    void rdmEchoBothWays(int type) throws Exception {
        KeyedTraffic.rdmEchoBothWays(k, node, type);
    }

    /** {@link KeyedTraffic#connections} with this class's kernel and node. */
    void connections(int type, int bytes) throws Exception {
        KeyedTraffic.connections(version().toString(), k, node, type, bytes);
    }

    static void awaitGuest(KeyedTraffic.Check c, String what) throws Exception {
        KeyedTraffic.awaitGuest(c, what);
    }
}
