package io.jtipc.wire;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Validation and field-by-field re-encoding of whole TIPC messages.
 *
 * <p>{@link #validateFrame} applies the kernel's {@code tipc_msg_validate} rules (msg.c);
 * {@link #validate} additionally checks the body structure of each user/type. Neither throws on
 * any input.
 */
public final class TipcCodec {
    private TipcCodec() {}

    /**
     * Framing checks of {@code tipc_msg_validate} (msg.c), in order: at least 24 bytes; version 2
     * (7 is reported as an encryption header); hdr_sz 24..60 and within the buffer; size &gt;= hdr_sz;
     * data size &lt;= 66000; size &lt;= bytes available. Trailing bytes beyond size are allowed.
     */
    public static Malformation validateFrame(byte[] buf, int off, int len) {
        if (buf == null || off < 0 || len < 0 || off > buf.length - len) {
            return Malformation.of("buffer", "offset/length outside the array");
        }
        if (len < Tipc.MIN_H_SIZE) {
            return Malformation.of("hdr_sz", len + " bytes available < minimum header size 24");
        }
        int w0 = Bytes.getInt(buf, off);
        int version = w0 >>> 29;
        if (version == Tipc.EVERSION) {
            return Malformation.of("version", "version 7 = encryption header (TIPC_EVERSION), decrypt first");
        }
        if (version != Tipc.VERSION) {
            return Malformation.of("version", "version " + version + " != 2");
        }
        int hsz = ((w0 >>> 21) & 0xf) << 2;
        if (hsz < Tipc.MIN_H_SIZE) {
            return Malformation.of("hdr_sz", "header size " + hsz + " < 24");
        }
        if (hsz > len) {
            return Malformation.of("hdr_sz", "header size " + hsz + " > " + len + " bytes available");
        }
        int size = w0 & 0x1ffff;
        if (size < hsz) {
            return Malformation.of("size", "msg_size " + size + " < header size " + hsz);
        }
        if (size - hsz > Tipc.MAX_USER_MSG_SIZE) {
            return Malformation.of("size", "data size " + (size - hsz) + " > 66000");
        }
        if (size > len) {
            return Malformation.of("size", "msg_size " + size + " > " + len + " bytes available");
        }
        return Malformation.OK;
    }

    /**
     * {@link #validateFrame} then the body checks of {@link MessageBodies#validateBody}.
     *
     * @return OK or the first finding, {@linkplain Malformation#isWarning() warnings} (frames the kernel accepts)
     *     included; {@link #validate(byte[], int, int, Consumer)} keeps the two apart
     */
    public static Malformation validate(byte[] buf, int off, int len) {
        Malformation m = validateFrame(buf, off, len);
        if (!m.isOk()) return m;
        MessageBodies.Scratch s = MessageBodies.acquire();
        try {
            return MessageBodies.validateBody(s.msg.wrap(buf, off, len), s);
        } finally {
            MessageBodies.release(s);
        }
    }

    /**
     * As {@link #validate(byte[], int, int)}, with findings the kernel accepts kept apart: each
     * {@linkplain Malformation#isWarning() warning} goes to {@code warnings} (in wire order; see {@link Malformation}
     * for the list: gap ACK record len matching no layout, NAME_DISTRIBUTOR data not a multiple of 20 bytes,
     * bundle msgcnt or trailing bytes) and checking goes on past it as the kernel reads on, e.g. a STATE's monitor
     * record at data + len after an ignored gap ACK record.
     *
     * @return OK or the first error: something the kernel refuses (never a warning)
     */
    public static Malformation validate(byte[] buf, int off, int len, Consumer<Malformation> warnings) {
        Objects.requireNonNull(warnings, "warnings");
        Malformation m = validateFrame(buf, off, len);
        if (!m.isOk()) return m;
        MessageBodies.Scratch s = MessageBodies.acquire();
        try {
            return MessageBodies.validateBody(s.msg.wrap(buf, off, len), s, warnings);
        } finally {
            MessageBodies.release(s);
        }
    }

    /**
     * {@link TipcCodec#validate} for one thread's loop over many messages (the capture dissector checks
     * every message it finds with one): it owns its flyweights, so a call costs no thread-local lookup. Not
     * thread-safe; one instance per thread. Allocates nothing unless the message is malformed (the {@link Malformation}).
     */
    public static final class Validator {
        private final MessageBodies.Scratch scratch = new MessageBodies.Scratch();

        /** As {@link TipcCodec#validate}: framing, then the body checks of the message's user and type. */
        public Malformation validate(byte[] buf, int off, int len) {
            Malformation m = validateFrame(buf, off, len);
            if (!m.isOk()) return m;
            return MessageBodies.validateBody(scratch.msg.wrap(buf, off, len), scratch);
        }

        /**
         * As {@link TipcCodec#validate(byte[], int, int, Consumer)}, with this validator's flyweights. Allocates
         * nothing unless something is found.
         */
        public Malformation validate(byte[] buf, int off, int len, Consumer<Malformation> warnings) {
            Objects.requireNonNull(warnings, "warnings");
            Malformation m = validateFrame(buf, off, len);
            if (!m.isOk()) return m;
            return MessageBodies.validateBody(scratch.msg.wrap(buf, off, len), scratch, warnings);
        }
    }

    /**
     * Re-encodes a message field by field: every header field of its user/type (including reserved
     * bit ranges) is read through its {@link TipcMsg} getter and written through the setter into
     * {@code dst} at {@code dstOff} (which is zeroed first over the message length); structured
     * bodies are re-encoded through their flyweights, opaque data copied. The result equals the
     * source iff the codec accounts for every bit.
     *
     * @return bytes written (= msg_size), or -1 if the framing is invalid (see {@link #validateFrame})
     *     or dst is too small
     */
    public static int reencode(byte[] src, int off, int len, byte[] dst, int dstOff) {
        if (!validateFrame(src, off, len).isOk()) return -1;
        TipcMsg s = new TipcMsg().wrap(src, off, len);
        int size = s.size();
        if (dst == null || dstOff < 0 || dstOff > dst.length - size) return -1;
        java.util.Arrays.fill(dst, dstOff, dstOff + size, (byte) 0);
        TipcMsg d = new TipcMsg().wrap(dst, dstOff, size);
        // w0 first (user/hdr_sz drive the other setters), then the rest in layout order
        HeaderField[] fields = HeaderLayout.of(s);
        for (HeaderField f : fields) {
            if (f.word() == 0) f.set(d, f.get(s));
        }
        for (HeaderField f : fields) {
            if (f.word() != 0) f.set(d, f.get(s));
        }
        MessageBodies.reencodeBody(s, d);
        return size;
    }

    /**
     * Offset of the message carried in the data area (TUNNEL_PROTOCOL inner message, first bundled
     * message, fragment payload): {@code off + hdr_sz}; -1 if the framing is invalid.
     */
    public static int innerOffset(byte[] buf, int off, int len) {
        if (!validateFrame(buf, off, len).isOk()) return -1;
        return off + (((Bytes.getInt(buf, off) >>> 21) & 0xf) << 2);
    }

    /** Length of the data area (msg_size - hdr_sz), or -1 if the framing is invalid. */
    public static int innerLength(byte[] buf, int off, int len) {
        if (!validateFrame(buf, off, len).isOk()) return -1;
        int w0 = Bytes.getInt(buf, off);
        return (w0 & 0x1ffff) - (((w0 >>> 21) & 0xf) << 2);
    }
}
