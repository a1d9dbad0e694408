package io.jtipc.cli.pcap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jtipc.capture.pcap.PcapReader;
import io.jtipc.capture.pcap.PcapRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** The tshark-style options of {@code jtipc pcap}: -r/-, -c, -Y, -T fields, -w, --key-file/JTIPC_KEY, closed pipes. */
class PcapOptionsTest {
    static final String ETH = PcapFastPathTest.sample("eth-6.1.pcap");
    static final String UDP = PcapFastPathTest.sample("udpcrypto-6.1.pcap");
    static final String KEY = PcapFastPathTest.KEY;
    static final ObjectMapper JSON = new ObjectMapper();

    record Result(int code, String out, String err, byte[] raw) { }

    static Result run(InputStream in, UnaryOperator<String> env, OutputStream rawOut, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        PcapCommand p = new PcapCommand();
        PrintStream ps = rawOut != null ? new PrintStream(rawOut, true) : new PrintStream(out, true, StandardCharsets.UTF_8);
        p.out = ps;
        p.err = new PrintStream(err, true, StandardCharsets.UTF_8);
        if (in != null) p.in = in;
        if (env != null) p.getenv = env;
        CommandLine cl = new CommandLine(p);
        cl.setOut(new PrintWriter(ps, true));
        cl.setErr(new PrintWriter(p.err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), out.toByteArray());
    }

    static Result run(String... args) {
        return run(null, k -> null, null, args);
    }

    /** Records of the --json output by frame, in order. */
    static Map<Long, List<JsonNode>> jsonByFrame(String out) throws IOException {
        Map<Long, List<JsonNode>> m = new LinkedHashMap<>();
        for (String l : out.split("\n")) {
            if (l.isBlank()) continue;
            JsonNode n = JSON.readTree(l);
            m.computeIfAbsent(n.get("frame").asLong(), k -> new ArrayList<>()).add(n);
        }
        return m;
    }

    @Test
    void acceptanceLineFromStandardInput() throws Exception {
        byte[] capture = Files.readAllBytes(Path.of(ETH));
        Result r = run(new ByteArrayInputStream(capture), k -> null, null,
                "-r", "-", "-Y", "user == LINK_PROTOCOL", "-c", "10", "-T", "fields", "-e", "frame", "-e", "type");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        // expected independently from the --json output: the first 10 frames holding a LINK_PROTOCOL message
        List<String> expected = new ArrayList<>();
        for (Map.Entry<Long, List<JsonNode>> e : jsonByFrame(run("--json", ETH).out()).entrySet()) {
            List<JsonNode> lp = e.getValue().stream().filter(n -> n.get("user").asInt() == 7).toList();
            if (lp.isEmpty()) continue;
            List<String> types = new ArrayList<>();
            for (JsonNode n : e.getValue()) if (n.has("type")) types.add(n.get("type").asText());
            expected.add(e.getKey() + "\t" + String.join(",", types));
            if (expected.size() == 10) break;
        }
        assertThat(lines).hasSize(10).isEqualTo(expected);
        assertThat(lines).allSatisfy(l -> assertThat(l.split("\t", -1)).hasSize(2));
        // the positional '-' reads standard input too, and gives what the file gives
        Result file = run("-Y", "user == LINK_PROTOCOL", "-c", "10", "-T", "fields", "-e", "frame", "-e", "type", ETH);
        Result dash = run(new ByteArrayInputStream(capture), k -> null, null,
                "-Y", "user == LINK_PROTOCOL", "-c", "10", "-T", "fields", "-e", "frame", "-e", "type", "-");
        assertThat(dash.out()).isEqualTo(file.out()).isEqualTo(r.out());
    }

