package io.jtipc.wire;

/**
 * 32-bit TIPC node address formatting.
 *
 * <p>Legacy Z.C.N split ({@code tipc_addr()} in uapi {@code tipc.h}): zone = bits 31-24,
 * cluster = bits 23-12, node = bits 11-0. In 128-bit-identity mode (4.17+) the address is a hash
 * and the kernel prints it as lowercase hex ({@code "%x"}).
 */
public final class TipcAddr {
    private TipcAddr() {}

    public static int zone(int addr) {
        return addr >>> 24;
    }

    public static int cluster(int addr) {
        return (addr >>> 12) & 0xfff;
    }

    public static int node(int addr) {
        return addr & 0xfff;
    }

    /** Builds a legacy address from zone (0-255), cluster (0-4095), node (0-4095). */
    public static int of(int zone, int cluster, int node) {
        return (zone << 24) | ((cluster & 0xfff) << 12) | (node & 0xfff);
    }

    /** "Z.C.N", e.g. 0x01001002 → "1.1.2". */
    public static String toZcn(int addr) {
        return zone(addr) + "." + cluster(addr) + "." + node(addr);
    }

    /** Lowercase hex without leading zeros, as the kernel prints addresses ("%x"). */
    public static String toHex(int addr) {
        return Integer.toHexString(addr);
    }

    /** Parses "Z.C.N" or hex (with or without 0x). Throws IllegalArgumentException on bad text. */
    public static int parse(String s) {
        String t = s.trim();
        if (t.startsWith("<") && t.endsWith(">")) t = t.substring(1, t.length() - 1);
        String[] p = t.split("\\.");
        try {
            if (p.length == 3) {
                int z = Integer.parseInt(p[0]), c = Integer.parseInt(p[1]), n = Integer.parseInt(p[2]);
                if (z < 0 || z > 255 || c < 0 || c > 4095 || n < 0 || n > 4095) {
                    throw new IllegalArgumentException("Z.C.N out of range: " + s);
                }
                return of(z, c, n);
            }
            if (t.startsWith("0x") || t.startsWith("0X")) t = t.substring(2);
            return Integer.parseUnsignedInt(t, 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a TIPC address: " + s, e);
        }
    }
}
