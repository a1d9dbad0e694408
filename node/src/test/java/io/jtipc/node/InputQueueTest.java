package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The link input queue is a FIFO of views that survives wrap-around and growth without losing or reordering. */
class InputQueueTest {
    @Test
    void fifoAcrossWrapAndGrowth() {
        InputQueue q = new InputQueue();
        ArrayDeque<int[]> model = new ArrayDeque<>();
        byte[][] bufs = {new byte[1], new byte[2], new byte[3]};
        Random r = new Random(7);
        int next = 0;
        int most = 0;
        for (int step = 0; step < 20_000; step++) {
            if (r.nextInt(100) < 55 || model.isEmpty()) {
                int b = next % 3;
                q.add(bufs[b], next, next * 3);
                model.add(new int[] {b, next, next * 3});
                next++;
            } else {
                int[] e = model.poll();
                assertThat(q.isEmpty()).isFalse();
                assertThat(q.buf()).isSameAs(bufs[e[0]]);
                assertThat(q.off()).isEqualTo(e[1]);
                assertThat(q.len()).isEqualTo(e[2]);
                q.remove();
            }
            assertThat(q.isEmpty()).isEqualTo(model.isEmpty());
            most = Math.max(most, model.size());
        }
        assertThat(most).isGreaterThan(64); // the ring grew past its first 16 slots, more than once
    }
}
