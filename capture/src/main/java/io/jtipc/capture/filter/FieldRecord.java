package io.jtipc.capture.filter;

import io.jtipc.capture.CapturedFrame;
import io.jtipc.capture.CapturedMessage;
import io.jtipc.capture.NodeDirectory;
import io.jtipc.wire.EncryptionHeader;
import io.jtipc.wire.FieldSink;
import io.jtipc.wire.Malformation;
import io.jtipc.wire.TipcDescriber;

import java.util.ArrayList;
import java.util.List;

/**
 * The fields of one record of {@code jtipc pcap --json} (a TIPC message, an undecryptable encrypted frame, a
 * malformation or a warning) as a flat list of (path, value) pairs, in output order: what display filters ({@link
 * DisplayFilter}) test and {@code -T fields -e PATH} prints.
 *
 * <p>A path is the JSON key, and for keys inside objects the keys from the top joined with '.', array
 * indexes dropped: {@code user}, {@code type_sym}, {@code sender.addr}, {@code ehdr.tx_key},
 * {@code item.type} (every distribution item), {@code gap_ack_blocks.gap_ack.ack}, {@code malformed.reason},
 * {@code warning.reason}.
 * Values are exactly those of the JSON output: numbers (with the symbolic form, e.g. {@code LINK_PROTOCOL},
 * kept beside them and also as the separate {@code NAME_sym} string), strings, booleans, and {@code time} as
 * seconds with 9 decimals. Opaque bytes are lower-case hex of at most {@link #MAX_BYTES_SHOWN} bytes, with
 * {@code NAME_len} and {@code NAME_truncated} when cut, as in the JSON.
 *
 * <p>Filled from the dissector's reused objects: the record owns its values and stays valid afterwards.
 */
public final class FieldRecord {
    /** Bytes of an opaque field kept as hex (the JSON output's limit). */
    public static final int MAX_BYTES_SHOWN = 256;

    /** Kinds of {@link Value}. */
    public enum Kind { NUMBER, DECIMAL, STRING, BOOLEAN }

    /**
     * One field.
     *
     * @param path dotted key path (see the class comment)
     * @param kind the JSON type: NUMBER (integer {@code number}), DECIMAL ({@code text} holds the digits,
     *     e.g. "1712345678.000123456"), STRING, BOOLEAN ({@code number} 1 or 0)
     * @param number the integer value (NUMBER, BOOLEAN)
     * @param text the string (STRING), the digits (DECIMAL), or the symbolic form of a NUMBER (null if none)
     */
    public record Value(String path, Kind kind, long number, String text) {
        /** The value as the JSON output writes it, without quotes ({@code -T fields} prints this). */
        public String display() {
            switch (kind) {
                case NUMBER: return Long.toString(number);
                case BOOLEAN: return number != 0 ? "true" : "false";
                default: return text;
            }
        }
    }

    private final List<Value> values = new ArrayList<>();

    private FieldRecord() {
    }

    /** The fields in output order. */
    public List<Value> values() { return values; }

    /** The record of a plaintext message, as {@code --json} prints it for {@code onMessage}. */
    public static FieldRecord ofMessage(CapturedMessage m) {
        FieldRecord r = new FieldRecord();
        Sink s = r.new Sink();
        r.context(m);
        r.bool("encrypted", m.wasEncrypted());
        NodeDirectory n = m.nodes();
        r.node("sender", n, m.srcNode());
        r.node("receiver", n, m.dstNode());
        if (m.encryptionHeaderLength() > 0 && m.depth() == 0) {
            s.beginGroup("ehdr");
            new EncryptionHeader().wrap(m.encryptionHeader(), 0, m.encryptionHeaderLength()).describe(s);
            s.endGroup();
        }
        Malformation[] firstWarning = new Malformation[1];
        Malformation bad = TipcDescriber.describe(m.buf(), m.offset(), m.length(), s, w -> {
            if (firstWarning[0] == null) firstWarning[0] = w;
        });
        if (!bad.isOk()) r.malformed(bad.field(), bad.reason());
        // the first warning, as --json writes it in the message's object (every one is a record of its own too)
        if (firstWarning[0] != null) r.warning(firstWarning[0].field(), firstWarning[0].reason());
        return r;
    }

    /** The record of an encrypted frame no key opens ({@code onEncrypted}). */
    public static FieldRecord ofEncrypted(CapturedMessage m) {
        FieldRecord r = new FieldRecord();
        Sink s = r.new Sink();
        r.context(m);
        r.bool("encrypted", true);
        r.bool("decrypted", false);
        s.beginGroup("ehdr");
        new EncryptionHeader().wrap(m.encryptionHeader(), 0, m.encryptionHeaderLength()).describe(s);
        s.endGroup();
        int h = m.encryptionHeaderLength();
        s.field("ciphertext_len", m.length() - h - 16, null);
        s.bytes("ciphertext", m.buf(), m.offset() + h, m.length() - h - 16, false); // ciphertext_len is above
        s.bytes("tag", m.buf(), m.offset() + m.length() - 16, 16);
        return r;
    }

