package io.jtipc.wire;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reassembles MSG_FRAGMENTER messages, one reassembly stream per caller-chosen key (e.g. a link, a
 * (node, bearer) pair, a captured link direction). Two modes:
 *
 * <p><b>In order</b> ({@link #FragmentAssembler(int)}, what a node's link uses): exactly as
 * {@code tipc_buf_append} ({@code net/tipc/msg.c}), which relies on the link delivering packets in
 * sequence without duplicates:
 * <ul>
 *   <li>FIRST_FRAGMENT (type 0) starts a reassembly; one already in progress for the key is an
 *       error and both are dropped (the kernel then fails the link);</li>
 *   <li>any other type appends its data area; without a reassembly in progress it is an error;
 *       types other than 0 and 2 are treated as FRAGMENT, as in the kernel;</li>
 *   <li>LAST_FRAGMENT (type 2) completes: the concatenated bytes (a whole TIPC message, header
 *       included) must pass {@link TipcCodec#validateFrame}.</li>
 * </ul>
 * Fragment numbers (w4) are not checked, like the kernel. At most {@code maxKeys} reassemblies
 * (the oldest is evicted) and {@link Tipc#MAX_MSG_SIZE} bytes each.
 *
 * <p><b>By fragment number</b> ({@link #byNumber}, what a capture dissector needs): packets come in wire
 * order, with retransmissions and late packets, so a fragment is placed by its number: a fragment with
 * link seqno S (w2 bits 15-0) and fragm_no F (w4 bits 31-16, 1-based) belongs to the message whose first
 * fragment has seqno S - F + 1, and that message completes once its first through last fragments are
 * all there, in whatever order they came. A fragment seen twice, or one of a message completed recently
 * (the last 32 per key), is skipped. FIRST_FRAGMENT must be number 1 and the others above 1; types above
 * LAST_FRAGMENT are errors. Bounded: at most {@code maxKeys} keys (least recently used dropped),
 * {@code maxPendingPerKey} incomplete messages per key (the oldest is given up) and
 * {@code maxPendingBytes} held in all (incomplete messages of the least recently used other keys given up);
 * every message given up is reported in {@link Result#givenUp()}.
 *
 * <p>In both modes, fragmented TUNNEL_PROTOCOL FAILOVER packets ({@code tipc_msg_fragment}, peers with
 * TIPC_TUNNEL_ENHANCED: nof_fragms &gt; 0) are accepted too: as {@code tipc_link_tnl_rcv} does, fragm_no 1
 * counts as FIRST, fragm_no &lt; nof_fragms as FRAGMENT, otherwise LAST. Use a key separate from the
 * link's ordinary reassembly (the kernel keeps {@code reasm_tnlmsg} apart). Never throws on bad bytes.
 * Not thread safe.
 */
public final class FragmentAssembler<K> {
    /** Outcome of {@link #append}. */
    public enum Status { INCOMPLETE, COMPLETE, ERROR }

    /** Highest fragment number accepted by number (66060 bytes in pieces of at least 16). */
    public static final int MAX_FRAGM_NO = 4200;

    /** Result: status, the whole message when COMPLETE, the problem when ERROR. */
    public static final class Result {
        private final Status status;
        private final byte[] message;
        private final Malformation problem;
        private final List<Malformation> givenUp;

        Result(Status status, byte[] message, Malformation problem) {
            this(status, message, problem, Collections.emptyList());
        }

        Result(Status status, byte[] message, Malformation problem, List<Malformation> givenUp) {
            this.status = status;
            this.message = message;
            this.problem = problem;
            this.givenUp = givenUp;
        }

        public Status status() { return status; }
        /** The reassembled message (header + data) when COMPLETE, else null. */
        public byte[] message() { return message; }
        /** OK unless ERROR. */
        public Malformation malformation() { return problem; }
        /**
         * Incomplete messages given up during this call to stay within the bounds (by-number mode; empty
         * otherwise), whatever the status.
         */
        public List<Malformation> givenUp() { return givenUp; }
    }

    private static final Result INCOMPLETE = new Result(Status.INCOMPLETE, null, Malformation.OK);

    private final boolean byNumber;
    private final int maxKeys;
    private final TipcMsg m = new TipcMsg();
    private long evictions;

    // ---- in order
    private static final class Buf {
        byte[] data;
        int len;
        /** The size the array grows towards ({@link #grownCapacity}): the inner header's, else MAX_MSG_SIZE. */
        final int target;

        Buf(byte[] data, int target) {
            this.data = data;
            this.target = target;
        }
    }

    /**
     * Initial in-order buffer, bytes, when the first fragment's inner size is unreadable or implausible ({@link
     * #firstCapacity}): 2 KiB, grown by doubling towards the claimed size ({@link #grownCapacity}).
     */
    private static final int FIRST_BUFFER = 2048;
    /**
     * A FIRST_FRAGMENT's inner size is trusted to size the array at once only up to this many times the fragment's
     * data bytes: 64. The kernel fills the first fragment to the sender's link MSS (msg.c tipc_msg_build: pktmax =
     * tipc_link_mss = link MTU - 40, minus 32 with crypto; data = pktmax - 40; tipc_msg_fragment for FAILOVER
     * likewise), so a 66 060-byte message over Ethernet (MTU 1500, 1 388-1 420 data bytes) claims 46.5-47.6×, over
     * UDP on an IPv6 minimum MTU (1280: link MTU 1232, 1 120-1 152 data bytes) 57.3-59×; 64 covers every link MTU from
     * 1 145 bytes up. Below (TIPC's minimum bearer MTU is 100, bearer.h TIPC_MIN_BEARER_MTU), or from a peer that
     * claims a large size in a tiny fragment, the array starts at {@link #FIRST_BUFFER} and doubles: the reassembly
     * still works, and a peer pays at least 1/64 of what it makes the node allocate (jtipc's rule, issue 14 review).
     */
    public static final int PLAUSIBLE_SHARE = 64;
    /**
     * In-order buffers kept for reuse by an assembler that was given no shared {@link ReassemblySpares}, at most, count
     * (and {@link #MAX_SPARE_BYTES} in bytes): arrays outgrown or finished are reused by a later reassembly needing
     * exactly their length (a finished array handed out as the message is not kept), so a stream of equally
     * fragmented messages allocates only the messages it returns (issue 14; the kernel chains the fragments' buffers
     * instead, tipc_buf_append). Lengths, and so {@link #pendingBytes()}, are exactly what they would be without
     * reuse. {@link #clear()} drops them. A program with many assemblers (a node: one per link) gives them all one
     * bounded {@link ReassemblySpares} instead.
     */
    static final int MAX_SPARES = 6;
    /**
     * Bytes of reuse arrays kept per assembler at most: 192 KiB, the steps of one message that doubles from 2 KiB to
     * 66 060 B (an unreadable or implausible inner size: {@link #PLAUSIBLE_SHARE}); a message sized at its first
     * fragment leaves no steps.
     */
    static final int MAX_SPARE_BYTES = 192 << 10;
    /** Where outgrown and finished arrays are kept: this assembler's own, or one shared with others. */
    private final ReassemblySpares spares;
    /** Whether {@link #spares} is this assembler's own (then {@link #clear()} empties it). */
    private final boolean ownSpares;

    /** An array of exactly {@code len} bytes: a spare one if there is one (content undefined), else a new one. */
    private byte[] array(int len) {
        byte[] b = spares.take(len);
        return b != null ? b : new byte[len];
    }

    /** Keeps {@code b} for {@link #array} if the spares' bounds allow. */
    private void spare(byte[] b) {
        spares.give(b);
    }

    private final LinkedHashMap<K, Buf> inProgress = new LinkedHashMap<>();
    /** Lengths of the arrays in {@link #inProgress}, summed ({@link #pendingBytes()} without an iterator per call). */
    private long inOrderBytes;

    /** Uncounts a buffer just removed from {@link #inProgress} (null: none was there). */
    private void dropped(Buf b) {
        if (b != null) inOrderBytes -= b.data.length;
    }

    // ---- by number
    private final int maxPendingPerKey;
    private final long maxPendingBytes;
    private long pendingBytes;
    private List<Malformation> notes;
    private final LinkedHashMap<K, Direction> directions;

    /** In-order mode (tipc_buf_append); {@code maxKeys} ≥ 1 concurrent reassemblies. */
    public FragmentAssembler(int maxKeys) {
        this(false, maxKeys, 1, Long.MAX_VALUE, null);
    }

    /**
     * In-order mode (tipc_buf_append) keeping outgrown and finished arrays in {@code spares}, which other assemblers
     * may share: what they keep together is bounded by its limits ({@link #clear()} leaves it alone).
     *
     * @param maxKeys concurrent reassemblies (≥ 1)
     * @param spares  the shared arrays kept for reuse
     */
    public FragmentAssembler(int maxKeys, ReassemblySpares spares) {
        this(false, maxKeys, 1, Long.MAX_VALUE, java.util.Objects.requireNonNull(spares, "spares"));
    }

    /**
     * By-number mode for captures (see the class comment).
     *
     * @param maxKeys          keys with state kept at once (≥ 1)
     * @param maxPendingPerKey incomplete messages kept per key (≥ 1)
     * @param maxPendingBytes  fragment bytes held for incomplete messages in all keys
     */
    public static <K> FragmentAssembler<K> byNumber(int maxKeys, int maxPendingPerKey, long maxPendingBytes) {
        return new FragmentAssembler<>(true, maxKeys, maxPendingPerKey, maxPendingBytes, null);
    }

    private FragmentAssembler(boolean byNumber, int maxKeys, int maxPendingPerKey, long maxPendingBytes,
                              ReassemblySpares shared) {
        this.ownSpares = shared == null;
        this.spares = shared != null ? shared : new ReassemblySpares(byNumber ? 0 : MAX_SPARE_BYTES, byNumber ? 0 : MAX_SPARES);
        if (maxKeys < 1) throw new IllegalArgumentException("maxKeys must be >= 1");
        if (maxPendingPerKey < 1) throw new IllegalArgumentException("maxPendingPerKey must be >= 1");
        this.byNumber = byNumber;
        this.maxKeys = maxKeys;
        this.maxPendingPerKey = maxPendingPerKey;
        this.maxPendingBytes = maxPendingBytes;
        this.directions = !byNumber ? null : new LinkedHashMap<>(64, 0.75f, true) {
            @Override protected boolean removeEldestEntry(Map.Entry<K, Direction> e) {
                if (size() <= FragmentAssembler.this.maxKeys) return false;
                pendingBytes -= e.getValue().bytes();
                evictions++;
                return true;
            }
        };
    }

    /** True in by-number mode. */
    public boolean isByNumber() { return byNumber; }

    /**
     * Adds one MSG_FRAGMENTER message (or fragmented FAILOVER piece), whole message with its header,
     * for {@code key}.
     */
    public Result append(K key, byte[] buf, int off, int len) {
        Malformation frame = TipcCodec.validateFrame(buf, off, len);
        if (!frame.isOk()) {
            if (!byNumber) dropped(inProgress.remove(key));
            return new Result(Status.ERROR, null, frame);
        }
        m.wrap(buf, off, len);
        int type;
        boolean tunnel = false;
        if (m.user() == Tipc.MSG_FRAGMENTER) {
            type = m.type();
        } else if (m.user() == Tipc.TUNNEL_PROTOCOL && m.nofFragms() != 0) {
            int no = m.fragmNo();
            type = no == 1 ? Tipc.FIRST_FRAGMENT : no < m.nofFragms() ? Tipc.FRAGMENT : Tipc.LAST_FRAGMENT;
            tunnel = true;
        } else {
            return new Result(Status.ERROR, null, Malformation.of("user", "user " + m.user()
                + " is neither MSG_FRAGMENTER (12) nor a fragmented TUNNEL_PROTOCOL (10) message"));
        }
        return byNumber ? appendByNumber(key, type, tunnel) : appendInOrder(key, type);
    }

    // ------------------------------------------------------------------ in order (tipc_buf_append)

    private Result appendInOrder(K key, int type) {
        Buf head = inProgress.get(key);
        if (type == Tipc.FIRST_FRAGMENT) {
            if (head != null) {
                dropped(inProgress.remove(key));
                return new Result(Status.ERROR, null,
                    Malformation.of("type", "FIRST_FRAGMENT while a reassembly is in progress"));
            }
            int target = claimedSize(m);
            head = new Buf(array(firstCapacity(m)), target > 0 ? target : Tipc.MAX_MSG_SIZE);
            if (!add(head, m)) {
                return tooBig();
            }
            if (inProgress.size() >= maxKeys) {
                Iterator<Map.Entry<K, Buf>> it = inProgress.entrySet().iterator();
                dropped(it.next().getValue());
                it.remove();
                evictions++;
            }
            inProgress.put(key, head);
            inOrderBytes += head.data.length;
            return INCOMPLETE;
        }
        if (head == null) {
            return new Result(Status.ERROR, null, Malformation.of("type",
                (type == Tipc.LAST_FRAGMENT ? "LAST_FRAGMENT" : "FRAGMENT") + " without FIRST_FRAGMENT"));
        }
        int before = head.data.length;
        boolean added = add(head, m);
        inOrderBytes += head.data.length - before;
        if (!added) {
            dropped(inProgress.remove(key));
            return tooBig();
        }
        if (type != Tipc.LAST_FRAGMENT) return INCOMPLETE;
        dropped(inProgress.remove(key));
        byte[] whole;
        if (head.len == head.data.length) {
            whole = head.data; // sized exactly from the inner header (firstCapacity): handed out as it is, no copy
        } else {
            whole = Arrays.copyOf(head.data, head.len);
            spare(head.data);
        }
        return complete(whole, Collections.emptyList());
    }

    /**
     * The array length an in-order reassembly starts with for this FIRST_FRAGMENT ({@code first} wraps the whole
     * fragment, header included): the reassembled message's own size, read from the inner header at the start of the
     * fragment's data area (w0 bits 16-0, msg_size), when that is readable, at least this fragment's data, at most
     * {@link Tipc#MAX_MSG_SIZE} and at most {@link #PLAUSIBLE_SHARE} times this fragment's data; otherwise {@link
     * #FIRST_BUFFER} (or this fragment's data if larger, never more than a readable claimed size), grown by doubling
     * towards the claimed size as fragments come ({@link #grownCapacity}). jtipc's rule (issue 14): a message whose
     * fragments are all there is then built in one array of exactly its size, with no copy when it is handed out (and
     * none while it grows when sized at once). The kernel chains
     * the fragments' buffers instead and reads the inner size only at the end (msg.c tipc_buf_append,
     * tipc_msg_validate); what is accepted or refused does not change, only the first array's size: a peer's
     * inner size that is wrong makes the array grow (too small) or the message be copied out (too large), as before.
     *
     * @param first a MSG_FRAGMENTER FIRST_FRAGMENT (or the first piece of a fragmented FAILOVER message)
     * @return bytes, between 1 and {@link Tipc#MAX_MSG_SIZE}
     */
    public static int firstCapacity(TipcMsg first) {
        int n = firstData(first);
        int inner = claimedSize(first);
        if (inner > 0 && inner <= (long) PLAUSIBLE_SHARE * n) return inner;
        return Math.min(inner > 0 ? inner : Tipc.MAX_MSG_SIZE, Math.max(FIRST_BUFFER, n));
    }

    /** Data bytes of a first fragment that are really in its buffer. */
    private static int firstData(TipcMsg first) {
        return Math.max(0, Math.min(first.dataSize(), first.buffer().length - first.dataOffset()));
    }

    /**
     * The reassembled message's size claimed by the inner header at the start of a first fragment's data (w0 bits
     * 16-0, msg_size), if readable and between the fragment's data bytes and {@link Tipc#MAX_MSG_SIZE}, else 0.
     */
    private static int claimedSize(TipcMsg first) {
        int n = firstData(first);
        if (n < 4) return 0;
        byte[] b = first.buffer();
        int o = first.dataOffset();
        int inner = ((b[o + 1] & 0x01) << 16) | ((b[o + 2] & 0xff) << 8) | (b[o + 3] & 0xff); // w0 bits 16-0
        return inner >= n && inner <= Tipc.MAX_MSG_SIZE ? Math.max(1, inner) : 0;
    }

    /**
     * The array length a reassembly of capacity {@code cap} has once it holds {@code need} bytes (at most {@link
     * Tipc#MAX_MSG_SIZE}): unchanged if they fit, else doubled (at least {@code need}), but never past {@code target}
     * (the first fragment's claimed size, else MAX_MSG_SIZE) while {@code need} is within it, so a message started
     * small ({@link #PLAUSIBLE_SHARE}) still ends in an array of exactly its size, handed out without a copy; a
     * claimed size that was too small is outgrown by doubling, up to MAX_MSG_SIZE.
     */
    static int grownCapacity(int cap, int need, int target) {
        if (need <= cap) return cap;
        long doubled = Math.max(2L * cap, need);
        return (int) Math.min(need <= target ? target : Tipc.MAX_MSG_SIZE, doubled);
    }

    /**
     * Bytes the array of {@code key}'s in-order reassembly grows by when a fragment with {@code dataBytes} data bytes
     * is appended: exactly what {@link #append} will then add to {@link #pendingBytes()} (0 when the array has room),
     * so a caller can charge a budget before appending.
     *
     * @return bytes ≥ 0, or -1 if there is no in-order reassembly for {@code key} or the fragment would take it past
     *         {@link Tipc#MAX_MSG_SIZE} (then {@link #append} fails it)
     */
    public int growthFor(K key, int dataBytes) {
        Buf b = byNumber ? null : inProgress.get(key);
        if (b == null || dataBytes < 0 || (long) b.len + dataBytes > Tipc.MAX_MSG_SIZE) return -1;
        return grownCapacity(b.data.length, b.len + dataBytes, b.target) - b.data.length;
    }

    private static Result complete(byte[] whole, List<Malformation> givenUp) {
        Malformation v = TipcCodec.validateFrame(whole, 0, whole.length);
        if (!v.isOk()) {
            return new Result(Status.ERROR, null, Malformation.of("reassembled." + v.field(), v.reason()), givenUp);
        }
        return new Result(Status.COMPLETE, whole, Malformation.OK, givenUp);
    }

    private static Result tooBig() {
        return new Result(Status.ERROR, null, Malformation.of("size", "reassembled message exceeds " + Tipc.MAX_MSG_SIZE + " bytes"));
    }

    private boolean add(Buf b, TipcMsg m) {
        int n = m.dataSize();
        if (b.len + n > Tipc.MAX_MSG_SIZE) return false;
        if (b.len + n > b.data.length) {
            byte[] grown = array(grownCapacity(b.data.length, b.len + n, b.target));
            System.arraycopy(b.data, 0, grown, 0, b.len);
            spare(b.data);
            b.data = grown;
        }
        System.arraycopy(m.buffer(), m.dataOffset(), b.data, b.len, n);
        b.len += n;
        return true;
    }

    // ------------------------------------------------------------------ by fragment number (captures)

    /** One message being rebuilt: payloads by fragment number. */
    /** Bytes charged per slot of an assembly's fragment table (a reference, with room for the JVM's). */
    private static final long TABLE_SLOT = 8;

    private static final class Assembly {
        final int base;
        byte[][] pieces = new byte[8][];
        int count;
        int bytes;
        int lastNo = -1;

        Assembly(int base) {
            this.base = base;
        }

        /** Bytes it holds: its fragments' data and its table of them (8 bytes a slot), as charged to pendingBytes. */
        long held() {
            return bytes + TABLE_SLOT * (long) pieces.length;
        }
    }

    /** State of one key: incomplete messages (oldest first) and the first seqnos of recent completions. */
    private static final class Direction {
        final ArrayList<Assembly> pending = new ArrayList<>(4);
        private final int[] done = new int[32];
        private int doneN, doneNext;

        long bytes() {
            long n = 0;
            for (Assembly a : pending) n += a.held();
            return n;
        }

        Assembly find(int base) {
            for (int i = 0, n = pending.size(); i < n; i++) {
                Assembly a = pending.get(i);
                if (a.base == base) return a;
            }
            return null;
        }

        boolean recentlyDone(int base) {
            for (int i = 0; i < doneN; i++) if (done[i] == base) return true;
            return false;
        }

        void markDone(int base) {
            done[doneNext] = base;
            doneNext = (doneNext + 1) % done.length;
            if (doneN < done.length) doneN++;
        }
    }

    private Result appendByNumber(K key, int type, boolean tunnel) {
        int fragNo = m.fragmNo();
        if (tunnel) {
            if (fragNo == 0) return error("fragm_no", "tunnel piece number 0 (pieces count from 1)");
        } else {
            if (type > Tipc.LAST_FRAGMENT) {
                return error("type", "fragment type " + type + " is not FIRST/FRAGMENT/LAST");
            }
            if (fragNo == 0 || (type == Tipc.FIRST_FRAGMENT) != (fragNo == 1)) {
                return error("fragm_no", "fragment number " + fragNo + " with type " + type
                    + " (FIRST_FRAGMENT is number 1, the others count on from it)");
            }
        }
        if (fragNo > MAX_FRAGM_NO) return error("fragm_no", "fragment number " + fragNo + " above " + MAX_FRAGM_NO);
        notes = null;
        Direction d = directions.get(key);
        if (d == null) {
            d = new Direction();
            directions.put(key, d);
        }
        int base = (m.seqno() - fragNo + 1) & 0xffff;
        if (d.recentlyDone(base)) return INCOMPLETE; // retransmission of a fragment of a delivered message
        Assembly a = d.find(base);
        if (a == null) {
            if (d.pending.size() >= maxPendingPerKey) {
                Assembly old = d.pending.remove(0);
                pendingBytes -= old.held();
                note(Malformation.of("fragments", "message whose first fragment has seqno " + old.base + " given up: "
                    + old.count + " fragment(s) captured, the rest never seen"));
            }
            a = new Assembly(base);
            d.pending.add(a);
            pendingBytes += a.held();
        }
        if (fragNo > a.pieces.length) {
            // the table is charged too: one 1-byte fragment numbered 4 200 makes a 33 600-byte one
            int grown = Math.max(fragNo, a.pieces.length * 2);
            pendingBytes += TABLE_SLOT * (long) (grown - a.pieces.length);
            a.pieces = Arrays.copyOf(a.pieces, grown);
        }
        if (pendingBytes > maxPendingBytes) shed(d); // a new message or a grown table may be what went over
        if (a.pieces[fragNo - 1] != null) return notesOr(INCOMPLETE); // captured twice: a retransmission
        int n = m.dataSize();
        if (a.bytes + n > Tipc.MAX_MSG_SIZE) {
            d.pending.remove(a);
            pendingBytes -= a.held();
            return withNotes(Status.ERROR, null, Malformation.of("size", "reassembled message would exceed "
                + Tipc.MAX_MSG_SIZE + " bytes"));
        }
        a.pieces[fragNo - 1] = Arrays.copyOfRange(m.buffer(), m.dataOffset(), m.dataOffset() + n);
        a.count++;
        a.bytes += n;
        pendingBytes += n;
        if (pendingBytes > maxPendingBytes) shed(d);
        // a tunnel piece numbered nof_fragms is the last one (even the only one)
        if (tunnel ? fragNo >= m.nofFragms() : type == Tipc.LAST_FRAGMENT) a.lastNo = fragNo;
        if (a.lastNo < 0 || a.count < a.lastNo) return notesOr(INCOMPLETE);
        for (int i = 0; i < a.lastNo; i++) if (a.pieces[i] == null) return notesOr(INCOMPLETE);
        byte[] whole = new byte[a.bytes];
        int len = 0;
        for (int i = 0; i < a.lastNo; i++) {
            System.arraycopy(a.pieces[i], 0, whole, len, a.pieces[i].length);
            len += a.pieces[i].length;
        }
        d.pending.remove(a);
        pendingBytes -= a.held();
        d.markDone(base);
        return complete(len == whole.length ? whole : Arrays.copyOf(whole, len), givenUpSoFar());
    }

    /** Over the memory bound: give up the incomplete messages of the least recently used other keys. */
    private void shed(Direction keep) {
        long dropped = 0;
        for (Direction d : directions.values()) {
            if (pendingBytes <= maxPendingBytes / 2) break;
            if (d == keep) continue;
            for (Assembly a : d.pending) {
                pendingBytes -= a.held();
                dropped++;
            }
            d.pending.clear();
        }
        if (dropped > 0) {
            note(Malformation.of("fragments", dropped + " incomplete fragmented message(s) given up: more than "
                + (maxPendingBytes >> 20) + " MiB of fragments waiting"));
        }
    }

    private void note(Malformation why) {
        if (notes == null) notes = new ArrayList<>(2);
        notes.add(why);
    }

    private List<Malformation> givenUpSoFar() {
        List<Malformation> n = notes == null ? Collections.emptyList() : notes;
        notes = null;
        return n;
    }

    private Result notesOr(Result r) {
        return notes == null ? r : new Result(r.status, r.message, r.problem, givenUpSoFar());
    }

    private Result withNotes(Status s, byte[] msg, Malformation why) {
        return new Result(s, msg, why, givenUpSoFar());
    }

    private static Result error(String field, String reason) {
        return new Result(Status.ERROR, null, Malformation.of(field, reason));
    }

    // ------------------------------------------------------------------ both

    /** Drops the reassembly state of {@code key}, if any (e.g. link reset). */
    public void reset(K key) {
        if (byNumber) {
            Direction d = directions.remove(key);
            if (d != null) pendingBytes -= d.bytes();
        } else {
            Buf b = inProgress.remove(key);
            dropped(b);
            if (b != null) spare(b.data); // nobody else has seen it: reusable
        }
    }

    /** Drops all state. */
    public void clear() {
        inProgress.clear();
        inOrderBytes = 0;
        if (ownSpares) spares.clear();
        if (directions != null) directions.clear();
        pendingBytes = 0;
        notes = null;
    }

    /** Number of reassemblies in progress (by-number mode: incomplete messages over all keys). */
    public int inProgress() {
        if (!byNumber) return inProgress.size();
        int n = 0;
        for (Direction d : directions.values()) n += d.pending.size();
        return n;
    }

    /**
     * Bytes held for incomplete messages: by number, the fragment bytes and each message's table of them (8 bytes a
     * slot); in order, the size of the reassembly buffers in progress (what the memory costs: each starts at
     * {@link #firstCapacity}, grows as {@link #growthFor} tells, to at most {@link Tipc#MAX_MSG_SIZE}).
     */
    public long pendingBytes() {
        return byNumber ? pendingBytes : inOrderBytes;
    }

    /**
     * By number: the part of {@link #pendingBytes()} held for {@code key} (0 in order mode or for an unknown key).
     * O(keys), for checks: the key's place in the eviction order is left as it is.
     */
    public long pendingBytes(K key) {
        if (!byNumber) return 0;
        for (Map.Entry<K, Direction> e : directions.entrySet()) if (e.getKey().equals(key)) return e.getValue().bytes();
        return 0;
    }

    /** Number of reassemblies (in order) or keys (by number) evicted because maxKeys was reached. */
    public long evictions() {
        return evictions;
    }
}
