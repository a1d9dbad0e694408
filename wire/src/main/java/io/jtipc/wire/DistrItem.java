package io.jtipc.wire;

/**
 * Flyweight over one binding item of a NAME_DISTRIBUTOR message (struct distr_item,
 * {@code net/tipc/name_distr.h}), 20 bytes, big-endian. Item {@code i} of a message starts at
 * data offset 20 × i; count = data size / 20. The publishing node is the message's orignode (w6).
 *
 * <pre>
 *  +-------------------------------+  0  type   (service type)
 *  |                               |  4  lower
 *  |                               |  8  upper
 *  |                               | 12  port   (socket reference)
 *  +-------------------------------+ 16  key
 * </pre>
 */
public final class DistrItem {
    public static final int SIZE = Tipc.ITEM_SIZE;
    private byte[] buf;
    private int off;

    /**
     * Wraps the {@value #SIZE}-byte item at {@code off} (name_distr.h struct distr_item).
     *
     * @throws IndexOutOfBoundsException naming distr_item if fewer than {@value #SIZE} bytes are there
     */
    public DistrItem wrap(byte[] buf, int off) {
        Wrap.check("distr_item", buf, off, SIZE);
        this.buf = buf;
        this.off = off;
        return this;
    }

    /** Wraps item {@code i} of the NAME_DISTRIBUTOR message {@code m}. */
    public DistrItem wrap(TipcMsg m, int i) {
        return wrap(m.buffer(), m.dataOffset() + SIZE * i);
    }

    /** Number of whole items in a message's data area. */
    public static int count(TipcMsg m) {
        return Math.max(0, m.dataSize()) / SIZE;
    }

    public int type() { return Bytes.getInt(buf, off); }
    public DistrItem setType(int v) { Bytes.putInt(buf, off, v); return this; }
    public int lower() { return Bytes.getInt(buf, off + 4); }
    public DistrItem setLower(int v) { Bytes.putInt(buf, off + 4, v); return this; }
    public int upper() { return Bytes.getInt(buf, off + 8); }
    public DistrItem setUpper(int v) { Bytes.putInt(buf, off + 8, v); return this; }
    public int port() { return Bytes.getInt(buf, off + 12); }
    public DistrItem setPort(int v) { Bytes.putInt(buf, off + 12, v); return this; }
    public int key() { return Bytes.getInt(buf, off + 16); }
    public DistrItem setKey(int v) { Bytes.putInt(buf, off + 16, v); return this; }
}
