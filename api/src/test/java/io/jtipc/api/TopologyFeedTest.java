package io.jtipc.api;

import static io.jtipc.nametable.Subscription.TIPC_SUB_CLUSTER_SCOPE;
import static io.jtipc.nametable.Subscription.TIPC_SUB_NODE_SCOPE;
import static io.jtipc.wire.Tipc.TIPC_CLUSTER_SCOPE;
import static io.jtipc.wire.Tipc.TIPC_NODE_SCOPE;
import static io.jtipc.wire.TipcSubscr.TIPC_SUB_PORTS;
import static io.jtipc.wire.TipcSubscr.TIPC_SUB_SERVICE;
import static io.jtipc.wire.TipcSubscr.TIPC_WAIT_FOREVER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.jtipc.nametable.BindingTable;
import io.jtipc.nametable.Publication;
import io.jtipc.nametable.Subscription;
import io.jtipc.nametable.SubscriptionEvent;
import io.jtipc.nametable.TopologySubscriptions;

/**
 * The cross-thread {@link ConcurrentBindingView.TopologyFeed} yields exactly the events of an in-core
 * {@link Subscription} registered at the same moment (checked single-threaded over many seeds).
 */
class TopologyFeedTest {
    static final int SELF = 0x1001;
    static final int[] FILTERS = {TIPC_SUB_PORTS, TIPC_SUB_SERVICE, TIPC_SUB_SERVICE | TIPC_SUB_CLUSTER_SCOPE, TIPC_SUB_PORTS | TIPC_SUB_NODE_SCOPE};

    @Test
    void feedEventsEqualKernelSubscriptionEvents() {
        for (long seed = 0; seed < 200; seed++) {
            Random r = new Random(seed);
            BindingTable t = new BindingTable(SELF);
            TopologySubscriptions top = new TopologySubscriptions(t);
            List<Publication> live = new ArrayList<>();
            int port = 0;
            ConcurrentBindingView view = null;
            List<List<SubscriptionEvent>> inCore = new ArrayList<>();
            List<ConcurrentBindingView.TopologyFeed> feeds = new ArrayList<>();
            for (int op = 0; op < 300; op++) {
                int d = r.nextInt(100);
                if (op == 40) {
                    view = ConcurrentBindingView.attach(t); // attached late: initial mirror from the table
                }
                if (d < 55 || live.isEmpty()) {
                    int lower = r.nextInt(15);
                    Publication p = t.insert(1 + r.nextInt(2), lower, lower + r.nextInt(4),
                            r.nextBoolean() ? TIPC_CLUSTER_SCOPE : TIPC_NODE_SCOPE, ++port, r.nextBoolean() ? SELF : 0x2002,
                            r.nextInt(5));
                    if (p != null) {
                        live.add(p);
                    }
                } else if (d < 92) {
                    Publication p = live.remove(r.nextInt(live.size()));
                    t.remove(p.type(), p.lower(), p.upper(), p.node(), p.key());
                } else if (view != null) {
                    int filter = FILTERS[r.nextInt(FILTERS.length)];
                    int type = 1 + r.nextInt(2);
                    int lo = r.nextInt(18);
                    int hi = lo + r.nextInt(6);
                    List<SubscriptionEvent> evs = new ArrayList<>();
                    top.subscribe(filter, type, lo, hi, TIPC_WAIT_FOREVER, 0, evs::add);
                    inCore.add(evs);
                    feeds.add(view.openTopology(filter, type, lo, hi, 1 << 16));
                }
            }
            for (int i = 0; i < feeds.size(); i++) {
                List<SubscriptionEvent> got = new ArrayList<>();
                SubscriptionEvent e;
                while ((e = feeds.get(i).poll()) != null) {
                    got.add(e);
                }
                assertThat(got).as("seed %d feed %d", seed, i).containsExactlyElementsOf(inCore.get(i));
            }
        }
    }

    @Test
    void illegalTopologyFeedRequestsAreRefused() {
        ConcurrentBindingView v = ConcurrentBindingView.attach(new BindingTable(SELF));
        assertThatThrownBy(() -> v.openTopology(TIPC_SUB_PORTS | TIPC_SUB_SERVICE, 1, 0, 1, 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> v.openTopology(TIPC_SUB_PORTS, 1, 2, 1, 10)).isInstanceOf(IllegalArgumentException.class);
    }
}
