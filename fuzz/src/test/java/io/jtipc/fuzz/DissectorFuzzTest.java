package io.jtipc.fuzz;

import static io.jtipc.fuzz.Checks.check;
import static io.jtipc.fuzz.Checks.precise;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import io.jtipc.capture.CaptureSummary;
import io.jtipc.capture.CapturedFrame;
import io.jtipc.capture.CapturedMessage;
import io.jtipc.capture.DissectorOptions;
import io.jtipc.capture.TipcCaptureDissector;
import io.jtipc.capture.TipcMessageListener;
import io.jtipc.cli.Main;
import picocli.CommandLine;
import io.jtipc.wire.Malformation;
import io.jtipc.wire.TipcCodec;
import io.jtipc.wire.TipcMsg;

/**
 * Fuzz target for the capture dissector ({@link TipcCaptureDissector}) and what prints its results ({@code jtipc pcap}
 * with {@code --json}, {@code -V}, plain lines, and the {@code links}, {@code names}, {@code stats} analyses): the input
 * is a sequence of frames ({@link Frames}) written as a classic pcap file. Control byte bits 0-1: 0 and 3 = the frame
 * as a whole link-layer frame, 1 = a TIPC payload put in an Ethernet frame (ethertype 0x88CA; bit 2 picks the
 * direction between the sample's two MACs), 2 = a payload put in IPv4/UDP to port 6118 (bit 2: direction, bit 3: an IP
 * fragment, more to come); bits 4-7: milliseconds since the previous frame. The input's first byte also picks the
 * file's link type (Ethernet, Linux SLL, SLL2, raw IP, raw IPv4, raw IPv6).
 *
 * <p>Checked: the dissector reads to the end without an exception; every message it reports is exactly one message
 * that passes validateFrame, and its copy equals it; every malformation names a field; the summary counts agree with
 * the callbacks; {@code jtipc pcap --json} exits 0 or 1 without an internal error and prints one valid JSON object per
 * line; the other printers and analyses exit 0 or 1 without an internal error.
 *
 * <p>Seeds: consecutive frames of both samples (the encrypted one is dissected with its key, so decryption, key
 * learning and the IP reassembly of the 66000-byte messages run).
 */
class DissectorFuzzTest {
    static final int[] LINK_TYPES = {1, 113, 276, 101, 228, 229};
    static final byte[] MAC_A = {0x52, 0x54, 0, 0, 0, 0x0a};
    static final byte[] MAC_B = {0x52, 0x54, 0, 0, 0, 0x0b};
    private static final Runs RUNS = new Runs("dissector");
    private static final JsonFactory JSON = new JsonFactory();
    private static final TipcCaptureDissector DISSECTOR = new TipcCaptureDissector(DissectorOptions.builder()
        .addKey(DissectorOptions.parseKey(Captures.UDP_CRYPTO_KEY)).build());
    private static Path file;

    @MethodSource("seeds")
    @FuzzTest
    void dissect(byte[] data) throws IOException {
        RUNS.count();
        byte[] pcap = pcapOf(data);
        dissectChecked(pcap);
        if (file == null) {
            file = Files.createTempFile("jtipc-fuzz-", ".pcap");
            file.toFile().deleteOnExit();
        }
        Files.write(file, pcap);
        json(run("pcap", "--json", "--key", Captures.UDP_CRYPTO_KEY, file.toString()));
        String[][] others = {
            {"pcap", "-V", "--key", Captures.UDP_CRYPTO_KEY, file.toString()},
            {"pcap", file.toString()},
            {"pcap", "links", "--json", "--key", Captures.UDP_CRYPTO_KEY, file.toString()},
            {"pcap", "names", "--history", file.toString()},
            {"pcap", "stats", "--json", file.toString()}};
        run(others[Math.floorMod(data.length, others.length)]);
    }

