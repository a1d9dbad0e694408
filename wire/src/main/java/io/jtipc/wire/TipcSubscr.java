package io.jtipc.wire;

import java.nio.ByteOrder;

/**
 * Flyweight over a topology-service subscription (struct tipc_subscr, {@code include/uapi/linux/tipc.h}),
 * 28 bytes, sent by an application over its SEQPACKET connection to the topology server
 * {TIPC_TOP_SRV=1, 1}. It is not a header of the link layer: it travels as connection payload.
 *
 * <pre>
 *  0  seq.type     (u32)     service type
 *  4  seq.lower    (u32)
 *  8  seq.upper    (u32)
 * 12  timeout      (u32, ms; 0xFFFFFFFF = TIPC_WAIT_FOREVER)
 * 16  filter       (u32; TIPC_SUB_PORTS 1, TIPC_SUB_SERVICE 2, TIPC_SUB_CANCEL 4)
 * 20  usr_handle   (8 opaque bytes, echoed back in events)
 * </pre>
 * Byte order: the u32 fields are in the subscriber's host order. The kernel ({@code subscr.c}
 * tipc_sub_read / tipc_evt_write) reads them in its own order and, if none of the low three filter
 * bits (TIPC_FILTER_MASK = 0x7) is set, treats the subscription as byte-swapped and answers in the
 * swapped order. {@link #detectOrder} applies that rule.
 */
public final class TipcSubscr {
    public static final int SIZE = 28;
    public static final int TIPC_SUB_PORTS = 0x1;
    public static final int TIPC_SUB_SERVICE = 0x2;
    public static final int TIPC_SUB_CANCEL = 0x4;
    public static final int TIPC_FILTER_MASK = 0x7;
    public static final int TIPC_WAIT_FOREVER = -1;

    private byte[] buf;
    private int off;
    private boolean le;

    /**
     * Wraps 28 bytes at {@code off} whose u32 fields are in {@code order} (uapi tipc.h struct tipc_subscr).
     *
     * @throws IndexOutOfBoundsException naming tipc_subscr if fewer than 28 bytes are there
     */
    public TipcSubscr wrap(byte[] buf, int off, ByteOrder order) {
        Wrap.check("tipc_subscr", buf, off, SIZE);
        this.buf = buf;
        this.off = off;
        this.le = order == ByteOrder.LITTLE_ENDIAN;
        return this;
    }

    /**
     * The order a kernel of host order {@code kernelOrder} uses for the subscription at {@code off}:
     * its own order if the filter read that way has a bit of 0x7 set, else the other order.
     */
    public static ByteOrder detectOrder(byte[] buf, int off, ByteOrder kernelOrder) {
        boolean kernelLe = kernelOrder == ByteOrder.LITTLE_ENDIAN;
        int f = kernelLe ? Bytes.getIntLe(buf, off + 16) : Bytes.getInt(buf, off + 16);
        boolean swap = (f & TIPC_FILTER_MASK) == 0;
        boolean le = kernelLe ^ swap;
        return le ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
    }

    public ByteOrder order() { return le ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN; }

    private int get(int o) { return le ? Bytes.getIntLe(buf, off + o) : Bytes.getInt(buf, off + o); }
    private TipcSubscr put(int o, int v) {
        if (le) Bytes.putIntLe(buf, off + o, v); else Bytes.putInt(buf, off + o, v);
        return this;
    }

    public int type() { return get(0); }
    public TipcSubscr setType(int v) { return put(0, v); }
    public int lower() { return get(4); }
    public TipcSubscr setLower(int v) { return put(4, v); }
    public int upper() { return get(8); }
    public TipcSubscr setUpper(int v) { return put(8, v); }
    /** ms, -1 (0xFFFFFFFF) = wait forever. */
    public int timeout() { return get(12); }
    public TipcSubscr setTimeout(int v) { return put(12, v); }
    public int filter() { return get(16); }
    public TipcSubscr setFilter(int v) { return put(16, v); }
    /** Offset of the 8-byte usr_handle. */
    public int usrHandleOffset() { return off + 20; }
    public TipcSubscr setUsrHandle(byte[] src, int srcOff) {
        System.arraycopy(src, srcOff, buf, off + 20, 8);
        return this;
    }

    /** Kernel checks (tipc_sub_subscribe): not both PORTS and SERVICE, lower ≤ upper (unsigned). */
    public Malformation validate() {
        int f = filter();
        if ((f & TIPC_SUB_PORTS) != 0 && (f & TIPC_SUB_SERVICE) != 0) {
            return Malformation.of("filter", "TIPC_SUB_PORTS and TIPC_SUB_SERVICE both set");
        }
        if (Integer.compareUnsigned(lower(), upper()) > 0) {
            return Malformation.of("seq.lower", "lower " + Integer.toUnsignedString(lower()) + " > upper "
                + Integer.toUnsignedString(upper()));
        }
        return Malformation.OK;
    }

    static String filterString(int f) {
        StringBuilder sb = new StringBuilder();
        if ((f & 1) != 0) sb.append("TIPC_SUB_PORTS");
        if ((f & 2) != 0) sb.append(sb.length() > 0 ? "|" : "").append("TIPC_SUB_SERVICE");
        if ((f & 4) != 0) sb.append(sb.length() > 0 ? "|" : "").append("TIPC_SUB_CANCEL");
        int rest = f & ~7;
        if (rest != 0) sb.append(sb.length() > 0 ? "|" : "").append("0x").append(Integer.toHexString(rest));
        return sb.toString();
    }

    /** Emits fields seq.type/seq.lower/seq.upper/timeout/filter and bytes usr_handle. */
    public void describe(FieldSink sink) {
        sink.field("seq.type", type() & 0xffffffffL, null);
        sink.field("seq.lower", lower() & 0xffffffffL, null);
        sink.field("seq.upper", upper() & 0xffffffffL, null);
        sink.field("timeout", timeout() & 0xffffffffL, timeout() == TIPC_WAIT_FOREVER ? "TIPC_WAIT_FOREVER" : null);
        sink.field("filter", filter() & 0xffffffffL, filterString(filter()));
        sink.bytes("usr_handle", buf, off + 20, 8);
    }

    /** Field-by-field copy (same byte order). */
    public static void reencode(TipcSubscr s, TipcSubscr d) {
        d.setType(s.type()).setLower(s.lower()).setUpper(s.upper()).setTimeout(s.timeout()).setFilter(s.filter())
            .setUsrHandle(s.buf, s.usrHandleOffset());
    }
}
