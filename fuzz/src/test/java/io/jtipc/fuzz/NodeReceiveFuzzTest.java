package io.jtipc.fuzz;

import static io.jtipc.fuzz.Checks.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.jtipc.node.BearerConfig;
import io.jtipc.node.BroadcastLink;
import io.jtipc.node.ConnHandler;
import io.jtipc.node.Link;
import io.jtipc.node.Node;
import io.jtipc.node.NodeConfig;
import io.jtipc.node.NodeCore;
import io.jtipc.node.NodeListener;
import io.jtipc.node.SocketType;
import io.jtipc.wire.Malformation;
import io.jtipc.wire.NodeId;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcCodec;
import io.jtipc.wire.TipcMsg;
import io.jtipc.wire.TipcSubscr;

/**
 * Fuzz target for the node's receive path ({@link NodeCore#onFrame}, node.c tipc_rcv and everything behind it: link,
 * broadcast link, reassembly, bundles, name distribution, sockets, connections, topology) on a node that already has
 * a link up with a peer, many frames per input, with time advancing and {@link NodeCore#onTimer} running.
 *
 * <p>Per input: a fresh jtipc core playing cli-node of samples/eth-6.1.pcap (its identity, random number and link
 * session, as node's GoldenCaptureTest does) is fed srv-node's kernel frames up to the link's first data (capture
 * frame 60): the link is up. It opens an RDM socket bound to {1000, 1}, a SEQPACKET listener on {2000, 1}, a STREAM
 * listener on {3000, 1} (connections accepted, read and echoed) and topology subscriptions to node and link state and
 * to srv-node's services 4000 and 77 (group). Then
 * the input's frames ({@link Frames}) arrive from srv-node's MAC. Control byte: bits 0-1 time class (0 none, 1 +amount
 * ms, 2 +amount × 64 ms, 3 +amount × 1024 ms), bits 4-7 the amount, time advanced before the frame with every timer
 * due run; bits 2-3 a fix-up that makes the frame plausible: 1 = version 2, msg_size = frame length, prevnode (and
 * for ≥ 32-byte headers orignode, destnode) = the link's peer and this node; 2 = also link seqno = the link's next
 * expected + amount (sequenced users only); 3 = also destport = one of the three sockets (amount & 3). An empty frame
 * only advances time.
 *
 * <p>Checked: nothing escapes the core, and the core's own catch-all never fired ("internal error" in its log);
 * every frame the core sends validates ({@link TipcCodec#validate}; a message returned to its sender only its framing,
 * since it keeps the sender's header as the kernel's tipc_msg_reverse does) and fits the bearer MTU; timers make progress
 * ({@link NodeCore#nextDeadline()} is later than the time just run); every link's and broadcast link's deferred
 * queue stays within the receive window (link.c TIPC_MAX_LINK_WIN); the peer table stays within its 4096 entries.
 *
 * <p>Seeds: srv-node's frames after the link came up (keepalives, bindings, group traffic, RDM echo replies, a
 * 66000-byte message in fragments), as captured and with the fix-ups; each other kind of message srv-node sent (its
 * binding bulk and withdrawals, group, connection and data messages) re-sequenced onto the link.
 */
class NodeReceiveFuzzTest {
    static final byte[] MAC_A = {0x52, 0x54, 0, 0, 0, 0x0a};
    static final byte[] MAC_B = {0x52, 0x54, 0, 0, 0, 0x0b};
    /** cli-node's random number and first link session in the capture (node GoldenCaptureTest). */
    static final int RANDOM_B = 0x7e5cc53a;
    static final int SESSION_B = 5025;
    /** Capture frames below this index bring the link up (srv-node's discovery, RESET/ACTIVATE, first STATE). */
    static final int LINK_UP_BEFORE = 60;
    /** Bearer MTU (Ethernet): no frame the core sends may be longer. */
    static final int MTU = 1500;
    /** link.c TIPC_MAX_LINK_WIN: a link never defers more packets than its receive window. */
    static final int MAX_LINK_WIN = 8191;
    /** node.c: at most this many peers (NodeTable.MAX_PEERS). */
    static final int MAX_PEERS = 4096;
    /** A link's deferred-queue byte budget (node HoldBudget.DEFERRED_LINK_BYTES: 8 MiB). */
    static final long DEFERRED_LINK_BYTES = 8L << 20;
    /** Timer runs per time step before the target reports a spinning timer. */
    static final int MAX_TIMER_RUNS = 10_000;

