package io.jtipc.node;

/**
 * One packet held by a link (transmit, backlog or deferred queue): a private copy of the whole TIPC
 * message plus the retransmission bookkeeping of {@code struct tipc_skb_cb} (net/tipc/msg.h:
 * {@code nxt_retr}, {@code retr_cnt}, {@code retr_stamp}).
 */
final class Pkt {
    byte[] buf;
    int len;
    /** Earliest time (ms) this packet may be retransmitted again. */
    long nxtRetr;
    /** Number of retransmissions. */
    int retrCnt;
    /** Time (ms) of the first retransmission. */
    long retrStamp;
    /** Broadcast link only: peers that have still to acknowledge this packet (link.c TIPC_SKB_CB(skb)->ackers). */
    int ackers;
    /**
     * Broadcast link only: the acker slots ({@link BroadcastLink#slot}) of the peers that still owe an
     * acknowledgement; a peer releases its share once (jtipc: the kernel only counts {@link #ackers}).
     */
    java.util.BitSet owed;

    Pkt(byte[] buf, int len) {
        this.buf = buf;
        this.len = len;
    }

    static Pkt copyOf(byte[] src, int off, int len) {
        byte[] b = new byte[len];
        System.arraycopy(src, off, b, 0, len);
        return new Pkt(b, len);
    }

    /** w2 bits 15-0. */
    int seqno() {
        return ((buf[10] & 0xff) << 8) | (buf[11] & 0xff);
    }

    int user() {
        return (buf[0] >> 1) & 0xf;
    }
}
