package io.jtipc.node;

import static io.jtipc.node.Errno.*;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

import io.jtipc.nametable.Publication;
import io.jtipc.nametable.SocketAddr;
import io.jtipc.nametable.Subscription;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;
import io.jtipc.wire.TipcSubscr;

/**
 * The group half of a socket (Linux 6.1 net/tipc/socket.c): {@code tipc_sk_join}/{@code tipc_sk_leave}, the four send
 * modes ({@code tipc_send_group_unicast}, {@code _anycast}, {@code _mcast}, {@code _bcast}, {@code tipc_send_group_msg}),
 * the receive filter ({@code tipc_sk_filter_rcv} with {@code tipc_sk_proto_rcv} and {@code tipc_group_filter_msg}) and
 * {@code tipc_recvmsg}'s window update. Multicast and broadcast go as one message with the group's broadcast seqno,
 * sent as bcast.c {@code tipc_mcast_xmit} does: on this node's broadcast link ({@link Bcast}) or by replicast (one copy
 * per member node over its unicast link), the method chosen per socket by {@link Bcast#selectMethod} (destination
 * nodes against the broadcast ratio, {@code tipc link set broadcast}, TIPC_MCAST_BROADCAST/REPLICAST), plus one local
 * delivery for members on this node. Receivers order a member's broadcasts by that seqno whatever the path, so a
 * switch needs no SYN twin (bcast.c sends one only for TIPC_MCAST_MSG); the first broadcast after the join (its
 * JOINs) or after a unicast must not overtake them: it goes by replicast on the same links and asks for acks
 * (socket.c mc_method.mandatory), and the next broadcast waits for them.
 *
 * <p>Sends never block: where the kernel's sendmsg would wait (a member's window, an unacknowledged replicast, a
 * congested link) they return {@link Errno#EAGAIN} and {@link GroupHandler#writable} follows when it may succeed.
 */
final class GroupSocket {
    /** uapi tipc.h TIPC_GROUP_LOOPBACK: the socket receives its own broadcasts and is a member of its own group. */
    static final int TIPC_GROUP_LOOPBACK = 0x1;
    /** uapi tipc.h TIPC_GROUP_MEMBER_EVTS: member JOINED/LEFT events are delivered. */
    static final int TIPC_GROUP_MEMBER_EVTS = 0x2;

    private final Net net;
    private final SocketTable st;
    final int port;
    final Group grp;
    private final GroupHandler handler;
    int importance = Tipc.LOW_IMPORTANCE;
    /** Delivered messages not yet read: {message, member instance}; bounded by {@link #rcvbuf} as the kernel's sk_rcvbuf. */
    private final ArrayDeque<Object[]> rcvq = new ArrayDeque<>();
    private long rcvqBytes;
    /**
     * Receive buffer limit, bytes (group.c tipc_group_rcvbuf_limit); socket.c rcvbuf_limit does not shift it by a group
     * message's importance.
     */
    private int rcvbuf;
    /** Nodes whose link returned ELINKCONG (socket.c tsk->cong_links): no send to them until it drains. */
    private final TreeSet<Integer> congLinks = new TreeSet<>(Integer::compareUnsigned);
    /**
     * socket.c tsk->mc_method: the socket's method (shared with {@link Bcast#setSocketMethod}); {@code mandatory} with
     * replicast set at join and by every unicast. (A member that joins later needs no such rule: its JOIN advertises
     * no window, so nothing is broadcast to it before it has read our JOIN and sent its window.)
     */
    private final Bcast.Method mc;
    private Subscription sub;
    boolean closed;
    /** Messages refused because the receive buffer was full (socket.c TIPC_ERR_OVERLOAD). */
    long overloads;
    /**
     * TIPC_GRP_MEMBER_EVT messages that came from the network and were dropped: the kernel makes member events only
     * inside the receiving socket, so one on the wire is forged (it would bypass the deferred-queue bounds).
     */
    long forgedEvents;
    /**
     * Group messages whose originating node (w6) is not the node they came from (w3, checked against the link's
     * peer by {@code Node.deliver}), dropped: a member's node sends its own group messages directly (node.c
     * tipc_node_distr_xmit, no reroute of group types), so another w6 is a peer speaking for a third node (a forged
     * JOIN or LEAVE of someone else's member, or JOINs spread over made-up nodes past the per-node bound).
     */
    long forgedOrigins;

    /** Key of the broadcast link in {@link #congLinks} (no node has address 0; socket.c counts it in cong_link_cnt). */
    static final int BCAST_LINK = 0;

