package io.jtipc.wire;

import java.nio.ByteOrder;

/**
 * Flyweight over a topology-service event (struct tipc_event, {@code include/uapi/linux/tipc.h}),
 * 48 bytes, sent by the topology server to the subscriber, in the byte order of the subscription
 * it answers (see {@link TipcSubscr}).
 *
 * <pre>
 *  0  event        (u32; TIPC_PUBLISHED 1, TIPC_WITHDRAWN 2, TIPC_SUBSCR_TIMEOUT 3)
 *  4  found_lower  (u32)
 *  8  found_upper  (u32)
 * 12  port.ref     (u32)
 * 16  port.node    (u32)
 * 20  s            (struct tipc_subscr, 28 bytes, copy of the subscription as received)
 * </pre>
 */
public final class TipcEvent {
    public static final int SIZE = 48;
    public static final int TIPC_PUBLISHED = 1;
    public static final int TIPC_WITHDRAWN = 2;
    public static final int TIPC_SUBSCR_TIMEOUT = 3;

    private byte[] buf;
    private int off;
    private boolean le;
    private final TipcSubscr sub = new TipcSubscr();

    /**
     * Wraps the {@value #SIZE}-byte event at {@code off} whose u32 fields are in {@code order} (uapi tipc.h struct
     * tipc_event, its subscription at offset 20).
     *
     * @throws IndexOutOfBoundsException naming tipc_event if fewer than {@value #SIZE} bytes are there
     */
    public TipcEvent wrap(byte[] buf, int off, ByteOrder order) {
        Wrap.check("tipc_event", buf, off, SIZE);
        this.buf = buf;
        this.off = off;
        this.le = order == ByteOrder.LITTLE_ENDIAN;
        sub.wrap(buf, off + 20, order);
        return this;
    }

    /** Byte order of an event: that of its embedded subscription, seen from a kernel of {@code kernelOrder}. */
    public static ByteOrder detectOrder(byte[] buf, int off, ByteOrder kernelOrder) {
        return TipcSubscr.detectOrder(buf, off + 20, kernelOrder);
    }

    private int get(int o) { return le ? Bytes.getIntLe(buf, off + o) : Bytes.getInt(buf, off + o); }
    private TipcEvent put(int o, int v) {
        if (le) Bytes.putIntLe(buf, off + o, v); else Bytes.putInt(buf, off + o, v);
        return this;
    }

    public int event() { return get(0); }
    public TipcEvent setEvent(int v) { return put(0, v); }
    public int foundLower() { return get(4); }
    public TipcEvent setFoundLower(int v) { return put(4, v); }
    public int foundUpper() { return get(8); }
    public TipcEvent setFoundUpper(int v) { return put(8, v); }
    public int portRef() { return get(12); }
    public TipcEvent setPortRef(int v) { return put(12, v); }
    public int portNode() { return get(16); }
    public TipcEvent setPortNode(int v) { return put(16, v); }
    /** The embedded subscription (same flyweight instance each call). */
    public TipcSubscr subscr() { return sub; }

    static String eventName(int e) {
        switch (e) {
            case TIPC_PUBLISHED: return "TIPC_PUBLISHED";
            case TIPC_WITHDRAWN: return "TIPC_WITHDRAWN";
            case TIPC_SUBSCR_TIMEOUT: return "TIPC_SUBSCR_TIMEOUT";
            default: return "UNKNOWN_EVENT";
        }
    }

    /** Emits event, found_lower, found_upper, port.ref, port.node and group "s". */
    public void describe(FieldSink sink) {
        sink.field("event", event() & 0xffffffffL, eventName(event()));
        sink.field("found_lower", foundLower() & 0xffffffffL, null);
        sink.field("found_upper", foundUpper() & 0xffffffffL, null);
        sink.field("port.ref", portRef() & 0xffffffffL, null);
        sink.field("port.node", portNode() & 0xffffffffL, TipcAddr.toHex(portNode()));
        sink.beginGroup("s");
        sub.describe(sink);
        sink.endGroup();
    }

    /** Field-by-field copy (same byte order). */
    public static void reencode(TipcEvent s, TipcEvent d) {
        d.setEvent(s.event()).setFoundLower(s.foundLower()).setFoundUpper(s.foundUpper())
            .setPortRef(s.portRef()).setPortNode(s.portNode());
        TipcSubscr.reencode(s.sub, d.sub);
    }
}
