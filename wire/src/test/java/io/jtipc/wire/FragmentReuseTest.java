package io.jtipc.wire;

import static io.jtipc.wire.BodiesTest.innerData;
import static org.assertj.core.api.Assertions.assertThat;

import io.jtipc.wire.FragmentAssembler.Result;
import io.jtipc.wire.FragmentAssembler.Status;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * In-order reassembly reuses its outgrown and finished arrays (issue 14): a message it returned must stay as it was
 * while later messages are rebuilt in those arrays, and every later message must come out exactly as sent.
 */
class FragmentReuseTest {

    private static Result feed(FragmentAssembler<String> a, byte[] whole, int piece) {
        Result r = null;
        List<byte[]> frags = FragmentByNumberTest.fragments(whole, piece, 1);
        for (byte[] f : frags) r = a.append("link", f, 0, f.length);
        return r;
    }

    @Test
    void returnedMessagesStayIntactWhileTheArraysAreReused() {
        FragmentAssembler<String> a = new FragmentAssembler<>(4);
        byte[][] sent = new byte[6][];
        byte[][] got = new byte[6][];
        for (int i = 0; i < sent.length; i++) {
            byte[] m = innerData((i % 2 == 0 ? 4 * 13_960 : 60_000) - 24); // 55 840 B: a growth size itself
            Arrays.fill(m, 24, m.length, (byte) (i * 37 + 1)); // each message its own content
            sent[i] = m;
            Result r = feed(a, m, 13_960);
            assertThat(r.status()).isEqualTo(Status.COMPLETE);
            got[i] = r.message();
            for (int j = 0; j <= i; j++) assertThat(got[j]).as("message %d after %d", j, i).isEqualTo(sent[j]);
        }
        assertThat(a.pendingBytes()).isZero();
        // a smaller message in between: its own sizes, then the large ones again
        byte[] small = innerData(5_000);
        assertThat(feed(a, small, 1_400).message()).isEqualTo(small);
        assertThat(feed(a, sent[0], 13_960).message()).isEqualTo(sent[0]);
        for (int j = 0; j < sent.length; j++) assertThat(got[j]).isEqualTo(sent[j]);
    }

    @Test
    void pendingBytesFollowTheDoublingWithOrWithoutReuse() {
        FragmentAssembler<String> a = new FragmentAssembler<>(4);
        byte[] m = innerData(20_000);
        for (int round = 0; round < 3; round++) {
            List<byte[]> frags = FragmentByNumberTest.fragments(m, 1_000, 1);
            a.append("k", frags.get(0), 0, frags.get(0).length);
            assertThat(a.pendingBytes()).isEqualTo(2048);
            a.append("k", frags.get(1), 0, frags.get(1).length);
            assertThat(a.pendingBytes()).isEqualTo(2048);
            a.append("k", frags.get(2), 0, frags.get(2).length);
            assertThat(a.pendingBytes()).isEqualTo(4096);
            for (int i = 3; i < frags.size(); i++) a.append("k", frags.get(i), 0, frags.get(i).length);
            assertThat(a.pendingBytes()).isZero();
        }
    }
}