    @Test
    void filterMatchesWholeFramesAndCountStopsEarly() throws Exception {
        Map<Long, List<JsonNode>> all = jsonByFrame(run("--json", ETH).out());
        // a frame with several messages (a last fragment and the message it completes): shown whole when one of
        // them matches
        long bundleFrame = all.entrySet().stream().filter(e -> e.getValue().size() > 1).findFirst().orElseThrow().getKey();
        List<JsonNode> msgs = all.get(bundleFrame);
        int innerUser = msgs.get(msgs.size() - 1).get("user").asInt();
        Result r = run("--json", "-Y", "frame == " + bundleFrame + " && user == " + innerUser + " && origin == REASSEMBLED", ETH);
        assertThat(jsonByFrame(r.out()).get(bundleFrame)).hasSize(msgs.size());
        assertThat(jsonByFrame(r.out())).hasSize(1);
        Result f = run("-T", "fields", "-e", "frame", "-e", "user", "-Y", "frame == " + bundleFrame, ETH);
        List<String> users = new ArrayList<>();
        for (JsonNode n : msgs) users.add(n.get("user").asText());
        assertThat(f.out()).isEqualTo(bundleFrame + "\t" + String.join(",", users) + "\n");
        // -c without -Y: the first N frames that show something; -Y with no match: nothing, exit 0
        Result c = run("--json", "-c", "3", ETH);
        assertThat(jsonByFrame(c.out()).keySet()).containsExactlyElementsOf(all.keySet().stream().limit(3).toList());
        Result none = run("-Y", "user == 15 && user == 0", ETH);
        assertThat(none.code()).isZero();
        assertThat(none.out()).isEmpty();
        // text output keeps the times relative to the capture's first frame
        Result text = run("-Y", "frame == " + bundleFrame, ETH);
        String full = run(ETH).out();
        assertThat(full).contains(text.out());
    }

