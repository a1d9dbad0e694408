package io.jtipc.wire;

/** Per user/type body validation and re-encoding (package private; see TipcCodec, TipcDescriber). */
final class MessageBodies {
    private MessageBodies() {}

    static Malformation validateBody(TipcMsg m) {
        return Malformation.OK;
    }

    static void describeMedia(TipcMsg m, FieldSink sink) {
        sink.bytes("media_addr", m.buffer(), m.mediaAddrOffset(), Tipc.MEDIA_INFO_SIZE);
    }

    static Malformation describeBody(TipcMsg m, FieldSink sink) {
        int ds = m.dataSize();
        if (ds > 0) sink.bytes("data", m.buffer(), m.dataOffset(), ds);
        return validateBody(m);
    }

    static void reencodeBody(TipcMsg s, TipcMsg d) {
        int hs = s.hdrSize();
        if (HeaderLayout.hasMedia(s.user(), hs)) {
            System.arraycopy(s.buffer(), s.offset() + 20, d.buffer(), d.offset() + 20, 32);
        }
        System.arraycopy(s.buffer(), s.offset() + hs, d.buffer(), d.offset() + hs, s.size() - hs);
    }
}
