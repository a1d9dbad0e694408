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
