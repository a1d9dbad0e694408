package io.jtipc.cli.pcap;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The output buffer of the text printers: lines are built directly as UTF-8 bytes (ASCII fast path,
 * numbers and hex digits written by hand) one after the other, and written out in large chunks
 * ({@link #endLine}), so printing a message costs no String, no char→byte encoder, no formatting call
 * and no write call of its own.
 */
final class Line {
    /** Bytes collected before they are written out. */
    static final int CHUNK = 1 << 16;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** "00" "01" ... "99": two digits per division by 100. */
    private static final byte[] PAIRS = new byte[200];

    static {
        for (int i = 0; i < 100; i++) {
            PAIRS[2 * i] = (byte) ('0' + i / 10);
            PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
    }

    private byte[] b = new byte[CHUNK + 4096];
    private int n;

    void setLength(int len) { n = len; }

    int length() { return n; }

    private void ensure(int more) {
        if (n + more > b.length) b = java.util.Arrays.copyOf(b, Math.max(b.length * 2, n + more));
    }

    /** Ends the current line with '\n'; writes the buffer to {@code out} once it holds a chunk. */
    void endLine(OutputStream out) throws IOException {
        ensure(1);
        b[n++] = '\n';
        if (n >= CHUNK) flush(out);
    }

    /** Writes out everything collected. */
    void flush(OutputStream out) throws IOException {
        if (n > 0) out.write(b, 0, n);
        n = 0;
    }

    Line append(char c) {
        ensure(3);
        if (c < 0x80) {
            b[n++] = (byte) c;
        } else if (c < 0x800) {
            b[n++] = (byte) (0xc0 | (c >> 6));
            b[n++] = (byte) (0x80 | (c & 0x3f));
        } else {
            b[n++] = (byte) (0xe0 | (c >> 12));
            b[n++] = (byte) (0x80 | ((c >> 6) & 0x3f));
            b[n++] = (byte) (0x80 | (c & 0x3f));
        }
        return this;
    }

    Line append(String s) {
        int len = s.length();
        ensure(len);
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) b[n++] = (byte) c;
            else {
                if (Character.isSurrogate(c)) c = '?';
                append(c);
                ensure(len - i);
            }
        }
        return this;
    }

    Line append(Object o) { return append(String.valueOf(o)); }

    /**
     * Appends a string known to be ASCII (literals, kernel names, node id strings, addresses): copied
     * without per-character work. Characters above 0x7f would be mangled; use {@link #append(String)}.
     */
    @SuppressWarnings("deprecation")
    Line ascii(String s) {
        int len = s.length();
        ensure(len);
        s.getBytes(0, len, b, n);
        n += len;
        return this;
    }

    /** Appends bytes already encoded (UTF-8 / ASCII constants). */
    Line appendUtf8(byte[] u) {
        int len = u.length;
        ensure(len);
        System.arraycopy(u, 0, b, n, len);
        n += len;
        return this;
    }

    /** Same as {@link #appendUtf8}: an ASCII constant. */
    Line ascii(byte[] u) { return appendUtf8(u); }

    Line append(int v) {
        if (v >= 0) {
            digits(v, digitCount(v));
            return this;
        }
        return append((long) v);
    }

    Line append(long v) {
        if (v >= 0 && v <= Integer.MAX_VALUE) {
            int i = (int) v;
            digits(i, digitCount(i));
            return this;
        }
        return appendLongSlow(v);
    }

    /** {@code v} right-aligned in {@code width} columns, padded with spaces (wider values as they are). */
    Line padded(long v, int width) {
        if (v < 0 || v > Integer.MAX_VALUE) {
            int d = v < 0 ? 1 : 0;
            for (long x = Math.abs(v); x >= 1; x /= 10) d++;
            pad(' ', width - Math.max(d, 1));
            return append(v);
        }
        int i = (int) v;
        int d = digitCount(i);
        pad(' ', width - d);
        digits(i, d);
        return this;
    }

    /** The 32 bits of {@code v} as an unsigned decimal (as {@code append(v & 0xffffffffL)}). */
    Line u32(int v) {
        if (v >= 0) {
            digits(v, digitCount(v));
            return this;
        }
        // 2^31 .. 2^32-1: always 10 digits, the first one 2, 3 or 4
        long x = v & 0xffffffffL;
        int first = (int) (x / 1_000_000_000L);
        ensure(10);
        b[n++] = (byte) ('0' + first);
        fixed((int) (x - first * 1_000_000_000L), 9);
        return this;
    }

    /** Exactly {@code d} digits of {@code v} (0 ≤ v < 10^d), with leading zeros, two at a time from the right. */
    Line fixed(int v, int d) {
        ensure(d);
        byte[] a = b;
        int p = n + d;
        n = p;
        for (; d >= 2; d -= 2) {
            int q = v / 100;
            int r = (v - q * 100) << 1;
            a[p - 1] = PAIRS[r + 1];
            a[p - 2] = PAIRS[r];
            p -= 2;
            v = q;
        }
        if (d == 1) a[p - 1] = (byte) ('0' + v);
        return this;
    }

    /** The backing array (valid until the next append) for callers that copy a range of it. */
    byte[] array() { return b; }

    /** Appends {@code len} bytes of {@code u} from {@code off}. */
    Line appendBytes(byte[] u, int off, int len) {
        ensure(len);
        System.arraycopy(u, off, b, n, len);
        n += len;
        return this;
    }

    /** {@code v} (0 ≤ v) in at least {@code width} digits, zero-padded. */
    Line zeroPadded(int v, int width) {
        int d = digitCount(v);
        pad('0', width - d);
        digits(v, d);
        return this;
    }

    /** Lower-case hex without leading zeros, as {@link Integer#toHexString}. */
    Line hex(int v) {
        int d = v == 0 ? 1 : (35 - Integer.numberOfLeadingZeros(v)) >> 2;
        ensure(d);
        for (int p = n + d - 1; p >= n; p--) {
            b[p] = HEX[v & 15];
            v >>>= 4;
        }
        n += d;
        return this;
    }

    /** Exactly 8 lower-case hex digits. */
    Line hex8(int v) {
        ensure(8);
        for (int p = n + 7; p >= n; p--) {
            b[p] = HEX[v & 15];
            v >>>= 4;
        }
        n += 8;
        return this;
    }

    /** Two lower-case hex digits of a byte. */
    Line hex2(byte v) {
        ensure(2);
        b[n++] = HEX[(v >> 4) & 15];
        b[n++] = HEX[v & 15];
        return this;
    }

    private void pad(char c, int count) {
        if (count <= 0) return;
        ensure(count);
        for (int i = 0; i < count; i++) b[n++] = (byte) c;
    }

    static int digitCount(int v) {
        if (v < 100000) {
            if (v < 100) return v < 10 ? 1 : 2;
            return v < 1000 ? 3 : v < 10000 ? 4 : 5;
        }
        if (v < 10000000) return v < 1000000 ? 6 : 7;
        return v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
    }

    /** Writes {@code v} (≥ 0, {@code d} digits) from the right, two digits at a time. */
    private void digits(int v, int d) {
        ensure(d);
        byte[] a = b;
        int p = n + d;
        n = p;
        while (v >= 100) {
            int q = v / 100;
            int r = (v - q * 100) << 1;
            a[p - 1] = PAIRS[r + 1];
            a[p - 2] = PAIRS[r];
            p -= 2;
            v = q;
        }
        if (v >= 10) {
            a[p - 1] = PAIRS[(v << 1) + 1];
            a[p - 2] = PAIRS[v << 1];
        } else {
            a[p - 1] = (byte) ('0' + v);
        }
    }

    private Line appendLongSlow(long v) {
        ensure(20);
        if (v < 0) {
            if (v == Long.MIN_VALUE) return ascii("-9223372036854775808");
            b[n++] = '-';
            v = -v;
        }
        int start = n;
        do {
            b[n++] = (byte) ('0' + (v % 10));
            v /= 10;
        } while (v != 0);
        for (int i = start, j = n - 1; i < j; i++, j--) {
            byte t = b[i];
            b[i] = b[j];
            b[j] = t;
        }
        return this;
    }

    void writeTo(OutputStream out) throws IOException { out.write(b, 0, n); }

    @Override public String toString() { return new String(b, 0, n, StandardCharsets.UTF_8); }
}
