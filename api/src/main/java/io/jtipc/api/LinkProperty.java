package io.jtipc.api;

/**
 * A link or bearer property settable at run time ({@link TipcNode#setLink}, {@link TipcNode#setBearer}), as
 * {@code tipc link set} and {@code tipc bearer set} name them (uapi tipc_netlink.h TIPC_NLA_PROP_TOL, _PRIO, _WIN).
 */
public enum LinkProperty {
    /** Link tolerance, ms, 50-30000 (TIPC_NLA_PROP_TOL): the peer adopts it through a STATE message. */
    TOLERANCE,
    /** Link priority, 0-31 (TIPC_NLA_PROP_PRIO): the peer resets its end and both come back with it. */
    PRIORITY,
    /** Maximum link send window, packets, 16-8191 (TIPC_NLA_PROP_WIN): local only. */
    WINDOW
}
