package io.jtipc.node;

import static io.jtipc.node.CryptoPerNodeSimTest.KA;
import static io.jtipc.node.CryptoPerNodeSimTest.KB;
import static io.jtipc.node.CryptoSimTest.keys;
import static io.jtipc.node.CryptoSimTest.node;
import static io.jtipc.node.TwoNodeTest.linkedUp;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.EncryptionHeader;
import io.jtipc.wire.NodeId;
import io.jtipc.wire.Tipc;

/** The RX context of a peer: made once for a per-node key set before discovery, gone with the node. */
class CryptoPeerStateTest {
    private final NodeId alpha = NodeId.parse("alpha"), beta = NodeId.parse("beta");

    private SimNode[] pair(SimNetwork net) {
        SimNode a = node(net, "alpha", 1, keys(NodeKey.perNode(KA, alpha), NodeKey.perNode(KB, beta)));
        SimNode b = node(net, "beta", 2, keys(NodeKey.perNode(KB, beta), NodeKey.perNode(KA, alpha)));
        return new SimNode[] {a, b};
    }

    /**
     * The preliminary context that decrypted the peer's first discovery frames (keyed by id, its address bound from
     * the decrypted frame) becomes the node's RX context: every frame the peer sent is counted by that one context,
     * and the peer's key was set up (keyInit) once.
     */
    @Test
    void thePreliminaryContextBecomesTheNodesRxContext() {
        SimNetwork net = new SimNetwork(41);
        SimNode[] p = pair(net);
        SimNode a = p[0], b = p[1];
        a.recordFrames = true;
        assertThat(net.runUntil(() -> linkedUp(a, b), 30_000)).isTrue();
        net.runFor(2_000);
        a.paused = true; // nothing more from a; frames in flight drain
        net.runFor(1_000);
        NodeCrypto cb = b.core.crypto();
        Crypto rxA = cb.rxOf(a.core.ownAddr());
        assertThat(cb.undecryptable()).isZero();
        assertThat(rxA.stats[Crypto.STAT_OK]).isEqualTo(a.sentFrames.size());
        assertThat(b.core.log().stream().filter(l -> l.contains("crypto: RX(") && l.contains("per-node mode")))
            .hasSize(1);
    }

    @Test
    void ownAddressCannotBeRemoved() {
        SimNetwork net = new SimNetwork(42);
        SimNode[] p = pair(net);
        assertThat(net.runUntil(() -> linkedUp(p[0], p[1]), 30_000)).isTrue();
        assertThat(p[1].core.removePeer(p[1].core.ownAddr())).isEqualTo(Errno.ENOTSUPP);
        assertThat(linkedUp(p[0], p[1])).isTrue();
    }

    /** tipc peer remove: the node's RX keys go with it at once (the kernel frees crypto_rx with the node). */
    @Test
    void removedPeerTakesItsRxContext() {
        SimNetwork net = new SimNetwork(43);
        SimNode[] p = pair(net);
        SimNode a = p[0], b = p[1];
        assertThat(net.runUntil(() -> linkedUp(a, b), 30_000)).isTrue();
        String rxA = "RX(" + Integer.toHexString(a.core.ownAddr()) + ")";
        assertThat(b.core.crypto().state()).contains(rxA);
        a.paused = true;
        int addr = a.core.ownAddr();
        assertThat(net.runUntil(() -> b.core.removePeer(addr) == 0, net.now() + 60_000)).isTrue();
        assertThat(b.core.crypto().state()).doesNotContain(rxA);
    }

    /**
     * Discovery frames that fail authentication, whatever they carry, neither replace nor re-key the preliminary
     * context: the legitimate frame decrypts after them, its replay is caught by the same context, one key setup.
     */
    @Test
    void forgedDiscoveryFramesLeaveThePreliminaryContextAlone() {
        SimNetwork na = new SimNetwork(44), nb = new SimNetwork(45);
        SimNode a = node(na, "alpha", 1, keys(NodeKey.perNode(KA, alpha), NodeKey.perNode(KB, beta)));
        SimNode b = node(nb, "beta", 2, keys(NodeKey.perNode(KB, beta), NodeKey.perNode(KA, alpha)));
        a.recordFrames = true;
        na.runFor(3_000);
        byte[] legit = a.sentFrames.get(0);
        NodeCrypto cb = b.core.crypto();
        long now = nb.now();
        for (int i = 0; i < 20; i++) {
            byte[] forged = legit.clone();
            forged[forged.length - 1 - (i % 16)] ^= (byte) (i + 1); // tag (and so authentication) broken
            forged[8 + (i % 4)] ^= (byte) i;                         // any seqno
            assertThat(cb.rcv(now, forged, 0, forged.length)).isEqualTo(NodeCrypto.DROP);
        }
        assertThat(cb.rcv(now, legit.clone(), 0, legit.length)).isPositive();
        assertThat(cb.rcv(now, legit.clone(), 0, legit.length)).isEqualTo(NodeCrypto.DROP);
        assertThat(cb.replays()).isEqualTo(1);
        assertThat(cb.undecryptable()).isEqualTo(20);
        assertThat(b.core.log().stream().filter(l -> l.contains("crypto: RX(") && l.contains("per-node mode")))
            .hasSize(1);
    }
    /**
     * Frames that name the peer's address and its key slot but fail authentication (anyone can send them: both are in
     * clear) do not take the peer's working RX key away: the kernel counts each failure against the key and ten
     * between two timer steps demote and then delete it, so that without a master key the link went down for good.
     */
    @Test
    void forgedFramesBetweenThePeersOwnDoNotTakeItsKeyAway() {
        SimNetwork net = new SimNetwork(46);
        SimNode[] p = pair(net);
        SimNode a = p[0], b = p[1];
        assertThat(net.runUntil(() -> linkedUp(a, b), 30_000)).isTrue();
        a.recordFrames = true;
        net.runFor(2_000);
        byte[] legit = null;
        for (byte[] f : a.sentFrames) {
            if (EncryptionHeader.isEncrypted(f, 0, f.length)
                && new EncryptionHeader().wrap(f, 0, f.length).user() != Tipc.LINK_CONFIG) legit = f;
        }
        assertThat(legit).as("a unicast frame of a").isNotNull();
        NodeCrypto cb = b.core.crypto();
        Crypto rxA = cb.rxOf(a.core.ownAddr());
        int slot = rxA.active;
        assertThat(slot).isPositive();
        long resets = b.core.links().get(0).resets;
        for (int round = 0; round < 200; round++) { // 10 s: 20 forged frames every 50 ms
            for (int i = 0; i < 20; i++) {
                byte[] forged = legit.clone();
                forged[forged.length - 1 - (i % 16)] ^= (byte) (i + 1); // the tag broken
                assertThat(cb.rcv(net.now(), forged, 0, forged.length)).isEqualTo(NodeCrypto.DROP);
            }
            net.runFor(50);
        }
        assertThat(cb.undecryptable()).isEqualTo(4_000);
        assertThat(rxA.active).as("a's key still active at b").isEqualTo(slot);
        assertThat(rxA.aead[slot]).isNotNull();
        assertThat(linkedUp(a, b)).isTrue();
        assertThat(b.core.links().get(0).resets).as("link resets").isEqualTo(resets);
    }
}
