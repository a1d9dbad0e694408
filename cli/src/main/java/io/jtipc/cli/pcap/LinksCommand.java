package io.jtipc.cli.pcap;

import com.fasterxml.jackson.core.JsonGenerator;
import io.jtipc.capture.CaptureSummary;
import io.jtipc.capture.DissectorOptions;
import io.jtipc.capture.TipcCaptureDissector;
import io.jtipc.capture.TipcMessageListener;
import io.jtipc.capture.analysis.LinkAnalysis;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jtipc pcap links FILE}: the unicast links of a capture, their establishment, traffic per
 * direction, retransmissions, NACKs, probes, MTU and resets ({@link LinkAnalysis}).
 */
@Command(name = "links", description = {"Per link (node pair + bearer): establishment (RESET/ACTIVATE, sessions, time up), packets "
                + "each way, retransmissions, NACKs and gap-ACK blocks, probes, MTU, tolerance/priority, "
                + "link down events."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the capture could not be read to its end or held bad records",
            "2:bad arguments"})
public final class LinksCommand implements Callable<Integer> {

    /** Options shared by the analysis verbs: the capture file, keys, UDP ports, JSON output. */
    public static final class CaptureArgs {
        /**
         * Dissector options from --key and --udp-port values.
         *
         * @throws CommandLine.ParameterException (exit code 2) naming the bad argument, after {@code prefix}
         */
        static DissectorOptions.Builder builder(CommandLine cl, List<String> keys, List<Integer> udpPorts, String prefix) {
            return builder(cl, keys, null, System::getenv, udpPorts, prefix);
        }

        /**
         * Dissector options from --key, --key-file, the environment's {@value KeyFile#ENV} (keys from all three
         * are tried) and --udp-port values.
         *
         * @throws CommandLine.ParameterException (exit code 2) naming the bad argument, after {@code prefix}
         */
        static DissectorOptions.Builder builder(CommandLine cl, List<String> keys, Path keyFile,
                java.util.function.UnaryOperator<String> getenv, List<Integer> udpPorts, String prefix) {
            DissectorOptions.Builder b = DissectorOptions.builder();
            for (String k : keys) {
                try {
                    b.addKey(DissectorOptions.parseKey(k));
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(cl, prefix + "--key: " + e.getMessage());
                }
            }
            try {
                if (keyFile != null) KeyFile.read(keyFile).forEach(b::addKey);
                KeyFile.fromEnv(getenv.apply(KeyFile.ENV)).forEach(b::addKey);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, prefix + e.getMessage());
            }
            for (int p : udpPorts) {
                try {
                    b.addUdpPort(p);
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(cl, prefix + "--udp-port: " + e.getMessage());
                }
            }
            return b;
        }

        @Parameters(index = "0", paramLabel = "FILE", description = "pcap or pcapng capture file ('-': standard input)")
        Path file;

        @Option(names = "--key", paramLabel = "KEY",
                description = "master key as given to 'tipc node set key' (AES key + 4-byte salt: 0x and hex, or text; "
                        + "repeatable). Visible to other users in ps: prefer --key-file or $" + KeyFile.ENV)
        List<String> keys = new ArrayList<>();

        @Option(names = "--key-file", paramLabel = "FILE",
                description = "read the keys from FILE (one per line, # comments; mode 600). The keys in $"
                        + KeyFile.ENV + " are used too")
        Path keyFile;

        @Option(names = "--udp-port", paramLabel = "N",
                description = "extra UDP port carrying TIPC besides 6118 (repeatable)")
        List<Integer> udpPorts = new ArrayList<>();

        @Option(names = "--json", description = "print JSON Lines (one object per line, keys as 'jtipc pcap --json') instead of text")
        boolean json;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
        boolean help;

        /** Standard input, read for FILE '-' (tests may replace it). */
        java.io.InputStream stdin = System.in;

        private DissectorOptions options;
        private Path input;
        private boolean spooled;

