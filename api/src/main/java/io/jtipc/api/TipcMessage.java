package io.jtipc.api;

/**
 * One received message ({@code recvmsg} on an RDM/DGRAM socket, net/tipc/socket.c tipc_recvmsg and
 * tipc_sk_anc_data_recv).
 *
 * @param source      the sending socket {port, node} (w4 origport, w6 orignode)
 * @param destination the service the message was sent to ({type, instance} for a named message, {type, lower,
 *                    upper} for multicast; TIPC_DESTNAME ancillary data), or null for a message sent to a socket
 *                    address
 * @param payload     the data (no header)
 * @param errcode     0, or the TIPC_ERR_* code (1 no name, 2 no port, 3 no node, 4 overload, 5 conn shutdown) of a
 *                    message returned undelivered to its sender (TIPC_ERRINFO); its payload is the original data
 *                    (at most 1024 bytes, msg.c tipc_msg_reverse)
 * @param importance  0-3 (w0 user field)
 */
public record TipcMessage(TipcAddress source, TipcAddress destination, byte[] payload, int errcode, int importance) {
    /**
     * The payload decoded as UTF-8 (malformed bytes become U+FFFD) and made safe to print on a console or in a log:
     * a peer chooses these bytes, and printed raw a newline forges a line and an ESC sequence rewrites the terminal.
     * The rule is the one for every string from the wire ({@code io.jtipc.wire.PeerText}): printable ASCII is kept
     * except backslash and quotes; those and other characters below 0x100 become {@code \xNN}, the rest
     * {@code \}{@code uNNNN}. The whole payload is kept (at most 66 000 bytes in a TIPC message, so at most 6 times
     * that in characters).
     */
    public String payloadText() {
        return io.jtipc.wire.PeerText.escape(new String(payload, java.nio.charset.StandardCharsets.UTF_8),
                Integer.MAX_VALUE);
    }

    /** True if this is an undelivered message returned to its sender. */
    public boolean isReturned() {
        return errcode != 0;
    }
}
