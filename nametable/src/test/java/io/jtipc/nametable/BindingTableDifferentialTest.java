package io.jtipc.nametable;

import static io.jtipc.wire.Tipc.TIPC_CLUSTER_SCOPE;
import static io.jtipc.wire.Tipc.TIPC_NODE_SCOPE;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The indexed {@link BindingTable} against {@link LinearBindingTable} (the list-walking table it replaced, itself
 * checked against the kernel's captures and rules): random inserts, removes (with and without node), node purges
 * and every lookup, with the same results, the same round-robin rotation and the same dump order after each step.
 */
class BindingTableDifferentialTest {
    static final int SELF = 0x1001;
    static final int[] NODES = {SELF, 0x2002, 0x3003, 0x4004, 0};
    static final int[] TYPES = {5, 1029, 77, 0x80000005}; // 5 and 1029 share a hash bucket

    @Test
    void sameResultsAsTheLinearTable() {
        for (long seed = 0; seed < 30; seed++) {
            Random r = new Random(seed);
            BindingTable t = new BindingTable(SELF);
            LinearBindingTable ref = new LinearBindingTable(SELF);
            List<Publication> live = new ArrayList<>();
            for (int op = 0; op < 1000; op++) {
                String what;
                int k = r.nextInt(100);
                if (k < 40) {
                    int type = TYPES[r.nextInt(TYPES.length)];
                    int lower = small(r);
                    int upper = r.nextInt(8) == 0 ? lower - 1 : lower + r.nextInt(r.nextBoolean() ? 2 : 12);
                    int scope = r.nextBoolean() ? TIPC_CLUSTER_SCOPE : TIPC_NODE_SCOPE;
                    int node = NODES[r.nextInt(NODES.length)];
                    int key = r.nextInt(6);
                    int port = r.nextInt(1000);
                    what = "insert " + type + " " + lower + " " + upper + " " + node + " " + key;
                    Publication a = t.insert(type, lower, upper, scope, port, node, key);
                    Publication b = ref.insert(type, lower, upper, scope, port, node, key);
                    assertThat(a).as("seed %d op %d %s", seed, op, what).isEqualTo(b);
                    if (a != null) {
                        live.add(a);
                    }
                } else if (k < 55 && !live.isEmpty()) {
                    Publication p = live.get(r.nextInt(live.size()));
                    int node = r.nextInt(3) == 0 ? 0 : p.node();
                    int key = r.nextInt(5) == 0 ? r.nextInt(6) : p.key();
                    what = "remove " + p + " node " + node + " key " + key;
                    Publication a = t.remove(p.type(), p.lower(), p.upper(), node, key);
                    Publication b = ref.remove(p.type(), p.lower(), p.upper(), node, key);
                    assertThat(a).as("seed %d op %d %s", seed, op, what).isEqualTo(b);
                    live.remove(a);
                } else if (k < 57) {
                    int node = NODES[r.nextInt(NODES.length)];
                    what = "removeAllOfNode " + node;
                    List<Publication> a = t.removeAllOfNode(node);
                    assertThat(a).as("seed %d op %d %s", seed, op, what).isEqualTo(ref.removeAllOfNode(node));
                    live.removeAll(a);
                } else if (k < 75) {
                    int type = TYPES[r.nextInt(TYPES.length)];
                    int inst = small(r);
                    int lookupNode = r.nextInt(4) == 0 ? SELF : r.nextInt(8) == 0 ? (SELF & 0xFFFFF000)
                            : r.nextInt(8) == 0 ? 0x2002 : 0;
                    if (r.nextInt(20) == 0) {
                        boolean legacy = !t.legacyAddressFormat();
                        t.setLegacyAddressFormat(legacy);
                        ref.setLegacyAddressFormat(legacy);
                    }
                    what = "anycast " + type + " " + inst + " " + lookupNode;
                    assertThat(t.lookupAnycast(type, inst, lookupNode)).as("seed %d op %d %s", seed, op, what)
                            .isEqualTo(ref.lookupAnycast(type, inst, lookupNode));
                } else if (k < 85) {
                    int type = TYPES[r.nextInt(TYPES.length)];
                    int lower = small(r);
                    int upper = lower + r.nextInt(20);
                    int scope = r.nextBoolean() ? TIPC_CLUSTER_SCOPE : TIPC_NODE_SCOPE;
                    boolean exact = r.nextBoolean();
                    what = "mcast " + type + " " + lower + " " + upper;
                    assertThat(t.lookupMcastSockets(type, lower, upper, scope, exact)).as("seed %d op %d %s", seed,
                            op, what).isEqualTo(ref.lookupMcastSockets(type, lower, upper, scope, exact));
                    McastNodes a = t.lookupMcastNodes(type, lower, upper);
                    McastNodes b = ref.lookupMcastNodes(type, lower, upper);
                    assertThat(a.local()).as("seed %d op %d %s", seed, op, what).isEqualTo(b.local());
                    assertThat(a.remote()).as("seed %d op %d %s", seed, op, what).isEqualTo(b.remote());
                    assertThat(t.publications(type, lower, upper)).isEqualTo(ref.publications(type, lower, upper));
                } else {
                    int type = TYPES[r.nextInt(TYPES.length)];
                    int inst = small(r);
                    int scope = r.nextBoolean() ? TIPC_CLUSTER_SCOPE : TIPC_NODE_SCOPE;
                    int exclude = r.nextInt(1000);
                    boolean mcast = r.nextBoolean();
                    what = "group " + type + " " + inst;
                    assertThat(t.lookupGroup(type, inst, scope, exclude, mcast)).as("seed %d op %d %s", seed, op,
                            what).isEqualTo(ref.lookupGroup(type, inst, scope, exclude, mcast));
                }
                assertThat(t.publications()).as("seed %d op %d dump", seed, op).isEqualTo(ref.publications());
                assertThat(t.size()).isEqualTo(ref.size());
                assertThat(t.changeCount()).isEqualTo(ref.changeCount());
                int node = NODES[r.nextInt(NODES.length)];
                assertThat(t.publicationsOfNode(node)).isEqualTo(ref.publicationsOfNode(node));
                assertThat(t.size(node)).isEqualTo(ref.publicationsOfNode(node).size());
            }
        }
    }

    /** Mostly small instances, some near the unsigned top (negative ints). */
    private static int small(Random r) {
        return r.nextInt(6) == 0 ? -r.nextInt(10) - 1 : r.nextInt(30);
    }
}
