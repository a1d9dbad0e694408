package io.jtipc.nametable;

import static io.jtipc.wire.Tipc.TIPC_CLUSTER_SCOPE;
import static io.jtipc.wire.Tipc.TIPC_NODE_SCOPE;
import static io.jtipc.wire.TipcEvent.TIPC_PUBLISHED;
import static io.jtipc.wire.TipcEvent.TIPC_SUBSCR_TIMEOUT;
import static io.jtipc.wire.TipcEvent.TIPC_WITHDRAWN;
import static io.jtipc.wire.TipcSubscr.TIPC_SUB_CANCEL;
import static io.jtipc.wire.TipcSubscr.TIPC_SUB_PORTS;
import static io.jtipc.wire.TipcSubscr.TIPC_SUB_SERVICE;
import static io.jtipc.wire.TipcSubscr.TIPC_WAIT_FOREVER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

class TopologySubscriptionsTest {
    static final int SELF = 0x1001;
    static final int N2 = 0x2002;

    final BindingTable t = new BindingTable(SELF);
    final TopologySubscriptions top = new TopologySubscriptions(t);
    final List<SubscriptionEvent> ports = new ArrayList<>();
    final List<SubscriptionEvent> service = new ArrayList<>();

    static String ev(SubscriptionEvent e) {
        return e.event() + ":" + e.foundLower() + "-" + e.foundUpper() + ":" + e.port() + "@" + Integer.toHexString(e.node());
    }

    @Test
    void portsReportsEveryBindingServiceOnlyFirstAndLastOfEachRange() {
        top.subscribe(TIPC_SUB_PORTS, 1000, 0, 5000, TIPC_WAIT_FOREVER, 0, ports::add);
        top.subscribe(TIPC_SUB_SERVICE, 1000, 0, 5000, TIPC_WAIT_FOREVER, 0, service::add);
        t.insert(1000, 1, 1, TIPC_CLUSTER_SCOPE, 10, SELF, 1);
        t.insert(1000, 1, 1, TIPC_CLUSTER_SCOPE, 11, N2, 2);
        t.insert(1000, 6000, 7000, TIPC_CLUSTER_SCOPE, 12, N2, 3); // outside
        t.insert(1000, 4000, 9000, TIPC_CLUSTER_SCOPE, 13, N2, 4); // overlaps: reported with its own (unclipped) range
        t.insert(1001, 1, 1, TIPC_CLUSTER_SCOPE, 14, N2, 5);       // other type
        t.remove(1000, 1, 1, SELF, 1);
        t.remove(1000, 1, 1, N2, 2);
        assertThat(ports).extracting(TopologySubscriptionsTest::ev).containsExactly(
                "1:1-1:10@1001", "1:1-1:11@2002", "1:4000-9000:13@2002", "2:1-1:10@1001", "2:1-1:11@2002");
        assertThat(service).extracting(TopologySubscriptionsTest::ev).containsExactly(
                "1:1-1:10@1001", "1:4000-9000:13@2002", "2:1-1:11@2002");
    }

    @Test
    void serviceReportsEachOverlappingExactRange() {
        top.subscribe(TIPC_SUB_SERVICE, 50, 0, 100, TIPC_WAIT_FOREVER, 0, service::add);
        t.insert(50, 1, 10, TIPC_CLUSTER_SCOPE, 1, SELF, 1);
        t.insert(50, 5, 15, TIPC_CLUSTER_SCOPE, 2, SELF, 2);
        t.insert(50, 1, 10, TIPC_CLUSTER_SCOPE, 3, SELF, 3);
        t.remove(50, 1, 10, SELF, 1);
        t.remove(50, 5, 15, SELF, 2);
        assertThat(service).extracting(TopologySubscriptionsTest::ev)
                .containsExactly("1:1-10:1@1001", "1:5-15:2@1001", "2:5-15:2@1001");
    }

    @Test
    void replayIsSortedByAgeServicePicksTheOldestOfEachRange() {
        t.insert(60, 20, 20, TIPC_CLUSTER_SCOPE, 1, N2, 1);
        t.insert(60, 10, 10, TIPC_CLUSTER_SCOPE, 2, N2, 2);
        t.insert(60, 20, 20, TIPC_CLUSTER_SCOPE, 3, SELF, 3);
        t.insert(60, 10, 10, TIPC_CLUSTER_SCOPE, 4, SELF, 4);
        t.lookupAnycast(60, 20, 0); // rotation does not change age
        top.subscribe(TIPC_SUB_PORTS, 60, 0, 100, TIPC_WAIT_FOREVER, 0, ports::add);
        top.subscribe(TIPC_SUB_SERVICE, 60, 0, 100, TIPC_WAIT_FOREVER, 0, service::add);
        assertThat(ports).extracting(SubscriptionEvent::port).containsExactly(1, 2, 3, 4);
        assertThat(ports).extracting(SubscriptionEvent::event).containsOnly(TIPC_PUBLISHED);
        assertThat(service).extracting(SubscriptionEvent::port).containsExactly(1, 2);
    }

