package io.jtipc.cli.pcap;

import io.jtipc.capture.CapturedFrame;
import io.jtipc.capture.CapturedMessage;
import io.jtipc.wire.FieldSink;
import io.jtipc.wire.Malformation;
import io.jtipc.wire.TipcDescriber;

import java.io.OutputStream;

/**
 * {@code -V}: the summary line of each message, then every field as an indented tree (names are the
 * kernel accessor names, via the wire layer's {@link FieldSink}); the encryption header first when the
 * frame was encrypted.
 */
final class TreePrinter extends PlainPrinter implements FieldSink {
    /** Bytes shown per opaque field; the length is always given. */
    static final int MAX_BYTES_SHOWN = 64;
    private int indent;

    TreePrinter(OutputStream out) {
        super(out);
    }

    @Override public void onMessage(CapturedMessage m) {
        super.onMessage(m);
        indent = 2 + 2 * m.depth();
        if (m.encryptionHeaderLength() > 0 && m.depth() == 0) {
            line("encryption header (" + m.encryptionHeaderLength() + " bytes):");
            indent += 2;
            Ehdr.describe(m.encryptionHeader(), 0, m.encryptionHeaderLength(), this);
            indent -= 2;
        }
        line("media " + m.src() + " → " + m.dst() + ", message " + m.length() + " bytes:");
        indent += 2;
        Malformation bad = TipcDescriber.describe(m.buf(), m.offset(), m.length(), this, warningLine);
        if (!bad.isOk()) line("MALFORMED " + bad.field() + ": " + bad.reason());
        indent -= 2;
    }

    @Override public void onEncrypted(CapturedMessage m) {
        super.onEncrypted(m);
        indent = 2;
        line("encrypted frame, " + m.length() + " bytes (no key decrypts it):");
        indent += 2;
        Ehdr.describe(m.buf(), m.offset(), m.length(), this);
        indent -= 2;
    }

    @Override public void onMalformed(CapturedFrame f, String field, String reason) {
        super.onMalformed(f, field, reason);
    }

    /** A finding the kernel accepts, inside the message's tree (the frame's WARNING line follows as in plain output). */
    private final java.util.function.Consumer<Malformation> warningLine = w -> line("WARNING " + w.field() + ": " + w.reason());

    private void line(String s) {
        pad();
        sb.append(s);
        flushLine();
    }

    private void pad() {
        for (int i = 0; i < indent; i++) sb.append(' ');
    }

    @Override public void field(String name, long value, String symbolic) {
        pad();
        sb.append(name).append(": ").append(value);
        if (symbolic != null) sb.append(" (").append(symbolic).append(')');
        flushLine();
    }

    /** Addresses formatted here, as the kernel prints them (hex), without a String. */
    @Override public void address(String name, int addr) {
        pad();
        sb.append(name).append(": ").append(addr & 0xffffffffL).ascii(" (").hex(addr).append(')');
        flushLine();
    }

    @Override public void bitmap(String name, long value) {
        pad();
        sb.append(name).append(": ").append(value).ascii(" (0x");
        if ((value >>> 32) != 0) sb.hex((int) (value >>> 32)).hex8((int) value);
        else sb.hex((int) value);
        sb.append(')');
        flushLine();
    }

    @Override public void text(String name, String value) {
        pad();
        sb.append(name).append(": \"").append(value).append('"');
        flushLine();
    }

    @Override public void bytes(String name, byte[] buf, int off, int len) {
        pad();
        sb.append(name).append(": ").append(len).append(" bytes");
        if (len > 0) sb.append(' ');
        int n = Math.min(len, MAX_BYTES_SHOWN);
        for (int i = 0; i < n; i++) sb.hex2(buf[off + i]);
        if (n < len) sb.append('…');
        flushLine();
    }

    @Override public void beginGroup(String name) {
        pad();
        sb.append(name).append(':');
        flushLine();
        indent += 2;
    }

    @Override public void endGroup() {
        indent -= 2;
    }
}
