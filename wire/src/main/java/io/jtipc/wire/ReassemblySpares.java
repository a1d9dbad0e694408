package io.jtipc.wire;

/**
 * Arrays an in-order {@link FragmentAssembler} outgrew or finished with, kept for a later reassembly that needs exactly
 * their length (issue 14: a stream of equally fragmented messages then allocates only the messages returned). One
 * instance may be shared by many assemblers (a node core gives one to all its links), so what is kept is bounded in
 * total, in bytes and in count, however many assemblers there are; beyond the bounds an array is left to the garbage
 * collector. The kernel keeps no such list: it chains the fragments' own buffers ({@code tipc_buf_append}, msg.c).
 * Not thread safe: share only among assemblers used by one thread.
 */
public final class ReassemblySpares {
    /** Bytes kept at most. */
    private final long maxBytes;
    /** Arrays kept at most. */
    private final byte[][] slots;
    private long bytes;
    private int count;
    private int nextEvict;

    /**
     * @param maxBytes bytes of arrays kept at most (≥ 0)
     * @param maxCount arrays kept at most (≥ 0)
     * @throws IllegalArgumentException if either is negative
     */
    public ReassemblySpares(long maxBytes, int maxCount) {
        if (maxBytes < 0 || maxCount < 0) throw new IllegalArgumentException("bounds must be >= 0");
        this.maxBytes = maxBytes;
        this.slots = new byte[maxCount][];
    }

    /** An array of exactly {@code len} bytes taken from the kept ones (content undefined), or null if none has it. */
    byte[] take(int len) {
        for (int i = 0; i < slots.length; i++) {
            byte[] b = slots[i];
            if (b != null && b.length == len) {
                slots[i] = null;
                bytes -= len;
                count--;
                return b;
            }
        }
        return null;
    }

    /**
     * Keeps {@code b} if the bounds allow (replacing a kept array when every slot is taken), else drops it. Besides the
     * assemblers' own outgrown arrays, a program gives back a reassembled message ({@link
     * FragmentAssembler.Result#message()}) once nothing refers to it any more (issue 14: a node core does so when a
     * socket has copied or consumed it), so that the next message of the same size is rebuilt in it: an array still
     * referenced must never be given, a later reassembly would overwrite it. An array already kept (the same instance)
     * is ignored: given twice, it would be handed to two reassemblies at once.
     *
     * @param b an array nobody uses any more
     */
    public void give(byte[] b) {
        if (slots.length == 0 || b.length > maxBytes) return;
        int slot = -1;
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] == b) return; // already kept: a second give is ignored
            if (slots[i] == null && slot < 0) slot = i;
        }
        if (slot < 0) {
            slot = nextEvict;
            nextEvict = (nextEvict + 1) % slots.length;
            drop(slot);
        }
        // make byte room by dropping others, oldest slot order
        for (int i = 0; bytes + b.length > maxBytes && i < slots.length; i++) drop(i);
        slots[slot] = b;
        bytes += b.length;
        count++;
    }

    private void drop(int i) {
        if (slots[i] == null) return;
        bytes -= slots[i].length;
        slots[i] = null;
        count--;
    }

    /** Drops every kept array. */
    public void clear() {
        for (int i = 0; i < slots.length; i++) slots[i] = null;
        bytes = 0;
        count = 0;
    }

    /** Bytes of the arrays kept now. */
    public long bytes() {
        return bytes;
    }

    /** Number of arrays kept now. */
    public int count() {
        return count;
    }
}