    /** @param mc the socket's multicast method ({@code tsk->mc_method}), replicast and mandatory from now on */
    GroupSocket(Net net, SocketTable st, int port, int type, int instance, int scope, int flags, GroupHandler handler,
                Bcast.Method mc) {
        this.net = net;
        this.st = st;
        this.port = port;
        this.handler = handler;
        this.mc = mc;
        mandatoryRcast(); // socket.c tipc_sk_join: "eliminate any risk that a broadcast overtakes sent JOINs"
        this.grp = new Group(net, st, port, type, instance, scope, (flags & TIPC_GROUP_LOOPBACK) != 0,
            (flags & TIPC_GROUP_MEMBER_EVTS) != 0);
    }

    /**
     * socket.c tipc_sk_join: subscribes to the group type's bindings (group.c tipc_group_create: TIPC_SUB_PORTS |
     * TIPC_SUB_NO_STATUS, own scope only), takes the existing members from the binding table
     * (tipc_nametbl_build_group), binds {type, instance, instance}, sends JOIN to every member (tipc_group_join).
     *
     * @return 0, {@link Errno#EINVAL} (address not committed, binding refused), {@link Errno#ENOBUFS} (no
     *         subscription left)
     */
    int join(long now, Outbox out) {
        if (net.table == null || net.topology == null) return EINVAL;
        int filter = TipcSubscr.TIPC_SUB_PORTS | Subscription.TIPC_SUB_NO_STATUS
            | (grp.scope == Tipc.TIPC_NODE_SCOPE ? Subscription.TIPC_SUB_NODE_SCOPE : Subscription.TIPC_SUB_CLUSTER_SCOPE);
        sub = net.topology.subscribe(filter, grp.type, 0, -1, TipcSubscr.TIPC_WAIT_FOREVER, now,
            ev -> net.post((t, o) -> memberEvt(ev.event(), ev.node(), ev.port(), ev.foundLower(), t, o)));
        if (sub == null) return ENOBUFS;
        for (Publication p : net.table.publications(grp.type, 0, -1)) {
            if (p.scope() == grp.scope) grp.addMember(p.node(), p.port(), p.lower());
        }
        int rc = st.bindAny(now, port, grp.scope, grp.type, grp.instance, grp.instance, out);
        if (rc != 0) {
            sub.cancel();
            return rc;
        }
        rcvbuf = grp.join(now, out);
        return 0;
    }

    /** socket.c: the next broadcast follows the unicast links (replicast) and asks for acks. */
    private void mandatoryRcast() {
        mc.rcast = true;
        mc.mandatory = true;
    }

    /** socket.c tipc_sk_leave: LEAVE to every member (group.c tipc_group_delete); the caller withdraws the binding. */
    void leave(long now, Outbox out) {
        if (closed) return;
        closed = true;
        grp.delete(now, out);
        if (sub != null) sub.cancel();
        rcvq.clear();
        rcvqBytes = 0;
    }

    // ====================================================================== sending

    private static int blocks(int len) {
        return len / Group.FLOWCTL_BLK_SZ + 1;
    }

    /** The group data message of this socket (the kernel's tsk->phdr after join): 44-byte header, dest-droppable. */
    private byte[] build(int mtyp, int dnode, int dport, int inst, byte[] data, int off, int len) {
        byte[] b = new byte[Tipc.GROUP_H_SIZE + len];
        TipcMsg h = new TipcMsg().wrap(b, 0, b.length);
        Msg.init(h, net.ownAddr, importance, mtyp, Tipc.GROUP_H_SIZE, dnode);
        h.setSize(b.length);
        h.setOrigport(port);
        h.setDestport(dport);
        h.setLookupScope(grp.scope);
        h.setNametype(grp.type);
        h.setNameinst(inst);
        h.setDestDroppable(1);
        h.setGrpBcSeqno(grp.bcSndNxt);
        System.arraycopy(data, off, b, Tipc.GROUP_H_SIZE, len);
        return b;
    }

    private int check(int len) {
        if (closed) return EINVAL;
        return len > Tipc.MAX_USER_MSG_SIZE || len < 0 ? EMSGSIZE : 0;
    }

    private void signalWakeup() {
        if (!grp.wakeup) return;
        grp.wakeup = false;
        net.events.add(() -> handler.writable(port));
    }

    /** socket.c tipc_send_group_msg: one TIPC_GRP_UCAST_MSG to member {@code mb}, its window charged. */
    private int sendMsg(GroupMember mb, int dnode, int dport, byte[] data, int off, int len, long now, Outbox out) {
        byte[] b = build(Tipc.TIPC_GRP_UCAST_MSG, dnode, dport, 0, data, off, len);
        if (st.xmit(b, dnode, now, out) == ELINKCONG) congLinks.add(dnode);
        grp.updateMember(mb, blocks(Tipc.GROUP_H_SIZE + len));
        mandatoryRcast(); // "a broadcast sent within next EXPIRE period must follow same path": ask for acks
        return 0;
    }