    /** The dissector through its API, checking every callback. */
    static void dissectChecked(byte[] pcap) throws IOException {
        long[] messages = new long[1];
        long[] malformed = new long[1];
        long[] warnings = new long[1];
        TipcMessageListener l = new TipcMessageListener() {
            @Override
            public void onMessage(CapturedMessage m) {
                messages[0]++;
                check(m.offset() >= 0 && m.length() >= 24 && m.offset() <= m.buf().length - m.length(),
                    "message outside its buffer: " + m);
                Malformation v = TipcCodec.validateFrame(m.buf(), m.offset(), m.length());
                check(v.isOk(), "reported message does not validate (" + v + "): " + m);
                check(new TipcMsg().wrap(m.buf(), m.offset(), m.length()).size() == m.length(), "length != msg_size");
                CapturedMessage c = m.copy();
                check(c.length() == m.length() && java.util.Arrays.equals(c.buf(), 0, c.length(), m.buf(), m.offset(),
                    m.offset() + m.length()), "copy differs");
                check(m.toString() != null && m.srcNode() == m.srcNode(), "toString");
                m.dstNode();
            }

            @Override
            public void onEncrypted(CapturedMessage m) {
                check(m.offset() >= 0 && m.offset() <= m.buf().length - m.length(), "encrypted frame outside its buffer");
            }

            @Override
            public void onMalformed(CapturedFrame f, String field, String reason) {
                malformed[0]++;
                precise("onMalformed", Malformation.of(field, reason));
            }

            @Override
            public void onWarning(CapturedFrame f, String field, String reason) {
                warnings[0]++;
                precise("onWarning", Malformation.warning(field, reason));
            }
        };
        CaptureSummary s = DISSECTOR.dissect(new ByteArrayInputStream(pcap), l);
        check(s.messages() == messages[0], "summary says " + s.messages() + " messages, listener got " + messages[0]);
        check(s.malformed() == malformed[0], "summary says " + s.malformed() + " malformed, listener got " + malformed[0]);
        check(s.warnings() == warnings[0], "summary says " + s.warnings() + " warnings, listener got " + warnings[0]);
        check(s.decryptedFrames() <= s.encryptedFrames() && s.tipcFrames() <= s.frames(), "summary counts: " + s);
        DISSECTOR.nodes().addresses().forEach(a -> DISSECTOR.nodes().label(a));
    }

    private static final ByteArrayOutputStream OUT = new ByteArrayOutputStream();
    private static final ByteArrayOutputStream ERR = new ByteArrayOutputStream();
    private static final Throwable[] FAILURE = new Throwable[1];
    /**
     * The whole {@code jtipc} command tree, built once, writing into {@link #OUT} and {@link #ERR}; an exception from
     * a command is kept in {@link #FAILURE} instead of becoming the "jtipc: message" line and exit code 1 of {@link Main}.
     */
    private static final CommandLine JTIPC = jtipc();

