package io.jtipc.node;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import io.jtipc.wire.AeadKey;
import io.jtipc.wire.EncryptedFrame;
import io.jtipc.wire.EncryptionHeader;
import io.jtipc.wire.NodeId;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcCodec;
import io.jtipc.wire.TipcMsg;

/**
 * The node-wide part of TIPC encryption (Linux 6.1 net/tipc/crypto.c): the TX {@link Crypto} and one RX
 * {@link Crypto} per peer, and the functions that need the node: {@code tipc_crypto_xmit} (key choice per packet,
 * {@code tipc_ehdr_build}, {@code tipc_aead_encrypt}), {@code tipc_crypto_rcv} (RX slot choice, re-alignment, TX
 * cluster keys as fallback, {@code tipc_aead_decrypt}, {@code tipc_crypto_rcv_complete}, {@code tipc_crypto_key_synch}),
 * the key exchange ({@code tipc_crypto_key_distr}, {@code _key_xmit}, {@code _msg_rcv}, {@code _key_rcv},
 * {@code tipc_crypto_work_rx}), rekeying ({@code tipc_crypto_rekeying_sched}, {@code tipc_crypto_work_tx}) and the
 * key setting of node.c {@code __tipc_nl_node_set_key}. AES-GCM and the IV/AAD rules are {@code wire}'s
 * ({@link EncryptedFrame}), shared with the capture analyser.
 *
 * <p>Deviations from the kernel, each deliberate: one sequence counter per TX key for every frame (the kernel uses a
 * per-peer counter it resets for per-node keys, reusing IVs); replayed or duplicate sequence numbers are rejected
 * ({@link ReplayWindow}); a strict mode drops plaintext once keyed; MSG_CRYPTO is taken when its frame is decrypted
 * (not in link order; a repeat is refused by the key-generation check as in the kernel), unbundled and only from the
 * node whose key opened it. KEY_DISTR "to all" goes on
 * the broadcast link as the kernel's. Single-threaded; times are the core's ms.
 */
public final class NodeCrypto {
    /** crypto.c TIPC_REKEYING_INTV_DEF: one day, minutes. */
    public static final int REKEYING_INTV_DEF = 60 * 24;
    /** crypto.h EMSG_OVERHEAD = EHDR_SIZE + tag: what the link MSS shrinks by (link.c tipc_link_mss), bytes. */
    public static final int EMSG_OVERHEAD = Tipc.EHDR_SIZE + Tipc.AES_GCM_TAG_SIZE;
    /** How often the crypto timeout runs (the kernel runs it on every node timer tick), ms. */
    static final long TICK = 250;
    /** Errno values of crypto.c (x86-64). */
    static final int EBUSY = -16, EBADMSG = -74, ENOKEY = -126, EKEYREVOKED = -128;

    /** {@link #rcv} results besides a plaintext length: not encrypted (go on with the frame as is), dropped. */
    static final int PLAIN = -2, DROP = -1;

    private static final int XMIT_NORMAL = 0, XMIT_PROBING = 1, XMIT_GRACING = 2;

    private final Net net;
    /** The peers, for RX contexts and key distribution; set once by the owner. */
    NodeTable nodes;
    final Crypto tx;
    private final Map<Integer, Crypto> rx = new HashMap<>();
    /**
     * Per-node RX keys set for peers not known yet, by node id (node.c __tipc_nl_node_set_key creates a preliminary
     * node holding the RX context). At most one entry per configured peer id; a second key for the same unknown id
     * replaces the first (the kernel would attach it to the next slot).
     */
    private final Map<NodeId, byte[]> peerKeys = new HashMap<>();
    /**
     * The RX context made from {@link #peerKeys} when that peer's first discovery frame arrives, before the discovery
     * creates the node (the kernel decrypts it with the preliminary node's {@code crypto_rx}, a node found and created
     * by id only: node.c __tipc_nl_node_set_key, tipc_node_create with the preliminary flag). Keyed by id only and
     * made (keyInit) once per configured key: a discovery frame is not authenticated before it decrypts, so nothing in
     * it may replace or re-key this context. Its address is {@link #UNBOUND} until a frame decrypted with it (then
     * the plaintext's prevnode binds it, {@link #prelimBound}); {@link #rxOf} moves it to {@link #rx} when the node
     * with that id is created at that address. Without it a peer known only by a per-node key could never be
     * discovered. Bounded by {@link #peerKeys} (one context per configured peer key).
     */
    private final Map<NodeId, Crypto> prelim = new HashMap<>();
    /** Ids of {@link #prelim} contexts whose address was bound by an authenticated frame. */
    private final java.util.Set<NodeId> prelimBound = new java.util.HashSet<>();
    /** {@link Crypto#nodeAddr} of a preliminary context no authenticated frame has named an address for yet. */
    static final int UNBOUND = -1;
    private final Random rnd;
    private final CryptoConfig config;
    private boolean started;
    /** Keys are set but the time base (timers, first rekeying) waits for the first call that knows the time. */
    private boolean needTimeBase;
    private Crypto lastRx;
    private long lastNow;
    private long tickDue = Long.MAX_VALUE;

    private final TipcMsg hdr = new TipcMsg();
    private final EncryptionHeader ehdr = new EncryptionHeader();
    private final byte[] iv = new byte[12];
    private byte[] frame = new byte[2048];
    private byte[] pad = new byte[2048];
    private byte[] plain = new byte[2048];
    /** True while the frame being received was decrypted (for MSG_CRYPTO, crypto.c TIPC_SKB_CB(skb)->decrypted). */
    boolean decrypted;

