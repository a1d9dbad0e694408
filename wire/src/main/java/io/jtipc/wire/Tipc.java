package io.jtipc.wire;

/**
 * Protocol constants of TIPC v2 as sent by Linux 6.1/6.12 ({@code net/tipc/msg.h}, {@code node.h},
 * {@code bearer.h}, {@code include/uapi/linux/tipc.h}) and their symbolic names.
 *
 * <p>Units: sizes in bytes, sequence numbers are 16-bit, times in ms. Unknown values are never an
 * error here: the name functions return {@code null} for a value the kernel does not define, and
 * callers report it as unknown.
 */
public final class Tipc {
    private Tipc() {}

    /** Value of w0 bits 31-29 in every plaintext message (msg.h TIPC_VERSION). */
    public static final int VERSION = 2;
    /** First 3 bits of an encryption header (crypto.h TIPC_EVERSION). */
    public static final int EVERSION = 7;

    // ---- header sizes (msg.h), bytes ----
    public static final int SHORT_H_SIZE = 24;
    public static final int BASIC_H_SIZE = 32;
    public static final int NAMED_H_SIZE = 40;
    public static final int MCAST_H_SIZE = 44;
    public static final int GROUP_H_SIZE = 44;
    public static final int INT_H_SIZE = 40;
    public static final int MIN_H_SIZE = 24;
    public static final int MAX_H_SIZE = 60;
    /** uapi tipc.h TIPC_MAX_USER_MSG_SIZE, bytes of user payload. */
    public static final int MAX_USER_MSG_SIZE = 66000;
    /** msg.h MAX_MSG_SIZE = MAX_H_SIZE + 66000. */
    public static final int MAX_MSG_SIZE = MAX_H_SIZE + MAX_USER_MSG_SIZE;
    /** Discovery message: 60-byte header + 16-byte node id. */
    public static final int DSC_MSG_SIZE = 76;

    // ---- users, w0 bits 28-25 (msg.h) ----
    public static final int LOW_IMPORTANCE = 0;
    public static final int MEDIUM_IMPORTANCE = 1;
    public static final int HIGH_IMPORTANCE = 2;
    public static final int CRITICAL_IMPORTANCE = 3;
    /** Internal importance class, never a user on the wire. */
    public static final int SYSTEM_IMPORTANCE = 4;
    public static final int BCAST_PROTOCOL = 5;
    public static final int MSG_BUNDLER = 6;
    public static final int LINK_PROTOCOL = 7;
    public static final int CONN_MANAGER = 8;
    public static final int GROUP_PROTOCOL = 9;
    public static final int TUNNEL_PROTOCOL = 10;
    public static final int NAME_DISTRIBUTOR = 11;
    public static final int MSG_FRAGMENTER = 12;
    public static final int LINK_CONFIG = 13;
    public static final int MSG_CRYPTO = 14;
    /** Node-local pseudo user (same number as MSG_CRYPTO), never transmitted. */
    public static final int SOCK_WAKEUP = 14;
    /** Node-local pseudo user, never transmitted. */
    public static final int TOP_SRV = 15;

