package io.jtipc.node;

import static io.jtipc.node.TwoNodeTest.linkedUp;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.EncryptionHeader;
import io.jtipc.wire.NodeId;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/** Two (or three) jtipc nodes with keys on the in-memory network (crypto.c behaviour end to end). */
class CryptoSimTest {
    static final String K1 = "0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef11223344";
    static final String K2 = "0xfedcba9876543210fedcba9876543210aabbccdd";

    static SimNode node(SimNetwork net, String name, int index, CryptoConfig c) {
        byte[] mac = {0x52, 0x54, 0, 0, 0, (byte) index};
        NodeConfig cfg = NodeConfig.of(NodeId.parse(name), 0x1000 * index + 7, 31L * index).withCrypto(c);
        return net.addNode(cfg, mac);
    }

    static CryptoConfig keys(NodeKey... k) {
        Random r = new Random(k.length);
        return CryptoConfig.of(r::nextBytes, k);
    }

    /** RDM echo of {@code count} messages of {@code size} bytes a → b → a, content checked. */
    private static int serviceType = 1000;

    static void echo(SimNetwork net, SimNode a, SimNode b, int count, int size, long limitMs) {
        int type = ++serviceType;
        int[] sp = new int[1];
        sp[0] = b.core.openSocket(SocketType.RDM, d -> {
            b.core.sendToPort(net.now(), sp[0], d.srcNode(), d.srcPort(), d.data(), 0, d.data().length, b);
            return true;
        });
        assertThat(b.core.bind(net.now(), sp[0], Tipc.TIPC_CLUSTER_SCOPE, type, 1, 1, b)).isZero();
        assertThat(net.runUntil(() -> !a.core.bindingTable().publications(type, 1, 1).isEmpty(), net.now() + 10_000)).isTrue();
        List<Delivery> got = new ArrayList<>();
        int cp = a.core.openSocket(SocketType.RDM, got::add);
        Random r = new Random(size);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            while (a.core.congested(b.core.ownAddr(), 0, cp)) net.runFor(1);
            byte[] p = new byte[size];
            r.nextBytes(p);
            ByteBuffer.wrap(p).putInt(0, i);
            sent.add(p);
            assertThat(a.core.sendToName(net.now(), cp, type, 1, 0, p, 0, p.length, a)).isIn(0, Errno.ELINKCONG);
            if (i % 10 == 9) net.runFor(1);
        }
        assertThat(net.runUntil(() -> got.size() >= count, net.now() + limitMs)).isTrue();
        for (int i = 0; i < count; i++) {
            assertThat(got.get(i).data()).isEqualTo(sent.get(i));
        }
    }

    static boolean allEncrypted(SimNode n) {
        return n.sentFrames.stream().allMatch(f -> EncryptionHeader.isEncrypted(f, 0, f.length));
    }

    @Test
    void sameMasterKeyLinksAndCarriesDataUnderLoss() {
        SimNetwork net = new SimNetwork(11);
        SimNode a = node(net, "alpha", 1, keys(NodeKey.master(K1)));
        SimNode b = node(net, "beta", 2, keys(NodeKey.master(K1)));
        a.recordFrames = true;
        net.loss = 0.05;
        assertThat(net.runUntil(() -> linkedUp(a, b), 30_000)).isTrue();
        echo(net, a, b, 200, 100, 120_000);
        echo(net, b, a, 5, 66_000, 120_000);
        assertThat(a.sentFrames).isNotEmpty();
        assertThat(allEncrypted(a)).isTrue();
        assertThat(a.core.crypto().undecryptable()).isZero();
        assertThat(b.core.crypto().undecryptable()).isZero();
        assertThat(a.core.links().get(0).mss()).isEqualTo(a.core.links().get(0).mtu() - 40 - 32);
    }

    /**
     * {@code tipc node set key K2 master} on every node: each peer's count starts again from 1 under the new key
     * (crypto.c tipc_aead_init), so the replay windows of master frames start afresh; before, every frame of the new
     * count was refused as a replay until it passed the old count's newest, and the link went down.
     */
    @Test
    void aNewMasterKeyOnEveryNodeKeepsTheLinkAndItsTraffic() {
        SimNetwork net = new SimNetwork(17);
        SimNode a = node(net, "alpha", 1, keys(NodeKey.master(K1)));
        SimNode b = node(net, "beta", 2, keys(NodeKey.master(K1)));
        assertThat(net.runUntil(() -> linkedUp(a, b), 30_000)).isTrue();
        echo(net, a, b, 300, 100, 60_000);
        long resets = a.core.links().get(0).resets;
        assertThat(a.core.crypto().setKey(net.now(), NodeKey.master(K2), a)).isZero();
        assertThat(b.core.crypto().setKey(net.now(), NodeKey.master(K2), b)).isZero();
        echo(net, a, b, 300, 100, 60_000);
        net.runFor(10_000);
        assertThat(linkedUp(a, b)).isTrue();
        assertThat(a.core.links().get(0).resets).as("link resets").isEqualTo(resets);
        assertThat(a.core.crypto().replays() + b.core.crypto().replays()).as("frames refused as replays").isZero();
    }

    /**
     * The same master key set again on one node (a configuration applied twice) keeps the replay windows: the peer
     * still counts on under it, and a replay of one of its recent frames is refused (fresh windows would take it).
     */
    @Test
    void theSameMasterKeySetAgainKeepsTheReplayWindows() {
        SimNetwork net = new SimNetwork(19);
        SimNode a = node(net, "alpha", 1, keys(NodeKey.master(K1)));
        SimNode b = node(net, "beta", 2, keys(NodeKey.master(K1)));
        assertThat(net.runUntil(() -> linkedUp(a, b), 30_000)).isTrue();
        a.recordFrames = true;
        net.runFor(2_000);
        byte[] recorded = null; // one b has had for a while: a unicast frame from the first half of the recording
        for (byte[] f : a.sentFrames.subList(0, a.sentFrames.size() / 2)) {
            if (new EncryptionHeader().wrap(f, 0, f.length).user() != Tipc.LINK_CONFIG) recorded = f.clone();
        }
        assertThat(recorded).isNotNull();
        assertThat(b.core.crypto().setKey(net.now(), NodeKey.master(K1), b)).isZero();
        long replays = b.core.crypto().replays();
        assertThat(b.core.crypto().rcv(net.now(), recorded, 0, recorded.length)).isEqualTo(NodeCrypto.DROP);
        assertThat(b.core.crypto().replays()).as("refused as a replay").isEqualTo(replays + 1);
        net.runFor(5_000);
        assertThat(linkedUp(a, b)).isTrue();
    }

    /**
     * link.c tipc_link_mss in a kernel built with CONFIG_TIPC_CRYPTO (Debian's) subtracts EMSG_OVERHEAD keyed or not:
     * on a 1 500-byte link a 66 000 B message travels in fragments of 1 428 bytes, as in eth-6.1.pcap (two unkeyed
     * 6.1 kernels), not 1 460.
     */
    @Test
    void anUnkeyedLinkFragmentsAsADebianKernel() {
        SimNetwork net = new SimNetwork(17);
        SimNode a = node(net, "alpha", 1, null);
        SimNode b = node(net, "beta", 2, null);
        assertThat(net.runUntil(() -> linkedUp(a, b), 30_000)).isTrue();
        a.recordFrames = true;
        echo(net, a, b, 1, 66_000, 60_000);
        int largest = a.sentFrames.stream().filter(f -> ((f[0] >> 1) & 0xf) == 12) // MSG_FRAGMENTER
                .mapToInt(f -> ((f[1] & 1) << 16) | ((f[2] & 0xff) << 8) | (f[3] & 0xff)).max().orElse(0);
        assertThat(largest).isEqualTo(1_428);
        assertThat(a.core.links().get(0).mss()).isEqualTo(1_500 - 40 - 32);
    }

    @Test
    void differentKeysDoNotLinkAndTheDropsAreCountedAndLoggedOnce() {
        SimNetwork net = new SimNetwork(12);
        SimNode a = node(net, "alpha", 1, keys(NodeKey.master(K1)));
        SimNode b = node(net, "beta", 2, keys(NodeKey.master(K2)));
        net.runFor(20_000);
        assertThat(linkedUp(a, b)).isFalse();
        assertThat(a.core.links()).isEmpty();
        assertThat(b.core.crypto().undecryptable()).isGreaterThan(5);
        assertThat(b.core.log().stream().filter(l -> l.contains("fail authentication")).count()).isEqualTo(1);
    }

    @Test
    void aKeyedNodeAndOneWithoutKeyDoNotLink() {
        SimNetwork net = new SimNetwork(13);
        SimNode a = node(net, "alpha", 1, keys(NodeKey.master(K1)));
        SimNode b = node(net, "beta", 2, null);
        net.runFor(20_000);
        assertThat(linkedUp(a, b)).isFalse();
        assertThat(b.core.crypto().undecryptable()).isGreaterThan(5);
        assertThat(b.core.log().stream().filter(l -> l.contains("no key of ours")).count()).isEqualTo(1);
    }

    @Test
    void clusterKeyDistributedAndActivated() {
        SimNetwork net = new SimNetwork(14);
        SimNode a = node(net, "alpha", 1, keys(NodeKey.cluster(K1)));
        SimNode b = node(net, "beta", 2, keys(NodeKey.cluster(K1)));
        net.loss = 0.05;
        assertThat(net.runUntil(() -> linkedUp(a, b), 30_000)).isTrue();
        net.runFor(30_000);
        assertThat(a.core.crypto().tx.active).isNotZero();
        echo(net, a, b, 100, 100, 120_000);
        assertThat(a.core.crypto().undecryptable()).isZero();
    }

    @Test
    void perNodeKeysBootstrappedByTheMasterKeyAreExchangedInKeyDistr() {
        SimNetwork net = new SimNetwork(15);
        SimNode a = node(net, "alpha", 1, keys(NodeKey.master(K1), NodeKey.perNode(K2, NodeId.parse("alpha"))));
        SimNode b = node(net, "beta", 2, keys(NodeKey.master(K1),
            NodeKey.perNode("0x00112233445566778899aabbccddeeff01020304", NodeId.parse("beta"))));
        net.loss = 0.05;
        assertThat(net.runUntil(() -> linkedUp(a, b), 30_000)).isTrue();
        net.runFor(40_000);
        NodeCrypto ca = a.core.crypto(), cb = b.core.crypto();
        assertThat(ca.tx.active).isNotZero();
        assertThat(cb.tx.active).isNotZero();
        // each learnt the other's key from KEY_DISTR (not configured) and uses it as RX active key
        assertThat(cb.rxOf(a.core.ownAddr()).active).isEqualTo(ca.tx.active);
        assertThat(ca.rxOf(b.core.ownAddr()).active).isEqualTo(cb.tx.active);
        assertThat(cb.rxOf(a.core.ownAddr()).aead[ca.tx.active].mode).isEqualTo(Tipc.PER_NODE_KEY);
        long lost = ca.undecryptable() + cb.undecryptable();
        echo(net, a, b, 100, 100, 120_000);
        // only the probing copies sent with a pending key before the peer had it fail (crypto.c SKB_PROBING)
        assertThat(ca.undecryptable() + cb.undecryptable()).isEqualTo(lost);
    }

    /**
     * crypto.c tipc_crypto_key_xmit with dnode 0: a new session key goes to all peers in one KEY_DISTR on the
     * broadcast link (tipc_bcast_xmit), not one per peer on the unicast links; every peer attaches it.
     */
    @Test
    void aNewSessionKeyGoesToAllOnTheBroadcastLink() {
        SimNetwork net = new SimNetwork(17);
        SimNode a = node(net, "alpha", 1, keys(NodeKey.cluster(K1)));
        SimNode b = node(net, "beta", 2, keys(NodeKey.cluster(K1)));
        SimNode c = node(net, "gamma", 3, keys(NodeKey.cluster(K1)));
        assertThat(net.runUntil(() -> linkedUp(a, b) && linkedUp(a, c) && linkedUp(b, c), 30_000)).isTrue();
        net.runFor(30_000); // the configured keys distributed and active everywhere, the binding tables settled
        int unicast = a.core.links().stream().mapToInt(Link::sndNxt).sum();
        int bcast = a.core.broadcastLink().sndNxt();
        a.core.crypto().setRekeying(net.now(), -1);
        net.runFor(5_000);
        int fresh = a.core.crypto().tx.pending != 0 ? a.core.crypto().tx.pending : a.core.crypto().tx.active;
        assertThat(b.core.crypto().rxOf(a.core.ownAddr()).aead[fresh]).as("b has a's new key").isNotNull();
        assertThat(c.core.crypto().rxOf(a.core.ownAddr()).aead[fresh]).as("c has a's new key").isNotNull();
        assertThat(a.core.broadcastLink().sndNxt() - bcast).as("one KEY_DISTR on the broadcast link").isEqualTo(1);
        assertThat(a.core.links().stream().mapToInt(Link::sndNxt).sum()).as("none on the unicast links").isEqualTo(unicast);
    }

    /**
     * Each new key a peer distributes is attached at every node; the line that says so is written for the peer's first
     * key and then at powers of two of the count (a peer holding the key could otherwise add a line per KEY_DISTR).
     */
    @Test
    void keysAPeerDistributesAreLoggedAtPowersOfTwo() {
        SimNetwork net = new SimNetwork(18);
        SimNode a = node(net, "alpha", 1, keys(NodeKey.cluster(K1)));
        SimNode b = node(net, "beta", 2, keys(NodeKey.cluster(K1)));
        assertThat(net.runUntil(() -> linkedUp(a, b), 30_000)).isTrue();
        net.runFor(30_000);
        String rxA = "crypto: RX(" + Integer.toHexString(a.core.ownAddr()) + ") key[";
        long before = b.core.log().stream().filter(l -> l.contains(rxA)).count();
        Crypto r = b.core.crypto().rxOf(a.core.ownAddr());
        long set0 = r.keysSet;
        for (int i = 0; i < 16; i++) {
            a.core.crypto().setRekeying(net.now(), -1);
            net.runFor(20_000); // the new key attached and through its pending/active steps at both ends
        }
        assertThat(r.keysSet - set0).as("keys attached").isGreaterThanOrEqualTo(16);
        long lines = b.core.log().stream().filter(l -> l.contains(rxA)).count() - before;
        assertThat(lines).as("lines for them").isBetween(1L, 5L);
        assertThat(linkedUp(a, b)).isTrue();
    }

    @Test
    void rekeyingNowUnderLossLosesNoMessage() {
        SimNetwork net = new SimNetwork(16);
        SimNode a = node(net, "alpha", 1, keys(NodeKey.cluster(K1)));
        SimNode b = node(net, "beta", 2, keys(NodeKey.cluster(K1)));
        net.loss = 0.05;
        assertThat(net.runUntil(() -> linkedUp(a, b), 30_000)).isTrue();
        net.runFor(30_000);
        int before = a.core.crypto().tx.active;
        assertThat(before).isNotZero();
        a.core.crypto().setRekeying(net.now(), -1);
        echo(net, a, b, 400, 200, 120_000);
        net.runFor(30_000);
        int after = a.core.crypto().tx.active;
        assertThat(after).isNotZero().isNotEqualTo(before);
        assertThat(a.core.crypto().tx.aead[after].mode).isEqualTo(Tipc.PER_NODE_KEY);
        assertThat(b.core.crypto().rxOf(a.core.ownAddr()).active).isEqualTo(after);
        echo(net, b, a, 100, 100, 120_000);
        assertThat(linkedUp(a, b)).isTrue();
    }

    @Test
    void replayedFramesAreRejectedAndCounted() {
        SimNetwork net = new SimNetwork(17);
        SimNode a = node(net, "alpha", 1, keys(NodeKey.master(K1)));
        SimNode b = node(net, "beta", 2, keys(NodeKey.master(K1)));
        a.recordFrames = true;
        assertThat(net.runUntil(() -> linkedUp(a, b), 30_000)).isTrue();
        net.runFor(5_000);
        long dropped = b.core.droppedFrames();
        int replayed = 0;
        for (byte[] f : new ArrayList<>(a.sentFrames)) {
            EncryptionHeader e = new EncryptionHeader().wrap(f, 0, f.length);
            if (e.user() == Tipc.LINK_CONFIG) continue; // a discovery frame from a restarted counter is let through
            b.core.onFrame(net.now(), 0, a.mac, f, 0, f.length, b);
            replayed++;
        }
        assertThat(replayed).isGreaterThan(10);
        assertThat(b.core.crypto().replays()).isEqualTo(replayed);
        assertThat(b.core.droppedFrames() - dropped).isEqualTo(replayed);
        assertThat(linkedUp(a, b)).isTrue();
    }

    @Test
    void strictModeDropsPlaintextTheDefaultAcceptsIt() {
        for (boolean strict : new boolean[] {false, true}) {
            SimNetwork net = new SimNetwork(18);
            SimNode a = node(net, "alpha", 1, keys(NodeKey.master(K1)).withStrict(strict));
            SimNode plain = node(net, "gamma", 3, null);
            plain.recordFrames = true;
            net.runFor(3_000);
            byte[] disc = plain.sentFrames.get(plain.sentFrames.size() - 1);
            a.core.onFrame(net.now(), 0, plain.mac, disc, 0, disc.length, a);
            if (strict) {
                assertThat(a.core.crypto().plaintextDropped()).isPositive();
                assertThat(a.core.peers()).isEmpty();
            } else {
                assertThat(a.core.crypto().plaintextDropped()).isZero();
                assertThat(a.core.peers()).hasSize(1);
            }
        }
    }

    @Test
    void aSequenceNumberWrapRevokesTheKeyAndNoSeqnoIsReused() {
        SimNetwork net = new SimNetwork(19);
        SimNode a = node(net, "alpha", 1, keys(NodeKey.master(K1)));
        SimNode b = node(net, "beta", 2, keys(NodeKey.master(K1)));
        a.recordFrames = true;
        assertThat(net.runUntil(() -> linkedUp(a, b), 30_000)).isTrue();
        a.core.crypto().tx.aead[0].seqno = -4; // 0xffff_ffff_ffff_fffc: three frames left
        a.sentFrames.clear();
        net.runFor(10_000);
        assertThat(a.sentFrames).hasSize(3);
        assertThat(a.sentFrames.stream().map(f -> new EncryptionHeader().wrap(f, 0, f.length).seqno()))
            .containsExactly(-3L, -2L, -1L);
        assertThat(a.core.crypto().tx.aead[0]).isNull();
        assertThat(a.core.crypto().txFailed()).isPositive();
        assertThat(a.core.log()).anyMatch(l -> l.contains("revoked"));
        assertThat(net.runUntil(() -> !linkedUp(a, b), net.now() + 30_000)).isTrue();
    }

    @Test
    void ownDiscoveryLoopedBackIsNotTakenForAWrongKey() {
        SimNetwork net = new SimNetwork(20);
        SimNode a = node(net, "alpha", 1, keys(NodeKey.perNode(K2, NodeId.parse("alpha"))));
        a.recordFrames = true;
        net.runFor(2_000);
        byte[] own = a.sentFrames.get(0);
        assertThat(new EncryptionHeader().wrap(own, 0, own.length).user()).isEqualTo(Tipc.LINK_CONFIG);
        a.core.onFrame(net.now(), 0, a.mac, own, 0, own.length, a);
        assertThat(a.core.crypto().undecryptable()).isZero();
        assertThat(a.core.log()).noneMatch(l -> l.contains("no key of ours"));
        // a stranger's discovery under a key we lack is counted
        SimNetwork other = new SimNetwork(21);
        SimNode b = node(other, "beta", 2, keys(NodeKey.perNode(K1, NodeId.parse("beta"))));
        b.recordFrames = true;
        other.runFor(2_000);
        byte[] theirs = b.sentFrames.get(0);
        a.core.onFrame(net.now(), 0, b.mac, theirs, 0, theirs.length, a);
        assertThat(a.core.crypto().undecryptable()).isEqualTo(1);
    }

    @Test
    void theVeryFirstDiscoveryIsAlreadyEncrypted() {
        for (NodeKey k : new NodeKey[] {NodeKey.master(K1), NodeKey.cluster(K1), NodeKey.perNode(K2, NodeId.parse("alpha"))}) {
            List<byte[]> frames = new ArrayList<>();
            NodeCore core = new NodeCore(NodeConfig.of(NodeId.parse("alpha"), 7, 7).withCrypto(keys(k)));
            core.enableBearer(1_000_000, BearerConfig.ethernet("eth0", new byte[] {0x52, 0x54, 0, 0, 0, 1}),
                (id, dest, buf, off, len) -> frames.add(java.util.Arrays.copyOfRange(buf, off, off + len)));
            assertThat(frames).as(k.toString()).isNotEmpty();
            assertThat(frames).allMatch(f -> EncryptionHeader.isEncrypted(f, 0, f.length));
        }
    }

    @Test
    void aKeyDistrInPlaintextIsNotTaken() {
        SimNetwork net = new SimNetwork(22);
        SimNode a = node(net, "alpha", 1, keys(NodeKey.master(K1)));
        SimNode b = node(net, "beta", 2, keys(NodeKey.master(K1)));
        assertThat(net.runUntil(() -> linkedUp(a, b), 30_000)).isTrue();
        Aead k = Aead.of(NodeKey.cluster(K2).material(), Tipc.PER_NODE_KEY);
        byte[] plain = a.core.crypto().keyDistrMsg(k, b.core.ownAddr());
        b.core.onFrame(net.now(), 0, a.mac, plain, 0, plain.length, b);
        net.runFor(1_000);
        Crypto rx = b.core.crypto().rxOf(a.core.ownAddr());
        assertThat(rx.skey).isNull();
        assertThat(rx.hasSessionKeys()).isFalse();
        // the same key arriving encrypted is taken (crypto.c tipc_crypto_key_rcv, then attached)
        a.core.crypto().tx.attach(k, 0, false);
        a.core.crypto().keyDistr(1, b.core.ownAddr(), net.now(), a);
        net.runFor(1_000);
        assertThat(rx.hasSessionKeys()).isTrue();
        assertThat(rx.aead[rx.pending != 0 ? rx.pending : rx.active].sameKey(k)).isTrue();
    }

    /**
     * A KEY_DISTR is taken only as its sender's own key and only unbundled: one b seals with its key under its own
     * address that names c as its sender (w3 prevnode), or a bundle holding b's, is not taken; b's own alone is (crypto.c
     * tipc_crypto_msg_rcv, reached through tipc_node_find(prevnode) and that node's link; link.c tipc_data_input drops
     * a bundled MSG_CRYPTO: the decrypted mark is not on the extracted message). Before, a's RX context of c took the
     * key b chose, and frames b then sealed with it under c's address would have opened as c's.
     */
    @Test
    void aKeyDistrIsTakenOnlyUnbundledAndFromItsOwnSender() {
        SimNetwork net = new SimNetwork(23);
        SimNode a = node(net, "alpha", 1, keys(NodeKey.master(K1)));
        SimNode b = node(net, "beta", 2, keys(NodeKey.master(K1)));
        SimNode c = node(net, "gamma", 3, keys(NodeKey.master(K1)));
        assertThat(net.runUntil(() -> linkedUp(a, b) && linkedUp(a, c) && linkedUp(b, c), 30_000)).isTrue();
        int aa = a.core.ownAddr();
        Aead k = Aead.of(NodeKey.cluster(K2).material(), Tipc.PER_NODE_KEY);
        NodeCrypto bc = b.core.crypto();
        Crypto rxB = a.core.crypto().rxOf(b.core.ownAddr()), rxC = a.core.crypto().rxOf(c.core.ownAddr());
        // sealed by b with its key, b's address in the encryption header, c's in the message (a hostile sender's
        // frame: jtipc's own sender takes the header's address from w3)
        byte[] forged = bc.keyDistrMsg(k, aa);
        TipcMsg asB = new TipcMsg().wrap(forged.clone(), 0, forged.length);
        new TipcMsg().wrap(forged, 0, forged.length).setPrevnode(c.core.ownAddr());
        byte[] frame = new byte[2048];
        EncryptionHeader e = new EncryptionHeader().wrap(frame, 0, Tipc.EHDR_SIZE);
        Aead master = bc.tx.aead[Crypto.KEY_MASTER];
        NodeCrypto.buildEhdr(e, asB, Crypto.KEY_MASTER, ++master.seqno, bc.rxOf(aa), true, NodeId.parse("beta"));
        int n = master.seal(e, aa, forged, 0, forged.length, new byte[2048], new byte[12]);
        a.core.onFrame(net.now(), 0, b.mac, frame, 0, n, a);
        assertThat(a.core.crypto().undecryptable()).as("it opens").isZero();
        net.runFor(1_000);
        assertThat(holds(rxC, k)).as("c's RX context").isFalse();
        assertThat(holds(rxB, k)).isFalse();
        // b's own KEY_DISTR inside a bundle (the link would not make one: Msg.bundleable)
        byte[] own = bc.keyDistrMsg(k, aa);
        Pkt t = Pkt.copyOf(own, 0, own.length);
        assertThat(Msg.bundle(new TipcMsg(), t, own, own.length, 1400, aa)).isEqualTo(Msg.BUNDLE_NEW);
        assertThat(bc.nodes.xmit(java.util.Arrays.copyOf(t.buf, t.len), aa, net.now(), b)).isZero();
        net.runFor(1_000);
        assertThat(holds(rxB, k)).as("bundled").isFalse();
        assertThat(linkedUp(a, b)).isTrue();
        // alone, from its sender: taken and attached
        assertThat(bc.nodes.xmit(bc.keyDistrMsg(k, aa), aa, net.now(), b)).isZero();
        net.runFor(1_000);
        assertThat(holds(rxB, k)).isTrue();
        assertThat(holds(rxC, k)).isFalse();
    }

    /** Whether RX context {@code r} holds key {@code k} in a slot. */
    static boolean holds(Crypto r, Aead k) {
        for (int i = 1; i <= Crypto.KEY_MAX; i++) if (r.aead[i] != null && r.aead[i].sameKey(k)) return true;
        return false;
    }
}
