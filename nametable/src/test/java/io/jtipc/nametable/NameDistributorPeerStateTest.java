package io.jtipc.nametable;

import static io.jtipc.wire.Tipc.PUBLICATION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.jtipc.wire.Tipc;

/** Receive state is keyed by the delivering link peer, bounded, and cleared by nodeDown. */
class NameDistributorPeerStateTest {
    static final int A = 0x1d1d1248;
    static final int B = 0x0d030c48;
    static final int C = 0x01001001;

    static DistrMessage upd(int orig, int seqno, int type, int inst) {
        return new DistrMessage(PUBLICATION, orig, 0, false, false, true, seqno, false,
                List.of(new PublicationItem(type, inst, inst, 100 + inst, 200 + inst)));
    }

    static DistrMessage lastBulk(int orig, int seqno) {
        return new DistrMessage(PUBLICATION, orig, B, true, true, true, seqno, true, List.of());
    }

    @Test
    void forgedOriginatingNodesCreateNoState() {
        BindingTable t = new BindingTable(B);
        NameDistributor r = new NameDistributor(t);
        // peer A's link delivers messages claiming 1000 other originating nodes
        for (int i = 0; i < 1000; i++) {
            assertThat(r.receive(A, upd(0x7000_0000 + i, 0, 3000, i))).isZero();
        }
        assertThat(r.peersWithState()).isZero();
        assertThat(r.foreignOrigin()).isEqualTo(1000);
        assertThat(r.deferred(0x7000_0000)).isZero();
        assertThat(t.size()).isZero();
        // a forged bulk in another node's name publishes nothing either
        assertThat(r.receive(A, new DistrMessage(PUBLICATION, C, B, true, true, true, 0, true,
                List.of(new PublicationItem(3001, 1, 1, 5, 6))))).isZero();
        assertThat(t.publicationsOfNode(C)).isEmpty();
        // A's own messages are accepted
        assertThat(r.receive(A, lastBulk(A, 5))).isEqualTo(1);
        assertThat(r.receive(A, upd(A, 5, 3000, 1))).isEqualTo(1);
        assertThat(t.publicationsOfNode(A)).hasSize(1);
        assertThat(r.peersWithState()).isEqualTo(1);
    }

    @Test
    void deferredQueueIsCapped() {
        NameDistributor r = new NameDistributor(new BindingTable(B));
        assertThat(r.maxDeferred()).isEqualTo(NameDistributor.DEFAULT_MAX_DEFERRED);
        r.setMaxDeferred(16);
        // non-legacy updates with no last bulk: all held back, only 16 kept
        for (int i = 0; i < 100; i++) {
            r.receive(A, upd(A, i, 3000, i));
        }
        assertThat(r.deferred(A)).isEqualTo(16);
        assertThat(r.droppedOverflow()).isEqualTo(84);
        // the last bulk releases the ones kept (seqno 0..15)
        assertThat(r.receive(A, lastBulk(A, 0))).isEqualTo(17);
        assertThat(r.deferred(A)).isZero();
        assertThat(r.table().publicationsOfNode(A)).hasSize(16);
        assertThatThrownBy(() -> r.setMaxDeferred(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nodeDownClearsEverythingFromThatPeer() {
        BindingTable t = new BindingTable(B);
        NameDistributor r = new NameDistributor(t);
        r.nodeUp(A, Tipc.TIPC_NAMED_BCAST, 1500);
        r.nodeUp(C, Tipc.TIPC_NAMED_BCAST, 1500);
        r.receive(A, lastBulk(A, 0));
        r.receive(A, upd(A, 0, 3000, 1));
        r.receive(A, upd(A, 5, 3000, 2)); // held: waits for seqno 1..4
        r.receive(C, upd(C, 0, 3000, 3)); // C: no last bulk yet, held
        r.receive(C, lastBulk(C, 0));
        assertThat(t.publicationsOfNode(A)).hasSize(1);
        assertThat(t.publicationsOfNode(C)).hasSize(1);
        assertThat(r.deferred(A)).isEqualTo(1);
        // a forged-origin message from C's link is not held anywhere
        r.receive(C, upd(A, 1, 3000, 9));
        assertThat(r.deferred(A)).isEqualTo(1);

        assertThat(r.nodeDown(A, Tipc.TIPC_NAMED_BCAST)).hasSize(1);
        assertThat(r.deferred(A)).isZero();
        assertThat(t.publicationsOfNode(A)).isEmpty();
        assertThat(t.publicationsOfNode(C)).hasSize(1);
        // a peer that never opened its stream leaves no state behind
        r.receive(A, upd(A, 7, 3000, 4));
        r.nodeDown(A, Tipc.TIPC_NAMED_BCAST);
        assertThat(r.deferred(A)).isZero();
    }

    @Test
    void nodeDeletedForgetsTheReceiveStateNodeDownKeeps() {
        BindingTable t = new BindingTable(B);
        NameDistributor r = new NameDistributor(t);
        r.setLimits(new BindingLimits(1, 1 << 20, 100, 1 << 20, 100, 1 << 20));
        // 100 addresses link, open their stream, one over its binding limit, then go down
        for (int i = 1; i <= 100; i++) {
            int peer = 0x01001000 + i;
            r.nodeUp(peer, Tipc.TIPC_NAMED_BCAST, 1500);
            r.receive(peer, lastBulk(peer, 0));
            r.receive(peer, upd(peer, 0, 3000, i));
            r.receive(peer, upd(peer, 1, 3000, 1000 + i)); // over the per-peer limit of 1
            r.receive(peer, upd(peer, 5, 3000, 2000 + i)); // held back
            r.nodeDown(peer, Tipc.TIPC_NAMED_BCAST);
        }
        assertThat(r.peersWithState()).isEqualTo(100);
        assertThat(r.droppedOverLimit(0x01001001)).isEqualTo(1);
        assertThat(r.deferredTotal()).isZero();
        for (int i = 1; i <= 100; i++) {
            r.nodeDeleted(0x01001000 + i);
        }
        assertThat(r.peersWithState()).isZero();
        assertThat(r.streamOpen(0x01001001)).isFalse();
        // deleting a node with held messages refunds them
        r.receive(A, upd(A, 3, 3000, 1));
        assertThat(r.deferredTotal()).isEqualTo(1);
        r.nodeDeleted(A);
        assertThat(r.deferredTotal()).isZero();
        assertThat(r.deferredBytesTotal()).isZero();
        r.nodeDeleted(C); // unknown: nothing
    }
}
