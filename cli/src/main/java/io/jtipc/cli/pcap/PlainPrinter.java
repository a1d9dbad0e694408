package io.jtipc.cli.pcap;

import io.jtipc.capture.CapturedFrame;
import io.jtipc.capture.CapturedMessage;
import io.jtipc.capture.NodeDirectory;
import io.jtipc.capture.Origin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.HashMap;
import java.util.Map;

/**
 * One line per TIPC message: frame number, time since the first frame (s), sender → receiver (node id
 * string / hash), user, type and the message's key fields. Nested messages are indented and tagged.
 * Builds each line in a reused StringBuilder; no formatting calls on the hot path.
 */
class PlainPrinter implements Printer {
    final Writer out;
    final StringBuilder sb = new StringBuilder(256);
    private long t0 = Long.MIN_VALUE;
    private final Map<Integer, String> labels = new HashMap<>();
    private NodeDirectory labelsFor;
    private int labelsForSize = -1;

    PlainPrinter(Writer out) {
        this.out = out;
    }

    @Override public void onMessage(CapturedMessage m) {
        sb.setLength(0);
        prefix(m);
        summary(m, sb);
        flushLine();
    }

    @Override public void onEncrypted(CapturedMessage m) {
        sb.setLength(0);
        prefix(m);
        encryptedSummary(m, sb);
        flushLine();
    }

    @Override public void onMalformed(CapturedFrame f, String field, String reason) {
        sb.setLength(0);
        appendPad(sb, f.frameNumber(), 6);
        sb.append(' ');
        time(f.timestampNanos());
        sb.append(" MALFORMED ").append(field).append(": ").append(reason);
        flushLine();
    }

    @Override public void finish() {
    }

