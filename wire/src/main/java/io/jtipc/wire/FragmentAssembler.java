package io.jtipc.wire;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reassembles MSG_FRAGMENTER messages as {@code tipc_buf_append} ({@code net/tipc/msg.c}) does, one
 * reassembly per caller-chosen key (e.g. a link or a (node, bearer) pair):
 * <ul>
 *   <li>FIRST_FRAGMENT (type 0) starts a reassembly; one already in progress for the key is an
 *       error and both are dropped (the kernel then fails the link);</li>
 *   <li>any other type appends its data area; without a reassembly in progress it is an error;
 *       types other than 0 and 2 are treated as FRAGMENT, as in the kernel;</li>
 *   <li>LAST_FRAGMENT (type 2) completes: the concatenated bytes (a whole TIPC message, header
 *       included) must pass {@link TipcCodec#validateFrame}.</li>
 * </ul>
 * Fragment numbers (w4) are not checked, like the kernel. Memory is bounded: at most
 * {@code maxKeys} reassemblies (the oldest is evicted) and {@link Tipc#MAX_MSG_SIZE} bytes each.
 * Not thread safe.
 *
 * <p>Fragmented TUNNEL_PROTOCOL FAILOVER packets ({@code tipc_msg_fragment}, peers with
 * TIPC_TUNNEL_ENHANCED: nof_fragms &gt; 0) are accepted too: as {@code tipc_link_tnl_rcv} does, fragm_no 1
 * counts as FIRST, fragm_no &lt; nof_fragms as FRAGMENT, otherwise LAST. Use a key separate from the
 * link's ordinary reassembly (the kernel keeps {@code reasm_tnlmsg} apart).
 */
public final class FragmentAssembler<K> {
    /** Outcome of {@link #append}. */
    public enum Status { INCOMPLETE, COMPLETE, ERROR }

    /** Result: status, the whole message when COMPLETE, the problem when ERROR. */
    public static final class Result {
        private final Status status;
        private final byte[] message;
        private final Malformation problem;

        Result(Status status, byte[] message, Malformation problem) {
            this.status = status;
            this.message = message;
            this.problem = problem;
        }

        public Status status() { return status; }
        /** The reassembled message (header + data) when COMPLETE, else null. */
        public byte[] message() { return message; }
        /** OK unless ERROR. */
        public Malformation malformation() { return problem; }
    }

    private static final Result INCOMPLETE = new Result(Status.INCOMPLETE, null, Malformation.OK);

    private static final class Buf {
        byte[] data = new byte[2048];
        int len;
    }

    private final int maxKeys;
    private final LinkedHashMap<K, Buf> inProgress = new LinkedHashMap<>();
    private long evictions;

    /** @param maxKeys maximum concurrent reassemblies (≥ 1) */
    public FragmentAssembler(int maxKeys) {
        if (maxKeys < 1) throw new IllegalArgumentException("maxKeys must be >= 1");
        this.maxKeys = maxKeys;
    }

    /**
     * Adds one MSG_FRAGMENTER message (whole message, 40-byte header included) for {@code key}.
     * Never throws on bad bytes.
     */
    public Result append(K key, byte[] buf, int off, int len) {
        Malformation frame = TipcCodec.validateFrame(buf, off, len);
        if (!frame.isOk()) {
            inProgress.remove(key);
            return new Result(Status.ERROR, null, frame);
        }
        TipcMsg m = new TipcMsg().wrap(buf, off, len);
        int type;
        if (m.user() == Tipc.MSG_FRAGMENTER) {
            type = m.type();
        } else if (m.user() == Tipc.TUNNEL_PROTOCOL && m.nofFragms() != 0) {
            int no = m.fragmNo();
            type = no == 1 ? Tipc.FIRST_FRAGMENT : no < m.nofFragms() ? Tipc.FRAGMENT : Tipc.LAST_FRAGMENT;
        } else {
            return new Result(Status.ERROR, null, Malformation.of("user", "user " + m.user()
                + " is neither MSG_FRAGMENTER (12) nor a fragmented TUNNEL_PROTOCOL (10) message"));
        }
        Buf head = inProgress.get(key);
        if (type == Tipc.FIRST_FRAGMENT) {
            if (head != null) {
                inProgress.remove(key);
                return new Result(Status.ERROR, null,
                    Malformation.of("type", "FIRST_FRAGMENT while a reassembly is in progress"));
            }
            head = new Buf();
            if (!add(head, m)) {
                return tooBig();
            }
            if (inProgress.size() >= maxKeys) {
                Iterator<Map.Entry<K, Buf>> it = inProgress.entrySet().iterator();
                it.next();
                it.remove();
                evictions++;
            }
            inProgress.put(key, head);
            return INCOMPLETE;
        }
        if (head == null) {
            return new Result(Status.ERROR, null, Malformation.of("type",
                (type == Tipc.LAST_FRAGMENT ? "LAST_FRAGMENT" : "FRAGMENT") + " without FIRST_FRAGMENT"));
        }
        if (!add(head, m)) {
            inProgress.remove(key);
            return tooBig();
        }
        if (type != Tipc.LAST_FRAGMENT) return INCOMPLETE;
        inProgress.remove(key);
        byte[] whole = java.util.Arrays.copyOf(head.data, head.len);
        Malformation v = TipcCodec.validateFrame(whole, 0, whole.length);
        if (!v.isOk()) {
            return new Result(Status.ERROR, null, Malformation.of("reassembled." + v.field(), v.reason()));
        }
        return new Result(Status.COMPLETE, whole, Malformation.OK);
    }

    private static Result tooBig() {
        return new Result(Status.ERROR, null, Malformation.of("size", "reassembled message exceeds " + Tipc.MAX_MSG_SIZE + " bytes"));
    }

    private static boolean add(Buf b, TipcMsg m) {
        int n = m.dataSize();
        if (b.len + n > Tipc.MAX_MSG_SIZE) return false;
        if (b.len + n > b.data.length) {
            b.data = java.util.Arrays.copyOf(b.data, Math.min(Tipc.MAX_MSG_SIZE, Math.max(b.len + n, b.data.length * 2)));
        }
        System.arraycopy(m.buffer(), m.dataOffset(), b.data, b.len, n);
        b.len += n;
        return true;
    }

    /** Drops the reassembly of {@code key}, if any (e.g. link reset). */
    public void reset(K key) {
        inProgress.remove(key);
    }

    /** Number of reassemblies in progress. */
    public int inProgress() {
        return inProgress.size();
    }

    /** Number of reassemblies evicted because maxKeys was reached. */
    public long evictions() {
        return evictions;
    }
}