    static final int ADDR_A = NodeId.parse("srv-node").hash();
    static final int ADDR_B = NodeId.parse("cli-node").hash();

    private static final Runs RUNS = new Runs("node");
    /** srv-node's frames of the capture: [capture index, time ms, TIPC message]. */
    private static final List<Captures.Record> FROM_A = fromA();

    static List<Captures.Record> fromA() {
        List<Captures.Record> out = new ArrayList<>();
        for (Captures.Record r : Captures.records(Captures.ETH)) {
            byte[] f = r.frame();
            byte[] tipc = Captures.tipcOfEthernet(f);
            if (tipc != null && Arrays.equals(Arrays.copyOfRange(f, 6, 12), MAC_A)) {
                out.add(new Captures.Record(r.index(), r.timeMs(), tipc));
            }
        }
        return out;
    }

    /** The node under test, its sockets, and the checks on what it sends. */
    static final class Harness {
        final NodeCore core;
        long now;
        int rdmPort, seqpacketPort, streamPort;
        final List<Integer> conns = new ArrayList<>();
        final byte[] readBuf = new byte[70_000];
        long sent;

        Harness() {
            core = new NodeCore(NodeConfig.of(NodeId.parse("cli-node"), RANDOM_B, 1));
            core.setSessionSource(() -> SESSION_B - 1);
            core.setListener(new NodeListener() {});
            Captures.Record first = FROM_A.get(0);
            now = first.timeMs();
            core.enableBearer(now, BearerConfig.ethernet("eth0", MAC_B), this::send);
        }

        /** Every frame the core transmits: a valid TIPC message within the MTU. */
        void send(int bearerId, byte[] dest, byte[] buf, int off, int len) {
            sent++;
            check(bearerId == 0, "frame sent on bearer " + bearerId);
            check(len <= MTU, "frame of " + len + " bytes > MTU " + MTU + ": " + new TipcMsg().wrap(buf, off, len));
            TipcMsg m = new TipcMsg().wrap(buf, off, len);
            // a message returned to its sender (errcode set) keeps the sender's header as msg.c tipc_msg_reverse does,
            // e.g. a CONN_MANAGER message with a 36-byte header: only its framing is the core's
            Malformation v = m.errcode() != 0 && m.user() != Tipc.LINK_CONFIG ? TipcCodec.validateFrame(buf, off, len)
                : TipcCodec.validate(buf, off, len);
            check(v.isOk(), "the core sent a malformed frame (" + v + "): " + m);
            check(new TipcMsg().wrap(buf, off, len).size() == len, "sent frame length != msg_size");
        }

        void advance(long t) {
            int runs = 0;
            while (core.nextDeadline() <= t) {
                long due = Math.max(now, core.nextDeadline());
                now = due;
                core.onTimer(now, this::send);
                check(core.nextDeadline() > now || ++runs < MAX_TIMER_RUNS,
                    "timers do not advance: nextDeadline " + core.nextDeadline() + " after onTimer(" + now + ")");
            }
            now = Math.max(now, t);
        }

        void frame(byte[] b) {
            core.onFrame(now, 0, MAC_A, b, 0, b.length, this::send);
        }

        /** Sockets and a subscription, as an application on cli-node would have them. */
        void openSockets() {
            rdmPort = core.openSocket(SocketType.RDM, d -> (d.data().length & 1) == 0); // odd sizes: queue full
            check(core.bind(now, rdmPort, Tipc.TIPC_CLUSTER_SCOPE, 1000, 1, 1, this::send) == 0, "bind RDM");
            seqpacketPort = listener(SocketType.SEQPACKET, 2000);
            streamPort = listener(SocketType.STREAM, 3000);
            for (int type : new int[] {Tipc.TIPC_NODE_STATE, Tipc.TIPC_LINK_STATE, 4000, 77}) {
                check(core.subscribe(now, TipcSubscr.TIPC_SUB_PORTS, type, 0, -1, TipcSubscr.TIPC_WAIT_FOREVER, e -> {})
                    != null, "subscribe");
            }
        }

        private int listener(SocketType type, int service) {
            int[] port = new int[1];
            port[0] = core.openConnSocket(type, new ConnHandler() {
                @Override
                public void readable(int p) {
                    int c = core.accept(now, port[0], null, Harness.this::send);
                    if (c > 0) {
                        conns.add(c);
                        core.setConnHandler(c, new Echo(c));
                    }
                }
            });
            check(core.listen(port[0]) == 0, "listen");
            check(core.bind(now, port[0], Tipc.TIPC_CLUSTER_SCOPE, service, 1, 1, this::send) == 0, "bind " + type);
            return port[0];
        }

