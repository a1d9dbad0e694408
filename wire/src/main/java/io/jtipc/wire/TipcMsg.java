package io.jtipc.wire;

/**
 * Flyweight over one TIPC message header (struct tipc_msg, {@code net/tipc/msg.h}): 6 to 15
 * big-endian 32-bit words, followed by the data area. Accessor names follow the kernel's
 * {@code msg_*} accessors without the prefix, in camelCase; several share bits and are meant for
 * different users/types exactly as in the kernel.
 *
 * <p>Usage: {@code wrap(buf, off, len)}, then {@link TipcCodec#validate} (or {@link #validate()})
 * before trusting sizes; getters never throw: a word beyond {@code len} reads as 0. Setters write
 * into the wrapped array (encoding = wrap a zeroed buffer and set fields); they throw
 * IndexOutOfBoundsException only when the array is too small. wrap and getters allocate nothing.
 *
 * <p>Data message header (users 0-3; words present depend on hdr_sz 24/32/40/44):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * w0:|vers | user  |hdr sz |n|d|s|y|          message size           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * w1:|mstyp| error |rer cnt|lsc| res |        broadcast ack          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * w2:|        link level ack         |        link level seqno       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * w3:|                       previous node                           |
 * w4:|                      originating port                         |
 * w5:|                      destination port                         |   (mc_netid on bcast medium)
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * w6:|                      originating node                         |   hdr_sz &gt;= 32
 * w7:|                      destination node                         |
 * w8:|                          name type                            |   hdr_sz &gt;= 40
 * w9:|              name instance / multicast lower bound            |
 * w10:|                  multicast upper bound                        |   hdr_sz = 44, either
 * w10:|        group bc seqno         |                           |e|a|   or (group messages)
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  n = non_seq (w0 bit 20), d = dest_droppable / is_keepalive (bit 19),
 *  s = src_droppable / ack_required / nagle_ack / is_rcast (bit 18), y = is_syn (bit 17),
 *  lsc = lookup_scope (w1 bits 20-19), res = reserved (w1 bits 18-16),
 *  group bc seqno = grp_bc_seqno (w10 bits 31-16), a = grp_bc_ack_req (w10 bit 0),
 *  e..a = grp_evt (w10 bits 1-0, member events, node-local only).
 * </pre>
 * Internal users (5-14) use a 40-byte header (LINK_CONFIG 60); per user meanings of w1, w2, w4, w5,
 * w8, w9 are documented on each accessor and tabulated in {@link HeaderLayout}.
 */
public final class TipcMsg {
    private byte[] buf;
    private int off;
    private int len;

    public TipcMsg() {}

    /** Wraps {@code len} bytes of {@code buf} from {@code off}. Allocation free. */
    public TipcMsg wrap(byte[] buf, int off, int len) {
        this.buf = buf;
        this.off = off;
        this.len = len;
        return this;
    }

    /**
     * Wraps the remaining bytes of a heap ByteBuffer (position..limit); the buffer's position is not
     * changed. Throws IllegalArgumentException for a buffer without an accessible array.
     */
    public TipcMsg wrap(java.nio.ByteBuffer bb) {
        if (!bb.hasArray()) throw new IllegalArgumentException("ByteBuffer without accessible array");
        return wrap(bb.array(), bb.arrayOffset() + bb.position(), bb.remaining());
    }

    public byte[] buffer() {
        return buf;
    }

    public int offset() {
        return off;
    }

    /** Bytes wrapped (may exceed {@link #size()}, e.g. Ethernet padding). */
    public int length() {
        return len;
    }

    /** Offset in {@link #buffer()} of the data area: offset + hdr_sz. */
    public int dataOffset() {
        return off + hdrSize();
    }

    /**
     * As the kernel's {@code tipc_msg_init} (msg.c): zeroes {@code hsize} bytes, sets version 2, user,
     * hdr_sz = size = hsize, prevnode = ownNode, type, and for headers longer than 24 bytes
     * orignode = ownNode and destnode = dnode. The wrapped length must be ≥ hsize.
     */
    public TipcMsg init(int ownNode, int user, int type, int hsize, int dnode) {
        java.util.Arrays.fill(buf, off, off + hsize, (byte) 0);
        setVersion(Tipc.VERSION).setUser(user).setHdrSize(hsize).setSize(hsize).setPrevnode(ownNode).setType(type);
        if (hsize > Tipc.SHORT_H_SIZE) {
            setOrignode(ownNode).setDestnode(dnode);
        }
        return this;
    }

