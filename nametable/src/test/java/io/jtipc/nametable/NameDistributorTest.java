package io.jtipc.nametable;

import static io.jtipc.wire.Tipc.PUBLICATION;
import static io.jtipc.wire.Tipc.TIPC_CLUSTER_SCOPE;
import static io.jtipc.wire.Tipc.TIPC_NAMED_BCAST;
import static io.jtipc.wire.Tipc.TIPC_NODE_SCOPE;
import static io.jtipc.wire.Tipc.WITHDRAWAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcSubscr;

class NameDistributorTest {
    static final int A = 0x1d1d1248;
    static final int B = 0x0d030c48;

    @Test
    void clusterPublishProducesSequencedUpdateNodeScopeStaysLocal() {
        NameDistributor d = new NameDistributor(new BindingTable(A));
        Publication p = d.publish(1000, 1, 1, TIPC_CLUSTER_SCOPE, 77, 78);
        assertThat(p.node()).isEqualTo(A);
        assertThat(d.publish(1001, 1, 1, TIPC_NODE_SCOPE, 79, 80)).isNotNull();
        assertThat(d.publish(1002, 1, 1, Tipc.TIPC_ZONE_SCOPE, 81, 82).scope()).isEqualTo(TIPC_CLUSTER_SCOPE);
        List<DistrMessage> out = d.drainOutgoing();
        assertThat(out).hasSize(2);
        DistrMessage m = out.get(0);
        assertThat(m.msgType()).isEqualTo(PUBLICATION);
        assertThat(m.origNode()).isEqualTo(A);
        assertThat(m.destNode()).isZero();
        assertThat(m.nonLegacy()).isTrue();
        assertThat(m.bulk()).isFalse();
        assertThat(m.lastBulk()).isFalse();
        assertThat(m.namedSeqno()).isZero();
        assertThat(m.items()).containsExactly(new PublicationItem(1000, 1, 1, 77, 78));
        assertThat(out.get(1).namedSeqno()).isEqualTo(1);

        assertThat(d.withdraw(1001, 1, 1, 80)).isNotNull();
        assertThat(d.pollOutgoing()).isNull(); // node scope: no message
        assertThat(d.withdraw(1000, 1, 1, 78)).isNotNull();
        DistrMessage w = d.pollOutgoing();
        assertThat(w.msgType()).isEqualTo(WITHDRAWAL);
        assertThat(w.namedSeqno()).isEqualTo(2);
        assertThat(d.withdraw(1000, 1, 1, 78)).isNull();
        assertThat(d.pollOutgoing()).isNull();
        assertThat(d.sndNxt()).isEqualTo(3);
        assertThat(d.localPublicationCount()).isEqualTo(1);
    }

    @Test
    void localPublicationLimit() {
        NameDistributor d = new NameDistributor(new BindingTable(A));
        for (int i = 0; i < NameDistributor.TIPC_MAX_PUBL; i++) {
            assertThat(d.publish(5000, i, i, TIPC_NODE_SCOPE, 1, i)).isNotNull();
        }
        assertThat(d.publish(5000, -1, -1, TIPC_NODE_SCOPE, 1, -1)).isNull();
        d.withdraw(5000, 0, 0, 0);
        assertThat(d.publish(5000, -1, -1, TIPC_NODE_SCOPE, 1, -1)).isNotNull();
    }