    // ---- data message types, w1 bits 31-29 ----
    public static final int TIPC_CONN_MSG = 0;
    public static final int TIPC_MCAST_MSG = 1;
    public static final int TIPC_NAMED_MSG = 2;
    public static final int TIPC_DIRECT_MSG = 3;
    public static final int TIPC_GRP_MEMBER_EVT = 4;
    public static final int TIPC_GRP_BCAST_MSG = 5;
    public static final int TIPC_GRP_MCAST_MSG = 6;
    public static final int TIPC_GRP_UCAST_MSG = 7;
    // CONN_MANAGER
    public static final int CONN_PROBE = 0;
    public static final int CONN_PROBE_REPLY = 1;
    public static final int CONN_ACK = 2;
    // NAME_DISTRIBUTOR
    public static final int PUBLICATION = 0;
    public static final int WITHDRAWAL = 1;
    // MSG_FRAGMENTER
    public static final int FIRST_FRAGMENT = 0;
    public static final int FRAGMENT = 1;
    public static final int LAST_FRAGMENT = 2;
    // LINK_PROTOCOL (and BCAST_PROTOCOL type 0)
    public static final int STATE_MSG = 0;
    public static final int RESET_MSG = 1;
    public static final int ACTIVATE_MSG = 2;
    // TUNNEL_PROTOCOL
    public static final int SYNCH_MSG = 0;
    public static final int FAILOVER_MSG = 1;
    // LINK_CONFIG
    public static final int DSC_REQ_MSG = 0;
    public static final int DSC_RESP_MSG = 1;
    public static final int DSC_TRIAL_MSG = 2;
    public static final int DSC_TRIAL_FAIL_MSG = 3;
    // GROUP_PROTOCOL
    public static final int GRP_JOIN_MSG = 0;
    public static final int GRP_LEAVE_MSG = 1;
    public static final int GRP_ADV_MSG = 2;
    public static final int GRP_ACK_MSG = 3;
    public static final int GRP_RECLAIM_MSG = 4;
    public static final int GRP_REMIT_MSG = 5;
    // MSG_CRYPTO
    public static final int KEY_DISTR_MSG = 0;

    // ---- error codes, w1 bits 28-25 (uapi tipc.h) ----
    public static final int TIPC_OK = 0;
    public static final int TIPC_ERR_NO_NAME = 1;
    public static final int TIPC_ERR_NO_PORT = 2;
    public static final int TIPC_ERR_NO_NODE = 3;
    public static final int TIPC_ERR_OVERLOAD = 4;
    public static final int TIPC_CONN_SHUTDOWN = 5;

    // ---- lookup and binding scope (uapi tipc.h) ----
    /** Deprecated zone scope; the kernel treats it as cluster scope. */
    public static final int TIPC_ZONE_SCOPE = 1;
    /** Cluster scope: a binding is distributed to every peer node. */
    public static final int TIPC_CLUSTER_SCOPE = 2;
    /** Node scope: a binding stays on its own node. */
    public static final int TIPC_NODE_SCOPE = 3;

    // ---- reserved service types (uapi tipc.h); topology filters/events are in TipcSubscr/TipcEvent ----
    /** Node-state bindings {0, addr, addr}, one per node (TIPC_NODE_STATE). */
    public static final int TIPC_NODE_STATE = 0;
    /**
     * The topology server's service type, bound as {1, 1, 1} (TIPC_TOP_SRV). Not {@link #TOP_SRV}, the node-local
     * message user 15 of msg.h.
     */
    public static final int TIPC_TOP_SRV = 1;
    /** Link-state bindings {2, peer, peer}, one per link (TIPC_LINK_STATE). */
    public static final int TIPC_LINK_STATE = 2;
    /** User sockets may not bind service types below this (TIPC_RESERVED_TYPES). */
    public static final int TIPC_RESERVED_TYPES = 64;

    // ---- capabilities, node.h; LINK_CONFIG w1 bits 27-15 ----
    public static final int TIPC_SYN_BIT = 1;
    public static final int TIPC_BCAST_SYNCH = 1 << 1;
    public static final int TIPC_BCAST_STATE_NACK = 1 << 2;
    public static final int TIPC_BLOCK_FLOWCTL = 1 << 3;
    public static final int TIPC_BCAST_RCAST = 1 << 4;
    public static final int TIPC_NODE_ID128 = 1 << 5;
    public static final int TIPC_LINK_PROTO_SEQNO = 1 << 6;
    public static final int TIPC_MCAST_RBCTL = 1 << 7;
    public static final int TIPC_GAP_ACK_BLOCK = 1 << 8;
    public static final int TIPC_TUNNEL_ENHANCED = 1 << 9;
    public static final int TIPC_NAGLE = 1 << 10;
    public static final int TIPC_NAMED_BCAST = 1 << 11;
    /** What 6.1/6.12 advertise. */
    public static final int TIPC_NODE_CAPABILITIES = 0x0FFF;
    private static final String[] CAP_NAMES = {"SYN_BIT", "BCAST_SYNCH", "BCAST_STATE_NACK",
        "BLOCK_FLOWCTL", "BCAST_RCAST", "NODE_ID128", "LINK_PROTO_SEQNO", "MCAST_RBCTL",
        "GAP_ACK_BLOCK", "TUNNEL_ENHANCED", "NAGLE", "NAMED_BCAST"};

