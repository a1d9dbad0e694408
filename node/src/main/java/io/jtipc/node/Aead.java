package io.jtipc.node;

import java.util.Arrays;

import io.jtipc.wire.AesGcm;
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
