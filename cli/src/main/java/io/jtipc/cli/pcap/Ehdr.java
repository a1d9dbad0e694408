package io.jtipc.cli.pcap;

import io.jtipc.wire.FieldSink;
import io.jtipc.wire.NodeId;

/**
 * Fields of the encryption header, struct tipc_ehdr (net/tipc/crypto.h), in wire order:
 * w0 version 31-29 (7), user 28-25, destined 24, tx_key 23-22, rx_key_active 21-20, keepalive 19,
 * master_key 18, rx_nokey 17, reserved 16-0; seqno (64 bits, bytes 4-11); addr (bytes 12-15) or, in
 * the 28-byte discovery form, the sender's 16-byte node id (bytes 12-27).
 */
final class Ehdr {
    private Ehdr() {
    }

    static void describe(byte[] e, int off, int len, FieldSink s) {
        int w0 = PlainPrinter.be32(e, off);
        s.field("version", w0 >>> 29, null);
        int user = (w0 >>> 25) & 15;
        s.field("user", user, Names.user(user));
        s.field("destined", (w0 >>> 24) & 1, null);
        s.field("tx_key", (w0 >>> 22) & 3, null);
        s.field("rx_key_active", (w0 >>> 20) & 3, null);
        s.field("keepalive", (w0 >>> 19) & 1, null);
        s.field("master_key", (w0 >>> 18) & 1, null);
        s.field("rx_nokey", (w0 >>> 17) & 1, null);
        s.field("reserved", w0 & 0x1ffff, null);
        long seq = ((long) PlainPrinter.be32(e, off + 4) << 32) | (PlainPrinter.be32(e, off + 8) & 0xffffffffL);
        s.field("seqno", seq, null);
        if (len >= 28) {
            s.text("id", NodeId.toString(e, off + 12));
        } else {
            int a = PlainPrinter.be32(e, off + 12);
            s.field("addr", a & 0xffffffffL, Integer.toHexString(a));
        }
    }
}
