package io.jtipc.node;

import static io.jtipc.node.TwoNodeTest.linkedUp;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.jtipc.node.SocketType;
import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

class ConnTest {
    SimNetwork net = new SimNetwork(61);
    SimNode a = net.addNode("alpha", 1, 0x11112222);
    SimNode b = net.addNode("beta", 2, 0x33334444);

    ConnTest() {
        assertThat(net.runUntil(() -> linkedUp(a, b), 5000)).isTrue();
    }

    /** One endpoint: sends {@code toSend} as fast as the windows allow, collects what it receives. */
    static final class Endpoint implements ConnHandler {
        final SimNetwork net;
        final SimNode node;
        int port;
        byte[] toSend = new byte[0];
        int sent;
        int chunk = 66000;
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        final List<Integer> sizes = new ArrayList<>();
        boolean connected;
        boolean eof;
        int failed;
        int readErr;
        boolean reading = true;
        final byte[] buf = new byte[70000];

        Endpoint(SimNetwork net, SimNode node) {
            this.net = net;
            this.node = node;
        }

        @Override
        public void connected(int p) {
            connected = true;
            pump();
        }

        @Override
        public void writable(int p) {
            pump();
        }

        @Override
        public void readable(int p) {
            if (reading) drain();
        }

        @Override
        public void failed(int p, int errno) {
            failed = errno;
        }

        void pump() {
            while (sent < toSend.length) {
                int n = Math.min(chunk, toSend.length - sent);
                int rc = node.core.send(net.now(), port, toSend, sent, n, node);
                if (rc <= 0) return;
                sent += rc;
            }
        }

        void drain() {
            while (true) {
                int rc = node.core.recv(net.now(), port, buf, 0, buf.length, node);
                if (rc > 0) {
                    got.write(buf, 0, rc);
                    sizes.add(rc);
                } else {
                    if (rc == 0) eof = true;
                    else if (rc != Errno.EAGAIN) readErr = rc;
                    return;
                }
            }
        }
    }

    static byte[] pattern(int len, int seed) {
        byte[] d = new byte[len];
        java.util.Random r = new java.util.Random(seed);
        r.nextBytes(d);
        return d;
    }

    /** Sets up a listener on b {type,1} and a connected pair; returns {client, server}. */
    Endpoint[] connectPair(SocketType type, int svc) {
        return connectPair(net, a, b, type, svc);
    }

