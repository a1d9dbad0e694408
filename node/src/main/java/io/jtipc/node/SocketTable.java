package io.jtipc.node;

import static io.jtipc.node.Errno.*;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

import io.jtipc.nametable.McastNodes;
import io.jtipc.nametable.Publication;
import io.jtipc.nametable.SocketAddr;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * The sockets of one node and the connectionless half of Linux 6.1 net/tipc/socket.c: the socket table
 * ({@code tipc_sk_rht}, random free ports), bind/unbind ({@code tipc_sk_publish}, {@code tipc_sk_withdraw}), RDM/DGRAM
 * sending ({@code __tipc_sendmsg}, {@code tipc_sendmcast}) and receiving ({@code tipc_sk_rcv},
 * {@code tipc_sk_filter_rcv}, {@code tipc_msg_lookup_dest}), local delivery and rejected messages returned to their
 * sender ({@code tipc_sk_respond}). Messages for SEQPACKET/STREAM sockets are handed to their {@link ConnSocket}, which
 * sends through {@link #xmit} and {@link #reject}.
 *
 * <p>Local deliveries (destination node = this node) are queued and handed in by the core once the current call's
 * processing is done ({@link #rcvLocal}), as the kernel's loopback inputq.
 */
final class SocketTable {
    /** A socket: RDM/DGRAM state here, SEQPACKET/STREAM state in {@link #conn}. */
    private static final class Sock {
        final int port;
        final SocketType type;
        final MessageHandler handler;
        /** Connection state of a SEQPACKET/STREAM socket, null for RDM/DGRAM. */
        final ConnSocket conn;
        /** Group state of a socket that joined a group (socket.c tsk->group), else null. */
        GroupSocket group;
        private int importance;
        private boolean destDroppable = true;
        int pubCount;
        final List<Publication> publs = new ArrayList<>();
        /** Multicast send method (socket.c tsk->mc_method) and the MCAST_RBCTL receive filter, made on first use. */
        final Bcast.Method mc = new Bcast.Method();
        McastFilter mcFilter;

        Sock(int port, SocketType type, MessageHandler handler, ConnSocket conn) {
            this.port = port;
            this.type = type;
            this.handler = handler;
            this.conn = conn;
        }

        int importance() { return conn != null ? conn.importance : importance; }

        boolean destDroppable() { return conn != null ? conn.destDroppable : destDroppable; }
    }

    private final Net net;
    private final NodeTable nodes;
    private final Random rnd;
    private final Map<Integer, Sock> socks = new HashMap<>();
    /** What the multicast filters of all sockets hold together, bounded by {@link McastFilter#TOTAL_HELD}/{@link McastFilter#TOTAL_HELD_BYTES}. */
    final McastFilter.Total mcHeld = new McastFilter.Total();
    /** The SEQPACKET/STREAM sockets among {@link #socks}. */
    private final Map<Integer, ConnSocket> conns = new HashMap<>();
    /** The group sockets among {@link #socks}. */
    private final Map<Integer, GroupSocket> groups = new HashMap<>();
    private final ArrayDeque<byte[]> localq = new ArrayDeque<>();
    /**
     * The last message Nagle held for a connection ({@code ConnSocket.xmitTxq}), reused by the next one that fits in
     * it (issue 14; the links and a local delivery copy what they keep; a message Nagle does not hold is sent from the
     * caller's array, {@link #connHdr}). One per node core, shared by all connections, so idle connections hold none:
     * at most one array of up to the largest {@code maxnagle} in all. Core thread only.
     */
    ConnTxMsg connSpare;
    /**
     * The header of a connection message sent from the caller's array ({@code ConnSocket.send}), and its flyweight:
     * one per node core (the links and a local delivery copy it). Core thread only.
     */
    final byte[] connHdr = new byte[Tipc.SHORT_H_SIZE];
    final TipcMsg connHdrMsg = new TipcMsg();

    /** @param rnd the node's PRNG: ports, SYN retry jitter (socket.c get_random_u32) */
    SocketTable(Net net, NodeTable nodes, Random rnd) {
        this.net = net;
        this.nodes = nodes;
        this.rnd = rnd;
    }

    int random16() {
        return rnd.nextInt(0x10000);
    }

    /** Capabilities of a node as sockets see them (node.c tipc_node_get_capabilities): the peer's, else our own. */
    int capabilities(int addr) {
        return nodes.capabilities(addr);
    }

    /** node.c tn->capabilities: the AND of ours and every peer's (multicast method selection). */
    int clusterCapabilities() {
        return nodes.clusterCapabilities();
    }

    /**
     * Capabilities a connection to {@code addr} may use: the peer's, limited to what this node advertises (a node
     * configured without TIPC_BLOCK_FLOWCTL behaves as a legacy node on both sides).
     */
    int connCapabilities(int addr) {
        return nodes.capabilities(addr) & net.config.capabilities();
    }

    /**
     * node.c tipc_node_get_mtu for connections: the maximum message size of the link the port {@code selector} sends
     * on to {@code addr}, bytes; {@link Tipc#MAX_MSG_SIZE} when there is none.
     */
    int mtu(int addr, int selector) {
        return nodes.mtu(addr, selector);
    }

    // ====================================================================== table

    /**
     * socket.c tipc_sk_insert: each socket's port is drawn at random (then the next free one), not the one after the
     * last socket's: a socket's publication keys are port + 1, port + 2, ... (tipc_sk_publish), so sockets on adjacent
     * ports would give the same key to the same service (the second bind refused, where the kernel's succeeds). In
     * [1, 2^31 - 1], not the kernel's whole u32 range: calls here return a port or a negative errno.
     */
    private int freePort() {
        int p = 1 + rnd.nextInt(Integer.MAX_VALUE);
        while (socks.containsKey(p)) p = p == Integer.MAX_VALUE ? 1 : p + 1;
        return p;
    }

    /** The open sockets' ports in ascending unsigned order (socket.c tipc_nl_sk_dump walks them all); a new array. */
    int[] ports() {
        return socks.keySet().stream().mapToInt(Integer::intValue).boxed()
            .sorted(Integer::compareUnsigned).mapToInt(Integer::intValue).toArray();
    }

    /** socket.c tipc_sk_create for RDM/DGRAM: a random free port in [1, 2^32-1], importance low, dest-droppable. */
    int openSocket(SocketType type, MessageHandler handler) {
        if (type == SocketType.SEQPACKET || type == SocketType.STREAM) {
            throw new IllegalArgumentException(type + " sockets are opened with openConnSocket");
        }
        int port = freePort();
        socks.put(port, new Sock(port, type, handler, null));
        lastSock = null;
        return port;
    }

    /** Opens a socket on a given port (for replaying captures, where the peer addresses a known port). */
    int openSocketAt(int port, SocketType type, MessageHandler handler) {
        if (port == 0 || socks.containsKey(port)) throw new IllegalArgumentException("port " + port + " not free");
        socks.put(port, new Sock(port, type, handler, null));
        lastSock = null;
        return port;
    }

    /** socket.c tipc_sk_create for SEQPACKET/STREAM: random free port, importance low, not dest-droppable. */
    int openConnSocket(SocketType type, ConnHandler handler) {
        if (type != SocketType.SEQPACKET && type != SocketType.STREAM) {
            throw new IllegalArgumentException("not a connection-oriented type: " + type);
        }
        int port = freePort();
        ConnSocket c = new ConnSocket(net, this, port, type == SocketType.STREAM, handler);
        socks.put(port, new Sock(port, type, null, c));
        lastSock = null;
        conns.put(port, c);
        return port;
    }

    /**
     * socket.c tipc_sk_create (RDM) + tipc_sk_join: a new socket joins group {@code type} as member {@code instance}.
     *
     * @return the port, or {@link Errno#EACCES} (type &lt; 64), {@link Errno#EINVAL} (bad scope, address not committed,
     *         binding refused), {@link Errno#ENOBUFS}
     */
    int openGroup(long now, int type, int instance, int scope, int flags, GroupHandler handler, Outbox out) {
        if (Integer.compareUnsigned(type, Tipc.TIPC_RESERVED_TYPES) < 0) return EACCES;
        if (scope != Tipc.TIPC_CLUSTER_SCOPE && scope != Tipc.TIPC_NODE_SCOPE) return EINVAL;
        int port = freePort();
        Sock s = new Sock(port, SocketType.RDM, null, null);
        socks.put(port, s);
        lastSock = null;
        GroupSocket g = new GroupSocket(net, this, port, type, instance, scope, flags, handler, s.mc);
        int rc = g.join(now, out);
        if (rc != 0) {
            socks.remove(port);
            lastSock = null;
            return rc;
        }
        s.group = g;
        groups.put(port, g);
        return port;
    }

    /** The group socket with this port; IllegalArgumentException if none. */
    GroupSocket group(int port) {
        GroupSocket g = groups.get(port);
        if (g == null) throw new NoSuchSocketException("group socket", port);
        return g;
    }

    /** addr.h in_own_node: this node's address, or 0 (a socket address with node 0 means this node). */
    boolean inOwnNode(int addr) {
        return addr == net.ownAddr || addr == 0;
    }

    /** node.c tipc_node_is_up as group.c asks it: this node, or a peer with a working link. */
    boolean nodeUp(int addr) {
        if (addr == net.ownAddr) return true;
        Node n = nodes.find(addr);
        return n != null && n.isUp();
    }

    /**
     * {@code socks.get(port)} through a one-entry cache of the last socket found (issue 14: the data path looks up the
     * same port message after message; a HashMap lookup boxes the port into an Integer for ports above 127).
     */
    private Sock find(int port) {
        Sock s = lastSock;
        if (s != null && s.port == port) return s;
        s = socks.get(port);
        if (s != null) lastSock = s;
        return s;
    }

    /** The socket cached by {@link #find}, cleared whenever {@link #socks} changes. */
    private Sock lastSock;

    private Sock sock(int port) {
        Sock s = find(port);
        if (s == null) throw new NoSuchSocketException("socket", port);
        return s;
    }

    /** The connection state of a SEQPACKET/STREAM socket, null if none. */
    ConnSocket connSocket(int port) {
        return conns.get(port);
    }

    ConnSocket conn(int port) {
        ConnSocket c = conns.get(port);
        if (c == null) throw new NoSuchSocketException("SEQPACKET/STREAM socket", port);
        return c;
    }

    /** TIPC_IMPORTANCE, 0-3. */
    void setImportance(int port, int importance) {
        if (importance < 0 || importance > 3) throw new IllegalArgumentException("importance not in 0-3");
        Sock s = sock(port);
        if (s.conn != null) s.conn.importance = importance;
        else s.importance = importance;
        if (s.group != null) s.group.importance = importance;
    }

    /** TIPC_DEST_DROPPABLE. */
    void setDestDroppable(int port, boolean v) {
        Sock s = sock(port);
        if (s.conn != null) s.conn.destDroppable = v;
        else s.destDroppable = v;
    }

    /**
     * tipc_release: a connection is shut down with TIPC_ERR_NO_PORT; the messages a connectionless socket left unread
     * ({@code unread}: each a header as delivered followed by its payload, or the first bytes of it) are returned to
     * their senders with TIPC_ERR_NO_PORT (__tipc_shutdown, tsk_rej_rx_queue; tipc_msg_reverse keeps at most 1 024
     * payload bytes and drops the dest-droppable); then the socket's bindings are withdrawn. A returned message is
     * SYSTEM importance (msg.h msg_importance: any message with an error code); once the SYSTEM backlog of the link to
     * its sender is full the rest are dropped, counted in one log line. The kernel sends them on and resets that link
     * when the backlog overflows (link.c tipc_link_xmit, "link overflow"); a socket may hold thousands of them.
     */
    void closeSocket(long now, int port, List<byte[]> unread, Outbox out) {
        Sock s = find(port);
        if (s == null) return;
        if (s.conn == null && !unread.isEmpty()) {
            TipcMsg h = new TipcMsg();
            int dropped = 0;
            for (byte[] m : unread) {
                if (m.length < Tipc.SHORT_H_SIZE) continue;
                h.wrap(m, 0, m.length);
                if (h.hdrSize() > m.length) continue;
                h.setSize(m.length); // the payload may have been cut to what is returned
                int dnode = h.prevnode();
                if (dnode != net.ownAddr && nodes.congested(dnode, Tipc.SYSTEM_IMPORTANCE, port)) {
                    dropped++;
                    continue;
                }
                reject(h, Tipc.TIPC_ERR_NO_PORT, now, out);
            }
            if (dropped > 0) {
                net.log("socket " + Integer.toUnsignedString(port) + " closed: " + dropped + " unread messages not "
                    + "returned to their senders (link congested)");
            }
        }
        if (s.conn != null) {
            s.conn.shutdown(Tipc.TIPC_ERR_NO_PORT, now, out);
            s.conn.closed = true;
            conns.remove(port); // its timer entries are skipped from now on
            connTimers.removed();
        }
        if (s.group != null) { // tipc_sk_leave: LEAVE to the members before the binding goes
            s.group.leave(now, out);
            groups.remove(port);
        }
        if (s.mcFilter != null) s.mcFilter.release();
        socks.remove(port);
        lastSock = null;
        if (net.distr == null) return;
        // tipc_sk_withdraw(tsk, NULL) walks the socket's list, newest first (tipc_sk_publish adds at its head)
        for (int i = s.publs.size() - 1; i >= 0; i--) {
            Publication p = s.publs.get(i);
            net.distr.withdraw(p.type(), p.lower(), p.upper(), p.key());
        }
        nodes.flushNamed(now, out);
    }

    /** socket.c tipc_sk_publish after the reserved-type check. See {@link NodeCore#bind}. */
    int bind(long now, int port, int scope, int type, int lower, int upper, Outbox out) {
        sock(port);
        if (Integer.compareUnsigned(type, Tipc.TIPC_RESERVED_TYPES) < 0) return EACCES;
        return bindAny(now, port, scope, type, lower, upper, out);
    }

    /** tipc_sk_publish without the reserved-type check (the topology server binds {1,1}): key = port + binds + 1. */
    int bindAny(long now, int port, int scope, int type, int lower, int upper, Outbox out) {
        Sock s = sock(port);
        if (s.conn != null && s.conn.state == ConnSocket.State.ESTABLISHED) return EINVAL;
        if (net.distr == null || Integer.compareUnsigned(lower, upper) > 0
            || (scope != Tipc.TIPC_CLUSTER_SCOPE && scope != Tipc.TIPC_NODE_SCOPE)) return EINVAL;
        int key = port + s.pubCount + 1;
        Publication p = net.distr.publish(type, lower, upper, scope, port, key);
        if (p == null) return EINVAL; // a local limit or a duplicate key: tipc_nametbl_publish NULL, -EINVAL
        s.pubCount++;
        s.publs.add(p);
        nodes.flushNamed(now, out);
        return 0;
    }

    /**
     * socket.c tipc_sk_withdraw of {@code {type, lower, upper}}: the newest binding of the socket with that type and
     * lower bound is withdrawn, one per call (a name bound twice takes two unbinds), if its upper bound is
     * {@code upper}; else EINVAL. A socket left with no binding at all returns 0 whatever it was asked, as the kernel's
     * (its {@code list_empty(&tsk->publications)} check). (The kernel also matches the scope, which this call does not
     * take.)
     */
    int unbind(long now, int port, int type, int lower, int upper, Outbox out) {
        Sock s = sock(port);
        if (net.distr == null) return EINVAL;
        for (int i = s.publs.size() - 1; i >= 0; i--) {
            Publication p = s.publs.get(i);
            if (p.type() != type || p.lower() != lower) continue;
            if (p.upper() != upper) return EINVAL;
            net.distr.withdraw(type, lower, upper, p.key());
            s.publs.remove(i);
            nodes.flushNamed(now, out);
            return 0;
        }
        return s.publs.isEmpty() ? 0 : EINVAL;
    }

    /**
     * Largest array {@link #txBuf} grows to by doubling, bytes: a whole largest message (66 000 B + the 44-byte mcast
     * header) fits; a larger need gets exactly its size.
     */
    static final int TX_BUF_MAX = Tipc.MAX_USER_MSG_SIZE + Tipc.MCAST_H_SIZE;
    /** Where {@link #buildData} builds each outgoing socket message (issue 14: none allocated per message). */
    private byte[] txBuf = new byte[256];
    /** Wraps the message in {@link #txBuf} while it is built. */
    private final TipcMsg txHdr = new TipcMsg();

    // ====================================================================== sending

    /**
     * A data message of socket {@code s}: header of {@code hsize} bytes (tipc_msg_init + socket fields), then data,
     * built in {@link #txBuf} (reused by the next message: the links copy what they keep, a local delivery is copied
     * by {@link #xmit(byte[], int, int, long, Outbox)}); its length is {@code hsize + len}. {@link #txHdr} wraps it.
     */
    private byte[] buildData(Sock s, int mtype, int hsize, int destNode, int destPort, byte[] data, int off, int len) {
        byte[] b = buildHeader(s, mtype, hsize, destNode, destPort, len, hsize + len);
        System.arraycopy(data, off, b, hsize, len);
        return b;
    }

    /**
     * The header of {@link #buildData} alone, in {@link #txBuf} (at least {@code room} bytes), its size field
     * {@code hsize + len}: for {@link #xmit(byte[], int, byte[], int, int, int, long, Outbox)} with the data apart.
     */
    private byte[] buildHeader(Sock s, int mtype, int hsize, int destNode, int destPort, int len, int room) {
        if (txBuf.length < room) txBuf = new byte[Math.max(room, Math.min(2 * txBuf.length, TX_BUF_MAX))];
        TipcMsg h = txHdr.wrap(txBuf, 0, room);
        Msg.init(h, net.ownAddr, s.importance(), mtype, hsize, destNode);
        h.setSize(hsize + len);
        h.setOrigport(s.port);
        h.setDestport(destPort);
        h.setDestDroppable(s.destDroppable() ? 1 : 0);
        if (s.type == SocketType.DGRAM) h.setSrcDroppable(1);
        return txBuf;
    }

    /** socket.c __tipc_sendmsg to a service address. See {@link NodeCore#sendToName}. */
    int sendToName(long now, int port, int type, int instance, int lookupNode, byte[] data, int off, int len,
                   Outbox out) {
        Sock s = sock(port);
        if (len > Tipc.MAX_USER_MSG_SIZE) return EMSGSIZE;
        if (net.table == null) return EHOSTUNREACH;
        SocketAddr dst = net.table.lookupAnycast(type, instance, lookupNode);
        if (dst == null) return EHOSTUNREACH;
        int hs = Tipc.NAMED_H_SIZE;
        byte[] b = buildHeader(s, Tipc.TIPC_NAMED_MSG, hs, dst.node(), dst.port(), len, hs);
        TipcMsg h = txHdr;
        h.setNametype(type);
        h.setNameinst(instance);
        h.setLookupScope(lookupNode != 0 ? Tipc.TIPC_NODE_SCOPE : Tipc.TIPC_CLUSTER_SCOPE);
        return xmit(b, Tipc.NAMED_H_SIZE, data, off, len, dst.node(), now, out);
    }

    /** socket.c __tipc_sendmsg to a socket address. See {@link NodeCore#sendToPort}. */
    int sendToPort(long now, int port, int destNode, int destPort, byte[] data, int off, int len, Outbox out) {
        Sock s = sock(port);
        if (len > Tipc.MAX_USER_MSG_SIZE) return EMSGSIZE;
        if (net.ownAddr == 0) return EHOSTUNREACH;
        byte[] b = buildHeader(s, Tipc.TIPC_DIRECT_MSG, Tipc.BASIC_H_SIZE, destNode, destPort, len, Tipc.BASIC_H_SIZE);
        return xmit(b, Tipc.BASIC_H_SIZE, data, off, len, destNode, now, out);
    }

    /**
     * socket.c tipc_sendmcast → bcast.c tipc_mcast_xmit: by broadcast (our {@link Bcast} link) or replicast (one
     * copy per destination node over its link), as {@link Bcast#selectMethod} chooses; on a change of method the
     * message is SYN-marked and its twin goes by the old method ({@link #sendSync}). See {@link NodeCore#multicast}.
     */
    int multicast(long now, int port, int type, int lower, int upper, byte[] data, int off, int len, Outbox out) {
        Sock s = sock(port);
        if (len > Tipc.MAX_USER_MSG_SIZE) return EMSGSIZE;
        if (net.table == null) return EHOSTUNREACH;
        McastNodes dsts = net.table.lookupMcastNodes(type, lower, upper);
        if (!dsts.local() && dsts.remote().isEmpty()) return EHOSTUNREACH;
        int rc = 0;
        if (dsts.local()) localq.add(Arrays.copyOf(buildMcast(s, type, lower, upper, 0, data, off, len), Tipc.MCAST_H_SIZE + len));
        if (dsts.remote().isEmpty()) return 0;
        // its own array: the broadcast link keeps it until every peer acknowledged it (buildMcast reuses txBuf)
        byte[] b = Arrays.copyOf(buildMcast(s, type, lower, upper, 0, data, off, len), Tipc.MCAST_H_SIZE + len);
        TipcMsg h = new TipcMsg().wrap(b, 0, b.length);
        boolean was = s.mc.rcast;
        int caps = nodes.clusterCapabilities();
        net.bcast.selectMethod(dsts.remote().size(), s.mc, caps, now);
        h.setIsRcast(s.mc.rcast ? 1 : 0);
        if (was != s.mc.rcast && (caps & Tipc.TIPC_MCAST_RBCTL) != 0) {
            // bcast.c tipc_mcast_xmit: a twin that could not be sent aborts the send; jtipc also refuses before the
            // twin a message the broadcast link would refuse, so no twin is left without its message at receivers.
            // Either way the method stays as it was (the next send switches, with a fresh twin)
            if (!s.mc.rcast && !net.bcast.accepts(b)) {
                s.mc.rcast = was;
                return ENOBUFS;
            }
            h.setSyn(1);
            int src = sendSync(b, s.mc.rcast, dsts.remote(), now, out);
            if (src != 0 && src != ELINKCONG) {
                s.mc.rcast = was;
                return src;
            }
        }
        if (!s.mc.rcast) return net.bcast.xmit(b, now, out);
        return rcast(b, dsts.remote(), now, out);
    }

    /** bcast.c tipc_rcast_xmit: one copy per destination node; ELINKCONG if any link was congested. */
    private int rcast(byte[] b, List<Integer> dests, long now, Outbox out) {
        int rc = 0;
        for (int node : dests) {
            byte[] c = b.clone();
            new TipcMsg().wrap(c, 0, c.length).setDestnode(node);
            if (xmit(c, node, now, out) == ELINKCONG) rc = ELINKCONG;
        }
        return rc;
    }

    /**
     * bcast.c tipc_mcast_send_sync: the SYN-marked {@code msg}'s twin (its 44-byte header, no data, errcode
     * TIPC_ERR_NO_PORT, the other is_rcast value) by the old method, so receivers keep order across the switch.
     *
     * @return 0, {@link Errno#ELINKCONG} (queued) or {@link Errno#ENOBUFS} (the broadcast link refused it: not sent)
     */
    private int sendSync(byte[] msg, boolean rcastNow, List<Integer> dests, long now, Outbox out) {
        byte[] d = Arrays.copyOf(msg, Tipc.MCAST_H_SIZE);
        TipcMsg t = new TipcMsg().wrap(d, 0, d.length);
        t.setSize(Tipc.MCAST_H_SIZE);
        t.setIsRcast(rcastNow ? 0 : 1);
        t.setErrcode(Tipc.TIPC_ERR_NO_PORT);
        return rcastNow ? net.bcast.xmit(d, now, out) : rcast(d, dests, now, out);
    }

    /**
     * Fixes (TIPC_MCAST_BROADCAST: false, TIPC_MCAST_REPLICAST: true) or frees (null) the multicast method of socket
     * {@code port} (socket.c tipc_setsockopt: mc_method.rcast, .mandatory).
     */
    void setMcastMethod(int port, Boolean rcast) {
        sock(port).mc.forced = rcast;
    }

    private byte[] buildMcast(Sock s, int type, int lower, int upper, int node, byte[] data, int off, int len) {
        byte[] b = buildData(s, Tipc.TIPC_MCAST_MSG, Tipc.MCAST_H_SIZE, node, 0, data, off, len);
        TipcMsg h = txHdr;
        h.setNametype(type);
        h.setNamelower(lower);
        h.setNameupper(upper);
        h.setLookupScope(Tipc.TIPC_CLUSTER_SCOPE);
        return b;
    }

    /**
     * tipc_node_xmit as sockets use it: a message to this node (or node 0, in_own_node) is queued for local delivery,
     * any other goes to the node table (its link, fragmented as needed).
     *
     * @return 0, {@link Errno#EHOSTUNREACH}, {@link Errno#ELINKCONG} (queued, wait for the link)
     */
    int xmit(byte[] msg, int destNode, long now, Outbox out) {
        if (inOwnNode(destNode)) {
            localq.add(msg);
            return 0;
        }
        return nodes.xmit(msg, destNode, now, out);
    }

    /**
     * {@link #xmit(byte[], int, long, Outbox)} of {@code msg[0, len)} in an array the caller reuses (such as
     * {@link #txBuf}): a local delivery gets its own copy, the links copy what they keep.
     */
    int xmit(byte[] msg, int len, int destNode, long now, Outbox out) {
        if (inOwnNode(destNode)) {
            localq.add(Arrays.copyOf(msg, len));
            return 0;
        }
        return nodes.xmit(msg, len, destNode, now, out);
    }

    /**
     * {@link #xmit(byte[], int, int, long, Outbox)} of a message in two pieces, header {@code hdr[0, hlen)} and data
     * {@code data[off, off + dlen)} ({@link NodeTable#xmit(byte[], int, byte[], int, int, int, long, Outbox)}: the
     * data is copied once); both arrays may be reused once this returns.
     */
    int xmit(byte[] hdr, int hlen, byte[] data, int off, int dlen, int destNode, long now, Outbox out) {
        Objects.checkFromIndexSize(off, dlen, data.length); // before any fragment is queued
        if (inOwnNode(destNode)) {
            byte[] m = Arrays.copyOf(hdr, hlen + dlen);
            System.arraycopy(data, off, m, hlen, dlen);
            localq.add(m);
            return 0;
        }
        return nodes.xmit(hdr, hlen, data, off, dlen, destNode, now, out);
    }

    /** msg.c tipc_msg_reverse + send back (tipc_sk_respond): not when dest-droppable or already an error message. */
    void reject(TipcMsg h, int err, long now, Outbox out) {
        int dnode = h.prevnode();
        byte[] b = Msg.reverse(h, err, net.ownAddr);
        if (b != null) xmit(b, dnode, now, out);
    }

    /**
     * A message refused because its socket's receive queue is full (socket.c tipc_sk_filter_rcv, rcvbuf_limit):
     * counted for the peer it came from ({@link Node#socketOverloads()}, logged at the 1st, 10th, 100th, ... refusal)
     * and returned with TIPC_ERR_OVERLOAD unless dest-droppable.
     */
    void overload(TipcMsg h, long now, Outbox out) {
        Node p = h.prevnode() == net.ownAddr ? null : nodes.find(h.prevnode());
        if (p != null && isPowerOfTen(++p.socketOverloads)) {
            net.log("peer " + Integer.toHexString(p.addr) + ": message to port " + Integer.toUnsignedString(h.destport())
                + " refused with TIPC_ERR_OVERLOAD, socket receive queue full (socket overloads " + p.socketOverloads + ")");
        }
        reject(h, Tipc.TIPC_ERR_OVERLOAD, now, out);
    }

    private static boolean isPowerOfTen(long n) {
        while (n >= 10 && n % 10 == 0) n /= 10;
        return n == 1;
    }

    // ====================================================================== receiving

    /** Hands in the oldest queued local delivery; false if none was queued. */
    boolean rcvLocal(long now, Outbox out) {
        byte[] lm = localq.pollFirst();
        if (lm == null) return false;
        out.loopback(lm, 0, lm.length); // bearer.h tipc_loopback_trace, right before tipc_sk_rcv
        rcv(lm, 0, lm.length, now, out, true);
        return true;
    }

    boolean hasLocal() {
        return !localq.isEmpty();
    }

    /** socket.c tipc_sk_rcv / tipc_sk_filter_rcv for one message (connection messages go to the {@link ConnSocket}). */
    void rcv(byte[] buf, int off, int len, long now, Outbox out, boolean local) {
        // the outermost call reuses one flyweight (issue 14; no receiver keeps it past its call), a nested one its own
        TipcMsg h = rcvDepth == 0 ? rcvMsg.wrap(buf, off, len) : new TipcMsg().wrap(buf, off, len);
        rcvDepth++;
        try {
            rcv(h, buf, off, now, out, local);
        } finally {
            rcvDepth--;
        }
    }

    /** The flyweight of the outermost {@link #rcv} in progress, and how many are (core thread only). */
    private final TipcMsg rcvMsg = new TipcMsg();
    private int rcvDepth;

    private void rcv(TipcMsg h, byte[] buf, int off, long now, Outbox out, boolean local) {
        int mtype = h.type();
        boolean grpData = h.user() <= Tipc.CRITICAL_IMPORTANCE && h.hdrSize() >= Tipc.GROUP_H_SIZE
            && (mtype == Tipc.TIPC_GRP_BCAST_MSG || mtype == Tipc.TIPC_GRP_MCAST_MSG);
        if (grpData && h.errcode() == 0) {
            // socket.c tipc_sk_mcast_rcv for a group broadcast: every local socket bound to the group type in exactly
            // the message's lookup scope (tipc_nametbl_lookup_mcast_sockets)
            if (net.table == null) return;
            for (int port : net.table.lookupMcastSockets(h.nametype(), 0, -1, h.lookupScope(), true)) {
                Sock s = find(port);
                if (s != null && s.group != null) s.group.rcv(h, now, out);
            }
            return;
        }
        // link.c tipc_data_input: only data messages (importance 0-3) are multicast by type; a CONN_MANAGER
        // CONN_PROBE_REPLY and a GROUP_PROTOCOL GRP_LEAVE_MSG carry type 1 (TIPC_MCAST_MSG) too
        // (a SYN-marked twin of a method switch carries TIPC_ERR_NO_PORT and goes to the sockets' McastFilter too)
        if (mtype == Tipc.TIPC_MCAST_MSG && (h.errcode() == 0 || h.isSyn() != 0) && h.user() <= Tipc.CRITICAL_IMPORTANCE) {
            if (net.table == null) return;
            List<Integer> ports = local
                ? net.table.lookupMcastSockets(h.nametype(), h.namelower(), h.nameupper(), Tipc.TIPC_NODE_SCOPE, false)
                : net.table.lookupMcastSockets(h.nametype(), h.namelower(), h.nameupper(), Tipc.TIPC_CLUSTER_SCOPE, true);
            for (int port : ports) {
                Sock s = find(port);
                // a group socket bound in the range gets nothing: group.c tipc_group_filter_msg drops a message that
                // is not a group one (msg_in_group)
                if (s == null || s.conn != null || s.group != null) continue;
                if (h.isSyn() == 0 && s.mcFilter == null) {
                    if (h.errcode() == 0) deliver(s, h);
                    continue;
                }
                if (s.mcFilter == null) s.mcFilter = new McastFilter(mcHeld);
                byte[] c = Arrays.copyOfRange(buf, off, off + h.size());
                for (byte[] m : s.mcFilter.filter(c, net.ownAddr)) {
                    TipcMsg mh = new TipcMsg().wrap(m, 0, m.length);
                    if (mh.errcode() == 0) deliver(s, mh);
                }
            }
            return;
        }
        int dport = h.destport();
        Sock s = find(dport);
        if (s == null) {
            // tipc_msg_lookup_dest: a named data message (never CONN_MANAGER or GROUP_PROTOCOL, whose type 2 is
            // CONN_ACK / GRP_ADV) without error gets one second lookup and, not found, NO_NAME; anything else NO_PORT
            boolean named = h.isData() && mtype == Tipc.TIPC_NAMED_MSG && h.errcode() == 0;
            if (named && h.rerouteCnt() == 0 && net.table != null) {
                int lookupNode = h.lookupScope() == Tipc.TIPC_NODE_SCOPE ? net.ownAddr : 0;
                SocketAddr d = net.table.lookupAnycast(h.nametype(), h.nameinst(), lookupNode);
                if (d != null && d.port() != 0) {
                    if (d.node() != net.ownAddr && nodes.congested(d.node(), h.importance(), h.origport())) {
                        // jtipc: not forwarded into a full backlog (the kernel queues it with ELINKCONG and nobody
                        // waits): a peer could otherwise grow our backlog to a third node without bound
                        overload(h, now, out);
                        return;
                    }
                    byte[] c = Arrays.copyOfRange(buf, off, off + h.size());
                    TipcMsg ch = new TipcMsg().wrap(c, 0, c.length);
                    ch.setRerouteCnt(1);
                    ch.setDestport(d.port());
                    ch.setDestnode(d.node());
                    if (d.node() != net.ownAddr) ch.setPrevnode(net.ownAddr);
                    xmit(c, d.node(), now, out);
                    return;
                }
            }
            reject(h, named ? Tipc.TIPC_ERR_NO_NAME : Tipc.TIPC_ERR_NO_PORT, now, out);
            return;
        }
        if (s.conn != null) {
            s.conn.rcv(h, now, out);
            return;
        }
        if (s.group != null) {
            s.group.rcv(h, now, out);
            return;
        }
        if (h.user() > Tipc.CRITICAL_IMPORTANCE) return;
        if (mtype == Tipc.TIPC_CONN_MSG || mtype > Tipc.TIPC_DIRECT_MSG) {
            reject(h, Tipc.TIPC_ERR_NO_PORT, now, out);
            return;
        }
        deliver(s, h);
    }

    /**
     * Queues the message for the socket's handler (run after the current call); a handler refusing it (queue full)
     * gets it returned to the sender with TIPC_ERR_OVERLOAD (socket.c tipc_sk_filter_rcv, rcvbuf_limit).
     */
    private void deliver(Sock s, TipcMsg h) {
        int hs = h.hdrSize();
        int size = h.size();
        DeliveredMessage d = spareDeliveries.pollFirst();
        if (d == null) d = new DeliveredMessage(this::handOver);
        else spareDeliveryBytes -= d.buf.length;
        if (d.buf.length < size) d.buf = new byte[size];
        System.arraycopy(h.buffer(), h.offset(), d.buf, 0, size);
        int mtype = h.type();
        int nt = 0, lo = 0, up = 0;
        if (hs >= Tipc.NAMED_H_SIZE && (mtype == Tipc.TIPC_NAMED_MSG || mtype == Tipc.TIPC_MCAST_MSG)) {
            nt = h.nametype();
            lo = h.nameinst();
            up = mtype == Tipc.TIPC_MCAST_MSG && hs >= Tipc.MCAST_H_SIZE ? h.nameupper() : lo;
        }
        d.port = s.port;
        d.srcNode = h.orignode();
        d.srcPort = h.origport();
        d.msgType = mtype;
        d.nameType = nt;
        d.nameLower = lo;
        d.nameUpper = up;
        d.errcode = h.errcode();
        d.importance = h.user() & 3;
        d.destDroppable = h.destDroppable() != 0;
        d.hdrSize = hs;
        d.size = size;
        d.handler = s.handler;
        net.events.add(d.task);
    }

    /**
     * Most {@link DeliveredMessage}s kept for reuse between core calls, per node: 256 objects whose arrays hold at most
     * {@link #DELIVERY_SPARE_BYTES} together (1 MiB); a view beyond either bound is left to the garbage collector with
     * its array. A call that delivers more messages (a long burst released at once) makes new ones for the rest. The
     * kernel has no such pool: it hands the skb itself to the socket queue.
     */
    static final int DELIVERY_SPARES = 256;
    /** Bytes of the arrays of spare {@link DeliveredMessage}s kept per node at most: 1 MiB (see {@link #DELIVERY_SPARES}). */
    static final long DELIVERY_SPARE_BYTES = 1 << 20;
    /** Spare delivery views, bounded by {@link #DELIVERY_SPARES} and {@link #DELIVERY_SPARE_BYTES}. Core thread only. */
    private final ArrayDeque<DeliveredMessage> spareDeliveries = new ArrayDeque<>();
    /** Bytes of the arrays of {@link #spareDeliveries}. */
    private long spareDeliveryBytes;

    /**
     * Hands a queued delivery to its socket's handler (after the current call's processing, as the kernel's loopback
     * inputq); a handler refusing it (queue full) gets it returned to the sender with TIPC_ERR_OVERLOAD (socket.c
     * tipc_sk_filter_rcv, rcvbuf_limit). Then the view goes back to the spares.
     */
    private void handOver(DeliveredMessage d) {
        try {
            if (!d.handler.onMessage(d) && net.deferredNow >= 0) {
                // return the message (header + payload, a copy: the view is reused): TIPC_ERR_OVERLOAD
                byte[] whole = Arrays.copyOf(d.buf, d.size);
                TipcMsg w = new TipcMsg().wrap(whole, 0, whole.length);
                if (d.msgType == Tipc.TIPC_MCAST_MSG) w.setDestport(d.port);
                overload(w, net.deferredNow, net.deferredOut);
            }
        } finally {
            d.handler = null;
            if (spareDeliveries.size() < DELIVERY_SPARES && spareDeliveryBytes + d.buf.length <= DELIVERY_SPARE_BYTES) {
                spareDeliveries.addFirst(d);
                spareDeliveryBytes += d.buf.length;
            }
        }
    }

    // ====================================================================== connections

    /** socket.c tipc_connect: resolves the destination, then {@link ConnSocket#connect}. See {@link NodeCore#connect}. */
    int connect(long now, int port, boolean byName, int a, int b, int lookupNode, int timeoutMs,
                byte[] data, int off, int len, Outbox out) {
        Sock s = sock(port);
        ConnSocket c = conn(port);
        switch (c.state) {
            case ESTABLISHED: return EISCONN;
            case CONNECTING: return EALREADY;
            case OPEN: break;
            default: return EINVAL;
        }
        if (!s.publs.isEmpty()) return EOPNOTSUPP;
        if (len > Tipc.MAX_USER_MSG_SIZE) return EMSGSIZE;
        if (net.table == null) return EHOSTUNREACH;
        int dnode, dport;
        if (byName) {
            SocketAddr dst = net.table.lookupAnycast(a, b, lookupNode);
            if (dst == null) return EHOSTUNREACH;
            dnode = dst.node();
            dport = dst.port();
        } else {
            dnode = a;
            dport = b;
        }
        int scope = lookupNode != 0 ? Tipc.TIPC_NODE_SCOPE : Tipc.TIPC_CLUSTER_SCOPE;
        return c.connect(now, dnode, dport, byName, a, b, scope, timeoutMs,
            data == null ? new byte[0] : data, off, len, out);
    }

    /** socket.c tipc_accept, never blocking. See {@link NodeCore#accept}. */
    int accept(long now, int listenPort, ConnHandler handler, Outbox out) {
        ConnSocket l = conn(listenPort);
        if (l.state != ConnSocket.State.LISTEN) return EINVAL;
        if (l.rcvq.isEmpty()) return EAGAIN;
        int np = openConnSocket(l.stream ? SocketType.STREAM : SocketType.SEQPACKET, handler);
        l.accept(conns.get(np), now, out);
        return np;
    }

    /** socket.c tipc_shutdown(SHUT_RDWR). See {@link NodeCore#shutdown(long, int, Outbox)}. */
    int shutdown(long now, int port, Outbox out) {
        ConnSocket c = conn(port);
        c.shutdown(Tipc.TIPC_CONN_SHUTDOWN, now, out);
        if (c.state == ConnSocket.State.DISCONNECTING) {
            while (c.dequeue() != null) { /* discard */ }
            return 0;
        }
        return ENOTCONN;
    }

    /**
     * node_lost_contact → tipc_node_remove_conn: every connection to {@code node} is aborted (TIPC_ERR_NO_NODE); the
     * multicast messages of its senders held for a SYN twin are delivered; in each group socket (at the end of the
     * call) the members it has only by a JOIN are deleted and its lingering members LEFT ({@link GroupSocket#nodeLost}).
     */
    void nodeLost(int node, long now, Outbox out) {
        for (ConnSocket c : new ArrayList<>(conns.values())) {
            if (c.peerNode == node) c.peerLost(now, out);
        }
        // the multicast filters release what they hold of the node's senders: no SYN twin will come (McastFilter#nodeDown)
        for (Sock s : socks.values()) {
            if (s.mcFilter == null) continue;
            for (byte[] m : s.mcFilter.nodeDown(node)) {
                TipcMsg mh = new TipcMsg().wrap(m, 0, m.length);
                if (mh.errcode() == 0) deliver(s, mh);
            }
        }
        for (GroupSocket g : new ArrayList<>(groups.values())) g.nodeLost(node, now, out);
    }

    /** The link to {@code node} is uncongested (SOCK_WAKEUP): its connections may send again. */
    void linkUncongested(int node) {
        for (ConnSocket c : conns.values()) {
            if (c.peerNode == node) c.linkUncongested();
        }
        for (GroupSocket g : groups.values()) g.linkUncongested(node);
    }

    /** Earliest connection timer, ms (Long.MAX_VALUE if none): O(1) after the first call that follows a change. */
    long nextDeadline() {
        return connTimers.next();
    }

    /** The connection sockets' timers, one heap ({@link ConnTimers}). */
    final ConnTimers connTimers = new ConnTimers(conns.values());

    /** A connection's probe, SYN retry or connect deadline changed ({@link ConnSocket#nextDeadline}): O(log n). */
    void connTimersChanged(ConnSocket c) {
        connTimers.changed(c);
    }

    /** socket.c tipc_sk_timeout of every connection that is due. */
    void timeout(long now, Outbox out) {
        connTimers.expire(now, out);
    }
}
