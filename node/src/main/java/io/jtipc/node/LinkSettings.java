package io.jtipc.node;

import io.jtipc.wire.Tipc;

/**
 * Link and bearer settings changed at run time, as {@code tipc link set} and {@code tipc bearer set} do (Linux 6.1
 * node.c {@code tipc_nl_node_set_link}, {@code tipc_node_apply_property}; bearer.c {@code __tipc_nl_bearer_set};
 * link.c {@code tipc_link_set_tolerance}, {@code tipc_link_set_prio}, {@code tipc_link_set_queue_limits}; ranges of
 * {@code tipc_nl_parse_link_prop}). Sans-IO like the rest of the core: the STATE messages that tell the peer go to
 * {@code out}; call from the thread that owns the {@link NodeCore}.
 *
 * <ul>
 *   <li>Tolerance (ms, 50-30000): the link's (and the peer's broadcast receive link's) tolerance; an up link sends a
 *       STATE carrying it ({@code msg_link_tolerance}, w9 bits 15-0), which the peer adopts (link.c
 *       tipc_link_proto_rcv). The keepalive interval follows at the next node timer (tipc_node_calculate_timer).</li>
 *   <li>Priority (0-31): the link's priority; a STATE carries it ({@code msg_linkprio}, w5 bits 8-4; 0 means "no
 *       change" to the peer); the peer, seeing a different priority, fails its end (LINK_FAILURE_EVT), both ends
 *       re-establish with the new priority and the active slots are chosen again (failover, then synch).</li>
 *   <li>Window (packets, 50-8191): the link's maximum congestion window; the window restarts at its minimum and the
 *       backlog limits are recomputed. Local only: nothing is sent.</li>
 *   <li>Bearer: tolerance is stored and applied to every link on the bearer (tipc_node_apply_property); priority
 *       and window are stored for links created later only (the kernel's bearer.c does the same).</li>
 * </ul>
 */
public final class LinkSettings {
    /** link.h TIPC_MIN_LINK_TOL, TIPC_MAX_LINK_TOL: tolerance range, ms. */
    public static final int MIN_TOLERANCE = 50, MAX_TOLERANCE = 30000;
    /** link.h TIPC_MAX_LINK_PRI: highest priority. */
    public static final int MAX_PRIORITY = 31;
    /**
     * Window range a link, bearer or media setting takes, packets: TIPC_DEF_LINK_WIN (50) to TIPC_MAX_LINK_WIN, as
     * link.c tipc_nl_parse_link_prop checks it since the windows grow by congestion control (TIPC_MIN_LINK_WIN, 16, is
     * only the floor the congestion window itself may fall to).
     */
    public static final int MIN_WINDOW = 50, MAX_WINDOW = 8191;

    private LinkSettings() {
    }

    /**
     * link.c tipc_link_set_tolerance: {@code tol} ms on link {@code l}; if it is up, a STATE with the tolerance field
     * set goes to the peer.
     *
     * @return 0, or {@link Errno#EINVAL} if {@code tol} is outside 50-30000 (nothing changed)
     */
    public static int setTolerance(Link l, int tol, Outbox out) {
        if (tol < MIN_TOLERANCE || tol > MAX_TOLERANCE) return Errno.EINVAL;
        l.setTolerance(tol);
        if (l.isUp()) stateWith(l, tol, 0, out);
        return 0;
    }

    /** link.c tipc_link_prio: the link's priority, 0-31 (what TIPC_NLA_PROP_PRIO reports for it). */
    public static int priority(Link l) {
        return l.priority;
    }

    /**
     * link.c tipc_link_set_prio: priority {@code prio} on link {@code l} and a STATE carrying it (sent only if the link
     * is up, as tipc_link_build_proto_msg does).
     *
     * @return 0, or {@link Errno#EINVAL} if {@code prio} is outside 0-31
     */
    public static int setPriority(Link l, int prio, Outbox out) {
        if (prio < 0 || prio > MAX_PRIORITY) return Errno.EINVAL;
        l.priority = prio;
        stateWith(l, 0, prio, out);
        return 0;
    }

