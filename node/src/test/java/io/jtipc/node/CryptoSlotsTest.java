package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.jtipc.wire.AeadKey;
import io.jtipc.wire.Tipc;

/** The key-slot rules of crypto.c (attach, try_align, timeout, revoke) and jtipc's replay window. */
class CryptoSlotsTest {
    static Aead key(int b) {
        byte[] m = AeadKey.parseKey("0x0123456789abcdef0123456789abcdef11223344");
        m[0] = (byte) b;
        return Aead.of(m, Tipc.CLUSTER_KEY);
    }

    @Test
    void attachFillsPendingThenTheSlotAfterTheActiveAndRefusesWhenFull() {
        Crypto tx = new Crypto(0, 0xfffe, 0);
        Aead k1 = key(1);
        assertThat(tx.attach(k1, 0, false)).isEqualTo(1);
        assertThat(tx.pending).isEqualTo(1);
        assertThat(k1.gen).isEqualTo(0xffff);
        assertThat(tx.working).isTrue();
        // an unused pending key is replaced in place, a new generation
        Aead k1b = key(2);
        assertThat(tx.attach(k1b, 0, false)).isEqualTo(1);
        assertThat(tx.aead[1]).isSameAs(k1b);
        assertThat(k1b.gen).isZero();
        // a pending key with users is not replaced
        k1b.users = 1;
        assertThat(tx.attach(key(3), 0, false)).isEqualTo(NodeCrypto.EBUSY);
        // active 1 -> the next key goes to slot 2
        tx.setState(0, 1, 0);
        assertThat(tx.attach(key(4), 0, false)).isEqualTo(2);
        assertThat(tx.pending).isEqualTo(2);
        // active and passive taken: busy
        tx.setState(3, 1, 0);
        assertThat(tx.attach(key(5), 0, false)).isEqualTo(NodeCrypto.EBUSY);
        // the master key always goes to slot 0
        assertThat(tx.attach(key(6), 0, true)).isZero();
        assertThat(tx.keyMaster).isTrue();
        assertThat(Crypto.keyNext(3)).isEqualTo(1);
        assertThat(Crypto.keyNext(1)).isEqualTo(2);
    }

    @Test
    void rxAttachAtAPeerSlotAndRealignment() {
        Crypto rx = new Crypto(0x1001, 0, 0);
        Aead k = key(1);
        assertThat(rx.attach(k, 3, false)).isEqualTo(3);
        assertThat(rx.pending).isEqualTo(3);
        // the peer sends on slot 2: the unused pending key moves there
        rx.pending = 1;
        rx.aead[1] = k;
        rx.aead[3] = null;
        Aead p = key(2);
        rx.passive = 3;
        rx.aead[3] = p;
        assertThat(rx.tryAlign(2)).isTrue();
        assertThat(rx.pending).isEqualTo(2);
        assertThat(rx.aead[2]).isSameAs(k);
        assertThat(rx.aead[3]).isNull();
        // passive shifted by the same distance: (3 - 1 + 2) % 3 = 1
        assertThat(rx.passive).isEqualTo(1);
        assertThat(rx.aead[1]).isSameAs(p);
        // not with an active key, nor with a used pending key
        rx.active = 3;
        assertThat(rx.tryAlign(1)).isFalse();
        rx.active = 0;
        k.users = 1;
        assertThat(rx.tryAlign(3)).isFalse();
    }

    @Test
    void timeoutsMoveKeysBetweenPendingActiveAndPassive() {
        Crypto tx = new Crypto(0, 0, 0);
        Crypto rx = new Crypto(0x1001, 0, 0);
        // TX: pending with users becomes active only after the lasting time since the users changed
        tx.attach(key(1), 0, false);
        tx.aead[1].users = 1;
        tx.timer1 = 1_000;
        rx.timeout(tx, 1_000 + Crypto.TX_LASTING_TIME - 1);
        assertThat(tx.active).isZero();
        rx.timeout(tx, 1_000 + Crypto.TX_LASTING_TIME);
        assertThat(tx.active).isEqualTo(1);
        assertThat(tx.pending).isZero();

        // RX: a pending key that decrypted (users 1) becomes active
        long t = 50_000;
        rx.attach(key(2), 0, false);
        assertThat(rx.pending).isEqualTo(1);
        rx.aead[1].users = 1;
        rx.timer1 = t;
        rx.timeout(tx, t);
        assertThat(rx.active).isEqualTo(1);
        assertThat(rx.pending).isZero();
        // still in use within 3 s: stays
        rx.timeout(tx, t + Crypto.RX_ACTIVE_LIM - 1);
        assertThat(rx.active).isEqualTo(1);
        // unused for 3 s: back to pending, users reset
        rx.timeout(tx, t + Crypto.RX_ACTIVE_LIM);
        assertThat(rx.active).isZero();
        assertThat(rx.pending).isEqualTo(1);
        assertThat(rx.aead[1].users).isZero();

        // a pending key failing 10 times is removed
        rx.aead[1].users = -10;
        rx.timeout(tx, t + 4_000);
        assertThat(rx.pending).isZero();
        assertThat(rx.aead[1]).isNull();

        // a passive key unused for 15 s is freed
        rx.setState(2, 0, 0);
        rx.aead[2] = key(3);
        rx.timer2 = t;
        rx.timeout(tx, t + Crypto.RX_PASSIVE_LIM - 1);
        assertThat(rx.passive).isEqualTo(2);
        rx.timeout(tx, t + Crypto.RX_PASSIVE_LIM);
        assertThat(rx.passive).isZero();
        assertThat(rx.aead[2]).isNull();
    }

