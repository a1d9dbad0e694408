package io.jtipc.cli.pcap;

import io.jtipc.capture.filter.FieldRecord;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;

/**
 * {@code -T fields -e FIELD ...}: one line per frame as tshark prints it, the fields' values separated by tabs,
 * several occurrences of a field in the frame (the messages of a bundle, items of a distribution message)
 * joined by ','. Values are those of {@code --json} (numbers in decimal, strings as they are, booleans
 * true/false). The frame-wide keys (frame, time, src, dst) are printed once. A tab, newline, carriage return or
 * backslash inside a value is escaped ({@code \t \n \r \\}) so that a line stays one frame.
 */
final class FieldsPrinter {
    private static final Set<String> PER_FRAME = Set.of("frame", "time", "src", "dst");
    private final List<String> fields;
    private final OutputStream out;
    private final Line line = new Line();
    private final StringBuilder sb = new StringBuilder();

    /**
     * @param fields the paths given with -e, in order
     * @param header print the field names as a first line ({@code -E header=y})
     */
    FieldsPrinter(List<String> fields, boolean header, OutputStream out) {
        this.fields = List.copyOf(fields);
        this.out = out;
        if (header) {
            line.append(String.join("\t", fields));
            endLine();
        }
    }

    /** Prints the line of one frame made of {@code records}. */
    void frame(List<FieldRecord> records) {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) line.append('\t');
            String f = fields.get(i);
            boolean once = PER_FRAME.contains(f);
            sb.setLength(0);
            boolean first = true;
            for (FieldRecord r : records) {
                for (FieldRecord.Value v : r.values()) {
                    if (!v.path().equals(f)) continue;
                    if (!first) sb.append(',');
                    escape(v.display());
                    first = false;
                    if (once) break;
                }
                if (once && !first) break;
            }
            line.append(sb.toString());
        }
        endLine();
    }

    private void escape(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\t': sb.append("\\t"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\\': sb.append("\\\\"); break;
                default: sb.append(c);
            }
        }
    }

    private void endLine() {
        try {
            line.endLine(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes out the lines still buffered. */
    void finish() {
        try {
            line.flush(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
