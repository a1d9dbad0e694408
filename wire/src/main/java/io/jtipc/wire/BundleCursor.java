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
 * if (!c.error().isOk()) reportError(c.error());
 * for (int i = 0; i < c.warningCount(); i++) reportWarning(c.warning(i));
 * }</pre>
 *
 * <p>Two kinds of result once {@link #next()} has returned false. An {@linkplain #error() error}: an inner
 * message the kernel would not extract (its size runs past the bundle, or it fails {@code tipc_msg_validate});
 * the kernel drops it and the rest of the bundle, and so the walk stops there. Or, when the walk reached the end,
 * up to two {@linkplain Malformation#isWarning() warnings} the kernel accepts, since {@code tipc_msg_extract}
 * walks by the inner sizes alone: msgcnt (w9 bits 31-16, a message count) differing from the messages found (the
 * kernel never reads it to extract; {@code tipc_link_input} only adds it to a statistics counter), and 4 to 23
 * bytes left after the last message (fewer than a 24-byte header: the kernel's walk ends and they are ignored).
 * {@link #malformation()} keeps the single result of earlier versions: the error, else the first warning.
 *
 * <p>Allocation free except when reporting a finding. Does not recurse into the inner messages.
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
    private Malformation warning0 = Malformation.OK, warning1 = Malformation.OK;
    private int warnings;

    /** Wraps the whole bundle message (outer header included). */
    public BundleCursor wrap(byte[] buf, int off, int len) {
        this.buf = buf;
        outer.wrap(buf, off, len);
        pos = 0;
        index = 0;
        curOff = curLen = -1;
        done = false;
        warnings = 0;
        warning0 = warning1 = Malformation.OK;
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
                addWarning(Malformation.warning("msgcnt", "msgcnt " + declared + " but " + index
                    + " messages in bundle: the kernel extracts by inner sizes and ignores msgcnt"));
            }
            if (dataSize - pos >= 4) {
                addWarning(Malformation.warning("data", (dataSize - pos) + " trailing bytes after last bundled message:"
                    + " the kernel stops when fewer than 24 bytes remain and ignores them"));
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

    /**
     * The first finding, as before warnings were told apart: {@link #error()} if the walk stopped early, else the
     * first {@linkplain #warning(int) warning}, else OK (valid after {@link #next()} returned false).
     */
    public Malformation malformation() { return problem.isOk() ? warning0 : problem; }

    /**
     * OK, or why the walk stopped before the end of the bundle: the outer message is not a valid MSG_BUNDLER, or
     * an inner message the kernel would not extract ({@code msg[i].size}, {@code msg[i].<field>}); never a warning
     * (valid after {@link #next()} returned false).
     */
    public Malformation error() { return problem; }

    /** Warnings found when the walk reached the end of the bundle: 0, 1 or 2 (valid after {@link #next()} returned false). */
    public int warningCount() { return warnings; }

    /**
     * Warning {@code i} (0-based, below {@link #warningCount()}): {@code msgcnt} before {@code data} (trailing
     * bytes); each is a {@linkplain Malformation#isWarning() warning} whose reason says what the kernel does.
     *
     * @throws IndexOutOfBoundsException if {@code i} is not below {@link #warningCount()}
     */
    public Malformation warning(int i) {
        java.util.Objects.checkIndex(i, warnings);
        return i == 0 ? warning0 : warning1;
    }

    private void addWarning(Malformation w) {
        if (warnings++ == 0) warning0 = w;
        else warning1 = w;
    }
}