    /** Full validation, see {@link TipcCodec#validate(byte[], int, int)}. */
    public Malformation validate() {
        return TipcCodec.validate(buf, off, len);
    }

    // ------------------------------------------------------------ raw word access

    /** Word {@code n} (0-14) decoded big-endian; 0 if it lies beyond the wrapped length. */
    public int word(int n) {
        int p = n * 4;
        return p + 4 <= len ? Bytes.getInt(buf, off + p) : 0;
    }

    public TipcMsg setWord(int n, int v) {
        Bytes.putInt(buf, off + n * 4, v);
        return this;
    }

    /** {@code (word(w) >>> pos) & mask} as {@code msg_bits}. */
    public int bits(int w, int pos, int mask) {
        return (word(w) >>> pos) & mask;
    }

    /**
     * As {@code msg_set_bits}: replaces only the masked bits. Like {@link #setWord} it writes the buffer whatever the
     * wrapped length, and keeps the word's other bits even beyond that length.
     */
    public TipcMsg setBits(int w, int pos, int mask, int v) {
        int old = Bytes.getInt(buf, off + w * 4);
        return setWord(w, (old & ~(mask << pos)) | ((v & mask) << pos));
    }

    // ------------------------------------------------------------ word 0

    /** w0 bits 31-29, msg.h msg_version: 2 (7 = encryption header, see {@link EncryptionHeader}). */
    public int version() { return bits(0, 29, 7); }
    public TipcMsg setVersion(int v) { return setBits(0, 29, 7, v); }

    /** w0 bits 28-25, msg.h msg_user: importance 0-3 for data, else internal user (see {@link Tipc}). */
    public int user() { return bits(0, 25, 0xf); }
    public TipcMsg setUser(int v) { return setBits(0, 25, 0xf, v); }

    /** msg.h msg_isdata: user &lt;= 3. */
    public boolean isData() { return user() <= Tipc.CRITICAL_IMPORTANCE; }

    /** w0 bits 24-21 × 4, msg.h msg_hdr_sz: header size in bytes (24..60). */
    public int hdrSize() { return bits(0, 21, 0xf) << 2; }
    /** Sets header size in bytes (stored as bytes/4). */
    public TipcMsg setHdrSize(int bytes) { return setBits(0, 21, 0xf, bytes >>> 2); }

    /** w0 bit 20, msg.h msg_non_seq: 1 on discovery and broadcast-medium packets. */
    public int nonSeq() { return bits(0, 20, 1); }
    public TipcMsg setNonSeq(int v) { return setBits(0, 20, 1, v); }

    /** w0 bit 19, msg.h msg_dest_droppable (data, GROUP_PROTOCOL). */
    public int destDroppable() { return bits(0, 19, 1); }
    public TipcMsg setDestDroppable(int v) { return setBits(0, 19, 1, v); }

    /** w0 bit 19, msg.h msg_is_keepalive (LINK_PROTOCOL STATE). */
    public int isKeepalive() { return bits(0, 19, 1); }
    public TipcMsg setIsKeepalive(int v) { return setBits(0, 19, 1, v); }

    /** w0 bit 18, msg.h msg_src_droppable (data, informational). */
    public int srcDroppable() { return bits(0, 18, 1); }
    public TipcMsg setSrcDroppable(int v) { return setBits(0, 18, 1, v); }

    /** w0 bit 18, msg.h msg_ack_required (stream CONN_MSG, Nagle). */
    public int ackRequired() { return bits(0, 18, 1); }
    public TipcMsg setAckRequired(int v) { return setBits(0, 18, 1, v); }

    /** w0 bit 18, msg.h msg_nagle_ack (CONN_MANAGER CONN_ACK). */
    public int nagleAck() { return bits(0, 18, 1); }
    public TipcMsg setNagleAck(int v) { return setBits(0, 18, 1, v); }