        /**
         * Checks the arguments, then the capture, as {@code jtipc pcap FILE} does: a capture that cannot be read (no
         * such file, a directory, unreadable) is reported in one line on stderr and false returned (exit code 1).
         * FILE {@code -} is standard input, copied to a temporary file (mode 0600, deleted by {@link #close()}) as
         * the analyses read the capture more than once.
         *
         * @throws CommandLine.ParameterException (exit code 2) naming the bad argument
         */
        boolean open(CommandLine cl) {
            options = builder(cl, keys, keyFile, System::getenv, udpPorts, "").build();
            String cmd = cl.getCommandSpec().qualifiedName(); // "jtipc pcap links" (or "links" run on its own)
            if (!cmd.startsWith("jtipc")) cmd = "jtipc pcap " + cmd;
            if ("-".equals(file.toString())) {
                try {
                    input = Files.createTempFile("jtipc-stdin-", ".pcap"); // mode 0600 on POSIX file systems
                    spooled = true;
                    try (java.io.OutputStream o = Files.newOutputStream(input)) {
                        stdin.transferTo(o);
                    }
                    return true;
                } catch (IOException e) {
                    close(); // the partial copy
                    cl.getErr().println(cmd + ": cannot read standard input: " + e.getMessage());
                    cl.getErr().flush();
                    return false;
                }
            }
            input = file;
            String problem = !Files.exists(file) ? "cannot read " + file + ": no such file"
                    : Files.isDirectory(file) ? file + " is a directory, not a capture file"
                    : !Files.isRegularFile(file) ? file + " is not a regular file"
                    : !Files.isReadable(file) ? "cannot read " + file + ": permission denied" : null;
            if (problem == null) return true;
            cl.getErr().println(cmd + ": " + problem);
            cl.getErr().flush();
            return false;
        }

        /** The file to read (after a successful {@link #open}): FILE, or standard input's copy. */
        Path input() {
            return input;
        }

        /** How messages name the capture. */
        String name() {
            return spooled ? "standard input" : file.toString();
        }

        /** Deletes standard input's copy, if any. */
        void close() {
            if (!spooled) return;
            try {
                Files.deleteIfExists(input);
            } catch (IOException ignored) {
                // a temporary file left behind
            }
        }

