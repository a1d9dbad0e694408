package io.jtipc.node;

import io.jtipc.wire.Tipc;

/**
 * A link's input queue, the kernel's {@code l->inputq} / {@code bc_entry.inputq1} (net/tipc/link.c
 * {@code tipc_data_input}, drained by node.c {@code tipc_node_rcv} → {@code tipc_sk_rcv} once the link is done
 * with the packet). The link appends every message it has received in sequence (after bundle extraction and
 * reassembly); the owning {@link Node} drains the queue after {@code Link.rcv} returns.
 *
 * <p>Entries are views {@code (buf, off, len)}, not copies: each refers to the frame being processed, to a packet
 * taken off the link's deferred queue, or to a freshly reassembled message, all of which stay unchanged until the
 * node has drained the queue within the same {@code onFrame} call. A FIFO ring of three parallel arrays that
 * doubles when full, so steady-state use allocates nothing.
 */
final class InputQueue {
    /** Slots a new queue has. */
    static final int INITIAL = 16;
    /**
     * Slots kept once the queue is empty again, at most (64 KB of arrays): a peer can make one drain hold ~350 000
     * messages (a full deferred queue of bundles of small messages), and a ring that kept that size would hold ~6 MB
     * per queue for good.
     */
    static final int KEEP = 4096;

    private byte[][] bufs = new byte[INITIAL][];
    private int[] offs = new int[INITIAL];
    private int[] lens = new int[INITIAL];
    private int head;
    private int size;

    /** Appends a message view: {@code buf[off, off + len)}. */
    void add(byte[] buf, int off, int len) {
        if (size == bufs.length) grow();
        int i = (head + size) & (bufs.length - 1);
        bufs[i] = buf;
        offs[i] = off;
        lens[i] = len;
        size++;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Buffer of the oldest entry. */
    byte[] buf() {
        return bufs[head];
    }

    /** Offset of the oldest entry in {@link #buf()}, bytes. */
    int off() {
        return offs[head];
    }

    /** Length of the oldest entry, bytes. */
    int len() {
        return lens[head];
    }

    /** Drops the oldest entry (and its buffer reference); an emptied queue above {@link #KEEP} slots shrinks. */
    void remove() {
        bufs[head] = null;
        head = (head + 1) & (bufs.length - 1);
        if (--size == 0 && bufs.length > KEEP) {
            bufs = new byte[INITIAL][];
            offs = new int[INITIAL];
            lens = new int[INITIAL];
            head = 0;
        }
    }

    /** Slots of the ring now. */
    int capacity() {
        return bufs.length;
    }

    /** Drops every entry (and its buffer reference). */
    void clear() {
        while (size > 0) remove();
    }

    private void grow() {
        int n = bufs.length;
        byte[][] b = new byte[n * 2][];
        int[] o = new int[n * 2];
        int[] l = new int[n * 2];
        for (int k = 0; k < size; k++) {
            int i = (head + k) & (n - 1);
            b[k] = bufs[i];
            o[k] = offs[i];
            l[k] = lens[i];
        }
        bufs = b;
        offs = o;
        lens = l;
        head = 0;
    }

    /**
     * link.c tipc_data_input: a socket message (importance 0-3, CONN_MANAGER) goes to {@code inputq}, a binding update
     * (NAME_DISTRIBUTOR) to {@code namedq}; GROUP_PROTOCOL to {@code inputq} too; anything else (MSG_CRYPTO; nested
     * bundles, fragments or link protocol inside a bundle) is dropped. Used by the {@link Link} and the {@link BroadcastLink}.
     *
     * @return true for a NAME_DISTRIBUTOR message: on a unicast link it opens the peer's broadcast receive link
     *         ({@code l->bc_rcvlink->state = LINK_ESTABLISHED})
     */
    static boolean dataInput(int user, byte[] buf, int off, int len, InputQueue inputq, InputQueue namedq) {
        if (user <= Tipc.CRITICAL_IMPORTANCE || user == Tipc.CONN_MANAGER || user == Tipc.GROUP_PROTOCOL) {
            inputq.add(buf, off, len);
        } else if (user == Tipc.NAME_DISTRIBUTOR) {
            namedq.add(buf, off, len);
            return true;
        }
        return false;
    }
}