    @Test
    void bulkIsSplitByMssAndOnlyTheLastMessageCarriesSeqno() {
        NameDistributor d = new NameDistributor(new BindingTable(A));
        for (int i = 0; i < 150; i++) {
            d.publish(6000, i, i, TIPC_CLUSTER_SCOPE, 100 + i, 1000 + i);
        }
        d.publish(6001, 1, 1, TIPC_NODE_SCOPE, 1, 1);
        d.drainOutgoing();
        d.nodeUp(B, 0xFFFF, 1460);
        List<DistrMessage> bulk = d.drainOutgoing();
        assertThat(bulk).extracting(m -> m.items().size()).containsExactly(71, 71, 8);
        assertThat(bulk).allSatisfy(m -> {
            assertThat(m.bulk()).isTrue();
            assertThat(m.nonLegacy()).isTrue();
            assertThat(m.bcAckInvalid()).isTrue();
            assertThat(m.destNode()).isEqualTo(B);
            assertThat(m.msgType()).isEqualTo(PUBLICATION);
        });
        assertThat(bulk).extracting(DistrMessage::lastBulk).containsExactly(false, false, true);
        assertThat(bulk).extracting(DistrMessage::namedSeqno).containsExactly(0, 0, 150);
        assertThat(bulk.get(0).items().get(0)).isEqualTo(new PublicationItem(6000, 0, 0, 100, 1000));
        assertThat(bulk.get(2).items().get(7)).isEqualTo(new PublicationItem(6000, 149, 149, 249, 1149));
        assertThat(d.broadcastUpdates()).isTrue();
        d.nodeUp(0x77, 0, 60);
        assertThat(d.drainOutgoing()).hasSize(150);
        assertThat(d.rcDests()).isEqualTo(1);
        assertThat(d.broadcastUpdates()).isFalse();
        d.nodeDown(0x77, 0);
        assertThat(d.rcDests()).isZero();
        // a link MSS below one item's message (a small MTU with the encryption overhead): one item per message
        d.nodeUp(0x78, 0, 28);
        assertThat(d.drainOutgoing()).hasSize(150).allSatisfy(m -> assertThat(m.items()).hasSize(1));
        d.nodeDown(0x78, 0);
    }

    @Test
    void emptyBulkStillOpensThePeerStream() {
        NameDistributor d = new NameDistributor(new BindingTable(A));
        d.nodeUp(B, TIPC_NAMED_BCAST, 1500);
        DistrMessage m = d.pollOutgoing();
        assertThat(m.lastBulk()).isTrue();
        assertThat(m.items()).isEmpty();
        NameDistributor r = new NameDistributor(new BindingTable(B));
        r.receive(m);
        assertThat(r.streamOpen(A)).isTrue();
    }

    static DistrMessage upd(int type, int seqno, PublicationItem item) {
        return new DistrMessage(type, A, 0, false, false, true, seqno, false, List.of(item));
    }

    static DistrMessage lastBulk(int seqno, PublicationItem... items) {
        return new DistrMessage(PUBLICATION, A, B, true, true, true, seqno, true, List.of(items));
    }

    @Test
    void updatesAreHeldUntilTheLastBulkThenAppliedInSeqnoOrder() {
        BindingTable t = new BindingTable(B);
        List<BindingChange> changes = new ArrayList<>();
        t.addListener(changes::add);
        NameDistributor r = new NameDistributor(t);
        PublicationItem x = new PublicationItem(1000, 1, 1, 10, 11);
        PublicationItem y = new PublicationItem(2000, 1, 1, 20, 21);
        PublicationItem z = new PublicationItem(3000, 1, 1, 30, 31);
        // broadcast updates overtake the unicast bulk
        assertThat(r.receive(upd(PUBLICATION, 7, z))).isZero();
        assertThat(r.receive(upd(PUBLICATION, 6, y))).isZero();
        assertThat(r.deferred(A)).isEqualTo(2);
        assertThat(t.size()).isZero();
        assertThat(r.receive(lastBulk(5, new PublicationItem(0, A, A, 0, A)))).isEqualTo(1);
        assertThat(r.streamOpen(A)).isTrue();
        assertThat(r.rcvNxt(A)).isEqualTo(5);
        assertThat(r.receive(upd(PUBLICATION, 5, x))).isEqualTo(3);
        assertThat(changes).extracting(c -> c.publication().type()).containsExactly(0, 1000, 2000, 3000);
        assertThat(r.rcvNxt(A)).isEqualTo(8);
        assertThat(r.deferred(A)).isZero();
        // a replayed old seqno is dropped
        assertThat(r.receive(upd(WITHDRAWAL, 6, y))).isZero();
        assertThat(r.droppedStale()).isEqualTo(1);
        assertThat(t.size()).isEqualTo(4);
        assertThat(t.publications()).allSatisfy(p -> {
            assertThat(p.node()).isEqualTo(A);
            assertThat(p.scope()).isEqualTo(TIPC_CLUSTER_SCOPE);
        });
    }

