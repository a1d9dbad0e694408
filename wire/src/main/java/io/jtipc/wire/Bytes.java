package io.jtipc.wire;

/** Big-endian byte array access (package private helpers). */
final class Bytes {
    private Bytes() {}

    static int getInt(byte[] b, int o) {
        return (b[o] << 24) | ((b[o + 1] & 0xff) << 16) | ((b[o + 2] & 0xff) << 8) | (b[o + 3] & 0xff);
    }

    static void putInt(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 24);
        b[o + 1] = (byte) (v >>> 16);
        b[o + 2] = (byte) (v >>> 8);
        b[o + 3] = (byte) v;
    }

    static int getShort(byte[] b, int o) {
        return ((b[o] & 0xff) << 8) | (b[o + 1] & 0xff);
    }

    static void putShort(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 8);
        b[o + 1] = (byte) v;
    }

    static long getLong(byte[] b, int o) {
        return ((long) getInt(b, o) << 32) | (getInt(b, o + 4) & 0xffffffffL);
    }

    static void putLong(byte[] b, int o, long v) {
        putInt(b, o, (int) (v >>> 32));
        putInt(b, o + 4, (int) v);
    }

    static int getIntLe(byte[] b, int o) {
        return Integer.reverseBytes(getInt(b, o));
    }

    static void putIntLe(byte[] b, int o, int v) {
        putInt(b, o, Integer.reverseBytes(v));
    }

    static String hex(byte[] b, int o, int n) {
        StringBuilder sb = new StringBuilder(n * 2);
        for (int i = 0; i < n; i++) {
            sb.append(Character.forDigit((b[o + i] >> 4) & 15, 16)).append(Character.forDigit(b[o + i] & 15, 16));
        }
        return sb.toString();
    }
}
