package io.jtipc.wire;

import java.util.Arrays;

/**
 * A 128-bit TIPC node identity (16 bytes, {@code NODE_ID_LEN}), immutable.
 *
 * <ul>
 *   <li>{@link #hash()}: the 32-bit node address derived from the id, {@code hash128to32()} in
 *       {@code net/tipc/core.h} (XOR of the four big-endian words; if 0, their OR).</li>
 *   <li>{@link #toString()}: {@code tipc_nodeid2string()} in {@code net/tipc/addr.c}: if every byte
 *       is a letter, digit, one of {@code . : _ - @} or NUL the id is shown as text (up to the first
 *       NUL); otherwise as 32 lowercase hex digits with every trailing '0' character removed.</li>
 *   <li>{@link #parse(String)}: iproute2 {@code str2nodeid()}: up to 16 characters are taken as text
 *       (NUL padded), 17-32 characters as hex digits (zero padded on the right).</li>
 *   <li>{@link #fromAddress(int)}: legacy id of a node that has only an address: the lowercase hex text
 *       of the address ({@code "%x"}), NUL padded ({@code tipc_set_node_addr}, {@code tipc_disc_rcv}).</li>
 * </ul>
 * Note: the id string is not injective (a hex string of at most 16 characters parses back as text);
 * {@code parse(toString())} is the identity for printable ids and for ids whose hex form is longer
 * than 16 characters.
 */
public final class NodeId {
    private final byte[] id;

    private NodeId(byte[] id) {
        this.id = id;
    }

    /**
     * Copies 16 bytes at {@code off}.
     *
     * @throws IndexOutOfBoundsException naming the node identity if fewer than 16 bytes are there
     */
    public static NodeId of(byte[] buf, int off) {
        Wrap.check("node identity", buf, off, Tipc.NODE_ID_LEN);
        return new NodeId(Arrays.copyOfRange(buf, off, off + Tipc.NODE_ID_LEN));
    }

    /** From exactly 16 bytes (copied). */
    public static NodeId of(byte[] bytes) {
        if (bytes.length != Tipc.NODE_ID_LEN) {
            throw new IllegalArgumentException("node id must be 16 bytes, got " + bytes.length);
        }
        return new NodeId(bytes.clone());
    }

    /** Legacy id for a node known only by its 32-bit address: ASCII "%x" of the address, NUL padded. */
    public static NodeId fromAddress(int addr) {
        byte[] b = new byte[Tipc.NODE_ID_LEN];
        byte[] s = Integer.toHexString(addr).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, b, 0, s.length);
        return new NodeId(b);
    }

    /**
     * Parses an id string as iproute2 does: length 0..16 → text, 17..32 → hex digits (even or odd
     * count; a lone last digit is the high nibble). Throws IllegalArgumentException otherwise.
     */
    public static NodeId parse(String s) {
        byte[] b = new byte[Tipc.NODE_ID_LEN];
        if (s.length() <= 16) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c > 0x7f) throw new IllegalArgumentException("node id text must be ASCII: " + s);
                b[i] = (byte) c;
            }
            return new NodeId(b);
        }
        if (s.length() > 32) throw new IllegalArgumentException("node id longer than 32 hex digits: " + s);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int d = c < 0x80 ? Character.digit(c, 16) : -1; // ASCII only: Character.digit takes other scripts' digits
            if (d < 0) throw new IllegalArgumentException("not a hex digit in node id: " + s);
            b[i / 2] |= (byte) ((i % 2 == 0) ? d << 4 : d);
        }
        return new NodeId(b);
    }

    /** The 16 bytes (copy). */
    public byte[] bytes() {
        return id.clone();
    }

    /** Writes the 16 bytes at {@code off}. */
    public void copyTo(byte[] dst, int off) {
        System.arraycopy(id, 0, dst, off, Tipc.NODE_ID_LEN);
    }

    /** 32-bit address derived from the id, {@code hash128to32} (core.h). */
    public int hash() {
        return hash(id, 0);
    }

    /** {@code hash128to32} over 16 bytes at {@code off}, allocation free. */
    public static int hash(byte[] buf, int off) {
        int w0 = Bytes.getInt(buf, off), w1 = Bytes.getInt(buf, off + 4);
        int w2 = Bytes.getInt(buf, off + 8), w3 = Bytes.getInt(buf, off + 12);
        int x = w0 ^ w1 ^ w2 ^ w3;
        return x != 0 ? x : (w0 | w1 | w2 | w3);
    }

    /** {@code tipc_nodeid2string} over 16 bytes at {@code off}. */
    public static String toString(byte[] buf, int off) {
        boolean text = true;
        for (int i = 0; i < Tipc.NODE_ID_LEN; i++) {
            int c = buf[off + i] & 0xff;
            boolean ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
                || c == '.' || c == ':' || c == '_' || c == '-' || c == '@' || c == 0;
            if (!ok) {
                text = false;
                break;
            }
        }
        StringBuilder sb = new StringBuilder(32);
        if (text) {
            for (int i = 0; i < Tipc.NODE_ID_LEN && buf[off + i] != 0; i++) sb.append((char) buf[off + i]);
            return sb.toString();
        }
        for (int i = 0; i < Tipc.NODE_ID_LEN; i++) {
            int c = buf[off + i] & 0xff;
            sb.append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
        }
        int end = sb.length();
        while (end > 0 && sb.charAt(end - 1) == '0') end--;
        sb.setLength(end);
        return sb.toString();
    }

    @Override
    public String toString() {
        return toString(id, 0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeId && Arrays.equals(id, ((NodeId) o).id);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(id);
    }
}
