package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.GapAckBlocks;
import io.jtipc.wire.MonitorDomain;
import io.jtipc.wire.NodeId;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/** Domain records from a hostile or broken peer: rejected and counted, bounded work, never an exception. */
class MonitorHostileTest {
    static final int SELF = 0x1000;

    /** A monitor of {@code SELF} with peers SELF+1 .. SELF+peers up. */
    static Monitor monitor(int peers) {
        Net net = new Net(NodeConfig.of(NodeId.parse("self"), 1, 1));
        net.ownAddr = SELF;
        Monitor m = new Monitor(net, 0);
        for (int i = 1; i <= peers; i++) m.peerUp(SELF + i);
        return m;
    }

    /** A record of {@code cnt} members following {@code from}, all up, with the given len field and buffer size. */
    static byte[] record(int gen, int cnt, int lenField, int size, int from) {
        byte[] b = new byte[size];
        MonitorDomain d = new MonitorDomain().wrap(b, 0, size);
        d.setLen(lenField).setGen(gen).setAckGen(0).setMemberCnt(cnt).setUpMap(-1L);
        for (int i = 0; i < cnt && 16 + 4 * i + 4 <= size; i++) d.setMember(i, from + 1 + i);
        return b;
    }

    static Monitor.PeerView view(Monitor m, int addr) {
        return m.peers().stream().filter(p -> p.addr() == addr).findFirst().orElseThrow();
    }

    @Test
    void malformedRecordsAreRejectedAndCounted() {
        Monitor m = monitor(40);
        int peer = SELF + 3;
        Monitor.State st = new Monitor.State();
        byte[][] bad = {
            record(5, 65, 16 + 4 * 65, 16 + 4 * 65, peer), // member_cnt above MAX_MON_DOMAIN
            record(5, 0xffff, (16 + 4 * 0xffff) & 0xffff, 400, peer), // huge member_cnt, len wraps to 12
            record(5, 4, 16 + 4 * 5, 16 + 4 * 5, peer), // len does not match member_cnt
            record(5, 4, 16 + 4 * 4, 16 + 4 * 3, peer), // truncated: fewer bytes than len
            new byte[7], // shorter than the header
        };
        for (byte[] b : bad) m.rcv(b, 0, b.length, peer, st);
        assertThat(m.rejectedRecords()).isEqualTo(bad.length);
        assertThat(m.appliedRecords()).isZero();
        assertThat(view(m, peer).members()).isEmpty();
        assertThat(st.synched).isFalse();
        // a good record after them is applied
        byte[] good = record(5, 6, 16 + 4 * 6, 16 + 4 * 6, peer);
        m.rcv(good, 0, good.length, peer, st);
        assertThat(m.appliedRecords()).isEqualTo(1);
        assertThat(view(m, peer).applied()).isEqualTo(6);
    }

    @Test
    void hugeGenerationJumpsAreAppliedAsTheKernelDoesAndCounted() {
        Monitor m = monitor(40);
        int peer = SELF + 7;
        Monitor.State st = new Monitor.State();
        byte[] r = record(100, 6, 40, 40, peer);
        m.rcv(r, 0, r.length, peer, st);
        assertThat(st.peerGen).isEqualTo(100);
        // a peer back from below the activation threshold: its generation rose while it sent no records
        int gen = 100;
        // up to and including 0x8000 ahead (core.h more(): !less_eq, so exactly half the space counts as newer)
        for (int jump : new int[] {Monitor.MAX_GEN_JUMP + 1, 5000, 0x7fff, 0x8000}) {
            gen = (gen + jump) & 0xffff;
            byte[] j = record(gen, 5, 36, 36, peer);
            m.rcv(j, 0, j.length, peer, st);
            assertThat(st.peerGen).as("applied").isEqualTo(gen);
        }
        assertThat(m.genJumps()).isEqualTo(4);
        assertThat(m.rejectedRecords()).isZero();
        assertThat(view(m, peer).domainGen()).isEqualTo(gen);
        assertThat(view(m, peer).members()).hasSize(5);
        // an older generation after them is not applied
        byte[] old = record((gen - 10) & 0xffff, 6, 40, 40, peer);
        m.rcv(old, 0, old.length, peer, st);
        assertThat(st.peerGen).isEqualTo(gen);
        assertThat(view(m, peer).members()).hasSize(5);
    }

