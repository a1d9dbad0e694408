package io.jtipc.node;

/**
 * Group sockets of a {@link NodeCore} (Linux 6.1 net/tipc/group.c and its hooks in socket.c): join a group, send by
 * unicast, anycast, multicast or broadcast, read messages and member events. Same conventions as the core: times in ms
 * on the caller's clock, frames to the {@link Outbox}, handlers called after the call's processing; results 0 or a
 * negative {@link Errno}. Sends never block: {@link Errno#EAGAIN} means the kernel's sendmsg would wait (a member's
 * window is used up, the last broadcast is not yet acknowledged by every member, or a link is congested); retry after
 * {@link GroupHandler#writable}.
 */
public final class NodeGroups {
    /** uapi tipc.h TIPC_GROUP_LOOPBACK: the socket is a member of its own group (receives its own broadcasts). */
    public static final int TIPC_GROUP_LOOPBACK = GroupSocket.TIPC_GROUP_LOOPBACK;
    /** uapi tipc.h TIPC_GROUP_MEMBER_EVTS: JOINED/LEFT member events are delivered ({@link GroupMessage#oob()}). */
    public static final int TIPC_GROUP_MEMBER_EVTS = GroupSocket.TIPC_GROUP_MEMBER_EVTS;

    private final NodeCore core;

    NodeGroups(NodeCore core) {
        this.core = core;
    }

    /**
     * Opens a socket that joins group {@code type} as member {@code instance} (TIPC_GROUP_JOIN, socket.c tipc_sk_join):
     * binds {type, instance, instance} in {@code scope} and sends JOIN to the members already bound.
     *
     * @param scope {@link io.jtipc.wire.Tipc#TIPC_CLUSTER_SCOPE} or {@link io.jtipc.wire.Tipc#TIPC_NODE_SCOPE}
     * @param flags {@link #TIPC_GROUP_LOOPBACK} | {@link #TIPC_GROUP_MEMBER_EVTS}
     * @return the socket's port, or {@link Errno#EACCES} (type &lt; 64), {@link Errno#EINVAL} (scope, address not
     *         committed, binding limit or duplicate key), {@link Errno#ENOBUFS} (no subscription left)
     */
    public int join(long now, int type, int instance, int scope, int flags, GroupHandler handler, Outbox out) {
        boolean o = core.enter();
        try { return core.sockets.openGroup(now, type, instance, scope, flags, handler, out); }
        finally { core.leave(o, now, out); }
    }

    /**
     * Leaves the group (socket.c tipc_sk_leave: LEAVE to every member, the binding withdrawn) and closes the socket.
     *
     * @throws IllegalArgumentException if {@code port} is not an open group socket
     */
    public void leave(long now, int port, Outbox out) {
        core.sockets.group(port); // IllegalArgumentException if not a group socket
        core.closeSocket(now, port, out);
    }

    /**
     * Sends to member {node, port} (TIPC_GRP_UCAST_MSG, socket.c tipc_send_group_unicast).
     *
     * @return 0, {@link Errno#EAGAIN}, {@link Errno#EHOSTUNREACH} (not a member), {@link Errno#EMSGSIZE} (&gt; 66000 bytes)
     */
    public int sendUnicast(long now, int port, int node, int dport, byte[] data, int off, int len, Outbox out) {
        GroupSocket g = core.sockets.group(port);
        boolean o = core.enter();
        try { return g.unicast(node, dport, data, off, len, now, out); }
        finally { core.leave(o, now, out); }
    }

    /**
     * Sends to one member bound to {@code instance}, round robin among those whose window takes the message
     * (TIPC_GRP_UCAST_MSG, socket.c tipc_send_group_anycast): as {@link #sendUnicast}.
     */
    public int sendAnycast(long now, int port, int instance, byte[] data, int off, int len, Outbox out) {
        GroupSocket g = core.sockets.group(port);
        boolean o = core.enter();
        try { return g.anycast(instance, data, off, len, now, out); }
        finally { core.leave(o, now, out); }
    }

    /**
     * Sends to every member bound to {@code instance} (TIPC_GRP_MCAST_MSG, or a unicast if there is one; socket.c
     * tipc_send_group_mcast): as {@link #sendUnicast}.
     */
    public int sendMulticast(long now, int port, int instance, byte[] data, int off, int len, Outbox out) {
        GroupSocket g = core.sockets.group(port);
        boolean o = core.enter();
        try { return g.multicast(instance, data, off, len, now, out); }
        finally { core.leave(o, now, out); }
    }

    /** Sends to every member (TIPC_GRP_BCAST_MSG, socket.c tipc_send_group_bcast): as {@link #sendUnicast}. */
    public int sendBroadcast(long now, int port, byte[] data, int off, int len, Outbox out) {
        GroupSocket g = core.sockets.group(port);
        boolean o = core.enter();
        try { return g.broadcast(data, off, len, now, out); }
        finally { core.leave(o, now, out); }
    }

    /**
     * Reads the oldest message or member event (socket.c tipc_recvmsg), null if none; reading returns the message's
     * blocks to its sender's window (GRP_ADV sent when due).
     */
    public GroupMessage recv(long now, int port, Outbox out) {
        GroupSocket g = core.sockets.group(port);
        boolean o = core.enter();
        try { return g.recv(now, out); }
        finally { core.leave(o, now, out); }
    }

    /** Messages waiting to be read on the socket. */
    public int queued(int port) {
        return core.sockets.group(port).queued();
    }

    /** Members of the socket's group as it knows them (any state, itself included with LOOPBACK). */
    public int memberCount(int port) {
        return core.sockets.group(port).grp.size();
    }

    /** Messages the socket refused because its receive buffer was full (TIPC_ERR_OVERLOAD): 0 while flow control holds. */
    public long overloads(int port) {
        return core.sockets.group(port).overloads;
    }

    /** TIPC_IMPORTANCE (0-3) of the socket's group messages. */
    public void setImportance(int port, int importance) {
        core.setImportance(port, importance);
    }
}