    /** w0 bit 18, msg.h msg_is_rcast (MCAST, GRP_BCAST, GRP_MCAST). */
    public int isRcast() { return bits(0, 18, 1); }
    public TipcMsg setIsRcast(int v) { return setBits(0, 18, 1, v); }

    /** w0 bit 17, msg.h msg_is_syn: connection request / multicast method switch marker. */
    public int isSyn() { return bits(0, 17, 1); }
    public TipcMsg setSyn(int v) { return setBits(0, 17, 1, v); }

    /** w0 bits 16-0, msg.h msg_size: header + data, bytes. */
    public int size() { return bits(0, 0, 0x1ffff); }
    public TipcMsg setSize(int v) { return setBits(0, 0, 0x1ffff, v); }

    /** msg.h msg_data_sz: size - hdr_sz, bytes (may be negative for malformed input). */
    public int dataSize() { return size() - hdrSize(); }

    /**
     * msg.h msg_importance: data users without error code → user; MSG_FRAGMENTER/MSG_BUNDLER →
     * w9 bits 2-0; otherwise 4 (system).
     */
    public int importance() {
        int u = user();
        if (u <= Tipc.CRITICAL_IMPORTANCE && errcode() == 0) return u;
        if (u == Tipc.MSG_FRAGMENTER || u == Tipc.MSG_BUNDLER) return bits(9, 0, 7);
        return Tipc.SYSTEM_IMPORTANCE;
    }

    /**
     * msg.h msg_set_importance: w9 bits 2-0 for MSG_FRAGMENTER/MSG_BUNDLER, else the user field, which takes only 0-3.
     *
     * @throws IllegalArgumentException for an importance above 3 on any other user (the kernel warns "Trying to set
     *         illegal importance" and leaves the header alone)
     */
    public TipcMsg setImportance(int i) {
        int u = user();
        if (u == Tipc.MSG_FRAGMENTER || u == Tipc.MSG_BUNDLER) return setBits(9, 0, 7, i);
        if (i < 0 || i > Tipc.CRITICAL_IMPORTANCE) {
            throw new IllegalArgumentException("importance " + i + " is not 0-3 (user " + Tipc.userName(u) + ")");
        }
        return setUser(i);
    }

    // ------------------------------------------------------------ word 1

    /** w1 bits 31-29, msg.h msg_type. */
    public int type() { return bits(1, 29, 7); }
    public TipcMsg setType(int v) { return setBits(1, 29, 7, v); }

    /** w1 bits 28-25, msg.h msg_errcode (data, CONN_MANAGER). */
    public int errcode() { return bits(1, 25, 0xf); }
    public TipcMsg setErrcode(int v) { return setBits(1, 25, 0xf, v); }

    /** w1 bits 24-21, msg.h msg_reroute_cnt (data). */
    public int rerouteCnt() { return bits(1, 21, 0xf); }
    public TipcMsg setRerouteCnt(int v) { return setBits(1, 21, 0xf, v); }

    /** w1 bits 20-19, msg.h msg_lookup_scope (data): 2 cluster, 3 node. */
    public int lookupScope() { return bits(1, 19, 3); }
    public TipcMsg setLookupScope(int v) { return setBits(1, 19, 3, v); }

    /** w1 bits 15-0, msg.h msg_bcast_ack: 16-bit seqno of last in-order broadcast received. */
    public int bcastAck() { return bits(1, 0, 0xffff); }
    public TipcMsg setBcastAck(int v) { return setBits(1, 0, 0xffff, v); }

    /** w1 bits 28-16, msg.h msg_seq_gap (LINK_PROTOCOL STATE): packets missing after ack. */
    public int seqGap() { return bits(1, 16, 0x1fff); }
    public TipcMsg setSeqGap(int v) { return setBits(1, 16, 0x1fff, v); }

    /** w1 bit 16, msg.h msg_dest_session_valid (LINK_PROTOCOL ACTIVATE). */
    public int destSessionValid() { return bits(1, 16, 1); }
    public TipcMsg setDestSessionValid(int v) { return setBits(1, 16, 1, v); }

    /** w1 bits 15-0, msg.h msg_dest_session (LINK_PROTOCOL ACTIVATE). */
    public int destSession() { return bits(1, 0, 0xffff); }
    public TipcMsg setDestSession(int v) { return setBits(1, 0, 0xffff, v); }

