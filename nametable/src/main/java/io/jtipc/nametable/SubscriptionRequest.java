package io.jtipc.nametable;

import java.nio.ByteOrder;

import io.jtipc.wire.TipcSubscr;

/**
 * A topology subscription request as the subscriber sent it (kernel {@code struct tipc_subscr},
 * include/uapi/linux/tipc.h): a value, compared field by field as the kernel's cancel compares the struct (memcmp).
 * The wire module's {@link TipcSubscr} is the flyweight over the same 28 bytes:
 *
 * <pre>
 *  offset  size  field
 *   0       4    seq.type      service type
 *   4       4    seq.lower     lower bound of the subscribed range
 *   8       4    seq.upper     upper bound
 *  12       4    timeout       milliseconds, {@link TipcSubscr#TIPC_WAIT_FOREVER} = none
 *  16       4    filter        SUB_PORTS | SUB_SERVICE | SUB_CANCEL (| kernel-internal bits)
 *  20       8    usr_handle    opaque, echoed in every event
 * </pre>
 *
 * The 32-bit fields are in the subscriber's byte order. The kernel reads the filter in host order and, when
 * none of {@link TipcSubscr#TIPC_FILTER_MASK} is set, treats the whole struct as byte-swapped
 * ({@code tipc_sub_read}, net/tipc/subscr.h); events go back in the same order.
 *
 * @param type      service type
 * @param lower     lower bound (unsigned)
 * @param upper     upper bound (unsigned)
 * @param timeout   timeout in ms (unsigned), {@link TipcSubscr#TIPC_WAIT_FOREVER} for none
 * @param filter    filter bits
 * @param usrHandle the 8 opaque handle bytes, read big-endian into a long (so they round-trip unchanged)
 * @param order     byte order of the 32-bit fields on the subscriber's side
 */
public record SubscriptionRequest(int type, int lower, int upper, int timeout, int filter, long usrHandle, ByteOrder order) {
    /** Encoded size in bytes. */
    public static final int SIZE = TipcSubscr.SIZE;

    /** A request in this JVM's native byte order. */
    public static SubscriptionRequest of(int type, int lower, int upper, int timeout, int filter, long usrHandle) {
        return new SubscriptionRequest(type, lower, upper, timeout, filter, usrHandle, ByteOrder.nativeOrder());
    }

    /** Same request with other filter bits. */
    public SubscriptionRequest withFilter(int newFilter) {
        return new SubscriptionRequest(type, lower, upper, timeout, newFilter, usrHandle, order);
    }

    /**
     * Decodes 28 bytes at {@code off}, detecting the subscriber's byte order as the kernel does.
     *
     * @param hostOrder the byte order the server regards as "native" (the kernel's is the CPU's)
     * @throws IndexOutOfBoundsException if fewer than 28 bytes are available
     */
    public static SubscriptionRequest decode(byte[] b, int off, ByteOrder hostOrder) {
        if (off < 0 || b.length - off < SIZE) {
            throw new IndexOutOfBoundsException("tipc_subscr needs " + SIZE + " bytes at " + off + ", have "
                    + (b.length - off));
        }
        ByteOrder order = TipcSubscr.detectOrder(b, off, hostOrder);
        TipcSubscr w = new TipcSubscr().wrap(b, off, order);
        long handle = 0;
        for (int i = 0; i < 8; i++) {
            handle = (handle << 8) | (b[w.usrHandleOffset() + i] & 0xFF);
        }
        return new SubscriptionRequest(w.type(), w.lower(), w.upper(), w.timeout(), w.filter(), handle, order);
    }

    /** Writes the 28 bytes at {@code off} in {@link #order()}, through the wire flyweight. */
    public void encode(byte[] b, int off) {
        encode(b, off, new TipcSubscr());
    }

    /** As {@link #encode(byte[], int)} through the caller's flyweight {@code w} (nothing allocated). */
    public void encode(byte[] b, int off, TipcSubscr w) {
        w.wrap(b, off, order)
                .setType(type).setLower(lower).setUpper(upper).setTimeout(timeout).setFilter(filter);
        for (int i = 0; i < 8; i++) {
            b[w.usrHandleOffset() + i] = (byte) (usrHandle >>> (56 - 8 * i));
        }
    }
}
