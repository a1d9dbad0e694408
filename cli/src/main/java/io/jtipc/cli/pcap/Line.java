package io.jtipc.cli.pcap;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A reusable output line built directly as UTF-8 bytes (ASCII fast path), so that printing a message
 * costs no String, no char→byte encoder and no formatting call.
 */
final class Line {
    private byte[] b = new byte[512];
    private int n;

    void setLength(int len) { n = len; }

    int length() { return n; }

    private void ensure(int more) {
        if (n + more > b.length) b = java.util.Arrays.copyOf(b, Math.max(b.length * 2, n + more));
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

    /** Appends bytes already encoded as UTF-8. */
    Line appendUtf8(byte[] u) {
        ensure(u.length);
        System.arraycopy(u, 0, b, n, u.length);
        n += u.length;
        return this;
    }

    Line append(int v) { return append((long) v); }

    Line append(long v) {
        ensure(20);
        if (v < 0) {
            if (v == Long.MIN_VALUE) return append("-9223372036854775808");
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

    @Override public String toString() { return new String(b, 0, n, java.nio.charset.StandardCharsets.UTF_8); }
}
