package io.jtipc.node;

import static io.jtipc.node.GroupMember.State.*;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

import io.jtipc.wire.Seqno;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcEvent;
import io.jtipc.wire.TipcMsg;

/**
 * The communication group of one group socket (Linux 6.1 net/tipc/group.c {@code struct tipc_group}): the other
 * members ({@link GroupMember}) with their states, the per-member flow control (receive windows advertised in GRP_ADV,
 * at most {@link #maxActive} members ACTIVE with {@link #ADV_ACTIVE} blocks, the others {@link #ADV_IDLE}, space taken
 * back by RECLAIM/REMIT), the broadcast sequence ({@code bc_snd_nxt}, per-member {@code bc_rcv_nxt}, GRP_ACK of
 * replicasts sent with the ack-request bit) and the member events (JOINED at the member's JOIN synch point, LEFT at its
 * LEAVE synch point, or at once when its node is down).
 *
 * <p>Sans-IO: GROUP_PROTOCOL messages go out through {@link SocketTable#xmit}; messages for the socket (its
 * {@code inputq}) are added to the list each call is given. {@link #wakeup} is set where group.c sets
 * {@code *usr_wakeup}. Sizes are in blocks of {@link #FLOWCTL_BLK_SZ} bytes as in the kernel.
 */
final class Group {
    /** socket.h FLOWCTL_BLK_SZ, bytes per flow-control block. */
    static final int FLOWCTL_BLK_SZ = 1024;
    /** group.c ADV_UNIT = (MAX_MSG_SIZE + MAX_H_SIZE) / FLOWCTL_BLK_SZ + 1 = 65 blocks: one maximal message. */
    static final int ADV_UNIT = (Tipc.MAX_MSG_SIZE + Tipc.MAX_H_SIZE) / FLOWCTL_BLK_SZ + 1;
    /** group.c ADV_IDLE: the window of a member that is not actively sending to us, blocks. */
    static final int ADV_IDLE = ADV_UNIT;
    /** group.c ADV_ACTIVE: the window of an active member, blocks (780). */
    static final int ADV_ACTIVE = ADV_UNIT * 12;
    /**
     * jtipc bound (the kernel has none): bytes one member may have waiting in its deferred queue. A member that keeps
     * to the windows we advertised never has more than {@link #ADV_ACTIVE} blocks in flight to us; twice that is kept
     * for member events and rounding. Past it the message is dropped and logged.
     */
    static final int DEFERRED_LIMIT_BYTES = 2 * ADV_ACTIVE * FLOWCTL_BLK_SZ;
    /**
     * jtipc bound: messages one member may have deferred. Each message takes at least one block of its sender's
     * window, so an honest member has at most {@link #ADV_ACTIVE} in flight; twice that bounds the sorted insert of
     * {@link #sortMsg} (the kernel's list walk) to 1 560 steps per message.
     */
    static final int DEFERRED_LIMIT_MSGS = 2 * ADV_ACTIVE;
    /**
     * jtipc bound: bytes deferred for the members on one peer node, in all group sockets of this node together (a
     * node may host many members: 16 MiB is ten members' full windows). Messages past it are dropped and logged.
     */
    static final long DEFERRED_NODE_BYTES = 16L << 20;
    /** jtipc bound: messages deferred for the members on one peer node, in all group sockets together. */
    static final int DEFERRED_NODE_MSGS = 16384;
    /** jtipc bound: bytes deferred by all group sockets of this node together, for all peers. */
    static final long DEFERRED_TOTAL_BYTES = 64L << 20;
    /** jtipc bound: messages deferred by all group sockets of this node together. */
    static final int DEFERRED_TOTAL_MSGS = 65536;
    /**
     * jtipc bound (the kernel has none): members created by a JOIN before their binding is seen (MBR_JOINING, and
     * LEAVING if their LEAVE came before the binding too: {@link GroupMember#unbound}), ~300
     * bytes each (1.2 MB per group socket at most). A JOIN past it is dropped and logged; bound members are limited by the binding table's own limits.
     * A dropped JOIN is not sent again: if its member's binding then arrives, that member stays PUBLISHED here (no
     * JOINED event, its messages dropped) while it counts us as joined, so the bound is far above what an honest
     * cluster has in flight.
     */
    static final int MAX_JOINING = 4096;
    /**
     * jtipc bound: members of one peer node counted against {@link #MAX_JOINING} (1024). A JOIN normally waits only until the member's
     * binding arrives; one node cannot take more than a quarter of {@link #MAX_JOINING} and so shut out the JOINs of
     * others.
     */
    static final int MAX_JOINING_PER_NODE = MAX_JOINING / 4;
    /**
     * jtipc bound: members whose binding was withdrawn while their node is up and whose LEFT event has not been
     * delivered yet ({@link GroupMember#lingering}: its LEAVE's synch point is ahead, or no LEAVE came), all nodes
     * together; per node {@link #MAX_LINGERING_PER_NODE}. An honest member lingers only until the broadcasts it sent
     * before its LEAVE arrive; a peer that publishes, JOINs, LEAVEs with a far synch point and withdraws, port after
     * port, made the members grow without bound (the kernel keeps such a member until its node goes). One past the
     * bound is LEFT at once (what is deferred for it is dropped), counted in {@link #lingerEnds} and logged at powers of two.
     */
    static final int MAX_LINGERING = 4096;
    /** jtipc bound: lingering members of one peer node ({@link #MAX_LINGERING}), 1024. */
    static final int MAX_LINGERING_PER_NODE = MAX_LINGERING / 4;
    /**
     * jtipc bound on the receive buffer limit of a group socket, bytes: the kernel's formula ({@link #rcvbufLimit})
     * gives ~450 MB for 1 000 members and overflows an int past ~4 700. 128 MiB holds the full windows of ~1 300
     * members in message bytes (jtipc counts message bytes, the formula kernel truesize).
     */
    static final long RCVBUF_MAX = 128L << 20;