    /** socket.c tipc_send_group_unicast to member {node, port}: 0, EAGAIN, EHOSTUNREACH (no such member), EMSGSIZE. */
    int unicast(int dnode, int dport, byte[] data, int off, int len, long now, Outbox out) {
        int rc = check(len);
        if (rc != 0) return rc;
        if (dnode == 0 && dport == 0) return EHOSTUNREACH;
        int blks = blocks(Tipc.GROUP_H_SIZE + len);
        if (congLinks.contains(dnode)) return EAGAIN;
        boolean cong = grp.cong(dnode, dport, blks, now, out);
        GroupMember mb = grp.lastMbr;
        signalWakeup();
        if (cong) return EAGAIN;
        if (mb == null) return EHOSTUNREACH;
        return sendMsg(mb, dnode, dport, data, off, len, now, out);
    }

    /**
     * socket.c tipc_send_group_anycast: round robin over the members bound to {@code inst} (the binding table's
     * rotation, tipc_nametbl_lookup_group), skipping those whose window is too small for the message; EAGAIN when all
     * are congested, EHOSTUNREACH when none is a member after 3 lookups.
     */
    int anycast(int inst, byte[] data, int off, int len, long now, Outbox out) {
        int rc = check(len);
        if (rc != 0) return rc;
        int blks = blocks(Tipc.GROUP_H_SIZE + len);
        for (int lookups = 1; lookups < 4; lookups++) {
            GroupMember first = null, mbr;
            boolean cong;
            SocketAddr dst;
            while (true) {
                List<SocketAddr> dsts = net.table.lookupGroup(grp.type, inst, grp.scope, grp.exclude(), false);
                if (dsts.isEmpty()) return EHOSTUNREACH;
                dst = dsts.get(0);
                cong = grp.cong(dst.node(), dst.port(), blks, now, out);
                mbr = grp.lastMbr;
                if (!cong || mbr == first) break;
                if (first == null) first = mbr;
            }
            signalWakeup();
            if (mbr == null) continue; // not (yet, or no longer) a member: look up again
            if (cong || congLinks.contains(dst.node())) return EAGAIN;
            return sendMsg(mbr, dst.node(), dst.port(), data, off, len, now, out);
        }
        return EHOSTUNREACH;
    }

    /**
     * socket.c tipc_send_group_mcast: to the members bound to {@code inst}; with one destination as a unicast, else as
     * a TIPC_GRP_MCAST_MSG broadcast that the other members consume without delivering.
     */
    int multicast(int inst, byte[] data, int off, int len, long now, Outbox out) {
        int rc = check(len);
        if (rc != 0) return rc;
        List<SocketAddr> dsts = net.table.lookupGroup(grp.type, inst, grp.scope, grp.exclude(), true);
        if (dsts.isEmpty()) return EHOSTUNREACH;
        if (dsts.size() == 1) return unicast(dsts.get(0).node(), dsts.get(0).port(), data, off, len, now, out);
        return bcast(Tipc.TIPC_GRP_MCAST_MSG, inst, data, off, len, now, out);
    }

    /** socket.c tipc_send_group_bcast without a destination: TIPC_GRP_BCAST_MSG to every member. */
    int broadcast(byte[] data, int off, int len, long now, Outbox out) {
        int rc = check(len);
        if (rc != 0) return rc;
        return bcast(Tipc.TIPC_GRP_BCAST_MSG, 0, data, off, len, now, out);
    }

    /**
     * socket.c tipc_send_group_bcast: blocked while any link (or the broadcast link) is congested, the last
     * ack-requesting broadcast is unacknowledged or the smallest member window is too small; then one message with
     * the group's next broadcast seqno, the ack-request bit set if the method is mandatory replicast, sent by
     * bcast.c tipc_mcast_xmit (see {@link #mcastXmit}).
     */
    private int bcast(int mtyp, int inst, byte[] data, int off, int len, long now, Outbox out) {
        int blks = blocks(Tipc.MCAST_H_SIZE + len);
        if (congLinks.contains(BCAST_LINK) && net.bcast.peers() == 0) congLinks.remove(BCAST_LINK); // link reset
        if (!congLinks.isEmpty()) return EAGAIN;
        boolean cong = grp.bcCong(blks, now, out);
        signalWakeup();
        if (cong) return EAGAIN;
        List<Integer> remote = new ArrayList<>();
        boolean[] local = new boolean[1];
        grp.dests(remote, local);
        if (!local[0] && remote.isEmpty()) return EHOSTUNREACH;
        boolean ack = mc.mandatory && mc.rcast; // "avoid getting stuck with repeated forced replicasts"
        int rc = mcastXmit(mtyp, inst, ack, remote, local[0], data, off, len, now, out);
        if (rc != 0) return rc;
        grp.updateBcMembers(blks, ack);
        // the broadcast link is now free to choose the method for the next broadcast
        mc.mandatory = false;
        mc.expires = now;
        return 0;
    }

