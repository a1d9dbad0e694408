package io.jtipc.nametable;

import static io.jtipc.wire.TipcEvent.TIPC_PUBLISHED;
import static io.jtipc.wire.TipcEvent.TIPC_WITHDRAWN;
import static io.jtipc.wire.TipcSubscr.TIPC_SUB_PORTS;
import static io.jtipc.wire.TipcSubscr.TIPC_SUB_SERVICE;
import static io.jtipc.wire.TipcSubscr.TIPC_WAIT_FOREVER;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * Random publish/withdraw/node-down interleaved with subscription registration and cancel, checked against an
 * independent brute-force model of the kernel rules: every subscription gets exactly the replay, then exactly
 * the live changes, nothing lost, nothing duplicated, in order.
 */
class SubscriptionPropertyTest {
    static final int SELF = 0x1001;
    static final int[] NODES = {SELF, 0x2002, 0x3003};

    record MPub(int type, int lower, int upper, int scope, int port, int node, int key) {
        boolean sameRange(MPub o) {
            return type == o.type && lower == o.lower && upper == o.upper;
        }
    }

    record Ev(int event, int lower, int upper, int port, int node) {
        static Ev of(SubscriptionEvent e) {
            return new Ev(e.event(), e.foundLower(), e.foundUpper(), e.port(), e.node());
        }

        static Ev of(int event, MPub p) {
            return new Ev(event, p.lower, p.upper, p.port, p.node);
        }
    }

    static final class Tracker {
        final int filter;
        final int type;
        final int lower;
        final int upper;
        final List<Ev> actual = new ArrayList<>();
        final List<Ev> expected = new ArrayList<>();
        Subscription sub;
        boolean active = true;

        Tracker(int filter, int type, int lower, int upper) {
            this.filter = filter;
            this.type = type;
            this.lower = lower;
            this.upper = upper;
        }

        boolean matches(MPub p) {
            return p.type == type && p.lower <= upper && p.upper >= lower;
        }
    }

    @Test
    void eventsMatchTheModelForManySeeds() {
        for (long seed = 0; seed < 300; seed++) {
            runSeed(seed);
        }
    }

    private void runSeed(long seed) {
        Random r = new Random(seed);
        BindingTable t = new BindingTable(SELF);
        TopologySubscriptions top = new TopologySubscriptions(t);
        List<MPub> live = new ArrayList<>();
        List<Tracker> trackers = new ArrayList<>();
        long accepted = 0;
        int port = 0; // unique ports, so that an event identifies its binding
        for (int op = 0; op < 400; op++) {
            int dice = r.nextInt(100);
            if (dice < 50) {
                int lower = r.nextInt(20);
                MPub p = new MPub(1 + r.nextInt(2), lower, lower + r.nextInt(6), 2 + r.nextInt(2), ++port,
                        NODES[r.nextInt(NODES.length)], 1 + r.nextInt(6));
                boolean dup = live.stream().anyMatch(q -> q.sameRange(p) && q.key == p.key && q.node == p.node);
                boolean first = live.stream().noneMatch(q -> q.sameRange(p));
                Publication got = t.insert(p.type, p.lower, p.upper, p.scope, p.port, p.node, p.key);
                assertThat(got != null).as("seed %d op %d insert %s", seed, op, p).isEqualTo(!dup);
                if (!dup) {
                    accepted++;
                    live.add(p);
                    for (Tracker k : trackers) {
                        if (k.active && k.matches(p) && ((k.filter & TIPC_SUB_PORTS) != 0 || first)) {
                            k.expected.add(Ev.of(TIPC_PUBLISHED, p));
                        }
                    }
                }
            } else if (dice < 80 && !live.isEmpty()) {
                MPub p = live.get(r.nextInt(live.size()));
                Publication got = t.remove(p.type, p.lower, p.upper, p.node, p.key);
                assertThat(got).as("seed %d op %d remove %s", seed, op, p).isNotNull();
                assertThat(got.port()).isEqualTo(p.port);
                accepted++;
                removeFromModel(live, trackers, p);
            } else if (dice < 82) {
                int node = NODES[1 + r.nextInt(NODES.length - 1)];
                List<Publication> removed = t.removeAllOfNode(node);
                List<MPub> expectRemoved = live.stream().filter(q -> q.node == node).toList();
                assertThat(removed).extracting(Publication::port)
                        .containsExactlyElementsOf(expectRemoved.stream().map(MPub::port).toList());
                accepted += removed.size();
                for (MPub q : expectRemoved) {
                    removeFromModel(live, trackers, q);
                }
            } else if (dice < 95) {
                int a = r.nextInt(25);
                Tracker k = new Tracker(r.nextBoolean() ? TIPC_SUB_PORTS : TIPC_SUB_SERVICE, 1 + r.nextInt(2), a, a + r.nextInt(8));
                // replay expected: PORTS all matching by age; SERVICE the oldest of each matching exact range, by age
                for (MPub q : live) {
                    if (!k.matches(q)) {
                        continue;
                    }
                    boolean oldestOfRange = live.stream().filter(x -> x.sameRange(q)).findFirst().get() == q;
                    if ((k.filter & TIPC_SUB_PORTS) != 0 || oldestOfRange) {
                        k.expected.add(Ev.of(TIPC_PUBLISHED, q));
                    }
                }
                k.sub = top.subscribe(k.filter, k.type, k.lower, k.upper, TIPC_WAIT_FOREVER, op,
                        e -> k.actual.add(Ev.of(e)));
                trackers.add(k);
            } else if (!trackers.isEmpty()) {
                Tracker k = trackers.get(r.nextInt(trackers.size()));
                k.sub.cancel();
                k.active = false;
            }
        }
        for (Tracker k : trackers) {
            assertThat(k.actual).as("seed %d subscription %x %d %d-%d", seed, k.filter, k.type, k.lower, k.upper)
                    .containsExactlyElementsOf(k.expected);
            if (k.active && (k.filter & TIPC_SUB_PORTS) != 0) {
                // folding the stream reproduces the current matching set: no loss, no duplicate
                Set<Ev> state = new HashSet<>();
                for (Ev e : k.actual) {
                    Ev key = new Ev(0, e.lower, e.upper, e.port, e.node);
                    if (e.event == TIPC_PUBLISHED) {
                        assertThat(state.add(key)).isTrue();
                    } else {
                        assertThat(state.remove(key)).isTrue();
                    }
                }
                Set<Ev> now = new HashSet<>();
                for (MPub q : live) {
                    if (k.matches(q)) {
                        now.add(new Ev(0, q.lower, q.upper, q.port, q.node));
                    }
                }
                assertThat(state).isEqualTo(now);
            }
        }
        assertThat(t.changeCount()).isEqualTo(accepted);
        assertThat(t.size()).isEqualTo(live.size());
        assertThat(top.count()).isEqualTo((int) trackers.stream().filter(k -> k.active).count());
    }

    private static void removeFromModel(List<MPub> live, List<Tracker> trackers, MPub p) {
        live.remove(p);
        boolean last = live.stream().noneMatch(q -> q.sameRange(p));
        for (Tracker k : trackers) {
            if (k.active && k.matches(p) && ((k.filter & TIPC_SUB_PORTS) != 0 || last)) {
                k.expected.add(Ev.of(TIPC_WITHDRAWN, p));
            }
        }
    }
}