    // ---- media (bearer.h) ----
    public static final int MEDIA_INFO_SIZE = 32;
    /** Discovery media block starts at word 5 (byte 20). */
    public static final int MEDIA_INFO_OFFSET = 20;
    public static final int MEDIA_TYPE_ETH = 1;
    public static final int MEDIA_TYPE_IB = 2;
    public static final int MEDIA_TYPE_UDP = 3;
    public static final int ETH_P_TIPC = 0x88CA;
    public static final int NODE_ID_LEN = 16;

    // ---- crypto (crypto.h, uapi tipc.h) ----
    public static final int EHDR_SIZE = 16;
    public static final int EHDR_CFG_SIZE = 28;
    public static final int AES_GCM_TAG_SIZE = 16;
    public static final int AEAD_ALG_NAME = 32;
    public static final int AEAD_KEYLEN_MIN = 20;
    public static final int AEAD_KEYLEN_MAX = 36;
    public static final int CLUSTER_KEY = 1;
    public static final int PER_NODE_KEY = 2;

    /** Item of a NAME_DISTRIBUTOR message (struct distr_item), bytes. */
    public static final int ITEM_SIZE = 20;

    public static boolean isData(int user) {
        return user <= CRITICAL_IMPORTANCE;
    }

    /** Kernel name of a user value, or null if unknown (4, 15 are node-local and reported unknown). */
    public static String userName(int user) {
        switch (user) {
            case 0: return "TIPC_LOW_IMPORTANCE";
            case 1: return "TIPC_MEDIUM_IMPORTANCE";
            case 2: return "TIPC_HIGH_IMPORTANCE";
            case 3: return "TIPC_CRITICAL_IMPORTANCE";
            case BCAST_PROTOCOL: return "BCAST_PROTOCOL";
            case MSG_BUNDLER: return "MSG_BUNDLER";
            case LINK_PROTOCOL: return "LINK_PROTOCOL";
            case CONN_MANAGER: return "CONN_MANAGER";
            case GROUP_PROTOCOL: return "GROUP_PROTOCOL";
            case TUNNEL_PROTOCOL: return "TUNNEL_PROTOCOL";
            case NAME_DISTRIBUTOR: return "NAME_DISTRIBUTOR";
            case MSG_FRAGMENTER: return "MSG_FRAGMENTER";
            case LINK_CONFIG: return "LINK_CONFIG";
            case MSG_CRYPTO: return "MSG_CRYPTO";
            default: return null;
        }
    }

    /** Kernel name of a message type for a user, or null if unknown. */
    public static String typeName(int user, int type) {
        String[] t = user >= 0 && user < TYPE_NAMES.length ? TYPE_NAMES[user] : null;
        return t != null && type >= 0 && type < t.length ? t[type] : null;
    }

    /** Type names per user (null: user without named types). */
    private static final String[][] TYPE_NAMES = new String[16][];