    @Test
    void withdrawalOvertakingItsPublicationIsReordered() {
        BindingTable t = new BindingTable(B);
        NameDistributor r = new NameDistributor(t);
        r.receive(lastBulk(100));
        PublicationItem x = new PublicationItem(1000, 1, 1, 10, 11);
        r.receive(upd(WITHDRAWAL, 101, x));
        assertThat(r.deferred(A)).isEqualTo(1);
        r.receive(upd(PUBLICATION, 100, x));
        assertThat(t.size()).isZero();
        assertThat(t.changeCount()).isEqualTo(2);
        assertThat(r.rejectedItems()).isZero();
    }

    @Test
    void seqnoWrapsAt16Bits() {
        BindingTable t = new BindingTable(B);
        NameDistributor r = new NameDistributor(t);
        r.receive(lastBulk(0xFFFF));
        r.receive(upd(PUBLICATION, 0, new PublicationItem(1, 2, 2, 2, 2)));
        r.receive(upd(PUBLICATION, 0xFFFF, new PublicationItem(1, 1, 1, 1, 1)));
        assertThat(t.size()).isEqualTo(2);
        assertThat(r.rcvNxt(A)).isEqualTo(1);
        assertThat(NameDistributor.less(0xFFFF, 0)).isTrue();
        assertThat(NameDistributor.less(0, 0xFFFF)).isFalse();
        assertThat(NameDistributor.less(5, 5)).isFalse();
    }

    @Test
    void legacyMessagesAreAppliedAtOnce() {
        BindingTable t = new BindingTable(B);
        NameDistributor r = new NameDistributor(t);
        r.receive(new DistrMessage(PUBLICATION, A, B, false, false, false, 0, false,
                List.of(new PublicationItem(1000, 5, 6, 1, 2), new PublicationItem(1000, 9, 8, 1, 3))));
        assertThat(t.size()).isEqualTo(1);
        assertThat(r.rejectedItems()).isEqualTo(1); // lower > upper
        assertThat(r.streamOpen(A)).isFalse();
    }

    @Test
    void nodeDownWithdrawsEverythingAndDropsQueuedUpdates() {
        BindingTable t = new BindingTable(B);
        TopologySubscriptions top = new TopologySubscriptions(t);
        List<SubscriptionEvent> ev = new ArrayList<>();
        top.subscribe(TipcSubscr.TIPC_SUB_PORTS, 1000, 0, 5000, TipcSubscr.TIPC_WAIT_FOREVER, 0, ev::add);
        NameDistributor r = new NameDistributor(t);
        t.insert(1000, 1, 1, TIPC_CLUSTER_SCOPE, 5, B, 5);
        r.receive(lastBulk(3, new PublicationItem(1000, 1, 1, 10, 11), new PublicationItem(1000, 2, 2, 12, 13),
                new PublicationItem(0, A, A, 0, A)));
        r.receive(upd(PUBLICATION, 9, new PublicationItem(1000, 3, 3, 14, 15)));
        List<Publication> removed = r.nodeDown(A, TIPC_NAMED_BCAST);
        assertThat(removed).extracting(Publication::port).containsExactly(10, 12, 0);
        assertThat(r.deferred(A)).isZero();
        assertThat(t.publications()).extracting(Publication::node).containsExactly(B);
        assertThat(ev).extracting(SubscriptionEvent::event)
                .containsExactly(1, 1, 1, 2, 2);
        assertThat(ev.get(3).port()).isEqualTo(10);
        assertThat(ev.get(4).port()).isEqualTo(12);
    }

    /** The event node B printed in the capture for its {1000,0,5000} SUB_PORTS subscription. */
    @Test
    void bulkFromServerNodeYieldsTheEventSeenInTheCapture() {
        int srv = 488444488;
        int cli = 218303816;
        BindingTable t = new BindingTable(cli);
        TopologySubscriptions top = new TopologySubscriptions(t);
        List<SubscriptionEvent> ev = new ArrayList<>();
        top.subscribe(TipcSubscr.TIPC_SUB_PORTS, 1000, 0, 5000, TipcSubscr.TIPC_WAIT_FOREVER, 0, ev::add);
        NameDistributor r = new NameDistributor(t);
        r.receive(new DistrMessage(PUBLICATION, srv, cli, true, true, true, 0, true,
                List.of(new PublicationItem(0, srv, srv, 0, srv), new PublicationItem(1000, 1, 1, 1604773177, 1604773178))));
        assertThat(ev).hasSize(1);
        SubscriptionEvent e = ev.get(0);
        assertThat(String.format("EVENT published %d %d-%d port %d node %x", e.subscription().type(), e.foundLower(),
                e.foundUpper(), e.port(), e.node())).isEqualTo("EVENT published 1000 1-1 port 1604773177 node 1d1d1248");
    }