    /** w1 bits 27-15, msg.h msg_node_capabilities (LINK_CONFIG); bit 15 shared with node_sig. */
    public int nodeCapabilities() { return bits(1, 15, 0x1fff); }
    public TipcMsg setNodeCapabilities(int v) { return setBits(1, 15, 0x1fff, v); }

    /** w1 bits 15-0, msg.h msg_node_sig (LINK_CONFIG); bit 15 is capability bit 0. */
    public int nodeSig() { return bits(1, 0, 0xffff); }
    public TipcMsg setNodeSig(int v) { return setBits(1, 0, 0xffff, v); }

    /** w1 bit 28, msg.h msg_is_bulk (NAME_DISTRIBUTOR). */
    public int isBulk() { return bits(1, 28, 1); }
    public TipcMsg setIsBulk(int v) { return setBits(1, 28, 1, v); }

    /** w1 bit 27, msg.h msg_is_last_bulk (NAME_DISTRIBUTOR). */
    public int isLastBulk() { return bits(1, 27, 1); }
    public TipcMsg setIsLastBulk(int v) { return setBits(1, 27, 1, v); }

    /** msg.h msg_is_legacy (NAME_DISTRIBUTOR): 1 when w1 bit 26 (non-legacy flag) is 0. */
    public int isLegacy() { return bits(1, 26, 1) ^ 1; }
    /** msg.h msg_set_non_legacy: sets w1 bit 26 to {@code v} (1 = non-legacy, what 6.1 sends). */
    public TipcMsg setNonLegacy(int v) { return setBits(1, 26, 1, v); }
    /** Legacy flag setter: legacy 1 clears w1 bit 26, 0 sets it (6.1 senders set it). */
    public TipcMsg setLegacy(int legacy) { return setBits(1, 26, 1, (legacy & 1) ^ 1); }

    // ------------------------------------------------------------ word 2

    /** w2 bits 31-16, msg.h msg_ack: link-level ack (receiver's rcv_nxt - 1). */
    public int ack() { return bits(2, 16, 0xffff); }
    public TipcMsg setAck(int v) { return setBits(2, 16, 0xffff, v); }

    /** w2 bits 15-0, msg.h msg_seqno: link-level sequence number. */
    public int seqno() { return bits(2, 0, 0xffff); }
    public TipcMsg setSeqno(int v) { return setBits(2, 0, 0xffff, v); }

    /** w2, msg.h msg_dest_domain (LINK_CONFIG). */
    public int destDomain() { return word(2); }
    public TipcMsg setDestDomain(int v) { return setWord(2, v); }

    /** w2 bits 31-16, msg.h msg_bcgap_after (legacy BCAST_PROTOCOL NACK). */
    public int bcgapAfter() { return bits(2, 16, 0xffff); }
    public TipcMsg setBcgapAfter(int v) { return setBits(2, 16, 0xffff, v); }

    /** w2 bits 15-0, msg.h msg_bcgap_to (legacy BCAST_PROTOCOL NACK). */
    public int bcgapTo() { return bits(2, 0, 0xffff); }
    public TipcMsg setBcgapTo(int v) { return setBits(2, 0, 0xffff, v); }

    // ------------------------------------------------------------ word 3

    /** w3, msg.h msg_prevnode: node address of the transmitting node on this hop. */
    public int prevnode() { return word(3); }
    public TipcMsg setPrevnode(int v) { return setWord(3, v); }

    // ------------------------------------------------------------ word 4

    /** w4, msg.h msg_origport (data, CONN_MANAGER, GROUP_PROTOCOL). */
    public int origport() { return word(4); }
    public TipcMsg setOrigport(int v) { return setWord(4, v); }

    /** w4 bits 31-16, msg.h msg_last_bcast (LINK_PROTOCOL, BCAST_PROTOCOL): bc_snd_nxt - 1. */
    public int lastBcast() { return bits(4, 16, 0xffff); }
    public TipcMsg setLastBcast(int v) { return setBits(4, 16, 0xffff, v); }

