package io.jtipc.node;

import java.util.Arrays;

/**
 * A message delivered to a local RDM/DGRAM socket, as a reusable view (issue 14: nothing allocated per message):
 * the same fields as {@link Delivery}, with the payload left in the core's buffer ({@link #buffer()} from
 * {@link #dataOffset()}, {@link #dataLength()} bytes). Valid only during {@link MessageHandler#onMessage(DeliveredMessage)}:
 * the core reuses the object and its buffer for a later message, so a handler copies what it keeps
 * ({@link #toDelivery()} makes an independent copy). What the kernel's {@code tipc_recvmsg} reads from the skb at the
 * head of {@code sk_receive_queue} (socket.c, with {@code tipc_sk_anc_data_recv} for the addresses).
 */
public final class DeliveredMessage {
    int port, srcNode, srcPort, msgType, nameType, nameLower, nameUpper, errcode, importance;
    boolean destDroppable;
    /** The whole message (header + payload) from index 0; grown as needed, reused. */
    byte[] buf = EMPTY;
    static final byte[] EMPTY = new byte[0];
    int hdrSize, size;
    /** The socket's handler while queued for hand-over (core thread only). */
    MessageHandler handler;
    /** Runs the hand-over once the current core call is done (made once per object, so nothing is allocated per message). */
    final Runnable task;

    DeliveredMessage(java.util.function.Consumer<DeliveredMessage> handOver) {
        this.task = () -> handOver.accept(this);
    }

    /** The receiving socket's port. */
    public int port() { return port; }

    /** Originating node (w6). */
    public int srcNode() { return srcNode; }

    /** Originating port (w4). */
    public int srcPort() { return srcPort; }

    /** TIPC_NAMED_MSG (2), TIPC_DIRECT_MSG (3), TIPC_MCAST_MSG (1), ... (w1 bits 31-29). */
    public int msgType() { return msgType; }

    /** Destination service type (w8) for named/multicast messages, else 0. */
    public int nameType() { return nameType; }

    /** Destination instance (named, w9) or lower bound (multicast), else 0. */
    public int nameLower() { return nameLower; }

    /** Upper bound (multicast, w10), = {@link #nameLower()} for named, else 0. */
    public int nameUpper() { return nameUpper; }

    /** 0, or the TIPC_ERR_* code of a message returned to its sender (w1 bits 28-25). */
    public int errcode() { return errcode; }

    /** 0-3 (user field of the header). */
    public int importance() { return importance; }

    /**
     * Whether a socket closing with this message unread must return it to its sender (socket.c tsk_rej_rx_queue via
     * tipc_msg_reverse): its sender cleared dest-droppable (w0 bit 19) and it is no error message itself. The socket
     * then keeps the header ({@link #buffer()} up to {@link #dataOffset()}) to hand back to
     * {@link NodeCore#closeSocket(long, int, java.util.List, Outbox)}.
     */
    public boolean returnable() { return !destDroppable && errcode == 0; }

    /** The array holding the message; the payload is at {@link #dataOffset()}. Read only, during the hand-over. */
    public byte[] buffer() { return buf; }

    /** Index of the payload's first byte in {@link #buffer()} (the header's size, 24-60 bytes). */
    public int dataOffset() { return hdrSize; }

    /** Payload length in bytes (0-66 000). */
    public int dataLength() { return size - hdrSize; }

    /** An independent copy as a {@link Delivery} record (allocates the record and a payload array). */
    public Delivery toDelivery() {
        return new Delivery(port, srcNode, srcPort, msgType, nameType, nameLower, nameUpper, errcode, importance,
            Arrays.copyOfRange(buf, hdrSize, size));
    }
}
