package io.jtipc.cli.pcap;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.jtipc.capture.CapturedFrame;
import io.jtipc.capture.CapturedMessage;
import io.jtipc.capture.NodeDirectory;
import io.jtipc.wire.FieldSink;
import io.jtipc.wire.Malformation;
import io.jtipc.wire.TipcDescriber;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;

/**
 * {@code --json}: one JSON object per line and message. Capture context keys: frame, time (epoch
 * seconds, ns precision), src, dst (media endpoints), origin, depth, encrypted, sender, receiver
 * ({"addr": hex, "id": node id string}), ehdr (encryption header fields). Then every TIPC field under
 * its kernel accessor name (version, user, hdr_sz, size, type, ack, seqno, prevnode...): a number, plus
 * "NAME_sym" when the wire layer gives a symbolic form; opaque bytes as hex with "NAME_len"; groups as
 * objects, indexed groups ("item[0]", "item[1]"...) as an array "item".
 * An undecryptable frame has "encrypted": true, "decrypted": false, ehdr and ciphertext_len.
 * A problem: {"frame": N, "time": ..., "malformed": {"field": ..., "reason": ...}}; a finding the kernel accepts
 * (TipcMessageListener#onWarning): {"frame": N, "time": ..., "warning": {"field": ..., "reason": ...}}. A message's
 * object carries its own first "malformed" and first "warning" the same way.
 */
final class JsonPrinter implements Printer, FieldSink {
    static final int MAX_BYTES_SHOWN = 256;
    private final JsonGenerator g;
    private final ArrayDeque<String> openArrays = new ArrayDeque<>();
    private String openArray; // indexed-group array open in the current object, or null
    private final StringBuilder hex = new StringBuilder(2 * MAX_BYTES_SHOWN + 8);

