package io.jtipc.node;

import static io.jtipc.node.TwoNodeTest.linkedUp;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;

/**
 * Review of issue 14: NodeTable.find's one-entry cache was written by read-only lookups through the public
 * {@link NodeCore#peer}; inspection now leaves it alone (it still answers the same).
 */
class PeerLookupCacheTest {
    @Test
    void nodeCorePeerDoesNotWriteTheDataPathCache() throws Exception {
        SimNetwork net = new SimNetwork(5);
        SimNode a = net.addNode("alpha", 1, 0x11112222);
        SimNode b = net.addNode("beta", 2, 0x33334444);
        SimNode c = net.addNode("gamma", 3, 0x55556666);
        assertThat(net.runUntil(() -> linkedUp(a, b) && linkedUp(a, c), 5000)).isTrue();
        NodeTable nodes = (NodeTable) field(NodeCore.class, "nodes").get(a.core);
        Field last = field(NodeTable.class, "lastNode");
        Node nb = nodes.find(b.core.ownAddr());
        assertThat(last.get(nodes)).isSameAs(nb);
        Node nc = a.core.peer(c.core.ownAddr());
        assertThat(nc).isNotNull().isNotSameAs(nb);
        assertThat(nc.addr).isEqualTo(c.core.ownAddr());
        assertThat(last.get(nodes)).as("cache untouched by peer()").isSameAs(nb);
        assertThat(a.core.peer(b.core.ownAddr())).isSameAs(nb);
        assertThat(a.core.peer(0x01001234)).isNull();
    }

    private static Field field(Class<?> c, String name) throws NoSuchFieldException {
        Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }
}