    private final Net net;
    private final SocketTable st;
    final int type;
    final int instance;
    final int scope;
    final int portid;
    final boolean loopback;
    final boolean events;
    private final TreeMap<Long, GroupMember> members = new TreeMap<>(Long::compareUnsigned);
    /** Receivers whose send window is below {@link #ADV_IDLE}, smallest window first (group.c small_win). */
    private final List<GroupMember> smallWin = new ArrayList<>();
    private final LinkedHashSet<GroupMember> pending = new LinkedHashSet<>();
    private final LinkedHashSet<GroupMember> active = new LinkedHashSet<>();
    int memberCnt;
    int activeCnt;
    int maxActive;
    /** Next broadcast seqno we send (u16). */
    int bcSndNxt;
    /** Members still to acknowledge our last broadcast sent with the ack-request bit. */
    int bcAckers;
    /** group.c *grp->open: false while a send is blocked by a member window or missing acks. */
    boolean open;
    /** Set where the kernel sets *usr_wakeup: a blocked sender may retry. Cleared by the socket. */
    boolean wakeup;
    private int joiningCnt;
    /** Members that came by a JOIN with no binding seen ({@link GroupMember#unbound}), by node (only nodes that have some). */
    private final java.util.HashMap<Integer, Integer> joiningByNode = new java.util.HashMap<>();
    /** Lingering members ({@link GroupMember#lingering}), in all and by node (only nodes that have some). */
    private int lingerCnt;
    private final java.util.HashMap<Integer, Integer> lingerByNode = new java.util.HashMap<>();
    /** Messages dropped over a deferred bound (member, peer node, total), JOINs over {@link #MAX_JOINING} or per node. */
    long deferredDrops;
    long joinDrops;
    /** Lingering members LEFT at once over {@link #MAX_LINGERING} or {@link #MAX_LINGERING_PER_NODE}. */
    long lingerEnds;
    private final TipcMsg w = new TipcMsg();
    /** A second view, for a queue's head while {@link #w} holds the message being filtered. */
    private final TipcMsg headView = new TipcMsg();

    /** group.c tipc_group_create (the binding subscription is made by the socket). */
    Group(Net net, SocketTable st, int portid, int type, int instance, int scope, boolean loopback, boolean events) {
        this.net = net;
        this.st = st;
        this.portid = portid;
        this.type = type;
        this.instance = instance;
        this.scope = scope;
        this.loopback = loopback;
        this.events = events;
    }

    // ====================================================================== membership

    /** group.c tipc_group_exclude: the own port is skipped in lookups unless LOOPBACK. */
    int exclude() {
        return loopback ? 0 : portid;
    }

    static boolean isReceiver(GroupMember m) {
        return m != null && m.state != MBR_JOINING && m.state != MBR_LEAVING;
    }

    static boolean isSender(GroupMember m) {
        return m != null && m.state != MBR_JOINING && m.state != MBR_PUBLISHED;
    }

    GroupMember find(int node, int port) {
        return members.get(GroupMember.key(node, port));
    }

    int size() {
        return memberCnt;
    }

    /** Lingering members now ({@link GroupMember#lingering}, count; tests). */
    int lingering() {
        return lingerCnt;
    }

    /** The members, in tree order (node, port), for inspection. */
    List<GroupMember> members() {
        return List.copyOf(members.values());
    }

    /** group.c tipc_group_open: the member leaves small_win; a blocked sender may retry. */
    private void open(GroupMember m) {
        if (!smallWin.remove(m)) return;
        open = true;
        wakeup = true;
    }

    private void decrActive(GroupMember m) {
        if (m.state == MBR_ACTIVE || m.state == MBR_RECLAIMING || m.state == MBR_REMITTED) activeCnt--;
    }

