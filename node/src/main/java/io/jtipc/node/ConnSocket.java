package io.jtipc.node;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;

import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * The connection-oriented part of a TIPC socket (Linux 6.1 net/tipc/socket.c for SOCK_SEQPACKET and SOCK_STREAM):
 * connect with the SYN bit, listen/accept, the 24-byte header of established connections, CONN_ACK flow control
 * (1024-byte blocks with an advertised window when the peer has TIPC_BLOCK_FLOWCTL, else the legacy 512-message
 * window), connection probing, FIN/abort, rejected connects, and the socket's own options (importance,
 * dest-droppable, TIPC_NODELAY). Owned by the node's {@link SocketTable}, through which it sends ({@link SocketTable#xmit},
 * {@link SocketTable#reject}); applications use {@link NodeCore#connect}, {@link NodeCore#listen}, {@link NodeCore#accept},
 * {@link NodeCore#send}, {@link NodeCore#recv}, {@link NodeCore#shutdown} and {@link NodeCore#closeSocket}.
 *
 * <h2>Flow control (socket.c tsk_inc, tsk_adv_blocks, tipc_sk_build_ack)</h2>
 * A message of {@code h + d} bytes counts {@code (h + d) / 1024 + 1} blocks (1 message in legacy mode). The sender
 * may send while its unacknowledged count is at most the window ({@code snt_unacked <= snd_win}); the reader
 * acknowledges what it has consumed once that reaches a quarter of its window, advertising
 * {@code rcvbuf / 1024 / 4} = 512 blocks for the kernel's default 2 MiB receive buffer. Both windows start at
 * {@code RCVBUF_MIN / 1024 / 4} = 128 blocks, or 512 messages each in legacy mode.
 */
public final class ConnSocket {
    /** socket.c socket states (TIPC_OPEN ... TIPC_DISCONNECTING). */
    public enum State { OPEN, LISTEN, CONNECTING, ESTABLISHED, DISCONNECTING }

    /** socket.h FLOWCTL_BLK_SZ, bytes. */
    public static final int FLOWCTL_BLK_SZ = 1024;
    /** socket.h FLOWCTL_MSG_WIN: legacy message-count window. */
    public static final int FLOWCTL_MSG_WIN = 512;
    /** socket.h RCVBUF_MIN (initial windows are derived from it). */
    public static final int RCVBUF_MIN = FLOWCTL_BLK_SZ * 512;
    /** socket.h RCVBUF_DEF = sysctl tipc_rmem[1], the default socket receive buffer. */
    public static final int RCVBUF_DEF = FLOWCTL_BLK_SZ * 1024 * 2;
    /** socket.c CONN_TIMEOUT_DEFAULT, ms. */
    public static final int CONN_TIMEOUT_DEFAULT = 8000;
    /** socket.c NAGLE_START_INIT / NAGLE_START_MAX: writes before Nagle starts bundling. */
    public static final int NAGLE_START_INIT = 4;
    public static final int NAGLE_START_MAX = 1024;
    /** socket.c CONN_PROBING_INTV, ms (1 hour). */
    public static final int CONN_PROBING_INTV = 3_600_000;
    /** socket.c TIPC_ACK_RATE: acknowledge at a quarter of the receive window. */
    public static final int TIPC_ACK_RATE = 4;
    /**
     * Bytes a queued message counts on top of its own against the receive limit, standing in for the skb overhead
     * the kernel's {@code truesize} adds (so that a flood of empty messages fills the queue too); the api's
     * TipcSocket counts the same for RDM/DGRAM.
     */
    public static final int RCV_MSG_OVERHEAD = 256;
    /**
     * Messages a connection from a peer without TIPC_BLOCK_FLOWCTL may have queued: twice its 512-message window
     * plus one, what the kernel's FLOWCTL_MSG_LIM is sized for (socket.c); the kernel counts it in bytes only.
     */
    public static final int LEGACY_RCVQ_MSGS = FLOWCTL_MSG_WIN * 2 + 1;

    private final Net net;
    private final SocketTable sockets;
    final int port;
    final boolean stream;
    ConnHandler handler;
    State state = State.OPEN;
    int peerNode;
    int peerPort;
    int peerCaps;
    boolean named;
    int connType;
    int connInstance;
    int sntUnacked;
    int sndWin = advBlocks(RCVBUF_MIN);
    int rcvUnacked;
    int rcvWin = sndWin;
    boolean probeUnacked;
    boolean linkCong;
    int err;
    /** sk_err of a probing abort, reported once by the next recv or send (sock_error clears it), then 0. */
    private int pendingErr;
    int connTimeout = CONN_TIMEOUT_DEFAULT;
    /** The SYN kept for a retry after an overload rejection (the kernel's write-queue clone). */
    byte[] syn;
    long probeDue = Long.MAX_VALUE;
    long retryDue = Long.MAX_VALUE;
    long connectDeadline = Long.MAX_VALUE;
    /** Receive queue: whole messages (header + data); on a listener, the pending SYNs. */
    final ArrayDeque<byte[]> rcvq = new ArrayDeque<>();
    /**
     * Per {@link #rcvq} entry: TRUE for a reassembled message queued as it was (nobody else refers to it), which goes
     * back to the node's reassembly spares once read ({@link #dropRead}), so a stream of large messages reuses its
     * arrays (issue 14); FALSE for a copy.
     */
    private final ArrayDeque<Boolean> rcvqReused = new ArrayDeque<>();
    int rcvqBytes;
    int rcvqBlocks;
    int maxRcvqBlocks;
    /** Messages refused with TIPC_ERR_OVERLOAD because the receive queue was full. */
    long overloads;
    /** Nagle state (socket.c): largest bundled message (0 = off), writes since the last reception, ... */
    int maxnagle;
    /** tsk->max_pkt: the MSS of the link this port sent on when the connection was made (tipc_sk_finish_conn), bytes. */
    private int maxPkt;
    boolean nodelay;
    int nagleStart = NAGLE_START_INIT;
    int oneway;
    int sndBacklog;
    int msgAcc;
    int pktCnt;
    boolean expectAck;
    /** Messages held by Nagle (the kernel's sk_write_queue of an established socket). */
    final ArrayDeque<ConnTxMsg> txq = new ArrayDeque<>();
    /** Bytes of the head message already read (STREAM partial reads). */
    int bytesRead;

    /** TIPC_IMPORTANCE of the messages sent (0-3); an accepted or connected socket takes the peer's. */
    int importance;
    /** TIPC_DEST_DROPPABLE: off for connection sockets (undeliverable messages come back). */
    boolean destDroppable;

    ConnSocket(Net net, SocketTable sockets, int port, boolean stream, ConnHandler handler) {
        this.net = net;
        this.sockets = sockets;
        this.port = port;
        this.stream = stream;
        this.handler = handler == null ? new ConnHandler() {} : handler;
    }

    /** socket.c tsk_adv_blocks. */
    static int advBlocks(int len) {
        return len / FLOWCTL_BLK_SZ / 4;
    }

    /** socket.c tsk_blocks: blocks of a message of {@code len} bytes (header included). */
    public static int blocks(int len) {
        return len / FLOWCTL_BLK_SZ + 1;
    }

    /** socket.c tsk_inc: blocks, or 1 message without TIPC_BLOCK_FLOWCTL. */
    int inc(int msglen) {
        return (peerCaps & Tipc.TIPC_BLOCK_FLOWCTL) != 0 ? blocks(msglen) : 1;
    }

    // ------------------------------------------------------------------ inspection

    public int port() { return port; }
    public boolean isStream() { return stream; }
    public State state() { return state; }
    /** Peer node (valid once connecting). */
    public int peerNode() { return peerNode; }

    /** The accepted SYN's w3 (the link's peer, held by Node.deliver; this node for a local SYN), unlike its w6. */
    public int synVia() { return synVia; }
    int synVia;
    /** Peer port (valid once established). */
    public int peerPort() { return peerPort; }
    /** Peer capabilities at connection set-up. */
    public int peerCaps() { return peerCaps; }
    /** Blocks (or messages in legacy mode) sent and not yet acknowledged. */
    public int sntUnacked() { return sntUnacked; }
    /** Send window, blocks (messages in legacy mode): last advertised by the peer. */
    public int sndWin() { return sndWin; }
    /** Receive window, blocks: what this socket advertises. */
    public int rcvWin() { return rcvWin; }
    /** Messages in the receive queue. */
    public int queuedMessages() { return rcvq.size(); }
    /** Bytes (headers included) in the receive queue. */
    public int queuedBytes() { return rcvqBytes; }
    /** Messages refused with TIPC_ERR_OVERLOAD because the receive queue was full (each aborts a connection). */
    public long overloads() { return overloads; }
    /** Blocks in the receive queue, as the sender counts them ({@link #blocks}). */
    public int queuedBlocks() { return rcvqBlocks; }
    /** Highest {@link #queuedBlocks()} ever seen. */
    public int maxQueuedBlocks() { return maxRcvqBlocks; }
    /** Socket error (sk_err) as a negative {@link Errno} code ({@link Errno#ECONNREFUSED}, ...), 0 if none. */
    public int error() { return err; }
    /** True if a send would have to wait (tsk_conn_cong or a congested link). */
    public boolean sendBlocked() { return linkCong || congested(); }
    /** Service the connection was made to/accepted on, if by name. */
    public boolean named() { return named; }
    public int connType() { return connType; }
    public int connInstance() { return connInstance; }
    /**
     * TIPC_CONN_TIMEOUT of this socket in ms (socket.c {@code tsk->conn_timeout}): {@link #CONN_TIMEOUT_DEFAULT} on a
     * new or accepted socket (tipc_sk_create), the connect's timeout once it connected; 0 = a connect without
     * deadline. The kernel reads it when connecting (tipc_connect's wait) and for the SYN retry after an overload
     * rejection (a random delay below a quarter of it, tipc_sk_filter_connect).
     */
    public int connTimeout() { return connTimeout; }
    /** Importance 0-3 of the messages this socket sends: set, or taken from the SYN (accepted) or ACK (connecting). */
    public int importance() { return importance; }
    /**
     * Sets {@link #connTimeout()} in ms (tipc_setsockopt TIPC_CONN_TIMEOUT; the caller checks the range). On a
     * connecting socket it changes the spread of the next SYN retry; on an established one nothing else, as in the
     * kernel.
     */
    public void setConnTimeout(int ms) { connTimeout = ms; }

    boolean congested() {
        return sntUnacked > sndWin;
    }

    long nextDeadline() {
        return Math.min(probeDue, Math.min(retryDue, connectDeadline));
    }

    // ------------------------------------------------------------------ queue

    private void enqueue(byte[] msg) {
        enqueue(msg, false);
    }

    private void enqueue(byte[] msg, boolean reassembled) {
        rcvq.addLast(msg);
        rcvqReused.addLast(reassembled);
        rcvqBytes += msg.length;
        rcvqBlocks += blocks(msg.length);
        maxRcvqBlocks = Math.max(maxRcvqBlocks, rcvqBlocks);
    }

    byte[] dequeue() {
        byte[] m = rcvq.pollFirst();
        if (m != null) {
            rcvqReused.pollFirst();
            rcvqBytes -= m.length;
            rcvqBlocks -= blocks(m.length);
        }
        bytesRead = 0;
        return m;
    }

    /** Dequeues the head message, read by the application: a reassembled array goes back to the node's spares. */
    private void dropRead() {
        boolean reuse = rcvqReused.peekFirst() == Boolean.TRUE;
        byte[] m = dequeue();
        if (reuse) net.reasmSpares.give(m);
    }

    /**
     * socket.c tipc_sk_filter_rcv: no room for a message of {@code size} bytes when the queue's bytes (each message
     * counting {@link #RCV_MSG_OVERHEAD} more) would reach {@link #rcvbufLimit}, or, for a legacy peer's connection
     * message, when {@link #LEGACY_RCVQ_MSGS} are queued.
     */
    private boolean noRoom(TipcMsg h, int size) {
        long held = rcvqBytes + (long) rcvq.size() * RCV_MSG_OVERHEAD;
        if (held + size + RCV_MSG_OVERHEAD >= rcvbufLimit(h)) return true;
        return h.type() == Tipc.TIPC_CONN_MSG && (peerCaps & Tipc.TIPC_BLOCK_FLOWCTL) == 0
            && rcvq.size() >= LEGACY_RCVQ_MSGS;
    }

    /** socket.c rcvbuf_limit for connection messages. */
    private int rcvbufLimit(TipcMsg h) {
        if (h.type() != Tipc.TIPC_CONN_MSG) return RCVBUF_DEF << (h.user() & 3);
        if ((peerCaps & Tipc.TIPC_BLOCK_FLOWCTL) != 0) return RCVBUF_DEF;
        return (FLOWCTL_MSG_WIN * 2 + 1) * (Tipc.MAX_USER_MSG_SIZE + Tipc.MAX_H_SIZE);
    }

    // ------------------------------------------------------------------ state changes

    /** socket.c tipc_sk_finish_conn. */
    void finishConn(int pport, int pnode, long now) {
        syn = null;
        retryDue = Long.MAX_VALUE;
        connectDeadline = Long.MAX_VALUE;
        peerPort = pport;
        peerNode = pnode;
        probeDue = now + CONN_PROBING_INTV;
        sockets.connTimersChanged(this);
        state = State.ESTABLISHED;
        peerCaps = sockets.connCapabilities(pnode);
        maxPkt = sockets.inOwnNode(pnode) ? Tipc.MAX_MSG_SIZE : sockets.mtu(pnode, port);
        setNagle();
        if ((peerCaps & Tipc.TIPC_BLOCK_FLOWCTL) == 0) {
            rcvWin = FLOWCTL_MSG_WIN;
            sndWin = FLOWCTL_MSG_WIN;
        }
    }

    /**
     * socket.c tsk_set_nagle: STREAM only, not with TIPC_NODELAY, only to peers with TIPC_NAGLE; {@link #maxPkt},
     * 1500 bytes to this node or with no active link. Never larger than when the connection was made, so a message
     * Nagle holds (sized by it) always has room for what {@link #append} copies.
     */
    void setNagle() {
        maxnagle = 0;
        if (!stream || nodelay || (peerCaps & Tipc.TIPC_NAGLE) == 0) return;
        maxnagle = maxPkt == Tipc.MAX_MSG_SIZE ? 1500 : maxPkt;
    }

    /** socket.c tipc_listen: 0, or {@link Errno#EINVAL} if the socket is not open. */
    int listen() {
        if (state != State.OPEN) return Errno.EINVAL;
        state = State.LISTEN;
        return 0;
    }

    /** TIPC_NODELAY (socket.c tsk_set_nagle on change). */
    void setNoDelay(boolean v) {
        nodelay = v;
        if (state == State.ESTABLISHED) setNagle();
    }

    void setHandler(ConnHandler h) {
        handler = h == null ? new ConnHandler() {} : h;
    }

    private void disconnect() {
        state = State.DISCONNECTING;
        probeDue = Long.MAX_VALUE;
        retryDue = Long.MAX_VALUE;
        connectDeadline = Long.MAX_VALUE;
        sockets.connTimersChanged(this);
        syn = null;
    }

    private int takePendingErr() {
        int e = pendingErr;
        pendingErr = 0;
        return e;
    }

    private void fail(int code) {
        disconnect();
        err = code;
        post(() -> handler.failed(port, code));
    }

    /** Set when the socket is closed: no more handler calls. */
    boolean closed;
    /** Due time (ms) of this socket's live entry in the node's {@link ConnTimers}, Long.MAX_VALUE if none. */
    long timerDue = Long.MAX_VALUE;

    /** Queues a handler call to run after the current core call, unless the socket is closed by then. */
    private void post(Runnable r) {
        net.events.add(() -> {
            if (!closed) r.run();
        });
    }

    private void notifyReadable() {
        post(() -> handler.readable(port));
    }

    /** tsk_peer_msg. */
    private boolean peerMsg(TipcMsg h) {
        if (state != State.ESTABLISHED) return false;
        if (h.origport() != peerPort) return false;
        int on = h.orignode();
        int self = net.ownAddr;
        return on == peerNode || (on == 0 && peerNode == self) || (peerNode == 0 && on == self);
    }

    // ------------------------------------------------------------------ receive

    /**
     * socket.c tipc_sk_filter_rcv + tipc_sk_filter_connect + tipc_sk_conn_proto_rcv for one message addressed
     * to this socket.
     */
    void rcv(TipcMsg h, long now, Outbox out) {
        if (h.user() == Tipc.CONN_MANAGER) {
            protoRcv(h, now, out);
            return;
        }
        if (h.user() > Tipc.CRITICAL_IMPORTANCE) return;
        filterRcv(h, now, out);
        boolean push = pushAfter, ack = ackAfter;
        pushAfter = ackAfter = false;
        if (push && state == State.ESTABLISHED && !txq.isEmpty()) pushBacklog(false, now, out);
        if (ack && state == State.ESTABLISHED) sendAck(true, now, out);
    }

    /**
     * What the message {@link #rcv} takes makes this socket send (its held messages, a Nagle ACK), sent once it is
     * queued: a send that overflows the link takes it down and aborts this connection, which must come after it.
     */
    private boolean pushAfter, ackAfter;

    private void filterRcv(TipcMsg h, long now, Outbox out) {
        int size = h.size();
        // a group message (types 4-7) after the connection filter: NO_PORT too (tipc_sk_filter_rcv, msg_in_group)
        if (!filterConnect(h, now, out) || h.type() >= Tipc.TIPC_GRP_MEMBER_EVT && h.type() <= Tipc.TIPC_GRP_UCAST_MSG) {
            sockets.reject(h, Tipc.TIPC_ERR_NO_PORT, now, out);
            return;
        }
        if (noRoom(h, size)) {
            overloads++;
            sockets.overload(h, now, out);
            if (state == State.ESTABLISHED && h.type() == Tipc.TIPC_CONN_MSG) abortOverloaded(h);
            return;
        }
        byte[] whole = h.buffer();
        if (whole == net.reassembled && h.offset() == 0 && size == whole.length) {
            net.reassembled = null; // a reassembled message nobody else holds: queued as it is (issue 14)
            enqueue(whole, true);
        } else {
            enqueue(Arrays.copyOfRange(whole, h.offset(), h.offset() + size));
        }
        notifyReadable();
    }

    private boolean filterConnect(TipcMsg h, long now, Outbox out) {
        boolean conMsg = h.type() == Tipc.TIPC_CONN_MSG;
        int oport = h.origport();
        int onode = h.orignode();
        int e = h.errcode();
        if (h.type() == Tipc.TIPC_MCAST_MSG) return false;
        oneway = 0;
        switch (state) {
            case CONNECTING:
                if (conMsg) {
                    if (e != 0) break;
                    finishConn(oport, onode, now);
                    importance = h.user() & 3;
                    post(() -> handler.connected(port));
                    if (h.dataSize() > 0) return true;
                    h.setDestDroppable(1); // empty ACK: dropped silently
                    return false;
                }
                if (oport != peerPort || onode != peerNode) return false;
                if (e != Tipc.TIPC_ERR_OVERLOAD) break;
                if (syn == null) break;
                // overloaded listener: retry the SYN after 100 ms + a random part of a quarter of the timeout
                retryDue = now + 100 + sockets.random16() % Math.max(1, connTimeout / 4);
                sockets.connTimersChanged(this);
                return false;
            case OPEN:
            case DISCONNECTING:
                return false;
            case LISTEN:
                if (h.isSyn() == 0 && (sockets.capabilities(onode) & Tipc.TIPC_SYN_BIT) != 0) return false;
                return !conMsg && e == 0;
            case ESTABLISHED:
                pushAfter = !txq.isEmpty();
                if (conMsg && e == 0 && oport == peerPort && onode == peerNode) {
                    ackAfter = h.ackRequired() != 0; // sent once the message is queued (the kernel's xmitq)
                    return true;
                }
                if (!peerMsg(h)) return false;
                if (e == 0) return true;
                disconnect();
                return true;
            default:
                return false;
        }
        // connection set-up aborted: the message goes to the queue, connect() fails with ECONNREFUSED
        fail(Errno.ECONNREFUSED);
        return true;
    }

    /**
     * The peer sent past its flow-control window: the kernel returns the message with TIPC_ERR_OVERLOAD, which ends
     * the connection at the peer (tipc_sk_filter_connect) but leaves this end established with a hole in its stream.
     * jtipc aborts this end too: after the messages already queued, recv returns ECONNRESET.
     */
    private void abortOverloaded(TipcMsg h) {
        disconnect();
        byte[] b = Arrays.copyOfRange(h.buffer(), h.offset(), h.offset() + Tipc.BASIC_H_SIZE);
        new TipcMsg().wrap(b, 0, b.length).setUser(Tipc.CRITICAL_IMPORTANCE).setHdrSize(Tipc.BASIC_H_SIZE)
            .setSize(Tipc.BASIC_H_SIZE).setErrcode(Tipc.TIPC_ERR_OVERLOAD);
        enqueue(b);
        notifyReadable();
        net.log("connection " + Integer.toUnsignedString(port) + " to " + Integer.toHexString(peerNode) + ":"
            + Integer.toUnsignedString(peerPort) + ": peer overran the receive queue (" + rcvq.size() + " messages, "
            + rcvqBytes + " bytes), aborted (overloads " + overloads + ")");
    }

    /** socket.c tipc_sk_conn_proto_rcv. */
    private void protoRcv(TipcMsg h, long now, Outbox out) {
        if (!peerMsg(h)) return;
        if (h.errcode() != 0) {
            disconnect();
            // converted into an abort message in the receive queue
            byte[] b = Arrays.copyOfRange(h.buffer(), h.offset(), h.offset() + Tipc.BASIC_H_SIZE);
            TipcMsg a = new TipcMsg().wrap(b, 0, b.length);
            a.setUser(Tipc.CRITICAL_IMPORTANCE).setType(Tipc.TIPC_CONN_MSG).setHdrSize(Tipc.BASIC_H_SIZE)
                .setSize(Tipc.BASIC_H_SIZE);
            enqueue(b);
            notifyReadable();
            return;
        }
        probeUnacked = false;
        int mtyp = h.type();
        if (mtyp == Tipc.CONN_PROBE) {
            byte[] r = buildProto(Tipc.CONN_PROBE_REPLY);
            sockets.xmit(r, peerNode, now, out);
        } else if (mtyp == Tipc.CONN_ACK) {
            boolean wasCong = congested();
            pushBacklog(h.nagleAck() != 0, now, out);
            sntUnacked = Math.max(0, sntUnacked - h.connAck());
            if ((peerCaps & Tipc.TIPC_BLOCK_FLOWCTL) != 0) sndWin = h.advWin();
            if (wasCong && !congested() && !linkCong) post(() -> handler.writable(port));
        }
    }

    /** A CONN_MANAGER message to the peer (tipc_msg_create with INT_H_SIZE). */
    private byte[] buildProto(int type) {
        byte[] b = new byte[Tipc.INT_H_SIZE];
        TipcMsg m = new TipcMsg().wrap(b, 0, b.length);
        Msg.init(m, net.ownAddr, Tipc.CONN_MANAGER, type, Tipc.INT_H_SIZE, peerNode);
        m.setOrigport(port);
        m.setDestport(peerPort);
        return b;
    }

    /** socket.c tipc_sk_build_ack + tipc_sk_send_ack. */
    void sendAck(boolean nagleAck, long now, Outbox out) {
        if (state != State.ESTABLISHED) return;
        byte[] b = buildProto(Tipc.CONN_ACK);
        TipcMsg m = new TipcMsg().wrap(b, 0, b.length);
        m.setConnAck(rcvUnacked);
        rcvUnacked = 0;
        if ((peerCaps & Tipc.TIPC_BLOCK_FLOWCTL) != 0) {
            rcvWin = advBlocks(RCVBUF_DEF);
            m.setAdvWin(rcvWin);
        }
        if (nagleAck) m.setNagleAck(1);
        sockets.xmit(b, peerNode, now, out);
    }

    /** Peer node lost (node.c tipc_node_remove_conn / node_lost_contact): a TIPC_ERR_NO_NODE abort from the peer. */
    void peerLost(long now, Outbox out) {
        if (state != State.ESTABLISHED) return;
        byte[] b = new byte[Tipc.SHORT_H_SIZE];
        TipcMsg m = new TipcMsg().wrap(b, 0, b.length);
        Msg.init(m, peerNode, Tipc.CRITICAL_IMPORTANCE, Tipc.TIPC_CONN_MSG, Tipc.SHORT_H_SIZE, 0);
        m.setOrigport(peerPort);
        m.setDestport(port);
        m.setErrcode(Tipc.TIPC_ERR_NO_NODE);
        rcv(m, now, out);
    }

    /** socket.c tipc_sk_timeout: probing of established connections, SYN retry, connect timeout. */
    void timeout(long now, Outbox out) {
        if (state == State.ESTABLISHED && probeDue <= now) {
            if (probeUnacked) { // tipc_sk_check_probing_state: sk_err = ECONNABORTED, nothing sent
                fail(Errno.ECONNABORTED);
                pendingErr = Errno.ECONNABORTED;
                return;
            }
            sockets.xmit(buildProto(Tipc.CONN_PROBE), peerNode, now, out);
            probeUnacked = true;
            probeDue = now + CONN_PROBING_INTV;
            sockets.connTimersChanged(this);
        }
        if (state == State.CONNECTING) {
            if (connectDeadline <= now) {
                fail(Errno.ETIMEDOUT);
                return;
            }
            if (retryDue <= now) {
                retryDue = Long.MAX_VALUE;
                sockets.connTimersChanged(this);
                if (syn != null) {
                    byte[] c = syn.clone();
                    int rc = sockets.xmit(c, peerNode, now, out);
                    if (rc == Errno.ELINKCONG) linkCong = true;
                }
            }
        }
    }

    // ------------------------------------------------------------------ operations (NodeCore → SocketTable → here)

    /**
     * socket.c tipc_connect / __tipc_sendmsg with syn: a NAMED (by service) or DIRECT (by socket) message with the
     * SYN bit, optionally carrying data (SYN+). The destination was resolved by the caller.
     */
    int connect(long now, int dnode, int dport, boolean byName, int type, int inst, int lookupScope, int timeoutMs,
                byte[] data, int off, int len, Outbox out) {
        int hs = byName ? Tipc.NAMED_H_SIZE : Tipc.BASIC_H_SIZE;
        byte[] b = new byte[hs + len];
        TipcMsg h = new TipcMsg().wrap(b, 0, b.length);
        Msg.init(h, net.ownAddr, importance, byName ? Tipc.TIPC_NAMED_MSG : Tipc.TIPC_DIRECT_MSG, hs, dnode);
        h.setSize(b.length);
        h.setOrigport(port);
        h.setDestport(dport);
        h.setDestDroppable(destDroppable ? 1 : 0);
        h.setSyn(1);
        if (byName) {
            h.setNametype(type);
            h.setNameinst(inst);
            h.setLookupScope(lookupScope);
        }
        if (len > 0) System.arraycopy(data, off, b, hs, len);
        byte[] copy = b.clone();
        int rc = sockets.xmit(b, dnode, now, out);
        if (rc == Errno.ELINKCONG) {
            linkCong = true;
            rc = 0;
        }
        if (rc != 0) return rc;
        syn = copy;
        state = State.CONNECTING;
        peerNode = dnode;
        peerPort = dport;
        named = byName;
        connType = type;
        connInstance = inst;
        connTimeout = timeoutMs;
        if (timeoutMs > 0) connectDeadline = now + timeoutMs;
        sockets.connTimersChanged(this);
        if (len > 0) {
            // __tipc_sendstream implicit connect: the SYN's data counts against the window
            peerCaps = sockets.connCapabilities(dnode);
            sntUnacked = inc(len + hs);
        }
        return 0;
    }

    /** socket.c tipc_accept on this listening socket: connects {@code child} to the first pending SYN's sender. */
    void accept(ConnSocket child, long now, Outbox out) {
        byte[] m = dequeue();
        TipcMsg h = new TipcMsg().wrap(m, 0, m.length);
        child.finishConn(h.origport(), h.orignode(), now);
        child.synVia = h.prevnode();
        child.importance = h.user() & 3;
        if (h.type() == Tipc.TIPC_NAMED_MSG && h.hdrSize() >= Tipc.NAMED_H_SIZE) {
            child.named = true;
            child.connType = h.nametype();
            child.connInstance = h.nameinst();
        }
        if (h.dataSize() > 0) {
            // SYN+: its data is the new socket's first message
            child.enqueue(m);
            child.notifyReadable();
        }
        // the ACK: an empty connection message (__tipc_sendstream with no data)
        child.send(now, m, 0, 0, out);
    }

    /**
     * socket.c __tipc_sendstream (STREAM: split into messages of at most 66000 bytes) / tipc_send_packet
     * (SEQPACKET: one message), never blocking: stops when the connection window or the link is congested.
     *
     * @return bytes sent (STREAM: possibly fewer than {@code len}), or {@link Errno#EAGAIN} if nothing could be
     *         sent, {@link Errno#EPIPE}, {@link Errno#ENOTCONN}, {@link Errno#EMSGSIZE}
     */
    int send(long now, byte[] data, int off, int len, Outbox out) {
        if (!stream && len > Tipc.MAX_USER_MSG_SIZE) return Errno.EMSGSIZE; // tipc_send_packet, before all else
        if (pendingErr != 0) return takePendingErr(); // tipc_wait_for_cond -> tipc_sk_sock_err: sock_error first
        if (state == State.DISCONNECTING) return Errno.EPIPE;
        if (state != State.ESTABLISHED) return Errno.ENOTCONN;
        Objects.checkFromIndexSize(off, len, data.length);
        int sent = 0;
        int rc = 0;
        do {
            if (linkCong || congested()) {
                rc = Errno.EAGAIN;
                break;
            }
            int n = Math.min(len - sent, Tipc.MAX_USER_MSG_SIZE);
            int blocks = sndBacklog;
            if (oneway++ >= nagleStart && maxnagle > 0 && n <= maxnagle) {
                // Nagle: append to the last queued message; hold while an ACK is expected and little is queued
                blocks += append(data, off + sent, n);
                msgAcc++;
                if (blocks <= 64 && expectAck) {
                    sndBacklog = blocks;
                    sent += n;
                    break;
                } else if (blocks > 64) {
                    pktCnt += txq.size();
                } else {
                    txq.peekLast().msg().setAckRequired(1);
                    expectAck = true;
                    msgAcc = 0;
                    pktCnt = 0;
                }
                rc = xmitTxq(now, out);
            } else {
                // tipc_msg_build from the user's data: fragments are built straight from it (one copy, issue 14)
                blocks += inc(n + Tipc.MIN_H_SIZE);
                rc = xmitTxq(now, out);
                byte[] hdr = sockets.connHdr;
                header(hdr, Tipc.SHORT_H_SIZE + n);
                rc = xmitResult(sockets.xmit(hdr, Tipc.SHORT_H_SIZE, data, off + sent, n, peerNode, now, out), rc);
            }
            if (rc != 0) break;
            sntUnacked += blocks;
            sndBacklog = 0;
            sent += n;
        } while (sent < len);
        return sent > 0 ? sent : rc;
    }

    private ConnTxMsg newMessage(int dataCapacity) {
        ConnTxMsg spare = sockets.connSpare;
        ConnTxMsg p = spare != null && spare.buf.length >= Tipc.SHORT_H_SIZE + dataCapacity ? spare
            : new ConnTxMsg(Tipc.SHORT_H_SIZE + dataCapacity);
        if (p == spare) sockets.connSpare = null;
        p.size = Tipc.SHORT_H_SIZE;
        header(p.buf, p.size);
        txq.addLast(p);
        return p;
    }

    /** A connection message's header (tipc_msg_init + the socket's fields) into {@code b[0, 24)}, size {@code size}. */
    private void header(byte[] b, int size) {
        TipcMsg h = sockets.connHdrMsg.wrap(b, 0, Tipc.SHORT_H_SIZE);
        Msg.init(h, net.ownAddr, importance, Tipc.TIPC_CONN_MSG, Tipc.SHORT_H_SIZE, peerNode);
        h.setOrigport(port);
        h.setDestport(peerPort);
        h.setDestDroppable(destDroppable ? 1 : 0);
        h.setSize(size);
    }

    /** msg.c tipc_msg_append: adds {@code len} bytes to the queue's last message, opening new ones of maxnagle. */
    private int append(byte[] data, int off, int len) {
        ConnTxMsg p = txq.peekLast();
        int accounted = p == null ? 0 : blocks(p.size);
        int total = accounted;
        int rem = len;
        do {
            if (p == null || p.size >= maxnagle) {
                p = newMessage(maxnagle - Tipc.SHORT_H_SIZE);
                total += 1;
            }
            int curr = blocks(p.size);
            int cpy = Math.min(rem, maxnagle - p.size);
            System.arraycopy(data, off + len - rem, p.buf, p.size, cpy);
            p.size += cpy;
            p.msg().setSize(p.size);
            rem -= cpy;
            total += blocks(p.size) - curr;
        } while (rem > 0);
        return total - accounted;
    }

    /** tipc_node_xmit of the whole send queue; ELINKCONG marks the link congested (the messages are queued). */
    private int xmitTxq(long now, Outbox out) {
        int rc = 0;
        ConnTxMsg p;
        while ((p = txq.pollFirst()) != null) {
            int r = sockets.xmit(p.buf, p.size, peerNode, now, out); // the link (or a local delivery) copies it
            sockets.connSpare = p;
            rc = xmitResult(r, rc);
        }
        return rc;
    }

    /** A tipc_node_xmit result {@code r} folded into {@code rc}: ELINKCONG marks the link congested, else 1st error. */
    private int xmitResult(int r, int rc) {
        if (r == Errno.ELINKCONG) linkCong = true;
        return r != 0 && r != Errno.ELINKCONG && rc == 0 ? r : rc;
    }

    /** socket.c tipc_sk_push_backlog: sends what Nagle holds; a nagle-ack also re-evaluates Nagle's usefulness. */
    void pushBacklog(boolean nagleAck, long now, Outbox out) {
        if (nagleAck) {
            pktCnt += txq.size();
            if (pktCnt == 0 || msgAcc / pktCnt < 2) {
                oneway = 0;
                if (nagleStart < NAGLE_START_MAX) nagleStart *= 2;
                expectAck = false;
            } else {
                nagleStart = NAGLE_START_INIT;
                if (!txq.isEmpty()) {
                    txq.peekLast().msg().setAckRequired(1);
                    expectAck = true;
                } else {
                    expectAck = false;
                }
            }
            msgAcc = 0;
            pktCnt = 0;
        }
        if (txq.isEmpty() || linkCong) return;
        if (msgAcc > 0) pktCnt += txq.size();
        sntUnacked += sndBacklog;
        sndBacklog = 0;
        xmitTxq(now, out);
    }

    private void consumed(int msgLen, long now, Outbox out) {
        rcvUnacked += inc(msgLen);
        if (rcvUnacked >= rcvWin / TIPC_ACK_RATE) sendAck(false, now, out);
    }

    /**
     * socket.c tipc_recvmsg (SEQPACKET: one message, the rest of a longer one discarded) / tipc_recvstream (STREAM:
     * as many bytes as are queued, up to {@code len}), never blocking.
     *
     * @return bytes read; 0 at the peer's orderly shutdown (FIN with TIPC_CONN_SHUTDOWN); {@link Errno#ECONNRESET}
     *         if the connection was aborted (any other error; repeated on every call); {@link Errno#EAGAIN} if
     *         nothing is queued; {@link Errno#ENOTCONN} if not connected or the end was already read
     */
    int recv(long now, byte[] buf, int off, int len, Outbox out) {
        if (state == State.OPEN) return Errno.ENOTCONN;
        if (state == State.LISTEN || len <= 0) return Errno.EINVAL;
        if (pendingErr != 0) return takePendingErr(); // tipc_wait_for_rcvmsg: sock_error first
        TipcMsg h = new TipcMsg();
        if (!stream) {
            byte[] m;
            while (true) {
                m = rcvq.peekFirst();
                if (m == null) return state == State.DISCONNECTING ? Errno.ENOTCONN : Errno.EAGAIN;
                h.wrap(m, 0, m.length);
                if (h.dataSize() > 0 || h.errcode() != 0) break;
                dropRead();
            }
            int dlen = h.dataSize();
            int hlen = h.hdrSize();
            int e = h.errcode();
            int copy = 0;
            if (e == 0) {
                copy = Math.min(dlen, len);
                System.arraycopy(m, hlen, buf, off, copy);
            } else if (e != Tipc.TIPC_CONN_SHUTDOWN) {
                return Errno.ECONNRESET;
            }
            dropRead();
            consumed(hlen + dlen, now, out);
            return copy;
        }
        int copied = 0;
        int rc = 0;
        while (true) {
            byte[] m = rcvq.peekFirst();
            if (m == null) {
                if (copied == 0) rc = state == State.DISCONNECTING ? Errno.ENOTCONN : Errno.EAGAIN;
                break;
            }
            h.wrap(m, 0, m.length);
            int dlen = h.dataSize();
            int hlen = h.hdrSize();
            int e = h.errcode();
            if (dlen == 0 && e == 0) {
                dropRead();
                continue;
            }
            if (e == 0) {
                int o = bytesRead;
                int c = Math.min(dlen - o, len - copied);
                System.arraycopy(m, hlen + o, buf, off + copied, c);
                copied += c;
                o += c;
                if (o < dlen) {
                    bytesRead = o;
                    break;
                }
            } else {
                rc = e != Tipc.TIPC_CONN_SHUTDOWN ? Errno.ECONNRESET : 0;
                if (copied > 0 || rc != 0) break;
            }
            dropRead();
            consumed(hlen + dlen, now, out);
            if (copied == len || e != 0) break;
        }
        return copied > 0 ? copied : rc;
    }

    /**
     * socket.c __tipc_shutdown: a partially read message is discarded; a connection sends the first unread
     * message back with {@code error}, or else a FIN (a critical, empty CONN_MSG carrying {@code error});
     * a listener rejects its pending SYNs.
     */
    void shutdown(int error, long now, Outbox out) {
        if (state == State.ESTABLISHED) pushBacklog(false, now, out);
        txq.clear();
        if (bytesRead > 0 && !rcvq.isEmpty()) dequeue();
        TipcMsg h = new TipcMsg();
        switch (state) {
            case CONNECTING:
            case ESTABLISHED: {
                int dnode = peerNode;
                disconnect();
                byte[] m = dequeue();
                if (m != null) {
                    while (dequeue() != null) { /* purge */ }
                    sockets.reject(h.wrap(m, 0, m.length), error, now, out);
                    break;
                }
                byte[] b = new byte[Tipc.SHORT_H_SIZE];
                h.wrap(b, 0, b.length);
                Msg.init(h, net.ownAddr, Tipc.CRITICAL_IMPORTANCE, Tipc.TIPC_CONN_MSG, Tipc.SHORT_H_SIZE, dnode);
                h.setOrigport(port);
                h.setDestport(peerPort);
                h.setErrcode(error);
                sockets.xmit(b, dnode, now, out);
                break;
            }
            case LISTEN: {
                byte[] m;
                while ((m = dequeue()) != null) sockets.reject(h.wrap(m, 0, m.length), error, now, out);
                break;
            }
            default:
                while (dequeue() != null) { /* purge */ }
        }
    }

    /** Link to the peer uncongested (SOCK_WAKEUP). */
    void linkUncongested() {
        if (!linkCong) return;
        linkCong = false;
        if (!txq.isEmpty()) net.post((now, out) -> {
            if (!closed && state == State.ESTABLISHED) pushBacklog(false, now, out);
        });
        if (state == State.ESTABLISHED && !congested()) post(() -> handler.writable(port));
    }
}
