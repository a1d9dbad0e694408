package io.jtipc.node;

import java.util.Arrays;

import io.jtipc.wire.AesGcm;
import io.jtipc.wire.EncryptedFrame;
import io.jtipc.wire.EncryptionHeader;
import io.jtipc.wire.Tipc;

/**
 * One AEAD key (Linux 6.1 net/tipc/crypto.c {@code struct tipc_aead}): the user key material (AES key ‖ 4-byte salt,
 * kept for redistribution in KEY_DISTR), its mode ({@link Tipc#CLUSTER_KEY} or {@link Tipc#PER_NODE_KEY}), its
 * generation, the number of its users ({@code users}: peers reporting it as their active RX key on TX; a
 * working/failing score on RX, see {@link Crypto#timeout}) and its 64-bit TX sequence number, and the AES-GCM
 * primitive. A clone ({@code tipc_aead_clone}, cluster keys only) shares material and cipher but has its own seqno
 * and users. {@link #toString} never shows key material.
 */
final class Aead {
    /** The only algorithm accepted ({@code tipc_aead_key_validate}). */
    static final String ALG_NAME = "gcm(aes)";
    /** Salt bytes at the end of the material (TIPC_AES_GCM_SALT_SIZE). */
    static final int SALT_SIZE = 4;

    private final byte[] material;
    final byte[] salt;
    final int mode;
    final AesGcm gcm;
    /** Key generation ({@code aead->gen}), set at attach. */
    int gen;
    /** Users ({@code aead->users}). */
    int users;
    /**
     * jtipc: how long after a received frame opened with this key a failure to open one with it is not counted against
     * the key ({@link #failed}), ms: longer than a link's idle STATE interval.
     */
    static final long BAD_MSG_GRACE_MS = 2_000;
    /** When a received frame last opened with this key, ms ({@link #opened}). */
    private long okAt = Long.MIN_VALUE / 2;
    /** Last TX sequence number used ({@code aead->seqno}); the next frame uses seqno + 1. */
    long seqno;

    private Aead(byte[] material, byte[] salt, int mode, AesGcm gcm) {
        this.material = material;
        this.salt = salt;
        this.mode = mode;
        this.gcm = gcm;
    }

    /**
     * crypto.c tipc_aead_init with the checks of tipc_aead_key_validate: material of 20, 28 or 36 bytes (AES-128/192/256
     * key then salt), copied.
     *
     * @throws IllegalArgumentException for another length or a mode other than 1 or 2
     */
    static Aead of(byte[] material, int mode) {
        int keylen = material.length - SALT_SIZE;
        if (keylen != 16 && keylen != 24 && keylen != 32) {
            throw new IllegalArgumentException("incorrect key length " + material.length + " (20, 28 or 36 octets)");
        }
        if (mode != Tipc.CLUSTER_KEY && mode != Tipc.PER_NODE_KEY) throw new IllegalArgumentException("key mode " + mode);
        byte[] m = material.clone();
        return new Aead(m, Arrays.copyOfRange(m, keylen, m.length), mode, AesGcm.of(m, 0, keylen));
    }

    /** crypto.c tipc_aead_clone: same key and cipher, seqno and users from 0. Cluster keys only (else null, -EINVAL). */
    Aead cloneKey() {
        if (mode != Tipc.CLUSTER_KEY) return null;
        Aead a = new Aead(material, salt, mode, gcm);
        a.gen = gen;
        return a;
    }

    /**
     * tipc_aead_encrypt: the message padded to 4 bytes, sealed after the header {@code e} (already built in its
     * buffer), with the IV of the key's mode: cluster key → salt XOR the header's address; per-node key → salt XOR
     * {@code dnodeAddr} (0 = unknown destination, no XOR).
     *
     * @return the frame length (header + padded message + 16)
     */
    int seal(EncryptionHeader e, int dnodeAddr, byte[] msg, int off, int len, byte[] scratch, byte[] ivBuf) {
        return seal(e, dnodeAddr, msg, off, len, scratch, ivBuf, false);
    }

    /** {@link #seal} with the pre-5.11 cluster-key IV form if {@code legacy} (see NodeCrypto's {@code legacySeen}). */
    int seal(EncryptionHeader e, int dnodeAddr, byte[] msg, int off, int len, byte[] scratch, byte[] ivBuf,
             boolean legacy) {
        int addr = mode == Tipc.CLUSTER_KEY ? (legacy ? Integer.reverseBytes(e.addr()) : e.addr()) : dnodeAddr;
        EncryptionHeader.iv(salt, addr, e.seqno(), ivBuf, 0);
        return EncryptedFrame.seal(gcm, ivBuf, e.buffer(), e.offset(), e.length(), msg, off, len, scratch);
    }

    /**
     * tipc_aead_decrypt: opens the frame {@code f[off, off+len)} (a valid encryption header first) into
     * {@code out[0]} with the IV of the key's mode: cluster → salt XOR the header's address; per-node → salt XOR
     * {@code ownAddr} if D is set, else no XOR.
     *
     * @return the plaintext length (padded message), or -1 if the tag does not verify
     */
    int open(byte[] f, int off, int len, int ownAddr, byte[] out, byte[] ivBuf) {
        return open(new EncryptionHeader().wrap(f, off, len), ownAddr, out, ivBuf);
    }

    /** {@link #open(byte[], int, int, int, byte[], byte[])} over the frame {@code e} wraps, allocation free. */
    int open(EncryptionHeader e, int ownAddr, byte[] out, byte[] ivBuf) {
        byte[] f = e.buffer();
        int off = e.offset(), len = e.length();
        EncryptionHeader.iv(salt, EncryptedFrame.ivAddr(mode, e, ownAddr), e.seqno(), ivBuf, 0);
        return EncryptedFrame.open(gcm, ivBuf, f, off, len, e.headerSize(), out);
    }

    /** Length of the material (AES key + salt), bytes. */
    int keylen() {
        return material.length;
    }

    /** Copies the material (for KEY_DISTR, or as a template of a fresh key's length). */
    void copyMaterial(byte[] dst, int off) {
        System.arraycopy(material, 0, dst, off, material.length);
    }

    /** True if both hold the same material (a received key equal to one we have). */
    boolean sameKey(Aead o) {
        return o != null && Arrays.equals(material, o.material);
    }

    /** A received frame opened with this key (crypto.c tipc_crypto_rcv_complete: users set to 1). */
    void opened(long now) {
        users = 1;
        okAt = now;
    }

    /**
     * A received frame did not open with this RX key: crypto.c tipc_crypto_rcv_complete counts it against the key
     * (users - 1; ten between two timer steps demote, then delete it, tipc_crypto_timeout). jtipc: not within
     * {@link #BAD_MSG_GRACE_MS} of a frame that opened with it: the peer's address and key slot are in clear in every
     * frame, so forged frames took a working key away (for good without a master key); a key the peer no longer uses
     * opens nothing and is still counted down as the kernel's.
     */
    void failed(long now) {
        if (now - okAt >= BAD_MSG_GRACE_MS) usersDec(Integer.MIN_VALUE);
    }

    /** atomic_add_unless(&users, 1, lim). */
    void usersInc(int lim) {
        if (users != lim) users++;
    }

    /** atomic_add_unless(&users, -1, lim). */
    void usersDec(int lim) {
        if (users != lim) users--;
    }

    @Override
    public String toString() {
        return "Aead[" + (mode == Tipc.CLUSTER_KEY ? "c" : "p") + ", gen " + gen + ", users " + users + "]";
    }
}
