package io.jtipc.api;

import io.jtipc.wire.Tipc;

/**
 * What {@link TipcSocket#receive(java.nio.ByteBuffer, TipcMessageInfo)} got besides the payload, in an object the
 * caller creates once and passes to every receive (as {@code recvmsg}'s {@code msghdr}: {@code msg_name},
 * {@code msg_flags} and the TIPC ancillary data, net/tipc/socket.c tipc_recvmsg and tipc_sk_anc_data_recv), so that a
 * receive allocates nothing per message (issue 14). Each receive overwrites every field. Not thread-safe: one per
 * receiving thread.
 *
 * <p>{@link #source()} and {@link #destination()} return {@link TipcAddress} objects that are kept and returned again
 * while the next messages come from the same socket / were sent to the same service, so a server answering one peer
 * (or a few in turn) allocates no address per message either.
 */
public final class TipcMessageInfo {
    int srcPort, srcNode, msgType, nameType, nameLower, nameUpper, errcode, importance, length, copied;
    /** Set by the first receive. */
    boolean filled;
    private TipcAddress source, destination;

    /** An empty info (every field 0, no source) until a receive fills it. */
    public TipcMessageInfo() {
    }

    /** The sending socket's port (w4 origport). */
    public int sourcePort() {
        return srcPort;
    }

    /** The sending socket's node address (w6 orignode). */
    public int sourceNode() {
        return srcNode;
    }

    /**
     * The sending socket {port, node} ({@code msg_name}); the same object as the last call's while the source is the
     * same; null before the first receive.
     */
    public TipcAddress source() {
        TipcAddress a = source;
        if (!filled) return null;
        if (a == null || a.port() != srcPort || a.node() != srcNode) {
            source = a = TipcAddress.ofSocket(srcPort, srcNode);
        }
        return a;
    }

    /**
     * The service the message was sent to ({type, instance} for a named message, {type, lower, upper} for multicast:
     * the TIPC_DESTNAME ancillary data), or null for a message sent to a socket address; kept and returned again while
     * it is the same (see {@link TipcMessage#destination()}).
     */
    public TipcAddress destination() {
        if (msgType == Tipc.TIPC_NAMED_MSG) {
            TipcAddress d = destination;
            if (d == null || d.kind() != TipcAddress.Kind.SERVICE || d.type() != nameType || d.lower() != nameLower) {
                destination = d = TipcAddress.ofService(nameType, nameLower);
            }
            return d;
        }
        if (msgType == Tipc.TIPC_MCAST_MSG) {
            boolean range = Integer.compareUnsigned(nameLower, nameUpper) <= 0;
            TipcAddress d = destination;
            if (range) {
                if (d == null || d.kind() != TipcAddress.Kind.SERVICE_RANGE || d.type() != nameType
                        || d.lower() != nameLower || d.upper() != nameUpper) {
                    destination = d = TipcAddress.ofServiceRange(nameType, nameLower, nameUpper);
                }
            } else if (d == null || d.kind() != TipcAddress.Kind.SERVICE || d.type() != nameType
                    || d.lower() != nameLower) {
                destination = d = TipcAddress.ofService(nameType, nameLower);
            }
            return d;
        }
        return null;
    }

    /** The payload's full length in bytes (0-66 000), also when it was truncated (recvmsg with MSG_TRUNC). */
    public int length() {
        return length;
    }

    /** Bytes of the payload copied into the caller's buffer (its position advanced by this). */
    public int copied() {
        return copied;
    }

    /**
     * True if the payload did not fit and its last {@code length() - copied()} bytes were discarded (MSG_TRUNC in
     * msg_flags, socket.c tipc_recvmsg).
     */
    public boolean truncated() {
        return copied < length;
    }

    /**
     * 0, or the TIPC_ERR_* code (1 no name, 2 no port, 3 no node, 4 overload, 5 conn shutdown) of a message returned
     * undelivered to its sender (TIPC_ERRINFO; w1 bits 28-25); its payload is the original data.
     */
    public int errcode() {
        return errcode;
    }

    /**
     * True if this is an undelivered message returned to its sender ({@link #errcode()} not 0). Its payload (the data
     * that could not be delivered) is copied into the caller's buffer like any other; the kernel's recvmsg instead
     * returns 0 bytes and puts that data in the TIPC_RETDATA control message (socket.c tipc_sk_anc_data_recv).
     */
    public boolean isReturned() {
        return errcode != 0;
    }

    /** The message's importance 0-3 (w0 user field). */
    public int importance() {
        return importance;
    }

    @Override
    public String toString() {
        return "TipcMessageInfo[source=" + source() + ", destination=" + destination() + ", length=" + length
            + ", copied=" + copied + ", errcode=" + errcode + ", importance=" + importance + "]";
    }
}
