package io.jtipc.wire;

import static io.jtipc.wire.BodiesTest.innerData;
import static io.jtipc.wire.BodiesTest.msg;
import static org.assertj.core.api.Assertions.assertThat;

import io.jtipc.wire.FragmentAssembler.Result;
import io.jtipc.wire.FragmentAssembler.Status;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link FragmentAssembler#byNumber}: placement by fragm_no and seqno, duplicates, bounds. */
class FragmentByNumberTest {
    /** Fragments of {@code whole} in pieces of {@code piece} bytes, link seqnos from {@code firstSeq}. */
    static List<byte[]> fragments(byte[] whole, int piece, int firstSeq) {
        List<byte[]> out = new ArrayList<>();
        int n = (whole.length + piece - 1) / piece;
        for (int i = 0; i < n; i++) {
            int len = Math.min(piece, whole.length - i * piece);
            byte[] f = new byte[40 + len];
            int type = i == 0 ? Tipc.FIRST_FRAGMENT : i == n - 1 ? Tipc.LAST_FRAGMENT : Tipc.FRAGMENT;
            msg(f, Tipc.MSG_FRAGMENTER, type, 40, f.length).setFragmNo(i + 1).setSeqno((firstSeq + i) & 0xffff);
            System.arraycopy(whole, i * piece, f, 40, len);
            out.add(f);
        }
        return out;
    }

    static Result add(FragmentAssembler<String> a, String key, byte[] f) {
        return a.append(key, f, 0, f.length);
    }

    @Test
    void lateAndRepeatedFragmentsArePlacedByNumber() {
        byte[] whole = innerData(300);
        List<byte[]> f = fragments(whole, 100, 65534); // seqnos wrap: 65534, 65535, 0, 1
        assertThat(f).hasSize(4);
        FragmentAssembler<String> a = FragmentAssembler.byNumber(8, 4, 1 << 20);
        assertThat(add(a, "ab", f.get(0)).status()).isEqualTo(Status.INCOMPLETE);
        assertThat(add(a, "ab", f.get(2)).status()).isEqualTo(Status.INCOMPLETE);
        assertThat(add(a, "ab", f.get(2)).status()).isEqualTo(Status.INCOMPLETE); // duplicate skipped
        assertThat(add(a, "ab", f.get(3)).status()).isEqualTo(Status.INCOMPLETE);
        assertThat(a.inProgress()).isEqualTo(1);
        Result r = add(a, "ab", f.get(1)); // the late one completes
        assertThat(r.status()).isEqualTo(Status.COMPLETE);
        assertThat(r.message()).isEqualTo(whole);
        assertThat(r.givenUp()).isEmpty();
        // a retransmission of a delivered message's fragment is not a new message
        assertThat(add(a, "ab", f.get(1)).status()).isEqualTo(Status.INCOMPLETE);
        assertThat(a.inProgress()).isZero();
        assertThat(a.pendingBytes()).isZero();
    }

    @Test
    void keysAndMessagesAreApart() {
        byte[] w1 = innerData(250), w2 = innerData(150);
        List<byte[]> f1 = fragments(w1, 100, 10), f2 = fragments(w2, 100, 13), other = fragments(w1, 100, 10);
        FragmentAssembler<String> a = FragmentAssembler.byNumber(8, 4, 1 << 20);
        add(a, "ab", f1.get(0));
        add(a, "ba", other.get(0));
        add(a, "ab", f2.get(0));
        add(a, "ab", f1.get(1));
        assertThat(add(a, "ab", f2.get(1)).message()).isEqualTo(w2);
        assertThat(add(a, "ab", f1.get(2)).message()).isEqualTo(w1);
        assertThat(a.inProgress()).isEqualTo(1); // the other direction's first fragment
    }