    /**
     * A listener of {@code type} bound to {svc,1} on {@code b} and a client on {@code a} connected to it, both
     * connected within 2 s of simulated time; returns {client, server}. The server pumps and drains on accept.
     */
    static Endpoint[] connectPair(SimNetwork net, SimNode a, SimNode b, SocketType type, int svc) {
        Endpoint srv = new Endpoint(net, b);
        Endpoint cli = new Endpoint(net, a);
        int lp = b.core.openConnSocket(type, new ConnHandler() {
            @Override
            public void readable(int p) {
                int np = b.core.accept(net.now(), p, srv, b);
                if (np > 0) {
                    srv.port = np;
                    srv.connected = true;
                    srv.pump();
                    srv.drain();
                }
            }
        });
        assertThat(b.core.listen(lp)).isZero();
        assertThat(b.core.bind(net.now(), lp, Tipc.TIPC_CLUSTER_SCOPE, svc, 1, 1, b)).isZero();
        net.runFor(100);
        cli.port = a.core.openConnSocket(type, cli);
        assertThat(a.core.connect(net.now(), cli.port, svc, 1, 0, 8000, null, 0, 0, a)).isZero();
        assertThat(net.runUntil(() -> cli.connected && srv.connected, net.now() + 2000)).isTrue();
        return new Endpoint[] {cli, srv};
    }

    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"SEQPACKET", "STREAM"})
    void tenMegabytesEachWayUnderLoss(SocketType type) {
        net.loss = 0.02;
        net.reorder = 0.01;
        Endpoint[] p = connectPair(type, 2000);
        Endpoint cli = p[0], srv = p[1];
        int len = 10 * 1024 * 1024;
        cli.toSend = pattern(len, 1);
        srv.toSend = pattern(len, 2);
        if (type == SocketType.STREAM) cli.chunk = 250_000; // stream writes larger than one message are split
        else cli.chunk = 66000;
        cli.pump();
        srv.pump();
        assertThat(net.runUntil(() -> cli.got.size() == len && srv.got.size() == len, net.now() + 600_000)).isTrue();
        assertThat(cli.got.toByteArray()).isEqualTo(srv.toSend);
        assertThat(srv.got.toByteArray()).isEqualTo(cli.toSend);
        if (type == SocketType.SEQPACKET) assertThat(srv.sizes).allMatch(s -> s <= 66000);
        assertThat(net.framesLost).isGreaterThan(100);
        ConnSocket cs = a.core.connSocket(cli.port);
        assertThat(cs.peerCaps() & Tipc.TIPC_BLOCK_FLOWCTL).isNotZero();
        assertThat(cs.sndWin()).isEqualTo(512);
        // orderly shutdown: the peer reads end-of-stream
        assertThat(a.core.shutdown(net.now(), cli.port, a)).isZero();
        net.runFor(100);
        assertThat(srv.eof).isTrue();
        assertThat(b.core.connSocket(srv.port).state()).isEqualTo(ConnSocket.State.DISCONNECTING);
        assertThat(b.core.send(net.now(), srv.port, new byte[1], 0, 1, b)).isEqualTo(Errno.EPIPE);
    }

    @ParameterizedTest
    @EnumSource(value = SocketType.class, names = {"SEQPACKET", "STREAM"})
    void slowReaderQueueNeverExceedsTheAdvertisedWindow(SocketType type) {
        Endpoint[] p = connectPair(type, 2100);
        Endpoint cli = p[0], srv = p[1];
        srv.reading = false;
        cli.toSend = pattern(3 * 1024 * 1024, 3);
        cli.chunk = 10_000;
        cli.pump();
        net.runFor(2000);
        ConnSocket rs = b.core.connSocket(srv.port);
        ConnSocket ss = a.core.connSocket(cli.port);
        // the sender stopped at its window: what is queued is bounded by window + one message
        int bound = rs.rcvWin() + ConnSocket.blocks(10_000 + 24);
        assertThat(ss.sendBlocked()).isTrue();
        assertThat(rs.maxQueuedBlocks()).isLessThanOrEqualTo(bound).isGreaterThan(64);
        // the slow reader reads now and then; the queue stays bounded the whole way
        for (int i = 0; i < 400 && srv.got.size() < cli.toSend.length; i++) {
            byte[] small = new byte[30_000];
            int rc = b.core.recv(net.now(), srv.port, small, 0, small.length, b);
            if (rc > 0) srv.got.write(small, 0, rc);
            net.runFor(20);
            assertThat(rs.queuedBlocks()).isLessThanOrEqualTo(rs.rcvWin() + ConnSocket.blocks(10_000 + 24));
        }
        srv.reading = true;
        srv.drain();
        assertThat(net.runUntil(() -> { srv.drain(); return srv.got.size() == cli.toSend.length; },
            net.now() + 60_000)).isTrue();
        assertThat(srv.got.toByteArray()).isEqualTo(cli.toSend);
        assertThat(rs.maxQueuedBlocks()).isLessThanOrEqualTo(512 + ConnSocket.blocks(10_000 + 24));
    }

    @Test
    void connectToUnboundNameFailsAtOnceAndToAVanishedSocketIsRefused() {
        int p = a.core.openConnSocket(SocketType.SEQPACKET, null);
        assertThat(a.core.connect(net.now(), p, 2200, 1, 0, 8000, null, 0, 0, a)).isEqualTo(Errno.EHOSTUNREACH);
        // bound but not listening: the SYN is rejected with TIPC_ERR_NO_PORT, connect fails with ECONNREFUSED
        int np = b.core.openConnSocket(SocketType.SEQPACKET, null);
        b.core.bind(net.now(), np, Tipc.TIPC_CLUSTER_SCOPE, 2200, 1, 1, b);
        net.runFor(100);
        int[] failed = {0};
        int c = a.core.openConnSocket(SocketType.SEQPACKET, new ConnHandler() {
            @Override
            public void failed(int port, int errno) {
                failed[0] = errno;
            }
        });
        assertThat(a.core.connect(net.now(), c, 2200, 1, 0, 8000, null, 0, 0, a)).isZero();
        assertThat(a.core.connSocket(c).state()).isEqualTo(ConnSocket.State.CONNECTING);
        net.runFor(100);
        assertThat(failed[0]).isEqualTo(Errno.ECONNREFUSED);
        assertThat(a.core.connSocket(c).error()).isEqualTo(Errno.ECONNREFUSED);
        // a listener that vanished after the lookup: TIPC_ERR_NO_NAME, also refused
        int lp = b.core.openConnSocket(SocketType.STREAM, null);
        b.core.listen(lp);
        b.core.bind(net.now(), lp, Tipc.TIPC_CLUSTER_SCOPE, 2201, 1, 1, b);
        net.runFor(100);
        failed[0] = 0;
        int c2 = a.core.openConnSocket(SocketType.STREAM, new ConnHandler() {
            @Override
            public void failed(int port, int errno) {
                failed[0] = errno;
            }
        });
        assertThat(a.core.connect(net.now(), c2, 2201, 1, 0, 8000, null, 0, 0, a)).isZero();
        b.core.closeSocket(net.now(), lp, b);
        net.runFor(100);
        assertThat(failed[0]).isEqualTo(Errno.ECONNREFUSED);
    }

    @Test
    void connectTimesOutWhenNoAnswer() {
        int lp = b.core.openConnSocket(SocketType.SEQPACKET, null);
        b.core.listen(lp);
        b.core.bind(net.now(), lp, Tipc.TIPC_CLUSTER_SCOPE, 2300, 1, 1, b);
        net.runFor(100);
        int[] failed = {0};
        int c = a.core.openConnSocket(SocketType.SEQPACKET, new ConnHandler() {
            @Override
            public void failed(int port, int errno) {
                failed[0] = errno;
            }
        });
        // the listener never accepts: no ACK
        assertThat(a.core.connect(net.now(), c, 2300, 1, 0, 3000, null, 0, 0, a)).isZero();
        net.runFor(2900);
        assertThat(failed[0]).isZero();
        net.runFor(200);
        assertThat(failed[0]).isEqualTo(Errno.ETIMEDOUT);
    }

    @Test
    void peerCloseAbortsTheConnectionWithReset() {
        Endpoint[] p = connectPair(SocketType.SEQPACKET, 2400);
        Endpoint cli = p[0], srv = p[1];
        b.recordFrames = true;
        b.core.closeSocket(net.now(), srv.port, b);
        net.runFor(100);
        assertThat(cli.readErr).isEqualTo(Errno.ECONNRESET);
        assertThat(a.core.connSocket(cli.port).state()).isEqualTo(ConnSocket.State.DISCONNECTING);
        // the FIN as the kernel sends it on close(): critical, 24-byte CONN_MSG, TIPC_ERR_NO_PORT
        TipcMsg fin = b.sentFrames.stream().map(f -> new TipcMsg().wrap(f, 0, f.length))
            .filter(m -> m.user() == Tipc.CRITICAL_IMPORTANCE && m.type() == Tipc.TIPC_CONN_MSG).findFirst().orElseThrow();
        assertThat(fin.hdrSize()).isEqualTo(24);
        assertThat(fin.errcode()).isEqualTo(Tipc.TIPC_ERR_NO_PORT);
        assertThat(fin.origport()).isEqualTo(srv.port);
        assertThat(fin.destport()).isEqualTo(cli.port);
        assertThat(a.core.send(net.now(), cli.port, new byte[1], 0, 1, a)).isEqualTo(Errno.EPIPE);
    }

    @Test
    void peerNodeLossAbortsTheConnection() {
        Endpoint[] p = connectPair(SocketType.STREAM, 2500);
        Endpoint cli = p[0];
        b.paused = true;
        // link tolerance 1500 ms: the link fails, the node is lost, the connection aborted with TIPC_ERR_NO_NODE
        assertThat(net.runUntil(() -> cli.readErr == Errno.ECONNRESET, net.now() + 3000)).isTrue();
        assertThat(a.core.connSocket(cli.port).state()).isEqualTo(ConnSocket.State.DISCONNECTING);
    }

    @Test
    void probingAbortsASilentConnectionAndKeepsALiveOne() {
        Endpoint[] p = connectPair(SocketType.SEQPACKET, 2600);
        Endpoint cli = p[0];
        net.runFor(ConnSocket.CONN_PROBING_INTV + 1000L);
        assertThat(a.core.connSocket(cli.port).state()).isEqualTo(ConnSocket.State.ESTABLISHED);
        // the peer's socket goes deaf while its node and link stay up (no FIN, no reply to probes, no probes of its
        // own): the client's probe stays unanswered and the next probing interval aborts the connection
        ConnSocket server = b.core.connSocket(p[1].port);
        server.peerPort = -1;
        for (int i = 0; i < 3 && cli.failed == 0; i++) {
            server.probeDue = Long.MAX_VALUE;
            net.runFor(ConnSocket.CONN_PROBING_INTV);
        }
        assertThat(cli.failed).isEqualTo(Errno.ECONNABORTED);
        assertThat(a.core.peer(b.core.ownAddr()).link().isUp()).as("the link stays up").isTrue();
        // sk_err = ECONNABORTED: the next recv or send reports it once (sock_error), then the disconnected state's
        byte[] buf = new byte[8];
        assertThat(a.core.recv(net.now(), cli.port, buf, 0, 8, a)).isEqualTo(Errno.ECONNABORTED);
        assertThat(a.core.recv(net.now(), cli.port, buf, 0, 8, a)).isEqualTo(Errno.ENOTCONN);
        assertThat(a.core.send(net.now(), cli.port, buf, 0, 8, a)).isEqualTo(Errno.EPIPE);
    }

    /**
     * A CONN_PROBE_REPLY (CONN_MANAGER type 1, the value of TIPC_MCAST_MSG) reaches the probing connection: with the
     * peer's own probes lost, only its replies keep the connection alive (socket.c tipc_sk_conn_proto_rcv clears
     * probe_unacked on any connection-manager message).
     */
    @Test
    void probeRepliesAloneKeepAConnectionAlive() {
        Endpoint[] p = connectPair(SocketType.SEQPACKET, 2650);
        Endpoint cli = p[0];
        ConnSocket server = b.core.connSocket(p[1].port);
        long[] replies = {0};
        net.drop = (n, f) -> {
            TipcMsg m = new TipcMsg().wrap(f, 0, f.length);
            if (n == b && m.user() == Tipc.CONN_MANAGER && m.type() == Tipc.CONN_PROBE_REPLY) replies[0]++;
            return false;
        };
        for (int i = 0; i < 4; i++) {
            server.probeDue = Long.MAX_VALUE; // the peer itself never probes: only its replies reach the client
            net.runFor(ConnSocket.CONN_PROBING_INTV);
        }
        assertThat(replies[0]).as("probe replies sent by the peer").isGreaterThanOrEqualTo(3);
        assertThat(cli.failed).isZero();
        assertThat(a.core.connSocket(cli.port).state()).isEqualTo(ConnSocket.State.ESTABLISHED);
    }

    @Test
    void legacyPeerGetsMessageCountFlowControl() {
        net = new SimNetwork(62);
        a = net.addNode(NodeConfig.of(io.jtipc.wire.NodeId.parse("alpha"), 1, 1).withCapabilities(
            NodeCore.JTIPC_CAPABILITIES & ~Tipc.TIPC_BLOCK_FLOWCTL), new byte[] {0x52, 0x54, 0, 0, 0, 1});
        b = net.addNode("beta", 2, 0x33334444);
        boolean up = net.runUntil(() -> linkedUp(a, b), 5000);
        assertThat(up).as("%s %s %s", a.core.peers(), b.core.peers(), a.core.log()).isTrue();
        Endpoint[] p = connectPair(SocketType.STREAM, 2700);
        Endpoint cli = p[0], srv = p[1];
        ConnSocket cs = b.core.connSocket(srv.port);
        assertThat(cs.sndWin()).isEqualTo(ConnSocket.FLOWCTL_MSG_WIN);
        cli.toSend = pattern(2_000_000, 4);
        cli.pump();
        assertThat(net.runUntil(() -> srv.got.size() == 2_000_000, net.now() + 60_000)).isTrue();
        assertThat(srv.got.toByteArray()).isEqualTo(cli.toSend);
    }

    @Test
    void nagleBundlesSmallStreamWritesAndNoDelayDoesNot() {
        for (boolean nodelay : new boolean[] {false, true}) {
            Endpoint[] p = connectPair(SocketType.STREAM, nodelay ? 2801 : 2800);
            Endpoint cli = p[0], srv = p[1];
            if (nodelay) a.core.setNoDelay(cli.port, true);
            a.recordFrames = true;
            a.sentFrames.clear();
            byte[] all = pattern(200_000, 9);
            int off = 0;
            // 20 000 writes of 10 bytes, in bursts of 100 between network steps
            while (off < all.length) {
                for (int i = 0; i < 100 && off < all.length; i++) {
                    int rc = a.core.send(net.now(), cli.port, all, off, 10, a);
                    if (rc < 0) break;
                    off += rc;
                }
                net.runFor(1);
            }
            assertThat(net.runUntil(() -> srv.got.size() == all.length, net.now() + 10_000)).isTrue();
            assertThat(srv.got.toByteArray()).isEqualTo(all);
            // socket messages, also those the link bundled (MSG_BUNDLER) or fragmented
            List<TipcMsg> msgs = new ArrayList<>();
            for (byte[] f : a.sentFrames) ConnGoldenTest.messages(f, msgs::add);
            long dataMsgs = msgs.stream().filter(m -> m.user() == 0 && m.type() == Tipc.TIPC_CONN_MSG
                && m.dataSize() > 0).count();
            long bundledAckReq = msgs.stream().filter(m -> m.user() == 0 && m.type() == Tipc.TIPC_CONN_MSG
                && m.ackRequired() == 1).count();
            if (nodelay) {
                assertThat(dataMsgs).isEqualTo(20_000);
                assertThat(bundledAckReq).isZero();
            } else {
                assertThat(dataMsgs).isLessThan(2_000);
                assertThat(bundledAckReq).isPositive();
            }
            a.recordFrames = false;
        }
    }

    /**
     * Review of issue 14: each connection kept its last sent message array (up to ~66 KB) for its life, so 10 000 idle
     * connections held 660 MB nobody counted. Now a message Nagle does not hold is sent from the caller's array (its
     * fragments built straight from it: no send array at all), and Nagle's message arrays are one per socket table.
     */
    @Test
    void connectionsKeepNoSendArrayOfTheirOwn() {
        Endpoint[] first = connectPair(SocketType.SEQPACKET, 3000);
        first[0].toSend = pattern(60_000, 7);
        first[0].pump();
        assertThat(net.runUntil(() -> first[1].got.size() == 60_000, net.now() + 5000)).isTrue();
        assertThat(a.core.connSocket(first[0].port).txq).isEmpty();
        assertThat(a.core.sockets.connSpare).as("no array built for a message sent from the caller's").isNull();
        Endpoint[] second = connectPair(SocketType.SEQPACKET, 3001);
        second[0].toSend = pattern(60_000, 8);
        second[0].pump();
        assertThat(net.runUntil(() -> second[1].got.size() == 60_000, net.now() + 5000)).isTrue();
        assertThat(second[1].got.toByteArray()).isEqualTo(second[0].toSend);
        assertThat(first[1].got.toByteArray()).isEqualTo(first[0].toSend);
        assertThat(a.core.sockets.connSpare).isNull();
    }

    /**
     * Issue 14: a write Nagle does not hold is sent from the caller's array, after what Nagle holds. Small writes (Nagle
     * engaged) and large ones (fragmented from the caller's array) mixed arrive in order, to another node and to a
     * socket on the same node (a local delivery joins header and data); Nagle's arrays go through the table's spare.
     */
    @Test
    void smallAndLargeStreamWritesMixedArriveInOrder() {
        for (boolean local : new boolean[] {false, true}) {
            Endpoint[] p = connectPair(net, a, local ? a : b, SocketType.STREAM, local ? 2901 : 2900);
            Endpoint cli = p[0], srv = p[1];
            byte[] all = pattern(1_500_000, 11);
            int[] sizes = {10, 10, 10, 10, 3000, 10, 10, 60_000, 10, 70_000, 10, 10};
            int off = 0;
            for (int i = 0, steps = 0; off < all.length; steps++) {
                assertThat(steps).as("local %s: written %d", local, off).isLessThan(100_000);
                for (int k = 0; k < 20 && off < all.length; k++, i++) {
                    int rc = a.core.send(net.now(), cli.port, all, off, Math.min(sizes[i % sizes.length], all.length - off), a);
                    if (rc < 0) break; // EAGAIN: the connection window or the link is full
                    off += rc;
                }
                net.runFor(1);
            }
            assertThat(net.runUntil(() -> srv.got.size() == all.length, net.now() + 60_000)).as("local %s", local).isTrue();
            assertThat(srv.got.toByteArray()).isEqualTo(all);
        }
        assertThat(a.core.sockets.connSpare).as("Nagle's last array, kept for the next one").isNotNull();
    }

    /** Review of issue 14: the last reassembled message was kept in Net.reassembled when it went to another socket. */
    @Test
    void aReassembledMessageIsNotKeptAfterDelivery() throws Exception {
        List<Integer> got = new ArrayList<>();
        int pb = b.core.openSocket(SocketType.RDM, d -> got.add(d.data().length));
        b.core.bind(net.now(), pb, Tipc.TIPC_CLUSTER_SCOPE, 4000, 0, 0, b);
        net.runFor(200);
        int pa = a.core.openSocket(SocketType.RDM, d -> true);
        assertThat(a.core.sendToName(net.now(), pa, 4000, 0, 0, new byte[60_000], 0, 60_000, a)).isIn(0, Errno.ELINKCONG);
        assertThat(net.runUntil(() -> !got.isEmpty(), net.now() + 5000)).isTrue();
        assertThat(got).containsExactly(60_000);
        assertThat(HoldFairnessTest.netOf(b.core).reassembled).isNull();
    }
    /**
     * node.c tipc_node_xmit + addr.h in_own_node: a socket address with node 0 means this node. An RDM message to
     * {port, 0} is delivered locally, and a SEQPACKET connect to {listener, 0} connects (socket.c tsk_peer_msg takes
     * the local peer's messages for a peer node 0). Before, both failed with EHOSTUNREACH.
     */
    @Test
    void aSocketAddressWithNodeZeroIsThisNode() {
        List<byte[]> got = new ArrayList<>();
        int r = a.core.openSocket(SocketType.RDM, d -> got.add(d.data()));
        int s = a.core.openSocket(SocketType.RDM, d -> true);
        byte[] m = "to node 0".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(a.core.sendToPort(net.now(), s, 0, r, m, 0, m.length, a)).isZero();
        net.runFor(10);
        assertThat(got).containsExactly(m);

        Endpoint srv = new Endpoint(net, a);
        Endpoint cli = new Endpoint(net, a);
        int lp = a.core.openConnSocket(SocketType.SEQPACKET, new ConnHandler() {
            @Override
            public void readable(int p) {
                int np = a.core.accept(net.now(), p, srv, a);
                if (np > 0) {
                    srv.port = np;
                    srv.connected = true;
                    srv.drain();
                }
            }
        });
        assertThat(a.core.listen(lp)).isZero();
        cli.port = a.core.openConnSocket(SocketType.SEQPACKET, cli);
        assertThat(a.core.connectToSocket(net.now(), cli.port, 0, lp, 8000, null, 0, 0, a)).isZero();
        assertThat(net.runUntil(() -> cli.connected && srv.connected, net.now() + 2000)).isTrue();
        cli.toSend = pattern(5000, 9);
        cli.chunk = 1000;
        cli.pump();
        assertThat(net.runUntil(() -> srv.got.size() == 5000, net.now() + 2000)).isTrue();
        assertThat(srv.got.toByteArray()).isEqualTo(cli.toSend);
    }

    /** A message from {@code from}'s port {@code oport} to {@code to}'s port {@code dport}, as its link hands it over. */
    private static byte[] msg(int onode, int oport, SimNode to, int dport, int type, boolean syn, String text) {
        byte[] d = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int hs = Tipc.BASIC_H_SIZE;
        byte[] m = new byte[hs + d.length];
        io.jtipc.wire.TipcMsg h = new io.jtipc.wire.TipcMsg().wrap(m, 0, m.length);
        Msg.init(h, onode, Tipc.LOW_IMPORTANCE, type, hs, to.core.ownAddr());
        h.setSize(m.length);
        h.setOrigport(oport);
        h.setDestport(dport);
        if (syn) h.setSyn(1);
        System.arraycopy(d, 0, m, hs, d.length);
        return m;
    }

    /**
     * socket.c tipc_sk_filter_rcv: a group message (types 4-7) to a connection socket is returned with NO_PORT even
     * when the connection filter takes it (jtipc delivered one from the peer's port as data, and queued one with the
     * SYN bit at a listener as a connection request); node.c tipc_node_get_capabilities answers our own capabilities
     * for an unknown node, so a non-SYN message naming one is no connection request either (it had 0: queued).
     */
    @Test
    void groupMessagesAndANonSynFromAnUnknownNodeAreNoConnectionMessages() {
        Endpoint[] p = connectPair(SocketType.SEQPACKET, 2100);
        Endpoint cli = p[0], srv = p[1];
        int from = a.core.ownAddr();
        for (int type = Tipc.TIPC_GRP_MEMBER_EVT; type <= Tipc.TIPC_GRP_UCAST_MSG; type++) {
            byte[] m = msg(from, cli.port, b, srv.port, type, false, "group " + type);
            b.core.sockets.rcv(m, 0, m.length, net.now(), b, false);
            b.core.onTimer(net.now(), b);
        }
        net.runFor(100);
        assertThat(srv.sizes).as("nothing delivered as connection data").isEmpty();

        int[] requests = {0};
        int lp = b.core.openConnSocket(SocketType.SEQPACKET, new ConnHandler() {
            @Override
            public void readable(int port) {
                requests[0]++;
            }
        });
        assertThat(b.core.listen(lp)).isZero();
        byte[] grpSyn = msg(from, 0x7000, b, lp, Tipc.TIPC_GRP_UCAST_MSG, true, "");
        b.core.sockets.rcv(grpSyn, 0, grpSyn.length, net.now(), b, false);
        byte[] unknown = msg(0x7777, 0x7001, b, lp, Tipc.TIPC_DIRECT_MSG, false, "");
        b.core.sockets.rcv(unknown, 0, unknown.length, net.now(), b, false);
        b.core.onTimer(net.now(), b);
        net.runFor(100);
        assertThat(b.core.sockets.conn(lp).rcvq).as("no connection request queued").isEmpty();
        assertThat(requests[0]).isZero();
        // a real SYN is still one
        byte[] synMsg = msg(from, 0x7002, b, lp, Tipc.TIPC_DIRECT_MSG, true, "");
        b.core.sockets.rcv(synMsg, 0, synMsg.length, net.now(), b, false);
        b.core.onTimer(net.now(), b);
        assertThat(b.core.sockets.conn(lp).rcvq).hasSize(1);
    }

    /**
     * The connections' timers are one heap (ConnTimers): a peer that keeps answering a connecting socket's SYN with
     * OVERLOAD moves its SYN retry every time, which costs O(log n) and leaves the heap bounded by the connections
     * (before, every such reject made the next deadline a scan of all connections); the socket still connects once the
     * listener accepts, and the other connections' probes stay due.
     */
    @Test
    void overloadRejectsMoveTheSynRetryWithoutGrowingTheTimerHeap() {
        for (int i = 0; i < 20; i++) connectPair(SocketType.SEQPACKET, 2200 + i);
        net.runFor(10_000); // past the connect deadlines their entries were armed for: re-armed at the probes
        long probe = a.core.sockets.nextDeadline();
        assertThat(probe).as("a probe, an hour after its connection").isGreaterThan(net.now() + ConnSocket.CONN_PROBING_INTV - 60_000);
        Endpoint srv = new Endpoint(net, b);
        int lp = b.core.openConnSocket(SocketType.SEQPACKET, new ConnHandler() {});
        assertThat(b.core.listen(lp)).isZero();
        Endpoint cli = new Endpoint(net, a);
        cli.port = a.core.openConnSocket(SocketType.SEQPACKET, cli);
        assertThat(a.core.connectToSocket(net.now(), cli.port, b.core.ownAddr(), lp, 8000, null, 0, 0, a)).isZero();
        net.runFor(10);
        assertThat(cli.connected).isFalse();
        for (int i = 0; i < 5000; i++) {
            // the listener's OVERLOAD answer to the SYN: its header reversed, as msg.c tipc_msg_reverse builds it
            byte[] m = msg(b.core.ownAddr(), lp, a, cli.port, Tipc.TIPC_DIRECT_MSG, true, "");
            io.jtipc.wire.TipcMsg h = new io.jtipc.wire.TipcMsg().wrap(m, 0, m.length);
            h.setErrcode(Tipc.TIPC_ERR_OVERLOAD);
            a.core.sockets.rcv(m, 0, m.length, net.now(), a, false);
        }
        assertThat(a.core.sockets.connTimers.entries()).isLessThanOrEqualTo(2 * 21 + 64);
        // the SYN retry: 100 ms + a random part of a quarter of the 8 s timeout (the connect deadline is at 8 s)
        assertThat(a.core.sockets.nextDeadline()).as("the SYN retry").isLessThanOrEqualTo(net.now() + 100 + 2000);
        net.runFor(3000); // the retries reach the listener
        int np = b.core.accept(net.now(), lp, srv, b);
        assertThat(np).isPositive();
        assertThat(net.runUntil(() -> cli.connected, net.now() + 2000)).isTrue();
        net.runFor(10_000); // past the connect deadline the entry was armed for: re-armed at the probe
        assertThat(a.core.sockets.nextDeadline()).as("the probes again").isEqualTo(probe);
        // closed sockets leave their entries behind; they are dropped once they outnumber the live ones
        List<Endpoint[]> many = new ArrayList<>();
        for (int i = 0; i < 100; i++) many.add(connectPair(SocketType.SEQPACKET, 2300 + i));
        int live = 121;
        assertThat(a.core.sockets.connTimers.entries()).isGreaterThanOrEqualTo(100);
        for (Endpoint[] p : many) a.core.closeSocket(net.now(), p[0].port, a);
        live -= 100;
        assertThat(a.core.sockets.connTimers.entries()).isLessThanOrEqualTo(2 * live + 64);
        assertThat(a.core.sockets.nextDeadline()).isEqualTo(probe);
    }
}
