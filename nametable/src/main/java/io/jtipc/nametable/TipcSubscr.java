package io.jtipc.nametable;

import java.nio.ByteOrder;

/**
 * A topology subscription request (kernel {@code struct tipc_subscr}, include/uapi/linux/tipc.h), 28 bytes:
 *
 * <pre>
 *  offset  size  field
 *   0       4    seq.type      service type
 *   4       4    seq.lower     lower bound of the subscribed range
 *   8       4    seq.upper     upper bound
 *  12       4    timeout       milliseconds, {@link TipcConstants#WAIT_FOREVER} = none
 *  16       4    filter        SUB_PORTS | SUB_SERVICE | SUB_CANCEL (| kernel-internal bits)
 *  20       8    usr_handle    opaque, echoed in every event
 * </pre>
 *
 * The 32-bit fields are in the subscriber's byte order. The kernel reads the filter in host order and, when
 * none of {@link TipcConstants#FILTER_MASK} is set, treats the whole struct as byte-swapped
 * ({@code tipc_sub_read}, net/tipc/subscr.h); events go back in the same order.
 *
 * @param type      service type
 * @param lower     lower bound (unsigned)
 * @param upper     upper bound (unsigned)
 * @param timeout   timeout in ms (unsigned), {@link TipcConstants#WAIT_FOREVER} for none
 * @param filter    filter bits
 * @param usrHandle the 8 opaque handle bytes, read big-endian into a long (so they round-trip unchanged)
 * @param order     byte order of the 32-bit fields on the subscriber's side
 */
public record TipcSubscr(int type, int lower, int upper, int timeout, int filter, long usrHandle, ByteOrder order) {
    /** Encoded size in bytes. */
    public static final int SIZE = 28;

    /** A request in this JVM's native byte order. */
    public static TipcSubscr of(int type, int lower, int upper, int timeout, int filter, long usrHandle) {
        return new TipcSubscr(type, lower, upper, timeout, filter, usrHandle, ByteOrder.nativeOrder());
    }

    /** Same request with other filter bits. */
    public TipcSubscr withFilter(int newFilter) {
        return new TipcSubscr(type, lower, upper, timeout, newFilter, usrHandle, order);
    }

    /**
     * Decodes 28 bytes at {@code off}, detecting the subscriber's byte order as the kernel does.
     *
     * @param hostOrder the byte order the server regards as "native" (the kernel's is the CPU's)
     * @throws IndexOutOfBoundsException if fewer than 28 bytes are available
     */
    public static TipcSubscr decode(byte[] b, int off, ByteOrder hostOrder) {
        if (off < 0 || b.length - off < SIZE) {
            throw new IndexOutOfBoundsException("tipc_subscr needs " + SIZE + " bytes at " + off + ", have "
                    + (b.length - off));
        }
        ByteOrder order = hostOrder;
        if ((get(b, off + 16, hostOrder) & TipcConstants.FILTER_MASK) == 0) {
            order = hostOrder == ByteOrder.BIG_ENDIAN ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        }
        long handle = 0;
        for (int i = 0; i < 8; i++) {
            handle = (handle << 8) | (b[off + 20 + i] & 0xFF);
        }
        return new TipcSubscr(get(b, off, order), get(b, off + 4, order), get(b, off + 8, order),
                get(b, off + 12, order), get(b, off + 16, order), handle, order);
    }

    /** Writes the 28 bytes at {@code off} in {@link #order()}. */
    public void encode(byte[] b, int off) {
        put(b, off, type, order);
        put(b, off + 4, lower, order);
        put(b, off + 8, upper, order);
        put(b, off + 12, timeout, order);
        put(b, off + 16, filter, order);
        for (int i = 0; i < 8; i++) {
            b[off + 20 + i] = (byte) (usrHandle >>> (56 - 8 * i));
        }
    }

    static int get(byte[] b, int off, ByteOrder o) {
        int v = ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
        return o == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v);
    }

    static void put(byte[] b, int off, int v, ByteOrder o) {
        int w = o == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v);
        b[off] = (byte) (w >>> 24);
        b[off + 1] = (byte) (w >>> 16);
        b[off + 2] = (byte) (w >>> 8);
        b[off + 3] = (byte) w;
    }
}
