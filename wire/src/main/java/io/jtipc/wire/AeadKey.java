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
 * w5 = mc_netid) when a new session key is distributed. {@link #validate} accepts it only if data size ≥ 56,
 * keylen ≤ 36 and data size = 36 + keylen. The kernel's {@code tipc_crypto_key_rcv} checks keylen only against
 * TIPC_AEAD_KEY_SIZE_MAX (72, the whole struct) and fails a key outside 20..36 later, when it sets the AES key
 * ({@code tipc_aead_init}): the same key is refused either way, here at once; a keylen of 20..36 that is not an
 * AES length plus the salt (21 for instance) passes this check and is refused where the node takes the key in.
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
     * Parses a key string as iproute2's {@code tipc node set key KEY} does (tipc/misc.c {@code str2key}), so a keyed
     * kernel cluster's key string works here unchanged:
     * <ul>
     * <li>"0x" (lower case, as str2key's strncmp) followed by hex digits only: those digits (an odd count: the first
     * digit alone is the first byte);</li>
     * <li>anything else: the string's own bytes (UTF-8), e.g. {@code "this_is_a_key_16B+salt"} as text;</li>
     * <li>jtipc also takes exactly 40, 56 or 72 hex digits without "0x" or after "0X" (iproute2 would read them as
     * a text key of 40 bytes or more and the kernel refuse it, so nothing valid there changes meaning).</li>
     * </ul>
     * The material must be an AES key of 16, 24 or 32 bytes followed by the 4-byte salt: 20, 28 or 36 bytes
     * ({@code TIPC_AEAD_KEYLEN_MIN}..{@code _MAX}, crypto.c tipc_aead_key_validate). Leading and trailing white space
     * is ignored (iproute2 takes the argument as it is; a text key with spaces at its ends cannot be given here). The
     * one parser used by the capture analyser, the node API, the CLI and the control socket. An exception's message
     * never holds a character of the key (at most the position of a non-hex one).
     *
     * @return the key material, AES key ‖ salt
     * @throws IllegalArgumentException with a message saying what is wrong (missing, empty, wrong length, the position
     *                                  of a non-hex character in a string that looks like hex)
     */
    public static byte[] parseKey(String s) {
        if (s == null) throw new IllegalArgumentException("key is missing");
        String t = s.strip();
        if (t.isEmpty()) throw new IllegalArgumentException("key is empty");
        boolean prefixed = t.startsWith("0x");
        if (t.startsWith("0X") && firstNonHex(t.substring(2)) < 0 && keyHexLength(t.length() - 2)) prefixed = true;
        String digits = prefixed ? t.substring(2) : t;
        if (prefixed && digits.isEmpty()) throw new IllegalArgumentException("key is empty");
        int bad = firstNonHex(digits);
        boolean hexLength = keyHexLength(digits.length());
        if (bad < 0 && (prefixed || hexLength)) return checked(hex(digits), digits.length() + " hex digits");
        byte[] text = t.getBytes(StandardCharsets.UTF_8);
        if (text.length == 20 || text.length == 28 || text.length == 36) return text;
        java.util.Arrays.fill(text, (byte) 0);
        if (bad >= 0 && (prefixed || hexLength)) { // meant as hex: say where it is not
            throw new IllegalArgumentException("key has a non-hex character at position " + (bad + (prefixed ? 2 : 0)));
        }
        throw new IllegalArgumentException("key must be an AES key of 16, 24 or 32 bytes followed by a 4-byte salt: "
                + "20, 28 or 36 bytes, given as 0x and hex digits (40, 56 or 72 digits also without 0x) or as text "
                + "of 20, 28 or 36 bytes; got " + text.length + " bytes of text");
    }

    private static boolean keyHexLength(int n) {
        return n == 40 || n == 56 || n == 72;
    }

    private static int firstNonHex(String h) {
        for (int i = 0; i < h.length(); i++) if (Character.digit(h.charAt(i), 16) < 0 || h.charAt(i) > 0x7f) return i;
        return -1;
    }

    /** Hex digits to bytes; an odd count makes the first digit alone the first byte (str2key's sscanf "%1hhx"). */
    private static byte[] hex(String h) {
        int odd = h.length() & 1;
        byte[] out = new byte[(h.length() + 1) / 2];
        for (int i = 0, c = 0; i < out.length; i++) {
            int v = Character.digit(h.charAt(c++), 16);
            if (i > 0 || odd == 0) v = v << 4 | Character.digit(h.charAt(c++), 16);
            out[i] = (byte) v;
        }
        return out;
    }

    private static byte[] checked(byte[] out, String given) {
        if (out.length == 20 || out.length == 28 || out.length == 36) return out;
        int n = out.length;
        java.util.Arrays.fill(out, (byte) 0);
        throw new IllegalArgumentException("key must be an AES key of 16, 24 or 32 bytes followed by a 4-byte salt "
                + "(20, 28 or 36 bytes = 40, 56 or 72 hex digits), got " + given + " = " + n + " bytes");
    }
}
