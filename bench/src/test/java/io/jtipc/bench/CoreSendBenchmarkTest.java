package io.jtipc.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link CoreSendBenchmark}'s operation outside JMH (no timing): each call sends one message that beta's socket then
 * counts, for every size the benchmark measures, so the benchmark cannot silently measure a send that fails.
 */
class CoreSendBenchmarkTest {

    @ParameterizedTest
    @ValueSource(ints = {64, 1000, 60_000})
    void everyOperationDeliversOneMessage(int size) {
        CoreSendBenchmark b = new CoreSendBenchmark();
        b.size = size;
        b.setUp();
        for (int i = 1; i <= 200; i++) assertThat(b.rdmMessage()).isEqualTo(i);
    }
}