    @Test
    void noStatusSkipsReplayAndScopeBitsFilter() {
        t.insert(70, 1, 1, TIPC_NODE_SCOPE, 1, SELF, 1);
        t.insert(70, 2, 2, TIPC_CLUSTER_SCOPE, 2, SELF, 2);
        top.subscribe(TIPC_SUB_PORTS | Subscription.TIPC_SUB_NO_STATUS, 70, 0, 10, TIPC_WAIT_FOREVER, 0, ports::add);
        assertThat(ports).isEmpty();
        List<SubscriptionEvent> nodeOnly = new ArrayList<>();
        List<SubscriptionEvent> clusterOnly = new ArrayList<>();
        top.subscribe(TIPC_SUB_PORTS | Subscription.TIPC_SUB_NODE_SCOPE, 70, 0, 10, TIPC_WAIT_FOREVER, 0, nodeOnly::add);
        top.subscribe(TIPC_SUB_PORTS | Subscription.TIPC_SUB_CLUSTER_SCOPE, 70, 0, 10, TIPC_WAIT_FOREVER, 0, clusterOnly::add);
        assertThat(nodeOnly).extracting(SubscriptionEvent::port).containsExactly(1);
        assertThat(clusterOnly).extracting(SubscriptionEvent::port).containsExactly(2);
        t.insert(70, 3, 3, TIPC_NODE_SCOPE, 3, SELF, 3);
        assertThat(ports).extracting(SubscriptionEvent::port).containsExactly(3);
        assertThat(nodeOnly).extracting(SubscriptionEvent::port).containsExactly(1, 3);
        assertThat(clusterOnly).extracting(SubscriptionEvent::port).containsExactly(2);
    }

    @Test
    void illegalRequestsAreRejected() {
        assertThat(top.subscribe(TIPC_SUB_PORTS | TIPC_SUB_SERVICE, 1, 0, 1, TIPC_WAIT_FOREVER, 0, ports::add)).isNull();
        assertThat(top.subscribe(TIPC_SUB_PORTS, 1, 5, 4, TIPC_WAIT_FOREVER, 0, ports::add)).isNull();
        // neither bit: accepted, behaves as TIPC_SUB_SERVICE ("must" events only)
        assertThat(top.subscribe(0, 1000, 0, 10, TIPC_WAIT_FOREVER, 0, service::add)).isNotNull();
        t.insert(1000, 1, 1, TIPC_CLUSTER_SCOPE, 1, SELF, 1);
        t.insert(1000, 1, 1, TIPC_CLUSTER_SCOPE, 2, SELF, 2);
        assertThat(service).hasSize(1);
        TopologySubscriptions.Connection c = top.connect(ports::add);
        assertThat(c.receive(SubscriptionRequest.of(1, 5, 4, TIPC_WAIT_FOREVER, TIPC_SUB_PORTS, 0), 0)).isFalse();
        assertThat(top.count()).isEqualTo(1);
    }

