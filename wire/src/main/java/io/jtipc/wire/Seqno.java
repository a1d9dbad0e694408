package io.jtipc.wire;

/**
 * 16-bit sequence number arithmetic as in {@code net/tipc/core.h} ({@code less_eq}, {@code less},
 * {@code more}) and {@code link.c} ({@code mod}). All arguments are taken modulo 2^16; results of
 * {@link #mod} and {@link #add} are in 0..65535.
 */
public final class Seqno {
    private Seqno() {}

    /** 2^16. */
    public static final int MODULUS = 1 << 16;

    /** Value modulo 2^16 (core.h/link.c {@code mod(x) = x & 0xffff}). */
    public static int mod(int x) {
        return x & 0xffff;
    }

    /** a + b modulo 2^16. */
    public static int add(int a, int b) {
        return (a + b) & 0xffff;
    }

    /** {@code less_eq(a, b)}: ((b - a) mod 2^16) &lt; 32768. */
    public static boolean lessEq(int a, int b) {
        return ((b - a) & 0xffff) < 0x8000;
    }

    /** {@code less(a, b)}: lessEq(a, b) and a != b (mod 2^16). */
    public static boolean less(int a, int b) {
        return lessEq(a, b) && ((a ^ b) & 0xffff) != 0;
    }

    /** {@code more(a, b)} = !lessEq(a, b). */
    public static boolean more(int a, int b) {
        return !lessEq(a, b);
    }

    /** {@code b - a} as a signed distance in -32768..32767 (positive when b is after a). */
    public static int distance(int a, int b) {
        return (short) (b - a);
    }
}
