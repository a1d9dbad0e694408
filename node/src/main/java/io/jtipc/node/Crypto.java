package io.jtipc.node;

import io.jtipc.wire.Tipc;

/**
 * One crypto context (Linux 6.1 net/tipc/crypto.c {@code struct tipc_crypto}): the node's TX context (one per node,
 * {@code tn->crypto_tx}) or the RX context of one peer ({@code n->crypto_rx}). It holds four key slots — 0 the
 * cluster master key, 1-3 session keys — and the slot numbers of the pending, active and (RX only) passive key
 * ({@code struct tipc_key}), the key generation, the peer's reported RX active key, a received session key waiting
 * to be attached, the key-distribution state, the two timers and the flags. The per-packet work that needs the
 * node (choosing a TX key, decrypting, key exchange) is {@link NodeCrypto}'s; this class has the slot rules:
 * {@code tipc_crypto_key_attach}, {@code _try_align}, {@code _revoke}, {@code _flush} and {@code tipc_crypto_timeout}.
 * Times are the core's ms; no clock is read.
 */
final class Crypto {
    static final int KEY_MASTER = 0;
    static final int KEY_MAX = 3;

    /** crypto.c TIPC_TX_GRACE_PERIOD: master key kept for vital messages after a peer reported no key, ms. */
    static final long TX_GRACE_PERIOD = 5_000;
    /** crypto.c TIPC_TX_LASTING_TIME: a pending TX key becomes active this long after its users last changed, ms. */
    static final long TX_LASTING_TIME = 10_000;
    /** crypto.c TIPC_RX_ACTIVE_LIM: an RX active key unused this long falls back to pending, ms. */
    static final long RX_ACTIVE_LIM = 3_000;
    /** crypto.c TIPC_RX_PASSIVE_LIM: an RX passive key unused this long is freed, ms. */
    static final long RX_PASSIVE_LIM = 15_000;

    /** Key-distribution states ({@code key_distr}). */
    static final int KEY_DISTR_SCHED = 1, KEY_DISTR_COMPL = 2;

    /** Statistics (crypto.c STAT_*; async ones do not exist here) plus jtipc's replay counter. */
    static final int STAT_OK = 0, STAT_NOK = 1, STAT_BADKEYS = 2, STAT_BADMSGS = 2, STAT_NOKEYS = 3, STAT_SWITCHES = 4,
        STAT_REPLAYS = 5;
    static final int MAX_STATS = 6;

    /**
     * Peer address for an RX context, 0 for the TX context ({@code is_tx}: no node). A preliminary context (a per-node
     * key of a peer not known yet) holds {@link NodeCrypto#UNBOUND} until a frame decrypted with it names the peer's
     * address (NodeCrypto binds it then); never 0 for an RX context.
     */
    int nodeAddr;
    final Aead[] aead = new Aead[KEY_MAX + 1];
    int pending, active, passive;
    /** The peer's RX active key as it reports it (RX only, {@code peer_rx_active}). */
    int peerRxActive;
    /** TX: generation of the last key attached (random start); RX: of the last key received. */
    int keyGen;
    /** Received session key waiting to be attached, and its mode ({@code skey}, {@code skey_mode}). */
    byte[] skey;
    int skeyMode;
    int keyDistr;
    /** Due time of this context's delayed work (RX: key distribution / attach; TX: rekeying), Long.MAX_VALUE if none. */
    long workDue = Long.MAX_VALUE;
    /** Rekeying interval, minutes (TX; 0 = off). */
    int rekeyingIntv;
    /** TX: when the key users last changed; RX: when decryption last worked ({@code timer1}), ms. */
    long timer1;
    /** TX: start of the master-key grace period; RX: when the passive key last worked ({@code timer2}), ms. */
    long timer2;
    boolean working, keyMaster, legacyUser, nokey;
    /** RX: the peer encrypts cluster/master-key frames with the pre-5.11 IV form (NodeCrypto.legacySeen). */
    boolean legacyIv;
    /**
     * The RX active key we last reported to this peer in a destined frame (ehdr rx_key_active), and whether it changed
     * since the peer's destined frames last restarted their count: the kernel peer resets its per-peer send counter
     * ({@code __rx->sndnxt}) when the value we report changes (crypto.c tipc_crypto_key_synch), so its next destined
     * per-node-key frames start again at 1 (ReplayWindow.fresh accepts that restart once), if it has session keys; a
     * peer that does not (or jtipc, whose count is per key, not per peer) never restarts, so the expectation lapses
     * after {@link #RESTART_EXPECT_MS} ({@link #expireRestart}): no restart for a replay later (ReplayWindow's limit).
     */
    int reportedActive;
    boolean restartExpected;
    /** When {@link #restartExpected} lapses, ms. */
    private long restartExpectedUntil;
    /**
     * How long a restart of the peer's count stays expected after our report changed, ms: 10 s, well over the time the
     * peer's next destined frame takes (its link sends a STATE at least every 500 ms, node.c tipc_node_calculate_timer).
     */
    static final long RESTART_EXPECT_MS = 10_000;

