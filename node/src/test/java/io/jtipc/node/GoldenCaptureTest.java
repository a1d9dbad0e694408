package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import io.jtipc.wire.FieldSink;
import io.jtipc.wire.NodeId;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcDescriber;
import io.jtipc.wire.TipcMsg;

/**
 * Golden checks against samples/eth-6.1.pcap (two Linux 6.1.192 kernels, srv-node = A on
 * 52:54:00:00:00:0a, cli-node = B on 52:54:00:00:00:0b): a jtipc core given the same identity, random
 * number and link session as one kernel must emit frames whose fields equal the kernel's, and the other
 * kernel's frames, replayed with their timestamps, must bring the jtipc link up.
 */
class GoldenCaptureTest {
    static final byte[] MAC_A = {0x52, 0x54, 0, 0, 0, 0x0a};
    static final byte[] MAC_B = {0x52, 0x54, 0, 0, 0, 0x0b};
    /** w13 (peer-net hash = tn->random in the initial namespace) of each kernel's discovery messages. */
    static final int RANDOM_A = 0x75521653;
    static final int RANDOM_B = 0x7e5cc53a;
    /** Sessions of the kernels' RESET messages (frames 40 and 43): the random value + 1. */
    static final int SESSION_A = 28494;
    static final int SESSION_B = 5025;

    record Frame(int index, long timeMs, byte[] src, byte[] dst, byte[] tipc) {
        TipcMsg msg() { return new TipcMsg().wrap(tipc, 0, tipc.length); }
    }

    record Sent(long timeMs, byte[] dest, byte[] tipc) {
        TipcMsg msg() { return new TipcMsg().wrap(tipc, 0, tipc.length); }
    }