    /**
     * group.c tipc_group_rcvbuf_limit: at most clamp(members / 8, 16, 64) members may send actively; the socket's
     * receive buffer holds their {@link #ADV_ACTIVE} windows and the others' {@link #ADV_IDLE}, scaled to bytes with the
     * kernel's worst-case truesize factor 4.
     *
     * @return the receive buffer limit, bytes
     */
    int rcvbufLimit() {
        int mcnt = memberCnt + 1;
        maxActive = Math.max(Math.min(mcnt / 8, 64), 16);
        long activePool = (long) maxActive * ADV_ACTIVE;
        long idlePool = (long) (mcnt - maxActive) * ADV_IDLE;
        return (int) Math.min((activePool + idlePool) * FLOWCTL_BLK_SZ * 4, RCVBUF_MAX);
    }

    private GroupMember createMember(int node, int port, int inst, GroupMember.State state) {
        long key = GroupMember.key(node, port);
        if (members.containsKey(key)) return null;
        GroupMember m = new GroupMember(node, port, inst, state);
        m.bcAcked = (bcSndNxt - 1) & 0xFFFF;
        members.put(key, m);
        memberCnt++;
        if (state == MBR_JOINING) unbound(m, true);
        return m;
    }

    private void setState(GroupMember m, GroupMember.State s) {
        m.state = s;
    }

    /**
     * Counts member {@code m} in ({@code u} true) or out of the members that came by a JOIN with no binding seen
     * ({@link GroupMember#unbound}): in MBR_JOINING, or LEAVING after a JOIN and a LEAVE before the binding.
     */
    private void unbound(GroupMember m, boolean u) {
        if (m.unbound == u) return;
        m.unbound = u;
        int d = u ? 1 : -1;
        joiningCnt += d;
        int n = joiningByNode.getOrDefault(m.node, 0) + d;
        if (n > 0) joiningByNode.put(m.node, n);
        else joiningByNode.remove(m.node);
    }

    /** Counts member {@code m} in ({@code l} true) or out of the lingering members ({@link GroupMember#lingering}). */
    private void lingering(GroupMember m, boolean l) {
        if (m.lingering == l) return;
        m.lingering = l;
        int d = l ? 1 : -1;
        lingerCnt += d;
        int n = lingerByNode.getOrDefault(m.node, 0) + d;
        if (n > 0) lingerByNode.put(m.node, n);
        else lingerByNode.remove(m.node);
    }

    /**
     * Member {@code m}'s binding was withdrawn while its node is up: it lingers until its LEFT event is delivered, or
     * is LEFT at once past the lingering bounds ({@link #MAX_LINGERING}).
     */
    private void linger(GroupMember m, List<byte[]> inputq) {
        if (m.lingering) return;
        int ofNode = lingerByNode.getOrDefault(m.node, 0);
        if (lingerCnt < MAX_LINGERING && ofNode < MAX_LINGERING_PER_NODE) {
            lingering(m, true);
            return;
        }
        if (Long.bitCount(++lingerEnds) == 1) {
            net.log("group " + type + ": member " + Integer.toHexString(m.node) + ":" + Integer.toUnsignedString(m.port)
                + " withdrawn with its LEFT not yet due, " + lingerCnt + " such members, " + ofNode + " of that node:"
                + " LEFT at once (group linger ends " + lingerEnds + ")");
        }
        leftNow(m, inputq);
    }

    /**
     * Member {@code m}'s LEFT event now, into {@code inputq}: what it has deferred is dropped first (an event goes to
     * the queue's tail, group.c tipc_group_sort_msg, so a LEFT still waiting there for a synch point far ahead, or
     * messages waiting for broadcasts that will not come, would hold it back for good).
     */
    private void leftNow(GroupMember m, List<byte[]> inputq) {
        m.bcSyncpt = m.bcRcvNxt;
        dropDeferred(m);
        m.leftQueued = false;
        createEvent(m, TipcEvent.TIPC_WITHDRAWN, m.bcRcvNxt, inputq);
    }

    /**
     * jtipc: {@code node} is lost (node_lost_contact). Its members that came by a JOIN with no binding seen ({@link
     * GroupMember#unbound}) are deleted without an event: no binding WITHDRAWN will come to end them, the application
     * never saw them JOINED, and they would hold the joining bounds for good. Members with a binding end as the kernel's,
     * by its withdrawal (LEFT at once: the node is down). Lingering members ({@link GroupMember#lingering}: binding gone
     * while the node was up, no withdrawal will come) get their LEFT event at once into {@code inputq}, as a
     * withdrawal with the node down gives it.
     *
     * @return true if members were deleted or LEFT events made (the receive buffer limit, {@link #rcvbufLimit}, is
     *         then lower, or will be once {@code inputq} is filtered)
     */
    boolean nodeLost(int node, List<byte[]> inputq) {
        if (!joiningByNode.containsKey(node) && !lingerByNode.containsKey(node)) return false;
        for (GroupMember m : new ArrayList<>(members.subMap(GroupMember.key(node, 0), true, GroupMember.key(node, -1), true)
            .values())) {
            if (m.unbound) {
                m.bcAcked = (bcSndNxt - 1) & 0xFFFF; // never a receiver counted in bcAckers: deleting it releases no wait
                deleteMember(m);
            } else if (m.lingering) {
                leftNow(m, inputq);
            }
        }
        return true;
    }

