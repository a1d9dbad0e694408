package io.jtipc.node;

import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.jtipc.nametable.SubscriptionEvent;
import io.jtipc.nametable.SubscriptionRequest;
import io.jtipc.nametable.TopologySubscriptions;
import io.jtipc.wire.Tipc;

/**
 * The topology server of a node (Linux 6.1 net/tipc/topsrv.c), sans-IO, built on nametable's
 * {@link TopologySubscriptions}: a SEQPACKET socket listening on the service {1,1,1} (TIPC_TOP_SRV, node scope),
 * opened on the node's {@link SocketTable} when its address is committed. Each accepted connection carries 28-byte
 * {@code struct tipc_subscr} requests (one per message, in the subscriber's byte order, detected from the filter
 * field as {@code tipc_sub_read} does) and gets 48-byte {@code struct tipc_event} messages back in the same order.
 *
 * <h2>Rules (topsrv.c tipc_conn_rcv_from_sock, tipc_conn_rcv_sub)</h2>
 * <ul>
 *   <li>A message shorter than 28 bytes, an illegal request (PORTS with SERVICE, lower &gt; upper) or one beyond
 *       TIPC_MAX_SUBSCR closes the connection (its subscriptions are deleted, no event). A longer message is read
 *       as its first 28 bytes, the rest dropped: the kernel's {@code sock_recvmsg} into a 28-byte buffer.</li>
 *   <li>TIPC_SUB_CANCEL deletes the connection's newest subscription identical to it byte for byte (cancel bit
 *       cleared), one per cancel.</li>
 *   <li>On subscribe the current matching bindings are reported at once, then every change; TIPC_SUBSCR_TIMEOUT
 *       after the timeout, then the subscription is gone.</li>
 *   <li>Closing the connection deletes its subscriptions.</li>
 *   <li>A subscriber that lets more than {@link #OUTQ_LIMIT} events pile up unsent (it does not read, so the
 *       connection window stays full) has its connection closed and its subscriptions deleted. This is jtipc's
 *       bound, not the kernel's: its out-queue grows with memory and waits for write space (tipc_conn_send_to_sock
 *       closes only on another send error), so a kernel subscriber that reads after a burst of more than 65 536
 *       events gets them all, ours loses the connection (logged once per connection).</li>
 *   <li>jtipc bounds, not the kernel's: the kernel's lookup does not look at a binding's scope
 *       ({@code tipc_nametbl_lookup_anycast}), so another node can connect to the node-scope {1,1} too. A peer node
 *       (the one whose link delivered the SYN, {@link ConnSocket#synVia()}: a SYN naming this node as its origin
 *       counts for it too) may hold at most {@link #REMOTE_CONNS_PER_NODE} connections, all peers {@link #REMOTE_CONNS_TOTAL}; one over
 *       is accepted and closed at once. A remote connection holds at most {@link #REMOTE_SUBS_PER_CONN}
 *       subscriptions (a request beyond closes it, as TIPC_MAX_SUBSCR does) and {@link #REMOTE_OUTQ_LIMIT} unsent
 *       events: remote subscribers together hold at most half of TIPC_MAX_SUBSCR, the rest stays for this node's
 *       own. Each refusal is logged at powers of two of its count.</li>
 * </ul>
 * The byte order regarded as the server's "host" order is little-endian (the x86 kernels jtipc interoperates
 * with); a subscriber in either order is understood.
 */
public final class TopologyServer {
    /** Byte order the server treats as native (the CPU order of the kernels the lab runs, x86-64). */
    public static final ByteOrder HOST_ORDER = ByteOrder.LITTLE_ENDIAN;

    private final Net net;
    private final SocketTable sockets;
    private final TopologySubscriptions subs;
    private final int listenPort;
    /** Unsent events (48 bytes each, 3 MiB) a connection may hold before it is closed for overflow. */
    public static final int OUTQ_LIMIT = 65_536;

