package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;

/** The diagnostic log keeps the newest 1000 lines, oldest first, and hands out snapshots. */
class NodeCoreLogTest {
    @Test
    void keepsTheNewest1000LinesInOrder() {
        SimNetwork net = new SimNetwork(3);
        SimNode a = net.addNode("loga", 1, 0x01020304);
        int before = a.core.log().size();
        for (int i = 0; i < 100_000; i++) a.core.log("line " + i);
        List<String> l = a.core.log();
        assertThat(before).isLessThanOrEqualTo(1000);
        assertThat(l).hasSize(1000);
        assertThat(l.get(0)).isEqualTo("line 99000");
        assertThat(l.get(999)).isEqualTo("line 99999");
        assertThatThrownBy(() -> l.add("x")).isInstanceOf(UnsupportedOperationException.class);
        a.core.log("later");
        assertThat(l.get(999)).isEqualTo("line 99999");
        assertThat(a.core.log().get(999)).isEqualTo("later");
    }
}
