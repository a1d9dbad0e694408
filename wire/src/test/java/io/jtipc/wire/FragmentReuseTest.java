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
    void theFirstArrayHasTheInnerHeadersSizeAndNeverGrows() {
        FragmentAssembler<String> a = new FragmentAssembler<>(4);
        byte[] m = innerData(20_000); // 20 024 bytes with its header
        for (int round = 0; round < 3; round++) {
            List<byte[]> frags = FragmentByNumberTest.fragments(m, 1_000, 1);
            for (int i = 0; i < frags.size() - 1; i++) {
                a.append("k", frags.get(i), 0, frags.get(i).length);
                assertThat(a.pendingBytes()).as("after fragment %d", i + 1).isEqualTo(m.length);
            }
            byte[] last = frags.get(frags.size() - 1);
            assertThat(a.append("k", last, 0, last.length).message()).isEqualTo(m);
            assertThat(a.pendingBytes()).isZero();
        }
    }

    /** A first fragment too short to read the inner size from: the array starts at 2 KiB and doubles, as before. */
    @Test
    void withoutAReadableInnerSizeTheArrayDoubles() {
        FragmentAssembler<String> a = new FragmentAssembler<>(4);
        byte[] m = innerData(5_000 - 24);
        List<byte[]> frags = FragmentByNumberTest.fragments(m, 3, 1);
        a.append("k", frags.get(0), 0, frags.get(0).length);
        assertThat(a.pendingBytes()).isEqualTo(2048);
        Result r = null;
        for (int i = 1; i < frags.size(); i++) {
            r = a.append("k", frags.get(i), 0, frags.get(i).length);
            if (i == 2048 / 3) assertThat(a.pendingBytes()).isEqualTo(4096);
        }
        assertThat(r.status()).isEqualTo(Status.COMPLETE);
        assertThat(r.message()).isEqualTo(m);
    }

    /**
     * Issue 14: a reassembled message given back to the spares once read ({@link ReassemblySpares#give}) is the array
     * the next message of its size is rebuilt in, so a stream of equal messages allocates nothing; one not given back
     * is never touched again.
     */
    @Test
    void aMessageGivenBackIsTheArrayOfTheNextOfItsSize() {
        ReassemblySpares spares = new ReassemblySpares(1 << 20, 32);
        FragmentAssembler<String> a = new FragmentAssembler<>(1, spares);
        byte[] m1 = innerData(60_000);
        byte[] m2 = innerData(60_000);
        Arrays.fill(m2, 24, m2.length, (byte) 7);
        byte[] first = feed(a, m1, 13_960).message();
        assertThat(first).isEqualTo(m1);
        byte[] second = feed(a, m2, 13_960).message();
        assertThat(second).isNotSameAs(first).isEqualTo(m2);
        assertThat(first).isEqualTo(m1); // not given back: left alone
        spares.give(first);
        byte[] third = feed(a, m1, 13_960).message();
        assertThat(third).isSameAs(first).isEqualTo(m1);
        assertThat(second).isEqualTo(m2);
        assertThat(spares.count()).isZero();
    }

    @Test
    void firstCapacityReadsTheInnerSizeWithinBounds() {
        byte[] f = FragmentByNumberTest.fragments(innerData(30_000), 1_000, 1).get(0);
        TipcMsg h = new TipcMsg().wrap(f, 0, f.length);
        assertThat(FragmentAssembler.firstCapacity(h)).isEqualTo(30_024);
        f[40 + 1] |= 0x01; // inner size + 65 536: above MAX_MSG_SIZE
        assertThat(FragmentAssembler.firstCapacity(h)).isEqualTo(2048);
        byte[] g = FragmentByNumberTest.fragments(innerData(30_000), 1_000, 1).get(0);
        g[40 + 2] = 0; // inner size 30 024 - 29 952 = 72, below this fragment's 1 000 data bytes
        g[40 + 3] = 72;
        assertThat(FragmentAssembler.firstCapacity(new TipcMsg().wrap(g, 0, g.length))).isEqualTo(2048);
    }

    /**
     * Review of issue 14: each assembler kept up to ~189 KiB of spares for its life, outside every bound, so many
     * links meant GiBs. Assemblers sharing one {@link ReassemblySpares} keep at most its bounds together, and still
     * reuse arrays.
     */
    @Test
    void assemblersSharingSparesKeepAtMostTheSharedBounds() {
        ReassemblySpares shared = new ReassemblySpares(1 << 20, 32);
        byte[] m = innerData(66_000 - 24);
        List<FragmentAssembler<String>> links = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            FragmentAssembler<String> a = new FragmentAssembler<>(1, shared);
            links.add(a);
            Result r = feed(a, m, 1_400);
            assertThat(r.status()).isEqualTo(Status.COMPLETE);
            assertThat(r.message()).isEqualTo(m);
            assertThat(a.pendingBytes()).isZero();
            shared.give(r.message()); // read: given back, as a node core does
            assertThat(shared.bytes()).as("after %d links", i + 1).isLessThanOrEqualTo(1 << 20);
            assertThat(shared.count()).isLessThanOrEqualTo(32);
        }
        assertThat(shared.bytes()).isGreaterThan(0); // something is kept for reuse...
        int before = shared.count();
        byte[] again = feed(links.get(0), m, 1_400).message();
        assertThat(again).isEqualTo(m);
        assertThat(shared.count()).isEqualTo(before - 1); // ...and reused: the message is rebuilt in a kept array
        shared.give(again);
        assertThat(shared.count()).isEqualTo(before);
        links.get(1).clear(); // a shared pool is not this assembler's to drop
        assertThat(shared.count()).isEqualTo(before);
    }

    @Test
    void sparesRespectByteAndCountBounds() {
        ReassemblySpares s = new ReassemblySpares(10_000, 3);
        s.give(new byte[4_000]);
        s.give(new byte[4_000]);
        assertThat(s.bytes()).isEqualTo(8_000);
        s.give(new byte[4_000]); // over 10 000 bytes: an older one goes
        assertThat(s.bytes()).isLessThanOrEqualTo(10_000);
        s.give(new byte[20_000]); // larger than the whole bound: not kept
        assertThat(s.bytes()).isLessThanOrEqualTo(10_000);
        for (int i = 0; i < 10; i++) s.give(new byte[100 + i]);
        assertThat(s.count()).isEqualTo(3);
        assertThat(s.take(109)).hasSize(109);
        assertThat(s.take(109)).isNull();
        s.clear();
        assertThat(s.bytes()).isZero();
        assertThat(s.count()).isZero();
    }
}
