package io.jtipc.wire;

/**
 * Flyweight over the TIPC encryption header (struct tipc_ehdr, {@code net/tipc/crypto.h}) that
 * precedes the AES-GCM ciphertext of every packet sent by a node with a TX key.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * w0:|Ver=7| User  |D|TX |RX |K|M|N|R|          reserved_2           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * w1:|                     seqno (64 bits)                           |
 * w2:|                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * w3:|        addr (sender node address) — 16 bytes = node id when    |
 *    |        User = LINK_CONFIG (13): header is then 28 bytes         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  then ciphertext (TIPC message padded to 4 bytes), then 16-byte GCM tag.
 *  version w0 31-29 (7), user 28-25 (13 LINK_CONFIG, 7 LINK_PROTOCOL STATE, else 0),
 *  destined 24, tx_key 23-22, rx_key_active 21-20, keepalive 19, master_key 18, rx_nokey 17,
 *  reserved_1 16, reserved_2 15-0.
 * </pre>
 * AAD = the whole header; IV = 4 salt-derived bytes ‖ the 8 seqno bytes (see crypto.c).
 */
public final class EncryptionHeader {
    private byte[] buf;
    private int off;
    private int len;

    public EncryptionHeader wrap(byte[] buf, int off, int len) {
        this.buf = buf;
        this.off = off;
        this.len = len;
        return this;
    }

    public byte[] buffer() { return buf; }
    public int offset() { return off; }
    public int length() { return len; }

    private int w0() { return len >= 4 ? Bytes.getInt(buf, off) : 0; }
    private int bits(int pos, int mask) { return (w0() >>> pos) & mask; }
    private EncryptionHeader setBits(int pos, int mask, int v) {
        int w = w0();
        Bytes.putInt(buf, off, (w & ~(mask << pos)) | ((v & mask) << pos));
        return this;
    }

    /** True if the first 3 bits of {@code buf[off]} are 7 (TIPC_EVERSION). */
    public static boolean isEncrypted(byte[] buf, int off, int len) {
        return len >= 1 && ((buf[off] & 0xff) >>> 5) == Tipc.EVERSION;
    }

    public int version() { return bits(29, 7); }
    public EncryptionHeader setVersion(int v) { return setBits(29, 7, v); }
    public int user() { return bits(25, 0xf); }
    public EncryptionHeader setUser(int v) { return setBits(25, 0xf, v); }
    public int destined() { return bits(24, 1); }
    public EncryptionHeader setDestined(int v) { return setBits(24, 1, v); }
    public int txKey() { return bits(22, 3); }
    public EncryptionHeader setTxKey(int v) { return setBits(22, 3, v); }
    public int rxKeyActive() { return bits(20, 3); }
    public EncryptionHeader setRxKeyActive(int v) { return setBits(20, 3, v); }
    public int keepalive() { return bits(19, 1); }
    public EncryptionHeader setKeepalive(int v) { return setBits(19, 1, v); }
    public int masterKey() { return bits(18, 1); }
    public EncryptionHeader setMasterKey(int v) { return setBits(18, 1, v); }
    public int rxNokey() { return bits(17, 1); }
    public EncryptionHeader setRxNokey(int v) { return setBits(17, 1, v); }
    public int reserved1() { return bits(16, 1); }
    public EncryptionHeader setReserved1(int v) { return setBits(16, 1, v); }
    public int reserved2() { return bits(0, 0xffff); }
    public EncryptionHeader setReserved2(int v) { return setBits(0, 0xffff, v); }

    /** Bytes 4-11: 64-bit sequence number (big-endian), per TX key, starts at 1. */
    public long seqno() { return len >= 12 ? Bytes.getLong(buf, off + 4) : 0; }
    public EncryptionHeader setSeqno(long v) { Bytes.putLong(buf, off + 4, v); return this; }

    /** Bytes 12-15: sender node address (non-LINK_CONFIG); for LINK_CONFIG the first 4 id bytes. */
    public int addr() { return len >= 16 ? Bytes.getInt(buf, off + 12) : 0; }
    public EncryptionHeader setAddr(int v) { Bytes.putInt(buf, off + 12, v); return this; }

    /** Offset of the 16-byte node id (LINK_CONFIG only). */
    public int nodeIdOffset() { return off + 12; }
    public EncryptionHeader setNodeId(byte[] src, int srcOff) {
        System.arraycopy(src, srcOff, buf, off + 12, Tipc.NODE_ID_LEN);
        return this;
    }

    /** tipc_ehdr_size: 28 if user = LINK_CONFIG, else 16. */
    public int headerSize() { return user() == Tipc.LINK_CONFIG ? Tipc.EHDR_CFG_SIZE : Tipc.EHDR_SIZE; }

    /** Offset of the ciphertext. */
    public int ciphertextOffset() { return off + headerSize(); }

    /** Ciphertext length = len - header - 16-byte tag (may be ≤ 0 when malformed). */
    public int ciphertextLength() { return len - headerSize() - Tipc.AES_GCM_TAG_SIZE; }

    /** Offset of the 16-byte tag (last 16 bytes). */
    public int tagOffset() { return off + len - Tipc.AES_GCM_TAG_SIZE; }

