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
    /**
     * Maximum link send window, packets, 50-8191 (TIPC_NLA_PROP_WIN, link.c tipc_nl_parse_link_prop): local only. On
     * {@link TipcNode#BROADCAST_LINK}: its fixed window, 50-8191 as well (default 50).
     */
    WINDOW,
    /**
     * {@link TipcNode#BROADCAST_LINK} only (TIPC_NLA_PROP_BROADCAST, {@code tipc link set broadcast}): how multicasts
     * are replicated: 1 BROADCAST, 2 REPLICAST (binding updates too), 4 AUTOSELECT (default: by destination count).
     */
    BROADCAST,
    /**
     * {@link TipcNode#BROADCAST_LINK} only (TIPC_NLA_PROP_BROADCAST_RATIO, {@code tipc link set broadcast-ratio}): in
     * AUTOSELECT, multicasts to at most 1 + peers × ratio / 100 nodes go by replicast, %, 1-100 (default 10).
     */
    BROADCAST_RATIO
}