    static {
        String[] data = {"TIPC_CONN_MSG", "TIPC_MCAST_MSG", "TIPC_NAMED_MSG", "TIPC_DIRECT_MSG",
            "TIPC_GRP_MEMBER_EVT", "TIPC_GRP_BCAST_MSG", "TIPC_GRP_MCAST_MSG", "TIPC_GRP_UCAST_MSG"};
        for (int u = 0; u < 4; u++) TYPE_NAMES[u] = data;
        TYPE_NAMES[BCAST_PROTOCOL] = new String[] {"STATE_MSG"};
        TYPE_NAMES[MSG_BUNDLER] = new String[] {"BUNDLE"};
        TYPE_NAMES[LINK_PROTOCOL] = new String[] {"STATE_MSG", "RESET_MSG", "ACTIVATE_MSG"};
        TYPE_NAMES[CONN_MANAGER] = new String[] {"CONN_PROBE", "CONN_PROBE_REPLY", "CONN_ACK"};
        TYPE_NAMES[GROUP_PROTOCOL] = new String[] {"GRP_JOIN_MSG", "GRP_LEAVE_MSG", "GRP_ADV_MSG", "GRP_ACK_MSG",
            "GRP_RECLAIM_MSG", "GRP_REMIT_MSG"};
        TYPE_NAMES[TUNNEL_PROTOCOL] = new String[] {"SYNCH_MSG", "FAILOVER_MSG"};
        TYPE_NAMES[NAME_DISTRIBUTOR] = new String[] {"PUBLICATION", "WITHDRAWAL"};
        TYPE_NAMES[MSG_FRAGMENTER] = new String[] {"FIRST_FRAGMENT", "FRAGMENT", "LAST_FRAGMENT"};
        TYPE_NAMES[LINK_CONFIG] = new String[] {"DSC_REQ_MSG", "DSC_RESP_MSG", "DSC_TRIAL_MSG", "DSC_TRIAL_FAIL_MSG"};
        TYPE_NAMES[MSG_CRYPTO] = new String[] {"KEY_DISTR_MSG"};
    }

    /** uapi tipc.h error code names, or null. */
    public static String errName(int err) {
        switch (err) {
            case 0: return "TIPC_OK";
            case 1: return "TIPC_ERR_NO_NAME";
            case 2: return "TIPC_ERR_NO_PORT";
            case 3: return "TIPC_ERR_NO_NODE";
            case 4: return "TIPC_ERR_OVERLOAD";
            case 5: return "TIPC_CONN_SHUTDOWN";
            default: return null;
        }
    }

    /** Lookup scope names (w1 bits 20-19), or null. */
    public static String scopeName(int scope) {
        switch (scope) {
            case 0: return "NONE";
            case 1: return "TIPC_ZONE_SCOPE";
            case 2: return "TIPC_CLUSTER_SCOPE";
            case 3: return "TIPC_NODE_SCOPE";
            default: return null;
        }
    }

    /** Media type names (bearer.h), or null. */
    public static String mediaName(int t) {
        switch (t) {
            case MEDIA_TYPE_ETH: return "ETH";
            case MEDIA_TYPE_IB: return "IB";
            case MEDIA_TYPE_UDP: return "UDP";
            default: return null;
        }
    }

    /** Capability bits as "NAME|NAME|0x1000" (unknown bits in hex); "" for 0. */
    public static String capabilitiesString(int caps) {
        if (caps >= 0 && caps < CAPS_TEXT.length) {
            String c = CAPS_TEXT[caps]; // a benign race: Strings are immutable, any thread may fill a slot
            if (c == null) CAPS_TEXT[caps] = c = capsText(caps);
            return c;
        }
        return capsText(caps);
    }

    /** Texts of the 13-bit capability fields seen so far (node_capabilities, w1 bits 27-15). */
    private static final String[] CAPS_TEXT = new String[1 << 13];

    private static String capsText(int caps) {
        StringBuilder sb = new StringBuilder();
        int rest = caps;
        for (int i = 0; i < CAP_NAMES.length; i++) {
            if ((caps & (1 << i)) != 0) {
                if (sb.length() > 0) sb.append('|');
                sb.append(CAP_NAMES[i]);
                rest &= ~(1 << i);
            }
        }
        if (rest != 0) {
            if (sb.length() > 0) sb.append('|');
            sb.append("0x").append(Integer.toHexString(rest));
        }
        return sb.toString();
    }
}
