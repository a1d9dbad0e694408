package io.jtipc.nametable;

/**
 * A topology event (kernel {@code struct tipc_event}, include/uapi/linux/tipc.h), 48 bytes:
 *
 * <pre>
 *  offset  size  field
 *   0       4    event         PUBLISHED 1 / WITHDRAWN 2 / SUBSCR_TIMEOUT 3
 *   4       4    found_lower   lower bound of the binding's range (not clipped to the subscription)
 *   8       4    found_upper   upper bound of the binding's range
 *  12       4    port.ref      binding's socket port (0 on timeout)
 *  16       4    port.node     binding's node (0 on timeout)
 *  20      28    s             the original subscription, as received
 * </pre>
 *
 * On timeout found_lower/upper are the subscription's range ({@code tipc_sub_send_event}, net/tipc/subscr.c).
 * The 32-bit fields are written in the subscription's byte order.
 */
public record TopologyEvent(int event, int foundLower, int foundUpper, int port, int node, TipcSubscr subscription) {
    /** Encoded size in bytes. */
    public static final int SIZE = 48;

    /** Writes the 48 bytes at {@code off} in the subscription's byte order. */
    public void encode(byte[] b, int off) {
        TipcSubscr.put(b, off, event, subscription.order());
        TipcSubscr.put(b, off + 4, foundLower, subscription.order());
        TipcSubscr.put(b, off + 8, foundUpper, subscription.order());
        TipcSubscr.put(b, off + 12, port, subscription.order());
        TipcSubscr.put(b, off + 16, node, subscription.order());
        subscription.encode(b, off + 20);
    }

    @Override
    public String toString() {
        String e = event == TipcConstants.PUBLISHED ? "PUBLISHED" : event == TipcConstants.WITHDRAWN ? "WITHDRAWN"
                : event == TipcConstants.SUBSCR_TIMEOUT ? "TIMEOUT" : Integer.toString(event);
        return e + " " + Integer.toUnsignedString(foundLower) + "-" + Integer.toUnsignedString(foundUpper) + " port "
                + Integer.toUnsignedString(port) + " node " + Integer.toHexString(node);
    }
}
