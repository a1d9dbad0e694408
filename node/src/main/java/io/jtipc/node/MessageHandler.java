package io.jtipc.node;

/** Receives the messages of one RDM/DGRAM socket. */
@FunctionalInterface
public interface MessageHandler {
    /**
     * @return true if accepted; false if the receive queue is full: the message is then returned to its sender
     *         with TIPC_ERR_OVERLOAD unless dest-droppable (socket.c tipc_sk_filter_rcv, rcvbuf_limit)
     */
    boolean onMessage(Delivery d);
}
