package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jtipc.wire.NodeId;

/** NodeCore.logSince: the lines added since a count, oldest first, the kept ones only once the log overflowed. */
class CoreLogSinceTest {
    @Test
    void givesEachNewLineOnceInOrderAndOnlyThoseStillKept() {
        NodeCore c = new NodeCore(NodeConfig.of(NodeId.parse("logsince"), 1, 2L));
        List<String> got = new ArrayList<>();
        long seen = c.logSince(0, got::add);
        assertThat(seen).isZero();
        assertThat(got).isEmpty();
        c.log("a");
        c.log("b");
        seen = c.logSince(seen, got::add);
        assertThat(seen).isEqualTo(2);
        assertThat(got).containsExactly("a", "b");
        assertThat(c.logSince(seen, got::add)).as("nothing new").isEqualTo(2);
        assertThat(got).hasSize(2);
        c.log("c");
        got.clear();
        seen = c.logSince(seen, got::add);
        assertThat(got).containsExactly("c");
        for (int i = 0; i < Net.LOG_LIMIT + 5; i++) c.log("x" + i);
        got.clear();
        seen = c.logSince(seen, got::add);
        assertThat(seen).isEqualTo(3 + Net.LOG_LIMIT + 5);
        assertThat(got).as("the kept ones, oldest first").hasSize(Net.LOG_LIMIT).startsWith("x5")
                .endsWith("x" + (Net.LOG_LIMIT + 4));
    }
}
