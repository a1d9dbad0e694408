package io.jtipc.node;

import static io.jtipc.node.TwoNodeTest.linkedUp;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.jtipc.nametable.Publication;
import io.jtipc.nametable.SubscriptionRequest;
import io.jtipc.nametable.SubscriptionEvent;
import io.jtipc.node.SocketType;
import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcEvent;
import io.jtipc.wire.TipcSubscr;

/**
 * Property: a subscription registered at any moment, while local and remote bindings are published and withdrawn
 * (remote updates in flight, links lossy), reports every binding exactly once: replaying its events (PUBLISHED adds,
 * WITHDRAWN removes) never adds a binding twice nor removes an absent one, and ends with exactly the matching
 * bindings of the table. Checked for Java-API subscriptions and for topology-server connections, over many seeds.
 */
class SubscriptionReplayRaceTest {
    static final int TYPE = 7000;

    /** Replays events into a set, failing on a duplicate or a gap. */
    static final class Replay {
        final Set<String> live = new HashSet<>();
        final List<String> errors = new ArrayList<>();

        void apply(int event, int lower, int upper, int port, int node) {
            String k = lower + "-" + upper + "@" + Integer.toHexString(node) + ":" + port;
            if (event == TipcEvent.TIPC_PUBLISHED && !live.add(k)) errors.add("duplicate PUBLISHED " + k);
            if (event == TipcEvent.TIPC_WITHDRAWN && !live.remove(k)) errors.add("WITHDRAWN of unknown " + k);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
        21, 22, 23, 24, 25, 26, 27, 28, 29, 30})
    void replayThenLiveNeverLosesOrDuplicates(int seed) {
        SimNetwork net = new SimNetwork(seed);
        SimNode a = net.addNode("alpha", 1, 0x1111 + seed);
        SimNode b = net.addNode("beta", 2, 0x2222 + seed);
        SimNode c = net.addNode("gamma", 3, 0x3333 + seed);
        assertThat(net.runUntil(() -> linkedUp(a, b) && linkedUp(a, c) && linkedUp(b, c), 5000)).isTrue();
        net.loss = 0.05;
        net.reorder = 0.05;
        Random r = new Random(seed * 7919L);
        SimNode[] nodes = {a, b, c};
        List<int[]> bound = new ArrayList<>(); // {nodeIndex, port, lower, upper}
        List<Replay> replays = new ArrayList<>();
        List<int[]> ranges = new ArrayList<>();
        for (int step = 0; step < 300; step++) {
            int op = r.nextInt(10);
            if (op < 4 || bound.isEmpty()) {
                int ni = r.nextInt(3);
                SimNode n = nodes[ni];
                int port = n.core.openSocket(SocketType.RDM, d -> true);
                int lo = r.nextInt(50);
                int up = lo + r.nextInt(5);
                int scope = r.nextInt(4) == 0 ? Tipc.TIPC_NODE_SCOPE : Tipc.TIPC_CLUSTER_SCOPE;
                assertThat(n.core.bind(net.now(), port, scope, TYPE, lo, up, n)).isZero();
                bound.add(new int[] {ni, port, lo, up});
            } else if (op < 7) {
                int[] x = bound.remove(r.nextInt(bound.size()));
                nodes[x[0]].core.closeSocket(net.now(), x[1], nodes[x[0]]);
            } else if (op < 8) {
                // a Java-API subscription on a
                Replay rp = new Replay();
                int lo = r.nextInt(40);
                int up = lo + r.nextInt(30);
                assertThat(a.core.subscribe(net.now(), TipcSubscr.TIPC_SUB_PORTS, TYPE, lo, up,
                    TipcSubscr.TIPC_WAIT_FOREVER, (SubscriptionEvent e) -> rp.apply(e.event(), e.foundLower(), e.foundUpper(),
                        e.port(), e.node()))).isNotNull();
                replays.add(rp);
                ranges.add(new int[] {lo, up});
            } else if (op < 9) {
                // a topology-server connection on a, in a random byte order
                Replay rp = new Replay();
                int lo = r.nextInt(40);
                int up = lo + r.nextInt(30);
                ByteOrder order = r.nextBoolean() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
                int[] cp = {0};
                cp[0] = a.core.openConnSocket(SocketType.SEQPACKET, new ConnHandler() {
                    @Override
                    public void connected(int p) {
                        byte[] s = new byte[SubscriptionRequest.SIZE];
                        new SubscriptionRequest(TYPE, lo, up, TipcSubscr.TIPC_WAIT_FOREVER, TipcSubscr.TIPC_SUB_PORTS, 0, order)
                            .encode(s, 0);
                        a.core.send(net.now(), p, s, 0, s.length, a);
                    }

                    @Override
                    public void readable(int p) {
                        byte[] buf = new byte[64];
                        while (a.core.recv(net.now(), p, buf, 0, buf.length, a) == TipcEvent.SIZE) {
                            TipcEvent e = new TipcEvent().wrap(buf, 0, order);
                            rp.apply(e.event(), e.foundLower(), e.foundUpper(), e.portRef(), e.portNode());
                        }
                    }
                });
                assertThat(a.core.connect(net.now(), cp[0], Tipc.TIPC_TOP_SRV, Tipc.TIPC_TOP_SRV,
                    a.core.ownAddr(), 8000, null, 0, 0, a)).isZero();
                replays.add(rp);
                ranges.add(new int[] {lo, up});
            } else {
                net.runFor(r.nextInt(5));
            }
            if (r.nextInt(3) == 0) net.runFor(1);
        }
        net.loss = 0;
        net.reorder = 0;
        net.runFor(3000);
        assertThat(replays).isNotEmpty();
        assertThat(replays.stream().mapToInt(x -> x.live.size()).sum()).isGreaterThan(0);
        for (int i = 0; i < replays.size(); i++) {
            Replay rp = replays.get(i);
            int lo = ranges.get(i)[0], up = ranges.get(i)[1];
            Set<String> want = new HashSet<>();
            for (Publication p : a.core.bindingTable().publications(TYPE, lo, up)) {
                want.add(p.lower() + "-" + p.upper() + "@" + Integer.toHexString(p.node()) + ":" + p.port());
            }
            assertThat(rp.errors).as("subscription %d", i).isEmpty();
            assertThat(rp.live).as("subscription %d [%d,%d]", i, lo, up).isEqualTo(want);
        }
    }
}
