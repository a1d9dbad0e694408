package io.jtipc.wire;

import static io.jtipc.wire.BodiesTest.innerData;
import static io.jtipc.wire.BodiesTest.msg;
import static org.assertj.core.api.Assertions.assertThat;

import io.jtipc.wire.FragmentAssembler.Result;
import io.jtipc.wire.FragmentAssembler.Status;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Review of issue 14: the first array is sized from the inner header only when the first fragment carries a plausible
 * share of the claimed size ({@link FragmentAssembler#PLAUSIBLE_SHARE}); otherwise it starts at 2 KiB and doubles
 * towards the claimed size, ending exactly sized; {@link FragmentAssembler#growthFor} tells exactly how much each
 * fragment adds; a spare array given twice is kept once.
 */
class FragmentSizingTest {

    /** Fragments of {@code whole}: the first carries {@code first} bytes, the others {@code piece} each. */
    static List<byte[]> fragments(byte[] whole, int first, int piece) {
        List<byte[]> out = new ArrayList<>();
        int pos = 0;
        while (pos < whole.length) {
            int len = Math.min(out.isEmpty() ? first : piece, whole.length - pos);
            byte[] f = new byte[40 + len];
            int type = pos == 0 ? Tipc.FIRST_FRAGMENT : pos + len == whole.length ? Tipc.LAST_FRAGMENT : Tipc.FRAGMENT;
            msg(f, Tipc.MSG_FRAGMENTER, type, 40, f.length).setFragmNo(out.size() + 1).setSeqno(out.size() + 1);
            System.arraycopy(whole, pos, f, 40, len);
            out.add(f);
            pos += len;
        }
        return out;
    }

    private static int capacity(byte[] whole, int first) {
        byte[] f = fragments(whole, first, 1_000).get(0);
        return FragmentAssembler.firstCapacity(new TipcMsg().wrap(f, 0, f.length));
    }

    /** A 44-byte first fragment claiming 66 024 bytes: 2 KiB, doubled to exactly 66 024, handed out without a copy. */
    @Test
    void aTinyFirstFragmentStartsSmallAndDoublesToExactlyTheClaimedSize() {
        ReassemblySpares spares = new ReassemblySpares(1 << 20, 32);
        FragmentAssembler<String> a = new FragmentAssembler<>(1, spares);
        byte[] m = innerData(66_000); // the largest user message: 66 024 bytes with its header
        List<byte[]> frags = fragments(m, 4, 1_400);
        assertThat(a.append("k", frags.get(0), 0, frags.get(0).length).status()).isEqualTo(Status.INCOMPLETE);
        assertThat(a.pendingBytes()).isEqualTo(2048);
        List<Long> steps = new ArrayList<>();
        Result r = null;
        for (int i = 1; i < frags.size(); i++) {
            byte[] f = frags.get(i);
            long before = a.pendingBytes();
            int g = a.growthFor("k", f.length - 40);
            r = a.append("k", f, 0, f.length);
            if (i < frags.size() - 1) {
                assertThat(a.pendingBytes() - before).as("growth announced for fragment %d", i + 1).isEqualTo(g);
                if (g > 0) steps.add(a.pendingBytes());
            }
        }
        assertThat(steps).containsExactly(4096L, 8192L, 16384L, 32768L, 65536L, 66_024L);
        assertThat(r.status()).isEqualTo(Status.COMPLETE);
        assertThat(r.message()).isEqualTo(m);
        // no copy out: the array the message was built in is the one handed out, so the spares kept only the steps
        assertThat(spares.bytes()).isEqualTo(2048 + 4096 + 8192 + 16384 + 32768 + 65536);
        assertThat(a.pendingBytes()).isZero();
    }

    @Test
    void theInnerSizeIsTrustedUpToSixtyFourTimesTheFirstFragmentsData() {
        byte[] m = innerData(66_000); // 66 024 bytes
        assertThat(capacity(m, 4)).isEqualTo(2048);
        assertThat(capacity(m, 1_031)).isEqualTo(2048); // 64 × 1 031 = 65 984 < 66 024
        assertThat(capacity(m, 1_032)).isEqualTo(66_024);
        assertThat(capacity(m, 1_120)).isEqualTo(66_024); // UDP over IPv6 at 1 280 with crypto: 59×
        assertThat(capacity(m, 1_420)).isEqualTo(66_024); // Ethernet 1 500: 46.5×
        byte[] small = innerData(1_000 - 24);
        assertThat(capacity(small, 16)).isEqualTo(1_000); // 62.5×
        assertThat(capacity(small, 15)).as("never more than claimed").isEqualTo(1_000);
        byte[] mid = innerData(3_000 - 24);
        assertThat(capacity(mid, 40)).isEqualTo(2048); // 75×: starts small, grows to 3 000 at once
    }

    /** Sized at once, a message never grows: every later fragment adds 0 bytes, as growthFor says. */
    @Test
    void growthForIsZeroThroughoutAMessageSizedAtItsFirstFragment() {
        FragmentAssembler<String> a = new FragmentAssembler<>(1);
        assertThat(a.growthFor("k", 100)).isEqualTo(-1); // nothing in progress
        byte[] m = innerData(20_000);
        List<byte[]> frags = fragments(m, 1_400, 1_400);
        a.append("k", frags.get(0), 0, frags.get(0).length);
        assertThat(a.pendingBytes()).isEqualTo(m.length);
        for (int i = 1; i < frags.size() - 1; i++) {
            assertThat(a.growthFor("k", frags.get(i).length - 40)).isZero();
            a.append("k", frags.get(i), 0, frags.get(i).length);
        }
        assertThat(a.growthFor("k", Tipc.MAX_MSG_SIZE)).as("past MAX_MSG_SIZE: refused").isEqualTo(-1);
        // a claimed size that is too small is outgrown by doubling
        assertThat(a.growthFor("k", m.length)).isEqualTo(m.length); // 20 024 → 40 048
        byte[] last = frags.get(frags.size() - 1);
        assertThat(a.append("k", last, 0, last.length).message()).isEqualTo(m);
    }

    /** A double give kept one array twice: two later reassemblies would have been built in the same array. */
    @Test
    void anArrayGivenTwiceIsKeptOnce() {
        ReassemblySpares s = new ReassemblySpares(1 << 20, 8);
        byte[] b = new byte[5_000];
        s.give(b);
        s.give(b);
        assertThat(s.count()).isEqualTo(1);
        assertThat(s.bytes()).isEqualTo(5_000);
        assertThat(s.take(5_000)).isSameAs(b);
        assertThat(s.take(5_000)).isNull();
        // two reassemblies in progress at once (two keys) never share an array
        FragmentAssembler<String> a = new FragmentAssembler<>(2, s);
        byte[] m1 = innerData(5_000 - 24);
        byte[] m2 = innerData(5_000 - 24);
        java.util.Arrays.fill(m2, 24, m2.length, (byte) 9);
        s.give(b);
        s.give(b);
        List<byte[]> f1 = fragments(m1, 1_000, 1_000);
        List<byte[]> f2 = fragments(m2, 1_000, 1_000);
        Result r1 = null;
        Result r2 = null;
        for (int i = 0; i < f1.size(); i++) {
            r1 = a.append("one", f1.get(i), 0, f1.get(i).length);
            r2 = a.append("two", f2.get(i), 0, f2.get(i).length);
        }
        assertThat(r1.message()).isEqualTo(m1);
        assertThat(r2.message()).isEqualTo(m2);
    }
}
