package io.jtipc.cli.pcap;

import io.jtipc.capture.CapturedFrame;
import io.jtipc.capture.CapturedMessage;
import io.jtipc.capture.filter.DisplayFilter;
import io.jtipc.capture.filter.FieldRecord;
import io.jtipc.capture.pcap.PcapngWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Whole-frame selection for {@code -Y}, {@code -c}, {@code -T fields} and {@code -w}: collects the records
 * (messages, undecryptable frames, malformations, warnings) of one capture record and, when the frame ends, passes them
 * on if the frame matches.
 *
 * <p>Matching is per frame, as in tshark: a frame matches when the filter is true for at least one of its records
 * (the TIPC message of the frame, a message of its bundle, a tunnelled or reassembled message...), and then the
 * whole frame is shown, every record of it, and written to {@code -w}. Unlike tshark, the filter is evaluated
 * on each record alone: {@code user == LINK_PROTOCOL && type == STATE} needs one message that is both (tshark
 * pools the fields of all layers of a frame, so two messages of one bundle could satisfy one side each).
 * Without {@code -Y} every frame that has a record matches; frames without TIPC (nothing to show) are never
 * shown, counted or written. {@code -c N} stops after N matching frames, by throwing {@link Stop} out of
 * the dissection.
 */
final class FrameSelector implements Printer {
    /** Thrown when {@code -c} frames have been passed on. */
    static final class Stop extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stop() {
            super("frame count reached", null, false, false);
        }
    }

    private enum Kind { MESSAGE, ENCRYPTED, MALFORMED, WARNING }

    private record Pending(Kind kind, CapturedMessage message, CapturedFrame frame, String field, String reason,
            FieldRecord record) { }

    private final DisplayFilter filter;
    private final long limit;
    private final Printer printer;
    private final FieldsPrinter fields;
    private final PcapngWriter pcap;
    private final boolean needRecords;
    private final List<Pending> pending = new ArrayList<>();
    private final List<FieldRecord> records = new ArrayList<>();
    private final Map<Long, Integer> interfaces = new HashMap<>();
    private boolean matched;
    private long passed;

    /**
     * @param filter the display filter, or null (every frame with a record matches)
     * @param limit frames to pass on before {@link Stop}; 0 for no limit
     * @param printer receives the records of matching frames, or null
     * @param fields prints one line per matching frame, or null
     * @param pcap receives the matching frames' original bytes, or null
     */
    FrameSelector(DisplayFilter filter, long limit, Printer printer, FieldsPrinter fields, PcapngWriter pcap) {
        this.filter = filter;
        this.limit = limit;
        this.printer = printer;
        this.fields = fields;
        this.pcap = pcap;
        this.needRecords = filter != null || fields != null;
    }

    /** Frames passed on so far. */
    long passed() { return passed; }

    @Override public void onMessage(CapturedMessage m) {
        add(Kind.MESSAGE, m, null, null, null, needRecords ? FieldRecord.ofMessage(m) : null);
    }

    @Override public void onEncrypted(CapturedMessage m) {
        add(Kind.ENCRYPTED, m, null, null, null, needRecords ? FieldRecord.ofEncrypted(m) : null);
    }

    @Override public void onMalformed(CapturedFrame f, String field, String reason) {
        add(Kind.MALFORMED, null, f, field, reason, needRecords ? FieldRecord.ofMalformed(f, field, reason) : null);
    }

    @Override public void onWarning(CapturedFrame f, String field, String reason) {
        add(Kind.WARNING, null, f, field, reason, needRecords ? FieldRecord.ofWarning(f, field, reason) : null);
    }

    private void add(Kind k, CapturedMessage m, CapturedFrame f, String field, String reason, FieldRecord r) {
        if (!matched && (filter == null || filter.matches(r))) matched = true;
        pending.add(new Pending(k, m == null || printer == null ? null : m.copy(), f, field, reason, r));
    }

    @Override public void onFrameEnd(CapturedFrame f) {
        try {
            if (!pending.isEmpty() && matched) pass(f);
        } finally {
            pending.clear();
            matched = false;
        }
    }

    @Override public void captureStart(long nanos) {
        if (printer != null) printer.captureStart(nanos);
    }

    private void pass(CapturedFrame f) {
        if (f != null) captureStart(f.captureStartNanos());
        if (printer != null) {
            for (Pending p : pending) {
                switch (p.kind) {
                    case MESSAGE: printer.onMessage(p.message); break;
                    case ENCRYPTED: printer.onEncrypted(p.message); break;
                    case WARNING: printer.onWarning(p.frame, p.field, p.reason); break;
                    default: printer.onMalformed(p.frame, p.field, p.reason);
                }
            }
        }
        if (fields != null) {
            records.clear();
            for (Pending p : pending) records.add(p.record);
            fields.frame(records);
        }
        if (pcap != null && f != null) write(f);
        passed++;
        if (limit > 0 && passed >= limit) throw new Stop();
    }

    private void write(CapturedFrame f) {
        try {
            long key = ((long) f.interfaceId() << 32) | (f.linkType() & 0xffffffffL);
            Integer id = interfaces.get(key);
            if (id == null) {
                id = pcap.addInterface(f.linkType(), null);
                interfaces.put(key, id);
            }
            int len = Math.min(f.length(), PcapngWriter.MAX_PACKET);
            pcap.write(id, f.timestampNanos(), f.buf(), f.offset(), len, Math.max(len, f.originalLength()));
        } catch (IOException e) {
            throw new PcapWriteFailure(e);
        }
    }

    /** Writing {@code -w} failed (not standard output: reported as an error, exit 1). */
    static final class PcapWriteFailure extends UncheckedIOException {
        private static final long serialVersionUID = 1L;

        PcapWriteFailure(IOException e) {
            super(e);
        }
    }

    @Override public void finish() {
        // a file-level error reported after the last record: a frame of its own, without bytes
        try {
            if (!pending.isEmpty() && matched) pass(null);
        } catch (Stop ignored) {
            // the count is reached with this last record anyway
        } finally {
            pending.clear();
        }
        if (printer != null) printer.finish();
        if (fields != null) fields.finish();
    }
}
