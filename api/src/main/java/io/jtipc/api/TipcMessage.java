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
    /** True if this is an undelivered message returned to its sender. */
    public boolean isReturned() {
        return errcode != 0;
    }
}
