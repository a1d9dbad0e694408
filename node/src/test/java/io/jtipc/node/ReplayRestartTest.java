package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.EncryptionHeader;
import io.jtipc.wire.NodeId;

import io.jtipc.wire.AeadKey;
import io.jtipc.wire.Tipc;

/**
 * When the replay check lets a sender's count start again (ReplayWindow.fresh): only on evidence a replayed frame cannot
 * carry, never because a seqno is small.
 */
class ReplayRestartTest {
    private final Aead perNode = Aead.of(AeadKey.parseKey(CryptoSimTest.K2), Tipc.PER_NODE_KEY);
    private final Aead cluster = Aead.of(AeadKey.parseKey(CryptoSimTest.K1), Tipc.CLUSTER_KEY);

    /**
     * crypto.c tipc_crypto_key_synch: a kernel peer resets its per-peer counter when the RX active key we report
     * changes, so its destined per-node-key frames count from 1 again; accepted once per change we made.
     */
    @Test
    void aKernelPeersCounterRestartAfterOurReportChangedIsAccepted() {
        Crypto r = new Crypto(0x1001, 0, 0);
        for (long s = 1; s <= 3; s++) assertThat(ReplayWindow.fresh(r, 1, true, false, false, s, perNode)).isTrue();
        // no change reported: the same seqnos again are replays
        for (long s = 1; s <= 3; s++) assertThat(ReplayWindow.fresh(r, 1, true, false, false, s, perNode)).isFalse();
        r.restartExpected = true; // what sending a destined frame with a new rx_key_active sets
        for (long s = 1; s <= 3; s++) assertThat(ReplayWindow.fresh(r, 1, true, false, false, s, perNode)).isTrue();
        assertThat(r.restartExpected).isFalse();
        // and only once: replaying that restart is refused
        for (long s = 1; s <= 3; s++) assertThat(ReplayWindow.fresh(r, 1, true, false, false, s, perNode)).isFalse();
    }

    /**
     * A peer that keeps counting when our report changes (one without session keys, or jtipc, whose count is per key)
     * never restarts: the expectation lapses after Crypto.RESTART_EXPECT_MS, and a replay then finds no opening.
     */
    @Test
    void anExpectedRestartThatDoesNotComeLapses() {
        Crypto r = new Crypto(0x1001, 0, 0);
        for (long s = 1; s <= 300; s++) assertThat(ReplayWindow.fresh(r, 1, true, false, false, s, perNode)).isTrue();
        r.expectRestart(1_000);
        r.expireRestart(1_000 + Crypto.RESTART_EXPECT_MS);
        assertThat(r.restartExpected).as("still expected at the bound").isTrue();
        for (long s = 301; s <= 310; s++) assertThat(ReplayWindow.fresh(r, 1, true, false, false, s, perNode)).isTrue();
        r.expireRestart(1_001 + Crypto.RESTART_EXPECT_MS);
        assertThat(r.restartExpected).isFalse();
        assertThat(ReplayWindow.fresh(r, 1, true, false, false, 1, perNode)).as("replayed after the lapse").isFalse();
    }

    /** The signatures remembered are the last 4 valid ones (16 bits); an unset one (0x10000) is not one. */
    @Test
    void theLastFourSignaturesAreRemembered() {
        Crypto r = new Crypto(0x1001, 0, 0);
        r.rememberSignature(0x10000);
        assertThat(r.sawSignature(0x10000)).isFalse();
        for (int sig = 1; sig <= 5; sig++) r.rememberSignature(sig);
        r.rememberSignature(5);
        assertThat(r.sawSignature(1)).isFalse();
        for (int sig = 2; sig <= 5; sig++) assertThat(r.sawSignature(sig)).as("sig " + sig).isTrue();
        r.rememberSignature(6);
        assertThat(r.sawSignature(2)).isFalse();
        assertThat(r.sawSignature(6)).isTrue();
    }

    /** A small seqno far below the window is no evidence of a restart: a replayed early frame stays refused. */
    @Test
    void aReplayedEarlyDestinedFrameDoesNotResetTheWindow() {
        Crypto r = new Crypto(0x1001, 0, 0);
        for (long s = 1; s <= 2000; s++) assertThat(ReplayWindow.fresh(r, 1, true, false, false, s, perNode)).isTrue();
        assertThat(ReplayWindow.fresh(r, 1, true, false, false, 5, perNode)).isFalse();
        assertThat(ReplayWindow.fresh(r, 1, true, false, false, 1999, perNode)).isFalse();
        assertThat(ReplayWindow.fresh(r, 1, true, false, false, 2001, perNode)).isTrue();
    }