    static List<Frame> frames() throws IOException {
        Path p = Path.of("../samples/eth-6.1.pcap");
        if (!Files.exists(p)) p = Path.of("samples/eth-6.1.pcap");
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(0)).isEqualTo(0xa1b2c3d4);
        List<Frame> out = new ArrayList<>();
        int pos = 24;
        int i = 0;
        long t0 = -1;
        while (pos + 16 <= b.limit()) {
            long t = b.getInt(pos) * 1000L + b.getInt(pos + 4) / 1000;
            if (t0 < 0) t0 = t;
            int cl = b.getInt(pos + 8);
            byte[] f = Arrays.copyOfRange(b.array(), pos + 16, pos + 16 + cl);
            if (cl >= 14 + 24 && (f[12] & 0xff) == 0x88 && (f[13] & 0xff) == 0xca) {
                byte[] tipc = Arrays.copyOfRange(f, 14, f.length);
                int size = new TipcMsg().wrap(tipc, 0, tipc.length).size();
                out.add(new Frame(i, t - t0, Arrays.copyOfRange(f, 6, 12), Arrays.copyOfRange(f, 0, 6),
                    Arrays.copyOf(tipc, Math.min(size, tipc.length))));
            }
            pos += 16 + cl;
            i++;
        }
        return out;
    }

    static Frame frame(List<Frame> fs, int index) {
        return fs.stream().filter(f -> f.index == index).findFirst().orElseThrow();
    }

    /** Every field of a message, named as the kernel's accessors (wire module's describer). */
    static Map<String, String> fields(byte[] m) {
        Map<String, String> out = new LinkedHashMap<>();
        ArrayDeque<String> path = new ArrayDeque<>();
        TipcDescriber.describe(m, 0, m.length, new FieldSink() {
            String key(String n) {
                StringBuilder sb = new StringBuilder();
                path.descendingIterator().forEachRemaining(s -> sb.append(s).append('.'));
                return sb.append(n).toString();
            }

            @Override
            public void field(String name, long value, String symbolic) {
                out.put(key(name), Long.toString(value));
            }

            @Override
            public void text(String name, String value) {
                out.put(key(name), value);
            }

            @Override
            public void bytes(String name, byte[] buf, int off, int len) {
                out.put(key(name), HexFormat.of().formatHex(buf, off, off + len));
            }

            @Override
            public void beginGroup(String name) {
                path.push(name);
            }

            @Override
            public void endGroup() {
                path.pop();
            }
        });
        return out;
    }

    static void assertSameFields(String what, byte[] ours, byte[] kernel, Set<String> ignore) {
        Map<String, String> o = fields(ours);
        Map<String, String> k = fields(kernel);
        o.keySet().removeAll(ignore);
        k.keySet().removeAll(ignore);
        assertThat(o).as(what + ": jtipc fields vs kernel fields").containsExactlyEntriesOf(k);
    }

    /** Replays the frames of {@code peerMac} into a jtipc core playing the other kernel. */
    static final class Replay {
        final NodeCore core;
        final List<Sent> sent = new ArrayList<>();
        final List<String> events = new ArrayList<>();
        long now;

        Replay(NodeConfig cfg, int session, byte[] mac, long enableAt) {
            core = new NodeCore(cfg);
            core.setSessionSource(() -> session - 1);
            core.setListener(new NodeListener() {
                @Override
                public void linkUp(Link l) {
                    events.add("linkUp@" + now);
                }

                @Override
                public void linkDown(Link l) {
                    events.add("linkDown@" + now);
                }
            });
            now = enableAt;
            core.enableBearer(now, BearerConfig.ethernet("eth0", mac), this::record);
        }

        void record(int bearer, byte[] dest, byte[] buf, int off, int len) {
            sent.add(new Sent(now, dest == null ? null : dest.clone(), Arrays.copyOfRange(buf, off, off + len)));
        }

        void advance(long t) {
            while (core.nextDeadline() <= t) {
                now = Math.max(now, core.nextDeadline());
                core.onTimer(now, this::record);
            }
            now = Math.max(now, t);
        }

        void feed(Frame f) {
            advance(f.timeMs);
            core.onFrame(now, 0, f.src, f.tipc, 0, f.tipc.length, this::record);
        }

        Sent first(Predicate<TipcMsg> p) {
            return sent.stream().filter(s -> p.test(s.msg())).findFirst().orElseThrow();
        }
    }

    static boolean is(TipcMsg m, int user, int type) {
        return m.user() == user && m.type() == type;
    }

    static NodeConfig kernelLike(String id, int random) {
        return NodeConfig.of(NodeId.parse(id), random, 1).withCapabilities(Tipc.TIPC_NODE_CAPABILITIES);
    }

    @Test
    void discoveryTrialMessageIsByteIdenticalToTheKernels() throws IOException {
        List<Frame> fs = frames();
        Frame kernelTrial = frame(fs, 11);
        assertThat(kernelTrial.msg().type()).isEqualTo(Tipc.DSC_TRIAL_MSG);
        Replay b = new Replay(kernelLike("cli-node", RANDOM_B), SESSION_B, MAC_B, kernelTrial.timeMs);
        assertThat(b.sent.get(0).tipc).isEqualTo(kernelTrial.tipc);
        assertThat(b.sent.get(0).dest).isNull();
        // with jtipc's own capability set only w1 bits 27-15 differ
        Replay own = new Replay(NodeConfig.of(NodeId.parse("cli-node"), RANDOM_B, 1), SESSION_B, MAC_B, 0);
        assertSameFields("DSC_TRIAL", own.sent.get(0).tipc, kernelTrial.tipc, Set.of("node_capabilities", "node_sig"));
        assertThat(own.sent.get(0).msg().nodeCapabilities()).isEqualTo(NodeCore.JTIPC_CAPABILITIES);
        assertThat(own.sent.get(0).msg().nodeSig() & 0x7fff).isEqualTo(RANDOM_B & 0x7fff);
        // kernel schedule: trial messages every 125 ms
        b.advance(kernelTrial.timeMs + 1000);
        List<Long> times = b.sent.stream().map(Sent::timeMs).toList();
        assertThat(times.subList(0, 8)).containsExactly(kernelTrial.timeMs, kernelTrial.timeMs + 125,
            kernelTrial.timeMs + 250, kernelTrial.timeMs + 375, kernelTrial.timeMs + 500, kernelTrial.timeMs + 625,
            kernelTrial.timeMs + 750, kernelTrial.timeMs + 875);
    }

    @Test
    void jtipcAsCliNodeFedSrvNodeFramesBringsTheLinkUpWithKernelIdenticalFrames() throws IOException {
        List<Frame> fs = frames();
        Frame first = frame(fs, 11);
        Replay b = new Replay(kernelLike("cli-node", RANDOM_B), SESSION_B, MAC_B, first.timeMs);
        int addrA = NodeId.parse("srv-node").hash();
        for (Frame f : fs) {
            if (Arrays.equals(f.src, MAC_A) && f.timeMs < 47_000) b.feed(f);
        }
        assertThat(b.core.ownAddr()).isEqualTo(NodeId.parse("cli-node").hash());
        assertThat(b.events).isNotEmpty();
        assertThat(b.events.get(0)).startsWith("linkUp@");
        assertThat(b.events).hasSize(1); // no reset while the kernel kept talking
        Link l = b.core.peer(addrA).link();
        assertThat(l.isUp()).isTrue();
        assertThat(l.name()).isEqualTo("cli-node:eth0-srv-node:eth0");
        assertThat(b.core.peer(addrA).state()).isEqualTo(Node.NodeState.SELF_UP_PEER_UP);

        // after the trial: the periodic DSC_REQ and the DSC_RESP to srv-node's request, byte for byte
        Sent req = b.first(m -> is(m, Tipc.LINK_CONFIG, Tipc.DSC_REQ_MSG));
        assertThat(req.tipc).isEqualTo(frame(fs, 31).tipc);
        Sent resp = b.first(m -> is(m, Tipc.LINK_CONFIG, Tipc.DSC_RESP_MSG));
        assertThat(resp.dest).isEqualTo(MAC_A);
        assertThat(resp.tipc).isEqualTo(frame(fs, 38).tipc);

        // RESET, first STATE and the bc-init: field by field as kernel cli-node sent them
        Sent reset = b.first(m -> is(m, Tipc.LINK_PROTOCOL, Tipc.RESET_MSG));
        assertThat(reset.dest).isEqualTo(MAC_A);
        assertSameFields("RESET", reset.tipc, frame(fs, 40).tipc, Set.of());
        Sent state = b.first(m -> is(m, Tipc.LINK_PROTOCOL, Tipc.STATE_MSG));
        assertSameFields("first STATE", state.tipc, frame(fs, 44).tipc, Set.of());
        Sent bcInit = b.first(m -> m.user() == Tipc.BCAST_PROTOCOL);
        assertSameFields("bc init", bcInit.tipc, frame(fs, 45).tipc, Set.of());
        Sent bulk = b.first(m -> m.user() == Tipc.NAME_DISTRIBUTOR);
        // the kernel's bulk also carries the binding of its group member (published before, hence its named
        // seqno 2 where ours is 1): header flags agree, and our node-state item equals the kernel's
        assertSameFields("bulk", bulk.tipc, frame(fs, 46).tipc, Set.of("size", "named_seqno", "item[0].type",
            "item[0].lower", "item[0].upper", "item[0].port", "item[0].key", "item[1].type", "item[1].lower",
            "item[1].upper", "item[1].port", "item[1].key"));
        Map<String, String> ours = fields(bulk.tipc);
        Map<String, String> kernel = fields(frame(fs, 46).tipc);
        for (String f : List.of("type", "lower", "upper", "port", "key")) {
            assertThat(ours.get("item[0]." + f)).as(f).isEqualTo(kernel.get("item[1]." + f));
        }
        assertThat(bulk.msg().namedSeqno()).isEqualTo(1);

        // the kernel's binding table reached us (bulk on the unicast link), and the WITHDRAWAL it sent at
        // 35.154 s on the broadcast link was received, sequenced, applied and acknowledged
        assertThat(b.core.bindingTable().publications(1000, 1, 1)).hasSize(1);
        assertThat(b.core.bindingTable().publications(4000, 10, 20)).isEmpty();
        BroadcastLink bcl = b.core.peer(addrA).broadcastLink();
        assertThat(bcl.isUp()).isTrue();
        assertThat(bcl.received()).isEqualTo(2);
        assertThat(bcl.rcvNxt()).isEqualTo(3);
        Sent lastState = null;
        for (Sent s : b.sent) if (is(s.msg(), Tipc.LINK_PROTOCOL, Tipc.STATE_MSG)) lastState = s;
        assertThat(lastState.msg().bcastAck()).isEqualTo(2);
        assertThat(lastState.msg().bcAckInvalid()).isZero();
        assertThat(lastState.msg().redundantLink()).isOne();

        // the kernel then loses cli-node and resets with a new session: our link goes down
        for (Frame f : fs) {
            if (Arrays.equals(f.src, MAC_A) && f.timeMs >= 47_000) b.feed(f);
        }
        assertThat(b.events).hasSize(2);
        assertThat(b.events.get(1)).startsWith("linkDown@");
        assertThat(b.core.bindingTable().publications(1000, 1, 1)).isEmpty();
    }

    @Test
    void jtipcAsSrvNodeFedCliNodeFramesSendsKernelIdenticalResponseAndActivate() throws IOException {
        List<Frame> fs = frames();
        Frame firstA = frame(fs, 14);
        Replay a = new Replay(kernelLike("srv-node", RANDOM_A), SESSION_A, MAC_A, firstA.timeMs);
        assertThat(a.sent.get(0).tipc).isEqualTo(firstA.tipc);
        int addrB = NodeId.parse("cli-node").hash();
        boolean activateSeen = false;
        for (Frame f : fs) {
            if (!Arrays.equals(f.src, MAC_B) || f.timeMs >= 44_000) continue;
            if (f.index > 40 && !activateSeen) {
                // hold cli-node's later frames until our node timer has sent its ACTIVATE (frame 43 in the capture)
                a.advance(a.core.nextDeadline());
                activateSeen = a.sent.stream().anyMatch(s -> is(s.msg(), Tipc.LINK_PROTOCOL, Tipc.ACTIVATE_MSG));
                assertThat(activateSeen).isTrue();
            }
            a.feed(f);
        }
        Sent resp = a.first(m -> is(m, Tipc.LINK_CONFIG, Tipc.DSC_RESP_MSG));
        assertThat(resp.dest).isEqualTo(MAC_B);
        assertThat(resp.tipc).isEqualTo(frame(fs, 35).tipc);
        Sent act = a.first(m -> is(m, Tipc.LINK_PROTOCOL, Tipc.ACTIVATE_MSG));
        assertSameFields("ACTIVATE", act.tipc, frame(fs, 43).tipc, Set.of());
        assertThat(a.core.peer(addrB).link().isUp()).isTrue();
        assertThat(a.events).hasSize(1);
        Sent state = a.first(m -> is(m, Tipc.LINK_PROTOCOL, Tipc.STATE_MSG));
        assertSameFields("first STATE", state.tipc, frame(fs, 47).tipc, Set.of());
        // cli-node's bindings (its topology-service subscription target, group member ...) arrived
        assertThat(a.core.bindingTable().publications(0, addrB, addrB)).hasSize(1);
    }

    @Test
    void lostBroadcastPacketIsNackedInStateAndDeliveredInOrderWhenItComes() throws IOException {
        List<Frame> fs = frames();
        Frame first = frame(fs, 11);
        Frame bc1 = frame(fs, 1090);
        Frame bc2 = frame(fs, 1200);
        assertThat(bc1.msg().nonSeq()).isOne();
        assertThat(bc1.msg().user()).isEqualTo(Tipc.NAME_DISTRIBUTOR);
        Replay b = new Replay(kernelLike("cli-node", RANDOM_B), SESSION_B, MAC_B, first.timeMs);
        int addrA = NodeId.parse("srv-node").hash();
        for (Frame f : fs) {
            if (!Arrays.equals(f.src, MAC_A) || f.index >= bc2.index || f == bc1) continue;
            b.feed(f);
        }
        BroadcastLink bcl = b.core.peer(addrA).broadcastLink();
        assertThat(bcl.rcvNxt()).isEqualTo(1);
        // the kernel's STATEs announced last_bcast 1: jtipc answered with a STATE carrying bc gap 1
        Sent nack = b.sent.stream().filter(s -> is(s.msg(), Tipc.LINK_PROTOCOL, Tipc.STATE_MSG)
            && s.msg().bcGap() == 1 && s.timeMs >= bc1.timeMs).findFirst().orElseThrow();
        assertThat(nack.msg().bcastAck()).isZero();
        assertThat(nack.timeMs).isLessThan(bc1.timeMs + 1000);
        // seqno 2 arrives first: held, reported in a broadcast gap-ACK block
        b.feed(bc2);
        assertThat(bcl.deferredLength()).isEqualTo(1);
        assertThat(b.core.bindingTable().publications(4000, 10, 20)).hasSize(1);
        b.advance(b.core.nextDeadline());
        Sent st = b.sent.get(b.sent.size() - 1);
        assertThat(is(st.msg(), Tipc.LINK_PROTOCOL, Tipc.STATE_MSG)).isTrue();
        GapAckBlocksView g = GapAckBlocksView.of(st.tipc);
        assertThat(g.bc).isEqualTo(1);
        assertThat(g.uc).isZero();
        assertThat(g.acks[0]).isEqualTo(2);
        assertThat(g.gaps[0]).isZero();
        assertThat(st.msg().bcGap()).isEqualTo(1);
        // the retransmission arrives: both applied in order
        b.feed(bc1);
        assertThat(bcl.rcvNxt()).isEqualTo(3);
        assertThat(bcl.deferredLength()).isZero();
        assertThat(b.core.bindingTable().publications(4000, 10, 20)).isEmpty();
    }

    @Test
    void mutatedKernelFramesNeverCauseAnInternalError() throws IOException {
        List<Frame> fs = frames();
        Replay b = new Replay(kernelLike("cli-node", RANDOM_B), SESSION_B, MAC_B, frame(fs, 11).timeMs);
        List<Frame> fromA = fs.stream().filter(f -> Arrays.equals(f.src, MAC_A)).toList();
        for (Frame f : fromA) if (f.index < 60) b.feed(f);
        assertThat(b.events).hasSize(1);
        java.util.Random r = new java.util.Random(4711);
        for (int i = 0; i < 30_000; i++) {
            Frame f = fromA.get(r.nextInt(fromA.size()));
            byte[] x = f.tipc.clone();
            int flips = 1 + r.nextInt(3);
            for (int k = 0; k < flips; k++) {
                int pos = r.nextInt(Math.min(x.length, r.nextBoolean() ? 24 : x.length));
                x[pos] ^= (byte) (1 << r.nextInt(8));
            }
            if (r.nextInt(5) == 0) x = Arrays.copyOf(x, r.nextInt(x.length + 8));
            b.now += r.nextInt(3);
            b.advance(b.now);
            b.core.onFrame(b.now, 0, MAC_A, x, 0, x.length, b::record);
        }
        assertThat(b.core.log()).noneMatch(s -> s.contains("internal error"));
    }

    @Test
    void kernelRdmEchoRepliesIncludingFragmented66000ByteOnesAreDeliveredIntact() throws IOException {
        List<Frame> fs = frames();
        // the kernel client's two RDM sockets (100-byte and 66000-byte pings): where srv-node's DIRECT echo
        // replies go
        Set<Integer> clientPorts = Set.of(0x95d050a2, 0xa603074c);
        Replay b = new Replay(kernelLike("cli-node", RANDOM_B), SESSION_B, MAC_B, frame(fs, 11).timeMs);
        List<Delivery> got = new ArrayList<>();
        for (int port : clientPorts) b.core.openSocketAt(port, SocketType.RDM, got::add);
        for (Frame f : fs) {
            if (Arrays.equals(f.src, MAC_A) && f.timeMs < 47_000) b.feed(f);
        }
        // what the kernel client sent to {1000,1}: reassemble its frames with the wire module's assembler
        List<byte[]> requests = new ArrayList<>();
        io.jtipc.wire.FragmentAssembler<String> fa = new io.jtipc.wire.FragmentAssembler<>(1);
        for (Frame f : fs) {
            if (!Arrays.equals(f.src, MAC_B)) continue;
            TipcMsg m = f.msg();
            byte[] whole = null;
            if (m.user() == Tipc.MSG_FRAGMENTER) {
                var r = fa.append("b", f.tipc, 0, f.tipc.length);
                if (r.status() == io.jtipc.wire.FragmentAssembler.Status.COMPLETE) whole = r.message();
            } else if (m.user() == 0 && m.nonSeq() == 0) {
                whole = f.tipc;
            }
            if (whole == null) continue;
            TipcMsg w = new TipcMsg().wrap(whole, 0, whole.length);
            if (w.type() == Tipc.TIPC_NAMED_MSG && w.nametype() == 1000 && clientPorts.contains(w.origport())) {
                requests.add(Arrays.copyOfRange(whole, w.hdrSize(), w.size()));
            }
        }
        assertThat(requests).hasSize(24);
        assertThat(got).hasSize(24);
        for (int i = 0; i < 24; i++) {
            Delivery d = got.get(i);
            assertThat(d.srcNode()).isEqualTo(NodeId.parse("srv-node").hash());
            assertThat(d.msgType()).isEqualTo(Tipc.TIPC_DIRECT_MSG);
            assertThat(d.data()).as("echo %d", i).isEqualTo(requests.get(i));
        }
        assertThat(got.stream().filter(d -> d.data().length == 66000)).hasSize(4);
        assertThat(got.stream().filter(d -> d.data().length == 100)).hasSize(20);
    }

    record GapAckBlocksView(int uc, int bc, int[] acks, int[] gaps) {
        static GapAckBlocksView of(byte[] state) {
            TipcMsg m = new TipcMsg().wrap(state, 0, state.length);
            io.jtipc.wire.GapAckBlocks g = new io.jtipc.wire.GapAckBlocks().wrap(state, m.dataOffset(), m.dataSize());
            int n = g.blockCount();
            int[] a = new int[n];
            int[] gp = new int[n];
            for (int i = 0; i < n; i++) {
                a[i] = g.ack(i);
                gp[i] = g.gap(i);
            }
            return new GapAckBlocksView(g.ugackCnt(), g.bgackCnt(), a, gp);
        }
    }
}
