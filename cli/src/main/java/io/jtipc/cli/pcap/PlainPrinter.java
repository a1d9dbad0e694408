package io.jtipc.cli.pcap;

import io.jtipc.capture.CapturedFrame;
import io.jtipc.capture.CapturedMessage;
import io.jtipc.capture.NodeDirectory;
import io.jtipc.capture.Origin;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * One line per TIPC message: frame number, time since the capture's first frame (s, as tshark),
 * sender → receiver (node id
 * string / hash), user, type and the message's key fields. Nested messages are indented and tagged.
 * Builds each line as UTF-8 bytes in a reused {@link Line}; no String formatting on the hot path.
 */
class PlainPrinter implements Printer {
    static final byte[] ARROW = " \u2192 ".getBytes(StandardCharsets.UTF_8);
    static final byte[] ELLIPSIS = " \u2026".getBytes(StandardCharsets.UTF_8);
    private static final byte[][] ORIGIN = {a(""), a("[bundled] "), a("[tunnelled] "), a("[reassembled] ")};
    final OutputStream out;
    final Line sb = new Line();
    private long t0 = Long.MIN_VALUE;

    @Override public void captureStart(long nanos) {
        if (t0 == Long.MIN_VALUE) t0 = nanos;
    }
    /** Node labels as bytes by address (valid for {@link #labelsFor} at {@link #labelsVersion}). */
    private final IntTable<byte[]> labels = new IntTable<>();
    private NodeDirectory labelsFor;
    private int labelsVersion = -1;

    PlainPrinter(OutputStream out) {
        this.out = out;
    }