    void flushLine() {
        sb.append('\n');
        try {
            out.append(sb);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void prefix(CapturedMessage m) {
        appendPad(sb, m.frameNumber(), 6);
        sb.append(' ');
        time(m.timestampNanos());
        sb.append(' ');
        for (int i = 0; i < m.depth(); i++) sb.append("  ");
        if (m.origin() != Origin.TOP) {
            sb.append('[').append(originName(m.origin())).append("] ");
        }
    }

    static String originName(Origin o) {
        switch (o) {
            case BUNDLED: return "bundled";
            case TUNNELLED: return "tunnelled";
            case REASSEMBLED: return "reassembled";
            default: return "top";
        }
    }

    void time(long ts) {
        if (t0 == Long.MIN_VALUE) t0 = ts;
        long d = ts - t0;
        if (d < 0) {
            sb.append('-');
            d = -d;
        }
        long sec = d / 1_000_000_000L;
        long us = (d % 1_000_000_000L) / 1000;
        appendPad(sb, sec, 4);
        sb.append('.');
        appendZero(sb, us, 6);
    }

    String label(NodeDirectory nodes, int addr) {
        if (nodes != labelsFor || nodes.size() != labelsForSize) {
            labels.clear();
            labelsFor = nodes;
            labelsForSize = nodes.size();
        }
        String s = labels.get(addr);
        if (s == null) {
            s = nodes.label(addr);
            labels.put(addr, s);
        }
        return s;
    }

    /** Sender → receiver, user, type, key fields. */
    void summary(CapturedMessage m, StringBuilder sb) {
        int user = m.user(), type = m.type(), hs = m.headerSize();
        int w0 = m.word(0), w1 = m.word(1), w2 = m.word(2);
        NodeDirectory nodes = m.nodes();
        sb.append(label(nodes, m.srcNode())).append(" → ");
        int dn = m.dstNode();
        if (dn == 0 && m.dst() != null && m.dst().isBroadcastOrMulticast()) sb.append("*");
        else sb.append(label(nodes, dn));
        sb.append(' ').append(Names.user(user)).append(' ').append(Names.type(user, type));
        if (m.wasEncrypted()) sb.append(" (decrypted)");
        boolean linkLevel = user != 13 && (m.origin() == Origin.TOP || m.origin() == Origin.TUNNELLED)
                && (w0 & (1 << 20)) == 0;
        boolean bcast = user != 13 && m.origin() == Origin.TOP && (w0 & (1 << 20)) != 0;
        if (linkLevel) {
            sb.append(" seqno ").append(w2 & 0xffff).append(" ack ").append(w2 >>> 16);
        } else if (bcast) {
            sb.append(" bcast-seqno ").append(w2 & 0xffff);
        }
        int size = m.length();
        switch (user) {
            case 0: case 1: case 2: case 3: data(m, sb, type, hs, w0, w1); break;
            case 5: sb.append(" last-bcast ").append(m.word(4) >>> 16); break;
            case 6: sb.append(" msgcnt ").append(m.word(9) >>> 16); break;
            case 7: linkProto(m, sb, type, w0, w1); break;
            case 8: {
                sb.append(" port ").append(u32(m.word(4))).append(" → ").append(u32(m.word(5)));
                if (type == 2) {
                    int w9 = m.word(9);
                    sb.append(" acked ").append(w9 >>> 16).append(" adv-win ").append(w9 & 0xffff);
                }
                int err = (w1 >>> 25) & 15;
                if (err != 0) sb.append(" err ").append(Names.error(err));
                break;
            }
            case 9: group(m, sb, type); break;
            case 10: {
                sb.append(" msgcnt ").append(m.word(9) >>> 16).append(" bearer ").append((m.word(5) >>> 9) & 7);
                break;
            }
            case 11: named(m, sb, hs, w1); break;
            case 12: {
                int w4 = m.word(4);
                sb.append(" fragm ").append(w4 >>> 16).append(" len ").append(size - hs);
                break;
            }
            case 13: discovery(m, sb, hs, w1, w2); break;
            case 14: {
                int w4 = m.word(4);
                sb.append(" gen ").append(w4 >>> 16).append(" mode ").append(w4 & 15);
                break;
            }
            default:
                sb.append(" size ").append(size);
        }
    }

    private void data(CapturedMessage m, StringBuilder sb, int type, int hs, int w0, int w1) {
        sb.append(" port ").append(u32(m.word(4))).append(" → ").append(u32(m.word(5)));
        if (hs >= 40 && (type == 2)) {
            sb.append(" name {").append(u32(m.word(8))).append(',').append(u32(m.word(9))).append('}');
        } else if (hs >= 44 && type == 1) {
            sb.append(" range {").append(u32(m.word(8))).append(',').append(u32(m.word(9))).append(',')
                    .append(u32(m.word(10))).append('}');
        } else if (hs >= 44 && type >= 4) {
            sb.append(" group {").append(u32(m.word(8))).append(',').append(u32(m.word(9))).append('}')
                    .append(" grp-seqno ").append(m.word(10) >>> 16);
        }
        if ((w0 & (1 << 17)) != 0) sb.append(" SYN");
        int err = (w1 >>> 25) & 15;
        if (err != 0) sb.append(" err ").append(Names.error(err));
        sb.append(" len ").append(m.length() - hs);
    }

    private void linkProto(CapturedMessage m, StringBuilder sb, int type, int w0, int w1) {
        int w4 = m.word(4), w5 = m.word(5), w9 = m.word(9);
        sb.append(" session ").append(w5 >>> 16);
        if (type == 0) {
            int gap = (w1 >>> 16) & 0x1fff;
            if (gap != 0) sb.append(" gap ").append(gap);
            int bcGap = m.word(8) & 0x3ff;
            if (bcGap != 0) sb.append(" bc-gap ").append(bcGap);
            if ((w5 & 1) != 0) sb.append(" probe");
            if ((w0 & (1 << 19)) != 0) sb.append(" keepalive");
        } else {
            sb.append(" max-pkt ").append((w9 >>> 16) * 4);
        }
        sb.append(" next-sent ").append(w4 & 0xffff);
        int tol = w9 & 0xffff;
        if (tol != 0) sb.append(" tolerance ").append(tol);
        int prio = (w5 >>> 4) & 31;
        if (prio != 0) sb.append(" priority ").append(prio);
        if ((w5 & (1 << 13)) != 0) sb.append(" peer-stopping");
    }

    private void group(CapturedMessage m, StringBuilder sb, int type) {
        sb.append(" port ").append(u32(m.word(4))).append(" → ").append(u32(m.word(5)));
        int w9 = m.word(9);
        switch (type) {
            case 0: sb.append(" bc-synch ").append(w9 >>> 16).append(" adv-win ").append(w9 & 0xffff); break;
            case 1: sb.append(" bc-synch ").append(w9 >>> 16); break;
            case 2: sb.append(" adv-win ").append(w9 & 0xffff); break;
            case 3: sb.append(" bc-acked ").append(w9 >>> 16); break;
            case 5: sb.append(" remitted ").append(w9 >>> 16); break;
            default:
        }
    }

    private void named(CapturedMessage m, StringBuilder sb, int hs, int w1) {
        int items = (m.length() - hs) / 20;
        sb.append(" items ").append(items);
        if (items > 0) {
            byte[] b = m.buf();
            int p = m.offset() + hs;
            sb.append(" {").append(u32(be32(b, p))).append(',').append(u32(be32(b, p + 4))).append(',')
                    .append(u32(be32(b, p + 8))).append('}');
            if (items > 1) sb.append(" …");
        }
        sb.append(" named-seqno ").append(m.word(4) & 0xffff);
        if ((w1 & (1 << 28)) != 0) sb.append(" bulk");
        if ((w1 & (1 << 27)) != 0) sb.append(" last-bulk");
    }

    private void discovery(CapturedMessage m, StringBuilder sb, int hs, int w1, int w2) {
        sb.append(" net ").append(u32(m.word(4)));
        sb.append(" caps 0x").append(Integer.toHexString((w1 >>> 15) & 0x1fff));
        if (w2 != 0) sb.append(" dest-domain ").append(Integer.toHexString(w2));
        byte[] b = m.buf();
        int p = m.offset();
        int mediaType = b[p + 23] & 0xff;
        if (mediaType == 1) {
            sb.append(" mac ");
            for (int i = 0; i < 6; i++) {
                if (i > 0) sb.append(':');
                hex2(sb, b[p + 24 + i]);
            }
        } else if (mediaType == 3) {
            int proto = ((b[p + 24] & 0xff) << 8) | (b[p + 25] & 0xff);
            int port = ((b[p + 26] & 0xff) << 8) | (b[p + 27] & 0xff);
            if (proto == 0x0800) {
                sb.append(" udp ");
                for (int i = 0; i < 4; i++) {
                    if (i > 0) sb.append('.');
                    sb.append(b[p + 28 + i] & 0xff);
                }
                sb.append(':').append(port);
            } else {
                sb.append(" udp6 port ").append(port);
            }
        }
        if (m.length() >= hs + 16) {
            sb.append(" id ").append(NodeDirectory.idString(b, p + hs));
        }
    }

    void encryptedSummary(CapturedMessage m, StringBuilder sb) {
        byte[] e = m.encryptionHeader();
        int w0 = be32(e, 0);
        int user = (w0 >>> 25) & 15;
        sb.append(m.src()).append(" → ").append(m.dst()).append(" ENCRYPTED");
        sb.append(" user ").append(user).append(" tx-key ").append((w0 >>> 22) & 3);
        if ((w0 & (1 << 24)) != 0) sb.append(" destined rx-key ").append((w0 >>> 20) & 3);
        if ((w0 & (1 << 18)) != 0) sb.append(" master");
        long seq = ((long) be32(e, 4) << 32) | (be32(e, 8) & 0xffffffffL);
        sb.append(" seqno ").append(seq);
        if (m.encryptionHeaderLength() == 28) sb.append(" id ").append(NodeDirectory.idString(e, 12));
        else sb.append(" addr ").append(Integer.toHexString(be32(e, 12)));
        sb.append(" len ").append(m.length() - m.encryptionHeaderLength() - 16);
    }

    static long u32(int v) { return v & 0xffffffffL; }

    static int be32(byte[] b, int o) {
        return ((b[o] & 0xff) << 24) | ((b[o + 1] & 0xff) << 16) | ((b[o + 2] & 0xff) << 8) | (b[o + 3] & 0xff);
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    static void hex2(StringBuilder sb, byte v) { sb.append(HEX[(v >> 4) & 15]).append(HEX[v & 15]); }

    static void appendPad(StringBuilder sb, long v, int width) {
        int digits = 1;
        for (long x = v; x >= 10; x /= 10) digits++;
        for (int i = digits; i < width; i++) sb.append(' ');
        sb.append(v);
    }

    static void appendZero(StringBuilder sb, long v, int width) {
        long lim = 10;
        for (int i = 1; i < width; i++) {
            if (v < lim) sb.append('0');
            lim *= 10;
        }
        sb.append(v);
    }
}
