package io.jtipc.node;

import static io.jtipc.node.CryptoSimTest.allEncrypted;
import static io.jtipc.node.CryptoSimTest.echo;
import static io.jtipc.node.CryptoSimTest.keys;
import static io.jtipc.node.CryptoSimTest.node;
import static io.jtipc.node.TwoNodeTest.linkedUp;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.NodeId;
import io.jtipc.wire.Tipc;

/**
 * Per-node keys configured on both sides, no master and no cluster key, as a Linux cluster sets them with
 * {@code tipc node set key KEY nodeid ID}: every node has its own TX key (nodeid = its own id) and the peer's key
 * (nodeid = the peer's id), set before the peer is known (node.c __tipc_nl_node_set_key creates a preliminary node
 * for it, so the peer's very first discovery frame decrypts).
 */
class CryptoPerNodeSimTest {
    static final String KA = "0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef11223344";
    static final String KB = "0xfedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210aabbccdd";

    @Test
    void mirroredPerNodeKeysLinkFromTheFirstDiscoveryAndCarryDataUnderLoss() {
        SimNetwork net = new SimNetwork(31);
        NodeId alpha = NodeId.parse("alpha"), beta = NodeId.parse("beta");
        SimNode a = node(net, "alpha", 1, keys(NodeKey.perNode(KA, alpha), NodeKey.perNode(KB, beta)));
        SimNode b = node(net, "beta", 2, keys(NodeKey.perNode(KB, beta), NodeKey.perNode(KA, alpha)));
        a.recordFrames = true;
        b.recordFrames = true;
        net.loss = 0.05;
        assertThat(net.runUntil(() -> linkedUp(a, b), 30_000)).isTrue();
        echo(net, a, b, 200, 100, 120_000);
        echo(net, b, a, 5, 66_000, 120_000);
        assertThat(allEncrypted(a)).isTrue();
        assertThat(allEncrypted(b)).isTrue();
        // the pending TX keys become active once the peer reports them as its RX active key (crypto.c key synch)
        net.runFor(30_000);
        NodeCrypto ca = a.core.crypto(), cb = b.core.crypto();
        assertThat(ca.tx.active).isNotZero();
        assertThat(cb.tx.active).isNotZero();
        // each RX context holds the configured key of the peer (no KEY_DISTR needed), per-node mode
        Crypto rxOfA = cb.rxOf(a.core.ownAddr()), rxOfB = ca.rxOf(b.core.ownAddr());
        assertThat(rxOfA.active).isEqualTo(ca.tx.active);
        assertThat(rxOfB.active).isEqualTo(cb.tx.active);
        assertThat(rxOfA.aead[rxOfA.active].mode).isEqualTo(Tipc.PER_NODE_KEY);
        assertThat(rxOfA.aead[rxOfA.active].sameKey(Aead.of(NodeKey.perNode(KA, alpha).material(), Tipc.PER_NODE_KEY)))
            .isTrue();
        echo(net, b, a, 100, 1000, 120_000);
        assertThat(ca.undecryptable()).isZero();
        assertThat(cb.undecryptable()).isZero();
        assertThat(linkedUp(a, b)).isTrue();
    }
}
