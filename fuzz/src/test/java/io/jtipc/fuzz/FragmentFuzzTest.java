package io.jtipc.fuzz;

import static io.jtipc.fuzz.Checks.check;
import static io.jtipc.fuzz.Checks.precise;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.jtipc.wire.FragmentAssembler;
import io.jtipc.wire.Malformation;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcCodec;
import io.jtipc.wire.TipcMsg;

/**
 * Fuzz target for fragment reassembly ({@link FragmentAssembler}, wire): the node's links use its in-order mode
 * ({@code tipc_buf_append}), the capture dissector its by-number mode. The input is a sequence of frames
 * ({@link Frames}); the control byte's bits 0-1 pick one of four reassembly keys (links / link directions), bit 2
 * feeds the frame to the in-order assembler only, bit 3 to the by-number one only, bits 4-5 = 3 reset the key first,
 * bits 6-7 = 3 clear everything first.
 *
 * <p>Checked after every frame: the result has a status; COMPLETE carries a message that passes validateFrame,
 * ERROR and every message given up name a field ({@link Checks#precise}); the by-number assembler holds at most
 * {@link #MAX_PENDING_BYTES} bytes plus what the key that last grew holds itself (its bound gives up the other keys'
 * messages, FragmentAssembler's class comment), and {@link #MAX_KEYS} × {@link #MAX_PENDING_PER_KEY} incomplete
 * messages; the in-order one at most {@link #MAX_KEYS} reassemblies.
 *
 * <p>Seeds: a real message of samples/eth-6.1.pcap cut into fragments on two interleaved keys, as FIRST / FRAGMENT /
 * LAST messages and as fragmented FAILOVER tunnel pieces; the capture's own first and last fragments of a 66000-byte
 * message.
 */
class FragmentFuzzTest {
    static final int MAX_KEYS = 3;
    static final int MAX_PENDING_PER_KEY = 2;
    /** Small, so that inputs of a few KiB (libFuzzer's default length limit is 4096) can reach it. */
    static final long MAX_PENDING_BYTES = 600;

    private static final Runs RUNS = new Runs("fragments");

    @MethodSource("seeds")
    @FuzzTest
    void reassemble(byte[] data) {
        RUNS.count();
        FragmentAssembler<Integer> inOrder = new FragmentAssembler<>(MAX_KEYS);
        FragmentAssembler<Integer> byNumber = FragmentAssembler.byNumber(MAX_KEYS, MAX_PENDING_PER_KEY, MAX_PENDING_BYTES);
        long[] fed = new long[4]; // bytes given to the by-number assembler per key since its last reset
        int grown = -1; // the key whose append last added bytes to the by-number assembler
        for (Frames.Frame f : Frames.split(data)) {
            int c = f.control();
            Integer key = c & 3;
            if ((c >>> 6) == 3) {
                inOrder.clear();
                byNumber.clear();
                java.util.Arrays.fill(fed, 0);
                grown = -1;
            } else if ((c >>> 4 & 3) == 3) {
                inOrder.reset(key);
                byNumber.reset(key);
                fed[key] = 0;
            }
            byte[] b = f.bytes();
            if ((c & 8) == 0) {
                result("in-order", inOrder.append(key, b, 0, b.length));
                check(inOrder.inProgress() <= MAX_KEYS, "in-order: " + inOrder.inProgress() + " reassemblies > " + MAX_KEYS);
            }
            if ((c & 4) == 0) {
                long before = byNumber.pendingBytes(), ownBefore = byNumber.pendingBytes(key);
                result("by-number", byNumber.append(key, b, 0, b.length));
                fed[key] += b.length;
                // grown: the key charged last (its holding grew, even if the bound then gave up more of the others)
                if (byNumber.pendingBytes() > before || byNumber.pendingBytes(key) > ownBefore) grown = key;
                // the bound gives up other keys' messages, never those of the key that just grew (class comment); what
                // that key holds is its data and its messages' fragment tables (8 bytes a slot, at most 2 x fragm_no)
                long own = grown < 0 ? 0 : byNumber.pendingBytes(grown);
                check(own <= (grown < 0 ? 0 : fed[grown]) + MAX_PENDING_PER_KEY * 16L * FragmentAssembler.MAX_FRAGM_NO,
                    "by-number holds " + own + " bytes for key " + grown + ", fed " + (grown < 0 ? 0 : fed[grown]));
                check(byNumber.pendingBytes() >= 0 && byNumber.pendingBytes() <= MAX_PENDING_BYTES + own, "by-number holds "
                    + byNumber.pendingBytes() + " bytes > " + MAX_PENDING_BYTES + " + what key " + grown + " holds");
                check(byNumber.inProgress() <= MAX_KEYS * MAX_PENDING_PER_KEY,
                    "by-number: " + byNumber.inProgress() + " incomplete messages");
            }
        }
    }