    /** Our report of the RX active key changed ({@code now} in ms): the peer's count may restart. */
    void expectRestart(long now) {
        restartExpected = true;
        restartExpectedUntil = now + RESTART_EXPECT_MS;
    }

    /** Drops an expected restart that has not come within {@link #RESTART_EXPECT_MS} ({@code now} in ms). */
    void expireRestart(long now) {
        if (restartExpected && now - restartExpectedUntil > 0) restartExpected = false;
    }
    /** A restart of the peer's count was accepted while it had no link up (once per such period, ReplayWindow.fresh). */
    boolean downRestartUsed;
    /**
     * Node signatures (discovery w1 bits 15-0) of the incarnations of this peer whose discovery frames we took, the
     * last {@link #SIGNATURES}: a replayed discovery frame of an earlier incarnation is no evidence of a reboot.
     */
    private final int[] signatures = new int[SIGNATURES];
    private int signatureCount;
    static final int SIGNATURES = 4;

    /** Whether a discovery frame with node signature {@code sig} was taken from this peer (one of the last 4). */
    boolean sawSignature(int sig) {
        for (int i = 0; i < signatureCount; i++) if (signatures[i] == sig) return true;
        return false;
    }

    /** Records node signature {@code sig} (16 bits; anything else, such as a node's unset one, is ignored). */
    void rememberSignature(int sig) {
        if (sig < 0 || sig > 0xffff || sawSignature(sig)) return;
        signatures[signatureNext] = sig;
        signatureNext = (signatureNext + 1) % SIGNATURES;
        if (signatureCount < SIGNATURES) signatureCount++;
    }

    private int signatureNext;
    final long[] stats = new long[MAX_STATS];
    /** Keys from the peer's KEY_DISTR attached to this context so far (logged at powers of two of the count). */
    long keysSet;
    /** Replay windows per slot, [0] frames not destined (D = 0), [1] destined (RX only). */
    final ReplayWindow[][] windows;

    Crypto(int nodeAddr, int keyGen, long now) {
        this.nodeAddr = nodeAddr;
        this.keyGen = keyGen & 0xffff;
        this.timer1 = now;
        this.timer2 = now;
        this.rekeyingIntv = NodeCrypto.REKEYING_INTV_DEF;
        this.windows = new ReplayWindow[KEY_MAX + 1][2];
    }

    boolean isTx() {
        return nodeAddr == 0;
    }

    /** {@code key.keys != 0}: some session slot is pending, active or passive. */
    boolean hasSessionKeys() {
        return pending != 0 || active != 0 || passive != 0;
    }

    static int keyNext(int cur) {
        return cur % KEY_MAX + 1;
    }

    int users(int slot) {
        Aead a = aead[slot];
        return a == null ? 0 : a.users;
    }

    void setState(int newPassive, int newActive, int newPending) {
        passive = newPassive & 3;
        active = newActive & 3;
        pending = newPending & 3;
    }

    /** Replaces slot {@code k}'s key (tipc_aead_rcu_replace); its replay windows start afresh. */
    void replace(int k, Aead a) {
        aead[k] = a;
        forgetWindows(k);
    }

