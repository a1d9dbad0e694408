package io.jtipc.node;

/**
 * The Linux errno values the protocol core returns, negated as the kernel's socket.c and link.c return
 * them (e.g. {@code -ELINKCONG} from {@code tipc_link_xmit}, {@code -EHOSTUNREACH} from
 * {@code tipc_sendmsg} when no node or binding answers). Values are those of
 * {@code include/uapi/asm-generic/errno.h} and {@code errno-base.h} on x86-64.
 *
 * <p>The public API maps them to its own {@code TipcError}; this class is the core's vocabulary.
 */
public final class Errno {
    private Errno() {}

    /** No such device or address (a peer removal of an unknown node, node.c tipc_nl_peer_rm). */
    public static final int ENXIO = -6;
    public static final int EACCES = -13;
    /** Device or resource busy (a peer removal of a node that is not down, node.c tipc_nl_peer_rm). */
    public static final int EBUSY = -16;
    public static final int EAGAIN = -11;
    public static final int EINVAL = -22;
    public static final int EPIPE = -32;
    public static final int ELINKCONG = -80;
    public static final int EMSGSIZE = -90;
    /** Protocol option not available (e.g. a broadcast mode the bearers or peers cannot do, bcast.c). */
    public static final int ENOPROTOOPT = -92;
    public static final int EOPNOTSUPP = -95;
    public static final int EADDRINUSE = -98;
    public static final int ECONNABORTED = -103;
    public static final int ECONNRESET = -104;
    public static final int ENOBUFS = -105;
    public static final int EISCONN = -106;
    public static final int ENOTCONN = -107;
    public static final int ETIMEDOUT = -110;
    public static final int ECONNREFUSED = -111;
    public static final int EHOSTUNREACH = -113;
    public static final int EALREADY = -114;
    /**
     * Operation not supported, the kernel-internal {@code ENOTSUPP} (524, include/linux/errno.h, not a uapi value):
     * a peer removal of the own address (node.c tipc_nl_peer_rm).
     */
    public static final int ENOTSUPP = -524;
}