    @Test
    void aRecordWithBytesBeyondItsLenIsDroppedAs61Does() {
        Monitor m = monitor(40);
        int peer = SELF + 7;
        Monitor.State st = new Monitor.State();
        byte[] r = record(100, 6, 40, 44, peer); // 4 bytes more than len (dlen != len: tipc_mon_rcv drops it)
        m.rcv(r, 0, r.length, peer, st);
        assertThat(m.rejectedRecords()).isEqualTo(1);
        assertThat(m.appliedRecords()).isZero();
    }

    @Test
    void randomRecordsNeverThrowAndStoreAtMost64Members() {
        Monitor m = monitor(80);
        Random rnd = new Random(16);
        Monitor.State[] states = new Monitor.State[80];
        for (int i = 0; i < states.length; i++) states[i] = new Monitor.State();
        for (int k = 0; k < 50_000; k++) {
            int peerIdx = rnd.nextInt(80);
            byte[] b;
            if (rnd.nextBoolean()) {
                b = new byte[rnd.nextInt(400)];
                rnd.nextBytes(b);
            } else {
                int cnt = rnd.nextInt(70);
                b = record(rnd.nextInt(0x10000), cnt, 16 + 4 * cnt, 16 + 4 * cnt + rnd.nextInt(3), SELF + peerIdx + 1);
                if (rnd.nextInt(4) == 0) b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
            }
            m.rcv(b, 0, b.length, SELF + 1 + peerIdx, states[peerIdx]);
            if (k % 1000 == 0) m.peerDown(SELF + 1 + rnd.nextInt(80));
            if (k % 1000 == 500) m.peerUp(SELF + 1 + rnd.nextInt(80));
            m.getState(SELF + 1 + peerIdx, states[peerIdx]);
        }
        assertThat(m.rejectedRecords()).isPositive();
        assertThat(m.appliedRecords()).isPositive();
        for (Monitor.PeerView p : m.peers()) assertThat(p.members().length).isLessThanOrEqualTo(Monitor.MAX_DOMAIN);
        assertThat(m.peerCount()).isEqualTo(81);
    }

    @Test
    void aPeerSendingBrokenRecordsInAClusterIsCountedAndNoLinkFails() {
        int n = 34; // monitoring active above 32
        SimNetwork net = new SimNetwork(34);
        for (int i = 0; i < n; i++) net.addNode("hm" + i, i + 1, 0x3000 * (i + 1) + 5);
        List<SimNode> ns = net.nodes();
        for (int t = 0; t < 200 && !ns.stream().allMatch(s -> MonitorClusterTest.upLinks(s) == n - 1); t++) net.runFor(250);
        assertThat(ns).allMatch(s -> MonitorClusterTest.upLinks(s) == n - 1);
        SimNode bad = ns.get(9);
        TipcMsg h = new TipcMsg();
        // the hostile peer's STATE records get member_cnt 200 (len unchanged) and its gap-ACK record stays intact
        net.drop = (from, f) -> {
            if (from != bad) return false;
            h.wrap(f, 0, f.length);
            if (h.user() != Tipc.LINK_PROTOCOL || h.type() != Tipc.STATE_MSG || h.dataSize() < 4) return false;
            int off = h.dataOffset() + new GapAckBlocks().wrap(f, h.dataOffset(), h.dataSize()).len();
            if (off + 16 <= h.size()) new MonitorDomain().wrap(f, off, h.size() - off).setMemberCnt(200);
            return false;
        };
        net.runFor(20_000);
        long rejected = ns.stream().filter(s -> s != bad).mapToLong(s -> MonitorClusterTest.mon(s).rejectedRecords()).sum();
        assertThat(rejected).isPositive();
        assertThat(ns).allMatch(s -> MonitorClusterTest.upLinks(s) == n - 1);
        for (SimNode s : ns) assertThat(s.core.log()).noneMatch(l -> l.contains("internal error"));
    }
}
