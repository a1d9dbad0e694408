package io.jtipc.cli.pcap;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;

import java.io.IOException;
import java.io.Writer;

/**
 * The one JSON shape of {@code jtipc pcap --json} and its analysis verbs {@code links|names|stats --json}: JSON
 * Lines, one compact object per line, keys in snake_case. Every object of an analysis verb starts with
 * {@code "kind"} (link, broadcast, binding, event, summary, count, malformed_reason, warning_reason,
 * malformed) so that a reader
 * of a mixed stream can tell them apart. The same things have the same keys as in {@code pcap --json}: a node is
 * {@code {"addr": hex, "id": node identity}} ("id" only when learnt), a frame number is {@code frame}, enum names
 * sit beside their numbers as {@code NAME_sym}, a malformation is {@code "malformed": {"field", "reason"}}; times
 * relative to the capture's first frame are seconds in keys ending in {@code _s}.
 */
final class JsonLines {
    private JsonLines() {
    }

    /** A generator writing compact objects separated by newlines; {@code w} is not closed with it. */
    static JsonGenerator open(Writer w) throws IOException {
        JsonGenerator g = new JsonFactory().createGenerator(w);
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET); // never close stdout
        g.setRootValueSeparator(new SerializedString("\n"));
        return g;
    }

    /** Starts a line's object with its "kind". */
    static void begin(JsonGenerator g, String kind) throws IOException {
        g.writeStartObject();
        g.writeStringField("kind", kind);
    }

    /** {@code "key": {"addr": hex, "id": id}} as pcap --json writes sender/receiver ("id" left out when null). */
    static void node(JsonGenerator g, String key, int addr, String id) throws IOException {
        g.writeObjectFieldStart(key);
        g.writeStringField("addr", Integer.toHexString(addr));
        if (id != null) g.writeStringField("id", id);
        g.writeEndObject();
    }

    /** Ends the generator's output with a newline (the last line's end). */
    static void close(JsonGenerator g, Writer w, boolean any) throws IOException {
        g.close();
        if (any) w.write("\n");
    }
}