    /** group.c tipc_group_add_member: a member found in the binding table at join (tipc_nametbl_build_group). */
    void addMember(int node, int port, int inst) {
        createMember(node, port, inst, MBR_PUBLISHED);
    }

    private void deleteMember(GroupMember m) {
        members.remove(GroupMember.key(m.node, m.port));
        memberCnt--;
        unbound(m, false);
        lingering(m, false);
        // were we waiting for this member's replicast ack?
        if (bcAckers > 0 && Seqno.less(m.bcAcked, (bcSndNxt - 1) & 0xFFFF) && --bcAckers == 0) {
            wakeup = true; // jtipc: the kernel's waiting sender rechecks on any socket wake-up
        }
        active.remove(m);
        pending.remove(m);
        smallWin.remove(m);
        decrActive(m);
        dropDeferred(m);
    }

    /** Drops what member {@code m} has deferred, giving its bytes back to the node's budgets. */
    private void dropDeferred(GroupMember m) {
        if (m.deferredq.isEmpty()) return;
        net.groupDeferred.give(m.node, m.deferredBytes, m.deferredq.size());
        m.deferredq.clear();
        m.deferredBytes = 0;
    }

    /** The nodes that host members (group.c grp->dests): own node first if any, then the others ascending. */
    void dests(List<Integer> remote, boolean[] local) {
        TreeSet<Integer> nodes = new TreeSet<>(Integer::compareUnsigned);
        local[0] = false;
        for (GroupMember m : members.values()) {
            if (m.node == net.ownAddr) local[0] = true;
            else nodes.add(m.node);
        }
        remote.addAll(nodes);
    }

    /** group.c tipc_group_join: JOIN to every member found at join; returns the receive buffer limit, bytes. */
    int join(long now, Outbox out) {
        for (GroupMember m : new ArrayList<>(members.values())) {
            protoXmit(m, Tipc.GRP_JOIN_MSG, now, out);
            updateMember(m, 0);
        }
        return rcvbufLimit();
    }

    /** group.c tipc_group_delete: LEAVE to every member, everything dropped. */
    void delete(long now, Outbox out) {
        // a copy: a LEAVE that overflows a link's backlog resets it, and losing the node's last link deletes members
        // here (nodeLost) while this walks them
        for (GroupMember m : new ArrayList<>(members.values())) {
            protoXmit(m, Tipc.GRP_LEAVE_MSG, now, out);
            dropDeferred(m);
        }
        members.clear();
        joiningByNode.clear();
        joiningCnt = 0;
        lingerByNode.clear();
        lingerCnt = 0;
        smallWin.clear();
        active.clear();
        pending.clear();
        memberCnt = 0;
    }

    // ====================================================================== sending side

    /** group.c tipc_group_update_member: {@code len} blocks used of the member's send window; small_win kept sorted. */
    void updateMember(GroupMember m, int len) {
        if (!isReceiver(m)) return;
        m.window = (m.window - len) & 0xFFFF;
        if (m.window >= ADV_IDLE) return;
        smallWin.remove(m);
        int i = 0;
        while (i < smallWin.size() && smallWin.get(i).window <= m.window) i++;
        smallWin.add(i, m);
    }

    /** group.c tipc_group_update_bc_members: a broadcast of {@code len} blocks went to every receiver. */
    void updateBcMembers(int len, boolean ack) {
        int prev = (bcSndNxt - 1) & 0xFFFF;
        int ackers = 0;
        for (GroupMember m : members.values()) {
            if (isReceiver(m)) {
                updateMember(m, len);
                m.bcAcked = prev;
                ackers++;
            }
        }
        if (ack) bcAckers = ackers;
        bcSndNxt = (bcSndNxt + 1) & 0xFFFF;
    }

    /** The member {@link #cong} looked at (group.c's {@code *mbr}); null if {node, port} is no receiver. */
    GroupMember lastMbr;

    /**
     * group.c tipc_group_cong: whether {@code len} blocks to member {node, port} exceed its send window; if so and we
     * have not yet advertised it our full window, a GRP_ADV is sent now against mutual blocking. Sets {@link #lastMbr}.
     */
    boolean cong(int node, int port, int len, long now, Outbox out) {
        GroupMember m = find(node, port);
        if (!isReceiver(m)) {
            lastMbr = null;
            return false;
        }
        lastMbr = m;
        if (m.window >= len) return false;
        open = false;
        int adv = m.advertised;
        if (m.state == MBR_JOINED && adv == ADV_IDLE) return true;
        if (m.state == MBR_ACTIVE && adv == ADV_ACTIVE) return true;
        if (m.state == MBR_PENDING && adv == ADV_IDLE) return true;
        protoXmit(m, Tipc.GRP_ADV_MSG, now, out);
        return true;
    }