    /** jtipc bound: connections one other node may hold open. */
    public static final int REMOTE_CONNS_PER_NODE = 4;
    /** jtipc bound: connections all other nodes together may hold open. */
    public static final int REMOTE_CONNS_TOTAL = 32;
    /** jtipc bound: subscriptions one connection from another node may hold (32 768 for all: half of TIPC_MAX_SUBSCR). */
    public static final int REMOTE_SUBS_PER_CONN = 1024;
    /** jtipc bound: unsent events a connection from another node may hold (48 bytes each) before it is closed. */
    public static final int REMOTE_OUTQ_LIMIT = 8192;

    private final Map<Integer, Conn> conns = new HashMap<>();
    /** Open connections from other nodes, by node (only nodes that have some). */
    private final Map<Integer, Integer> remoteByNode = new HashMap<>();
    private int remoteConns;
    private int outqLimit = OUTQ_LIMIT;
    private long overflowCloses;
    private long remoteRefusals;
    /** One request: a longer message is cut to its first 28 bytes (SEQPACKET truncation), as the kernel reads it. */
    private final byte[] rbuf = new byte[SubscriptionRequest.SIZE];

    private final class Conn implements ConnHandler {
        final int port;
        /** The subscriber's node if it is another node, else 0. */
        final int remote;
        final TopologySubscriptions.Connection subConn;
        final ArrayDeque<byte[]> outq = new ArrayDeque<>();
        boolean flushPosted;
        boolean closed;
        boolean overflowed;

        Conn(int port, int remote) {
            this.port = port;
            this.remote = remote;
            this.subConn = subs.connect(this::event);
        }

        /** Called synchronously by the subscriptions (during a table change or a timeout). */
        private void event(SubscriptionEvent e) {
            if (closed || overflowed) return;
            int limit = remote == 0 ? outqLimit : Math.min(outqLimit, REMOTE_OUTQ_LIMIT);
            if (outq.size() >= limit) {
                // the subscriber does not read: drop it. Closing deletes subscriptions, which must not happen
                // while the subscriptions are reporting, so the close is posted.
                overflowed = true;
                outq.clear();
                overflowCloses++;
                net.log("topology server: subscriber connection " + Integer.toUnsignedString(port) + " left more than "
                    + limit + " events unread (overflow), connection closed");
                net.post(this::close);
                return;
            }
            byte[] b = new byte[SubscriptionEvent.SIZE];
            e.encode(b, 0);
            outq.add(b);
            if (!flushPosted) {
                flushPosted = true;
                net.post((now, out) -> {
                    flushPosted = false;
                    flush(now, out);
                });
            }
        }

        void flush(long now, Outbox out) {
            while (!closed && !outq.isEmpty()) {
                byte[] b = outq.peekFirst();
                int rc = sockets.conn(port).send(now, b, 0, b.length, out);
                if (rc == Errno.EAGAIN) return; // window full: resumed by writable()
                outq.pollFirst();
                if (rc < 0) {
                    close(now, out);
                    return;
                }
            }
        }

        @Override
        public void writable(int p) {
            net.post(this::flush);
        }

        @Override
        public void readable(int p) {
            net.post(this::read);
        }

        @Override
        public void failed(int p, int errno) {
            net.post(this::close);
        }

        void read(long now, Outbox out) {
            // overflowed: its close is posted; a request read meanwhile would replay into a sink that drops it all
            while (!closed && !overflowed) {
                int n = sockets.conn(port).recv(now, rbuf, 0, rbuf.length, out);
                if (n == Errno.EAGAIN) return;
                if (n != SubscriptionRequest.SIZE) {
                    // end of connection, abort, or a request shorter than struct tipc_subscr: tipc_conn_close
                    close(now, out);
                    return;
                }
                SubscriptionRequest s = SubscriptionRequest.decode(rbuf, 0, HOST_ORDER);
                if (remote != 0 && (s.filter() & io.jtipc.wire.TipcSubscr.TIPC_SUB_CANCEL) == 0
                    && subConn.size() >= REMOTE_SUBS_PER_CONN) {
                    refused("node " + Integer.toHexString(remote) + " asked for more than " + REMOTE_SUBS_PER_CONN
                        + " subscriptions on one connection, connection closed");
                    close(now, out);
                    return;
                }
                if (!subConn.receive(s, now)) {
                    close(now, out);
                    return;
                }
            }
        }