    @Test
    void revokeRemovesTheWrappedKeyButKeepsEncryptionOn() {
        Crypto tx = new Crypto(0, 0, 0);
        tx.attach(key(1), 0, false);
        tx.setState(0, 1, 0);
        tx.revoke(1);
        assertThat(tx.active).isZero();
        assertThat(tx.aead[1]).isNull();
        assertThat(tx.working).isTrue();
    }

    @Test
    void replayWindowAcceptsEachSeqnoOnceWithinTheWindow() {
        ReplayWindow w = new ReplayWindow();
        assertThat(w.accept(1)).isTrue();
        assertThat(w.accept(1)).isFalse();
        assertThat(w.accept(5)).isTrue();
        assertThat(w.accept(3)).isTrue();
        assertThat(w.accept(3)).isFalse();
        assertThat(w.accept(4)).isTrue();
        assertThat(w.accept(2)).isTrue();
        assertThat(w.accept(20000)).isTrue();
        assertThat(w.accept(20000 - ReplayWindow.SIZE + 1)).isTrue();
        assertThat(w.accept(20000 - ReplayWindow.SIZE)).isFalse();
        assertThat(w.accept(5)).as("below the window").isFalse();
        // a slot reused after the window moved on is not remembered as seen
        assertThat(w.accept(20000 + ReplayWindow.SIZE)).isTrue();
        assertThat(w.accept(20001)).isTrue();
        assertThat(w.accept(-1L)).isTrue(); // unsigned: the largest seqno
        assertThat(w.accept(20000 + ReplayWindow.SIZE + 1)).isFalse();
    }

    /** The window against a model (every accepted seqno remembered): the word-wise clearing of a jump loses nothing. */
    @Test
    void replayWindowMatchesAModelOverRandomJumps() {
        java.util.Random rnd = new java.util.Random(7);
        ReplayWindow w = new ReplayWindow();
        java.util.Set<Long> seen = new java.util.HashSet<>();
        long newest = 0;
        for (int i = 0; i < 200_000; i++) {
            long s;
            int kind = rnd.nextInt(10);
            if (kind < 4 || newest == 0) s = newest + 1 + rnd.nextInt(kind == 0 ? 2 * ReplayWindow.SIZE : kind == 1 ? 200 : 3);
            else s = Math.max(1, newest - rnd.nextInt(ReplayWindow.SIZE + 100)); // late, replayed or too old
            boolean expect = s > newest || (newest - s < ReplayWindow.SIZE && !seen.contains(s));
            assertThat(w.accept(s)).as("seqno %d, newest %d", s, newest).isEqualTo(expect);
            if (expect) {
                seen.add(s);
                newest = Math.max(newest, s);
            }
        }
    }

    /**
     * jtipc's replay windows travel with their key when tipc_crypto_key_try_align moves it (the move needs no
     * authentication): frames accepted under the pending key stay replays after it moved to slot 2 and back. Before,
     * each move cleared the windows, so a forged frame (demoting the key) and two moves made captured frames fresh.
     */
    @Test
    void replayWindowsMoveWithTheirKey() {
        Crypto rx = new Crypto(0x1001, 0, 0);
        Aead k = Aead.of(AeadKey.parseKey("0x0123456789abcdef0123456789abcdef11223344"), Tipc.PER_NODE_KEY);
        assertThat(rx.attach(k, 0, false)).isEqualTo(1);
        for (long q = 1; q <= 100; q++) assertThat(ReplayWindow.fresh(rx, 1, true, false, false, q, k)).isTrue();
        assertThat(ReplayWindow.fresh(rx, 1, true, false, false, 50, k)).isFalse();
        assertThat(rx.tryAlign(2)).isTrue();
        assertThat(rx.aead[2]).isSameAs(k);
        assertThat(ReplayWindow.fresh(rx, 2, true, false, false, 50, k)).as("moved to slot 2").isFalse();
        assertThat(rx.tryAlign(1)).isTrue();
        assertThat(ReplayWindow.fresh(rx, 1, true, false, false, 50, k)).as("and back").isFalse();
        assertThat(ReplayWindow.fresh(rx, 1, true, false, false, 101, k)).isTrue();
        // a slot a key left starts empty
        assertThat(rx.window(2, true).newest).isZero();
    }
}