    /** group.c tipc_group_bc_cong: blocked until the last ack-requesting broadcast is acked, or by the smallest window. */
    boolean bcCong(int len, long now, Outbox out) {
        if (bcAckers > 0) {
            open = false;
            return true;
        }
        if (smallWin.isEmpty()) return false;
        GroupMember m = smallWin.get(0);
        if (m.window >= len) return false;
        return cong(m.node, m.port, len, now, out);
    }

    // ====================================================================== receiving side

    private static boolean isBcast(int mtyp) {
        return mtyp == Tipc.TIPC_GRP_BCAST_MSG || mtyp == Tipc.TIPC_GRP_MCAST_MSG;
    }

    /**
     * group.c tipc_group_sort_msg: a broadcast is sorted in before the first message with a later bc seqno (it may be
     * bypassed); others go to the tail. A broadcast that is not before any queued message, as the member's seqno arc
     * shows ({@link GroupMember#deferredMin}), goes to the tail at once, as the walk would find no later message;
     * otherwise the walk, at most {@link #DEFERRED_LIMIT_MSGS} steps.
     */
    private void sortMsg(byte[] msg, GroupMember m) {
        TipcMsg h = w.wrap(msg, 0, msg.length);
        int seqno = h.grpBcSeqno();
        boolean bcast = isBcast(h.type());
        int i = m.deferredq.size();
        if (i == 0) {
            m.deferredMin = seqno;
            m.deferredMax = seqno;
            m.deferredWalk = false;
        } else {
            int span = (m.deferredMax - m.deferredMin) & 0xFFFF;
            int at = (seqno - m.deferredMin) & 0xFFFF; // where the new seqno falls, counted from the arc's start
            if (bcast && (m.deferredWalk || at < span || at >= 0x8000)) {
                for (int j = 0; j < m.deferredq.size(); j++) {
                    byte[] o = m.deferredq.get(j);
                    if (Seqno.less(seqno, w.wrap(o, 0, o.length).grpBcSeqno())) {
                        i = j;
                        break;
                    }
                }
            }
            if (m.deferredWalk || at <= span) {
                // inside the arc (or no arc kept): nothing to widen
            } else if (at < 0x8000) {
                m.deferredMax = seqno;
            } else if (((m.deferredMax - seqno) & 0xFFFF) < 0x8000) {
                m.deferredMin = seqno;
            } else {
                m.deferredWalk = true;
            }
        }
        m.deferredq.add(i, msg);
        m.deferredBytes += msg.length;
    }

    /**
     * Whether a broadcast with bc seqno {@code seqno} is sorted in at the head of {@code m}'s deferred queue ({@link
     * #sortMsg}): the queue is empty or its head is later. After each {@link #filterMsg} the head (if any) is later
     * than bc_rcv_nxt, so the broadcast carrying bc_rcv_nxt goes first, unless a peer placed the head exactly half the
     * sequence space away.
     */
    private boolean goesFirst(GroupMember m, int seqno) {
        if (m.deferredq.isEmpty()) return true;
        byte[] head = m.deferredq.get(0);
        return Seqno.less(seqno, headView.wrap(head, 0, head.length).grpBcSeqno());
    }

    /**
     * group.c tipc_group_filter_msg: a group message (data or member event) from a member that may send is held in
     * the member's deferred queue until every earlier broadcast of that member has arrived; then, in order, data and
     * (with MEMBER_EVTS) events go to {@code delivered} as {message, member instance} pairs, a multicast for another
     * instance is consumed here (its blocks returned to the window), an ack-requesting broadcast is acknowledged
     * (GRP_ACK), and a LEFT event ends the member.
     */
    void filterMsg(byte[] msg, List<Object[]> delivered, long now, Outbox out) {
        TipcMsg h = w.wrap(msg, 0, msg.length);
        int node = h.orignode();
        int port = h.origport();
        int mt = h.type();
        if (mt < Tipc.TIPC_GRP_MEMBER_EVT || mt > Tipc.TIPC_GRP_UCAST_MSG) return;
        GroupMember m = find(node, port);
        if (!isSender(m)) return;
        if (Seqno.less(h.grpBcSeqno(), m.bcRcvNxt)) return;
        if (mt == Tipc.TIPC_GRP_MEMBER_EVT || (h.grpBcSeqno() == m.bcRcvNxt
            && (isBcast(mt) ? goesFirst(m, m.bcRcvNxt) : m.deferredq.isEmpty()))) {
            // never refused, so charged whatever the bounds: our own JOINED/LEFT event (GroupSocket drops one from the
            // network; at most two per member), never lost in the kernel either; and a message that leaves in this
            // call: the broadcast the member's queue waits for (sorted in first, it takes what it releases along), or
            // a unicast with no broadcast missing before it and nothing queued (sortMsg puts a unicast at the tail,
            // where it would wait). The bounds are for what waits
            net.groupDeferred.force(node, msg.length);
        } else if (m.deferredBytes + msg.length > DEFERRED_LIMIT_BYTES || m.deferredq.size() >= DEFERRED_LIMIT_MSGS
            || !net.groupDeferred.take(node, msg.length)) {
            if (Long.bitCount(++deferredDrops) == 1) {
                net.log("group " + type + ": member " + Integer.toHexString(node) + ":" + Integer.toUnsignedString(port)
                    + " has " + m.deferredBytes + " bytes in " + m.deferredq.size() + " messages deferred, "
                    + net.groupDeferred.describe(node) + ", message dropped (group deferred drops " + deferredDrops + ")");
            }
            return;
        }
        sortMsg(msg, m);
        while (!m.deferredq.isEmpty()) {
            byte[] b = m.deferredq.get(0);
            h = w.wrap(b, 0, b.length);
            int mtyp = h.type();
            int blks = h.size() / FLOWCTL_BLK_SZ + 1;
            boolean deliver = true, ack = false, update = false, leave = false;
            if (Seqno.more(h.grpBcSeqno(), m.bcRcvNxt)) break;
            switch (mtyp) {
                case Tipc.TIPC_GRP_MCAST_MSG:
                    if (h.nameinst() != instance) {
                        update = true;
                        deliver = false;
                    }
                    // fall through
                case Tipc.TIPC_GRP_BCAST_MSG:
                    m.bcRcvNxt = (m.bcRcvNxt + 1) & 0xFFFF;
                    ack = h.grpBcAckReq() != 0;
                    break;
                case Tipc.TIPC_GRP_MEMBER_EVT:
                    if (m.state == MBR_LEAVING) leave = true;
                    if (!events) deliver = false;
                    break;
                default:
                    break;
            }
            m.deferredq.remove(0);
            m.deferredBytes -= b.length;
            net.groupDeferred.give(m.node, b.length, 1);
            if (deliver) delivered.add(new Object[] {b, m.instance});
            if (ack) protoXmit(m, Tipc.GRP_ACK_MSG, now, out);
            if (leave) {
                deleteMember(m);
                break;
            }
            if (update) updateRcvWin(blks, node, port, now, out);
        }
    }

