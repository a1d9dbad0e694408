package io.jtipc.wire;

import java.nio.charset.StandardCharsets;

/**
 * Flyweight over the body of a MSG_CRYPTO / KEY_DISTR_MSG message: struct tipc_aead_key as
 * serialised by {@code tipc_crypto_key_xmit} ({@code net/tipc/crypto.c}):
 *
 * <pre>
 *  bytes 0-31   alg_name, NUL padded ("gcm(aes)")
 *  bytes 32-35  keylen (big-endian u32, bytes)
 *  bytes 36-    key: AES key (16/24/32 bytes) followed by the 4-byte salt; keylen 20..36
 * </pre>
 * Header of the message: user 14, type 0, 40 bytes, w4 key_gen (31-16) / key_mode (3-0), w7
 * destnode. The kernel sends it either unicast to one node (destnode = that node, on the unicast
 * link, after a peer reports rx_nokey) or to all on the broadcast link (destnode 0, non_seq 1,
 * w5 = mc_netid) when a new session key is distributed. The receiver accepts it only if
 * data size ≥ 56, keylen ≤ 36 and data size = 36 + keylen ({@code tipc_crypto_key_rcv}).
 */
public final class AeadKey {
    public static final int HEADER = Tipc.AEAD_ALG_NAME + 4;
    private byte[] buf;
    private int off;
    private int avail;

    public AeadKey wrap(byte[] buf, int off, int avail) {
        this.buf = buf;
        this.off = off;
        this.avail = avail;
        return this;
    }

    /** Algorithm name up to the first NUL, escaped by {@link PeerText#latin1} (a peer chooses it). */
    public String algName() {
        return PeerText.latin1(buf, off, Math.max(0, Math.min(Tipc.AEAD_ALG_NAME, avail)));
    }

    public AeadKey setAlgName(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        java.util.Arrays.fill(buf, off, off + Tipc.AEAD_ALG_NAME, (byte) 0);
        System.arraycopy(b, 0, buf, off, Math.min(b.length, Tipc.AEAD_ALG_NAME));
        return this;
    }

    /** Offset of the 32-byte alg_name field. */
    public int algNameOffset() { return off; }

    /** keylen (bytes), unsigned; 0 if not present. */
    public long keylen() { return avail >= HEADER ? Bytes.getInt(buf, off + 32) & 0xffffffffL : 0; }
    public AeadKey setKeylen(int v) { Bytes.putInt(buf, off + 32, v); return this; }

    /** Offset of the key bytes. */
    public int keyOffset() { return off + HEADER; }

    public AeadKey setKey(byte[] src, int srcOff, int len) {
        System.arraycopy(src, srcOff, buf, off + HEADER, len);
        return this;
    }

    /** tipc_crypto_key_rcv checks. */
    public Malformation validate() {
        if (avail < HEADER + Tipc.AEAD_KEYLEN_MIN) {
            return Malformation.of("keylen", "data size " + avail + " < 56 (struct tipc_aead_key + TIPC_AEAD_KEYLEN_MIN)");
        }
        long kl = keylen();
        if (kl > Tipc.AEAD_KEYLEN_MAX) return Malformation.of("keylen", "keylen " + kl + " > 36");
        if (avail != HEADER + kl) return Malformation.of("keylen", "data size " + avail + " != 36 + keylen " + kl);
        return Malformation.OK;
    }

    /**
     * Parses the key string {@code tipc node set key} takes (tipc-config / iproute2 {@code tipc}: hex digits with an
     * optional "0x" prefix): an AES key of 16, 24 or 32 bytes followed by the 4-byte salt, i.e. 40, 56 or 72 hex
     * digits ({@code TIPC_AEAD_KEYLEN_MIN}..{@code _MAX}, crypto.c tipc_aead_key_validate). The one parser used by the
     * capture analyser, the node API and the CLI. The exception's message never holds a character of the key (only the position of a non-hex one).
     *
     * @return the key material, AES key ‖ salt
     * @throws IllegalArgumentException with a message saying what is wrong (missing, odd length, a non-hex
     *                                  character's position, wrong length)
     */
    public static byte[] parseHex(String s) {
        if (s == null) throw new IllegalArgumentException("key is missing");
        String h = s.trim();
        if (h.startsWith("0x") || h.startsWith("0X")) h = h.substring(2);
        if (h.isEmpty()) throw new IllegalArgumentException("key is empty");
        if ((h.length() & 1) != 0) throw new IllegalArgumentException("key has an odd number of hex digits (" + h.length() + ")");
        byte[] out = new byte[h.length() / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = Character.digit(h.charAt(2 * i), 16);
            int lo = Character.digit(h.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                int bad = hi < 0 ? 2 * i : 2 * i + 1;
                java.util.Arrays.fill(out, (byte) 0);
                throw new IllegalArgumentException("key has a non-hex character at position " + bad); // not the character: it may be part of the key
            }
            out[i] = (byte) ((hi << 4) | lo);
        }
        if (out.length != 20 && out.length != 28 && out.length != 36) {
            int n = out.length;
            java.util.Arrays.fill(out, (byte) 0);
            throw new IllegalArgumentException("key must be an AES key of 16, 24 or 32 bytes followed by a 4-byte salt "
                    + "(20, 28 or 36 bytes = 40, 56 or 72 hex digits), got " + n + " bytes");
        }
        return out;
    }
}