    /**
     * bcast.c tipc_mcast_xmit for a group message: the method selected for the {@code remote} member nodes
     * ({@link Bcast#selectMethod}; a mandatory one kept), then one message on the broadcast link (destination node
     * 0) or one copy per member node on its unicast link, and one local copy if members are on this node. No SYN
     * twin on a switch (tipc_mcast_send_sync sends one only for TIPC_MCAST_MSG): the receivers sort by broadcast seqno.
     * A congested link is noted in {@link #congLinks} (tipc_bcast_xmit / tipc_rcast_xmit: cong_link_cnt) and the send
     * counts as done.
     *
     * @return 0, or {@link Errno#EAGAIN} when the broadcast link refused the message (its backlog byte or packet
     *         bound, {@link Errno#ENOBUFS} there): nothing was sent, the group's seqno is unchanged
     */
    private int mcastXmit(int mtyp, int inst, boolean ack, List<Integer> remote, boolean local, byte[] data, int off,
                          int len, long now, Outbox out) {
        if (!remote.isEmpty()) {
            net.bcast.selectMethod(remote.size(), mc, st.clusterCapabilities(), now);
            if (mc.rcast) {
                for (int node : remote) {
                    byte[] b = build(mtyp, node, 0, inst, data, off, len);
                    TipcMsg h = new TipcMsg().wrap(b, 0, b.length);
                    h.setIsRcast(1);
                    h.setGrpBcAckReq(ack ? 1 : 0);
                    if (st.xmit(b, node, now, out) == ELINKCONG) congLinks.add(node);
                }
            } else {
                byte[] b = build(mtyp, 0, 0, inst, data, off, len);
                new TipcMsg().wrap(b, 0, b.length).setGrpBcAckReq(ack ? 1 : 0);
                int rc = net.bcast.xmit(b, now, out);
                if (rc == ENOBUFS) {
                    congLinks.add(BCAST_LINK); // woken with the other senders once the broadcast link drains
                    return EAGAIN;
                }
                if (rc == ELINKCONG) congLinks.add(BCAST_LINK);
            }
        }
        if (local) {
            byte[] b = build(mtyp, net.ownAddr, 0, inst, data, off, len);
            new TipcMsg().wrap(b, 0, b.length).setGrpBcAckReq(ack ? 1 : 0);
            st.xmit(b, net.ownAddr, now, out);
        }
        return 0;
    }

    /**
     * The link to {@code node} drained (socket.c tipc_sk_proto_rcv SOCK_WAKEUP): sends to it may go again; the
     * broadcast link's drain is told to every peer's link, and counts once no importance of it is congested.
     */
    void linkUncongested(int node) {
        boolean w = congLinks.remove(node);
        if (congLinks.contains(BCAST_LINK) && !net.bcast.congested(importance)) w |= congLinks.remove(BCAST_LINK);
        if (w) net.events.add(() -> handler.writable(port));
    }

    // ====================================================================== receiving

    /**
     * socket.c tipc_sk_filter_rcv for a group socket: GROUP_PROTOCOL to the group (tipc_sk_proto_rcv), every message
     * then through tipc_group_filter_msg; what it delivers is queued unless the receive buffer is full (then
     * refused: TIPC_ERR_OVERLOAD, dropped as the group header is dest-droppable). Non-group messages are dropped, and
     * so is a member event from the network ({@link #forgedEvents}).
     */
    void rcv(TipcMsg h, long now, Outbox out) {
        if (closed) return;
        boolean groupType = h.user() == Tipc.GROUP_PROTOCOL
            || (h.type() >= Tipc.TIPC_GRP_MEMBER_EVT && h.type() <= Tipc.TIPC_GRP_UCAST_MSG);
        if (groupType && h.orignode() != h.prevnode()) {
            if (Long.bitCount(++forgedOrigins) == 1) {
                net.log("group " + grp.type + ": a message from node " + Integer.toHexString(h.prevnode())
                    + " names node " + Integer.toHexString(h.orignode()) + " as its origin, dropped (forged origins "
                    + forgedOrigins + ")");
            }
            return;
        }
        List<byte[]> inputq = new ArrayList<>(2);
        if (h.user() == Tipc.GROUP_PROTOCOL) {
            grp.protoRcv(h, inputq, now, out);
        } else if (h.type() == Tipc.TIPC_GRP_MEMBER_EVT) {
            forgedEvents++; // jtipc: member events are made by the receiving socket (group.c tipc_group_create_event)
        } else if (h.errcode() == 0 && h.hdrSize() >= Tipc.GROUP_H_SIZE) {
            inputq.add(Arrays.copyOfRange(h.buffer(), h.offset(), h.offset() + h.size()));
        }
        filter(inputq, now, out);
    }