    /**
     * A discovery frame far below the window resets the slot's windows only from a new incarnation of the peer (a new
     * node signature); a replayed discovery frame of the incarnation we know is refused and resets nothing.
     */
    @Test
    void onlyANewIncarnationsDiscoveryResetsTheWindows() {
        Crypto r = new Crypto(0x1001, 0, 0);
        for (long s = 1; s <= 3000; s++) assertThat(ReplayWindow.fresh(r, 1, false, false, false, s, cluster)).isTrue();
        assertThat(ReplayWindow.fresh(r, 1, false, false, false, 2, cluster)).as("replayed old discovery").isFalse();
        assertThat(ReplayWindow.fresh(r, 1, false, false, false, 2500, cluster)).as("the window still holds").isFalse();
        assertThat(ReplayWindow.fresh(r, 1, false, true, false, 2, cluster)).as("rebooted peer").isTrue();
        assertThat(ReplayWindow.fresh(r, 1, false, false, false, 3, cluster)).isTrue();
    }

    /**
     * On the wire: an attacker without the key replays the peer's first discovery frame, then the captured session;
     * every replayed frame is refused (before, the old discovery frame reset the windows and the session replayed).
     */
    @Test
    void aReplayedDiscoveryFrameDoesNotOpenTheWayForAReplayedSession() {
        SimNetwork net = new SimNetwork(53);
        SimNode a = CryptoSimTest.node(net, "alpha", 1, CryptoSimTest.keys(NodeKey.master(CryptoSimTest.K1)));
        SimNode b = CryptoSimTest.node(net, "beta", 2, CryptoSimTest.keys(NodeKey.master(CryptoSimTest.K1)));
        a.recordFrames = true;
        assertThat(net.runUntil(() -> TwoNodeTest.linkedUp(a, b), 30_000)).isTrue();
        // enough traffic that the first frames (some met before b had an RX context for a, so never recorded) are below
        // every window: a window only remembers the last SIZE sequence numbers of the shared count
        CryptoSimTest.echo(net, a, b, 3 * ReplayWindow.SIZE / 2, 100, 600_000);
        net.runFor(120_000);
        List<byte[]> rec = new ArrayList<>(a.sentFrames);
        byte[] firstDisc = rec.stream()
            .filter(f -> new EncryptionHeader().wrap(f, 0, f.length).user() == Tipc.LINK_CONFIG).findFirst().orElseThrow();
        NodeCrypto cb = b.core.crypto();
        long replays = cb.replays();
        assertThat(cb.rcv(net.now(), firstDisc.clone(), 0, firstDisc.length)).isEqualTo(NodeCrypto.DROP);
        int tried = 0;
        for (byte[] f : rec.subList(0, 300)) {
            if (new EncryptionHeader().wrap(f, 0, f.length).user() == Tipc.LINK_CONFIG) continue;
            tried++;
            assertThat(cb.rcv(net.now(), f.clone(), 0, f.length)).isEqualTo(NodeCrypto.DROP);
        }
        assertThat(tried).isGreaterThan(100);
        assertThat(cb.replays() - replays).isEqualTo(tried + 1);
    }

    /**
     * A replayed frame of the old count far above where a restarted count begins does not restart the window while a
     * restart is expected (it would become the new window's newest and refuse the real new count, 1, 2, ..., until
     * that caught up): it is judged by the old window (a duplicate), and the real restart is still taken.
     */
    @Test
    void aReplayedHighFrameWhileARestartIsExpectedDoesNotTakeTheRestart() {
        Crypto r = new Crypto(0x1001, 0, 0);
        for (long s = 1; s <= 20_000; s++) assertThat(ReplayWindow.fresh(r, 1, true, false, false, s, perNode)).isTrue();
        r.restartExpected = true;
        assertThat(ReplayWindow.fresh(r, 1, true, false, false, 19_000, perNode)).as("replayed").isFalse();
        assertThat(r.restartExpected).as("still expected").isTrue();
        for (long s = 1; s <= 5; s++) {
            assertThat(ReplayWindow.fresh(r, 1, true, false, false, s, perNode)).as("the new count " + s).isTrue();
        }
        assertThat(ReplayWindow.fresh(r, 1, true, false, false, 19_000, perNode)).as("replayed after").isFalse();
    }