    /**
     * group.c tipc_group_update_rcv_win: {@code blks} blocks from member {node, port} were consumed (read by the
     * application, or a multicast for another instance dropped). An idle member that sends becomes ACTIVE (or PENDING
     * past {@link #maxActive}, reclaiming from the oldest active member); an active one is re-advertised when its
     * window falls to 3/4 of {@link #ADV_ACTIVE}; a REMITTED one returns to JOINED and the oldest pending goes active.
     */
    void updateRcvWin(int blks, int node, int port, long now, Outbox out) {
        int reclaimLimit = maxActive * 3 / 4;
        int activeCnt0 = activeCnt;
        GroupMember m = find(node, port);
        if (m == null) return;
        m.advertised = (m.advertised - blks) & 0xFFFF;
        switch (m.state) {
            case MBR_JOINED:
                if (activeCnt0 <= maxActive) {
                    setState(m, MBR_ACTIVE);
                    active.add(m);
                    activeCnt++;
                    protoXmit(m, Tipc.GRP_ADV_MSG, now, out);
                } else {
                    setState(m, MBR_PENDING);
                    pending.add(m);
                }
                if (activeCnt0 < reclaimLimit) break;
                if (!active.isEmpty()) {
                    GroupMember rm = active.iterator().next();
                    setState(rm, MBR_RECLAIMING);
                    active.remove(rm);
                    protoXmit(rm, Tipc.GRP_RECLAIM_MSG, now, out);
                    break;
                }
                // nobody to reclaim from: the oldest pending goes back to JOINED
                Iterator<GroupMember> it = pending.iterator();
                GroupMember pm = it.next();
                it.remove();
                setState(pm, MBR_JOINED);
                protoXmit(pm, Tipc.GRP_ADV_MSG, now, out);
                break;
            case MBR_ACTIVE:
                active.remove(m);
                active.add(m); // list_move_tail: most recently active last
                if (m.advertised > ADV_ACTIVE * 3 / 4) break;
                protoXmit(m, Tipc.GRP_ADV_MSG, now, out);
                break;
            case MBR_REMITTED:
                if (m.advertised > ADV_IDLE) break;
                setState(m, MBR_JOINED);
                activeCnt--;
                if (m.advertised < ADV_IDLE) {
                    net.log("group " + type + ": unexpected message after REMIT from " + Integer.toHexString(node));
                    protoXmit(m, Tipc.GRP_ADV_MSG, now, out);
                }
                activateOldestPending(false, now, out);
                break;
            default:
                break;
        }
    }

    private void activateOldestPending(boolean onlyIfLow, long now, Outbox out) {
        if (pending.isEmpty()) return;
        GroupMember pm = pending.iterator().next();
        pending.remove(pm);
        setState(pm, MBR_ACTIVE);
        active.add(pm);
        activeCnt++;
        if (!onlyIfLow || pm.advertised <= ADV_ACTIVE * 3 / 4) protoXmit(pm, Tipc.GRP_ADV_MSG, now, out);
    }

