package io.jtipc.wire;

/**
 * Per user/type body validation, description and re-encoding (package private; reached through
 * {@link TipcCodec} and {@link TipcDescriber}). Preconditions: framing valid (validateFrame OK),
 * except for {@link #describeMedia}.
 */
final class MessageBodies {
    private MessageBodies() {}

    /**
     * The flyweights one validation or description needs, reused per thread so that the static entry
     * points ({@link TipcCodec#validate}, {@link TipcDescriber#describe}) allocate nothing. A nested call on
     * the same thread (a sink describing from inside a callback) gets a fresh set.
     */
    static final class Scratch {
        final TipcMsg msg = new TipcMsg();
        final GapAckBlocks gap = new GapAckBlocks();
        final MonitorDomain dom = new MonitorDomain();
        final BundleCursor bundle = new BundleCursor();
        final AeadKey key = new AeadKey();
        final DistrItem item = new DistrItem();
        final MediaAddress media = new MediaAddress();
        final EncryptionHeader ehdr = new EncryptionHeader();
        boolean busy;
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** This thread's set, marked busy until {@link #release}; a fresh set if it is already in use. */
    static Scratch acquire() {
        Scratch s = SCRATCH.get();
        if (s.busy) s = new Scratch();
        s.busy = true;
        return s;
    }

    static void release(Scratch s) {
        s.busy = false;
    }

    /** "item[0]", "item[1]" ...: group names built once. */
    static final IndexedNames ITEM = new IndexedNames("item"), GAP_ACK = new IndexedNames("gap_ack"),
        MEMBER = new IndexedNames("member");

    /** {@code prefix[i]} names, cached for i below 4096 (the most a 66000-byte body can hold of any). */
    static final class IndexedNames {
        private final String prefix;
        private final String[] names = new String[4096];

        IndexedNames(String prefix) {
            this.prefix = prefix;
        }

        String get(int i) {
            if (i < 0 || i >= names.length) return prefix + "[" + i + "]";
            String n = names[i]; // benign race: Strings are immutable
            if (n == null) names[i] = n = prefix + "[" + i + "]";
            return n;
        }
    }

    static boolean isInternalWithIntHeader(int user) {
        return user >= Tipc.BCAST_PROTOCOL && user <= Tipc.MSG_CRYPTO && user != Tipc.LINK_CONFIG;
    }

    static Malformation validateBody(TipcMsg m) {
        Scratch s = acquire();
        try {
            return validateBody(m, s);
        } finally {
            release(s);
        }
    }

    static Malformation validateBody(TipcMsg m, Scratch s) {
        return validateBody(m, s, null);
    }