    @Test
    void boundsGiveUpTheOldestWithAReport() {
        byte[] whole = innerData(250);
        FragmentAssembler<String> a = FragmentAssembler.byNumber(8, 2, 1 << 20);
        add(a, "ab", fragments(whole, 100, 100).get(0));
        add(a, "ab", fragments(whole, 100, 200).get(0));
        Result r = add(a, "ab", fragments(whole, 100, 300).get(0));
        assertThat(r.status()).isEqualTo(Status.INCOMPLETE);
        assertThat(r.givenUp()).singleElement().satisfies(m -> assertThat(m.reason()).contains("seqno 100").contains("given up"));
        assertThat(a.inProgress()).isEqualTo(2);
        // total bytes: other keys' incomplete messages are given up first
        FragmentAssembler<String> b = FragmentAssembler.byNumber(8, 4, 150);
        add(b, "k1", fragments(whole, 100, 1).get(0));
        Result s = add(b, "k2", fragments(whole, 100, 1).get(0));
        assertThat(s.givenUp()).singleElement().satisfies(m -> assertThat(m.reason()).contains("1 incomplete"));
        assertThat(b.inProgress()).isEqualTo(1);
        assertThat(b.pendingBytes()).as("100 data bytes and a table of 8 slots").isEqualTo(100 + 8 * 8);
    }

    /**
     * One 1-byte fragment numbered 4 200 per message makes a 4 200-slot table: the memory bound counts the tables
     * (8 bytes a slot), so a capture of such fragments from many endpoints holds at most the bound. Before, only the
     * data counted: 1 024 keys x 16 messages held 16 384 tables of ~34 KB (550 MB) under a 1 MiB bound.
     */
    @Test
    void theBoundCountsTheFragmentTables() {
        long bound = 1 << 20;
        FragmentAssembler<Integer> a = FragmentAssembler.byNumber(1024, 16, bound);
        byte[] f = new byte[41];
        msg(f, Tipc.MSG_FRAGMENTER, Tipc.FRAGMENT, 40, f.length).setFragmNo(FragmentAssembler.MAX_FRAGM_NO);
        long most = 0;
        for (int key = 0; key < 1024; key++) {
            for (int m = 0; m < 16; m++) {
                new TipcMsg().wrap(f, 0, f.length).setSeqno((m * 5000 + FragmentAssembler.MAX_FRAGM_NO) & 0xffff);
                assertThat(a.append(key, f, 0, f.length).status()).isEqualTo(Status.INCOMPLETE);
                most = Math.max(most, a.pendingBytes());
            }
        }
        long table = 8L * FragmentAssembler.MAX_FRAGM_NO;
        assertThat(most).isLessThanOrEqualTo(bound + table + 1);
        assertThat(a.inProgress()).isLessThanOrEqualTo((int) (bound / table) + 1);
    }

    @Test
    void numbersMustFitTypes() {
        byte[] f = new byte[60];
        msg(f, Tipc.MSG_FRAGMENTER, Tipc.FIRST_FRAGMENT, 40, 60).setFragmNo(3);
        FragmentAssembler<String> a = FragmentAssembler.byNumber(8, 4, 1 << 20);
        assertThat(add(a, "k", f).malformation().field()).isEqualTo("fragm_no");
        msg(f, Tipc.MSG_FRAGMENTER, 5, 40, 60).setFragmNo(2);
        assertThat(add(a, "k", f).malformation().field()).isEqualTo("type");
        msg(f, Tipc.MSG_FRAGMENTER, Tipc.FRAGMENT, 40, 60).setFragmNo(FragmentAssembler.MAX_FRAGM_NO + 1);
        assertThat(add(a, "k", f).malformation().field()).isEqualTo("fragm_no");
        assertThat(a.inProgress()).isZero();
    }

    @Test
    void failoverPiecesCompleteAtTheirCountEvenAlone() {
        byte[] whole = innerData(30);
        byte[] t = new byte[40 + whole.length];
        msg(t, Tipc.TUNNEL_PROTOCOL, Tipc.FAILOVER_MSG, 40, t.length).setFragmNo(1).setNofFragms(1).setMsgcnt(1);
        System.arraycopy(whole, 0, t, 40, whole.length);
        FragmentAssembler<String> a = FragmentAssembler.byNumber(8, 4, 1 << 20);
        Result r = add(a, "tnl", t);
        assertThat(r.status()).isEqualTo(Status.COMPLETE);
        assertThat(r.message()).isEqualTo(whole);
        // in order (tipc_link_tnl_rcv + tipc_buf_append), 1 of 1 counts as FIRST and waits
        FragmentAssembler<String> k = new FragmentAssembler<>(1);
        assertThat(k.isByNumber()).isFalse();
        assertThat(k.append("tnl", t, 0, t.length).status()).isEqualTo(Status.INCOMPLETE);
    }
}
