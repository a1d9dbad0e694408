package io.jtipc.api;

/**
 * Why a socket or node operation failed: the errno the kernel's TIPC socket call would have returned
 * (net/tipc/socket.c, link.c), or {@link #NONE} where no errno applies. {@link #errno()} is the value as the kernel
 * returns it, negated ({@code -EHOSTUNREACH} = -113); values are those of {@code include/uapi/asm-generic/errno.h}
 * and {@code errno-base.h} (x86-64, arm64).
 */
public enum TipcError {
    /** No errno applies: the socket or node is closed, or an internal command of the node timed out. */
    NONE(0),
    /** No such device or address: a peer removal named no known node. */
    ENXIO(-6),
    /** Device or resource busy: a peer removal named a node that is not down. */
    EBUSY(-16),
    /** Permission denied: binding a reserved service type (below 64, TIPC_RESERVED_TYPES). */
    EACCES(-13),
    /** Try again: nothing to read, or the peer's receive window is full (a blocking call waits instead). */
    EAGAIN(-11),
    /** Invalid argument: bad range, scope or address kind, a rejected subscription. */
    EINVAL(-22),
    /** Broken pipe: writing on a connection that has ended. */
    EPIPE(-32),
    /** Link congested: the link's backlog for this importance is full (a send waits for room instead). */
    ELINKCONG(-80),
    /** Message too long: over 66000 bytes (TIPC_MAX_USER_MSG_SIZE). */
    EMSGSIZE(-90),
    /** Protocol option not available: a broadcast-link mode the bearers or peers cannot do (bcast.c). */
    ENOPROTOOPT(-92),
    /** Operation not supported on this socket type or state. */
    EOPNOTSUPP(-95),
    /** Address in use: the service is already bound by a listening socket. */
    EADDRINUSE(-98),
    /** Connection aborted. */
    ECONNABORTED(-103),
    /** Connection reset: the peer closed, its node was lost or connection probing failed. */
    ECONNRESET(-104),
    /** No buffer space: a receive queue overflowed (a topology subscription whose events were left unread). */
    ENOBUFS(-105),
    /** Already connected. */
    EISCONN(-106),
    /** Not connected. */
    ENOTCONN(-107),
    /** Timed out: no answer to a connection request in time. */
    ETIMEDOUT(-110),
    /** Connection refused: the connection request was rejected (no such socket, or it is not listening). */
    ECONNREFUSED(-111),
    /**
     * Not supported (the kernel's internal ENOTSUPP, 524, which netlink passes to user space): removing this node's
     * own address as a peer (node.c tipc_nl_peer_rm).
     */
    ENOTSUPP(-524),
    /** No route to host: no binding for the service, or no link to the node. */
    EHOSTUNREACH(-113),
    /** A connection request is already in progress. */
    EALREADY(-114);

    private final int errno;

    TipcError(int errno) {
        this.errno = errno;
    }

    /** The errno as the kernel returns it, negated (e.g. -113 for {@link #EHOSTUNREACH}); 0 for {@link #NONE}. */
    public int errno() {
        return errno;
    }

    /**
     * The constant for a negated errno (0 gives {@link #NONE}).
     *
     * @throws IllegalArgumentException for a value that is none of these
     */
    public static TipcError ofErrno(int errno) {
        TipcError e = find(errno);
        if (e == null) throw new IllegalArgumentException("no TipcError for errno " + errno);
        return e;
    }

    /** The constant for a negated errno, or null. */
    static TipcError find(int errno) {
        for (TipcError e : values()) {
            if (e.errno == errno) return e;
        }
        return null;
    }
}