    /**
     * Body checks of the message's user and type. With {@code warnings} null, the first finding of either
     * severity is returned (the single-result contract of {@link TipcCodec#validate}); otherwise each
     * {@linkplain Malformation#isWarning() warning} goes to {@code warnings}, checking goes on as the kernel reads
     * on, and only an error (or OK) is returned.
     */
    static Malformation validateBody(TipcMsg m, Scratch s, java.util.function.Consumer<Malformation> warnings) {
        int user = m.user();
        int type = m.type();
        int hs = m.hdrSize();
        int ds = m.dataSize();
        byte[] b = m.buffer();
        int d = m.dataOffset();
        if (isInternalWithIntHeader(user) && hs < Tipc.INT_H_SIZE) {
            return Malformation.of("hdr_sz", Tipc.userName(user) + " header size " + hs + " < 40 (INT_H_SIZE)");
        }
        switch (user) {
            case Tipc.LINK_CONFIG:
                if (hs < Tipc.MAX_H_SIZE) {
                    return Malformation.of("hdr_sz", "LINK_CONFIG header size " + hs + " < 60");
                }
                if ((m.nodeCapabilities() & Tipc.TIPC_NODE_ID128) != 0 && ds < Tipc.NODE_ID_LEN) {
                    return Malformation.of("node_id", "data size " + ds + " < 16 (node id, TIPC_NODE_ID128 set)");
                }
                return Malformation.OK;
            case Tipc.LINK_PROTOCOL:
                if (type == Tipc.STATE_MSG) {
                    if (ds == 0) return Malformation.OK;
                    GapAckBlocks g = s.gap.wrap(b, d, ds);
                    Malformation gm = g.validate();
                    if (!gm.isOk() && !gm.isWarning()) return gm; // len beyond the data: the STATE is dropped
                    // link.c tipc_link_proto_rcv: blocks that match no layout are ignored, the monitor record is still
                    // read at data + len; monitor.c tipc_mon_rcv ignores a record that fails its checks (the STATE is
                    // processed all the same)
                    int rest = ds - g.len();
                    Malformation dm = rest == 0 ? Malformation.OK : s.dom.wrap(b, d + g.len(), rest).validate();
                    if (!dm.isOk() && !dm.isWarning()) {
                        dm = Malformation.warning(dm.field(), dm.reason() + ": the kernel ignores the domain record");
                    }
                    if (warnings == null) return gm.isOk() ? dm : gm;
                    if (!gm.isOk()) warnings.accept(gm);
                    if (!dm.isOk()) warnings.accept(dm);
                    return Malformation.OK;
                }
                if ((type == Tipc.RESET_MSG || type == Tipc.ACTIVATE_MSG) && ds < 16) {
                    return Malformation.of("if_name", "data size " + ds + " < 16 (TIPC_MAX_IF_NAME)");
                }
                return Malformation.OK;
            case Tipc.NAME_DISTRIBUTOR:
                if (ds % Tipc.ITEM_SIZE != 0) {
                    // name_distr.c tipc_named_rcv: data size / ITEM_SIZE items applied, the remainder never read
                    int n = ds / Tipc.ITEM_SIZE;
                    Malformation w = Malformation.warning("data", "data size " + ds
                        + " is not a multiple of 20 (distr_item): the kernel reads " + n + (n == 1 ? " item" : " items")
                        + " and ignores " + (ds - n * Tipc.ITEM_SIZE) + " trailing bytes");
                    if (warnings == null) return w;
                    warnings.accept(w);
                }
                return Malformation.OK;
            case Tipc.MSG_CRYPTO:
                if (type == Tipc.KEY_DISTR_MSG) return s.key.wrap(b, d, ds).validate();
                return Malformation.OK;
            case Tipc.MSG_BUNDLER: {
                BundleCursor c = s.bundle.wrap(b, m.offset(), m.length());
                while (c.next()) {
                    // walk only
                }
                if (warnings == null) return c.malformation();
                for (int i = 0; i < c.warningCount(); i++) warnings.accept(c.warning(i));
                return c.error();
            }
            case Tipc.TUNNEL_PROTOCOL:
                if (m.nofFragms() == 0 && ds > 0) {
                    Malformation im = TipcCodec.validateFrame(b, d, ds);
                    if (!im.isOk()) return Malformation.of("inner." + im.field(), im.reason());
                }
                return Malformation.OK;
            default:
                return Malformation.OK;
        }
    }

    static void describeMedia(TipcMsg m, FieldSink sink, Scratch s) {
        s.media.wrap(m.buffer(), m.mediaAddrOffset()).describe(sink);
    }

    private static void rest(FieldSink sink, String name, byte[] b, int from, int to) {
        if (to > from) sink.bytes(name, b, from, to - from);
    }

    static Malformation describeBody(TipcMsg m, FieldSink sink, Scratch s) {
        return describeBody(m, sink, s, null);
    }