    @Test
    void twoNodesConvergeThroughBulkAndIncrementalUpdates() {
        NameDistributor a = new NameDistributor(new BindingTable(A));
        NameDistributor b = new NameDistributor(new BindingTable(B));
        a.publish(0, A, A, TIPC_CLUSTER_SCOPE, 0, A);
        b.publish(0, B, B, TIPC_CLUSTER_SCOPE, 0, B);
        a.publish(1000, 1, 10, TIPC_CLUSTER_SCOPE, 1, 2);
        a.publish(1001, 1, 1, TIPC_NODE_SCOPE, 3, 4);
        a.drainOutgoing();
        b.drainOutgoing();
        a.nodeUp(B, 0xFFFF, 1460);
        b.nodeUp(A, 0xFFFF, 1460);
        a.publish(1000, 11, 20, TIPC_CLUSTER_SCOPE, 5, 6); // update queued after the bulk
        for (DistrMessage m : a.drainOutgoing()) {
            b.receive(m);
        }
        for (DistrMessage m : b.drainOutgoing()) {
            a.receive(m);
        }
        assertThat(b.table().publicationsOfNode(A)).extracting(Publication::type).containsExactly(0, 1000, 1000);
        assertThat(a.table().publicationsOfNode(B)).extracting(Publication::type).containsExactly(0);
        a.withdraw(1000, 1, 10, 2);
        b.receive(a.pollOutgoing());
        assertThat(b.table().lookupAnycast(1000, 5, 0)).isNull();
        assertThat(b.table().lookupAnycast(1000, 15, 0)).isEqualTo(new SocketAddr(5, A));
    }

    @Test
    void nodeAndLinkStateBindings() {
        BindingTable t = new BindingTable(B);
        NameDistributor d = new NameDistributor(t);
        List<SubscriptionEvent> linkEvents = new ArrayList<>();
        new TopologySubscriptions(t).subscribe(TipcSubscr.TIPC_SUB_PORTS, Tipc.TIPC_LINK_STATE, 0, -1,
                TipcSubscr.TIPC_WAIT_FOREVER, 0, linkEvents::add);
        Publication ns = d.publishNodeState();
        assertThat(ns).isEqualTo(new Publication(0, B, B, TIPC_CLUSTER_SCOPE, 0, B, B, 0));
        assertThat(d.pollOutgoing().items()).containsExactly(new PublicationItem(0, B, B, 0, B));
        d.linkUp(A, 0x10000);
        assertThat(d.pollOutgoing()).isNull(); // node scope: never distributed
        d.linkDown(A, 0x10000);
        assertThat(linkEvents).extracting(SubscriptionEvent::event).containsExactly(1, 2);
        assertThat(linkEvents.get(0).port()).isEqualTo(0x10000);
        assertThat(linkEvents.get(0).foundLower()).isEqualTo(A);
        assertThat(linkEvents.get(0).node()).isEqualTo(B);
    }

    @Test
    void itemCodecIsBigEndian20Bytes() {
        PublicationItem i = new PublicationItem(1000, 1, 0xFFFFFFFF, 1604773177, 0x01020304);
        byte[] b = PublicationItem.encodeAll(List.of(i, i));
        assertThat(b).hasSize(40);
        assertThat(HexFormat.of().formatHex(b, 0, 20)).isEqualTo("000003e800000001ffffffff5fa6e53901020304");
        byte[] withTail = new byte[45];
        System.arraycopy(b, 0, withTail, 0, 40);
        assertThat(PublicationItem.decodeAll(withTail, 0, 45)).containsExactly(i, i);
        assertThat(PublicationItem.decodeAll(withTail, 0, 19)).isEmpty();
        assertThatThrownBy(() -> PublicationItem.decode(b, 25)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