    /** w4 bits 15-0, msg.h msg_next_sent (LINK_PROTOCOL): sender's snd_nxt. */
    public int nextSent() { return bits(4, 0, 0xffff); }
    public TipcMsg setNextSent(int v) { return setBits(4, 0, 0xffff, v); }

    /** w4 bits 31-16, msg.h msg_fragm_no (MSG_FRAGMENTER, TUNNEL_PROTOCOL): 1-based. */
    public int fragmNo() { return bits(4, 16, 0xffff); }
    public TipcMsg setFragmNo(int v) { return setBits(4, 16, 0xffff, v); }

    /** w4 bits 15-0, msg.h msg_nof_fragms (TUNNEL_PROTOCOL fragmented FAILOVER; else 0). */
    public int nofFragms() { return bits(4, 0, 0xffff); }
    public TipcMsg setNofFragms(int v) { return setBits(4, 0, 0xffff, v); }

    /** w4 bits 15-0, msg.h msg_named_seqno (NAME_DISTRIBUTOR). */
    public int namedSeqno() { return bits(4, 0, 0xffff); }
    public TipcMsg setNamedSeqno(int v) { return setBits(4, 0, 0xffff, v); }

    /** w4, msg.h msg_bc_netid (LINK_CONFIG): network (cluster) id, default 4711. */
    public int bcNetid() { return word(4); }
    public TipcMsg setBcNetid(int v) { return setWord(4, v); }

    /** w4 bits 31-16, msg.h msg_key_gen (MSG_CRYPTO). */
    public int keyGen() { return bits(4, 16, 0xffff); }
    public TipcMsg setKeyGen(int v) { return setBits(4, 16, 0xffff, v); }

    /** w4 bits 3-0, msg.h msg_key_mode (MSG_CRYPTO): 1 cluster key, 2 per-node key. */
    public int keyMode() { return bits(4, 0, 0xf); }
    public TipcMsg setKeyMode(int v) { return setBits(4, 0, 0xf, v); }

    /** msg.h msg_link_selector: w4 bit 0 (of the inner header for MSG_FRAGMENTER, not done here). */
    public int linkSelector() { return bits(4, 0, 1); }

    // ------------------------------------------------------------ word 5

    /** w5, msg.h msg_destport (data, CONN_MANAGER, GROUP_PROTOCOL). */
    public int destport() { return word(5); }
    public TipcMsg setDestport(int v) { return setWord(5, v); }

    /** w5, msg.h msg_mc_netid: network id on broadcast-medium packets (non_seq = 1). */
    public int mcNetid() { return word(5); }
    public TipcMsg setMcNetid(int v) { return setWord(5, v); }

    /** w5 bits 31-16, msg.h msg_session (LINK_PROTOCOL). */
    public int session() { return bits(5, 16, 0xffff); }
    public TipcMsg setSession(int v) { return setBits(5, 16, 0xffff, v); }

    /** w5 bit 14, raw bit of msg.h msg_bc_ack_invalid (meaningful for users 5, 7, 11). */
    public int bcAckInvalid() { return bits(5, 14, 1); }
    public TipcMsg setBcAckInvalid(int v) { return setBits(5, 14, 1, v); }

    /** w5 bit 13, msg.h msg_peer_stopping (LINK_PROTOCOL RESET). */
    public int peerStopping() { return bits(5, 13, 1); }
    public TipcMsg setPeerStopping(int v) { return setBits(5, 13, 1, v); }

    /** w5 bit 12, msg.h msg_redundant_link (LINK_PROTOCOL). */
    public int redundantLink() { return bits(5, 12, 1); }
    public TipcMsg setRedundantLink(int v) { return setBits(5, 12, 1, v); }

    /** w5 bits 11-9, msg.h msg_bearer_id (LINK_PROTOCOL, TUNNEL_PROTOCOL). */
    public int bearerId() { return bits(5, 9, 7); }
    public TipcMsg setBearerId(int v) { return setBits(5, 9, 7, v); }

    /** w5 bits 8-4, msg.h msg_linkprio (LINK_PROTOCOL): 0 = no change. */
    public int linkprio() { return bits(5, 4, 0x1f); }
    public TipcMsg setLinkprio(int v) { return setBits(5, 4, 0x1f, v); }

