package io.jtipc.api;

/**
 * A message or member event read from a {@link TipcGroup} (socket.c {@code tipc_recvmsg} on a group socket).
 *
 * @param sender         the sending member's socket address {port, node}; for an event, the member that joined or left
 * @param senderInstance the sending member's instance (its binding {type, instance} in the group)
 * @param mode           how it was sent, or which member event it is
 * @param payload        the data (empty for member events)
 */
public record TipcGroupMessage(TipcAddress sender, int senderInstance, Mode mode, byte[] payload) {
    /**
     * The payload made safe to print, as {@link TipcMessage#payloadText()}: decoded as UTF-8 and escaped by the rule
     * for every string from the wire (a member chooses these bytes: printed raw, a newline forges a line and an ESC
     * sequence rewrites the terminal).
     */
    public String payloadText() {
        return io.jtipc.wire.PeerText.escape(new String(payload, java.nio.charset.StandardCharsets.UTF_8),
                Integer.MAX_VALUE);
    }

    /** Message types of net/tipc/msg.h as a receiver sees them. */
    public enum Mode {
        /** TIPC_GRP_UCAST_MSG: sent to this member by unicast or anycast (the wire does not tell them apart). */
        UNICAST,
        /** TIPC_GRP_MCAST_MSG: sent to every member with this member's instance. */
        MULTICAST,
        /** TIPC_GRP_BCAST_MSG: sent to every member. */
        BROADCAST,
        /** TIPC_GRP_MEMBER_EVT TIPC_PUBLISHED: {@code sender} joined (the kernel flags it MSG_OOB). */
        MEMBER_JOINED,
        /** TIPC_GRP_MEMBER_EVT TIPC_WITHDRAWN: {@code sender} left, after its last message (MSG_OOB | MSG_EOR). */
        MEMBER_LEFT
    }

    /** A member event (JOINED or LEFT). */
    public boolean isEvent() {
        return mode == Mode.MEMBER_JOINED || mode == Mode.MEMBER_LEFT;
    }
}
