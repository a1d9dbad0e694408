package io.jtipc.capture;

import io.jtipc.wire.AesGcm;
import io.jtipc.wire.EncryptedFrame;
import io.jtipc.wire.EncryptionHeader;
import io.jtipc.wire.Tipc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * AES-GCM decryption of TIPC encrypted frames (net/tipc/crypto.c tipc_aead_decrypt), as verified against
 * samples/udpcrypto-6.1.pcap (samples/README.md):
 * <ul>
 * <li>IV (12 bytes) = 4-byte prefix {@code salt[i] ^ ((A >>> 8i) & 0xff)}, i = 0..3 (little-endian host
 *     rule), then the 8-byte sequence number from encryption-header bytes 4-11. For cluster keys A is the
 *     sender address (ehdr bytes 12-15, BE; for discovery the first 4 node-id bytes); per-node session
 *     keys (session keys, and keys set with {@code … nodeid ID}) use the destination address (D=1) or no XOR;
 *     a key the user gives may be either kind, so both forms are tried.
 *     Linux 5.10 (before the 5.11 sparse fix) XORs a cluster key's salt with the raw address bytes instead
 *     ({@code salt[i] ^ ((A >>> (24 - 8i)) & 0xff)}); both forms are tried.</li>
 * <li>AAD = the whole encryption header (16 bytes, 28 for LINK_CONFIG); the last 16 bytes are the tag.</li>
 * </ul>
 * The destination address a per-node IV needs is not in the frame: the candidates are the nodes the capture's
 * discovery named and the senders of the last {@value #SENDERS} encrypted frames (the address in the clear in their
 * encryption header, bytes 12-15), so a key is usable as soon as the peer has sent anything, not only after its next
 * discovery (which may come seconds into a capture); the address that opened a key's last frame is tried first.
 * Keys: the master keys given by the user, and session keys learnt from KEY_DISTR messages, kept per
 * (sender node, TX key slot) once a frame proves which slot a key occupies. The cipher and the IV/AAD rules are
 * the node's too ({@link AesGcm}, {@link EncryptedFrame}, {@link EncryptionHeader#iv} in {@code wire}); what is
 * the analyser's own is only which key to try.
 */
final class TipcDecryptor {
    static final int TAG = 16;

    static final class AesKey {
        final byte[] material; // key || salt
        final byte[] salt;
        final boolean master;
        final int mode; // 1 cluster, 2 per-node, 0 given by the user: either (a cluster/master key or a per-node key)
        private final AesGcm gcm;
        private final byte[] iv = new byte[AesGcm.IV_SIZE];
        /** The IV address and form that opened this key's last frame (tried first): valid if {@code hint}. */
        private boolean hint, hintXor;
        private int hintAddr;

        AesKey(byte[] material, boolean master, int mode) {
            this.material = material.clone();
            this.salt = Arrays.copyOfRange(material, material.length - 4, material.length);
            this.gcm = AesGcm.of(this.material, 0, material.length - 4);
            this.master = master;
            this.mode = mode;
        }

        /** Tries to decrypt; returns the plaintext length or -1 if the tag does not verify. */
        int tryDecrypt(byte[] in, int off, int len, int ehdrLen, int ivAddr, boolean xor, byte[] out) {
            long seqno = 0;
            for (int i = 0; i < 8; i++) seqno = (seqno << 8) | (in[off + 4 + i] & 0xff);
            EncryptionHeader.iv(salt, xor ? ivAddr : 0, seqno, iv, 0);
            int n = EncryptedFrame.open(gcm, iv, in, off, len, ehdrLen, out);
            if (n >= 0) {
                hint = true;
                hintXor = xor;
                hintAddr = ivAddr;
            }
            return n;
        }
    }

    private final List<AesKey> masters = new ArrayList<>();
    private final List<AesKey> sessions = new ArrayList<>();
    private final Map<Long, AesKey> bySlot = new HashMap<>();
    private byte[] out = new byte[16384];
    private int sessionLearnt;
    /** Number of recent senders kept as destination candidates for per-node IVs. */
    static final int SENDERS = 16;
    private final int[] senders = new int[SENDERS];
    private int sendersNext;

    TipcDecryptor(List<byte[]> masterKeys) {
        // 'tipc node set key' keys: master or cluster keys, or per-node keys ('... nodeid ID'); which one the capture
        // does not say, so both IV forms are tried
        for (byte[] k : masterKeys) masters.add(new AesKey(k, true, 0));
    }

    boolean hasKeys() { return !masters.isEmpty() || !sessions.isEmpty(); }

    int sessionKeysLearnt() { return sessionLearnt; }

    byte[] output() { return out; }

    /**
     * Learns a session key from a KEY_DISTR message sent by {@code sender}. Material = AES key + salt.
     */
    void learn(int sender, byte[] material, int mode) {
        for (AesKey k : sessions) if (Arrays.equals(k.material, material)) return;
        if (sessions.size() >= 64) sessions.remove(0);
        sessions.add(new AesKey(material, false, mode));
        sessionLearnt++;
    }

