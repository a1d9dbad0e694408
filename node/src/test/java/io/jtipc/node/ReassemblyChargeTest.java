package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jtipc.wire.FragmentAssembler;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * Review of issue 14: {@link LinkReassembly#roomFor} asks the node-wide total for exactly what the assembler will
 * allocate. Before, every fragment after a FIRST_FRAGMENT asked for a doubling step although the array was already of
 * the message's size (20 024 B asked per fragment of a 20 000-byte message, 0 needed), so with the total nearly full
 * the link stalled or reset for nothing; and a tiny first fragment claiming 66 060 B was charged 66 060 B.
 */
class ReassemblyChargeTest {
    static final int SRC = 0x01001001;
    static final int DST = 0x01001002;

    /** A direct message of {@code size} bytes (header included), split into fragments: {@code first} bytes, then {@code piece}. */
    static List<byte[]> fragments(int size, int first, int piece) {
        byte[] whole = new byte[size];
        TipcMsg in = new TipcMsg().wrap(whole, 0, size);
        Msg.init(in, SRC, Tipc.LOW_IMPORTANCE, Tipc.TIPC_DIRECT_MSG, Tipc.BASIC_H_SIZE, DST);
        in.setSize(size);
        for (int i = Tipc.BASIC_H_SIZE; i < size; i++) whole[i] = (byte) (i * 31);
        List<byte[]> out = new ArrayList<>();
        int pos = 0;
        while (pos < size) {
            int len = Math.min(out.isEmpty() ? first : piece, size - pos);
            int type = pos == 0 ? Tipc.FIRST_FRAGMENT : pos + len == size ? Tipc.LAST_FRAGMENT : Tipc.FRAGMENT;
            byte[] f = new byte[Tipc.INT_H_SIZE + len];
            TipcMsg h = new TipcMsg().wrap(f, 0, f.length);
            Msg.init(h, SRC, Tipc.MSG_FRAGMENTER, type, Tipc.INT_H_SIZE, DST);
            h.setSize(f.length);
            h.setFragmNo(out.size() + 1);
            System.arraycopy(whole, pos, f, Tipc.INT_H_SIZE, len);
            out.add(f);
            pos += len;
        }
        return out;
    }

    static byte[] whole(List<byte[]> frags) {
        int n = 0;
        for (byte[] f : frags) n += f.length - Tipc.INT_H_SIZE;
        byte[] w = new byte[n];
        int pos = 0;
        for (byte[] f : frags) {
            System.arraycopy(f, Tipc.INT_H_SIZE, w, pos, f.length - Tipc.INT_H_SIZE);
            pos += f.length - Tipc.INT_H_SIZE;
        }
        return w;
    }

    /** The reviewer's case: total 30 000 B, a 20 024-byte message sized at its first fragment; 9 976 B stay free. */
    @Test
    void fragmentsAfterAFirstFragmentThatSizedTheArrayNeedNoRoom() {
        HoldBudget total = new HoldBudget(30_000, 10, null);
        LinkReassembly r = new LinkReassembly(total);
        List<byte[]> frags = fragments(20_024, 1_400, 1_400);
        TipcMsg h = new TipcMsg();
        byte[] got = null;
        for (int i = 0; i < frags.size(); i++) {
            byte[] f = frags.get(i);
            assertThat(r.roomFor(h.wrap(f, 0, f.length), 0)).as("room for fragment %d", i + 1).isTrue();
            got = r.append(f, 0, f.length);
            assertThat(r.failed).isFalse();
            if (i < frags.size() - 1) assertThat(total.bytes()).isEqualTo(20_024);
        }
        assertThat(r.refused).isZero();
        assertThat(got).isEqualTo(whole(frags));
        assertThat(total.bytes()).isZero();
    }

    /**
     * A 44-byte first fragment claiming 66 024 B is charged 2 KiB (as before the inner size was read), and every
     * later fragment's room is asked exactly: a total with one byte less than the next growth refuses it, one with
     * exactly the growth takes it; the array ends at exactly 66 024 B.
     */
    @Test
    void aTinyFirstFragmentIsChargedTwoKibAndEveryGrowthExactly() {
        HoldBudget total = new HoldBudget(HoldBudget.REASM_TOTAL_BYTES, 10, null);
        LinkReassembly r = new LinkReassembly(total);
        FragmentAssembler<String> twin = new FragmentAssembler<>(1); // what the array will be after each fragment
        List<byte[]> frags = fragments(66_024, 4, 1_400); // the largest user message
        TipcMsg h = new TipcMsg();
        byte[] got = null;
        List<Long> steps = new ArrayList<>();
        for (int i = 0; i < frags.size(); i++) {
            byte[] f = frags.get(i);
            long charged = total.bytes();
            twin.append("k", f, 0, f.length);
            long grow = i == frags.size() - 1 ? 0 : twin.pendingBytes() - charged;
            if (grow > 0) {
                total.maxBytes = charged + grow - 1;
                assertThat(r.roomFor(h.wrap(f, 0, f.length), 0)).as("fragment %d, one byte short", i + 1).isFalse();
                steps.add(charged + grow);
            }
            total.maxBytes = charged + grow;
            assertThat(r.roomFor(h.wrap(f, 0, f.length), 0)).as("fragment %d, exact room", i + 1).isTrue();
            got = r.append(f, 0, f.length);
            assertThat(r.failed).isFalse();
            if (i < frags.size() - 1) assertThat(r.bytes()).isEqualTo(charged + grow);
        }
        assertThat(steps).containsExactly(2048L, 4096L, 8192L, 16384L, 32768L, 65536L, 66_024L);
        assertThat(got).isEqualTo(whole(frags));
        assertThat(total.bytes()).isZero();
    }

    /** A flood of tiny first fragments claiming 66 060 B each fills the total 2 KiB at a time, not 66 060 B. */
    @Test
    void tinyFirstFragmentsClaimingTheLargestSizeAreChargedTheOldStart() {
        HoldBudget total = new HoldBudget(HoldBudget.REASM_TOTAL_BYTES, HoldBudget.REASM_TOTAL_MESSAGES, null);
        byte[] first = fragments(Tipc.MAX_MSG_SIZE, 4, 1_400).get(0);
        assertThat(first).hasSize(44);
        List<LinkReassembly> links = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            LinkReassembly r = new LinkReassembly(total);
            assertThat(r.roomFor(new TipcMsg().wrap(first, 0, first.length), 0)).isTrue();
            assertThat(r.append(Arrays.copyOf(first, first.length), 0, first.length)).isNull();
            assertThat(r.bytes()).isEqualTo(2048);
            links.add(r);
        }
        assertThat(total.bytes()).isEqualTo(100 * 2048);
        for (LinkReassembly r : links) r.reset();
        assertThat(total.bytes()).isZero();
    }
}
