package io.jtipc.wire;

/**
 * Iterates the messages packed in a MSG_BUNDLER message, as {@code tipc_msg_extract}
 * ({@code net/tipc/msg.c}) does: while the position is ≤ data size - 24, the inner message at that
 * position must fit in the data area and pass {@link TipcCodec#validateFrame}; the position then
 * advances by the inner size rounded up to 4.
 *
 * <pre>{@code
 * BundleCursor c = new BundleCursor().wrap(buf, off, len);
 * while (c.next()) { use(buf, c.offset(), c.length()); }
 * if (!c.malformation().isOk()) report(c.malformation());
 * }</pre>
 * Allocation free except when reporting a malformation. Does not recurse into the inner messages.
 */
public final class BundleCursor {
    private final TipcMsg outer = new TipcMsg();
    private byte[] buf;
    private int dataStart;
    private int dataSize;
    private int pos;
    private int index;
    private int curOff;
    private int curLen;
    private int declared;
    private boolean done;
    private Malformation problem = Malformation.OK;

    /** Wraps the whole bundle message (outer header included). */
    public BundleCursor wrap(byte[] buf, int off, int len) {
        this.buf = buf;
        outer.wrap(buf, off, len);
        pos = 0;
        index = 0;
        curOff = curLen = -1;
        done = false;
        problem = TipcCodec.validateFrame(buf, off, len);
        if (problem.isOk() && outer.user() != Tipc.MSG_BUNDLER) {
            problem = Malformation.of("user", "user " + outer.user() + " is not MSG_BUNDLER (6)");
        }
        if (!problem.isOk()) {
            done = true;
            return this;
        }
        dataStart = outer.dataOffset();
        dataSize = outer.dataSize();
        declared = outer.msgcnt();
        return this;
    }

    /** Advances to the next inner message; false at the end or on a malformation. */
    public boolean next() {
        if (done) return false;
        if (pos > dataSize - Tipc.MIN_H_SIZE) {
            done = true;
            if (index != declared) {
                problem = Malformation.of("msgcnt", "msgcnt " + declared + " but " + index + " messages in bundle");
            } else if (dataSize - pos >= 4) {
                problem = Malformation.of("data", (dataSize - pos) + " trailing bytes after last bundled message");
            }
            return false;
        }
        int at = dataStart + pos;
        int isz = Bytes.getInt(buf, at) & 0x1ffff;
        if (pos + isz > dataSize) {
            done = true;
            problem = Malformation.of("msg[" + index + "].size",
                "inner msg_size " + isz + " > " + (dataSize - pos) + " bytes left in bundle");
            return false;
        }
        Malformation inner = TipcCodec.validateFrame(buf, at, isz);
        if (!inner.isOk()) {
            done = true;
            problem = Malformation.of("msg[" + index + "]." + inner.field(), inner.reason());
            return false;
        }
        curOff = at;
        curLen = isz;
        pos += (isz + 3) & ~3;
        index++;
        return true;
    }

    /** Offset in the array of the current inner message. */
    public int offset() { return curOff; }

    /** Length (= inner msg_size) of the current inner message. */
    public int length() { return curLen; }

    /** 0-based index of the current inner message. */
    public int index() { return index - 1; }

    /** OK, or why iteration stopped early (valid after {@link #next()} returned false). */
    public Malformation malformation() { return problem; }
}
