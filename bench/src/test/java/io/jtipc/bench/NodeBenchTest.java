package io.jtipc.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The two-JVM harness works end to end in its {@code --quick} form: a peer JVM, two jtipc nodes over UDP loopback,
 * TCP and raw UDP, every test of the plan. No timing is asserted: only that it completes, that every transport sent
 * the planned count (nothing cut short), that TCP and jtipc lost, reordered and returned nothing (the harness fails
 * the run otherwise), and that the costs were measured (CPU time and allocation seen on both sides).
 */
class NodeBenchTest {

    @Test
    void quickRunCompletesWithEveryCountMatching() throws Exception {
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        List<NodeBench.Result> results = NodeBench.runAll(true, 1, 120, new PrintStream(table, true, StandardCharsets.UTF_8));
        int expected = 0;
        for (NodeBench.Test t : NodeBench.plan(true)) expected += NodeBench.transports(t).size();
        assertThat(results).hasSize(expected);
        for (NodeBench.Result r : results) {
            assertThat(r.messages()).as(r.transport() + " " + r.test().label()).isEqualTo(r.test().count());
            if (!r.transport().equals("udp")) {
                assertThat(r.lost() + r.reordered() + r.returned()).as(r.transport() + " " + r.test().label()).isZero();
            }
            // process CPU time is coarse (clock ticks): a test of a few ms may show 0 on both sides
            assertThat(r.cost().cpuNs()).isNotNegative();
            assertThat(r.cost().alloc()).isPositive();
        }
        assertThat(results.stream().mapToLong(r -> r.cost().cpuNs()).sum()).as("CPU time measured").isPositive();
        String out = table.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("UDP bearer MTU default, link MTU 14000 bytes.", "| one way 64 B | jtipc |", "| 64 B round trip | udp |", "| stream 2 MB | tcp |", "jtipc / TCP");
    }

    @Test
    void mtuOptionGoesIntoBothUdpSpecs() {
        assertThat(NodeBench.withMtu("udp:127.0.0.1:7000,remote=127.0.0.2:7000")).isEqualTo("udp:127.0.0.1:7000,remote=127.0.0.2:7000");
        NodeBench.udpMtu = 65000;
        try {
            assertThat(NodeBench.withMtu("udp:127.0.0.1:7000,remote=127.0.0.2:7000"))
                    .isEqualTo("udp:127.0.0.1:7000,remote=127.0.0.2:7000,mtu=65000");
            assertThatThrownBy(() -> NodeBench.withMtu("eth:vb0")).hasMessageContaining("--mtu is for UDP bearers");
        } finally {
            NodeBench.udpMtu = 0;
        }
    }
}