    /** Describes the body; returns as {@link #validateBody(TipcMsg, Scratch, java.util.function.Consumer)}. */
    static Malformation describeBody(TipcMsg m, FieldSink sink, Scratch s, java.util.function.Consumer<Malformation> warnings) {
        int user = m.user();
        int ds = m.dataSize();
        byte[] b = m.buffer();
        int d = m.dataOffset();
        int end = d + ds;
        Malformation v = validateBody(m, s, warnings);
        switch (user) {
            case Tipc.LINK_CONFIG:
                if (ds >= Tipc.NODE_ID_LEN) {
                    sink.text("node_id", FieldSink.TextKind.NODE_ID, b, d, Tipc.NODE_ID_LEN);
                    sink.bytes("node_id_raw", b, d, Tipc.NODE_ID_LEN);
                    rest(sink, "data_extra", b, d + Tipc.NODE_ID_LEN, end);
                } else {
                    rest(sink, "data", b, d, end);
                }
                break;
            case Tipc.LINK_PROTOCOL:
                if (m.type() == Tipc.STATE_MSG) {
                    describeState(b, d, ds, sink, s);
                } else if ((m.type() == Tipc.RESET_MSG || m.type() == Tipc.ACTIVATE_MSG) && ds >= 16) {
                    sink.text("if_name", FieldSink.TextKind.LATIN1, b, d, 16);
                    sink.bytes("if_name_raw", b, d, 16);
                    rest(sink, "data_extra", b, d + 16, end);
                } else {
                    rest(sink, "data", b, d, end);
                }
                break;
            case Tipc.NAME_DISTRIBUTOR: {
                int n = ds / Tipc.ITEM_SIZE;
                DistrItem it = s.item;
                for (int i = 0; i < n; i++) {
                    it.wrap(b, d + i * Tipc.ITEM_SIZE);
                    sink.beginGroup(ITEM.get(i));
                    sink.field("type", it.type() & 0xffffffffL, null);
                    sink.field("lower", it.lower() & 0xffffffffL, null);
                    sink.field("upper", it.upper() & 0xffffffffL, null);
                    sink.field("port", it.port() & 0xffffffffL, null);
                    sink.field("key", it.key() & 0xffffffffL, null);
                    sink.endGroup();
                }
                rest(sink, "data_extra", b, d + n * Tipc.ITEM_SIZE, end);
                break;
            }
            case Tipc.MSG_CRYPTO:
                if (m.type() == Tipc.KEY_DISTR_MSG && ds >= AeadKey.HEADER) {
                    AeadKey k = s.key.wrap(b, d, ds);
                    sink.beginGroup("aead_key");
                    sink.text("alg_name", FieldSink.TextKind.LATIN1, b, d, Math.min(Tipc.AEAD_ALG_NAME, ds));
                    sink.bytes("alg_name_raw", b, d, Tipc.AEAD_ALG_NAME);
                    long kl = k.keylen();
                    sink.field("keylen", kl, null);
                    int have = (int) Math.min(kl, ds - AeadKey.HEADER);
                    sink.bytes("key", b, k.keyOffset(), have);
                    sink.endGroup();
                    rest(sink, "data_extra", b, k.keyOffset() + have, end);
                } else {
                    rest(sink, "data", b, d, end);
                }
                break;
            default:
                rest(sink, "data", b, d, end);
        }
        return v;
    }

    private static void describeState(byte[] b, int d, int ds, FieldSink sink, Scratch s) {
        int end = d + ds;
        if (ds < GapAckBlocks.HEADER) {
            rest(sink, "data", b, d, end);
            return;
        }
        GapAckBlocks g = s.gap.wrap(b, d, ds);
        int glen = g.len();
        sink.beginGroup("gap_ack_blocks");
        sink.field("len", glen, null);
        sink.field("ugack_cnt", g.ugackCnt(), null);
        sink.field("bgack_cnt", g.bgackCnt(), null);
        Malformation gm = g.validate();
        boolean ok = gm.isOk();
        // a warning (len fits but matches no layout): the kernel ignores the blocks and reads the monitor record at
        // data + len (link.c tipc_get_gap_ack_blks, tipc_link_proto_rcv); the bytes up to len are shown as they are
        boolean ignored = gm.isWarning();
        if (ignored) rest(sink, "data", b, d + GapAckBlocks.HEADER, d + glen);
        if (ok) {
            int bc = g.bcBlocks();
            for (int i = 0; i < g.blockCount(); i++) {
                sink.beginGroup(GAP_ACK.get(i));
                sink.text("list", i < bc ? "broadcast" : "unicast");
                sink.field("ack", g.ack(i), null);
                sink.field("gap", g.gap(i), null);
                sink.endGroup();
            }
        }
        sink.endGroup();
        if (!(ok || ignored) || glen > ds) {
            rest(sink, "data", b, d + GapAckBlocks.HEADER, end);
            return;
        }
        int rs = ds - glen;
        if (rs == 0) return;
        int p = d + glen;
        MonitorDomain dom = s.dom.wrap(b, p, rs);
        if (rs >= MonitorDomain.HEADER) {
            sink.beginGroup("domain_record");
            sink.field("len", dom.len(), null);
            sink.field("gen", dom.gen(), null);
            sink.field("ack_gen", dom.ackGen(), null);
            sink.field("member_cnt", dom.memberCnt(), null);
            sink.bitmap("up_map", dom.upMap());
            int n = Math.min(dom.memberCnt(), (rs - MonitorDomain.HEADER) / 4);
            for (int i = 0; i < n; i++) {
                sink.address(MEMBER.get(i), dom.member(i));
            }
            sink.endGroup();
            rest(sink, "data_extra", b, p + MonitorDomain.HEADER + 4 * n, end);
        } else {
            rest(sink, "data_extra", b, p, end);
        }
    }