    /**
     * The master-key replay windows of every context of {@code maps} start afresh: a new master key was set here (on
     * every node of the cluster), and the peers count from 1 under it. Not when the same key is set again: peers that
     * keep it count on, and fresh windows would take a replay of their recent frames once each.
     */
    @SafeVarargs
    static void forgetMaster(java.util.Map<?, Crypto>... maps) {
        for (java.util.Map<?, Crypto> m : maps) for (Crypto c : m.values()) c.forgetWindows(KEY_MASTER);
    }

    /** Slot {@code k}'s replay windows start afresh (its key, held elsewhere, changed: the master key on TX). */
    void forgetWindows(int k) {
        windows[k][0] = null;
        windows[k][1] = null;
    }

    ReplayWindow window(int slot, boolean destined) {
        ReplayWindow w = windows[slot][destined ? 1 : 0];
        if (w == null) windows[slot][destined ? 1 : 0] = w = new ReplayWindow();
        return w;
    }

    /**
     * crypto.c tipc_crypto_key_attach: puts {@code a} into slot 0 (master) or the next free session slot — the pending
     * one if unused, else after the active/passive key; {@code pos} (the slot a peer used, when attaching a clone of
     * our TX cluster key on RX) is honoured when possible. TX keys take a new generation.
     *
     * @return the slot, or {@link NodeCrypto#EBUSY} when both active and passive are taken or the pending key has users
     */
    int attach(Aead a, int pos, boolean masterKey) {
        int kPending = pending, kActive = active, kPassive = passive;
        int newKey;
        attach:
        {
            if (masterKey) {
                newKey = KEY_MASTER;
                break attach;
            }
            if (kActive != 0 && kPassive != 0) return NodeCrypto.EBUSY;
            if (kPending != 0) {
                if (users(kPending) > 0) return NodeCrypto.EBUSY;
                newKey = kPending;
            } else {
                if (pos != 0) {
                    if (kActive != 0 && pos != keyNext(kActive)) {
                        kPassive = pos;
                        newKey = pos;
                        break attach;
                    } else if (kActive == 0 && kPassive == 0) {
                        kPending = pos;
                        newKey = pos;
                        break attach;
                    }
                }
                kPending = keyNext(kActive != 0 ? kActive : kPassive);
                newKey = kPending;
            }
        }
        a.gen = isTx() ? (keyGen = (keyGen + 1) & 0xffff) : keyGen;
        replace(newKey, a);
        setState(kPassive, kActive, kPending);
        working = true;
        nokey = false;
        keyMaster |= masterKey;
        return newKey;
    }

    /** crypto.c tipc_crypto_key_flush: every key and flag gone (RX: the TX users it held are released). */
    void flush(Crypto tx, long now) {
        if (!isTx()) {
            if (skey != null) java.util.Arrays.fill(skey, (byte) 0); // kfree_sensitive
            skey = null;
            keyDistr = 0;
            workDue = Long.MAX_VALUE;
            int k = peerRxActive;
            peerRxActive = 0;
            if (k != 0 && tx.aead[k] != null) {
                tx.aead[k].usersDec(0);
                tx.timer1 = now;
            }
        }
        working = keyMaster = legacyUser = nokey = false;
        setState(0, 0, 0);
        for (int k = 0; k <= KEY_MAX; k++) replace(k, null);
    }

    /**
     * crypto.c tipc_crypto_key_try_align: the peer used an unknown slot (it rejoined, or we are new): a pending key
     * without users and no active key moves to {@code newPending}, a passive key shifting with it.
     *
     * @return true if the pending key is (now) in {@code newPending}
     */
    boolean tryAlign(int newPending) {
        if (pending == newPending) return true;
        if (active != 0 || pending == 0 || users(pending) > 0) return false;
        Aead tmp1 = aead[pending];
        if (tmp1 == null) return false;
        Aead tmp2 = null;
        int newPassive = 0;
        // jtipc: each key keeps its replay windows where it goes (were cleared: a forged frame's demotion and two
        // moves would have made its captured frames fresh again)
        ReplayWindow[] w1 = windows[pending], w2 = null;
        aead[pending] = null;
        windows[pending] = new ReplayWindow[2];
        if (passive != 0) {
            tmp2 = aead[passive];
            w2 = windows[passive];
            windows[passive] = new ReplayWindow[2];
            aead[passive] = null;
            int x = (passive - pending + newPending) % KEY_MAX;
            newPassive = x <= 0 ? x + KEY_MAX : x;
        }
        setState(newPassive, 0, newPending);
        aead[newPending] = tmp1;
        windows[newPending] = w1;
        if (newPassive != 0) {
            aead[newPassive] = tmp2;
            windows[newPassive] = w2;
        }
        return true;
    }