    /**
     * After a restart, frames of the old count still in flight (on the other bearer, say) are checked against the old
     * window: they neither stall the new count nor pass twice.
     */
    @Test
    void framesOfTheOldCountStillInFlightAfterARestartAreCheckedAgainstTheOldWindow() {
        Crypto r = new Crypto(0x1001, 0, 0);
        long end = 5L * ReplayWindow.SIZE - 130; // the old count's newest
        for (long s = 1; s <= end; s++) assertThat(ReplayWindow.fresh(r, 1, true, false, false, s, perNode)).isTrue();
        r.restartExpected = true;
        assertThat(ReplayWindow.fresh(r, 1, true, false, false, 1, perNode)).isTrue(); // the restart
        assertThat(ReplayWindow.fresh(r, 1, true, false, false, end + 5, perNode)).as("old, in flight").isTrue();
        assertThat(ReplayWindow.fresh(r, 1, true, false, false, 2, perNode)).as("the new count goes on").isTrue();
        assertThat(ReplayWindow.fresh(r, 1, true, false, false, end + 5, perNode)).as("old, twice").isFalse();
        assertThat(ReplayWindow.fresh(r, 1, true, false, false, end - 990, perNode)).as("old, replayed").isFalse();
        for (long s = 3; s <= 10; s++) assertThat(ReplayWindow.fresh(r, 1, true, false, false, s, perNode)).isTrue();
    }

    /**
     * A restart with a loss: the new count jumps more than the window above its start; that frame, far from the old
     * count's newest too, belongs to the new count and moves the new window (before, the old window refused it and every
     * later one until the new count came near the old one).
     */
    @Test
    void aJumpOfTheNewCountAfterARestartIsNotJudgedByTheOldWindow() {
        Crypto r = new Crypto(0x1001, 0, 0);
        for (long s = 99_000; s <= 100_000; s++) {
            assertThat(ReplayWindow.fresh(r, 1, true, false, false, s, perNode)).isTrue();
        }
        r.restartExpected = true;
        for (long s = 1; s <= 5; s++) assertThat(ReplayWindow.fresh(r, 1, true, false, false, s, perNode)).isTrue();
        for (long s = 1_200; s <= 1_210; s++) {
            assertThat(ReplayWindow.fresh(r, 1, true, false, false, s, perNode)).as("new count " + s).isTrue();
        }
        assertThat(ReplayWindow.fresh(r, 1, true, false, false, 1_205, perNode)).as("twice").isFalse();
        assertThat(ReplayWindow.fresh(r, 1, true, false, false, 99_990, perNode)).as("old, twice").isFalse();
        assertThat(ReplayWindow.fresh(r, 1, true, false, false, 100_001, perNode)).as("old, in flight").isTrue();
    }

    /**
     * A peer without a link up for nearly NODE_CLEANUP_AFTER ({@code peerGone}) may have deleted its node and made it
     * again on its side (a new per-peer count, crypto.c tipc_crypto_key_flush): one restart is accepted per such
     * period, not one per frame.
     */
    @Test
    void oneRestartIsAcceptedOnceThePeerMayHaveForgottenUs() {
        Crypto r = new Crypto(0x1001, 0, 0);
        for (long s = 1; s <= 300; s++) assertThat(ReplayWindow.fresh(r, 1, true, false, false, s, perNode)).isTrue();
        assertThat(ReplayWindow.fresh(r, 1, true, false, false, 1, perNode)).as("up: a replay").isFalse();
        assertThat(ReplayWindow.fresh(r, 1, true, false, true, 1, perNode)).as("down: a restart").isTrue();
        assertThat(ReplayWindow.fresh(r, 1, true, false, true, 2, perNode)).isTrue();
        assertThat(ReplayWindow.fresh(r, 1, true, false, true, 1, perNode)).as("down: not twice").isFalse();
        assertThat(ReplayWindow.fresh(r, 1, true, false, false, 3, perNode)).isTrue(); // up again
        assertThat(ReplayWindow.fresh(r, 1, true, false, true, 2, perNode)).as("down again: once more").isTrue();
    }