    private static void copy(TipcMsg s, TipcMsg d, int from, int to) {
        if (to > from) System.arraycopy(s.buffer(), s.dataOffset() + from, d.buffer(), d.dataOffset() + from, to - from);
    }

    static void reencodeBody(TipcMsg s, TipcMsg d) {
        int user = s.user();
        int ds = s.dataSize();
        byte[] sb = s.buffer();
        int sd = s.dataOffset();
        if (HeaderLayout.hasMedia(user, s.hdrSize())) {
            MediaAddress.reencode(new MediaAddress().wrap(sb, s.mediaAddrOffset()),
                new MediaAddress().wrap(d.buffer(), d.mediaAddrOffset()));
        }
        int done = 0;
        switch (user) {
            case Tipc.LINK_PROTOCOL:
                if (s.type() == Tipc.STATE_MSG && ds >= GapAckBlocks.HEADER) {
                    GapAckBlocks g = new GapAckBlocks().wrap(sb, sd, ds);
                    if (!g.validate().isOk()) break;
                    GapAckBlocks dg = new GapAckBlocks().wrap(d.buffer(), d.dataOffset(), ds);
                    dg.setLen(g.len()).setUgackCnt(g.ugackCnt()).setBgackCnt(g.bgackCnt());
                    for (int i = 0; i < g.blockCount(); i++) dg.setAck(i, g.ack(i)).setGap(i, g.gap(i));
                    // legacy layout: byte 3 kept by setBgackCnt above; bytes between blocks and len: none
                    done = g.len();
                    int rs = ds - done;
                    MonitorDomain dom = new MonitorDomain().wrap(sb, sd + done, rs);
                    if (rs > 0 && dom.validate().isOk()) {
                        MonitorDomain dd = new MonitorDomain().wrap(d.buffer(), d.dataOffset() + done, rs);
                        dd.setLen(dom.len()).setGen(dom.gen()).setAckGen(dom.ackGen()).setMemberCnt(dom.memberCnt())
                            .setUpMap(dom.upMap());
                        for (int i = 0; i < dom.memberCnt(); i++) dd.setMember(i, dom.member(i));
                        done = ds;
                    }
                }
                break;
            case Tipc.NAME_DISTRIBUTOR: {
                int n = ds / Tipc.ITEM_SIZE;
                DistrItem si = new DistrItem();
                DistrItem di = new DistrItem();
                for (int i = 0; i < n; i++) {
                    si.wrap(sb, sd + i * Tipc.ITEM_SIZE);
                    di.wrap(d.buffer(), d.dataOffset() + i * Tipc.ITEM_SIZE);
                    di.setType(si.type()).setLower(si.lower()).setUpper(si.upper()).setPort(si.port()).setKey(si.key());
                }
                done = n * Tipc.ITEM_SIZE;
                break;
            }
            case Tipc.MSG_CRYPTO:
                if (s.type() == Tipc.KEY_DISTR_MSG && ds >= AeadKey.HEADER) {
                    AeadKey k = new AeadKey().wrap(sb, sd, ds);
                    AeadKey dk = new AeadKey().wrap(d.buffer(), d.dataOffset(), ds);
                    copy(s, d, 0, Tipc.AEAD_ALG_NAME); // alg_name[32] as bytes (padding kept)
                    dk.setKeylen((int) k.keylen());
                    int have = (int) Math.min(k.keylen(), ds - AeadKey.HEADER);
                    dk.setKey(sb, k.keyOffset(), have);
                    done = AeadKey.HEADER + have;
                }
                break;
            default:
                break;
        }
        copy(s, d, done, ds);
    }
}