    /** w5 bits 3-1, msg.h msg_net_plane as 0-7 (the kernel adds 'A'). */
    public int netPlane() { return bits(5, 1, 7); }
    public TipcMsg setNetPlane(int v) { return setBits(5, 1, 7, v); }

    /** w5 bit 0, msg.h msg_probe (LINK_PROTOCOL STATE). */
    public int probe() { return bits(5, 0, 1); }
    public TipcMsg setProbe(int v) { return setBits(5, 0, 1, v); }

    // ------------------------------------------------------------ words 6-14

    /** msg.h msg_orignode: w6, or w3 (prevnode) when the header is 24 bytes. */
    public int orignode() { return hdrSize() == Tipc.SHORT_H_SIZE ? prevnode() : word(6); }
    /** Writes w6. */
    public TipcMsg setOrignode(int v) { return setWord(6, v); }

    /** w7, msg.h msg_destnode. */
    public int destnode() { return word(7); }
    public TipcMsg setDestnode(int v) { return setWord(7, v); }

    /** w8, msg.h msg_nametype (NAMED, MCAST, group data). */
    public int nametype() { return word(8); }
    public TipcMsg setNametype(int v) { return setWord(8, v); }

    /** w8 bits 9-0, msg.h msg_bc_gap (LINK_PROTOCOL STATE). */
    public int bcGap() { return bits(8, 0, 0x3ff); }
    public TipcMsg setBcGap(int v) { return setBits(8, 0, 0x3ff, v); }

    /** Alias of {@link #nametype()}. */
    public int nameType() { return nametype(); }
    /** Alias of {@link #setNametype(int)}. */
    public TipcMsg setNameType(int v) { return setNametype(v); }
    /** Alias of {@link #nameinst()}. */
    public int nameInst() { return nameinst(); }
    /** Alias of {@link #setNameinst(int)}. */
    public TipcMsg setNameInst(int v) { return setNameinst(v); }
    /** Alias of {@link #namelower()}. */
    public int nameLower() { return namelower(); }
    /** Alias of {@link #setNamelower(int)}. */
    public TipcMsg setNameLower(int v) { return setNamelower(v); }
    /** Alias of {@link #nameupper()}. */
    public int nameUpper() { return nameupper(); }
    /** Alias of {@link #setNameupper(int)}. */
    public TipcMsg setNameUpper(int v) { return setNameupper(v); }

    /** w9, msg.h msg_nameinst (NAMED, group data). */
    public int nameinst() { return word(9); }
    public TipcMsg setNameinst(int v) { return setWord(9, v); }

    /** w9, msg.h msg_namelower (MCAST). */
    public int namelower() { return word(9); }
    public TipcMsg setNamelower(int v) { return setWord(9, v); }

    /** w9 bits 31-16 × 4, msg.h msg_max_pkt (LINK_PROTOCOL RESET/ACTIVATE): bytes. */
    public int maxPkt() { return bits(9, 16, 0xffff) * 4; }
    public TipcMsg setMaxPkt(int bytes) { return setBits(9, 16, 0xffff, bytes / 4); }

    /** w9 bits 15-0, msg.h msg_link_tolerance (LINK_PROTOCOL): ms, 0 = no change. */
    public int linkTolerance() { return bits(9, 0, 0xffff); }
    public TipcMsg setLinkTolerance(int v) { return setBits(9, 0, 0xffff, v); }

    /** w9 bits 31-16, msg.h msg_msgcnt (MSG_BUNDLER count, TUNNEL_PROTOCOL packet count). */
    public int msgcnt() { return bits(9, 16, 0xffff); }
    public TipcMsg setMsgcnt(int v) { return setBits(9, 16, 0xffff, v); }

    /** w9 bits 31-16, msg.h msg_syncpt (TUNNEL_PROTOCOL enhanced SYNCH). */
    public int syncpt() { return bits(9, 16, 0xffff); }
    public TipcMsg setSyncpt(int v) { return setBits(9, 16, 0xffff, v); }

    /** w9 bits 31-16, msg.h msg_conn_ack (CONN_MANAGER): blocks or messages consumed. */
    public int connAck() { return bits(9, 16, 0xffff); }
    public TipcMsg setConnAck(int v) { return setBits(9, 16, 0xffff, v); }