    private static void result(String mode, FragmentAssembler.Result r) {
        check(r != null && r.status() != null, mode + ": no result");
        precise(mode, r.malformation());
        for (Malformation g : r.givenUp()) {
            check(!g.isOk(), mode + ": OK among the messages given up");
            precise(mode + " given up", g);
        }
        switch (r.status()) {
            case COMPLETE -> {
                check(r.malformation().isOk() && r.message() != null, mode + ": COMPLETE without message");
                check(TipcCodec.validateFrame(r.message(), 0, r.message().length).isOk(),
                    mode + ": reassembled message does not validate");
            }
            case ERROR -> check(!r.malformation().isOk() && r.message() == null, mode + ": ERROR without problem");
            case INCOMPLETE -> check(r.message() == null && r.malformation().isOk(), mode + ": INCOMPLETE with a message");
        }
    }

    @AfterAll
    static void report() {
        RUNS.report(seedList().size());
    }

    static Stream<Arguments> seeds() {
        List<String> names = List.of("MSG_FRAGMENTER, two keys interleaved", "FAILOVER pieces, two keys",
            "first and last fragments of a 66000-byte capture message");
        List<byte[]> seeds = seedList();
        return java.util.stream.IntStream.range(0, seeds.size()).mapToObj(i -> Arguments.of(Named.of(names.get(i), seeds.get(i))));
    }

    static List<byte[]> seedList() {
        List<byte[]> msgs = Captures.ethMessages();
        // a whole unfragmented data message of the capture (an RDM echo of 100 bytes) to cut into pieces
        byte[] whole = msgs.stream().filter(m -> new TipcMsg().wrap(m, 0, m.length).user() <= Tipc.CRITICAL_IMPORTANCE
            && m.length > 100).findFirst().orElseThrow();
        List<byte[]> seeds = new ArrayList<>();
        Frames.Builder fragments = new Frames.Builder();
        Frames.Builder tunnel = new Frames.Builder();
        List<byte[]> k0 = pieces(whole, 48, false, 100);
        List<byte[]> k1 = pieces(whole, 36, false, 200);
        List<byte[]> t0 = pieces(whole, 40, true, 300);
        List<byte[]> t1 = pieces(whole, 64, true, 400);
        for (int i = 0; i < Math.max(k0.size(), k1.size()); i++) {
            if (i < k0.size()) fragments.add(0, k0.get(i));
            if (i < k1.size()) fragments.add(1, k1.get(i));
        }
        for (int i = 0; i < Math.max(t0.size(), t1.size()); i++) {
            if (i < t0.size()) tunnel.add(2, t0.get(i));
            if (i < t1.size()) tunnel.add(3, t1.get(i));
        }
        seeds.add(fragments.build());
        seeds.add(tunnel.build());
        // the capture's own fragments (user 12) of the first large message: first two and the last
        List<byte[]> real = msgs.stream().filter(m -> new TipcMsg().wrap(m, 0, m.length).user() == Tipc.MSG_FRAGMENTER).toList();
        int last = 0;
        while (last < real.size() && new TipcMsg().wrap(real.get(last), 0, real.get(last).length).type() != Tipc.LAST_FRAGMENT) last++;
        Frames.Builder capture = new Frames.Builder();
        capture.add(0, real.get(0)).add(0, real.get(1)).add(0, real.get(Math.min(last, real.size() - 1)));
        seeds.add(capture.build());
        return seeds;
    }

    /**
     * {@code whole} cut into pieces of {@code piece} bytes, each in a 40-byte MSG_FRAGMENTER header (FIRST, FRAGMENT,
     * LAST; fragm_no from 1; link seqno from {@code seqno}), or as FAILOVER tunnel pieces (nof_fragms = count).
     */
    static List<byte[]> pieces(byte[] whole, int piece, boolean failover, int seqno) {
        int n = (whole.length + piece - 1) / piece;
        List<byte[]> out = new ArrayList<>();
        TipcMsg src = new TipcMsg().wrap(whole, 0, whole.length);
        for (int i = 0; i < n; i++) {
            int from = i * piece;
            int len = Math.min(piece, whole.length - from);
            byte[] f = new byte[Tipc.INT_H_SIZE + len];
            TipcMsg m = new TipcMsg().wrap(f, 0, f.length);
            if (failover) {
                m.init(src.prevnode(), Tipc.TUNNEL_PROTOCOL, Tipc.FAILOVER_MSG, Tipc.INT_H_SIZE, src.destnode());
                m.setNofFragms(n);
            } else {
                int type = i == 0 ? Tipc.FIRST_FRAGMENT : i == n - 1 ? Tipc.LAST_FRAGMENT : Tipc.FRAGMENT;
                m.init(src.prevnode(), Tipc.MSG_FRAGMENTER, type, Tipc.INT_H_SIZE, src.destnode());
            }
            m.setSize(f.length).setFragmNo(i + 1).setSeqno(seqno + i);
            System.arraycopy(whole, from, f, Tipc.INT_H_SIZE, len);
            out.add(f);
        }
        return out;
    }
}
