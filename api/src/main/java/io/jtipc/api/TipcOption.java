package io.jtipc.api;

import java.util.Objects;

/**
 * A typed socket option for {@link TipcSocket#setOption}/{@link TipcSocket#getOption} and
 * {@link TipcConnection#setOption}/{@link TipcConnection#getOption}: the SOL_TIPC options of
 * {@code include/uapi/linux/tipc.h} (same names, same option numbers in {@link #optname()}), plus
 * {@link #LOOKUP_DOMAIN}, which is jtipc's own. Which options a socket accepts, and the errors (as
 * net/tipc/socket.c tipc_setsockopt/tipc_getsockopt return them), are listed on the socket classes.
 *
 * @param <T> the value type ({@link Integer} or {@link Boolean})
 */
public final class TipcOption<T> {
    /** TIPC_IMPORTANCE (127): importance 0 (low) - 3 (critical) of the messages sent. Default 0. */
    public static final TipcOption<Integer> IMPORTANCE = new TipcOption<>("TIPC_IMPORTANCE", 127, Integer.class, false);
    /**
     * TIPC_SRC_DROPPABLE (128): the network may drop this socket's messages on congestion. jtipc's core fixes it by
     * socket type (true for DGRAM, false for RDM and connections, as the kernel's defaults); it reads as such and may
     * be set only to that value.
     */
    public static final TipcOption<Boolean> SRC_DROPPABLE = new TipcOption<>("TIPC_SRC_DROPPABLE", 128, Boolean.class, false);
    /**
     * TIPC_DEST_DROPPABLE (129): an undeliverable message is dropped (true, default for RDM/DGRAM) rather than
     * returned to the sender.
     */
    public static final TipcOption<Boolean> DEST_DROPPABLE = new TipcOption<>("TIPC_DEST_DROPPABLE", 129, Boolean.class, false);
    /**
     * TIPC_CONN_TIMEOUT (130): connect timeout in milliseconds (kernel default 8000, socket.c CONN_TIMEOUT_DEFAULT:
     * connect(2) waits that long for the peer's ACK, then fails with ETIMEDOUT). jtipc takes it as the
     * {@code timeout} of {@link TipcConnection#connect(TipcNode, TipcAddress, TipcConnection.Type, java.time.Duration)}
     * ({@link TipcConnection#DEFAULT_CONNECT_TIMEOUT} without one); a {@link TipcConnection} reads it back and may set
     * it (0 or more; a value set is kept in 16 bits as the kernel's {@code conn_timeout}, while the timeout given to
     * {@code connect} reads back in full; the SYN retry computes with at least
     * {@link TipcConnection#CONN_TIMEOUT_MIN_MS}). A connectionless {@link TipcSocket} never connects and
     * refuses it (EINVAL), where the kernel would store it unused.
     */
    public static final TipcOption<Integer> CONN_TIMEOUT = new TipcOption<>("TIPC_CONN_TIMEOUT", 130, Integer.class, false);
    /**
     * TIPC_SOCK_RECVQ_DEPTH (132), read-only: the number of unread messages in the socket's receive queue
     * ({@link TipcSocket} and {@link TipcConnection}; socket.c tipc_getsockopt, skb_queue_len).
     */
    public static final TipcOption<Integer> SOCK_RECVQ_DEPTH = new TipcOption<>("TIPC_SOCK_RECVQ_DEPTH", 132, Integer.class, true);
    /**
     * TIPC_MCAST_BROADCAST (133): true makes this socket's multicasts always go on the node's broadcast link (socket.c
     * tipc_setsockopt: mc_method.rcast = false, mandatory); false frees the choice again (jtipc: the kernel cannot).
     * Reads whether it is set. A forced switch is synchronised by the SYN twin like an automatic one (TIPC_MCAST_RBCTL).
     */
    public static final TipcOption<Boolean> MCAST_BROADCAST = new TipcOption<>("TIPC_MCAST_BROADCAST", 133, Boolean.class, false);
    /**
     * TIPC_MCAST_REPLICAST (134): true makes this socket's multicasts always go as one unicast copy per destination
     * node (mc_method.rcast = true, mandatory); false frees the choice again. Reads whether it is set. The default
     * (neither set) chooses per send by the number of destination nodes (bcast.c tipc_bcast_select_xmit_method).
     */
    public static final TipcOption<Boolean> MCAST_REPLICAST = new TipcOption<>("TIPC_MCAST_REPLICAST", 134, Boolean.class, false);
    /** TIPC_NODELAY (138): connections only; true sends every write at once (no Nagle-like bundling). */
    public static final TipcOption<Boolean> NODELAY = new TipcOption<>("TIPC_NODELAY", 138, Boolean.class, false);
    /**
     * jtipc's own (no kernel option; the kernel takes the lookup domain in the destination address,
     * {@code sockaddr_tipc.addr.name.domain}): the node address to which sends by service name on this socket are
     * restricted, or 0 (default) for the whole cluster. {@link #optname()} is -1.
     */
    public static final TipcOption<Integer> LOOKUP_DOMAIN = new TipcOption<>("LOOKUP_DOMAIN", -1, Integer.class, false);

    private final String name;
    private final int optname;
    private final Class<T> type;
    private final boolean readOnly;

    private TipcOption(String name, int optname, Class<T> type, boolean readOnly) {
        this.name = name;
        this.optname = optname;
        this.type = type;
        this.readOnly = readOnly;
    }

    /** The option's name as in linux/tipc.h (or {@code LOOKUP_DOMAIN}). */
    public String name() { return name; }

    /** The option number of linux/tipc.h, or -1 for jtipc's own option. */
    public int optname() { return optname; }

    /** The value type. */
    public Class<T> type() { return type; }

    /** True if the option can only be read (setting it fails with EINVAL, as the kernel's setsockopt does). */
    public boolean readOnly() { return readOnly; }

    T cast(Object v) {
        return type.cast(Objects.requireNonNull(v, "option value"));
    }

    static TipcException invalid(TipcOption<?> o, String why) {
        return new TipcException(TipcError.EINVAL, (o == null ? "null option" : o.name) + ": " + why);
    }

    @Override
    public String toString() { return name; }
}
