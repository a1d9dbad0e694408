package io.jtipc.node;

import static io.jtipc.node.TwoNodeTest.linkedUp;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * The order in which one received packet's effects take place (node.c {@code tipc_rcv} after {@code tipc_link_rcv}):
 * link up/down first (losing the last link delivers what is queued in {@code le->inputq}, then aborts the node's
 * connections, and purges {@code bc_entry.namedq}), then the binding updates ({@code tipc_named_rcv}), then the
 * socket messages ({@code tipc_sk_rcv}); and a NAME_DISTRIBUTOR message opens the peer's broadcast receive link inside
 * the link (link.c {@code tipc_data_input}), before any STATE the link builds for the same packet.
 *
 * <p>Two jtipc nodes bring their link up on a {@link SimNetwork}; then the frames beta sends are captured instead of
 * delivered, rearranged (out of order, so that one arriving packet releases the link's deferred queue; or bundled)
 * and handed to alpha's {@link NodeCore#onFrame} one by one. A link failure within one packet is caused as link.c
 * does it for a broken reassembly: a FRAGMENT without a FIRST_FRAGMENT (tipc_link_input → LINK_FAILURE_EVT), placed
 * in sequence right behind the messages of interest. Nothing depends on time: the clock is not advanced while frames
 * are fed.
 */
class LinkInputOrderTest {
    static final int SVC = 3100;
    static final int NAME = 4200;

    final SimNetwork net = new SimNetwork(4711);
    final SimNode a = net.addNode("alpha", 1, 0x11112222);
    final SimNode b = net.addNode("beta", 2, 0x33334444);
    final int aAddr;
    final int bAddr;
    /** What beta sends from now on instead of the network, and what alpha answers to the frames fed to it. */
    final Capture fromB = new Capture();
    final Capture fromA = new Capture();

    LinkInputOrderTest() {
        assertThat(net.runUntil(() -> linkedUp(a, b), 5000)).isTrue();
        net.runFor(500); // bulks, bc-init and their acks exchanged: both links idle
        aAddr = a.core.ownAddr();
        bAddr = b.core.ownAddr();
        // these tests reorder beta's unicast link packets: its binding updates must travel there, not on its
        // broadcast link (tipc link set broadcast REPLICAST)
        assertThat(b.core.broadcastLink().setMode(Bcast.MODE_RCAST)).isZero();
    }

    /** An {@link Outbox} that keeps copies of the frames sent through it. */
    static final class Capture implements Outbox {
        final List<byte[]> frames = new ArrayList<>();

        @Override
        public void send(int bearerId, byte[] dest, byte[] buf, int off, int len) {
            frames.add(Arrays.copyOfRange(buf, off, off + len));
        }

        /** The sequenced link packets captured (no LINK_PROTOCOL, no discovery), in sending order. */
        List<byte[]> linkPackets() {
            List<byte[]> r = new ArrayList<>();
            for (byte[] f : frames) {
                TipcMsg h = new TipcMsg().wrap(f, 0, f.length);
                if (h.user() != Tipc.LINK_PROTOCOL && h.user() != Tipc.LINK_CONFIG && h.nonSeq() == 0) r.add(f);
            }
            return r;
        }

        List<TipcMsg> states() {
            List<TipcMsg> r = new ArrayList<>();
            for (byte[] f : frames) {
                TipcMsg h = new TipcMsg().wrap(f, 0, f.length);
                if (h.user() == Tipc.LINK_PROTOCOL && h.type() == Tipc.STATE_MSG) r.add(h);
            }
            return r;
        }
    }

    /** A connection endpoint that reads everything as soon as it is readable and logs data and errors in order. */
    final class Reader implements ConnHandler {
        final SimNode node;
        int port;
        boolean connected;
        final List<String> log = new ArrayList<>();
        /** Runs at each readable call, before reading. */
        Runnable beforeRead = () -> { };
        private boolean ended;

        Reader(SimNode node) {
            this.node = node;
        }

        @Override
        public void connected(int p) {
            connected = true;
        }

        @Override
        public void readable(int p) {
            beforeRead.run();
            byte[] buf = new byte[2000];
            while (!ended) {
                int rc = node.core.recv(net.now(), port, buf, 0, buf.length, node);
                if (rc == Errno.EAGAIN) return;
                if (rc > 0) {
                    log.add("data:" + new String(buf, 0, rc, StandardCharsets.US_ASCII));
                } else {
                    log.add(rc == Errno.ECONNRESET ? "ECONNRESET" : "rc:" + rc);
                    ended = true;
                }
            }
        }
    }

    /** A SEQPACKET connection from alpha ({@code [0]}) to a listener on beta ({@code [1]}), over the network. */
    Reader[] connect() {
        Reader srv = new Reader(b);
        Reader cli = new Reader(a);
        int lp = b.core.openConnSocket(SocketType.SEQPACKET, new ConnHandler() {
            @Override
            public void readable(int p) {
                int np = b.core.accept(net.now(), p, srv, b);
                if (np > 0) {
                    srv.port = np;
                    srv.connected = true;
                }
            }
        });
        assertThat(b.core.listen(lp)).isZero();
        assertThat(b.core.bind(net.now(), lp, Tipc.TIPC_CLUSTER_SCOPE, SVC, 1, 1, b)).isZero();
        net.runFor(100);
        cli.port = a.core.openConnSocket(SocketType.SEQPACKET, cli);
        assertThat(a.core.connect(net.now(), cli.port, SVC, 1, 0, 8000, null, 0, 0, a)).isZero();
        assertThat(net.runUntil(() -> cli.connected && srv.connected, net.now() + 2000)).isTrue();
        net.runFor(500); // connection acks and link acks settled
        return new Reader[] {cli, srv};
    }

    Link aLink() {
        return a.core.peer(bAddr).link();
    }

    void feedA(byte[] f) {
        a.core.onFrame(net.now(), 0, b.mac, f, 0, f.length, fromA);
    }

    /** The link packet beta sends for {@code data} on connection port {@code port}. */
    byte[] bConnData(int port, String data) {
        int before = fromB.linkPackets().size();
        byte[] d = data.getBytes(StandardCharsets.US_ASCII);
        assertThat(b.core.send(net.now(), port, d, 0, d.length, fromB)).isEqualTo(d.length);
        List<byte[]> p = fromB.linkPackets();
        assertThat(p).hasSize(before + 1);
        return p.get(before);
    }

    /** The PUBLICATION beta sends when binding {NAME, inst} cluster-wide on {@code port}. */
    byte[] bPublication(int port, int inst) {
        int before = fromB.linkPackets().size();
        assertThat(b.core.bind(net.now(), port, Tipc.TIPC_CLUSTER_SCOPE, NAME, inst, inst, fromB)).isZero();
        List<byte[]> p = fromB.linkPackets();
        assertThat(p).hasSize(before + 1);
        byte[] f = p.get(before);
        TipcMsg h = new TipcMsg().wrap(f, 0, f.length);
        assertThat(h.user()).isEqualTo(Tipc.NAME_DISTRIBUTOR);
        assertThat(h.type()).isEqualTo(Tipc.PUBLICATION);
        return f;
    }

    /**
     * A link packet beta could have sent in sequence after {@code prev}: a FRAGMENT with no reassembly in progress,
     * which fails the link when the link takes it in (link.c tipc_link_input: tipc_buf_append error →
     * LINK_FAILURE_EVT).
     */
    byte[] brokenFragmentAfter(byte[] prev) {
        TipcMsg p = new TipcMsg().wrap(prev, 0, prev.length);
        byte[] f = new byte[Tipc.INT_H_SIZE + 16];
        TipcMsg h = new TipcMsg().wrap(f, 0, f.length);
        Msg.init(h, bAddr, Tipc.MSG_FRAGMENTER, Tipc.FRAGMENT, Tipc.INT_H_SIZE, aAddr);
        h.setSize(f.length);
        h.setFragmNo(2);
        h.setSeqno((p.seqno() + 1) & 0xffff);
        h.setAck(p.ack());
        h.setBcastAck(p.bcastAck());
        return f;
    }

    /** {@code first} and {@code more} in one MSG_BUNDLER packet with {@code first}'s seqno and acks (msg.c tipc_msg_bundle). */
    byte[] bundle(byte[] first, byte[]... more) {
        TipcMsg fh = new TipcMsg().wrap(first, 0, first.length);
        Pkt t = Pkt.copyOf(first, 0, first.length);
        for (byte[] m : more) {
            assertThat(Msg.bundle(new TipcMsg(), t, m, m.length, aLink().mss(), aAddr)).isNotEqualTo(Msg.BUNDLE_NONE);
        }
        byte[] f = Arrays.copyOf(t.buf, t.len);
        new TipcMsg().wrap(f, 0, f.length).setSeqno(fh.seqno()).setAck(fh.ack()).setBcastAck(fh.bcastAck());
        return f;
    }

    // ====================================================================== 0

    /**
     * A message inside a bundle whose previous node (w3) is not the link's peer is dropped, counted and logged once: a
     * reject or reroute would answer it at the node it names (a third node's link filled with our rejects). The
     * bundle's other message is delivered.
     */
    @Test
    void aBundledMessageNamingAnotherPreviousNodeIsDropped() {
        Reader[] p = connect();
        Reader cli = p[0], srv = p[1];
        List<String> rdm = new ArrayList<>();
        int rp = a.core.openSocket(SocketType.RDM, d -> rdm.add(new String(d.data(), StandardCharsets.US_ASCII)));
        assertThat(rp).isPositive();
        byte[] one = bConnData(srv.port, "one");
        for (int prev : new int[] {0x77777777, bAddr}) {
            byte[] d = "direct".getBytes(StandardCharsets.US_ASCII);
            byte[] m = new byte[Tipc.BASIC_H_SIZE + d.length];
            TipcMsg h = new TipcMsg().wrap(m, 0, m.length);
            Msg.init(h, bAddr, Tipc.LOW_IMPORTANCE, Tipc.TIPC_DIRECT_MSG, Tipc.BASIC_H_SIZE, aAddr);
            h.setSize(m.length).setDestport(rp).setOrigport(4711).setPrevnode(prev);
            System.arraycopy(d, 0, m, Tipc.BASIC_H_SIZE, d.length);
            if (prev == bAddr) {
                feedA(bundle(bConnData(srv.port, "two"), m));
                break;
            }
            feedA(bundle(one, m));
            net.runFor(10);
            assertThat(rdm).as("a direct message naming another previous node").isEmpty();
        }
        net.runFor(10);
        assertThat(rdm).as("the same naming the link's peer").containsExactly("direct");
        assertThat(cli.log).containsExactly("data:one", "data:two");
        assertThat(a.core.net.foreignPrevnode).isEqualTo(1);
        assertThat(a.core.log()).anyMatch(l -> l.contains("77777777 as its previous node, dropped"));
        assertThat(aLink().isUp()).isTrue();
    }

    // ====================================================================== 1

    /**
     * Data released from the deferred queue by the same packet that then fails the link reaches the connection before
     * its TIPC_ERR_NO_NODE abort (node_lost_contact queues the aborts behind le->inputq). Fails if the node hands the
     * queued socket messages in after {@code SocketTable.nodeLost} (or drops them): they then meet a disconnected
     * socket and are rejected.
     */
    @Test
    void dataReleasedByThePacketThatFailsTheLinkIsReadBeforeTheConnectionReset() {
        Reader[] p = connect();
        Reader cli = p[0], srv = p[1];
        byte[] one = bConnData(srv.port, "one");
        byte[] two = bConnData(srv.port, "two");
        byte[] broken = brokenFragmentAfter(two);

        feedA(two);
        feedA(broken);
        assertThat(aLink().isUp()).isTrue();
        assertThat(aLink().deferredLength()).isEqualTo(2);
        assertThat(cli.log).isEmpty();

        // seqno "one" fills the gap: one, two, then the broken fragment (link down, node lost) in one Link.rcv
        feedA(one);

        assertThat(a.core.peer(bAddr).isUp()).isFalse();
        assertThat(cli.log).containsExactly("data:one", "data:two", "ECONNRESET");
        assertThat(a.core.connSocket(cli.port).state()).isEqualTo(ConnSocket.State.DISCONNECTING);
    }

    // ====================================================================== 2

    /**
     * A PUBLICATION taken in by the same packet processing that ends with the node lost is never applied
     * (node_lost_contact purges bc_entry.namedq). Fails if {@code lostContact} leaves the binding updates queued:
     * {@code Node.rcv} would apply them after the node's bindings were withdrawn, leaving a binding of a lost node.
     */
    @Test
    void publicationReleasedByThePacketThatLosesTheNodeIsNotApplied() {
        List<String> changes = new ArrayList<>();
        a.core.bindingTable().addListener(c -> {
            if (c.publication().type() == NAME) changes.add((c.published() ? "+" : "-") + c.publication());
        });
        int bp = b.core.openSocket(SocketType.RDM, d -> true);
        byte[] publ = bPublication(bp, 7);
        byte[] broken = brokenFragmentAfter(publ);

        feedA(broken);
        assertThat(aLink().isUp()).isTrue();
        feedA(publ); // the PUBLICATION, then the broken fragment: link down, node lost

        assertThat(a.core.peer(bAddr).isUp()).isFalse();
        assertThat(changes).isEmpty();
        assertThat(a.core.bindingTable().lookupAnycast(NAME, 7, 0)).isNull();
        assertThat(a.core.bindingTable().publicationsOfNode(bAddr)).isEmpty();
    }

    // ====================================================================== 3

    /**
     * The first NAME_DISTRIBUTOR message on the unicast link opens the peer's broadcast receive link inside the link
     * (link.c tipc_data_input: {@code l->bc_rcvlink->state = LINK_ESTABLISHED}), so the STATE the link sends for the
     * same packet (the every-{@link Link#MIN_LINK_WIN}-packets ack) already says so: bc_ack_invalid 0 and the
     * redundant-link bit set ({@code Link.buildProto}). Fails if the broadcast receive link is opened later (after the
     * link returns) or not at all, for a plain and for a bundled binding update.
     *
     * <p>Beta's bc-init message (BCAST_PROTOCOL, sent at link up) has already opened alpha's broadcast receive link;
     * the test closes it again, as if that message had not been seen, which is the case the kernel's rule is for.
     */
    @ParameterizedTest(name = "bundled={0}")
    @ValueSource(booleans = {false, true})
    void firstBindingUpdateOpensTheBroadcastLinkBeforeTheStateAckOfTheSamePacket(boolean bundled) {
        int ap = a.core.openSocket(SocketType.RDM, d -> true);
        int bp = b.core.openSocket(SocketType.RDM, d -> true);
        Link l = aLink();
        BroadcastLink bc = a.core.peer(bAddr).broadcastLink();
        int k = Link.MIN_LINK_WIN - 1 - l.rcvUnacked; // packets before the one that triggers the STATE ack
        assertThat(k).isPositive();
        byte[] d = {1, 2, 3};
        for (int i = 0; i < k + (bundled ? 1 : 0); i++) {
            assertThat(b.core.sendToPort(net.now(), bp, aAddr, ap, d, 0, d.length, fromB)).isZero();
        }
        List<byte[]> data = fromB.linkPackets();
        assertThat(data).hasSize(k + (bundled ? 1 : 0));
        byte[] publ = bPublication(bp, 9);
        byte[] last = bundled ? bundle(data.get(k), publ) : publ;

        bc.up = false;
        for (int i = 0; i < k; i++) feedA(data.get(i));
        assertThat(fromA.states()).isEmpty();
        assertThat(bc.up).isFalse();

        feedA(last);

        List<TipcMsg> states = fromA.states();
        assertThat(states).hasSize(1);
        TipcMsg st = states.get(0);
        assertThat(st.ack()).isEqualTo((l.rcvNxt() - 1) & 0xffff);
        assertThat(st.bcAckInvalid()).as("bc_ack_invalid").isZero();
        assertThat(st.redundantLink()).as("redundant link bit").isEqualTo(1);
        assertThat(bc.up).isTrue();
        assertThat(a.core.bindingTable().lookupAnycast(NAME, 9, 0)).isNotNull();
    }

    // ====================================================================== 4

    /**
     * A socket message and a binding update taken in together (one bundle, socket message first; or the socket
     * message filling the gap in front of a deferred PUBLICATION) reach the binding table before the socket: when the
     * binding is applied the connection has not seen the message yet, and the reader, which looks the binding up
     * when it reads, finds it. Fails if {@code Node.rcv} delivers the socket messages before applying the binding
     * updates.
     */
    @ParameterizedTest(name = "bundled={0}")
    @ValueSource(booleans = {true, false})
    void bindingUpdateReceivedWithASocketMessageIsAppliedBeforeTheSocketSeesIt(boolean bundled) {
        Reader[] p = connect();
        Reader cli = p[0], srv = p[1];
        List<Integer> queuedAtBinding = new ArrayList<>();
        List<Boolean> foundByReader = new ArrayList<>();
        a.core.bindingTable().addListener(c -> {
            if (c.published() && c.publication().type() == NAME) {
                queuedAtBinding.add(a.core.connSocket(cli.port).queuedMessages());
            }
        });
        cli.beforeRead = () -> foundByReader.add(a.core.bindingTable().lookupAnycast(NAME, 5, 0) != null);
        int bp = b.core.openSocket(SocketType.RDM, d -> true);
        byte[] data = bConnData(srv.port, "hello");
        byte[] publ = bPublication(bp, 5);

        if (bundled) {
            feedA(bundle(data, publ));
        } else {
            feedA(publ);
            assertThat(aLink().deferredLength()).isEqualTo(1);
            feedA(data); // releases the PUBLICATION behind it
        }

        assertThat(queuedAtBinding).containsExactly(0);
        assertThat(cli.log).containsExactly("data:hello");
        assertThat(foundByReader).isNotEmpty().allMatch(f -> f);
        assertThat(a.core.peer(bAddr).isUp()).isTrue();
    }
}