    JsonPrinter(OutputStream out) {
        try {
            JsonFactory f = JsonFactory.builder().build();
            g = f.createGenerator(out, com.fasterxml.jackson.core.JsonEncoding.UTF8);
            g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            g.configure(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM, false);
            g.setRootValueSeparator(new com.fasterxml.jackson.core.io.SerializedString("\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override public void onMessage(CapturedMessage m) {
        try {
            g.writeStartObject();
            context(m);
            g.writeBooleanField("encrypted", m.wasEncrypted());
            NodeDirectory n = m.nodes();
            node("sender", n, m.srcNode());
            node("receiver", n, m.dstNode());
            if (m.encryptionHeaderLength() > 0 && m.depth() == 0) {
                g.writeObjectFieldStart("ehdr");
                Ehdr.describe(m.encryptionHeader(), 0, m.encryptionHeaderLength(), this);
                g.writeEndObject();
            }
            openArray = null;
            firstWarning = null;
            Malformation bad = TipcDescriber.describe(m.buf(), m.offset(), m.length(), this, keepFirstWarning);
            closeArray();
            if (!bad.isOk()) {
                g.writeObjectFieldStart("malformed");
                g.writeStringField("field", bad.field());
                g.writeStringField("reason", bad.reason());
                g.writeEndObject();
            }
            if (firstWarning != null) { // one key per object: the first (each is also a record of its own)
                g.writeObjectFieldStart("warning");
                g.writeStringField("field", firstWarning.field());
                g.writeStringField("reason", firstWarning.reason());
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override public void onEncrypted(CapturedMessage m) {
        try {
            g.writeStartObject();
            context(m);
            g.writeBooleanField("encrypted", true);
            g.writeBooleanField("decrypted", false);
            g.writeObjectFieldStart("ehdr");
            Ehdr.describe(m.encryptionHeader(), 0, m.encryptionHeaderLength(), this);
            g.writeEndObject();
            g.writeNumberField("ciphertext_len", m.length() - m.encryptionHeaderLength() - 16);
            // ciphertext_len is written above: not again when the hex is cut (no duplicate key)
            bytes("ciphertext", m.buf(), m.offset() + m.encryptionHeaderLength(), m.length() - m.encryptionHeaderLength() - 16, false);
            bytes("tag", m.buf(), m.offset() + m.length() - 16, 16);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override public void onMalformed(CapturedFrame f, String field, String reason) {
        try {
            g.writeStartObject();
            g.writeNumberField("frame", f.frameNumber());
            time(f.timestampNanos());
            g.writeObjectFieldStart("malformed");
            g.writeStringField("field", field);
            g.writeStringField("reason", reason);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override public void onWarning(CapturedFrame f, String field, String reason) {
        try {
            g.writeStartObject();
            g.writeNumberField("frame", f.frameNumber());
            time(f.timestampNanos());
            g.writeObjectFieldStart("warning");
            g.writeStringField("field", field);
            g.writeStringField("reason", reason);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Malformation firstWarning;
    private final java.util.function.Consumer<Malformation> keepFirstWarning = w -> {
        if (firstWarning == null) firstWarning = w;
    };

    @Override public void finish() {
        try {
            g.writeRaw('\n');
            g.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void context(CapturedMessage m) throws IOException {
        g.writeNumberField("frame", m.frameNumber());
        time(m.timestampNanos());
        g.writeStringField("src", m.src().toString());
        g.writeStringField("dst", m.dst().toString());
        g.writeStringField("origin", m.origin().name());
        g.writeNumberField("depth", m.depth());
    }

    private void time(long ns) throws IOException {
        hex.setLength(0);
        long s = Math.floorDiv(ns, 1_000_000_000L), f = Math.floorMod(ns, 1_000_000_000L);
        hex.append(s).append('.');
        PlainPrinter.appendZero(hex, f, 9);
        g.writeFieldName("time");
        g.writeNumber(hex.toString());
    }

    private void node(String key, NodeDirectory n, int addr) throws IOException {
        g.writeObjectFieldStart(key);
        g.writeStringField("addr", Integer.toHexString(addr));
        String id = addr == 0 ? null : n.idString(addr);
        if (id != null) g.writeStringField("id", id);
        g.writeEndObject();
    }

    // ---- FieldSink

    private void closeArray() throws IOException {
        if (openArray != null) {
            g.writeEndArray();
            openArray = null;
        }
    }

    @Override public void field(String name, long value, String symbolic) {
        try {
            closeArray();
            g.writeNumberField(name, value);
            if (symbolic != null) g.writeStringField(name + "_sym", symbolic);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override public void text(String name, String value) {
        try {
            closeArray();
            g.writeStringField(name, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override public void bytes(String name, byte[] buf, int off, int len) {
        bytes(name, buf, off, len, true);
    }

    private void bytes(String name, byte[] buf, int off, int len, boolean withLen) {
        try {
            closeArray();
            hex.setLength(0);
            int n = Math.min(len, MAX_BYTES_SHOWN);
            for (int i = 0; i < n; i++) PlainPrinter.hex2(hex, buf[off + i]);
            g.writeFieldName(name);
            g.writeString(hex.toString());
            if (n < len) {
                if (withLen) g.writeNumberField(name + "_len", len);
                g.writeBooleanField(name + "_truncated", true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override public void beginGroup(String name) {
        try {
            int br = name.indexOf('[');
            if (br > 0 && name.endsWith("]")) {
                String base = name.substring(0, br);
                if (!base.equals(openArray)) {
                    closeArray();
                    g.writeArrayFieldStart(base);
                    openArray = base;
                }
                openArrays.push(openArray);
                openArray = null;
                g.writeStartObject();
            } else {
                closeArray();
                openArrays.push("");
                g.writeObjectFieldStart(name);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override public void endGroup() {
        try {
            closeArray();
            g.writeEndObject();
            String parentArray = openArrays.isEmpty() ? "" : openArrays.pop();
            openArray = parentArray.isEmpty() ? null : parentArray;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