    /** The record of a malformation ({@code onMalformed}): frame, time, malformed.field, malformed.reason. */
    public static FieldRecord ofMalformed(CapturedFrame f, String field, String reason) {
        FieldRecord r = new FieldRecord();
        r.num("frame", f.frameNumber());
        r.time(f.timestampNanos());
        r.malformed(field, reason);
        return r;
    }

    /**
     * The record of a warning ({@code onWarning}): frame, time, warning.field, warning.reason. A filter tells it
     * from a malformation by the group: {@code -Y warning}, {@code -Y malformed}.
     */
    public static FieldRecord ofWarning(CapturedFrame f, String field, String reason) {
        FieldRecord r = new FieldRecord();
        r.num("frame", f.frameNumber());
        r.time(f.timestampNanos());
        r.warning(field, reason);
        return r;
    }

    /** Only the wire layer's fields of the message at {@code b[off..off+len)} (for {@link FieldCatalog}). */
    static FieldRecord ofWire(byte[] b, int off, int len, boolean encryptionHeader) {
        FieldRecord r = new FieldRecord();
        Sink s = r.new Sink();
        if (encryptionHeader) {
            s.beginGroup("ehdr");
            new EncryptionHeader().wrap(b, off, len).describe(s);
            s.endGroup();
        } else {
            TipcDescriber.describe(b, off, len, s);
        }
        return r;
    }

    private void context(CapturedMessage m) {
        num("frame", m.frameNumber());
        time(m.timestampNanos());
        str("src", m.src().toString());
        str("dst", m.dst().toString());
        str("origin", m.origin().name());
        num("depth", m.depth());
    }

    private void malformed(String field, String reason) {
        str("malformed.field", field);
        str("malformed.reason", reason);
    }

    private void warning(String field, String reason) {
        str("warning.field", field);
        str("warning.reason", reason);
    }

    private void node(String key, NodeDirectory n, int addr) {
        str(key + ".addr", Integer.toHexString(addr));
        String id = addr == 0 || n == null ? null : n.idString(addr);
        if (id != null) str(key + ".id", id);
    }

    /** Seconds since the epoch with 9 decimals, as the JSON output's "time". */
    static String seconds(long ns) {
        long s = Math.floorDiv(ns, 1_000_000_000L), f = Math.floorMod(ns, 1_000_000_000L);
        String frac = Long.toString(f);
        return s + "." + "000000000".substring(frac.length()) + frac;
    }

    private void time(long ns) { values.add(new Value("time", Kind.DECIMAL, 0, seconds(ns))); }

    private void num(String path, long v) { values.add(new Value(path, Kind.NUMBER, v, null)); }

    private void str(String path, String v) { values.add(new Value(path, Kind.STRING, 0, v)); }

    private void bool(String path, boolean v) { values.add(new Value(path, Kind.BOOLEAN, v ? 1 : 0, null)); }

    /** Collects the wire layer's fields under the open groups' path. */
    private final class Sink implements FieldSink {
        private final ArrayList<String> groups = new ArrayList<>();
        private String prefix = "";

        private String path(String name) { return prefix.isEmpty() ? name : prefix + name; }

        @Override public void field(String name, long value, String symbolic) {
            String p = path(name);
            values.add(new Value(p, Kind.NUMBER, value, symbolic));
            if (symbolic != null) str(p + "_sym", symbolic);
        }

        @Override public void text(String name, String value) { str(path(name), value); }

        @Override public void bytes(String name, byte[] buf, int off, int len) {
            bytes(name, buf, off, len, true);
        }

        void bytes(String name, byte[] buf, int off, int len, boolean withLen) {
            int n = Math.max(0, Math.min(len, MAX_BYTES_SHOWN));
            StringBuilder hex = new StringBuilder(2 * n);
            for (int i = 0; i < n; i++) {
                int b = buf[off + i] & 0xff;
                hex.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 15, 16));
            }
            String p = path(name);
            str(p, hex.toString());
            if (n < len) {
                if (withLen) num(p + "_len", len);
                bool(p + "_truncated", true);
            }
        }

        @Override public void beginGroup(String name) {
            int br = name.indexOf('[');
            groups.add(br > 0 && name.endsWith("]") ? name.substring(0, br) : name);
            prefix = String.join(".", groups) + ".";
        }

        @Override public void endGroup() {
            if (!groups.isEmpty()) groups.remove(groups.size() - 1);
            prefix = groups.isEmpty() ? "" : String.join(".", groups) + ".";
        }
    }
}
