package io.jtipc.api;

import java.util.List;

/**
 * One socket of this node, as {@code tipc socket list} shows it (socket.c tipc_nl_sk_dump / __tipc_nl_add_sk).
 *
 * @param port          the socket's port (its reference)
 * @param bindings      the service ranges it is bound to ({@code bound to {TYPE,LOWER,UPPER}}); a group member's
 *                      binding included
 * @param connected     true for a connected SEQPACKET/STREAM socket
 * @param peerNode      the connected peer's node address (0 when not connected)
 * @param peerPort      the connected peer's port (0 when not connected)
 * @param connType      the service type the connection was made to, -1 if it was made to a socket address or none
 * @param connInstance  the service instance the connection was made to (meaningful when {@code connType >= 0})
 */
public record SocketInfo(int port, List<Binding> bindings, boolean connected, int peerNode, int peerPort,
                         long connType, int connInstance) {
    /** Copies {@code bindings} (an unmodifiable list). @throws NullPointerException if it is null */
    public SocketInfo {
        bindings = List.copyOf(bindings);
    }
}