    /**
     * group.c tipc_group_create_event: a TIPC_GRP_MEMBER_EVT message for the socket (critical importance, 44-byte
     * header, a struct tipc_event as data), sequenced at broadcast seqno {@code seqno} of member {@code m}.
     */
    private void createEvent(GroupMember m, int event, int seqno, List<byte[]> inputq) {
        if (event == TipcEvent.TIPC_WITHDRAWN) m.leftQueued = true;
        byte[] b = new byte[Tipc.GROUP_H_SIZE + TipcEvent.SIZE];
        TipcMsg h = new TipcMsg().wrap(b, 0, b.length);
        Msg.init(h, m.node, Tipc.CRITICAL_IMPORTANCE, Tipc.TIPC_GRP_MEMBER_EVT, Tipc.GROUP_H_SIZE, net.ownAddr);
        h.setSize(b.length);
        h.setOrigport(m.port);
        h.setDestport(portid);
        h.setNametype(type);
        h.setNameinst(m.instance);
        h.setGrpEvt(event);
        h.setDestDroppable(1);
        h.setGrpBcSeqno(seqno);
        new TipcEvent().wrap(b, Tipc.GROUP_H_SIZE, java.nio.ByteOrder.BIG_ENDIAN).setEvent(event)
            .setFoundLower(m.instance).setFoundUpper(m.instance).setPortRef(m.port).setPortNode(m.node);
        inputq.add(b);
    }

    /** group.c tipc_group_proto_xmit: a GROUP_PROTOCOL message to member {@code m} (40-byte header, dest-droppable). */
    private void protoXmit(GroupMember m, int mtyp, long now, Outbox out) {
        byte[] b = new byte[Tipc.INT_H_SIZE];
        TipcMsg h = new TipcMsg().wrap(b, 0, b.length);
        Msg.init(h, net.ownAddr, Tipc.GROUP_PROTOCOL, mtyp, Tipc.INT_H_SIZE, m.node);
        h.setOrigport(portid);
        h.setDestport(m.port);
        int adv = 0;
        if (m.state == MBR_ACTIVE) adv = ADV_ACTIVE - m.advertised;
        else if (m.state == MBR_JOINED || m.state == MBR_PENDING) adv = ADV_IDLE - m.advertised;
        adv &= 0xFFFF;
        switch (mtyp) {
            case Tipc.GRP_JOIN_MSG:
                h.setGrpBcSyncpt(bcSndNxt);
                h.setAdvWin(adv);
                m.advertised = (m.advertised + adv) & 0xFFFF;
                break;
            case Tipc.GRP_LEAVE_MSG:
                h.setGrpBcSyncpt(bcSndNxt);
                break;
            case Tipc.GRP_ADV_MSG:
                h.setAdvWin(adv);
                m.advertised = (m.advertised + adv) & 0xFFFF;
                break;
            case Tipc.GRP_ACK_MSG:
                h.setGrpBcAcked(m.bcRcvNxt);
                break;
            case Tipc.GRP_REMIT_MSG:
                h.setGrpRemitted(m.window);
                break;
            default:
                break;
        }
        h.setDestDroppable(1);
        st.xmit(b, m.node, now, out);
    }

