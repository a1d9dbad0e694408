package io.jtipc.node;

/** Receives the messages of one RDM/DGRAM socket. */
@FunctionalInterface
public interface MessageHandler {
    /**
     * @return true if accepted; false if the receive queue is full: the message is then returned to its sender
     *         with TIPC_ERR_OVERLOAD unless dest-droppable (socket.c tipc_sk_filter_rcv, rcvbuf_limit)
     */
    boolean onMessage(Delivery d);

    /**
     * The form the core calls: {@code m} is a view valid only during this call (the core reuses it), so a handler
     * that keeps the message copies it. The default copies it into a {@link Delivery} for {@link #onMessage(Delivery)};
     * a handler that copies the payload into storage of its own overrides this to allocate nothing per message
     * (issue 14).
     *
     * @return as {@link #onMessage(Delivery)}
     */
    default boolean onMessage(DeliveredMessage m) {
        return onMessage(m.toDelivery());
    }
}
