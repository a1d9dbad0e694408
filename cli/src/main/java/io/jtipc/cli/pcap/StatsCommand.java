package io.jtipc.cli.pcap;

import com.fasterxml.jackson.core.JsonGenerator;
import io.jtipc.capture.CaptureSummary;
import io.jtipc.capture.analysis.FileTotals;
import io.jtipc.capture.analysis.StatsAnalysis;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code jtipc pcap stats FILE}: frame and byte totals, TIPC messages per user and type, encrypted and
 * decrypted frames, malformed frames with reasons, warnings by reason ({@link StatsAnalysis}).
 */
@Command(name = "stats", description = {"Counts: frames and bytes, TIPC messages per user/type (top level and nested), "
                + "encrypted/decrypted frames, malformed frames with their reasons, warnings (frames the kernel "
                + "accepts with a part ignored) by reason."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the capture could not be read to its end or held bad records",
            "2:bad arguments"})
public final class StatsCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    LinksCommand.CaptureArgs args;

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        if (!args.open(cl)) return 1;
        try {
            StatsAnalysis stats = new StatsAnalysis();
            CaptureSummary s = args.dissect(cl, stats);
            FileTotals totals = FileTotals.of(args.input());
            PrintWriter out = cl.getOut();
            if (args.json) {
                writeJson(stats, totals, s, out);
            } else {
                out.print(stats.format(totals));
            }
            out.flush();
            return LinksCommand.exitCode(s);
        } finally {
            args.close();
        }
    }

    /**
     * JSON Lines ({@link JsonLines}): one {@code "kind": "summary"} object (frames, bytes, duration, TIPC and
     * encrypted counts, file_error), one {@code "kind": "count"} per user/type (user, user_sym, type, type_sym as
     * pcap --json names them), one {@code "kind": "malformed_reason"} per reason, one {@code "kind":
     * "warning_reason"} per warning reason (findings the kernel accepts; "warnings" in the summary counts them) and
     * one {@code "kind": "malformed"} per malformed frame ({@code frame}, {@code "malformed": {"field", "reason"}} as
     * pcap --json).
     */
    static void writeJson(StatsAnalysis st, FileTotals t, CaptureSummary s, Writer w) throws IOException {
        JsonGenerator g = JsonLines.open(w);
        JsonLines.begin(g, "summary");
        g.writeNumberField("frames", t.frames());
        g.writeNumberField("captured_bytes", t.capturedBytes());
        g.writeNumberField("wire_bytes", t.wireBytes());
        g.writeNumberField("duration_s", t.firstNanos() < 0 ? 0 : (t.lastNanos() - t.firstNanos()) / 1e9);
        g.writeNumberField("tipc_frames", st.tipcFrames());
        g.writeNumberField("messages", st.messages());
        g.writeNumberField("encrypted_frames", st.encryptedFrames());
        g.writeNumberField("decrypted_frames", st.decryptedFrames());
        g.writeNumberField("undecrypted_frames", st.undecryptedFrames());
        g.writeNumberField("malformed", st.malformedTotal());
        g.writeNumberField("warnings", st.warningsTotal());
        if (s.fileError() != null) g.writeStringField("file_error", s.fileError());
        g.writeEndObject();
        for (StatsAnalysis.Count c : st.counts()) {
            JsonLines.begin(g, "count");
            g.writeNumberField("user", c.user());
            g.writeStringField("user_sym", c.userName());
            g.writeNumberField("type", c.type());
            g.writeStringField("type_sym", c.typeName());
            g.writeNumberField("top", c.top());
            g.writeNumberField("nested", c.nested());
            g.writeNumberField("bytes", c.bytes());
            g.writeEndObject();
        }
        for (Map.Entry<String, Long> e : st.malformedByReason().entrySet()) {
            JsonLines.begin(g, "malformed_reason");
            g.writeStringField("reason", e.getKey());
            g.writeNumberField("count", e.getValue());
            g.writeEndObject();
        }
        for (Map.Entry<String, Long> e : st.warningsByReason().entrySet()) {
            JsonLines.begin(g, "warning_reason");
            g.writeStringField("reason", e.getKey());
            g.writeNumberField("count", e.getValue());
            g.writeEndObject();
        }
        for (StatsAnalysis.Malformed m : st.malformed()) {
            JsonLines.begin(g, "malformed");
            g.writeNumberField("frame", m.frame());
            g.writeObjectFieldStart("malformed");
            g.writeStringField("field", m.field());
            g.writeStringField("reason", m.reason());
            g.writeEndObject();
            g.writeEndObject();
        }
        JsonLines.close(g, w, true);
    }
}