    /**
     * group.c tipc_group_proto_rcv: JOIN (the member's synch point and first window; JOINED once its binding is also
     * seen), LEAVE (LEFT event at its synch point), ADV (window), ACK (of our ack-requesting broadcast), RECLAIM (we
     * give back our window: REMIT), REMIT (the member's reclaimed window is back).
     */
    void protoRcv(TipcMsg hdr, List<byte[]> inputq, long now, Outbox out) {
        int node = hdr.orignode();
        int port = hdr.origport();
        if (scope == Tipc.TIPC_NODE_SCOPE && node != net.ownAddr) return;
        GroupMember m = find(node, port);
        switch (hdr.type()) {
            case Tipc.GRP_JOIN_MSG:
                if (m == null) {
                    int ofNode = joiningByNode.getOrDefault(node, 0);
                    if (joiningCnt >= MAX_JOINING || ofNode >= MAX_JOINING_PER_NODE) {
                        if (Long.bitCount(++joinDrops) == 1) {
                            net.log("group " + type + ": JOIN from " + Integer.toHexString(node) + " dropped, "
                                + joiningCnt + " members joining without a binding, " + ofNode + " of that node"
                                + " (group join drops " + joinDrops + ")");
                        }
                        return;
                    }
                    m = createMember(node, port, 0, MBR_JOINING);
                }
                if (m == null) return;
                m.bcSyncpt = hdr.grpBcSyncpt();
                m.bcRcvNxt = m.bcSyncpt;
                m.window = (m.window + hdr.advWin()) & 0xFFFF;
                if (m.state != MBR_PUBLISHED) return; // wait for its binding
                setState(m, MBR_JOINED);
                open(m);
                updateMember(m, 0);
                protoXmit(m, Tipc.GRP_ADV_MSG, now, out);
                createEvent(m, TipcEvent.TIPC_PUBLISHED, m.bcSyncpt, inputq);
                return;
            case Tipc.GRP_LEAVE_MSG:
                if (m == null) return;
                m.bcSyncpt = hdr.grpBcSyncpt();
                // jtipc: LEFT now if the synch point is behind the member's next broadcast (no honest LEAVE has one:
                // the kernel's filter drops that event below bc_rcv_nxt and keeps the LEAVING member for good) or if
                // we never took its JOIN (PUBLISHED: nothing of it was taken, its bc_rcv_nxt means nothing)
                if (m.state == MBR_PUBLISHED || Seqno.less(m.bcSyncpt, m.bcRcvNxt)) {
                    m.bcSyncpt = m.bcRcvNxt;
                    dropDeferred(m); // what waits there (above bc_rcv_nxt) would hold the LEFT event back
                    m.leftQueued = false; // a LEFT of an earlier LEAVE went with it: made again below
                }
                active.remove(m);
                pending.remove(m);
                open(m);
                decrActive(m);
                setState(m, MBR_LEAVING);
                if (!m.leftQueued) createEvent(m, TipcEvent.TIPC_WITHDRAWN, m.bcSyncpt, inputq);
                return;
            case Tipc.GRP_ADV_MSG:
                if (m == null) return;
                m.window = (m.window + hdr.advWin()) & 0xFFFF;
                open(m);
                return;
            case Tipc.GRP_ACK_MSG:
                if (m == null) return;
                // a duplicate or stale ACK counts nothing (the kernel's later fix "tipc: fix bc_ackers underflow on
                // duplicate GRP_ACK_MSG": less_eq(acked, m->bc_acked) ignored): one member cannot release the wait
                // for the others
                if (!Seqno.more(hdr.grpBcAcked(), m.bcAcked)) return;
                m.bcAcked = hdr.grpBcAcked();
                if (bcAckers == 0 || --bcAckers > 0) return; // jtipc: no underflow on a stray ACK
                smallWin.remove(m);
                open = true;
                wakeup = true;
                updateMember(m, 0);
                return;
            case Tipc.GRP_RECLAIM_MSG:
                if (m == null) return;
                protoXmit(m, Tipc.GRP_REMIT_MSG, now, out);
                m.window = ADV_IDLE;
                open(m);
                return;
            case Tipc.GRP_REMIT_MSG:
                if (m == null || m.state != MBR_RECLAIMING) return;
                int remitted = hdr.grpRemitted();
                if (m.advertised > remitted) { // messages sent before the REMIT are still queued here
                    setState(m, MBR_REMITTED);
                    m.advertised = (ADV_IDLE + m.advertised - remitted) & 0xFFFF;
                    return;
                }
                if (m.advertised < remitted) net.log("group " + type + ": unexpected REMIT from " + Integer.toHexString(node));
                setState(m, MBR_JOINED);
                activeCnt--;
                m.advertised = ADV_IDLE;
                activateOldestPending(true, now, out);
                return;
            default:
                net.log("group " + type + ": unknown GROUP_PROTOCOL message type " + hdr.type());
        }
    }

    /**
     * group.c tipc_group_member_evt: a binding of the group type appeared (TIPC_PUBLISHED: a new member gets our JOIN;
     * one that already sent its JOIN is JOINED) or went (TIPC_WITHDRAWN: LEAVING; LEFT at once if its node is down,
     * else at the synch point of its LEAVE).
     *
     * @return the socket's new receive buffer limit, bytes, or -1 if the event was ignored (own binding without LOOPBACK)
     */
    int memberEvt(int event, int node, int port, int inst, List<byte[]> inputq, long now, Outbox out) {
        if (!loopback && node == net.ownAddr && port == portid) return -1;
        GroupMember m = find(node, port);
        if (event == TipcEvent.TIPC_PUBLISHED) {
            if (m == null) {
                m = createMember(node, port, inst, MBR_PUBLISHED);
                if (m != null) {
                    updateMember(m, 0);
                    protoXmit(m, Tipc.GRP_JOIN_MSG, now, out);
                }
            } else if (m.state == MBR_JOINING) {
                unbound(m, false);
                m.instance = inst;
                setState(m, MBR_JOINED);
                open(m);
                updateMember(m, 0);
                protoXmit(m, Tipc.GRP_JOIN_MSG, now, out);
                createEvent(m, TipcEvent.TIPC_PUBLISHED, m.bcSyncpt, inputq);
            }
        } else if (event == TipcEvent.TIPC_WITHDRAWN && m != null) {
            decrActive(m);
            setState(m, MBR_LEAVING);
            active.remove(m);
            pending.remove(m);
            open(m);
            // its node is down: no LEAVE can come, LEFT at once; jtipc: what it deferred is dropped first (it waits for
            // broadcasts of a lost node, or is a LEAVE's LEFT waiting for them, and would hold this LEFT back for good:
            // group.c queues it behind them)
            if (!st.nodeUp(node)) leftNow(m, inputq);
            else linger(m, inputq);
        }
        return rcvbufLimit();
    }
}
