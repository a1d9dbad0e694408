package io.jtipc.node;

/**
 * A message delivered to a local socket (what {@code recvmsg} on a TIPC RDM/DGRAM socket returns,
 * socket.c {@code tipc_recvmsg} + {@code tipc_sk_anc_data_recv}).
 *
 * @param port       the receiving socket's port
 * @param srcNode    originating node (w6, or w3 with a 24-byte header)
 * @param srcPort    originating port (w4)
 * @param msgType    TIPC_NAMED_MSG (2), TIPC_DIRECT_MSG (3), TIPC_MCAST_MSG (1), ...
 * @param nameType   destination service type (w8) for named/multicast messages, else 0
 * @param nameLower  destination instance (named) or lower bound (multicast), else 0
 * @param nameUpper  upper bound (multicast), = nameLower for named, else 0
 * @param errcode    0, or the TIPC_ERR_* code of a message returned to its sender
 * @param importance 0-3 (user field of the header)
 * @param data       payload bytes (a copy)
 */
public record Delivery(int port, int srcNode, int srcPort, int msgType, int nameType, int nameLower, int nameUpper,
                       int errcode, int importance, byte[] data) {
}
