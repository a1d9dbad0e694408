package io.jtipc.wire;

/**
 * Flyweight over the gap-ACK record at the start of a LINK_PROTOCOL STATE data area
 * (struct tipc_gap_ack_blks / tipc_gap_ack, {@code net/tipc/msg.h}; built by
 * {@code __tipc_build_gap_ack_blks}, read by {@code tipc_get_gap_ack_blks} in {@code link.c}).
 * Present iff the receiver of the STATE advertised TIPC_GAP_ACK_BLOCK.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        len (bytes)            |   ugack_cnt   |   bgack_cnt   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          ack (16-bit seqno)   |        gap (packets)          |  bgack_cnt broadcast blocks,
 *  :                               :                               :  then ugack_cnt unicast blocks
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * len = 4 + 4 × (ugack_cnt + bgack_cnt); the kernel also accepts the pre-broadcast layout
 * len = 4 + 4 × ugack_cnt (then byte 3 is ignored). The monitor domain record, if any, starts at
 * data + len.
 */
public final class GapAckBlocks {
    public static final int HEADER = 4;
    private byte[] buf;
    private int off;
    private int avail;

    /** Wraps the record at {@code off} with {@code avail} bytes of data area available. */
    public GapAckBlocks wrap(byte[] buf, int off, int avail) {
        this.buf = buf;
        this.off = off;
        this.avail = avail;
        return this;
    }

    /** Bytes 0-1: record length in bytes. 0 if fewer than 2 bytes are available. */
    public int len() { return avail >= 2 ? Bytes.getShort(buf, off) : 0; }
    public GapAckBlocks setLen(int v) { Bytes.putShort(buf, off, v); return this; }

    /** Byte 2: number of unicast blocks (union with start_index in the kernel struct). */
    public int ugackCnt() { return avail >= 3 ? buf[off + 2] & 0xff : 0; }
    public GapAckBlocks setUgackCnt(int v) { buf[off + 2] = (byte) v; return this; }

    /** Byte 3: number of broadcast blocks. */
    public int bgackCnt() { return avail >= 4 ? buf[off + 3] & 0xff : 0; }
    public GapAckBlocks setBgackCnt(int v) { buf[off + 3] = (byte) v; return this; }

    /** True if len = 4 + 4×(ug+bg) (current layout). */
    public boolean isCurrentLayout() { return len() == HEADER + 4 * (ugackCnt() + bgackCnt()); }

    /** True if only the legacy unicast-only layout matches (len = 4 + 4×ug). */
    public boolean isLegacyLayout() { return !isCurrentLayout() && len() == HEADER + 4 * ugackCnt(); }

    /** Number of broadcast blocks as the kernel would use them (0 in legacy layout). */
    public int bcBlocks() { return isLegacyLayout() ? 0 : bgackCnt(); }

    /** Number of blocks actually present (bc + uc), 0 if the record is malformed. */
    public int blockCount() {
        if (isCurrentLayout()) return ugackCnt() + bgackCnt();
        if (isLegacyLayout()) return ugackCnt();
        return 0;
    }

    /** Block {@code i} (0-based; broadcast blocks first): ack, 16-bit seqno. */
    public int ack(int i) { return Bytes.getShort(buf, off + HEADER + 4 * i); }
    public GapAckBlocks setAck(int i, int v) { Bytes.putShort(buf, off + HEADER + 4 * i, v); return this; }

    /** Block {@code i}: gap, number of packets missing after ack. */
    public int gap(int i) { return Bytes.getShort(buf, off + HEADER + 4 * i + 2); }
    public GapAckBlocks setGap(int i, int v) { Bytes.putShort(buf, off + HEADER + 4 * i + 2, v); return this; }

    /**
     * Structure check against the available data size (bytes), as the kernel reads the record
     * ({@code net/tipc/link.c}: {@code tipc_get_gap_ack_blks} returns len whatever the counts say, and
     * {@code tipc_link_proto_rcv} drops the STATE when that len exceeds the data size).
     *
     * @return {@link Malformation#OK} when the blocks are usable (current or legacy layout, len &le; data
     *     size); an error ({@code Malformation.of}) when fewer than 4 bytes are available or len &gt; data size
     *     (the kernel drops the STATE); a {@linkplain Malformation#isWarning() warning} when len matches neither
     *     4 + 4 &times; (ugack_cnt + bgack_cnt) nor 4 + 4 &times; ugack_cnt but len &le; data size: the kernel
     *     ignores the blocks and still processes the STATE, its monitor record read at data + len. Both
     *     non-OK results mean "do not use the blocks" ({@link #blockCount()} may still count blocks for an
     *     error whose len matches a layout but runs past the data).
     */
    public Malformation validate() {
        if (avail < HEADER) {
            return Malformation.of("gap_ack_blocks", "data size " + avail + " < 4 (gap ACK record header)");
        }
        int len = len();
        if (len > avail) return Malformation.of("gap_ack_blocks", "len " + len + " > data size " + avail);
        if (!isCurrentLayout() && !isLegacyLayout()) {
            return Malformation.warning("gap_ack_blocks", "len " + len + " != 4 + 4 x (ugack_cnt " + ugackCnt()
                + " + bgack_cnt " + bgackCnt() + "): the kernel ignores the gap ACK blocks");
        }
        return Malformation.OK;
    }
}