    private static CommandLine jtipc() {
        CommandLine cl = Main.commandLine(new PrintStream(OUT, true, StandardCharsets.UTF_8),
            new PrintStream(ERR, true, StandardCharsets.UTF_8));
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            FAILURE[0] = ex;
            return 99;
        });
        return cl;
    }

    /** {@code jtipc ARGS} in-process: exit 0 or 1, no exception. Returns standard output. */
    static String run(String... args) {
        OUT.reset();
        ERR.reset();
        FAILURE[0] = null;
        int rc = JTIPC.execute(args);
        String errText = ERR.toString(StandardCharsets.UTF_8);
        if (FAILURE[0] != null) throw new AssertionError("jtipc " + String.join(" ", args) + " threw", FAILURE[0]);
        check(rc == 0 || rc == 1, "jtipc " + String.join(" ", args) + " exited " + rc + ": " + errText);
        return OUT.toString(StandardCharsets.UTF_8);
    }

    /** Every line one JSON object. */
    static void json(String out) {
        for (String line : out.split("\n")) {
            if (line.isEmpty()) continue;
            try (JsonParser p = JSON.createParser(line)) {
                check(p.nextToken() == JsonToken.START_OBJECT, "JSON line is not an object: " + line);
                p.skipChildren();
                check(p.nextToken() == null, "more than one JSON value on a line: " + line);
            } catch (IOException e) {
                throw new AssertionError("invalid JSON (" + e.getMessage() + "): " + line, e);
            }
        }
    }

    /** The input's frames as a classic pcap file (class comment). */
    static byte[] pcapOf(byte[] data) {
        int linkType = data.length == 0 ? 1 : LINK_TYPES[Math.floorMod(data[0] >> 4, LINK_TYPES.length)];
        List<Captures.Record> records = new ArrayList<>();
        long t = 0;
        int id = 1;
        for (Frames.Frame f : Frames.split(data)) {
            int c = f.control();
            t += c >>> 4;
            boolean aToB = (c & 4) == 0;
            byte[] frame = switch (c & 3) {
                case 1 -> ethernet(aToB, 0x88ca, f.bytes());
                case 2 -> ethernet(aToB, 0x0800, udp(aToB, id++, (c & 8) != 0, f.bytes()));
                default -> f.bytes();
            };
            records.add(new Captures.Record(records.size(), t, frame));
        }
        return PcapFiles.pcap(ByteOrder.LITTLE_ENDIAN, false, linkType, records);
    }

    static byte[] ethernet(boolean aToB, int ethertype, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + payload.length);
        b.put(aToB ? MAC_B : MAC_A).put(aToB ? MAC_A : MAC_B).putShort((short) ethertype).put(payload);
        return b.array();
    }

    /** IPv4 (169.254.10.1/.2 as in the sample) + UDP 6118 → 6118; {@code moreFragments} sets MF. */
    static byte[] udp(boolean aToB, int id, boolean moreFragments, byte[] payload) {
        int total = 20 + 8 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.put((byte) 0x45).put((byte) 0).putShort((short) total).putShort((short) id)
            .putShort((short) (moreFragments ? 0x2000 : 0)).put((byte) 64).put((byte) 17).putShort((short) 0)
            .put(new byte[] {(byte) 169, (byte) 254, 10, (byte) (aToB ? 1 : 2)})
            .put(new byte[] {(byte) 169, (byte) 254, 10, (byte) (aToB ? 2 : 1)});
        b.putShort((short) 6118).putShort((short) 6118).putShort((short) (8 + payload.length)).putShort((short) 0)
            .put(payload);
        return b.array();
    }

    @AfterAll
    static void report() throws IOException {
        if (file != null) Files.deleteIfExists(file);
        RUNS.report(seedList().size());
    }

    static Stream<Arguments> seeds() {
        List<String> names = List.of("eth sample frames 0-59 (discovery, link set-up, bindings)",
            "eth sample frames 160-256 (RDM echo)", "udp sample frames 0-79 (encrypted)",
            "udp sample frames 215-232 (encrypted; a 14000-byte datagram in 10 IP fragments)",
            "eth sample TIPC payloads re-framed (control 1)");
        List<byte[]> s = seedList();
        return IntStream.range(0, s.size()).mapToObj(i -> Arguments.of(Named.of(names.get(i), s.get(i))));
    }

    /**
     * Seeds of at most a few ten kilobytes (libFuzzer mutates up to the largest seed's length, and a large input
     * costs every execution): the 66000-byte messages' fragment series are the fragments target's job.
     */
    static List<byte[]> seedList() {
        List<Captures.Record> eth = Captures.records(Captures.ETH);
        List<Captures.Record> udp = Captures.records(Captures.UDP_CRYPTO);
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(frames(eth.subList(0, 60), false));
        seeds.add(frames(eth.subList(160, 257), false));
        seeds.add(frames(udp.subList(0, 80), false));
        seeds.add(frames(udp.subList(215, 233), false));
        seeds.add(frames(eth.subList(0, 80), true));
        return seeds;
    }

    /** Records as input frames: whole link-layer frames (control 0), or their TIPC payloads re-framed (control 1). */
    static byte[] frames(List<Captures.Record> records, boolean payloadOnly) {
        Frames.Builder b = new Frames.Builder();
        long t = records.get(0).timeMs();
        for (Captures.Record r : records) {
            int gap = (int) Math.min(15, r.timeMs() - t);
            t = r.timeMs();
            byte[] f = r.frame();
            if (payloadOnly) {
                byte[] tipc = Captures.tipcOfEthernet(f);
                if (tipc == null) continue;
                boolean aToB = java.util.Arrays.equals(java.util.Arrays.copyOfRange(f, 6, 12), MAC_A);
                b.add(gap << 4 | (aToB ? 0 : 4) | 1, tipc);
            } else {
                b.add(gap << 4, f);
            }
        }
        return b.build();
    }
}