    private long plaintextDropped, replays, undecryptable, unknownSender, badPlaintext;
    /**
     * Linux before 5.11 XORs the cluster-key salt with the header address as raw big-endian bytes
     * ({@code salt ^= ehdr->addr}); later kernels with the address value ({@code salt ^= __be32_to_cpu(ehdr->addr)},
     * the sparse fix), so the two cannot read each other's cluster/master-key frames. jtipc reads both (modern first)
     * and answers each peer in the form it uses: true once a frame of some peer opened in the legacy form (then
     * discovery leaves in both forms), and the node ids of such peers not known yet as nodes.
     */
    private boolean legacySeen;
    private final java.util.Set<NodeId> legacyIds = java.util.Collections.newSetFromMap(
        new java.util.LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(java.util.Map.Entry<NodeId, Boolean> eldest) {
                return size() > MAX_LEGACY_IDS; // a sender of fresh ids pushes out the least recently seen
            }
        });
    /**
     * Node ids of legacy-form discovery senders kept at most: {@link NodeTable#MAX_PEERS} (a node that becomes a peer
     * takes its id out), least recently seen dropped first; before this bound any key holder could grow the set with
     * fresh ids.
     */
    static final int MAX_LEGACY_IDS = NodeTable.MAX_PEERS;
    /** Set by {@link #openEither}: the last frame opened in the legacy IV form. */
    private boolean lastLegacy;
    private boolean loggedBadKey, loggedNoKey;
    /**
     * KEY_DISTR messages refused because a key of that generation is there already (also every link retransmission of
     * one: MSG_CRYPTO is taken before the link drops duplicates) and malformed ones: logged at the 1st, 2nd, 4th, ...
     * time, not per message.
     */
    private long keyExists, keyMalformed;

    /** The node state this crypto belongs to (for {@link LinkSettings#setMonitorThreshold}). */
    Net net() { return net; }

    NodeCrypto(Net net) {
        this.net = net;
        this.config = net.config.crypto();
        this.rnd = new Random(net.config.seed() ^ 0x7e3c_1d5a_9b42_f081L);
        this.tx = new Crypto(0, rnd.nextInt(), 0);
        start(); // the configured keys are in place before the first frame leaves (no plaintext discovery)
    }

    // ====================================================================== inspection

    /** True once a key exists for TX ({@code tx->working}): every frame sent is encrypted. */
    public boolean working() { return tx.working; }
    /** Plaintext frames dropped in strict mode. */
    public long plaintextDropped() { return plaintextDropped; }
    /** Encrypted frames dropped as replayed or duplicated. */
    public long replays() { return replays; }
    /** Encrypted frames no key decrypted (wrong key, or none): crypto.c STAT_NOKEYS + STAT_BADMSGS of all contexts. */
    public long undecryptable() { return undecryptable; }
    /** Encrypted frames from a node address no node has (node.c tipc_rcv "discard"). */
    public long unknownSender() { return unknownSender; }
    /** Frames sent encrypted (crypto.c TX STAT_OK). */
    public long encrypted() { return tx.stats[Crypto.STAT_OK]; }
    /** Frames not sent for want of a usable TX key or after a key was revoked (TX STAT_NOK). */
    public long txFailed() { return tx.stats[Crypto.STAT_NOK]; }
    /** Key states as the kernel's key dump shows them, without material, e.g. "TX[- act -] master; RX(1001001)[...]". */
    public String state() {
        StringBuilder b = new StringBuilder(tx.toString());
        for (Crypto c : rx.values()) b.append("; ").append(c);
        return b.toString();
    }

    /**
     * Bytes the link MSS shrinks by: {@link #EMSG_OVERHEAD}, keyed or not, as link.c tipc_link_mss in a kernel built with
     * CONFIG_TIPC_CRYPTO (Debian's 5.10, 6.1 and 6.12: a 1 500-byte link carries fragments of 1 428 bytes, so do we).
     */
    int mssOverhead() { return EMSG_OVERHEAD; }

    Crypto rxOf(int addr) {
        if (lastRx != null && lastRx.nodeAddr == addr) return lastRx;
        Crypto c = rx.get(addr);
        if (c == null) {
            Node n = nodes == null ? null : nodes.find(addr);
            Crypto p = n == null ? null : prelim.remove(n.id);
            boolean bound = n != null && prelimBound.remove(n.id);
            byte[] k = n == null ? null : peerKeys.remove(n.id);
            if (p != null && (!bound || p.nodeAddr == addr)) {
                p.nodeAddr = addr;
                c = p; // the context that decrypted the peer's first discovery, with its key states and windows
            } else {
                c = new Crypto(addr, 0, lastNow);
                if (k != null) keyInit(c, k, Tipc.PER_NODE_KEY, false, false);
            }
            if (k != null) Arrays.fill(k, (byte) 0);
            rx.put(addr, c);
            if (n != null && legacyIds.remove(n.id)) c.legacyIv = true;
        }
        return lastRx = c;
    }

    /**
     * Node {@code addr} was deleted from the node table (peer remove, eviction, timeout, replaced identity): its RX
     * context is flushed and goes with it at once, as node.c tipc_node_delete_from_list flushes {@code crypto_rx}
     * (crypto.c tipc_crypto_key_flush): a received key not attached yet is cleared, and the use the peer made of our
     * TX key ({@code peer_rx_active}) is given back, so that a later TX key can become active (a phantom user would
     * keep the old one active and stop every rekeying).
     */
    void nodeDeleted(int addr) {
        Crypto c = rx.remove(addr);
        if (c == null) return;
        if (lastRx == c) lastRx = null;
        forget(c);
    }

    /** A deleted node's RX context: key material zeroed, its users of our TX keys released (tipc_crypto_key_flush). */
    private void forget(Crypto c) {
        if (c.skey != null) Arrays.fill(c.skey, (byte) 0);
        c.flush(tx, lastNow);
        if (rxWork.remove(c)) rxDueStale = true;
    }

    /** Sets the configured keys (nothing can be sent yet: no node is up). */
    private void start() {
        started = true;
        needTimeBase = true;
        if (config == null) return;
        for (NodeKey k : config.keys()) setKey(0, k, null);
    }

    /** Every entry that knows the time: the first one sets the timers and schedules the first rekeying. */
    private void clock(long now) {
        if (!started) start();
        if (now > lastNow) lastNow = now;
        if (needTimeBase) {
            needTimeBase = false;
            lastNow = now;
            tx.timer1 = tx.timer2 = now;
            for (Crypto c : rx.values()) c.timer1 = c.timer2 = now;
            if (config != null && !config.keys().isEmpty()) rekeyingSched(now, true, config.rekeyingMinutes());
            else if (config != null) tx.rekeyingIntv = config.rekeyingMinutes(); // for a TX key set later
        }
    }

    // ====================================================================== keys (node.c __tipc_nl_node_set_key)

    /**
     * Sets a key as {@code tipc node set key} does: a master key to TX slot 0, a cluster key or the own per-node key
     * as a new TX key (pending) distributed to every node that is up, a peer's per-node key to its RX context.
     * {@code out} may be null (nothing is sent then).
     *
     * @return the slot used (0-3), or {@link #EBUSY} if no slot is free
     */
    public int setKey(long now, NodeKey k, Outbox out) {
        if (!started) start();
        if (!needTimeBase) clock(now);
        byte[] m = k.material();
        try {
            switch (k.kind()) {
                case MASTER: {
                    Aead before = tx.aead[Crypto.KEY_MASTER];
                    int rc = keyInit(tx, m, Tipc.CLUSTER_KEY, true, false);
                    // a new master key (not the same again): the peers count from 1 under it, crypto.c tipc_aead_init
                    if (rc >= 0 && !tx.aead[Crypto.KEY_MASTER].sameKey(before)) Crypto.forgetMaster(rx, prelim);
                    if (rc >= 0 && out != null) { // not distributed, but the rekeying is scheduled as for any TX key
                        clock(now);
                        rekeyingSched(now, false, 0);
                    }
                    return rc;
                }
                case CLUSTER: {
                    int rc = keyInit(tx, m, Tipc.CLUSTER_KEY, false, false);
                    if (rc > 0 && out != null) txKeySet(rc, now, out);
                    return rc;
                }
                default: {
                    if (k.nodeId().equals(net.config.nodeId())) {
                        int rc = keyInit(tx, m, Tipc.PER_NODE_KEY, false, false);
                        if (rc > 0 && out != null) txKeySet(rc, now, out);
                        return rc;
                    }
                    Node n = nodes == null ? null : nodes.findById(k.nodeId());
                    if (n == null) {
                        byte[] old = peerKeys.put(k.nodeId(), m.clone());
                        if (old != null) Arrays.fill(old, (byte) 0);
                        prelim.remove(k.nodeId());
                        prelimBound.remove(k.nodeId());
                        return 0;
                    }
                    return keyInit(rxOf(n.addr), m, Tipc.PER_NODE_KEY, false, false);
                }
            }
        } finally {
            Arrays.fill(m, (byte) 0);
        }
    }

    /**
     * node.c __tipc_nl_node_set_key after a TX session key was set at run time: the key distributed to every node that
     * is up, and the rekeying scheduled if none is (tipc_crypto_rekeying_sched(tx, false, 0); for the master key too,
     * without the distribution), so a node started without keys rotates them too.
     */
    private void txKeySet(int key, long now, Outbox out) {
        clock(now); // a node that had no key may not have its time base yet (and with it the configured interval)
        keyDistr(key, 0, now, out);
        rekeyingSched(now, false, 0);
    }

    /**
     * crypto.c tipc_crypto_rekeying_sched: {@code minutes} becomes the interval (0 = off) and the next rekeying is
     * that far from now; {@code minutes} = -1 rekeys now (TIPC_REKEYING_NOW) without changing the interval.
     */
    public void setRekeying(long now, int minutes) {
        clock(now);
        rekeyingSched(now, true, minutes);
    }

    /** tipc node flush key: every TX and RX key removed (tipc_crypto_key_flush). */
    public void flush(long now) {
        clock(now);
        tx.flush(tx, now);
        for (Crypto c : rx.values()) c.flush(tx, now);
        rxWork.clear();
        rxDueStale = true;
        for (byte[] k : peerKeys.values()) Arrays.fill(k, (byte) 0);
        peerKeys.clear(); // the kernel flushes the preliminary nodes' contexts too (they are on its node list)
        prelim.clear();
        prelimBound.clear();
    }

    /** crypto.c tipc_crypto_key_init: a new AEAD attached to {@code c}. Returns the slot or {@link #EBUSY}. */
    private int keyInit(Crypto c, byte[] material, int mode, boolean master, boolean distributed) {
        int rc = c.attach(Aead.of(material, mode), 0, master);
        // a key from a peer's KEY_DISTR (one per new generation it sends): logged at powers of two (the kernel: pr_debug)
        if (rc >= 0 && (!distributed || Long.bitCount(++c.keysSet) == 1)) net.log("crypto: " + c.name() + " key[" + rc
            + "] set (" + (master ? "master" : mode == Tipc.CLUSTER_KEY ? "cluster" : "per-node") + " mode"
            + (!distributed || c.keysSet == 1 ? "" : ", keys from its KEY_DISTR " + c.keysSet) + ")");
        return rc;
    }

    private void rekeyingSched(long now, boolean changed, int newIntv) {
        boolean rekeyNow = false;
        if (changed) {
            if (newIntv == -1) rekeyNow = true;
            else tx.rekeyingIntv = newIntv;
            tx.workDue = Long.MAX_VALUE;
        }
        else if (tx.workDue != Long.MAX_VALUE) return; // queue_delayed_work: a queued rekeying is not moved
        if (tx.rekeyingIntv != 0 || rekeyNow) tx.workDue = rekeyNow ? now : now + tx.rekeyingIntv * 60_000L;
    }

    /** crypto.c tipc_crypto_work_tx: a fresh random key of the current key's length, attached (PER_NODE) and sent to all. */
    private void workTx(long now, Outbox out) {
        tx.workDue = Long.MAX_VALUE;
        if (tx.pending == 0) {
            Aead t = tx.aead[tx.active != 0 ? tx.active : Crypto.KEY_MASTER];
            if (t == null) return; // at least one key must exist for securing
            if (config == null || config.entropy() == null) {
                net.log("crypto: rekeying skipped, no entropy source configured");
            } else {
                byte[] m = new byte[t.keylen()];
                config.entropy().nextBytes(m);
                int rc = keyInit(tx, m, Tipc.PER_NODE_KEY, false, false);
                Arrays.fill(m, (byte) 0);
                if (rc > 0) rc = keyDistr(rc, 0, now, out);
                if (rc < 0) net.log("crypto: rekeying returns " + rc);
            }
        }
        rekeyingSched(now, false, 0);
    }

    // ====================================================================== transmit (crypto.c tipc_crypto_xmit)

    /**
     * Sends one message on bearer {@code bearerId} encrypted with the key crypto.c's rules choose: the pending key if
     * there is neither a master nor an active key, if the destination reports it active, or for a probing copy
     * (discovery and link protocol go out once more with it); the master key if there is no active key, for vital
     * messages (discovery, RESET, KEY_DISTR) and during the grace period after a peer reported no key, as the
     * destination's state allows; else the active key. Without a usable key the message is dropped and counted.
     *
     * @param dnode the destination node ({@code __dnode}), null when unknown (discovery)
     */
    void xmit(Outbox out, int bearerId, byte[] dest, byte[] buf, int off, int len, Node dnode) {
        if (!started) start();
        xmit(out, bearerId, dest, buf, off, len, dnode, XMIT_NORMAL);
    }

    private void xmit(Outbox out, int bearerId, byte[] dest, byte[] buf, int off, int len, Node dnode, int type) {
        Crypto r = dnode == null ? null : rxOf(dnode.addr);
        hdr.wrap(buf, off, len);
        int user = hdr.user(), mtyp = hdr.type();
        if (tx.pending != 0) {
            int k = tx.pending;
            if ((!tx.keyMaster && tx.active == 0) || (r != null && r.peerRxActive == k) || type == XMIT_PROBING) {
                encrypt(k, r, dnode, out, bearerId, dest, buf, off, len);
                return;
            }
            if (user == Tipc.LINK_CONFIG || user == Tipc.LINK_PROTOCOL) {
                xmit(out, bearerId, dest, buf, off, len, dnode, XMIT_PROBING);
            }
        }
        if (tx.keyMaster) {
            if (tx.active == 0 || type == XMIT_GRACING) {
                encrypt(Crypto.KEY_MASTER, r, dnode, out, bearerId, dest, buf, off, len);
                return;
            }
            if (user == Tipc.LINK_CONFIG || (user == Tipc.LINK_PROTOCOL && mtyp == Tipc.RESET_MSG)
                || (user == Tipc.MSG_CRYPTO && mtyp == Tipc.KEY_DISTR_MSG) || lastNow < tx.timer2 + Crypto.TX_GRACE_PERIOD) {
                if (r != null && r.keyMaster && r.peerRxActive == 0) {
                    encrypt(Crypto.KEY_MASTER, r, dnode, out, bearerId, dest, buf, off, len);
                    return;
                }
                if (r == null) {
                    if (!tx.legacyUser) {
                        encrypt(Crypto.KEY_MASTER, r, dnode, out, bearerId, dest, buf, off, len);
                        return;
                    }
                    xmit(out, bearerId, dest, buf, off, len, dnode, XMIT_GRACING);
                }
            }
        }
        if (tx.active != 0) {
            encrypt(tx.active, r, dnode, out, bearerId, dest, buf, off, len);
            return;
        }
        tx.stats[Crypto.STAT_NOK]++;
        tx.stats[Crypto.STAT_NOKEYS]++;
    }

    /** tipc_ehdr_build + tipc_aead_encrypt with TX slot {@code k}, then the frame goes to {@code out}. */
    private void encrypt(int k, Crypto r, Node dnode, Outbox out, int bearerId, byte[] dest, byte[] buf, int off, int len) {
        Aead a = tx.aead[k];
        if (a == null) {
            tx.stats[Crypto.STAT_NOK]++;
            tx.stats[Crypto.STAT_NOKEYS]++;
            return;
        }
        long seqno = a.seqno + 1;
        if (seqno == 0) {
            tx.revoke(k);
            tx.stats[Crypto.STAT_NOK]++;
            tx.stats[Crypto.STAT_BADKEYS]++;
            net.log("crypto: TX key[" + k + "] is revoked (sequence number wrapped)");
            return;
        }
        a.seqno = seqno;
        int ehsz = hdr.wrap(buf, off, len).user() == Tipc.LINK_CONFIG ? Tipc.EHDR_CFG_SIZE : Tipc.EHDR_SIZE;
        int flen = EncryptedFrame.frameLength(ehsz, len);
        if (frame.length < flen) frame = new byte[Math.max(flen, frame.length * 2)];
        if (pad.length < flen) pad = new byte[Math.max(flen, pad.length * 2)];
        buildEhdr(ehdr.wrap(frame, 0, ehsz), hdr, k, seqno, r, tx.keyMaster, net.config.nodeId());
        if (r != null && r.active != r.reportedActive) {
            r.reportedActive = r.active;
            r.expectRestart(lastNow);
        }
        boolean legacy = a.mode == Tipc.CLUSTER_KEY && r != null && r.legacyIv;
        int n = a.seal(ehdr, dnode == null ? 0 : dnode.addr, buf, off, len, pad, iv, legacy);
        tx.stats[Crypto.STAT_OK]++;
        out.send(bearerId, dest, frame, 0, n);
        if (dnode == null && legacySeen && a.mode == Tipc.CLUSTER_KEY && a.seqno + 1 != 0) {
            // a pre-5.11 kernel is around: the same frame once more in its IV form (discovery reaches every kernel)
            a.seqno++;
            buildEhdr(ehdr.wrap(frame, 0, ehsz), hdr, k, a.seqno, r, tx.keyMaster, net.config.nodeId());
            n = a.seal(ehdr, 0, buf, off, len, pad, iv, true);
            tx.stats[Crypto.STAT_OK]++;
            out.send(bearerId, dest, frame, 0, n);
        }
    }

    /**
     * crypto.c tipc_ehdr_build: version 7, user 13 (LINK_CONFIG, then the own node id) or 7 (LINK_PROTOCOL STATE, with
     * its keepalive bit) or 0, D and the RX active key and N bit of the destination's RX context if known, M if we
     * have a master key, the sequence number, and the message's w3 (prevnode) for non-discovery.
     *
     * @param h the message to be encrypted
     */
    static void buildEhdr(EncryptionHeader e, TipcMsg h, int txKey, long seqno, Crypto r, boolean master, NodeId own) {
        Arrays.fill(e.buffer(), e.offset(), e.offset() + e.length(), (byte) 0);
        e.setVersion(Tipc.EVERSION).setTxKey(txKey).setDestined(r != null ? 1 : 0)
            .setRxKeyActive(r != null ? r.active : 0).setRxNokey(r != null && r.nokey ? 1 : 0)
            .setMasterKey(master ? 1 : 0).setSeqno(seqno);
        if (h.user() == Tipc.LINK_CONFIG) {
            e.setUser(Tipc.LINK_CONFIG);
            own.copyTo(e.buffer(), e.nodeIdOffset());
        } else {
            if (h.user() == Tipc.LINK_PROTOCOL && h.type() == Tipc.STATE_MSG) {
                e.setUser(Tipc.LINK_PROTOCOL).setKeepalive(h.isKeepalive());
            }
            e.setAddr(h.word(3));
        }
    }

    /**
     * {@link Aead#open(EncryptionHeader, int, byte[], byte[])}, and for a cluster (or master) key that fails, the
     * pre-5.11 IV form ({@link #legacySeen}); {@link #lastLegacy} says which form opened it.
     */
    private int openEither(Aead a, EncryptionHeader e, byte[] out) {
        lastLegacy = false;
        int pl = a.open(e, net.ownAddr, out, iv);
        if (pl >= 0 || a.mode != Tipc.CLUSTER_KEY) return pl;
        EncryptionHeader.iv(a.salt, Integer.reverseBytes(e.addr()), e.seqno(), iv, 0);
        pl = EncryptedFrame.open(a.gcm, iv, e.buffer(), e.offset(), e.length(), e.headerSize(), out);
        lastLegacy = pl >= 0;
        return pl;
    }

    // ====================================================================== receive (crypto.c tipc_crypto_rcv)

    /**
     * node.c tipc_rcv's crypto step for one received frame. An encrypted frame from a known node (by the header's
     * address; discovery by its node id, or none) is decrypted with the RX key of the slot it names (re-aligning a
     * pending key if needed), else with the TX cluster keys (at most 2 tried); then replay-checked, the key states
     * synchronised with the peer's header bits, and a KEY_DISTR inside taken.
     *
     * @return {@link #PLAIN} if the frame is not encrypted (and may be used as is), {@link #DROP}, or the plaintext
     *         length, the plaintext being at {@link #plain()} offset 0
     */
    int rcv(long now, byte[] buf, int off, int len) {
        clock(now);
        decrypted = false;
        if (!EncryptionHeader.isEncrypted(buf, off, len)) {
            if (config != null && config.strict() && tx.working) {
                plaintextDropped++;
                return DROP;
            }
            return PLAIN;
        }
        EncryptionHeader e = ehdr.wrap(buf, off, len);
        if (!e.validate().isOk()) return DROP;
        Node n;
        if (e.user() != Tipc.LINK_CONFIG) {
            n = nodes.find(e.addr());
            if (n == null) {
                unknownSender++;
                return DROP;
            }
        } else {
            // our own discovery looped back by the media (UDP multicast): discovery ignores it anyway, and a
            // per-node key of ours cannot open it on RX (crypto.c drops it as "no key"): not a wrong key
            if (NodeId.hash(buf, e.nodeIdOffset()) == net.config.nodeId().hash()
                && Arrays.equals(net.config.nodeId().bytes(), 0, 16, buf, e.nodeIdOffset(), e.nodeIdOffset() + 16)) {
                return DROP;
            }
            n = nodes.findById(NodeId.of(buf, e.nodeIdOffset())); // a hash lookup: this frame is not authenticated yet
        }
        Crypto r = n != null ? rxOf(n.addr) : e.user() == Tipc.LINK_CONFIG ? preliminary(buf, e) : null;
        int k = e.txKey();
        boolean destined = e.destined() != 0;
        if (plain.length < len) plain = new byte[Math.max(len, plain.length * 2)];
        Aead a = null;
        boolean fromTx = false;
        int pl = -1;
        if (r != null && k != Crypto.KEY_MASTER && (k == r.active || k == r.pending || k == r.passive || r.tryAlign(k))) {
            a = r.aead[k];
            if (a == null) return noKey(r, k);
            pl = openEither(a, e, plain);
            if (pl < 0) {
                a.failed(now);
                return badMsg(r);
            }
        } else {
            // no RX key fits: try our TX keys (crypto.c tipc_crypto_key_pick_tx): the master key for slot 0, else
            // cluster keys, pending first, at most 2 attempts
            int tries = 0;
            if (k == Crypto.KEY_MASTER) {
                a = tx.aead[Crypto.KEY_MASTER];
                if (a != null) {
                    tries++;
                    pl = openEither(a, e, plain);
                }
            } else {
                int[] order = {tx.pending, tx.active, tx.passive};
                for (int i = 0; i < 3 && pl < 0 && tries < 2; i++) {
                    Aead c = order[i] == 0 ? null : tx.aead[order[i]];
                    if (c == null || c.mode != Tipc.CLUSTER_KEY) continue;
                    tries++;
                    a = c;
                    pl = openEither(c, e, plain);
                }
            }
            if (tries == 0) return noKey(r, k);
            if (pl < 0) {
                // the kernel retries the next TX key (skb->next) until none is left; that last attempt ends in
                // -ENOKEY, which sets rx->nokey as a missing key does: the N bit then asks the peer for its key
                // (a master key is tried once, without the retry: -EBADMSG, not -ENOKEY)
                if (r != null && k != Crypto.KEY_MASTER) {
                    r.nokey = !(r.skey != null || r.aead[Crypto.keyNext(k)] != null);
                }
                return badMsg(r != null ? r : tx);
            }
            fromTx = true;
        }
        if (lastLegacy) {
            legacySeen = true;
            if (r != null) r.legacyIv = true;
            else if (e.user() == Tipc.LINK_CONFIG) legacyIds.add(NodeId.of(buf, e.nodeIdOffset()));
        } else if (r != null && a.mode == Tipc.CLUSTER_KEY) {
            r.legacyIv = false;
        }
        // authenticated: replay check (jtipc) before any state changes
        // a discovery frame of a new incarnation of the peer (it restarted: a node signature, w1 bits 15-0, neither the
        // node's nor one seen before) may restart the count; a replayed discovery frame of an incarnation we knew cannot
        boolean disc = e.user() == Tipc.LINK_CONFIG;
        int sig = disc ? hdr.wrap(plain, 0, pl).nodeSig() : 0;
        if (disc && r != null && n != null) r.rememberSignature(n.signature); // the incarnation we know now
        boolean newIncarnation = disc && r != null && (n == null || sig != n.signature) && !r.sawSignature(sig);
        boolean peerGone = n == null || (!n.isUp() && n.deleteAt - now <= PEER_GONE_MARGIN);
        if (r != null) r.expireRestart(now);
        if (r != null && !ReplayWindow.fresh(r, k, destined, newIncarnation, peerGone, e.seqno(), a)) {
            r.stats[Crypto.STAT_REPLAYS]++;
            if ((++replays & (replays - 1)) == 0) net.log("crypto: frame from " + Integer.toHexString(r.nodeAddr) + " key["
                + k + "] seqno " + Long.toUnsignedString(e.seqno()) + " refused, newest " + Long.toUnsignedString(
                r.window(k, destined).newest) + " by the replay window: replayed, duplicate or too late (" + replays + ")");
            return DROP;
        }
        if (disc && r != null) r.rememberSignature(sig);
        // tipc_crypto_rcv_complete
        if (fromTx) {
            if (r != null && k != Crypto.KEY_MASTER) {
                Aead clone = a.cloneKey();
                int at = clone == null ? -1 : r.attach(clone, k, false);
                if (at >= 0) {
                    clone.opened(now);
                    r.timer1 = now;
                    if (at == k) r.window(k, destined).accept(e.seqno()); // the slot's fresh windows know this frame
                }
            }
        } else {
            a.opened(now);
            r.timer1 = now;
        }
        if (r != null && r.passive != 0 && k == r.passive) r.timer2 = now;
        if (!TipcCodec.validateFrame(plain, 0, pl).isOk()) {
            if (Long.bitCount(++badPlaintext) == 1) { // pr_err_ratelimited in the kernel: here at powers of two
                net.log("crypto: packet dropped after decryption (not a valid TIPC message; " + badPlaintext
                    + " so far)");
            }
            return DROP;
        }
        if (n == null && r != null) bindPreliminary(r, NodeId.of(buf, e.nodeIdOffset()), plain, pl);
        (r != null ? r : tx).stats[Crypto.STAT_OK]++;
        if (r != null) keySynch(r, e, plain, pl, now);
        decrypted = true;
        cryptoMsgs(plain, pl, now, r);
        return pl;
    }

    /**
     * The RX context of a peer not known as a node whose discovery frame ({@code e}) names an id a per-node key was
     * set for ({@link #prelim}), made on first use, by id only; null if no key was set for that id.
     */
    private Crypto preliminary(byte[] buf, EncryptionHeader e) {
        if (peerKeys.isEmpty()) return null;
        NodeId id = NodeId.of(buf, e.nodeIdOffset());
        Crypto p = prelim.get(id);
        if (p != null) return p;
        byte[] k = peerKeys.get(id);
        if (k == null) return null;
        p = new Crypto(UNBOUND, 0, lastNow);
        keyInit(p, k, Tipc.PER_NODE_KEY, false, false);
        prelim.put(id, p);
        return p;
    }

    /** Binds preliminary context {@code p} to the sender address (prevnode) of the discovery it just decrypted. */
    private void bindPreliminary(Crypto p, NodeId id, byte[] m, int len) {
        int addr = hdr.wrap(m, 0, len).prevnode();
        if (addr == 0 || prelim.get(id) != p) return;
        p.nodeAddr = addr;
        prelimBound.add(id);
    }

    /**
     * A peer without a link up for NODE_CLEANUP_AFTER less this (ms: 60 s, the longest link tolerance, 30 s, twice) may
     * have deleted its node for us already, and made it again with a new per-peer counter: its count may restart
     * ({@link ReplayWindow#fresh}). jtipc's rule.
     */
    static final long PEER_GONE_MARGIN = 60_000;

    /** The plaintext of the last {@link #rcv} that returned a length (valid until the next call). */
    byte[] plain() { return plain; }

    private int noKey(Crypto r, int k) {
        undecryptable++;
        if (r != null) {
            r.stats[Crypto.STAT_NOK]++;
            r.stats[Crypto.STAT_NOKEYS]++;
            int next = Crypto.keyNext(k);
            r.nokey = !(r.skey != null || r.aead[next] != null);
        } else {
            tx.stats[Crypto.STAT_NOKEYS]++;
        }
        if (!loggedNoKey) {
            loggedNoKey = true;
            net.log("crypto: encrypted frames received that no key of ours can decrypt (no key for TX key slot " + k
                + "); dropped and counted, logged once");
        }
        return DROP;
    }

    private int badMsg(Crypto c) {
        undecryptable++;
        c.stats[Crypto.STAT_NOK]++;
        c.stats[Crypto.STAT_BADMSGS]++;
        if (!loggedBadKey) {
            loggedBadKey = true;
            net.log("crypto: encrypted frames fail authentication (wrong key?); dropped and counted, logged once");
        }
        return DROP;
    }

    /**
     * crypto.c tipc_crypto_key_synch: the peer's M bit; for a frame destined to us, N = 1 starts the master-key grace
     * period and schedules sending our key to the peer 500-2500 ms later; a change of the RX active key it reports
     * moves the users of our TX keys and marks the time (timer1).
     */
    private void keySynch(Crypto r, EncryptionHeader e, byte[] m, int len, long now) {
        r.keyMaster = e.masterKey() != 0;
        if (!r.keyMaster) tx.legacyUser = true;
        TipcMsg h = hdr.wrap(m, 0, len);
        if (e.destined() == 0 || h.hdrSize() == Tipc.SHORT_H_SIZE || h.destnode() != net.ownAddr) return;
        if (e.rxNokey() != 0) {
            tx.timer2 = now;
            if (tx.hasSessionKeys() && r.keyDistr == 0) {
                r.keyDistr = Crypto.KEY_DISTR_SCHED;
                schedule(r, Math.min(r.workDue, now + 500L * (1 + rnd.nextInt(5))));
            }
        } else {
            r.keyDistr = 0;
        }
        int cur = r.peerRxActive, nw = e.rxKeyActive();
        if (tx.hasSessionKeys() && cur != nw) {
            r.peerRxActive = nw;
            if (nw != 0 && tx.aead[nw] != null) tx.aead[nw].usersInc(Integer.MAX_VALUE);
            if (cur != 0 && tx.aead[cur] != null) tx.aead[cur].usersDec(0);
            tx.timer1 = now;
        }
    }

    // ====================================================================== key exchange

    /**
     * MSG_CRYPTO/KEY_DISTR_MSG in a frame decrypted with RX context {@code r}'s or our keys (crypto.c
     * tipc_crypto_msg_rcv). Taken only unbundled (link.c tipc_data_input wants the skb's decrypted mark, which msg.c
     * tipc_msg_extract does not give a bundle's messages) and only as its sender's own key: w3 prevnode must be
     * {@code r}'s node (the kernel gets there through tipc_node_find(prevnode) and that node's link), so a peer cannot
     * plant a key in another node's RX context.
     */
    private void cryptoMsgs(byte[] m, int len, long now, Crypto r) {
        // link.c tipc_data_input takes MSG_CRYPTO only with the key exchange enabled (sysctl key_exchange_enabled)
        if (r == null || config != null && !config.keyExchange()) return;
        TipcMsg h = hdr.wrap(m, 0, len);
        if (h.user() != Tipc.MSG_CRYPTO || h.type() != Tipc.KEY_DISTR_MSG || len < h.size()) return;
        if (h.prevnode() != r.nodeAddr || nodes.find(r.nodeAddr) == null) return;
        keyRcv(r, h, now);
    }

    /**
     * crypto.c tipc_crypto_key_rcv: the session key in a KEY_DISTR message is kept for attaching (at once, by the RX
     * work), unless one is already waiting or it has the generation of the keys we have.
     *
     * @return true if the key was taken
     */
    boolean keyRcv(Crypto r, TipcMsg h, long now) {
        int gen = h.bits(4, 16, 0xffff);
        if (r.skey != null || (gen == r.keyGen && r.hasSessionKeys())) {
            if (Long.bitCount(++keyExists) == 1) {
                net.log("crypto: RX(" + Integer.toHexString(r.nodeAddr) + ") key exists, gen " + gen + " vs "
                    + r.keyGen + " (" + keyExists + " times)");
            }
            return false;
        }
        AeadKey body = new AeadKey().wrap(h.buffer(), h.dataOffset(), h.size() - h.hdrSize());
        if (!body.validate().isOk() || !Aead.ALG_NAME.equals(body.algName())
            || (body.keylen() != 20 && body.keylen() != 28 && body.keylen() != 36)) {
            if (Long.bitCount(++keyMalformed) == 1) {
                net.log("crypto: RX(" + Integer.toHexString(r.nodeAddr) + ") malformed KEY_DISTR ignored ("
                    + keyMalformed + " times)");
            }
            return false;
        }
        r.keyGen = gen;
        r.skeyMode = h.bits(4, 0, 0xf);
        r.skey = Arrays.copyOfRange(h.buffer(), body.keyOffset(), body.keyOffset() + (int) body.keylen());
        r.nokey = false;
        schedule(r, now);
        return true;
    }

    /** crypto.c tipc_crypto_work_rx: a scheduled key distribution to the peer, then attaching a received key. */
    private void workRx(Crypto r, long now, Outbox out) {
        boolean resched = false;
        if (r.keyDistr == Crypto.KEY_DISTR_SCHED) {
            r.keyDistr = Crypto.KEY_DISTR_COMPL;
            int key = tx.pending != 0 ? tx.pending : tx.active;
            int rc = keyDistr(key, r.nodeAddr, now, out);
            if (rc < 0) net.log("crypto: unable to distribute key[" + key + "] to " + Integer.toHexString(r.nodeAddr) + ", err " + rc);
            resched = true;
        } else if (r.keyDistr == Crypto.KEY_DISTR_COMPL) {
            r.keyDistr = 0;
        }
        if (r.skey != null) {
            int mode = r.skeyMode == Tipc.PER_NODE_KEY ? Tipc.PER_NODE_KEY : Tipc.CLUSTER_KEY;
            int rc = keyInit(r, r.skey, mode, false, true);
            if (rc == EBUSY) {
                resched = true;
            } else {
                Arrays.fill(r.skey, (byte) 0);
                r.skey = null;
            }
        }
        schedule(r, resched ? now + 5_000 : Long.MAX_VALUE);
    }

    /**
     * crypto.c tipc_crypto_key_distr + tipc_crypto_key_xmit: TX key {@code key} in a MSG_CRYPTO/KEY_DISTR_MSG (40-byte
     * header, w4 generation and mode, then struct tipc_aead_key) to {@code dnode} on its link, or with {@code dnode} 0
     * to every peer at once on the broadcast link (destination node 0, tipc_bcast_xmit), as the kernel distributes a
     * new cluster or session key.
     *
     * @return 0, {@link #ENOKEY} (no such key), or the send's error (broadcast: ELINKCONG is 0, as tipc_bcast_xmit)
     */
    int keyDistr(int key, int dnode, long now, Outbox out) {
        if (config != null && !config.keyExchange()) return 0;
        Aead a = key == 0 ? null : tx.aead[key];
        if (a == null) return ENOKEY;
        if (dnode != 0) return nodes.xmit(keyDistrMsg(a, dnode), dnode, now, out);
        int rc = net.bcast.xmit(keyDistrMsg(a, 0), now, out);
        return rc == Errno.ELINKCONG ? 0 : rc;
    }

    /** The KEY_DISTR message for key {@code a} addressed to {@code dnode}. */
    byte[] keyDistrMsg(Aead a, int dnode) {
        int size = Tipc.INT_H_SIZE + AeadKey.HEADER + a.keylen();
        byte[] b = new byte[size];
        TipcMsg h = new TipcMsg().wrap(b, 0, size);
        Msg.init(h, net.ownAddr, Tipc.MSG_CRYPTO, Tipc.KEY_DISTR_MSG, Tipc.INT_H_SIZE, dnode);
        h.setSize(size);
        h.setBits(4, 16, 0xffff, a.gen);
        h.setBits(4, 0, 0xf, a.mode);
        AeadKey body = new AeadKey().wrap(b, Tipc.INT_H_SIZE, size - Tipc.INT_H_SIZE);
        body.setAlgName(Aead.ALG_NAME).setKeylen(a.keylen());
        a.copyMaterial(b, body.keyOffset());
        return b;
    }

    // ====================================================================== timers

    /** Earliest time the crypto has work (timeouts, key distribution/attach, rekeying), ms; Long.MAX_VALUE if none. */
    long nextDeadline() {
        long d = tx.workDue;
        if (tx.working || !rx.isEmpty()) d = Math.min(d, tickDue == Long.MAX_VALUE ? lastNow + TICK : tickDue);
        if (rxDueStale) {
            long m = Long.MAX_VALUE;
            for (Crypto c : rxWork) m = Math.min(m, c.workDue);
            rxDue = m;
            rxDueStale = false;
        }
        return Math.min(d, rxDue);
    }

    /**
     * The RX contexts with work scheduled ({@code workDue} set: a key to distribute or to attach), so that the timers
     * visit only them, not every peer's context (the kernel queues one delayed work per peer).
     */
    private final java.util.LinkedHashSet<Crypto> rxWork = new java.util.LinkedHashSet<>();
    /**
     * The earliest {@code workDue} of {@link #rxWork}, or earlier: lowered at once when a due moves earlier
     * ({@link #schedule}), recomputed over {@link #rxWork} only after one moved later or left ({@link #rxDueStale}),
     * so that {@link #nextDeadline}, run after every core call, costs O(1) whatever a peer's frames change (a peer
     * flipping its N bit per frame reschedules its key distribution each time) and allocates nothing (issue 14). Too
     * early only costs a timer run that finds nothing due.
     */
    private long rxDue = Long.MAX_VALUE;
    private boolean rxDueStale;

    /** Sets {@code r}'s work time ({@code Long.MAX_VALUE}: none), keeping {@link #rxWork} and {@link #rxDue}. */
    private void schedule(Crypto r, long due) {
        long was = r.workDue;
        r.workDue = due;
        if (due != Long.MAX_VALUE) {
            rxWork.add(r);
            if (due < rxDue) rxDue = due;
            else if (was == rxDue && due > was) rxDueStale = true;
        } else if (rxWork.remove(r) && was == rxDue) {
            rxDueStale = true;
        }
    }

    /**
     * The crypto's timers: every {@link #TICK} ms crypto.c tipc_crypto_timeout for each peer (contexts of deleted
     * nodes dropped), then each due RX work and the rekeying.
     */
    void timeout(long now, Outbox out) {
        clock(now);
        if (tickDue == Long.MAX_VALUE || now >= tickDue) {
            tickDue = now + TICK;
            if (rx.values().removeIf(c -> {
                if (nodes.find(c.nodeAddr) != null) return false;
                forget(c);
                return true;
            })) {
                lastRx = null;
            }
            rxDueStale = true;
            for (Crypto c : rx.values()) c.timeout(tx, now);
        }
        nextDeadline(); // rxDue up to date
        if (rxDue <= now) {
            for (Crypto c : new ArrayList<>(rxWork)) if (c.workDue <= now) workRx(c, now, out);
            rxDueStale = true;
        }
        if (tx.workDue <= now) workTx(now, out);
    }
}