        /** Reads what arrives on an accepted connection and sends it back (the capture's echo servers). */
        final class Echo implements ConnHandler {
            final int port;

            Echo(int port) {
                this.port = port;
            }

            @Override
            public void readable(int p) {
                for (int i = 0; i < 64; i++) {
                    int n = core.recv(now, port, readBuf, 0, readBuf.length, Harness.this::send);
                    if (n <= 0) {
                        if (n == 0) core.shutdown(now, port, Harness.this::send);
                        return;
                    }
                    core.send(now, port, readBuf, 0, n, Harness.this::send);
                }
            }
        }

        /** Bounds that hold whatever the peer sends. */
        void checkInvariants() {
            check(core.peers().size() <= MAX_PEERS, core.peers().size() + " peers");
            for (Node n : core.peers()) {
                BroadcastLink bc = n.broadcastLink();
                if (bc != null) check(bc.deferredLength() <= MAX_LINK_WIN, "broadcast deferred queue " + bc.deferredLength());
            }
            for (Link l : core.links()) {
                check(l.deferredLength() <= MAX_LINK_WIN, "deferred queue " + l.deferredLength() + " > window: " + l);
                // the per-link byte budgets documented in node/README.md "Limits and hostile input" (HoldBudget)
                io.jtipc.node.LinkHoldStats hs = l.holdStats();
                check(hs.deferredBytes() <= DEFERRED_LINK_BYTES, "deferred bytes " + hs.deferredBytes() + " over budget: " + l);
                check(hs.reassemblyBytes() <= Tipc.MAX_MSG_SIZE, "reassembly bytes " + hs.reassemblyBytes() + " over budget: " + l);
            }
            for (String line : core.log()) {
                check(!line.contains("internal error"), "the core caught an unexpected exception: " + line);
            }
        }
    }

    /** A harness with the link to srv-node up and the sockets open (the state every input starts from). */
    static Harness linked() {
        Harness h = new Harness();
        for (Captures.Record r : FROM_A) {
            if (r.index() >= LINK_UP_BEFORE) break;
            h.advance(r.timeMs());
            h.frame(r.frame());
        }
        h.openSockets();
        return h;
    }

    @MethodSource("seeds")
    @FuzzTest
    void linkedNode(byte[] data) {
        RUNS.count();
        Harness h = linked();
        TipcMsg m = new TipcMsg();
        int i = 0;
        for (Frames.Frame f : Frames.split(data)) {
            int c = f.control();
            int amount = c >>> 4;
            switch (c & 3) {
                case 1 -> h.advance(h.now + amount);
                case 2 -> h.advance(h.now + amount * 64L);
                case 3 -> h.advance(h.now + amount * 1024L);
                default -> { }
            }
            byte[] b = f.bytes();
            if (b.length == 0) continue;
            int fix = c >>> 2 & 3;
            if (fix > 0 && b.length >= Tipc.MIN_H_SIZE) fixUp(h, m.wrap(b, 0, b.length), fix, amount);
            h.frame(b);
            if ((++i & 15) == 0) h.checkInvariants();
        }
        h.advance(h.now + 1);
        h.checkInvariants();
    }

    /** The fix-ups of the control byte (class comment). */
    static void fixUp(Harness h, TipcMsg m, int fix, int amount) {
        int hs = m.hdrSize();
        if (hs < Tipc.MIN_H_SIZE || hs > m.length()) m.setHdrSize(hs = m.user() <= Tipc.CRITICAL_IMPORTANCE ? Tipc.BASIC_H_SIZE
            : Tipc.INT_H_SIZE);
        if (hs > m.length()) return;
        m.setVersion(Tipc.VERSION).setSize(Math.min(m.length(), 0x1ffff)).setPrevnode(ADDR_A);
        if (hs >= Tipc.BASIC_H_SIZE && m.user() != Tipc.LINK_CONFIG) m.setOrignode(ADDR_A).setDestnode(ADDR_B);
        if (fix < 2) return;
        int user = m.user();
        Node peer = h.core.peer(ADDR_A);
        Link l = peer == null ? null : peer.link();
        if (l != null && user != Tipc.LINK_PROTOCOL && user != Tipc.LINK_CONFIG && m.nonSeq() == 0) {
            m.setSeqno((l.rcvNxt() + amount) & 0xffff);
        }
        if (fix < 3 || user > Tipc.CRITICAL_IMPORTANCE && user != Tipc.CONN_MANAGER) return;
        int[] ports = {h.rdmPort, h.seqpacketPort, h.streamPort, h.conns.isEmpty() ? h.rdmPort : h.conns.get(0)};
        m.setDestport(ports[amount & 3]);
    }

