package io.jtipc.node;

import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcEvent;

/**
 * A message or member event read from a group socket (what {@code recvmsg} on a kernel group socket returns,
 * socket.c {@code tipc_recvmsg}).
 *
 * @param srcNode     the sending member's node (w6), or for an event the member's node
 * @param srcPort     the sending member's port (w4), or for an event the member's port
 * @param srcInstance the sending member's instance (the kernel's {@code orig_member})
 * @param msgType     {@link Tipc#TIPC_GRP_UCAST_MSG} (unicast and anycast), {@link Tipc#TIPC_GRP_MCAST_MSG},
 *                    {@link Tipc#TIPC_GRP_BCAST_MSG} or {@link Tipc#TIPC_GRP_MEMBER_EVT}
 * @param event       for a member event {@link TipcEvent#TIPC_PUBLISHED} (JOINED) or {@link TipcEvent#TIPC_WITHDRAWN}
 *                    (LEFT), else 0 (w10 bits 1-0, msg.h msg_grp_evt)
 * @param importance  0-3
 * @param data        payload (for an event the 48-byte struct tipc_event)
 */
public record GroupMessage(int srcNode, int srcPort, int srcInstance, int msgType, int event, int importance,
                           byte[] data) {
    /** A member event: the kernel flags it MSG_OOB. */
    public boolean oob() { return msgType == Tipc.TIPC_GRP_MEMBER_EVT; }
    /** A LEFT event: the kernel flags it MSG_OOB | MSG_EOR. */
    public boolean eor() { return oob() && event == TipcEvent.TIPC_WITHDRAWN; }
    /** A JOINED event. */
    public boolean joined() { return oob() && event == TipcEvent.TIPC_PUBLISHED; }
    /** A LEFT event (same as {@link #eor()}). */
    public boolean left() { return eor(); }
}