    /**
     * Builds the 12-byte AES-GCM nonce as {@code tipc_aead_encrypt/decrypt} (crypto.c) do on a
     * little-endian host (x86-64, arm64): {@code out[i] = salt[i] ^ (addr >>> 8i)} for i = 0..3, then
     * the 8 sequence-number bytes big-endian. For a cluster (master) key {@code addr} is header bytes
     * 12-15 read big-endian ({@link #addr()}; for discovery the first 4 node-id bytes); for a
     * per-node key it is the destination (sender side) / own (receiver side) address when destined = 1,
     * else 0. Checked against samples/udpcrypto-6.1.pcap.
     */
    public static void iv(byte[] salt4, int addr, long seqno, byte[] out, int outOff) {
        for (int i = 0; i < 4; i++) out[outOff + i] = (byte) (salt4[i] ^ (addr >>> (8 * i)));
        Bytes.putLong(out, outOff + 4, seqno);
    }

    /** tipc_ehdr_validate: ≥ 16 bytes, version 7, header present, and more than header + tag. */
    public Malformation validate() {
        if (buf == null || off < 0 || len < 0 || off > buf.length - len) {
            return Malformation.of("buffer", "offset/length outside the array");
        }
        if (len < Tipc.EHDR_SIZE) return Malformation.of("ehdr", len + " bytes < 16 (EHDR_MIN_SIZE)");
        if (version() != Tipc.EVERSION) return Malformation.of("version", "version " + version() + " != 7");
        int hs = headerSize();
        if (len < hs) return Malformation.of("ehdr", len + " bytes < " + hs + " (EHDR_CFG_SIZE)");
        if (len <= hs + Tipc.AES_GCM_TAG_SIZE) {
            return Malformation.of("size", len + " bytes <= header " + hs + " + tag 16");
        }
        return Malformation.OK;
    }

    /** Emits all header fields, then bytes "ciphertext" and "tag". Never throws. */
    public Malformation describe(FieldSink sink) {
        Malformation v = validate();
        if (buf == null || off < 0 || len < 0 || off > buf.length - len) return v;
        if (len < Tipc.EHDR_SIZE) {
            sink.bytes("data", buf, off, len);
            return v;
        }
        sink.field("version", version(), null);
        int u = user();
        String un = Tipc.userName(u);
        sink.field("user", u, un != null ? un : (u == 0 ? null : "UNKNOWN_USER"));
        sink.field("destined", destined(), null);
        sink.field("tx_key", txKey(), null);
        sink.field("rx_key_active", rxKeyActive(), null);
        sink.field("keepalive", keepalive(), null);
        sink.field("master_key", masterKey(), null);
        sink.field("rx_nokey", rxNokey(), null);
        sink.field("reserved_1", reserved1(), null);
        sink.field("reserved_2", reserved2(), null);
        sink.field("seqno", seqno(), null);
        int hs = headerSize();
        if (hs == Tipc.EHDR_CFG_SIZE && len >= hs) {
            sink.text("node_id", FieldSink.TextKind.NODE_ID, buf, off + 12, Tipc.NODE_ID_LEN);
            sink.bytes("node_id_raw", buf, off + 12, Tipc.NODE_ID_LEN);
        } else if (hs == Tipc.EHDR_SIZE) {
            sink.address("addr", addr());
        }
        if (v.isOk()) {
            sink.bytes("ciphertext", buf, ciphertextOffset(), ciphertextLength());
            sink.bytes("tag", buf, tagOffset(), Tipc.AES_GCM_TAG_SIZE);
        } else if (len > Math.min(hs, len)) {
            sink.bytes("data", buf, off + Math.min(hs, len), len - Math.min(hs, len));
        }
        return v;
    }

    /**
     * Field-by-field copy of the encryption header of {@code src[off..off+len)} into {@code dst}
     * (zeroed first), then ciphertext and tag bytes. Returns len, or -1 if {@link #validate} fails
     * or dst is too small.
     */
    public static int reencode(byte[] src, int off, int len, byte[] dst, int dstOff) {
        EncryptionHeader s = new EncryptionHeader().wrap(src, off, len);
        if (!s.validate().isOk() || dst == null || dstOff < 0 || dstOff > dst.length - len) return -1;
        java.util.Arrays.fill(dst, dstOff, dstOff + len, (byte) 0);
        EncryptionHeader d = new EncryptionHeader().wrap(dst, dstOff, len);
        d.setVersion(s.version()).setUser(s.user()).setDestined(s.destined()).setTxKey(s.txKey())
            .setRxKeyActive(s.rxKeyActive()).setKeepalive(s.keepalive()).setMasterKey(s.masterKey())
            .setRxNokey(s.rxNokey()).setReserved1(s.reserved1()).setReserved2(s.reserved2()).setSeqno(s.seqno());
        if (s.headerSize() == Tipc.EHDR_CFG_SIZE) {
            d.setNodeId(src, s.nodeIdOffset());
        } else {
            d.setAddr(s.addr());
        }
        int hs = s.headerSize();
        System.arraycopy(src, off + hs, dst, dstOff + hs, len - hs);
        return len;
    }
}