    static byte[] a(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    @Override public void onMessage(CapturedMessage m) {
        prefix(m);
        summary(m, sb);
        flushLine();
    }

    @Override public void onEncrypted(CapturedMessage m) {
        prefix(m);
        encryptedSummary(m, sb);
        flushLine();
    }

    @Override public void onMalformed(CapturedFrame f, String field, String reason) {
        if (t0 == Long.MIN_VALUE && f.frameNumber() > 0) t0 = f.captureStartNanos();
        frameAndTime(f.frameNumber(), f.timestampNanos());
        sb.ascii(" MALFORMED ").append(field).ascii(": ").append(reason);
        flushLine();
    }

    /** A finding the kernel accepts: a line of its own tagged WARNING (not MALFORMED), as a malformation's. */
    @Override public void onWarning(CapturedFrame f, String field, String reason) {
        if (t0 == Long.MIN_VALUE && f.frameNumber() > 0) t0 = f.captureStartNanos();
        frameAndTime(f.frameNumber(), f.timestampNanos());
        sb.ascii(" WARNING ").append(field).ascii(": ").append(reason);
        flushLine();
    }

    @Override public void finish() {
        try {
            sb.flush(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ends the line; the bytes go out in large chunks (and at {@link #finish}). */
    void flushLine() {
        try {
            sb.endLine(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void prefix(CapturedMessage m) {
        if (t0 == Long.MIN_VALUE && m.frame() != null) t0 = m.frame().captureStartNanos();
        frameAndTime(m.frameNumber(), m.timestampNanos());
        sb.append(' ');
        for (int i = m.depth(); i > 0; i--) sb.ascii(INDENT2);
        if (m.origin() != Origin.TOP) sb.ascii(ORIGIN[m.origin().ordinal()]);
    }

    private static final byte[] INDENT2 = a("  ");
    /** Node identity texts of the identities seen last. */
    private final NodeIdTexts ids = new NodeIdTexts();

    static String originName(Origin o) {
        switch (o) {
            case BUNDLED: return "bundled";
            case TUNNELLED: return "tunnelled";
            case REASSEMBLED: return "reassembled";
            default: return "top";
        }
    }

    /*
     * The "frame time" part of a line is the same for every message of a frame and its frame number
     * usually the previous one plus 1, so both are kept as text: messages of the same frame copy the
     * last text, the next frame increments the frame number's digits in place, and the seconds are
     * formatted again only when they change (the microseconds are 6 fixed digits, three pairs).
     */
    private boolean lastValid;
    private long lastFrame, lastTs, lastT0;
    private final byte[] lastText = new byte[64];
    private int lastLen;
    private long fnVal = -1;
    private final byte[] fnText = new byte[24];
    private int fnLen;
    private long secVal = -1;
    private final byte[] secText = new byte[24];
    private int secLen;

    /** Frame number (right-aligned in 6 columns), a space and {@link #time}: as the text of the last call when equal. */
    void frameAndTime(long frame, long ts) {
        if (lastValid && frame == lastFrame && ts == lastTs && t0 == lastT0) {
            sb.appendBytes(lastText, 0, lastLen);
            return;
        }
        int start = sb.length();
        frameNumber(frame);
        sb.append(' ');
        time(ts);
        int len = sb.length() - start;
        lastValid = len <= lastText.length;
        if (lastValid) {
            System.arraycopy(sb.array(), start, lastText, 0, len);
            lastLen = len;
            lastFrame = frame;
            lastTs = ts;
            lastT0 = t0;
        }
    }

    /** As {@code sb.padded(frame, 6)}. */
    private void frameNumber(long frame) {
        if (frame != fnVal) {
            if (fnVal < 0 || frame != fnVal + 1 || !increment(fnText, fnLen)) {
                int start = sb.length();
                sb.padded(frame, 6);
                int len = sb.length() - start;
                if (frame >= 0 && len <= fnText.length) {
                    System.arraycopy(sb.array(), start, fnText, 0, len);
                    fnLen = len;
                    fnVal = frame;
                } else {
                    fnVal = -1;
                }
                return;
            }
            fnVal = frame;
        }
        sb.appendBytes(fnText, 0, fnLen);
    }

    /** Adds 1 to the space-padded decimal text {@code t[0..len)}; false if it needs one more column. */
    static boolean increment(byte[] t, int len) {
        for (int i = len - 1; i >= 0; i--) {
            byte c = t[i];
            if (c == '9') {
                t[i] = '0';
            } else if (c >= '0' && c <= '8') {
                t[i] = (byte) (c + 1);
                return true;
            } else if (c == ' ') {
                t[i] = '1';
                return true;
            } else {
                return false;
            }
        }
        return false;
    }

    /** Seconds since {@code t0} (at least 4 columns, right-aligned), '.', microseconds (6 digits). */
    void time(long ts) {
        if (t0 == Long.MIN_VALUE) t0 = ts;
        long d = ts - t0;
        if (d < 0) {
            sb.append('-');
            d = -d;
            if (d < 0) { // Long.MIN_VALUE: as the general code always printed it
                sb.padded(d / 1_000_000_000L, 4);
                sb.append('.');
                sb.zeroPadded((int) ((d % 1_000_000_000L) / 1000), 6);
                return;
            }
        }
        long sec = d / 1_000_000_000L;
        int us = (int) (d - sec * 1_000_000_000L) / 1000;
        if (sec != secVal) {
            int start = sb.length();
            sb.padded(sec, 4);
            int len = sb.length() - start;
            if (len <= secText.length) {
                System.arraycopy(sb.array(), start, secText, 0, len);
                secLen = len;
                secVal = sec;
            } else {
                secVal = -1;
            }
        } else {
            sb.appendBytes(secText, 0, secLen);
        }
        sb.append('.');
        sb.fixed(us, 6);
    }

    /** The node's label ("srv-node/1001002", the hash alone, "?") as ASCII bytes, cached per address. */
    byte[] label(NodeDirectory nodes, int addr) {
        if (nodes != labelsFor || nodes.version() != labelsVersion) {
            labels.clear();
            labelsFor = nodes;
            labelsVersion = nodes.version();
            recentLabel0 = recentLabel1 = null;
        }
        // most lines name the same two nodes: the last two labels first, then the table
        if (recentLabel0 != null && recentAddr0 == addr) return recentLabel0;
        byte[] s;
        if (recentLabel1 != null && recentAddr1 == addr) {
            s = recentLabel1;
        } else {
            s = labels.get(addr);
            if (s == null) {
                if (labels.size() >= 65536) labels.clear();
                s = a(nodes.label(addr));
                labels.put(addr, s);
            }
        }
        recentAddr1 = recentAddr0;
        recentLabel1 = recentLabel0;
        recentAddr0 = addr;
        recentLabel0 = s;
        return s;
    }

    /** The labels returned last and the one before (null: none; valid for {@link #labelsVersion}). */
    private byte[] recentLabel0, recentLabel1;
    private int recentAddr0, recentAddr1;

    /** Sender → receiver, user, type, key fields. */
    void summary(CapturedMessage m, Line sb) {
        // the header words read once (m.user(), m.srcNode() etc. would read w0 again and again: the line's
        // byte stores in between keep the JIT from reusing the loads)
        int w0 = m.word(0), w1 = m.word(1), w2 = m.word(2);
        int user = (w0 >>> 25) & 0xf, type = (w1 >>> 29) & 0x7, hs = ((w0 >>> 21) & 0xf) << 2;
        boolean longHeader = user != 13 && hs > 24; // as CapturedMessage.srcNode()/dstNode()
        NodeDirectory nodes = m.nodes();
        sb.ascii(label(nodes, longHeader ? m.word(6) : m.word(3))).appendUtf8(ARROW);
        int dn = longHeader ? m.word(7) : m.dstNode();
        if (dn == 0 && m.dst() != null && m.dst().isBroadcastOrMulticast()) sb.ascii("*");
        else sb.ascii(label(nodes, dn));
        sb.append(' ').ascii(Names.userBytes(user)).append(' ').ascii(Names.typeBytes(user, type));
        if (m.wasEncrypted()) sb.ascii(" (decrypted)");
        boolean linkLevel = user != 13 && (m.origin() == Origin.TOP || m.origin() == Origin.TUNNELLED)
                && (w0 & (1 << 20)) == 0;
        boolean bcast = user != 13 && m.origin() == Origin.TOP && (w0 & (1 << 20)) != 0;
        if (linkLevel) {
            sb.ascii(" seqno ").append(w2 & 0xffff).ascii(" ack ").append(w2 >>> 16);
        } else if (bcast) {
            sb.ascii(" bcast-seqno ").append(w2 & 0xffff);
        }
        int size = m.length();
        switch (user) {
            case 0: case 1: case 2: case 3: data(m, sb, type, hs, w0, w1); break;
            case 5: sb.ascii(" last-bcast ").append(m.word(4) >>> 16); break;
            case 6: sb.ascii(" msgcnt ").append(m.word(9) >>> 16); break;
            case 7: linkProto(m, sb, type, w0, w1); break;
            case 8: {
                sb.ascii(" port ").u32(m.word(4)).appendUtf8(ARROW).u32(m.word(5));
                if (type == 2) {
                    int w9 = m.word(9);
                    sb.ascii(" acked ").append(w9 >>> 16).ascii(" adv-win ").append(w9 & 0xffff);
                }
                int err = (w1 >>> 25) & 15;
                if (err != 0) sb.ascii(" err ").ascii(Names.error(err));
                break;
            }
            case 9: group(m, sb, type); break;
            case 10: {
                sb.ascii(" msgcnt ").append(m.word(9) >>> 16).ascii(" bearer ").append((m.word(5) >>> 9) & 7);
                break;
            }
            case 11: named(m, sb, hs, w1); break;
            case 12: {
                int w4 = m.word(4);
                sb.ascii(" fragm ").append(w4 >>> 16).ascii(" len ").append(size - hs);
                break;
            }
            case 13: discovery(m, sb, hs, w1, w2); break;
            case 14: {
                int w4 = m.word(4);
                sb.ascii(" gen ").append(w4 >>> 16).ascii(" mode ").append(w4 & 15);
                break;
            }
            default:
                sb.ascii(" size ").append(size);
        }
    }

    private void data(CapturedMessage m, Line sb, int type, int hs, int w0, int w1) {
        sb.ascii(" port ").u32(m.word(4)).appendUtf8(ARROW).u32(m.word(5));
        if (hs >= 40 && (type == 2)) {
            sb.ascii(" name {").u32(m.word(8)).append(',').u32(m.word(9)).append('}');
        } else if (hs >= 44 && type == 1) {
            sb.ascii(" range {").u32(m.word(8)).append(',').u32(m.word(9)).append(',')
                    .u32(m.word(10)).append('}');
        } else if (hs >= 44 && type >= 4) {
            sb.ascii(" group {").u32(m.word(8)).append(',').u32(m.word(9)).append('}')
                    .append(" grp-seqno ").append(m.word(10) >>> 16);
        }
        if ((w0 & (1 << 17)) != 0) sb.ascii(" SYN");
        int err = (w1 >>> 25) & 15;
        if (err != 0) sb.ascii(" err ").ascii(Names.error(err));
        sb.ascii(" len ").append(m.length() - hs);
    }

    private void linkProto(CapturedMessage m, Line sb, int type, int w0, int w1) {
        int w4 = m.word(4), w5 = m.word(5), w9 = m.word(9);
        sb.ascii(" session ").append(w5 >>> 16);
        if (type == 0) {
            int gap = (w1 >>> 16) & 0x1fff;
            if (gap != 0) sb.ascii(" gap ").append(gap);
            int bcGap = m.word(8) & 0x3ff;
            if (bcGap != 0) sb.ascii(" bc-gap ").append(bcGap);
            if ((w5 & 1) != 0) sb.ascii(" probe");
            if ((w0 & (1 << 19)) != 0) sb.ascii(" keepalive");
        } else {
            sb.ascii(" max-pkt ").append((w9 >>> 16) * 4);
        }
        sb.ascii(" next-sent ").append(w4 & 0xffff);
        int tol = w9 & 0xffff;
        if (tol != 0) sb.ascii(" tolerance ").append(tol);
        int prio = (w5 >>> 4) & 31;
        if (prio != 0) sb.ascii(" priority ").append(prio);
        if ((w5 & (1 << 13)) != 0) sb.ascii(" peer-stopping");
    }

    private void group(CapturedMessage m, Line sb, int type) {
        sb.ascii(" port ").u32(m.word(4)).appendUtf8(ARROW).u32(m.word(5));
        int w9 = m.word(9);
        switch (type) {
            case 0: sb.ascii(" bc-synch ").append(w9 >>> 16).ascii(" adv-win ").append(w9 & 0xffff); break;
            case 1: sb.ascii(" bc-synch ").append(w9 >>> 16); break;
            case 2: sb.ascii(" adv-win ").append(w9 & 0xffff); break;
            case 3: sb.ascii(" bc-acked ").append(w9 >>> 16); break;
            case 5: sb.ascii(" remitted ").append(w9 >>> 16); break;
            default:
        }
    }

    private void named(CapturedMessage m, Line sb, int hs, int w1) {
        int items = (m.length() - hs) / 20;
        sb.ascii(" items ").append(items);
        if (items > 0) {
            byte[] b = m.buf();
            int p = m.offset() + hs;
            sb.ascii(" {").u32(be32(b, p)).append(',').u32(be32(b, p + 4)).append(',')
                    .u32(be32(b, p + 8)).append('}');
            if (items > 1) sb.appendUtf8(ELLIPSIS);
        }
        sb.ascii(" named-seqno ").append(m.word(4) & 0xffff);
        if ((w1 & (1 << 28)) != 0) sb.ascii(" bulk");
        if ((w1 & (1 << 27)) != 0) sb.ascii(" last-bulk");
    }

    private void discovery(CapturedMessage m, Line sb, int hs, int w1, int w2) {
        sb.ascii(" net ").u32(m.word(4));
        sb.ascii(" caps 0x").hex((w1 >>> 15) & 0x1fff);
        if (w2 != 0) sb.ascii(" dest-domain ").hex(w2);
        byte[] b = m.buf();
        int p = m.offset();
        int mediaType = b[p + 23] & 0xff;
        if (mediaType == 1) {
            sb.ascii(" mac ");
            for (int i = 0; i < 6; i++) {
                if (i > 0) sb.append(':');
                sb.hex2(b[p + 24 + i]);
            }
        } else if (mediaType == 3) {
            int proto = ((b[p + 24] & 0xff) << 8) | (b[p + 25] & 0xff);
            int port = ((b[p + 26] & 0xff) << 8) | (b[p + 27] & 0xff);
            if (proto == 0x0800) {
                sb.ascii(" udp ");
                for (int i = 0; i < 4; i++) {
                    if (i > 0) sb.append('.');
                    sb.append(b[p + 28 + i] & 0xff);
                }
                sb.append(':').append(port);
            } else {
                sb.ascii(" udp6 port ").append(port);
            }
        }
        if (m.length() >= hs + 16) {
            sb.ascii(" id ").ascii(ids.text(b, p + hs));
        }
    }

    void encryptedSummary(CapturedMessage m, Line sb) {
        byte[] e = m.encryptionHeader();
        int w0 = be32(e, 0);
        int user = (w0 >>> 25) & 15;
        sb.ascii(m.src().toString()).appendUtf8(ARROW).ascii(m.dst().toString()).ascii(" ENCRYPTED");
        sb.ascii(" user ").append(user).ascii(" tx-key ").append((w0 >>> 22) & 3);
        if ((w0 & (1 << 24)) != 0) sb.ascii(" destined rx-key ").append((w0 >>> 20) & 3);
        if ((w0 & (1 << 18)) != 0) sb.ascii(" master");
        long seq = ((long) be32(e, 4) << 32) | (be32(e, 8) & 0xffffffffL);
        sb.ascii(" seqno ").append(seq);
        if (m.encryptionHeaderLength() == 28) sb.ascii(" id ").ascii(ids.text(e, 12));
        else sb.ascii(" addr ").hex(be32(e, 12));
        sb.ascii(" len ").append(m.length() - m.encryptionHeaderLength() - 16);
    }

    static long u32(int v) { return v & 0xffffffffL; }

    static int be32(byte[] b, int o) {
        return ((b[o] & 0xff) << 24) | ((b[o + 1] & 0xff) << 16) | ((b[o + 2] & 0xff) << 8) | (b[o + 3] & 0xff);
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    static void hex2(StringBuilder sb, byte v) { sb.append(HEX[(v >> 4) & 15]).append(HEX[v & 15]); }

    static void appendZero(StringBuilder sb, long v, int width) {
        long lim = 10;
        for (int i = 1; i < width; i++) {
            if (v < lim) sb.append('0');
            lim *= 10;
        }
        sb.append(v);
    }
}
