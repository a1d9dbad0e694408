package io.jtipc.cli.pcap;

import com.fasterxml.jackson.core.JsonGenerator;
import io.jtipc.capture.CaptureSummary;
import io.jtipc.capture.analysis.BindingTableAnalysis;
import io.jtipc.capture.analysis.FileTotals;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jtipc pcap names FILE [--at S] [--history]}: the binding table rebuilt from NAME_DISTRIBUTOR
 * traffic ({@link BindingTableAnalysis}), per node, printed like {@code tipc nametable show}.
 */
@Command(name = "names", description = {"Binding table rebuilt from the capture's NAME_DISTRIBUTOR traffic (bulk and incremental "
                + "publications/withdrawals; a node's bindings vanish from a peer's table when their last link "
                + "goes down), one table per node, as 'tipc nametable show' prints it. Only cluster-scope "
                + "bindings are distributed, so node-scope ones never appear."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the capture could not be read to its end or held bad records",
            "2:bad arguments"})
public final class NamesCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    LinksCommand.CaptureArgs args;

    @Option(names = "--at", paramLabel = "SECONDS",
            description = "show the table as it stood SECONDS after the first frame (default: end of capture)")
    Double at;

    @Option(names = "--history", description = "also list every publication, withdrawal and link change "
            + "with its time and publishing node")
    boolean history;

    /**
     * The absolute time {@code seconds} (>= 0, Infinity included) after {@code origin}, saturated: a time past what a
     * long holds is {@link Long#MAX_VALUE}, the end of any capture (origin plus 1e10 s overflowed to a negative time
     * before the capture: the empty table).
     */
    static long atNanos(long origin, double seconds) {
        long d = Math.round(seconds * 1e9); // Long.MAX_VALUE for Infinity or anything past it
        try {
            return Math.addExact(origin, d);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        if (at != null && (at.isNaN() || at < 0)) {
            throw new CommandLine.ParameterException(cl, "--at: must be a number of seconds >= 0, got " + at);
        }
        if (!args.open(cl)) return 1; // checks the arguments before the file is touched
        try {
            BindingTableAnalysis names = new BindingTableAnalysis();
            long origin = FileTotals.firstTimestamp(args.input());
            if (origin >= 0) names.setOrigin(origin);
            CaptureSummary s = args.dissect(cl, names);
            long when = at == null ? Long.MAX_VALUE : atNanos(names.firstNanos(), at);
            PrintWriter out = cl.getOut();
            if (args.json) {
                writeJson(names, when, history, out);
            } else {
                if (history) {
                    out.println("History (times in seconds since the first frame):");
                    out.print(names.formatHistory());
                    out.println();
                }
                out.print(names.formatViews(when));
            }
            out.flush();
            return LinksCommand.exitCode(s);
        } finally {
            args.close();
        }
    }

    /**
     * JSON Lines ({@link JsonLines}): one {@code "kind": "binding"} object per binding of each node's table at
     * {@code when} ({@code at_s}, the table's {@code node}, the binding's fields, its {@code publisher}); with
     * {@code history} then one {@code "kind": "event"} object per publication, withdrawal or link change.
     */
    static void writeJson(BindingTableAnalysis bt, long when, boolean history, Writer w) throws IOException {
        JsonGenerator g = JsonLines.open(w);
        boolean any = false;
        double at = bt.seconds(Math.min(when, bt.lastNanos()));
        for (BindingTableAnalysis.View v : bt.viewsAt(when)) {
            for (BindingTableAnalysis.CapturedBinding b : v.bindings()) {
                any = true;
                JsonLines.begin(g, "binding");
                g.writeNumberField("at_s", at);
                JsonLines.node(g, "node", v.node(), bt.nodeId(v.node()));
                binding(g, bt, b);
                g.writeEndObject();
            }
        }
        if (history) {
            for (BindingTableAnalysis.Entry e : bt.history()) {
                any = true;
                JsonLines.begin(g, "event");
                g.writeNumberField("t_s", bt.seconds(e.nanos()));
                if (e.frame() >= 0) g.writeNumberField("frame", e.frame());
                g.writeStringField("event", e.kind().name());
                JsonLines.node(g, "node", e.node(), bt.nodeId(e.node()));
                if (e.binding() != null) {
                    g.writeBooleanField("bulk", e.bulk());
                    g.writeObjectFieldStart("binding");
                    binding(g, bt, e.binding());
                    g.writeEndObject();
                } else {
                    JsonLines.node(g, "peer", e.peer(), bt.nodeId(e.peer()));
                }
                g.writeEndObject();
            }
        }
        JsonLines.close(g, w, any);
    }

    /** The fields of a binding, as the item of a NAME_DISTRIBUTOR message names them in pcap --json. */
    private static void binding(JsonGenerator g, BindingTableAnalysis bt, BindingTableAnalysis.CapturedBinding b)
            throws IOException {
        g.writeNumberField("type", b.type());
        g.writeNumberField("lower", b.lower());
        g.writeNumberField("upper", b.upper());
        g.writeStringField("scope", "cluster");
        g.writeNumberField("port", b.port());
        g.writeNumberField("key", b.key());
        JsonLines.node(g, "publisher", b.node(), bt.nodeId(b.node()));
    }
}