    @AfterAll
    static void report() {
        RUNS.report(seedList().size());
    }

    static Stream<Arguments> seeds() {
        List<String> names = List.of("srv-node after link up, as captured", "data and fragments in sequence, no STATE",
            "srv-node after link up, fixed up", "link up, then silence past the tolerance, then the peer again",
            "every other message kind of srv-node, re-sequenced and aimed at the sockets");
        List<byte[]> s = seedList();
        return java.util.stream.IntStream.range(0, s.size()).mapToObj(i -> Arguments.of(Named.of(names.get(i), s.get(i))));
    }

    /** Control byte that advances time by about {@code ms} (capped) before an empty frame. */
    static int time(long ms) {
        if (ms <= 0) return 0;
        if (ms < 16) return (int) (ms << 4) | 1;
        if (ms < 16 * 64) return (int) (ms / 64 << 4) | 2;
        return (int) (Math.min(15, ms / 1024) << 4) | 3;
    }

    static List<byte[]> seedList() {
        List<Captures.Record> after = FROM_A.stream().filter(r -> r.index() >= LINK_UP_BEFORE).toList();
        List<byte[]> seeds = new ArrayList<>();
        // 1: the first 90 frames after the link came up, with their time gaps (capped at 200 ms)
        Frames.Builder asCaptured = new Frames.Builder();
        Frames.Builder fixed = new Frames.Builder();
        long t = after.get(0).timeMs();
        for (Captures.Record r : after.subList(0, Math.min(90, after.size()))) {
            long gap = Math.min(200, r.timeMs() - t);
            t = r.timeMs();
            if (gap > 0) {
                asCaptured.add(time(gap), new byte[0]);
                fixed.add(time(gap), new byte[0]);
            }
            asCaptured.add(0, r.frame());
            fixed.add(3 << 2, r.frame());
        }
        // 2: the sequenced frames (no STATE, no discovery) up to the end of the first 66000-byte message
        Frames.Builder data = new Frames.Builder();
        for (Captures.Record r : after) {
            TipcMsg m = new TipcMsg().wrap(r.frame(), 0, r.frame().length);
            if (m.user() == Tipc.LINK_PROTOCOL || m.user() == Tipc.LINK_CONFIG) continue;
            data.add(0, r.frame());
            if (m.user() == Tipc.MSG_FRAGMENTER && m.type() == Tipc.LAST_FRAGMENT) break;
        }
        // 4: six frames, 3 s of silence (the link times out), then the peer's next frames
        Frames.Builder silence = new Frames.Builder();
        for (int i = 0; i < 6; i++) silence.add(0, after.get(i).frame());
        silence.add(time(1024 * 3), new byte[0]);
        for (int i = 6; i < 30; i++) silence.add(time(100), after.get(i).frame());
        // 5: srv-node's other message kinds, re-sequenced onto the link (fix-up 2) and aimed at the sockets (3): the
        // binding bulk (sent during set-up), the withdrawals of its shutdown, connection traffic and data
        Frames.Builder kinds = new Frames.Builder();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Captures.Record r : FROM_A) {
            TipcMsg m = new TipcMsg().wrap(r.frame(), 0, r.frame().length);
            int user = m.user();
            if (user == Tipc.LINK_PROTOCOL || user == Tipc.LINK_CONFIG || user == Tipc.MSG_FRAGMENTER) continue;
            if (!seen.add(user + "/" + m.type() + "/" + m.isSyn())) continue;
            kinds.add((user <= Tipc.CRITICAL_IMPORTANCE || user == Tipc.CONN_MANAGER ? 3 : 2) << 2, r.frame());
        }
        seeds.add(asCaptured.build());
        seeds.add(data.build());
        seeds.add(fixed.build());
        seeds.add(silence.build());
        seeds.add(kinds.build());
        return seeds;
    }

    /** The starting state of every input (checked once per JVM, in both modes): the link is up. */
    @BeforeAll
    static void linkComesUp() {
        Harness h = linked();
        Node peer = h.core.peer(ADDR_A);
        check(peer != null && peer.link() != null && peer.link().isUp(),
            "the replayed capture did not bring the link up: " + h.core.log());
    }
}
