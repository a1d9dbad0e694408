package io.jtipc.cli.pcap;

/** Kernel names of message users and types (net/tipc/msg.h, include/uapi/linux/tipc.h). */
final class Names {
    private Names() {
    }

    static final String[] USERS = {
        "LOW_IMPORTANCE", "MEDIUM_IMPORTANCE", "HIGH_IMPORTANCE", "CRITICAL_IMPORTANCE", "USER_4",
        "BCAST_PROTOCOL", "MSG_BUNDLER", "LINK_PROTOCOL", "CONN_MANAGER", "GROUP_PROTOCOL",
        "TUNNEL_PROTOCOL", "NAME_DISTRIBUTOR", "MSG_FRAGMENTER", "LINK_CONFIG", "MSG_CRYPTO", "USER_15"};

    private static final String[] DATA = {"CONN_MSG", "MCAST_MSG", "NAMED_MSG", "DIRECT_MSG", "GRP_MEMBER_EVT",
        "GRP_BCAST_MSG", "GRP_MCAST_MSG", "GRP_UCAST_MSG"};
    private static final String[] LINK = {"STATE_MSG", "RESET_MSG", "ACTIVATE_MSG"};
    private static final String[] CONN = {"CONN_PROBE", "CONN_PROBE_REPLY", "CONN_ACK"};
    private static final String[] NAMED = {"PUBLICATION", "WITHDRAWAL"};
    private static final String[] FRAG = {"FIRST_FRAGMENT", "FRAGMENT", "LAST_FRAGMENT"};
    private static final String[] TUNNEL = {"SYNCH_MSG", "FAILOVER_MSG"};
    private static final String[] DSC = {"DSC_REQ_MSG", "DSC_RESP_MSG", "DSC_TRIAL_MSG", "DSC_TRIAL_FAIL_MSG"};
    private static final String[] GRP = {"GRP_JOIN_MSG", "GRP_LEAVE_MSG", "GRP_ADV_MSG", "GRP_ACK_MSG",
        "GRP_RECLAIM_MSG", "GRP_REMIT_MSG"};
    private static final String[] CRYPTO = {"KEY_DISTR_MSG"};
    private static final String[] BCAST = {"STATE_MSG"};
    private static final String[] BUNDLE = {"BUNDLE"};
    private static final String[] TYPE_N = {"TYPE_0", "TYPE_1", "TYPE_2", "TYPE_3", "TYPE_4", "TYPE_5", "TYPE_6", "TYPE_7"};

    static final String[] ERRORS = {"TIPC_OK", "TIPC_ERR_NO_NAME", "TIPC_ERR_NO_PORT", "TIPC_ERR_NO_NODE",
        "TIPC_ERR_OVERLOAD", "TIPC_CONN_SHUTDOWN"};

    static String user(int u) { return USERS[u & 15]; }

    private static final byte[][] USER_BYTES = new byte[16][];
    /** [user][type] → name bytes. */
    private static final byte[][][] TYPE_BYTES = new byte[16][8][];

    static {
        for (int u = 0; u < 16; u++) {
            USER_BYTES[u] = USERS[u].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (int t = 0; t < 8; t++) TYPE_BYTES[u][t] = type(u, t).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    /** {@link #user} as ASCII bytes (a shared constant: do not modify). */
    static byte[] userBytes(int u) { return USER_BYTES[u & 15]; }

    /** {@link #type} as ASCII bytes (a shared constant: do not modify). */
    static byte[] typeBytes(int user, int type) { return TYPE_BYTES[user & 15][type & 7]; }

    static String type(int user, int type) {
        String[] t;
        switch (user) {
            case 0: case 1: case 2: case 3: t = DATA; break;
            case 5: t = BCAST; break;
            case 6: t = BUNDLE; break;
            case 7: t = LINK; break;
            case 8: t = CONN; break;
            case 9: t = GRP; break;
            case 10: t = TUNNEL; break;
            case 11: t = NAMED; break;
            case 12: t = FRAG; break;
            case 13: t = DSC; break;
            case 14: t = CRYPTO; break;
            default: t = TYPE_N;
        }
        return type < t.length ? t[type] : TYPE_N[type & 7];
    }

    static String error(int e) { return e < ERRORS.length ? ERRORS[e] : "ERR_" + e; }
}