    /**
     * link.c tipc_link_set_queue_limits(l, min_win, win): maximum window {@code win} packets, slow-start threshold
     * {@code win}, window back to the minimum, backlog limits recomputed from the minimum window.
     *
     * @return 0, or {@link Errno#EINVAL} if {@code win} is outside 50-8191
     */
    public static int setWindow(Link l, int win) {
        if (win < MIN_WINDOW || win > MAX_WINDOW) return Errno.EINVAL;
        l.maxWin = win;
        l.ssthresh = win;
        l.window = l.minWin;
        l.setQueueLimits();
        return 0;
    }

    /**
     * bearer.c __tipc_nl_bearer_set, tolerance: stored in the bearer's configuration (new links) and applied to every
     * link on the bearer ({@link #setTolerance}, node.c tipc_node_apply_property).
     *
     * @return 0, or {@link Errno#EINVAL} (no such bearer, or out of range)
     */
    public static int setBearerTolerance(NodeCore core, int bearerId, int tol, Outbox out) {
        Bearer b = core.bearer(bearerId);
        if (b == null || tol < MIN_TOLERANCE || tol > MAX_TOLERANCE) return Errno.EINVAL;
        BearerConfig c = b.config;
        b.config = new BearerConfig(c.name(), c.media(), c.ownAddr(), c.mtu(), c.priority(), tol, c.window(),
            c.domain());
        for (Link l : core.links()) if (l.bearer == b) setTolerance(l, tol, out);
        return 0;
    }

    /**
     * bearer.c __tipc_nl_bearer_set, priority: stored for links created on the bearer from now on; existing links keep
     * theirs (change them with {@link #setPriority}).
     *
     * @return 0, or {@link Errno#EINVAL}
     */
    public static int setBearerPriority(NodeCore core, int bearerId, int prio) {
        Bearer b = core.bearer(bearerId);
        if (b == null || prio < 0 || prio > MAX_PRIORITY) return Errno.EINVAL;
        BearerConfig c = b.config;
        b.config = new BearerConfig(c.name(), c.media(), c.ownAddr(), c.mtu(), prio, c.tolerance(), c.window(),
            c.domain());
        return 0;
    }

    /**
     * bearer.c __tipc_nl_bearer_set, window: stored for links created on the bearer from now on (any value in range, a
     * UDP bearer's too: the media's 50 is only its default); existing links keep theirs (change them with
     * {@link #setWindow}).
     *
     * @return 0, or {@link Errno#EINVAL}
     */
    public static int setBearerWindow(NodeCore core, int bearerId, int win) {
        Bearer b = core.bearer(bearerId);
        if (b == null || win < MIN_WINDOW || win > MAX_WINDOW) return Errno.EINVAL;
        BearerConfig c = b.config;
        b.config = new BearerConfig(c.name(), c.media(), c.ownAddr(), c.mtu(), c.priority(), c.tolerance(), win,
            c.domain());
        return 0;
    }

    /**
     * {@code tipc link monitor set threshold N} (monitor.c tipc_nl_monitor_set_threshold): neighbour monitoring is
     * active on a bearer with more than N peers (count including this node; default {@link Monitor#DEF_THRESHOLD}).
     * Takes effect at each link's next timer tick.
     *
     * @return 0, or {@link Errno#EINVAL} if N is negative or above {@link Monitor#MAX_THRESHOLD}
     */
    public static int setMonitorThreshold(NodeCore core, int n) {
        if (n < 0 || n > Monitor.MAX_THRESHOLD) return Errno.EINVAL;
        core.crypto().net().monThreshold = n;
        return 0;
    }

    /** The threshold set by {@link #setMonitorThreshold} (count of peers). */
    public static int monitorThreshold(NodeCore core) { return core.crypto().net().monThreshold; }

    /** tipc_link_build_proto_msg(l, STATE_MSG, 0, 0, tolerance, priority): a STATE whose w9 fields carry the values. */
    private static void stateWith(Link l, int tol, int prio, Outbox out) {
        l.buildProto(Tipc.STATE_MSG, false, false, 0, tol, prio, out);
    }
}
