package io.jtipc.capture;

/** How a {@link CapturedMessage} was found inside a captured frame. */
public enum Origin {
    /** The TIPC message is the whole media payload of the frame (after decryption, if encrypted). */
    TOP,
    /** Carried inside a MSG_BUNDLER (user 6) message (net/tipc/msg.c tipc_msg_extract). */
    BUNDLED,
    /** Carried inside a TUNNEL_PROTOCOL (user 10) SYNCH/FAILOVER message. */
    TUNNELLED,
    /** Rebuilt from MSG_FRAGMENTER (user 12) fragments (or enhanced FAILOVER pieces); the frame is the one
     *  that carried the last fragment. */
    REASSEMBLED
}
