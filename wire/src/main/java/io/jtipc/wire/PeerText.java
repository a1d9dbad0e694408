package io.jtipc.wire;

/**
 * Makes a string that came off the wire safe to print: in a log line, on a terminal, in a link name, as a JSON value.
 *
 * <p>A peer chooses the bytes of the interface name in RESET/ACTIVATE (w10.. of the data, TIPC_MAX_IF_NAME = 16
 * bytes, link.c {@code tipc_link_proto_rcv}) and of the algorithm name in KEY_DISTR ({@code alg_name}, 32 bytes,
 * crypto.c {@code tipc_aead_key}); the kernel copies the former into the link name unchecked. Printed raw, a newline
 * forges a log line and an ESC sequence rewrites the terminal. The escaped form is pure printable ASCII:
 * <ul>
 *   <li>printable ASCII (0x20-0x7e) is kept, except backslash, {@code "} and {@code '};</li>
 *   <li>those three and every other character below 0x100 become {@code \xNN} (two lower-case hex digits);</li>
 *   <li>every character from 0x100 becomes {@code \}{@code uNNNN} (UTF-16 code unit, so a surrogate pair gives two);</li>
 *   <li>at most {@code maxChars} input characters are taken ({@link #MAX_CHARS} by default); if more follow,
 *       {@link #ELLIPSIS} is appended.</li>
 * </ul>
 * The output is therefore at most {@code 6 * maxChars + 3} characters. An input made only of kept characters comes
 * back unchanged (the same instance), so names of honest peers look exactly as the kernel prints them. Apply it
 * where the string is first made from the wire bytes, so every later consumer gets the safe form.
 */
public final class PeerText {
    /** Default bound on the input characters taken: 64 (the longest wire text field is alg_name, 32 bytes). */
    public static final int MAX_CHARS = 64;
    /** Appended when the input was longer than the bound (ASCII, so the output stays ASCII). */
    public static final String ELLIPSIS = "...";

    private PeerText() {
    }

    /** {@link #escape(String, int)} with {@link #MAX_CHARS}; null stays null. */
    public static String escape(String s) {
        return escape(s, MAX_CHARS);
    }

    /**
     * The escaped form of {@code s} (see the class comment); null stays null.
     *
     * @param maxChars input characters taken, at least 0
     * @throws IllegalArgumentException if {@code maxChars < 0}
     */
    public static String escape(String s, int maxChars) {
        if (maxChars < 0) throw new IllegalArgumentException("maxChars < 0: " + maxChars);
        if (s == null) return null;
        int n = Math.min(s.length(), maxChars);
        int i = 0;
        while (i < n && kept(s.charAt(i))) i++;
        if (i == s.length()) return s;
        StringBuilder sb = new StringBuilder(n + 16);
        sb.append(s, 0, i);
        for (; i < n; i++) append(sb, s.charAt(i));
        if (s.length() > n) sb.append(ELLIPSIS);
        return sb.toString();
    }

    /**
     * A NUL-terminated Latin-1 field ({@code buf[off, off + len)}, the bytes before the first NUL), escaped with the
     * {@link #MAX_CHARS} bound: how an interface or algorithm name is read off the wire.
     *
     * @throws IndexOutOfBoundsException if the range is outside {@code buf}
     */
    public static String latin1(byte[] buf, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        int n = 0;
        while (n < len && buf[off + n] != 0) n++;
        int take = Math.min(n, MAX_CHARS);
        StringBuilder sb = new StringBuilder(take + 8);
        for (int i = 0; i < take; i++) append(sb, (char) (buf[off + i] & 0xff));
        if (n > take) sb.append(ELLIPSIS);
        return sb.toString();
    }

    /** True if {@code s} is null or only printable ASCII (0x20-0x7e): what every output of this class is. */
    public static boolean isPrintableAscii(String s) {
        if (s == null) return true;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) return false;
        }
        return true;
    }

    private static boolean kept(char c) {
        return c >= 0x20 && c <= 0x7e && c != '\\' && c != '"' && c != '\'';
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static void append(StringBuilder sb, char c) {
        if (kept(c)) {
            sb.append(c);
        } else if (c < 0x100) {
            sb.append('\\').append('x').append(HEX[c >> 4]).append(HEX[c & 15]);
        } else {
            sb.append('\\').append('u').append(HEX[c >> 12]).append(HEX[(c >> 8) & 15]).append(HEX[(c >> 4) & 15])
                .append(HEX[c & 15]);
        }
    }
}