        /**
         * Dissects the capture (after a successful {@link #open}) into {@code l}; returns the summary. A file that
         * could not be read to its end is reported on stderr (what was read is still analysed), bad records that
         * were skipped (reading went on) in the words of {@code jtipc pcap FILE}.
         */
        CaptureSummary dissect(CommandLine cl, TipcMessageListener l) throws IOException {
            CaptureSummary s = new TipcCaptureDissector(options).dissect(input, l);
            if (s.fileError() != null) {
                cl.getErr().println("jtipc: " + name() + ": reading stopped early: " + s.fileError());
                cl.getErr().flush();
            } else if (s.badRecords() > 0) {
                cl.getErr().println("jtipc pcap: " + s.badRecords() + " bad record" + (s.badRecords() == 1 ? "" : "s")
                        + " in " + name());
                cl.getErr().flush();
            }
            if (s.undecryptedFrames() > 0) {
                cl.getErr().println("jtipc: " + name() + ": " + s.undecryptedFrames() + " encrypted frame(s) not "
                        + "decrypted" + (keys.isEmpty() && keyFile == null ? " (give the key with --key-file FILE or $" + KeyFile.ENV + ")" : " (wrong key?)"));
                cl.getErr().flush();
            }
            return s;
        }
    }

    /** 1 if the capture could not be read to its end or held bad records (as {@code jtipc pcap FILE}), else 0. */
    static int exitCode(CaptureSummary s) {
        return s.fileError() == null && s.badRecords() == 0 ? 0 : 1;
    }

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CaptureArgs args;

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        if (!args.open(cl)) return 1;
        try {
            LinkAnalysis links = new LinkAnalysis();
            CaptureSummary s = args.dissect(cl, links);
            long origin = io.jtipc.capture.analysis.FileTotals.firstTimestamp(args.input());
            if (origin >= 0) links.setOrigin(origin);
            PrintWriter out = cl.getOut();
            if (args.json) {
                writeJson(links, out);
            } else {
                out.print(links.format());
            }
            out.flush();
            return exitCode(s);
        } finally {
            args.close();
        }
    }

    /**
     * JSON Lines ({@link JsonLines}): one {@code "kind": "link"} object per link (its establishments, both
     * directions and events inside), then one {@code "kind": "broadcast"} object per broadcast sender.
     */
    static void writeJson(LinkAnalysis la, Writer w) throws IOException {
        JsonGenerator g = JsonLines.open(w);
        boolean any = false;
        for (LinkAnalysis.CapturedLink l : la.links()) {
            any = true;
            JsonLines.begin(g, "link");
            g.writeStringField("name", la.name(l));
            g.writeStringField("media", l.a().media().kind().name());
            g.writeStringField("state", l.state().name());
            g.writeNumberField("mtu", l.mtu());
            g.writeNumberField("downs", l.downs());
            if (l.upNanos() >= 0) g.writeNumberField("up_s", la.seconds(l.upNanos()));
            if (l.downNanos() >= 0) g.writeNumberField("down_s", la.seconds(l.downNanos()));
            g.writeArrayFieldStart("establishments");
            for (LinkAnalysis.Establishment e : l.establishments()) {
                g.writeStartObject();
                g.writeNumberField("up_s", la.seconds(e.upNanos()));
                g.writeNumberField("frame", e.upFrame());
                g.writeNumberField("session_a", e.sessionA());
                g.writeNumberField("session_b", e.sessionB());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("directions");
            for (LinkAnalysis.Direction d : List.of(l.a(), l.b())) {
                g.writeStartObject();
                JsonLines.node(g, "sender", d.node(), la.nodeId(d.node()));
                g.writeStringField("src", d.media() == null ? null : d.media().toString());
                g.writeStringField("interface", d.interfaceName());
                g.writeNumberField("packets", d.packets());
                g.writeNumberField("bytes", d.bytes());
                g.writeNumberField("sequenced", d.sequenced());
                g.writeNumberField("retransmissions", d.retransmissions());
                g.writeNumberField("highest_seqno", d.highestSeqno());
                g.writeNumberField("fragments", d.fragments());
                g.writeNumberField("bundles", d.bundles());
                g.writeNumberField("bundled_messages", d.bundledMessages());
                g.writeNumberField("name_distributor", d.nameDistributor());
                g.writeNumberField("tunnel", d.tunnelPackets());
                g.writeNumberField("tunnel_synch", d.synchPackets());
                g.writeNumberField("tunnel_failover", d.failoverPackets());
                g.writeNumberField("states", d.states());
                g.writeNumberField("probes", d.probes());
                g.writeNumberField("probe_replies", d.probeReplies());
                g.writeNumberField("nacks", d.nacks());
                g.writeNumberField("nacked_packets", d.nackedPackets());
                g.writeNumberField("gap_ack_blocks", d.gapAckBlocks());
                g.writeNumberField("bc_gap_ack_blocks", d.broadcastGapAckBlocks());
                g.writeNumberField("resets", d.resets());
                g.writeNumberField("activates", d.activates());
                g.writeNumberField("session", d.session());
                g.writeNumberField("advertised_mtu", d.advertisedMtu());
                g.writeNumberField("tolerance_ms", d.tolerance());
                g.writeNumberField("priority", d.priority());
                g.writeNumberField("bearer_id", d.bearerId());
                g.writeNumberField("max_packet", d.maxPacket());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("events");
            for (LinkAnalysis.Event e : l.events()) {
                g.writeStartObject();
                g.writeNumberField("t_s", la.seconds(e.nanos()));
                g.writeNumberField("frame", e.frame());
                g.writeStringField("what", e.what());
                g.writeNumberField("count", e.count());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        for (LinkAnalysis.BroadcastSender b : la.broadcastSenders()) {
            any = true;
            JsonLines.begin(g, "broadcast");
            JsonLines.node(g, "sender", b.node(), la.nodeId(b.node()));
            g.writeNumberField("packets", b.packets());
            g.writeNumberField("bytes", b.bytes());
            g.writeNumberField("sequenced", b.sequenced());
            g.writeNumberField("retransmissions", b.retransmissions());
            g.writeNumberField("replicast_copies", b.copies());
            g.writeEndObject();
        }
        JsonLines.close(g, w, any);
    }
}
