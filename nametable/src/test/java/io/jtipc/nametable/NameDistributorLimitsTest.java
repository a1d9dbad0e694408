package io.jtipc.nametable;

import static io.jtipc.wire.Tipc.PUBLICATION;
import static io.jtipc.wire.Tipc.TIPC_CLUSTER_SCOPE;
import static io.jtipc.wire.Tipc.TIPC_NODE_SCOPE;
import static io.jtipc.wire.Tipc.WITHDRAWAL;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** Issue 15: bounds on the bindings peers (and this node) make the table hold, in count and bytes. */
class NameDistributorLimitsTest {
    static final int A = 0x1001;
    static final int B = 0x2002;
    static final int C = 0x3003;
    static final long BIG = 1L << 40;

    private final List<String> log = new ArrayList<>();
    private final NameDistributor d = new NameDistributor(new BindingTable(A), log::add);
    private final int[] seq = new int[0x10000];

    /** Sends a PUBLICATION (the first message from a peer is its last bulk) or WITHDRAWAL of keys [from, to) on {1000,1,1}. */
    private void send(int peer, int type, int from, int to) {
        List<PublicationItem> items = IntStream.range(from, to)
                .mapToObj(k -> new PublicationItem(1000, 1, 1, k, k)).toList();
        boolean first = !d.streamOpen(peer);
        // the last bulk carries the seqno of the next update
        int seqno = first ? seq[peer & 0xFFFF] : seq[peer & 0xFFFF]++;
        d.receive(peer, new DistrMessage(type, peer, first ? A : 0, first, first, true, seqno, first, items));
    }

    @Test
    void peerOverItsLimitIsDroppedCountedLoggedOnceAndCanStillWithdraw() {
        d.setLimits(new BindingLimits(100, BIG, 1000, BIG, 65535, BIG));
        BindingTable t = d.table();
        send(B, PUBLICATION, 0, 150);
        assertThat(t.size(B)).isEqualTo(100);
        assertThat(d.droppedOverLimit(B)).isEqualTo(50);
        assertThat(d.rejectedItems()).isZero();
        send(B, PUBLICATION, 150, 170);
        assertThat(d.droppedOverLimit(B)).isEqualTo(70);
        assertThat(d.droppedOverLimit()).isEqualTo(70);
        assertThat(log).singleElement().asString().contains("peer 2002", "limit of 100 bindings", "holds 100");
        // another peer is not affected
        send(C, PUBLICATION, 0, 10);
        assertThat(t.size(C)).isEqualTo(10);
        assertThat(d.droppedOverLimit(C)).isZero();
        // withdrawals still work; under the limit again, publications are accepted again, the episode goes on
        send(B, WITHDRAWAL, 0, 10);
        assertThat(t.size(B)).isEqualTo(90);
        send(B, PUBLICATION, 1000, 1020);
        assertThat(t.size(B)).isEqualTo(100);
        assertThat(d.droppedOverLimit(B)).isEqualTo(80);
        assertThat(log).hasSize(1);
        // back under 3/4 of the limit: the episode is over, the next flood is logged again
        send(B, WITHDRAWAL, 10, 40);
        assertThat(t.size(B)).isEqualTo(70);
        send(B, PUBLICATION, 2000, 2040);
        assertThat(log).hasSize(2);
        // node down withdraws what it holds, keeps its counter, and ends the episode
        assertThat(d.nodeDown(B, 0xFFFF)).hasSize(100);
        assertThat(t.size(B)).isZero();
        assertThat(d.droppedOverLimit(B)).isEqualTo(90);
        assertThat(t.publicationsOfNode(C)).hasSize(10);
    }

    @Test
    void allPeersTogetherAreBounded() {
        d.setLimits(new BindingLimits(100, BIG, 150, BIG, 65535, BIG));
        d.publish(5000, 1, 1, TIPC_CLUSTER_SCOPE, 1, 1); // own bindings do not count against peers
        send(B, PUBLICATION, 0, 100);
        send(C, PUBLICATION, 0, 100);
        assertThat(d.table().size(B)).isEqualTo(100);
        assertThat(d.table().size(C)).isEqualTo(50);
        assertThat(d.droppedOverLimit(B)).isZero();
        assertThat(d.droppedOverLimit(C)).isEqualTo(50);
        assertThat(log).singleElement().asString().contains("all peers", "150 bindings", "3003");
    }