        void close(long now, Outbox out) {
            if (closed) return;
            closed = true;
            subConn.close();
            outq.clear();
            conns.remove(port);
            if (remote != 0) {
                remoteConns--;
                remoteByNode.merge(remote, -1, (x, y) -> x + y == 0 ? null : x + y);
            }
            // topsrv.c tipc_conn_close: kernel_sock_shutdown(SHUT_RDWR) first, so the subscriber reads its queued
            // events and then end-of-file (TIPC_CONN_SHUTDOWN), not a reset; the release then sends nothing more
            if (sockets.connSocket(port) != null) sockets.shutdown(now, port, out);
            sockets.closeSocket(now, port, List.of(), out);
        }
    }

    TopologyServer(Net net, SocketTable sockets, TopologySubscriptions subs, long now, Outbox out) {
        this.net = net;
        this.sockets = sockets;
        this.subs = subs;
        this.listenPort = sockets.openConnSocket(SocketType.SEQPACKET, new ConnHandler() {
            @Override
            public void readable(int p) {
                net.post(TopologyServer.this::acceptAll);
            }
        });
        sockets.setImportance(listenPort, Tipc.CRITICAL_IMPORTANCE);
        sockets.conn(listenPort).listen();
        sockets.bindAny(now, listenPort, Tipc.TIPC_NODE_SCOPE, Tipc.TIPC_TOP_SRV, Tipc.TIPC_TOP_SRV,
            Tipc.TIPC_TOP_SRV, out);
    }

    private void acceptAll(long now, Outbox out) {
        while (true) {
            int p = sockets.accept(now, listenPort, null, out);
            if (p < 0) return;
            // counted by the node that delivered the SYN, not by the origin it names: a peer writing this node's
            // address into w6 would otherwise pass for a local client, out of every remote bound
            int via = sockets.conn(p).synVia();
            int remote = via == net.ownAddr ? 0 : via;
            Conn c = new Conn(p, remote);
            conns.put(p, c);
            if (remote != 0) {
                int ofNode = remoteByNode.merge(remote, 1, Integer::sum);
                remoteConns++;
                if (ofNode > REMOTE_CONNS_PER_NODE || remoteConns > REMOTE_CONNS_TOTAL) {
                    refused("connection from node " + Integer.toHexString(remote) + " closed: " + (ofNode - 1)
                        + " of that node and " + (remoteConns - 1) + " from other nodes open (at most "
                        + REMOTE_CONNS_PER_NODE + " and " + REMOTE_CONNS_TOTAL + ")");
                    c.close(now, out);
                    continue;
                }
            }
            sockets.conn(p).setHandler(c);
            // a SYN+ may already have carried the first request
            c.read(now, out);
        }
    }

    /** Counts a refusal of a remote subscriber and logs it at powers of two of the count. */
    private void refused(String what) {
        if (Long.bitCount(++remoteRefusals) == 1) {
            net.log("topology server: " + what + " (remote refusals " + remoteRefusals + ")");
        }
    }

    /** Connections and subscription requests from other nodes refused over the remote bounds. */
    public long remoteRefusals() {
        return remoteRefusals;
    }

    /** Port of the listening socket bound to {1,1,1}. */
    public int listenPort() {
        return listenPort;
    }

    /** Connections closed because their unsent events exceeded {@link #OUTQ_LIMIT}. */
    public long overflowCloses() {
        return overflowCloses;
    }

    /** Sets the unsent-event limit per connection (tests; default {@link #OUTQ_LIMIT}). */
    void outqLimit(int limit) {
        this.outqLimit = limit;
    }

    /** Number of open subscriber connections. */
    public int connections() {
        return conns.size();
    }

    /** The subscriptions (shared with the Java-level {@link NodeCore#subscribe}). */
    public TopologySubscriptions subscriptions() {
        return subs;
    }
}