    @Test
    void aFileErrorAfterTheLastRecordIsARecordOfItsOwn(@TempDir Path dir) throws Exception {
        byte[] whole = Files.readAllBytes(Path.of(ETH));
        Path cut = Files.write(dir.resolve("cut.pcap"), Arrays.copyOf(whole, whole.length / 2 + 7));
        Result r = run("-Y", "malformed", "-T", "fields", "-e", "frame", "-e", "malformed.field", cut.toString());
        assertThat(r.code()).isEqualTo(1); // corrupt capture, as without -Y
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).matches("[0-9]+\tpcap");
        assertThat(run("-Y", "!malformed", "-T", "fields", "-e", "frame", cut.toString()).out())
                .doesNotContain(lines.get(0).split("\t")[0] + "\n");
    }

    @Test
    void badFiltersAndFieldsAreUsageErrorsWithThePosition() {
        Result r = run("-Y", "user == LINK_PROTOCOL && tpye == STATE", ETH);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown field 'tpye'").contains("position 26")
                .contains("  user == LINK_PROTOCOL && tpye == STATE\n" + " ".repeat(27) + "^")
                .doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("Usage:");
        assertThat(r.out()).isEmpty();
        for (String[] bad : new String[][] {
            {"-Y", "user ==", ETH}, {"-Y", "((user", ETH}, {"-Y", "user = 7", ETH}, {"-T", "fields", ETH},
            {"-e", "frame", ETH}, {"-T", "fields", "-e", "nosuch", ETH}, {"-T", "xml", ETH}, {"-c", "0", ETH},
            {"-r", ETH, ETH}, {"-P", ETH}, {"-w", "-", "-T", "fields", "-e", "frame", ETH}, {"-E", "sep=x", ETH},
        }) {
            Result b = run(bad);
            assertThat(b.code()).as(String.join(" ", bad)).isEqualTo(2);
            assertThat(b.err()).as(String.join(" ", bad)).doesNotContain("Exception");
        }
    }

    @Test
    void writtenFramesAreTheMatchingOnesWithTheirBytesAndTimes(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("lp.pcapng");
        String filter = "user == LINK_PROTOCOL && type == STATE";
        Result w = run("-Y", filter, "-w", out.toString(), ETH);
        assertThat(w.code()).as(w.err()).isZero();
        assertThat(w.out()).isEmpty(); // -w prints nothing without -P
        List<String> frames = run("-Y", filter, "-T", "fields", "-e", "frame", ETH).out().lines().toList();
        assertThat(frames).hasSizeGreaterThan(10);
        // the original records of those frames
        List<PcapRecord> orig = records(Path.of(ETH));
        List<PcapRecord> written = records(out);
        assertThat(written).hasSize(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            PcapRecord o = orig.get(Integer.parseInt(frames.get(i)) - 1), n = written.get(i);
            assertThat(n.timestampNanos).isEqualTo(o.timestampNanos);
            assertThat(n.linkType).isEqualTo(o.linkType);
            assertThat(n.originalLength).isEqualTo(o.originalLength);
            assertThat(Arrays.copyOfRange(n.data, n.offset, n.offset + n.capturedLength))
                    .isEqualTo(Arrays.copyOfRange(o.data, o.offset, o.offset + o.capturedLength));
        }
        // re-read by jtipc pcap: the same messages (frame numbers aside, and node ids: the discovery frames that
        // taught them are not in the file)
        String[] fields = {"-T", "fields", "-e", "time", "-e", "src", "-e", "user", "-e", "type", "-e", "seqno",
            "-e", "ack", "-e", "session", "-e", "size"};
        Result again = run(concat(fields, out.toString()));
        Result direct = run(concat(fields, "-Y", filter, ETH));
        assertThat(again.out().lines().count()).isEqualTo(frames.size());
        assertThat(again.out()).isEqualTo(direct.out());
        // re-read by tshark: the same frames (times, lengths), and tshark's TIPC dissector reads the same user,
        // message type, sequence number and acknowledgement in each as jtipc pcap reading the written file
        Path tshark = Path.of("/usr/bin/tshark");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(tshark), "tshark not installed");
        Process p = new ProcessBuilder(tshark.toString(), "-r", out.toString(), "-T", "fields", "-e", "frame.number",
                "-e", "frame.time_epoch", "-e", "tipc.usr", "-e", "tipcv2.link_msg_type", "-e", "tipcv2.link_level_seq_no",
                "-e", "tipcv2.link_level_ack_no", "-e", "frame.len").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String ts = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> tl = ts.lines().filter(l -> !l.isBlank()).toList();
        assertThat(tl).hasSize(frames.size());
        List<String> mine = run("-T", "fields", "-e", "frame", "-e", "time", "-e", "user", "-e", "type", "-e", "seqno",
                "-e", "ack", out.toString()).out().lines().toList();
        assertThat(mine).hasSize(frames.size());
        for (int i = 0; i < tl.size(); i++) {
            PcapRecord o = orig.get(Integer.parseInt(frames.get(i)) - 1);
            String[] f = tl.get(i).split("\t");
            assertThat(new java.math.BigDecimal(f[1])).isEqualByComparingTo(
                    new java.math.BigDecimal(o.timestampNanos).movePointLeft(9));
            assertThat(Integer.parseInt(f[6])).isEqualTo(o.originalLength);
            assertThat(String.join("\t", Arrays.copyOf(f, 6))).as("tshark's frame %d", i + 1).isEqualTo(mine.get(i));
        }
    }

    static String[] concat(String[] a, String... b) {
        String[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    static List<PcapRecord> records(Path f) throws IOException {
        List<PcapRecord> l = new ArrayList<>();
        try (PcapReader r = PcapReader.open(f)) {
            while (true) {
                PcapRecord rec = new PcapRecord();
                if (!r.next(rec)) break;
                l.add(rec);
            }
        }
        return l;
    }

    @Test
    void keysFromAFileOrTheEnvironment(@TempDir Path dir) throws Exception {
        Result withKey = run("--key", KEY, UDP);
        Result without = run(UDP);
        assertThat(withKey.out()).isNotEqualTo(without.out());
        Path kf = dir.resolve("key");
        Files.writeString(kf, "# the lab's key\n\n" + KEY + "\n");
        Files.setPosixFilePermissions(kf, PosixFilePermissions.fromString("rw-------"));
        Result file = run("--key-file", kf.toString(), UDP);
        assertThat(file.code()).as(file.err()).isZero();
        assertThat(file.out()).isEqualTo(withKey.out());
        Result env = run(null, k -> KeyFile.ENV.equals(k) ? KEY : null, null, UDP);
        assertThat(env.out()).isEqualTo(withKey.out());
        // wrong permissions, wrong content, bad variable: usage errors that never print the key
        Files.setPosixFilePermissions(kf, PosixFilePermissions.fromString("rw-r--r--"));
        Result open = run("--key-file", kf.toString(), UDP);
        assertThat(open.code()).isEqualTo(2);
        assertThat(open.err()).contains("accessible by other users").contains("chmod 600").doesNotContain(KEY.substring(2, 20));
        Files.writeString(kf, "0x0123zz\n");
        Files.setPosixFilePermissions(kf, PosixFilePermissions.fromString("rw-------"));
        Result bad = run("--key-file", kf.toString(), UDP);
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("line 1").doesNotContain("0123zz");
        Files.writeString(kf, "# nothing\n");
        assertThat(run("--key-file", kf.toString(), UDP).err()).contains("holds no key");
        assertThat(run("--key-file", dir.resolve("none").toString(), UDP).err()).contains("no such file");
        // owned by another user (root may give it away), a FIFO (would block on open): refused, shared with --config
        Files.writeString(kf, KEY + "\n");
        Files.setAttribute(kf, "unix:uid", ((Integer) Files.getAttribute(kf, "unix:uid")) + 4242);
        Result foreign = run("--key-file", kf.toString(), UDP);
        assertThat(foreign.code()).isEqualTo(2);
        assertThat(foreign.err()).contains("not owned by the current user").doesNotContain(KEY.substring(2, 20));
        Path fifo = dir.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        Result pipe = run("--key-file", fifo.toString(), UDP);
        assertThat(pipe.code()).isEqualTo(2);
        assertThat(pipe.err()).contains("not a regular file");
        Result badEnv = run(null, k -> KeyFile.ENV.equals(k) ? "0xabc" : null, null, UDP);
        assertThat(badEnv.code()).isEqualTo(2);
        assertThat(badEnv.err()).contains(KeyFile.ENV);
    }

    /** An output whose reader went away after {@code limit} bytes: PrintStream's checkError() turns true. */
    static final class ClosingOutput extends OutputStream {
        final int limit;
        long written, attempts;

        ClosingOutput(int limit) { this.limit = limit; }

        @Override public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

        @Override public void write(byte[] b, int off, int len) throws IOException {
            attempts++;
            if (written + len > limit) throw new IOException("Broken pipe");
            written += len;
        }
    }

    @Test
    void aClosedOutputEndsTheCommandQuietly() {
        for (String[] args : new String[][] {{ETH}, {"--json", ETH}, {"-V", ETH}, {"-T", "fields", "-e", "frame", ETH},
            {"-Y", "user", ETH}}) {
            ClosingOutput o = new ClosingOutput(100);
            Result r = run(null, k -> null, o, args);
            assertThat(r.code()).as(String.join(" ", args)).isZero();
            assertThat(r.err()).as(String.join(" ", args)).isEmpty();
            assertThat(o.attempts).as(String.join(" ", args)).isLessThanOrEqualTo(2); // stopped at the first failure
        }
    }

    @Test
    void aRealPipeClosedByHeadGivesExitZeroAndNoMessage() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        String cmd = "'" + java + "' -cp '" + cp + "' io.jtipc.cli.Main pcap --json '" + ETH + "' | head -1 >/dev/null;"
                + " echo \"rc=${PIPESTATUS[0]}\"";
        Process p = new ProcessBuilder("bash", "-c", cmd).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(out.strip()).isEqualTo("rc=0");
        assertThat(err).doesNotContain("Broken pipe").doesNotContain("jtipc");
    }

    /** -w never destroys what it should not: the input itself, or an existing output when the input is missing. */
    @Test
    void writeKeepsTheInputAndAnOldOutputOnFailure(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.pcap");
        Files.copy(Path.of(ETH), a);
        byte[] orig = Files.readAllBytes(a);
        Result same = run("-r", a.toString(), "-w", a.toString());
        assertThat(same.code()).as(same.err()).isEqualTo(2);
        assertThat(same.err()).contains("is the capture being read");
        assertThat(Files.readAllBytes(a)).isEqualTo(orig);
        // the same file by another path
        Result same2 = run("-r", a.toString(), "-w", dir.resolve(".").resolve("a.pcap").toString());
        assertThat(same2.code()).isEqualTo(2);
        assertThat(Files.readAllBytes(a)).isEqualTo(orig);

        // a directory that does not exist: said so, naming the file given, not a temporary one
        Path nowhere = dir.resolve("no-such-dir").resolve("x.pcapng");
        Result nodir = run("-w", nowhere.toString(), ETH);
        assertThat(nodir.code()).isEqualTo(1);
        assertThat(nodir.err().strip()).isEqualTo("jtipc pcap: cannot write " + nowhere + ": no such directory "
            + nowhere.getParent());

        Path keep = dir.resolve("keep.pcapng");
        Files.write(keep, orig);
        Result missing = run("-r", dir.resolve("missing.pcap").toString(), "-w", keep.toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(Files.readAllBytes(keep)).isEqualTo(orig);
        try (var s = Files.list(dir)) { // no temporary file left behind
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("a.pcap", "keep.pcapng");
        }
        // success replaces the old output
        Result ok = run("-Y", "user == LINK_PROTOCOL", "-w", keep.toString(), ETH);
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(records(keep)).isNotEmpty();
        assertThat(Files.readAllBytes(keep)).isNotEqualTo(orig);
        try (var s = Files.list(dir)) {
            assertThat(s.count()).isEqualTo(2);
        }
    }
}