    /**
     * crypto.c tipc_crypto_key_revoke, on a TX sequence number wrap: the key is removed. The kernel frees the active
     * key (and warns if the wrapped key was another); jtipc frees the key that wrapped, so a seqno is never reused. The context keeps working: frames without a
     * usable key are dropped, never sent in plaintext.
     */
    void revoke(int txKey) {
        if (txKey == active) setState(passive, 0, pending);
        else if (txKey == pending) setState(passive, active, 0);
        else if (txKey == KEY_MASTER) keyMaster = false;
        replace(txKey, null);
    }

    /**
     * crypto.c tipc_crypto_timeout for this RX context (run on every node timer tick): the TX pending key becomes
     * active once it has users, the active one has none and {@link #TX_LASTING_TIME} passed since the users changed;
     * then on RX (one step per tick) a pending key with a user becomes active (the active one passive), a pending key
     * failing 10 times is removed, an active key unused for {@link #RX_ACTIVE_LIM} (or without user) falls back to
     * pending, a passive key unused for {@link #RX_PASSIVE_LIM} (or failing) is freed. The legacy-user flag is
     * cleared after the grace period.
     */
    void timeout(Crypto tx, long now) {
        // TX pending: all users taken & stable -> active
        if (!(tx.active != 0 && tx.users(tx.active) > 0) && tx.pending != 0 && tx.users(tx.pending) > 0
            && now >= tx.timer1 + TX_LASTING_TIME) {
            int old = tx.active;
            tx.setState(tx.passive, tx.pending, 0);
            if (old != 0) tx.replace(old, null);
            tx.stats[STAT_SWITCHES]++;
        }
        rxStep(now);
        if (now > tx.timer2 + TX_GRACE_PERIOD) tx.legacyUser = false;
    }

    private void rxStep(long now) {
        int kPending = pending, kActive = active, kPassive = passive;
        if (kPending != 0 && users(kPending) > 0) {
            // RX pending: having user -> active
            if (kActive != 0) kPassive = kActive;
            timer2 = now;
            setState(kPassive, kPending, 0);
            stats[STAT_SWITCHES]++;
            return;
        }
        if (kPending != 0 && users(kPending) <= -10) {
            // RX pending: not working -> remove
            setState(kPassive, kActive, 0);
            replace(kPending, null);
            return;
        }
        if (kActive != 0 && !(now < timer1 + RX_ACTIVE_LIM && users(kActive) > 0)) {
            // RX active: timed out or no user -> pending
            if (kPending != 0) kPassive = kActive;
            else kPending = kActive;
            timer2 = now;
            setState(kPassive, 0, kPending);
            if (aead[kPending] != null) aead[kPending].users = 0;
            return;
        }
        if (kPassive != 0 && !(now < timer2 + RX_PASSIVE_LIM && users(kPassive) > -10)) {
            // RX passive: outdated or not working -> free
            setState(0, kActive, kPending);
            replace(kPassive, null);
        }
    }

    /** "TX", or "RX(ADDR)" with the peer's address in hex (crypto.c rx->name), for log lines. */
    String name() {
        return isTx() ? "TX" : "RX(" + Integer.toHexString(nodeAddr) + ")";
    }

    /** Slot states as crypto.c tipc_crypto_key_dump shows them, e.g. "[pen act -]" (no key material). */
    String slots() {
        StringBuilder b = new StringBuilder("[");
        for (int k = 1; k <= KEY_MAX; k++) {
            b.append(k == passive ? "pas" : k == active ? "act" : k == pending ? "pen" : "-");
            if (k != KEY_MAX) b.append(' ');
        }
        return b.append(']').toString();
    }

    @Override
    public String toString() {
        return name() + slots()
            + (aead[KEY_MASTER] != null ? " master" : "");
    }
}