    /**
     * {@code node} is lost: the members it had only by a JOIN are deleted and its lingering ones LEFT ({@link
     * Group#nodeLost}), and the receive buffer limit follows the smaller member count at once (jtipc: the kernel keeps such members, so it has no such
     * step; its limit changes at member events, {@link #memberEvt}).
     */
    void nodeLost(int node, long now, Outbox out) {
        // at the end of the core call (Net#post): this is reached from inside filter too (a GRP_ACK whose send
        // overflowed the node's last link), and the LEFT events made here must queue behind what that filter delivers
        net.post((t, o) -> {
            if (closed) return;
            List<byte[]> inputq = new ArrayList<>(0);
            if (!grp.nodeLost(node, inputq)) return;
            filter(inputq, t, o); // the LEFT events of its lingering members: delivered, the members deleted
            rcvbuf = grp.rcvbufLimit();
        });
    }

    /** Receive buffer limit now, bytes (tests). */
    int rcvbuf() {
        return rcvbuf;
    }

    /** A binding event of the group type (the group's internal topology subscription): group.c tipc_group_member_evt. */
    void memberEvt(int event, int node, int mport, int inst, long now, Outbox out) {
        if (closed) return;
        List<byte[]> inputq = new ArrayList<>(1);
        int limit = grp.memberEvt(event, node, mport, inst, inputq, now, out);
        if (limit > 0) rcvbuf = limit;
        filter(inputq, now, out);
    }

    private void filter(List<byte[]> inputq, long now, Outbox out) {
        List<Object[]> delivered = new ArrayList<>(2);
        for (byte[] b : inputq) grp.filterMsg(b, delivered, now, out);
        signalWakeup();
        for (Object[] d : delivered) {
            byte[] b = (byte[]) d[0];
            TipcMsg h = new TipcMsg().wrap(b, 0, b.length);
            // socket.c rcvbuf_limit: a group message is held to sk_rcvbuf itself, not shifted by its importance
            if (rcvqBytes + b.length >= rcvbuf) {
                overloads++;
                st.overload(h, now, out);
                continue;
            }
            rcvq.add(d);
            rcvqBytes += b.length;
            net.events.add(() -> handler.readable(port));
        }
    }

    /**
     * socket.c tipc_recvmsg: the oldest delivered message or event, null if none; reading a data message returns its
     * blocks to the sender's window (group.c tipc_group_update_rcv_win, GRP_ADV when due). A message with no data and
     * no error code is passed over, as tipc_recvmsg's wait loop does; its blocks are returned all the same (jtipc: the
     * kernel returns none, so every empty message takes a block of the sender's window for good and enough of them
     * (65 idle, 780 active) stall the sender towards this member; the GRP_ADV this may send is one the sender takes as any other).
     */
    GroupMessage recv(long now, Outbox out) {
        Object[] d;
        byte[] b;
        TipcMsg h = new TipcMsg();
        int mtyp;
        boolean evt;
        while (true) {
            d = rcvq.pollFirst();
            if (d == null) return null;
            b = (byte[]) d[0];
            rcvqBytes -= b.length;
            h.wrap(b, 0, b.length);
            mtyp = h.type();
            evt = mtyp == Tipc.TIPC_GRP_MEMBER_EVT;
            if (!evt && !closed) grp.updateRcvWin(blocks(h.size()), h.orignode(), h.origport(), now, out);
            if (h.dataSize() != 0 || h.errcode() != 0) break;
        }
        return new GroupMessage(h.orignode(), h.origport(), (Integer) d[1], mtyp, evt ? h.grpEvt() : 0,
            h.importance(), Arrays.copyOfRange(b, h.hdrSize(), h.size()));
    }

    /** Messages waiting to be read. */
    int queued() {
        return rcvq.size();
    }
}
