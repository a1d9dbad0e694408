package io.jtipc.wire;

/**
 * Flyweight over a neighbour-monitoring domain record (struct tipc_mon_domain,
 * {@code net/tipc/monitor.c}), carried after the gap-ACK record in LINK_PROTOCOL STATE messages
 * when the bearer has more than 32 peers. All fields big-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          len (bytes)          |              gen              |
 *  |            ack_gen            |          member_cnt           |
 *  |                        up_map (64 bits)                       |
 *  |                                                               |
 *  |                     members[member_cnt] (node addresses)      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * len = 16 + 4 × member_cnt, member_cnt ≤ 64 (MAX_MON_DOMAIN).
 */
public final class MonitorDomain {
    public static final int HEADER = 16;
    public static final int MAX_MEMBERS = 64;
    private byte[] buf;
    private int off;
    private int avail;

    public MonitorDomain wrap(byte[] buf, int off, int avail) {
        this.buf = buf;
        this.off = off;
        this.avail = avail;
        return this;
    }

    public int len() { return Bytes.getShort(buf, off); }
    public MonitorDomain setLen(int v) { Bytes.putShort(buf, off, v); return this; }
    public int gen() { return Bytes.getShort(buf, off + 2); }
    public MonitorDomain setGen(int v) { Bytes.putShort(buf, off + 2, v); return this; }
    public int ackGen() { return Bytes.getShort(buf, off + 4); }
    public MonitorDomain setAckGen(int v) { Bytes.putShort(buf, off + 4, v); return this; }
    public int memberCnt() { return Bytes.getShort(buf, off + 6); }
    public MonitorDomain setMemberCnt(int v) { Bytes.putShort(buf, off + 6, v); return this; }
    /** Bit i set = member i considered up. */
    public long upMap() { return Bytes.getLong(buf, off + 8); }
    public MonitorDomain setUpMap(long v) { Bytes.putLong(buf, off + 8, v); return this; }
    public int member(int i) { return Bytes.getInt(buf, off + HEADER + 4 * i); }
    public MonitorDomain setMember(int i, int addr) { Bytes.putInt(buf, off + HEADER + 4 * i, addr); return this; }

    /** tipc_mon_rcv acceptance: avail ≥ 16, avail = len = 16 + 4 × member_cnt, member_cnt ≤ 64. */
    public Malformation validate() {
        if (avail < HEADER) return Malformation.of("domain_record", "size " + avail + " < 16");
        int n = memberCnt();
        if (n > MAX_MEMBERS) return Malformation.of("domain_record", "member_cnt " + n + " > 64");
        int need = HEADER + 4 * n;
        if (len() != need) return Malformation.of("domain_record", "len " + len() + " != 16 + 4 x member_cnt " + n);
        if (avail != need) return Malformation.of("domain_record", "record size " + avail + " != len " + need);
        return Malformation.OK;
    }
}