    /**
     * Decrypts the encrypted frame {@code in[off..off+len)} whose encryption header is {@code ehdrLen}
     * bytes. {@code knownNodes} are candidate destination addresses for per-node keys.
     *
     * @return plaintext length (in {@link #output()}), or -1 if no key verifies
     */
    int decrypt(byte[] in, int off, int len, int ehdrLen, Iterable<Integer> knownNodes) {
        int ctLen = len - ehdrLen - TAG;
        if (ctLen < 0) return -1;
        if (out.length < ctLen + TAG) out = new byte[Math.max(ctLen + TAG, out.length * 2)];
        int w0 = be32(in, off);
        int txKey = (w0 >>> 22) & 3;
        int addr = be32(in, off + 12);
        if (ehdrLen == Tipc.EHDR_SIZE) noteSender(addr);
        long slotKey = ((long) addr << 2) | txKey;
        AesKey cached = bySlot.get(slotKey);
        if (cached != null) {
            int n = tryKey(cached, in, off, len, ehdrLen, addr, knownNodes);
            if (n >= 0) return n;
        }
        int n;
        if (txKey == 0 && (n = tryEach(masters, false, cached, slotKey, in, off, len, ehdrLen, addr, knownNodes)) >= 0) return n;
        if ((n = tryEach(sessions, true, cached, slotKey, in, off, len, ehdrLen, addr, knownNodes)) >= 0) return n;
        // a frame naming a session slot may still be under a master key (e.g. a cluster key set as a
        // session key by the user)
        if (txKey != 0) return tryEach(masters, false, cached, slotKey, in, off, len, ehdrLen, addr, knownNodes);
        return -1;
    }

    /** Tries the keys of {@code keys} (newest first if {@code newestFirst}) but {@code skip}; remembers a hit. */
    private int tryEach(List<AesKey> keys, boolean newestFirst, AesKey skip, long slotKey, byte[] in, int off, int len,
                        int ehdrLen, int addr, Iterable<Integer> knownNodes) {
        for (int j = 0, size = keys.size(); j < size; j++) {
            AesKey k = keys.get(newestFirst ? size - 1 - j : j);
            if (k == skip) continue;
            int n = tryKey(k, in, off, len, ehdrLen, addr, knownNodes);
            if (n >= 0) {
                bySlot.put(slotKey, k);
                return n;
            }
        }
        return -1;
    }

    /** Keeps {@code addr} (a 16-byte header's sender, not yet authenticated: only a candidate) among the recent ones. */
    private void noteSender(int addr) {
        if (addr == 0) return;
        for (int a : senders) if (a == addr) return;
        senders[sendersNext] = addr;
        sendersNext = (sendersNext + 1) % SENDERS;
    }

    private int tryKey(AesKey k, byte[] in, int off, int len, int ehdrLen, int addr, Iterable<Integer> knownNodes) {
        int n;
        if (k.hint && (n = k.tryDecrypt(in, off, len, ehdrLen, k.hintAddr, k.hintXor, out)) >= 0) return n;
        n = k.tryDecrypt(in, off, len, ehdrLen, addr, true, out);
        if (n >= 0) return n;
        // Linux before 5.11 XORs a cluster key's salt with the raw big-endian address bytes (salt ^= ehdr->addr),
        // later kernels with the address value (salt ^= __be32_to_cpu(ehdr->addr)): try the 5.10 form too
        if (k.mode != 2) {
            n = k.tryDecrypt(in, off, len, ehdrLen, Integer.reverseBytes(addr), true, out);
            if (n >= 0 || k.mode == 1) return n;
        }
        // per-node key: IV prefix uses the destination node (D=1) or nothing
        n = k.tryDecrypt(in, off, len, ehdrLen, 0, false, out);
        if (n >= 0) return n;
        int tries = 0;
        for (int a : knownNodes) {
            if (a == addr || ++tries > 16) continue;
            n = k.tryDecrypt(in, off, len, ehdrLen, a, true, out);
            if (n >= 0) return n;
        }
        for (int a : senders) {
            if (a == 0 || a == addr || triedAmong(knownNodes, addr, a)) continue;
            n = k.tryDecrypt(in, off, len, ehdrLen, a, true, out);
            if (n >= 0) return n;
        }
        return -1;
    }

    /** Whether the loop over {@code nodes} above already tried {@code a} (its first 16 other than {@code addr}). */
    private static boolean triedAmong(Iterable<Integer> nodes, int addr, int a) {
        int tries = 0;
        for (int x : nodes) {
            if (x == addr) continue;
            if (++tries > 16) return false;
            if (x == a) return true;
        }
        return false;
    }

    static int be32(byte[] b, int o) {
        return ((b[o] & 0xff) << 24) | ((b[o + 1] & 0xff) << 16) | ((b[o + 2] & 0xff) << 8) | (b[o + 3] & 0xff);
    }
}