    @Test
    void bytesAreBoundedAsWellAsCount() {
        BindingTable t = d.table();
        long limit = 10_000;
        d.setLimits(new BindingLimits(65535, limit, 1000, BIG, 65535, BIG));
        // every binding on a service of its own costs the most
        List<PublicationItem> items = IntStream.range(0, 40)
                .mapToObj(k -> new PublicationItem(7000 + k, 1, 1, k, k)).toList();
        d.receive(B, new DistrMessage(PUBLICATION, B, A, true, true, true, 0, true, items));
        long each = BindingTable.PUBLICATION_BYTES + BindingTable.RANGE_BYTES + BindingTable.SERVICE_BYTES
                + BindingTable.NODE_GROUP_BYTES;
        assertThat(t.size(B)).isEqualTo((int) (limit / each));
        assertThat(t.bytes(B)).isEqualTo(t.size(B) * each).isLessThanOrEqualTo(limit);
        assertThat(d.droppedOverLimit(B)).isEqualTo(40 - limit / each);
        // on one range a binding costs only itself
        d.nodeDown(B, 0xFFFF);
        assertThat(t.bytes(B)).isZero();
        assertThat(t.bytes()).isEqualTo(t.bytes(A));
        send(B, PUBLICATION, 0, 100);
        assertThat(t.size(B)).isEqualTo(1 + (int) ((limit - each) / BindingTable.PUBLICATION_BYTES));
    }

    @Test
    void localBindingsHaveTheirOwnLimitAndTellWhy() {
        d.setLimits(new BindingLimits(100, BIG, 1000, BIG, 10, BIG));
        for (int i = 0; i < 10; i++) {
            assertThat(d.publish(5000, i, i, TIPC_NODE_SCOPE, 1, i)).isNotNull();
            assertThat(d.lastPublishOverLimit()).isFalse();
        }
        assertThat(d.publish(5000, 9, 9, TIPC_NODE_SCOPE, 1, 9)).isNull(); // duplicate: not a limit
        assertThat(d.lastPublishOverLimit()).isFalse();
        assertThat(d.publish(5000, 10, 10, TIPC_NODE_SCOPE, 1, 10)).isNull();
        assertThat(d.lastPublishOverLimit()).isTrue();
        assertThat(d.publish(5000, 11, 11, TIPC_NODE_SCOPE, 1, 11)).isNull();
        assertThat(d.localOverLimit()).isEqualTo(2);
        assertThat(log).singleElement().asString().contains("local limit of 10 bindings");
        assertThat(d.withdraw(5000, 0, 0, 0)).isNotNull();
        assertThat(d.publish(5000, 10, 10, TIPC_NODE_SCOPE, 1, 10)).isNotNull();
        // in bytes too
        d.setLimits(new BindingLimits(100, BIG, 1000, BIG, 1000, d.table().bytes(A) + 100));
        assertThat(d.publish(5000, 20, 20, TIPC_NODE_SCOPE, 1, 20)).isNull();
        assertThat(d.lastPublishOverLimit()).isTrue();
    }

    @Test
    void defaultsLetAKernelNodesMaximumIn() {
        BindingTable t = d.table();
        // TIPC_MAX_PUBL bindings, each on a range of its own, from one peer: all accepted
        List<PublicationItem> items = IntStream.range(0, NameDistributor.TIPC_MAX_PUBL)
                .mapToObj(k -> new PublicationItem(1000, k, k, k, k)).toList();
        d.receive(B, new DistrMessage(PUBLICATION, B, A, true, true, true, 0, true, items));
        assertThat(t.size(B)).isEqualTo(NameDistributor.TIPC_MAX_PUBL);
        assertThat(d.droppedOverLimit(B)).isZero();
        d.receive(B, new DistrMessage(PUBLICATION, B, 0, false, false, true, 0, false,
                List.of(new PublicationItem(1001, 1, 1, 1, 1))));
        assertThat(d.droppedOverLimit(B)).isEqualTo(1);
    }
}
