package io.jtipc.node;

import static io.jtipc.node.CryptoSimTest.K1;
import static io.jtipc.node.CryptoSimTest.K2;
import static io.jtipc.node.CryptoSimTest.keys;
import static io.jtipc.node.CryptoSimTest.node;
import static io.jtipc.node.TwoNodeTest.linkedUp;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.AeadKey;
import io.jtipc.wire.EncryptionHeader;
import io.jtipc.wire.NodeId;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/** Keys against crypto.c / node.c around peers leaving, failed TX-key attempts and keys set at run time. */
class CryptoKeyLifecycleTest {

    /**
     * node.c tipc_node_delete_from_list flushes the peer's RX context (tipc_crypto_key_flush): the use it made of our
     * active TX key is given back, so a rekeying can make the new key active.
     */
    @Test
    void aDeletedPeerGivesBackItsUseOfOurTxKey() {
        SimNetwork net = new SimNetwork(52);
        SimNode a = node(net, "alpha", 1, keys(NodeKey.cluster(K1)));
        SimNode b = node(net, "beta", 2, keys(NodeKey.cluster(K1)));
        SimNode c = node(net, "gamma", 3, keys(NodeKey.cluster(K1)));
        assertThat(net.runUntil(() -> linkedUp(a, b) && linkedUp(a, c), 30_000)).isTrue();
        net.runFor(30_000);
        NodeCrypto ca = a.core.crypto();
        int old = ca.tx.active;
        assertThat(old).isNotZero();
        int users = ca.tx.users(old);
        c.paused = true;
        int addr = c.core.ownAddr();
        assertThat(net.runUntil(() -> a.core.removePeer(addr) == 0, net.now() + 120_000)).isTrue();
        net.runFor(1_000);
        assertThat(ca.tx.users(old)).isEqualTo(users - 1);
        ca.setRekeying(net.now(), -1);
        net.runFor(60_000);
        assertThat(ca.tx.active).as("the rekeyed key became active").isNotEqualTo(old).isNotZero();
        assertThat(linkedUp(a, b)).isTrue();
    }

    /**
     * A known peer's frame under a slot we have no key for, our TX cluster keys tried and failed: the kernel's last
     * attempt ends in -ENOKEY, so rx->nokey is set and our N bit asks the peer for its key.
     */
    @Test
    void failedTxKeyAttemptsStillAskThePeerForItsKey() {
        SimNetwork net = new SimNetwork(51);
        SimNode a = node(net, "alpha", 1, keys(NodeKey.master(K1)));
        SimNode b = node(net, "beta", 2, keys(NodeKey.master(K1)));
        assertThat(net.runUntil(() -> linkedUp(a, b), 30_000)).isTrue();
        NodeCrypto ca = a.core.crypto();
        ca.setKey(net.now(), NodeKey.cluster(K2), null);
        // b's frame under a per-node key a does not have, TX slot 2, destined to a
        Aead x = Aead.of(AeadKey.parseKey("0x00112233445566778899aabbccddeeff01020304"), Tipc.PER_NODE_KEY);
        byte[] msg = new byte[40];
        TipcMsg m = new TipcMsg().wrap(msg, 0, 40);
        Msg.init(m, b.core.ownAddr(), Tipc.LINK_PROTOCOL, Tipc.STATE_MSG, 40, a.core.ownAddr());
        byte[] frame = new byte[200], scratch = new byte[200], iv = new byte[12];
        EncryptionHeader e = new EncryptionHeader().wrap(frame, 0, 16);
        NodeCrypto.buildEhdr(e, m, 2, 5, new Crypto(a.core.ownAddr(), 0, 0), false, NodeId.parse("beta"));
        int len = x.seal(e, a.core.ownAddr(), msg, 0, 40, scratch, iv);
        Crypto rb = ca.rxOf(b.core.ownAddr());
        rb.nokey = false;
        assertThat(ca.rcv(net.now(), frame, 0, len)).isEqualTo(NodeCrypto.DROP);
        assertThat(rb.nokey).isTrue();
    }

    /** link.c tipc_data_input: MSG_CRYPTO is taken only with the key exchange enabled (the same KEY_DISTR both ways). */
    @Test
    void aKeyDistrIsTakenOnlyWithTheKeyExchangeOn() {
        for (boolean exchange : new boolean[] {true, false}) {
            SimNetwork net = new SimNetwork(22);
            SimNode a = node(net, "alpha", 1, keys(NodeKey.master(K1)));
            Random r = new Random(1);
            SimNode b = node(net, "beta", 2, new CryptoConfig(List.of(NodeKey.master(K1)), 1440, false, exchange,
                r::nextBytes));
            assertThat(net.runUntil(() -> linkedUp(a, b), 30_000)).isTrue();
            Aead k = Aead.of(NodeKey.cluster(K2).material(), Tipc.PER_NODE_KEY);
            a.core.crypto().tx.attach(k, 0, false);
            a.core.crypto().keyDistr(1, b.core.ownAddr(), net.now(), a);
            net.runFor(1_000);
            Crypto rx = b.core.crypto().rxOf(a.core.ownAddr());
            assertThat(rx.hasSessionKeys()).as("key exchange " + exchange).isEqualTo(exchange);
        }
    }

    /**
     * node.c __tipc_nl_node_set_key schedules the rekeying after a TX key is set (tipc_crypto_rekeying_sched), so a
     * node started without keys rotates the one set later; a rekeying already scheduled is not moved.
     */
    @Test
    void aTxKeySetAtRunTimeSchedulesTheRekeying() {
        SimNetwork net = new SimNetwork(23);
        Random r = new Random(2);
        SimNode a = node(net, "alpha", 1, CryptoConfig.of(r::nextBytes).withRekeying(5));
        net.runFor(2_000);
        NodeCrypto ca = a.core.crypto();
        assertThat(ca.tx.workDue).isEqualTo(Long.MAX_VALUE);
        long t = net.now();
        assertThat(ca.setKey(t, NodeKey.cluster(K2), a)).isPositive();
        assertThat(ca.tx.workDue).isEqualTo(t + 5 * 60_000L);
        net.runFor(1_000);
        assertThat(ca.setKey(net.now(), NodeKey.cluster(K1), a)).isPositive();
        assertThat(ca.tx.workDue).as("not moved by the second key").isEqualTo(t + 5 * 60_000L);
    }
}
