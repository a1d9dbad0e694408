package io.jtipc.nametable;

import io.jtipc.wire.TipcEvent;

/**
 * One event of a topology subscription, as the kernel's topology server sends it (kernel {@code struct tipc_event},
 * include/uapi/linux/tipc.h); the wire module's {@link TipcEvent} is the flyweight over the same 48 bytes:
 *
 * <pre>
 *  offset  size  field
 *   0       4    event         TIPC_PUBLISHED 1 / TIPC_WITHDRAWN 2 / TIPC_SUBSCR_TIMEOUT 3
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
public record SubscriptionEvent(int event, int foundLower, int foundUpper, int port, int node, SubscriptionRequest subscription) {
    /** Encoded size in bytes. */
    public static final int SIZE = TipcEvent.SIZE;

    /** Writes the 48 bytes at {@code off} in the subscription's byte order. */
    public void encode(byte[] b, int off) {
        new TipcEvent().wrap(b, off, subscription.order()).setEvent(event).setFoundLower(foundLower)
                .setFoundUpper(foundUpper).setPortRef(port).setPortNode(node);
        subscription.encode(b, off + SIZE - SubscriptionRequest.SIZE);
    }

    @Override
    public String toString() {
        String e = event == TipcEvent.TIPC_PUBLISHED ? "PUBLISHED" : event == TipcEvent.TIPC_WITHDRAWN ? "WITHDRAWN"
                : event == TipcEvent.TIPC_SUBSCR_TIMEOUT ? "TIMEOUT" : Integer.toString(event);
        return e + " " + Integer.toUnsignedString(foundLower) + "-" + Integer.toUnsignedString(foundUpper) + " port "
                + Integer.toUnsignedString(port) + " node " + Integer.toHexString(node);
    }
}