    /** w9 bits 15-0, msg.h msg_adv_win (CONN_MANAGER, GROUP_PROTOCOL): blocks. */
    public int advWin() { return bits(9, 0, 0xffff); }
    public TipcMsg setAdvWin(int v) { return setBits(9, 0, 0xffff, v); }

    /** w9 bits 31-16, msg.h msg_grp_bc_syncpt (GROUP_PROTOCOL JOIN/LEAVE). */
    public int grpBcSyncpt() { return bits(9, 16, 0xffff); }
    public TipcMsg setGrpBcSyncpt(int v) { return setBits(9, 16, 0xffff, v); }

    /** w9 bits 31-16, msg.h msg_grp_bc_acked (GROUP_PROTOCOL ACK). */
    public int grpBcAcked() { return bits(9, 16, 0xffff); }
    public TipcMsg setGrpBcAcked(int v) { return setBits(9, 16, 0xffff, v); }

    /** w9 bits 31-16, msg.h msg_grp_remitted (GROUP_PROTOCOL REMIT). */
    public int grpRemitted() { return bits(9, 16, 0xffff); }
    public TipcMsg setGrpRemitted(int v) { return setBits(9, 16, 0xffff, v); }

    /** w9 bits 31-16, msg_bcast_tag of 3.x/4.x msg.h (BCAST_PROTOCOL; 0 from 6.1). */
    public int bcastTag() { return bits(9, 16, 0xffff); }
    public TipcMsg setBcastTag(int v) { return setBits(9, 16, 0xffff, v); }

    /** w10, msg.h msg_nameupper (MCAST). */
    public int nameupper() { return word(10); }
    public TipcMsg setNameupper(int v) { return setWord(10, v); }

    /** w10 bits 31-16, msg.h msg_grp_bc_seqno (group data). */
    public int grpBcSeqno() { return bits(10, 16, 0xffff); }
    public TipcMsg setGrpBcSeqno(int v) { return setBits(10, 16, 0xffff, v); }

    /** w10 bit 0, msg.h msg_grp_bc_ack_req (GRP_BCAST/GRP_MCAST). */
    public int grpBcAckReq() { return bits(10, 0, 1); }
    public TipcMsg setGrpBcAckReq(int v) { return setBits(10, 0, 1, v); }

    /** w10 bits 1-0, msg.h msg_grp_evt (GRP_MEMBER_EVT, node-local). */
    public int grpEvt() { return bits(10, 0, 3); }
    public TipcMsg setGrpEvt(int v) { return setBits(10, 0, 3, v); }

    /** w13, msg.h msg_peer_net_hash (LINK_CONFIG). */
    public int peerNetHash() { return word(13); }
    public TipcMsg setPeerNetHash(int v) { return setWord(13, v); }

    /** w14, msg.h msg_sugg_node_addr (LINK_CONFIG DSC_TRIAL_FAIL). */
    public int suggNodeAddr() { return word(14); }
    public TipcMsg setSuggNodeAddr(int v) { return setWord(14, v); }

    /** Offset in {@link #buffer()} of the 32-byte media address block (LINK_CONFIG, w5-w12). */
    public int mediaAddrOffset() { return off + Tipc.MEDIA_INFO_OFFSET; }

    /**
     * Debug text: every header field of the message's layout as {@code name=value[(symbolic)]}, words
     * beyond the wrapped length omitted. Allocates; not for the hot path.
     */
    @Override
    public String toString() {
        if (buf == null) return "TipcMsg(unwrapped)";
        if (len < 4) return "TipcMsg(" + len + " bytes)";
        StringBuilder sb = new StringBuilder("TipcMsg(");
        int words = Math.min(hdrSize(), len) / 4;
        boolean first = true;
        for (HeaderField f : HeaderLayout.of(this)) {
            if (f.word() >= Math.max(words, 1)) continue;
            long v = f.get(this);
            if (!first) sb.append(' ');
            first = false;
            sb.append(f.name()).append('=').append(v);
            String sym = f.symbolic(this, v);
            if (sym != null) sb.append('(').append(sym).append(')');
        }
        return sb.append(')').toString();
    }
}
