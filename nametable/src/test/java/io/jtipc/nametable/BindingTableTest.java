package io.jtipc.nametable;

import static io.jtipc.wire.Tipc.TIPC_CLUSTER_SCOPE;
import static io.jtipc.wire.Tipc.TIPC_NODE_SCOPE;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class BindingTableTest {
    static final int SELF = 0x1001;
    static final int N2 = 0x2002;
    static final int N3 = 0x3003;

    @Test
    void illegalRangeAndDuplicatesAreRefused() {
        BindingTable t = new BindingTable(SELF);
        assertThat(t.insert(100, 5, 4, TIPC_CLUSTER_SCOPE, 1, SELF, 1)).isNull();
        assertThat(t.insert(100, 1, 2, TIPC_CLUSTER_SCOPE, 1, SELF, 7)).isNotNull();
        // same range, same key, same node: duplicate, whatever the port
        assertThat(t.insert(100, 1, 2, TIPC_CLUSTER_SCOPE, 99, SELF, 7)).isNull();
        // same key on another node is another binding
        assertThat(t.insert(100, 1, 2, TIPC_CLUSTER_SCOPE, 1, N2, 7)).isNotNull();
        // same key in another exact range is another binding
        assertThat(t.insert(100, 1, 3, TIPC_CLUSTER_SCOPE, 1, SELF, 7)).isNotNull();
        // an existing binding with node 0 blocks that key for every node
        assertThat(t.insert(101, 1, 1, TIPC_NODE_SCOPE, 5, 0, 3)).isNotNull();
        assertThat(t.insert(101, 1, 1, TIPC_NODE_SCOPE, 6, N3, 3)).isNull();
        assertThat(t.size()).isEqualTo(4);
        assertThat(t.changeCount()).isEqualTo(4);
    }

    @Test
    void unsignedRangesWork() {
        BindingTable t = new BindingTable(SELF);
        assertThat(t.insert(100, 0x80000000, 0xFFFFFFFF, TIPC_CLUSTER_SCOPE, 1, SELF, 1)).isNotNull();
        assertThat(t.insert(100, 0xFFFFFFFF, 0x80000000, TIPC_CLUSTER_SCOPE, 1, SELF, 2)).isNull();
        assertThat(t.lookupAnycast(100, 0xF0000000, 0)).isEqualTo(new SocketAddr(1, SELF));
        assertThat(t.lookupAnycast(100, 5, 0)).isNull();
    }

    @Test
    void removeMatchesRangeKeyAndNodeButNotPort() {
        BindingTable t = new BindingTable(SELF);
        t.insert(100, 1, 1, TIPC_CLUSTER_SCOPE, 11, N2, 5);
        t.insert(100, 1, 1, TIPC_CLUSTER_SCOPE, 12, N3, 5);
        assertThat(t.remove(100, 1, 2, N2, 5)).isNull(); // not the exact range
        assertThat(t.remove(100, 1, 1, N2, 6)).isNull(); // wrong key
        Publication p = t.remove(100, 1, 1, N3, 5);
        assertThat(p.port()).isEqualTo(12);
        // node 0 is a wildcard
        assertThat(t.remove(100, 1, 1, 0, 5).port()).isEqualTo(11);
        assertThat(t.size()).isZero();
        assertThat(t.publications()).isEmpty();
        assertThat(t.changeCount()).isEqualTo(4);
    }

    @Test
    void roundRobinTakesNewestFirstThenRotates() {
        BindingTable t = new BindingTable(SELF);
        t.insert(1000, 1, 1, TIPC_CLUSTER_SCOPE, 1, N2, 1);  // A
        t.insert(1000, 1, 1, TIPC_CLUSTER_SCOPE, 2, N3, 2);  // B
        t.insert(1000, 1, 1, TIPC_CLUSTER_SCOPE, 3, SELF, 3); // C (local)
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ports.add(t.lookupAnycast(1000, 1, 0).port());
        }
        // list_add puts the newest at the head; lookup takes the head and moves it to the tail
        assertThat(ports).containsExactly(3, 2, 1, 3, 2, 1, 3);
        // the rotation is visible in the dump order, as in the kernel
        assertThat(t.publications()).extracting(Publication::port).containsExactly(2, 1, 3);
    }

    @Test
    void lookupOnOwnNodeUsesOnlyLocalBindingsAndSkipsRangesWithout() {
        BindingTable t = new BindingTable(SELF);
        t.insert(1000, 1, 10, TIPC_CLUSTER_SCOPE, 1, N2, 1);
        t.insert(1000, 5, 5, TIPC_CLUSTER_SCOPE, 2, SELF, 2);
        t.insert(1000, 5, 5, TIPC_CLUSTER_SCOPE, 3, SELF, 3);
        t.insert(1000, 5, 5, TIPC_CLUSTER_SCOPE, 4, N2, 4);
        // cluster lookup: first matching range {1,10} (lower 1 before lower 5)
        assertThat(t.lookupAnycast(1000, 5, 0)).isEqualTo(new SocketAddr(1, N2));
        // own-node lookup: {1,10} has no local binding, so {5,5}'s local list is used: newest local first
        assertThat(t.lookupAnycast(1000, 5, SELF)).isEqualTo(new SocketAddr(3, SELF));
        assertThat(t.lookupAnycast(1000, 5, SELF)).isEqualTo(new SocketAddr(2, SELF));
        assertThat(t.lookupAnycast(1000, 5, SELF)).isEqualTo(new SocketAddr(3, SELF));
        assertThat(t.lookupAnycast(1000, 7, SELF)).isNull();
        // lookup node elsewhere: deferred to that node, nothing resolved here
        assertThat(t.lookupAnycast(1000, 5, N3)).isEqualTo(new SocketAddr(0, N3));
        assertThat(t.lookupAnycast(999, 5, 0)).isNull();
    }

    @Test
    void legacyAddressFormatPrefersLocalBindings() {
        BindingTable t = new BindingTable(SELF);
        t.insert(1000, 1, 1, TIPC_CLUSTER_SCOPE, 1, SELF, 1);
        t.insert(1000, 1, 1, TIPC_CLUSTER_SCOPE, 2, N2, 2);
        assertThat(t.lookupAnycast(1000, 1, 0).port()).isEqualTo(2);
        t.setLegacyAddressFormat(true);
        assertThat(t.lookupAnycast(1000, 1, 0).port()).isEqualTo(1);
        assertThat(t.lookupAnycast(1000, 1, 0).port()).isEqualTo(1);
        // legacy domains: own cluster <Z.C.0> is in scope
        assertThat(t.lookupAnycast(1000, 1, SELF & 0xFFFFF000)).isEqualTo(new SocketAddr(1, SELF));
    }

    @Test
    void overlappingRangesAreMatchedInKernelTreeOrder() {
        BindingTable t = new BindingTable(SELF);
        t.insert(200, 5, 15, TIPC_CLUSTER_SCOPE, 1, N2, 1);
        t.insert(200, 5, 7, TIPC_CLUSTER_SCOPE, 2, N2, 2);
        t.insert(200, 1, 3, TIPC_CLUSTER_SCOPE, 3, N2, 3);
        // equal lower bounds: the kernel inserts to the left, so the newer range {5,7} comes first
        assertThat(t.lookupAnycast(200, 6, 0).port()).isEqualTo(2);
        assertThat(t.lookupAnycast(200, 6, 0).port()).isEqualTo(2);
        assertThat(t.lookupAnycast(200, 9, 0).port()).isEqualTo(1);
        assertThat(t.publications()).extracting(Publication::port).containsExactly(3, 2, 1);
        assertThat(t.publications(200, 4, 6)).extracting(Publication::port).containsExactly(2, 1);
    }

    /** Range matching (binary search on the running max upper) against brute force in kernel tree order. */
    @Test
    void rangeMatchingAgreesWithBruteForce() {
        for (long seed = 0; seed < 100; seed++) {
            java.util.Random r = new java.util.Random(seed);
            BindingTable t = new BindingTable(SELF);
            List<int[]> ranges = new ArrayList<>(); // {lower, upper, creation order}
            int created = 0;
            for (int op = 0; op < 300; op++) {
                if (r.nextInt(10) < 7 || ranges.isEmpty()) {
                    int lower = r.nextInt(200) - 100; // negative = large unsigned values
                    int upper = lower + r.nextInt(r.nextBoolean() ? 3 : 60);
                    if (Integer.compareUnsigned(lower, upper) > 0) {
                        continue;
                    }
                    final int lo = lower;
                    final int up = upper;
                    if (ranges.stream().noneMatch(x -> x[0] == lo && x[1] == up)) {
                        ranges.add(new int[] {lower, upper, created++});
                        t.insert(9, lower, upper, TIPC_CLUSTER_SCOPE, created, SELF, created);
                    }
                } else {
                    int[] x = ranges.remove(r.nextInt(ranges.size()));
                    assertThat(t.remove(9, x[0], x[1], SELF, x[2] + 1)).isNotNull();
                }
                int a = r.nextInt(220) - 110;
                int b = a + r.nextInt(30);
                if (Integer.compareUnsigned(a, b) > 0) {
                    continue;
                }
                List<Integer> expected = ranges.stream()
                        .filter(x -> Integer.compareUnsigned(x[0], b) <= 0 && Integer.compareUnsigned(x[1], a) >= 0)
                        .sorted((x, y) -> x[0] != y[0] ? Integer.compareUnsigned(x[0], y[0]) : Integer.compare(y[2], x[2]))
                        .map(x -> x[2] + 1).toList();
                assertThat(t.publications(9, a, b)).extracting(Publication::port).as("seed %d", seed)
                        .containsExactlyElementsOf(expected);
                List<Integer> first = ranges.stream()
                        .filter(x -> Integer.compareUnsigned(x[0], a) <= 0 && Integer.compareUnsigned(x[1], a) >= 0)
                        .sorted((x, y) -> x[0] != y[0] ? Integer.compareUnsigned(x[0], y[0]) : Integer.compare(y[2], x[2]))
                        .map(x -> x[2] + 1).limit(1).toList();
                SocketAddr got = t.lookupAnycast(9, a, 0);
                assertThat(got == null ? List.of() : List.of(got.port())).isEqualTo(first);
            }
        }
    }

    @Test
    void multicastLookups() {
        BindingTable t = new BindingTable(SELF);
        t.insert(300, 1, 10, TIPC_CLUSTER_SCOPE, 11, SELF, 1);
        t.insert(300, 5, 20, TIPC_NODE_SCOPE, 12, SELF, 2);
        t.insert(300, 5, 20, TIPC_CLUSTER_SCOPE, 13, N2, 3);
        t.insert(300, 15, 30, TIPC_CLUSTER_SCOPE, 14, N3, 4);
        t.insert(300, 8, 8, TIPC_CLUSTER_SCOPE, 11, SELF, 5); // same port again: reported once
        assertThat(t.lookupMcastSockets(300, 1, 100, TIPC_CLUSTER_SCOPE, true)).containsExactly(11);
        assertThat(t.lookupMcastSockets(300, 1, 100, TIPC_NODE_SCOPE, true)).containsExactly(12);
        // not exact: scopes numerically below TIPC_NODE_SCOPE (cluster) also match
        assertThat(t.lookupMcastSockets(300, 1, 100, TIPC_NODE_SCOPE, false)).containsExactly(12, 11);
        assertThat(t.lookupMcastSockets(300, 21, 100, TIPC_CLUSTER_SCOPE, false)).isEmpty();
        McastNodes n = t.lookupMcastNodes(300, 9, 16);
        assertThat(n.local()).isTrue();
        assertThat(n.remote()).containsExactly(N3, N2);
        McastNodes none = t.lookupMcastNodes(300, 31, 40);
        assertThat(none.local()).isFalse();
        assertThat(none.remote()).isEmpty();
    }

    @Test
    void groupLookupUsesFirstRangeOnlyAndExcludesSelf() {
        BindingTable t = new BindingTable(SELF);
        t.insert(77, 1, 1, TIPC_CLUSTER_SCOPE, 10, SELF, 1);
        t.insert(77, 1, 1, TIPC_CLUSTER_SCOPE, 20, N2, 2);
        t.insert(77, 1, 1, TIPC_NODE_SCOPE, 30, SELF, 3);
        assertThat(t.lookupGroup(77, 1, TIPC_CLUSTER_SCOPE, 10, true)).containsExactly(new SocketAddr(20, N2));
        assertThat(t.lookupGroup(77, 1, TIPC_CLUSTER_SCOPE, 0, true))
                .containsExactlyInAnyOrder(new SocketAddr(20, N2), new SocketAddr(10, SELF));
        assertThat(t.lookupGroup(77, 1, TIPC_CLUSTER_SCOPE, 0, false)).hasSize(1);
        assertThat(t.lookupGroup(77, 2, TIPC_CLUSTER_SCOPE, 0, false)).isEmpty();
    }

    @Test
    void removeAllOfNodeWithdrawsEverythingThatNodePublishedOldestFirst() {
        BindingTable t = new BindingTable(SELF);
        t.insert(1, 1, 1, TIPC_CLUSTER_SCOPE, 1, N2, 1);
        t.insert(5000, 1, 9, TIPC_CLUSTER_SCOPE, 2, N2, 2);
        t.insert(5000, 1, 9, TIPC_CLUSTER_SCOPE, 3, N3, 3);
        t.insert(0, N2, N2, TIPC_CLUSTER_SCOPE, 0, N2, N2);
        List<BindingChange> changes = new ArrayList<>();
        t.addListener(changes::add);
        List<Publication> removed = t.removeAllOfNode(N2);
        assertThat(removed).extracting(Publication::port).containsExactly(1, 2, 0);
        assertThat(changes).extracting(BindingChange::published).containsOnly(false);
        assertThat(changes).extracting(BindingChange::changeCount).containsExactly(5L, 6L, 7L);
        assertThat(t.publications()).extracting(Publication::node).containsOnly(N3);
        assertThat(t.removeAllOfNode(N2)).isEmpty();
    }

    @Test
    void dumpOrderFollowsHashBuckets() {
        BindingTable t = new BindingTable(SELF);
        t.insert(1000, 1, 1, TIPC_CLUSTER_SCOPE, 1, SELF, 1);
        t.insert(2000, 1, 1, TIPC_CLUSTER_SCOPE, 2, SELF, 2);
        t.insert(3000, 1, 1, TIPC_CLUSTER_SCOPE, 3, SELF, 3);
        t.insert(1, 1, 1, TIPC_NODE_SCOPE, 4, SELF, 4);
        t.insert(0, SELF, SELF, TIPC_CLUSTER_SCOPE, 0, SELF, SELF);
        t.insert(5, 1, 1, TIPC_CLUSTER_SCOPE, 5, SELF, 5);
        t.insert(1029, 1, 1, TIPC_CLUSTER_SCOPE, 6, SELF, 6); // same bucket as 5, newer service first
        assertThat(t.publications()).extracting(Publication::type).containsExactly(0, 1, 1029, 5, 3000, 2000, 1000);
    }

    /** The kernel's own {@code tipc nametable show} output in the real captures, rebuilt from the same bindings. */
    @Test
    void formatMatchesKernelCaptureOfServerNode() throws IOException {
        int srv = 488444488;
        BindingTable t = new BindingTable(srv);
        // agent start order on the server: RDM {1000,1}, SEQPACKET {2000,1}, STREAM {3000,1}
        t.insert(0, srv, srv, TIPC_CLUSTER_SCOPE, 0, srv, srv);
        t.insert(1, 1, 1, TIPC_NODE_SCOPE, 370056394, srv, 370056395);
        t.insert(1000, 1, 1, TIPC_CLUSTER_SCOPE, 1604773177, srv, 1604773178);
        t.insert(2000, 1, 1, TIPC_CLUSTER_SCOPE, 317474701, srv, 317474702);
        t.insert(3000, 1, 1, TIPC_CLUSTER_SCOPE, 1079069851, srv, 1079069852);
        String out = t.format(n -> n == srv ? "srv-node" : Integer.toHexString(n));
        assertThat(out).isEqualTo(tableFromLog("eth-6.1.a.log"));
    }

    @Test
    void formatMatchesKernelCaptureOfClientNode() throws IOException {
        int cli = 218303816;
        int srv = 488444488;
        BindingTable t = new BindingTable(cli);
        t.insert(0, cli, cli, TIPC_CLUSTER_SCOPE, 0, cli, cli);
        t.insert(1, 1, 1, TIPC_NODE_SCOPE, 1898535297, cli, 1898535298);
        t.insert(0, srv, srv, TIPC_CLUSTER_SCOPE, 0, srv, srv);
        t.insert(3000, 1, 1, TIPC_CLUSTER_SCOPE, (int) 2494776106L, srv, 1);
        t.insert(4000, 10, 20, TIPC_CLUSTER_SCOPE, 411117534, srv, 2);
        t.insert(77, 1, 1, TIPC_CLUSTER_SCOPE, (int) 3166650888L, srv, 3);
        t.insert(2, srv, srv, TIPC_NODE_SCOPE, 0, cli, 0);
        t.insert(77, 2, 2, TIPC_CLUSTER_SCOPE, (int) 2576581428L, cli, 4);
        t.insert(1000, 1, 1, TIPC_CLUSTER_SCOPE, (int) 3035934870L, srv, 5);
        t.insert(2000, 1, 1, TIPC_CLUSTER_SCOPE, 150532814, srv, 6);
        Map<Integer, String> names = Map.of(cli, "cli-node", srv, "srv-node");
        assertThat(t.format(names::get)).isEqualTo(tableFromLog("udpcrypto-6.1.b.log"));
    }

    @Test
    void emptyTableFormatsToNothing() {
        assertThat(new BindingTable(SELF).format(Integer::toHexString)).isEmpty();
    }

    /** The lines from the "Type" header up to the first line that is not a table row. */
    static String tableFromLog(String name) throws IOException {
        Path p = Path.of("../samples", name);
        if (!Files.exists(p)) {
            p = Path.of("samples", name);
        }
        List<String> lines = Files.readAllLines(p);
        StringBuilder sb = new StringBuilder();
        boolean in = false;
        for (String l : lines) {
            if (l.startsWith("Type       Lower")) {
                in = true;
            } else if (in && !l.matches("^\\d+ +\\d+ +\\d+ +\\w+ +\\d+ +\\S+$")) {
                break;
            }
            if (in) {
                sb.append(l).append('\n');
            }
        }
        assertThat(sb).isNotEmpty();
        return sb.toString();
    }

    /**
     * A binding's first one pays for its service, range and node group; when it goes and they stay, the binding that
     * keeps them is charged instead, so a peer that withdraws every first binding cannot hold more than it is charged
     * (it was: one binding per service charged 224 B and held ~780).
     */
    @Test
    void whatAWithdrawnFirstBindingPaidForPassesToOneThatKeepsIt() {
        final int self = 0x1001000, peer = 0x1001002, other = 0x1001003;
        BindingTable t = new BindingTable(self);
        long full = BindingTable.PUBLICATION_BYTES + BindingTable.SERVICE_BYTES + BindingTable.RANGE_BYTES
            + BindingTable.NODE_GROUP_BYTES;
        for (int type = 100; type < 110; type++) {
            assertThat(t.insert(type, 0, 0, TIPC_CLUSTER_SCOPE, 1, peer, 1)).isNotNull();
            assertThat(t.insert(type, 0, 0, TIPC_CLUSTER_SCOPE, 2, peer, 2)).isNotNull();
            assertThat(t.remove(type, 0, 0, peer, 1)).isNotNull();
        }
        assertThat(t.size()).isEqualTo(10);
        assertThat(t.bytes(peer)).isEqualTo(10 * full);
        assertThat(t.bytes()).isEqualTo(10 * full);
        // to another node's binding: the range and the service pass, the node group is the node's own
        assertThat(t.insert(200, 5, 9, TIPC_CLUSTER_SCOPE, 1, peer, 1)).isNotNull();
        assertThat(t.insert(200, 5, 9, TIPC_CLUSTER_SCOPE, 7, other, 1)).isNotNull();
        assertThat(t.remove(200, 5, 9, peer, 1)).isNotNull();
        assertThat(t.bytes(peer)).isEqualTo(10 * full);
        assertThat(t.bytes(other)).isEqualTo(full);
        // to another range of the service: only the service passes
        assertThat(t.insert(300, 1, 1, TIPC_CLUSTER_SCOPE, 1, peer, 1)).isNotNull();
        assertThat(t.insert(300, 2, 2, TIPC_CLUSTER_SCOPE, 1, other, 2)).isNotNull();
        assertThat(t.bytes(other)).isEqualTo(full + full - BindingTable.SERVICE_BYTES);
        assertThat(t.remove(300, 1, 1, peer, 1)).isNotNull();
        assertThat(t.bytes(other)).isEqualTo(2 * full);
        // all gone: nothing charged
        for (int type = 100; type < 110; type++) assertThat(t.remove(type, 0, 0, peer, 2)).isNotNull();
        assertThat(t.remove(200, 5, 9, other, 1)).isNotNull();
        assertThat(t.remove(300, 2, 2, other, 2)).isNotNull();
        assertThat(t.bytes()).isZero();
        assertThat(t.bytes(peer)).isZero();
        assertThat(t.bytes(other)).isZero();
    }
}