    /**
     * On the wire: a peer that has just lost its link (seconds, not minutes) gives a replay no opening: its recorded
     * destined frames under its per-node session key are all refused (before, the first one restarted the window).
     */
    @Test
    void aReplayWhileThePeerIsBrieflyDownIsRefused() {
        SimNetwork net = new SimNetwork(55);
        SimNode a = CryptoSimTest.node(net, "alpha", 1, CryptoSimTest.keys(NodeKey.cluster(CryptoSimTest.K1)));
        SimNode b = CryptoSimTest.node(net, "beta", 2, CryptoSimTest.keys(NodeKey.cluster(CryptoSimTest.K1)));
        assertThat(net.runUntil(() -> TwoNodeTest.linkedUp(a, b), 30_000)).isTrue();
        net.runFor(30_000);
        a.core.crypto().setRekeying(net.now(), -1); // a per-node session key
        net.runFor(30_000);
        a.recordFrames = true;
        CryptoSimTest.echo(net, a, b, 300, 100, 120_000);
        List<byte[]> rec = new ArrayList<>();
        for (byte[] f : a.sentFrames) {
            EncryptionHeader e = new EncryptionHeader().wrap(f, 0, f.length);
            if (e.txKey() != 0 && e.destined() != 0) rec.add(f);
        }
        assertThat(rec).hasSizeGreaterThan(100);
        a.paused = true;
        assertThat(net.runUntil(() -> !b.core.peer(a.core.ownAddr()).isUp(), net.now() + 30_000)).isTrue();
        net.runFor(20_000);
        NodeCrypto cb = b.core.crypto();
        long replays = cb.replays();
        for (byte[] f : rec.subList(0, 50)) {
            assertThat(cb.rcv(net.now(), f.clone(), 0, f.length)).isEqualTo(NodeCrypto.DROP);
        }
        assertThat(cb.replays() - replays).isEqualTo(50);
    }

    /**
     * A peer that rebooted (a new node signature) links again, its count started afresh (accepted: a new incarnation);
     * a replayed discovery frame of its earlier incarnation is then no such evidence: it resets nothing, so the frames
     * of the current incarnation cannot be replayed after it.
     */
    @Test
    void aReplayedDiscoveryFrameOfAnEarlierIncarnationResetsNothing() {
        SimNetwork net = new SimNetwork(54);
        SimNode a = CryptoSimTest.node(net, "alpha", 1, CryptoSimTest.keys(NodeKey.master(CryptoSimTest.K1)));
        SimNode b = CryptoSimTest.node(net, "beta", 2, CryptoSimTest.keys(NodeKey.master(CryptoSimTest.K1)));
        a.recordFrames = true;
        assertThat(net.runUntil(() -> TwoNodeTest.linkedUp(a, b), 30_000)).isTrue();
        byte[] oldDisc = a.sentFrames.stream()
            .filter(f -> new EncryptionHeader().wrap(f, 0, f.length).user() == Tipc.LINK_CONFIG).findFirst().orElseThrow();
        CryptoSimTest.echo(net, a, b, 300, 100, 60_000);
        // a new boot: a new random number, so a new discovery signature (tn->random), and a key counter from 1 again
        a.reboot(NodeConfig.of(NodeId.parse("alpha"), 0x2222, 99L)
            .withCrypto(CryptoSimTest.keys(NodeKey.master(CryptoSimTest.K1))));
        assertThat(net.runUntil(() -> TwoNodeTest.linkedUp(a, b), net.now() + 60_000)).as("the rebooted peer links")
            .isTrue();
        a.sentFrames.clear();
        CryptoSimTest.echo(net, a, b, 300, 100, 60_000);
        List<byte[]> current = new ArrayList<>(a.sentFrames);
        NodeCrypto cb = b.core.crypto();
        cb.rcv(net.now(), oldDisc.clone(), 0, oldDisc.length); // taken or not: it must not start the count again
        long replays = cb.replays();
        int tried = 0;
        for (byte[] f : current.subList(0, Math.min(300, current.size()))) {
            if (new EncryptionHeader().wrap(f, 0, f.length).user() == Tipc.LINK_CONFIG) continue;
            tried++;
            assertThat(cb.rcv(net.now(), f.clone(), 0, f.length)).isEqualTo(NodeCrypto.DROP);
        }
        assertThat(tried).isGreaterThan(100);
        assertThat(cb.replays() - replays).isEqualTo(tried);
    }
}