    @Test
    void timeoutFiresOnceWithTheSubscribedRangeThenDeletes() {
        t.insert(80, 5, 5, TIPC_CLUSTER_SCOPE, 1, SELF, 1);
        Subscription s = top.subscribe(TIPC_SUB_PORTS, 80, 0, 10, 1000, 5_000, ports::add);
        top.subscribe(TIPC_SUB_PORTS, 80, 0, 10, TIPC_WAIT_FOREVER, 5_000, service::add);
        assertThat(s.deadline()).isEqualTo(6_000);
        assertThat(top.nextDeadline()).isEqualTo(6_000);
        assertThat(top.onTimer(5_999)).isZero();
        assertThat(top.onTimer(6_000)).isEqualTo(1);
        assertThat(ports).extracting(TopologySubscriptionsTest::ev).containsExactly("1:5-5:1@1001", "3:0-10:0@0");
        assertThat(s.inactive()).isTrue();
        assertThat(s.deleted()).isTrue();
        assertThat(top.count()).isEqualTo(1);
        assertThat(top.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        t.insert(80, 6, 6, TIPC_CLUSTER_SCOPE, 2, SELF, 2);
        assertThat(ports).hasSize(2);
        assertThat(service).hasSize(2);
    }

    @Test
    void timeoutIsUnsignedAndZeroFiresAtOnce() {
        Subscription big = top.subscribe(TIPC_SUB_PORTS, 81, 0, 10, 0xFFFFFFFE, 0, ports::add);
        assertThat(big.deadline()).isEqualTo(0xFFFFFFFEL);
        top.subscribe(TIPC_SUB_SERVICE, 81, 0, 10, 0, 100, service::add);
        assertThat(top.nextDeadline()).isEqualTo(100);
        top.onTimer(100);
        assertThat(service).extracting(SubscriptionEvent::event).containsExactly(TIPC_SUBSCR_TIMEOUT);
    }

    /**
     * topsrv.c tipc_conn_delete_sub: a cancel deletes the first subscription (newest) equal byte for byte, one per
     * cancel; twins need one cancel each.
     */
    @Test
    void aCancelDeletesOneOfTwinSubscriptions() {
        TopologySubscriptions.Connection c = top.connect(ports::add);
        SubscriptionRequest req = SubscriptionRequest.of(91, 0, 10, TIPC_WAIT_FOREVER, TIPC_SUB_PORTS, 5);
        assertThat(c.receive(req, 0)).isTrue();
        assertThat(c.receive(req, 0)).isTrue();
        Subscription older = c.subscriptions().get(1);
        assertThat(c.receive(req.withFilter(TIPC_SUB_PORTS | TIPC_SUB_CANCEL), 0)).isTrue();
        assertThat(c.subscriptions()).containsExactly(older);
        t.insert(91, 1, 1, TIPC_CLUSTER_SCOPE, 1, SELF, 1);
        assertThat(ports).hasSize(1);
        assertThat(c.receive(req.withFilter(TIPC_SUB_PORTS | TIPC_SUB_CANCEL), 0)).isTrue();
        assertThat(c.subscriptions()).isEmpty();
    }

    /**
     * The kernel compares the 28 bytes as received (memcmp), after clearing the cancel bit in the cancel's own byte
     * order: a subscription with filter 0 (no order bit: read as the other byte order) sent in host order is
     * cancelled by the same bytes with filter 4 (read in host order), although the two decode in different orders.
     */
    @Test
    void aCancelMatchesTheBytesAsReceivedWhateverOrderTheyDecodeIn() {
        java.nio.ByteOrder host = java.nio.ByteOrder.LITTLE_ENDIAN;
        java.nio.ByteBuffer raw = java.nio.ByteBuffer.allocate(SubscriptionRequest.SIZE).order(host);
        raw.putInt(92).putInt(0).putInt(10).putInt(TIPC_WAIT_FOREVER).putInt(0).putLong(3);
        SubscriptionRequest sub = SubscriptionRequest.decode(raw.array(), 0, host);
        assertThat(sub.order()).isEqualTo(java.nio.ByteOrder.BIG_ENDIAN);
        raw.putInt(16, TIPC_SUB_CANCEL);
        SubscriptionRequest cancel = SubscriptionRequest.decode(raw.array(), 0, host);
        assertThat(cancel.order()).isEqualTo(host);
        TopologySubscriptions.Connection c = top.connect(service::add);
        assertThat(c.receive(sub, 0)).isTrue();
        assertThat(c.subscriptions()).hasSize(1);
        assertThat(c.receive(cancel, 0)).isTrue();
        assertThat(c.subscriptions()).isEmpty();
    }

    @Test
    void cancelDeletesTheIdenticalSubscriptionOfThatConnection() {
        TopologySubscriptions.Connection c1 = top.connect(ports::add);
        TopologySubscriptions.Connection c2 = top.connect(service::add);
        SubscriptionRequest req = SubscriptionRequest.of(90, 0, 10, TIPC_WAIT_FOREVER, TIPC_SUB_PORTS, 0x1122334455667788L);
        assertThat(c1.receive(req, 0)).isTrue();
        assertThat(c2.receive(req, 0)).isTrue();
        // a cancel that differs (other handle) does nothing
        assertThat(c1.cancel(SubscriptionRequest.of(90, 0, 10, TIPC_WAIT_FOREVER, TIPC_SUB_PORTS | TIPC_SUB_CANCEL, 1))).isZero();
        assertThat(c1.receive(req.withFilter(TIPC_SUB_PORTS | TIPC_SUB_CANCEL), 0)).isTrue();
        assertThat(c1.subscriptions()).isEmpty();
        assertThat(top.count()).isEqualTo(1);
        t.insert(90, 1, 1, TIPC_CLUSTER_SCOPE, 1, SELF, 1);
        assertThat(ports).isEmpty();
        assertThat(service).hasSize(1);
        c2.close();
        assertThat(top.count()).isZero();
        t.insert(90, 2, 2, TIPC_CLUSTER_SCOPE, 2, SELF, 2);
        assertThat(service).hasSize(1);
    }

    @Test
    void subscriptionLimit() {
        TopologySubscriptions.Connection c = top.connect(e -> { });
        for (int i = 0; i < TopologySubscriptions.TIPC_MAX_SUBSCR; i++) {
            assertThat(c.subscribe(SubscriptionRequest.of(100 + (i % 7), 0, 10, TIPC_WAIT_FOREVER, TIPC_SUB_PORTS, i), 0)).isNotNull();
        }
        assertThat(c.subscribe(SubscriptionRequest.of(5, 0, 10, TIPC_WAIT_FOREVER, TIPC_SUB_PORTS, -1), 0)).isNull();
        c.close();
        assertThat(top.count()).isZero();
    }

    @Test
    void subscriptionKeepsItsServiceAliveInDumpOrder() {
        top.subscribe(TIPC_SUB_PORTS, 5, 0, 10, TIPC_WAIT_FOREVER, 0, ports::add);
        t.insert(1029, 1, 1, TIPC_CLUSTER_SCOPE, 1, SELF, 1); // same bucket, newer service: first
        t.insert(5, 1, 1, TIPC_CLUSTER_SCOPE, 2, SELF, 2);
        assertThat(t.publications()).extracting(Publication::type).containsExactly(1029, 5);
    }

    @Test
    void subscrCodecDetectsByteOrderLikeTheKernel() {
        byte[] le = HexFormat.of().parseHex("e8030000" + "00000000" + "88130000" + "ffffffff" + "01000000"
                + "0102030405060708");
        SubscriptionRequest s = SubscriptionRequest.decode(le, 0, ByteOrder.LITTLE_ENDIAN);
        assertThat(s).isEqualTo(new SubscriptionRequest(1000, 0, 5000, TIPC_WAIT_FOREVER, TIPC_SUB_PORTS, 0x0102030405060708L,
                ByteOrder.LITTLE_ENDIAN));
        // the same bytes at a big-endian server: no filter bit in its reading, so taken as swapped
        assertThat(SubscriptionRequest.decode(le, 0, ByteOrder.BIG_ENDIAN)).isEqualTo(s);
        byte[] back = new byte[SubscriptionRequest.SIZE];
        s.encode(back, 0);
        assertThat(back).isEqualTo(le);
        byte[] evt = new byte[SubscriptionEvent.SIZE];
        new SubscriptionEvent(TIPC_PUBLISHED, 1, 1, 1604773177, 0x1d1d1248, s).encode(evt, 0);
        assertThat(HexFormat.of().formatHex(evt)).isEqualTo("01000000" + "01000000" + "01000000" + "39e5a65f"
                + "48121d1d" + HexFormat.of().formatHex(le));
        assertThatThrownBy(() -> SubscriptionRequest.decode(le, 1, ByteOrder.LITTLE_ENDIAN))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    /**
     * The replay at subscribe lists bindings oldest first (name_table.c tipc_service_subscribe: list_sort with
     * time_after32 of the ids). With live ids spanning more than 2^31 (ids wrap: a peer publishing and withdrawing on
     * one type billions of times) that comparison is not transitive and List.sort may throw out of the core; ordered by
     * age before the next id, the replay is the binding order and nothing throws.
     */
    @Test
    void aReplayOfBindingsWhoseIdsSpanMoreThanHalfTheIdSpaceKeepsTheirOrder() throws Exception {
        int type = 3000;
        t.insert(type, 999, 999, TIPC_CLUSTER_SCOPE, 1, SELF, 1); // makes the service (outside the range watched)
        List<Integer> want = new ArrayList<>();
        for (int g = 0; g < 3; g++) {
            setPublCnt(type, g * 1_450_000_000);
            for (int i = 0; i < 40; i++) {
                int port = 100 + g * 40 + i;
                t.insert(type, (2 - g) * 40 + i, (2 - g) * 40 + i, TIPC_CLUSTER_SCOPE, port, SELF, port); // walk: g2 first
                want.add(port);
            }
        }
        top.subscribe(TIPC_SUB_PORTS, type, 0, 500, TIPC_WAIT_FOREVER, 0, ports::add);
        assertThat(ports).extracting(SubscriptionEvent::port).containsExactlyElementsOf(want);
    }

    private void setPublCnt(int type, int value) throws Exception {
        java.lang.reflect.Field services = BindingTable.class.getDeclaredField("services");
        services.setAccessible(true);
        Object sc = ((java.util.Map<?, ?>) services.get(t)).get(type);
        java.lang.reflect.Field cnt = sc.getClass().getDeclaredField("publCnt");
        cnt.setAccessible(true);
        cnt.setInt(sc, value);
    }
}
