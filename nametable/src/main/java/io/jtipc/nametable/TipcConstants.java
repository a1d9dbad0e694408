package io.jtipc.nametable;

/**
 * Numeric constants of the binding table and topology service, with the kernel source of each.
 *
 * <p>All service types, instances, ports, node addresses and keys in this package are unsigned
 * 32-bit values carried in Java {@code int}s; compare them with {@link Integer#compareUnsigned}.
 *
 * <p>Only the service-level names of include/uapi/linux/tipc.h and the binding table's limits live here; message
 * level constants (NAME_DISTRIBUTOR types PUBLICATION/WITHDRAWAL, INT_H_SIZE, the TIPC_NAMED_BCAST capability)
 * are wire's {@link io.jtipc.wire.Tipc}. Note {@link #TOP_SRV} is the topology server's service type 1
 * (TIPC_TOP_SRV), not {@link io.jtipc.wire.Tipc#TOP_SRV}, the message user 15 of net/tipc/msg.h.
 */
public final class TipcConstants {
    private TipcConstants() {
    }

    /** Service type of node-state bindings {@code {0, addr, addr}} (include/uapi/linux/tipc.h TIPC_NODE_STATE). */
    public static final int NODE_STATE = 0;
    /** Service type of the topology server {@code {1, 1, 1}} (uapi tipc.h TIPC_TOP_SRV). */
    public static final int TOP_SRV = 1;
    /** Service type of link-state bindings {@code {2, peer, peer}} (uapi tipc.h TIPC_LINK_STATE). */
    public static final int LINK_STATE = 2;
    /** User sockets may not bind types below this (uapi tipc.h TIPC_RESERVED_TYPES). */
    public static final int RESERVED_TYPES = 64;

    /** Deprecated zone scope; treated as cluster scope by the kernel (uapi tipc.h TIPC_ZONE_SCOPE). */
    public static final int ZONE_SCOPE = 1;
    /** Cluster scope: binding is distributed to every peer (uapi tipc.h TIPC_CLUSTER_SCOPE). */
    public static final int CLUSTER_SCOPE = 2;
    /** Node scope: binding stays on this node (uapi tipc.h TIPC_NODE_SCOPE). */
    public static final int NODE_SCOPE = 3;

    /** Subscription filter: an event for every matching binding (uapi tipc.h TIPC_SUB_PORTS). */
    public static final int SUB_PORTS = 0x01;
    /** Subscription filter: an event for the first publication / last withdrawal of each range (TIPC_SUB_SERVICE). */
    public static final int SUB_SERVICE = 0x02;
    /** Subscription filter: cancel the identical subscription (TIPC_SUB_CANCEL). */
    public static final int SUB_CANCEL = 0x04;
    /** Kernel-internal filter: only cluster-scope bindings (net/tipc/topsrv.h TIPC_SUB_CLUSTER_SCOPE). */
    public static final int SUB_CLUSTER_SCOPE = 0x20;
    /** Kernel-internal filter: only node-scope bindings (net/tipc/topsrv.h TIPC_SUB_NODE_SCOPE). */
    public static final int SUB_NODE_SCOPE = 0x40;
    /** Kernel-internal filter: no replay of existing bindings on subscribe (net/tipc/topsrv.h TIPC_SUB_NO_STATUS). */
    public static final int SUB_NO_STATUS = 0x80;
    /** Mask of the filter bits used to detect the subscriber's byte order (net/tipc/subscr.h TIPC_FILTER_MASK). */
    public static final int FILTER_MASK = SUB_PORTS | SUB_SERVICE | SUB_CANCEL;

    /** Subscription timeout meaning "never" (uapi tipc.h TIPC_WAIT_FOREVER, ~0). */
    public static final int WAIT_FOREVER = 0xFFFFFFFF;

    /** Event: a matching binding appeared (uapi tipc.h TIPC_PUBLISHED). */
    public static final int PUBLISHED = 1;
    /** Event: a matching binding disappeared (uapi tipc.h TIPC_WITHDRAWN). */
    public static final int WITHDRAWN = 2;
    /** Event: the subscription timed out (uapi tipc.h TIPC_SUBSCR_TIMEOUT). */
    public static final int SUBSCR_TIMEOUT = 3;

    /** Maximum number of publications made by this node (net/tipc/subscr.h TIPC_MAX_PUBL). */
    public static final int MAX_PUBL = 65535;
    /** Maximum number of topology subscriptions on this node (net/tipc/subscr.h TIPC_MAX_SUBSCR). */
    public static final int MAX_SUBSCR = 65535;
    /** Number of hash buckets of the binding table; dump order follows them (name_table.h TIPC_NAMETBL_SIZE). */
    public static final int NAMETBL_SIZE = 1024;


    /** Legacy Z.C.N address masks (net/tipc/addr.h): zone+cluster part. */
    static final int ZONE_CLUSTER_MASK = 0xFFFFF000;
    /** Legacy Z.C.N address masks (net/tipc/addr.h): zone part. */
    static final int ZONE_MASK = 0xFF000000;
}
