package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The link input queue is a FIFO of views that survives wrap-around and growth without losing or reordering, and an
 * emptied large ring gives its memory back.
 */
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

    @Test
    void keepsOrderAcrossGrowthAndShrinksOnceEmpty() {
        InputQueue q = new InputQueue();
        byte[] b = new byte[8];
        int n = 100_000; // what one drain of a full deferred queue of small bundled messages can add
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 5; i++) q.add(b, i, 1); // wrap the ring's head first
            for (int i = 0; i < 5; i++) q.remove();
            for (int i = 0; i < n; i++) q.add(b, i & 7, i);
            assertThat(q.capacity()).isGreaterThanOrEqualTo(n);
            for (int i = 0; i < n; i++) {
                assertThat(q.len()).isEqualTo(i);
                assertThat(q.off()).isEqualTo(i & 7);
                q.remove();
            }
            assertThat(q.isEmpty()).isTrue();
            assertThat(q.capacity()).as("slots kept once empty").isLessThanOrEqualTo(InputQueue.KEEP);
        }
        // a queue within KEEP keeps its slots: steady use allocates nothing
        for (int i = 0; i < InputQueue.KEEP; i++) q.add(b, 0, i);
        int cap = q.capacity();
        while (!q.isEmpty()) q.remove();
        assertThat(q.capacity()).isEqualTo(cap);
    }
}
