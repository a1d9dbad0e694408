package io.jtipc.api;

import java.nio.ByteBuffer;

/**
 * What a receive into a caller's {@link ByteBuffer} got ({@link TipcSocket#receive(ByteBuffer)}): the message's
 * addresses and flags, with the payload copied into the buffer.
 *
 * @param source      the sending socket {port, node}
 * @param destination the service the message was sent to, or null (see {@link TipcMessage#destination()})
 * @param length      the payload's full length in bytes, also when truncated (recvmsg's return with MSG_TRUNC)
 * @param copied      bytes copied into the buffer (its position advanced by this)
 * @param truncated   true if the payload did not fit and its last {@code length - copied} bytes were discarded
 *                    (MSG_TRUNC in msg_flags, socket.c tipc_recvmsg)
 * @param errcode     0, or the TIPC_ERR_* code of a returned message (see {@link TipcMessage#errcode()})
 * @param importance  0-3
 */
public record TipcReceived(TipcAddress source, TipcAddress destination, int length, int copied, boolean truncated,
                           int errcode, int importance) {
    static TipcReceived copy(TipcMessage m, ByteBuffer dst) {
        byte[] p = m.payload();
        int n = Math.min(p.length, dst.remaining());
        dst.put(p, 0, n);
        return new TipcReceived(m.source(), m.destination(), p.length, n, n < p.length, m.errcode(), m.importance());
    }
}
