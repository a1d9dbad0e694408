package io.jtipc.wire;

/**
 * Emits every field of a TIPC message, header and body, to a {@link FieldSink}, in wire order.
 * Field names are the kernel accessor names without {@code msg_} (see {@link HeaderLayout}).
 *
 * <p>It does not recurse into carried messages (bundle contents, tunnel inner message, fragment
 * payload): those data areas are emitted as {@code bytes("data", ...)}; walk them with
 * {@link BundleCursor}, {@link TipcCodec#innerOffset}/{@link FragmentAssembler}.
 *
 * <p>Never throws on any input; emits as much as the bytes allow and returns the first
 * {@link Malformation} found (or OK); the overload with a warning consumer keeps findings the kernel accepts
 * ({@link Malformation#isWarning()}) apart from errors.
 *
 * <p>Allocation free (its flyweights are reused per thread) when the sink overrides the defaults that
 * build Strings: {@link FieldSink#address}, {@link FieldSink#bitmap} and
 * {@link FieldSink#text(String, FieldSink.TextKind, byte[], int, int)}. Symbolic names (user, type,
 * error code, scope, capabilities, media) are shared constants.
 */
public final class TipcDescriber {
    private TipcDescriber() {}

    /**
     * Describes the plaintext TIPC message at {@code buf[off..off+len)}.
     *
     * @return {@link Malformation#OK} or the first problem (same as {@link TipcCodec#validate})
     */
    public static Malformation describe(byte[] buf, int off, int len, FieldSink sink) {
        return describe0(buf, off, len, sink, null);
    }

    /**
     * As {@link #describe(byte[], int, int, FieldSink)}, with findings the kernel accepts kept apart, as
     * {@link TipcCodec#validate(byte[], int, int, java.util.function.Consumer)}: each
     * {@linkplain Malformation#isWarning() warning} goes to {@code warnings}, and the body is described as the kernel
     * reads it (a STATE whose gap ACK record is ignored still has its monitor record at data + len described).
     *
     * @return {@link Malformation#OK} or the first error (never a warning)
     */
    public static Malformation describe(byte[] buf, int off, int len, FieldSink sink,
                                        java.util.function.Consumer<Malformation> warnings) {
        return describe0(buf, off, len, sink, java.util.Objects.requireNonNull(warnings, "warnings"));
    }

    private static Malformation describe0(byte[] buf, int off, int len, FieldSink sink,
                                          java.util.function.Consumer<Malformation> warnings) {
        if (buf == null || off < 0 || len < 0 || off > buf.length - len) {
            return Malformation.of("buffer", "offset/length outside the array");
        }
        MessageBodies.Scratch s = MessageBodies.acquire();
        try {
            return describe(s.msg.wrap(buf, off, len), buf, off, len, sink, s, warnings);
        } finally {
            MessageBodies.release(s);
        }
    }

    private static Malformation describe(TipcMsg m, byte[] buf, int off, int len, FieldSink sink, MessageBodies.Scratch s,
                                         java.util.function.Consumer<Malformation> warnings) {
        Malformation frame = TipcCodec.validateFrame(buf, off, len);
        if (len < 4) {
            sink.bytes("data", buf, off, len);
            return frame;
        }
        // emit the words that are present (header words beyond len read as absent)
        int hs = m.hdrSize();
        int words = Math.min(Math.max(hs, 4) / 4, len / 4);
        if (hs < Tipc.MIN_H_SIZE) words = Math.min(words, 1);
        HeaderField[] fields = HeaderLayout.of(m.user(), m.type(), Math.max(words * 4, 4), m.nonSeq() != 0);
        for (HeaderField f : fields) {
            if (f.word() < words) {
                long v = f.get(m);
                if (f.sym() == HeaderField.Sym.ADDR) sink.address(f.name(), (int) v);
                else sink.field(f.name(), v, f.symbolic(m, v));
            }
            if (f.word() == 4 && HeaderLayout.hasMedia(m.user(), words * 4)) {
                // media block occupies w5-w12, emitted in wire position
                MessageBodies.describeMedia(m, sink, s);
            }
        }
        if (!frame.isOk()) {
            int start = Math.min(len, words * 4);
            if (len > start) sink.bytes("data", buf, off + start, len - start);
            return frame;
        }
        return MessageBodies.describeBody(m, sink, s, warnings);
    }

    /**
     * Describes a frame payload that may be encrypted: if its first 3 bits are 7
     * ({@link EncryptionHeader#isEncrypted}) the encryption header is described (ciphertext and tag
     * as bytes), otherwise the plaintext message as {@link #describe}.
     */
    public static Malformation describeFrame(byte[] buf, int off, int len, FieldSink sink) {
        if (buf != null && off >= 0 && len >= 0 && off <= buf.length - len && EncryptionHeader.isEncrypted(buf, off, len)) {
            MessageBodies.Scratch s = MessageBodies.acquire();
            try {
                return s.ehdr.wrap(buf, off, len).describe(sink);
            } finally {
                MessageBodies.release(s);
            }
        }
        return describe(buf, off, len, sink);
    }
}
