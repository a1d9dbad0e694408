package io.jtipc.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {
    static final String KEY = "0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef11223344";

    record Result(int code, String out, String err) {
        List<String> lines() { return out.isEmpty() ? List.of() : Arrays.asList(out.split("\n")); }
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String sample(String name) {
        Path p = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(p.resolve("samples"))) p = p.getParent();
        return p.resolve("samples").resolve(name).toString();
    }

    @Test
    void plainOutputHasOneLinePerMessage() {
        Result r = run("pcap", sample("eth-6.1.pcap"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("1218 frames").contains("1201 messages").contains("0 malformed");
        assertThat(r.lines()).hasSize(1201);
        assertThat(r.lines()).anyMatch(l -> l.matches(" +45 +6\\.565580 cli-node/d030d48 → srv-node/1d1d1248 LINK_PROTOCOL STATE_MSG seqno 1 ack 0 session 5025 next-sent 1"));
        assertThat(r.lines()).anyMatch(l -> l.contains("srv-node/1d1d1248 → * LINK_CONFIG DSC_REQ_MSG net 4711") && l.contains("id srv-node"));
        assertThat(r.lines()).anyMatch(l -> l.contains("NAME_DISTRIBUTOR PUBLICATION") && l.contains("bulk"));
        assertThat(r.lines()).anyMatch(l -> l.contains("[reassembled]") && l.contains("NAMED_MSG") && l.contains("name {1000,1}")
                && l.contains("len 66000"));
        assertThat(r.lines()).anyMatch(l -> l.contains("GRP_BCAST_MSG") && l.contains("group {77,"));
    }

    @Test
    void encryptedCaptureWithAndWithoutKey() {
        Result r = run("pcap", "--key", KEY, sample("udpcrypto-6.1.pcap"));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("619 encrypted (619 decrypted)").contains("0 malformed");
        assertThat(r.lines()).noneMatch(l -> l.contains("ENCRYPTED"));
        assertThat(r.lines()).anyMatch(l -> l.contains("cli-node/d030d48 → srv-node/1d1d1248 LINK_PROTOCOL STATE_MSG (decrypted)"));

        r = run("pcap", sample("udpcrypto-6.1.pcap"));
        assertThat(r.code()).isZero();
        assertThat(r.lines()).hasSize(619).allMatch(l -> l.contains("ENCRYPTED"));
        assertThat(r.lines().get(0)).contains("169.254.10.2:6118 → 228.0.18.103:6118 ENCRYPTED user 13 tx-key 0 master seqno 1 id cli-node");
    }

    @Test
    void verboseShowsEveryFieldAsATree() {
        Result r = run("pcap", "-V", "--key", KEY, sample("udpcrypto-6.1.pcap"));
        assertThat(r.code()).as(r.err()).isZero();
        String o = r.out();
        assertThat(o).contains("  encryption header (28 bytes):\n    version: 7\n    user: 13 (LINK_CONFIG)\n");
        assertThat(o).contains("    node_id: \"cli-node\"\n");
        assertThat(o).contains("    tx_key: 0\n");
        assertThat(o).contains("    user: 7 (LINK_PROTOCOL)\n");
        assertThat(o).contains("    session: ");
        assertThat(o).contains("    seqno: ");
        assertThat(o).contains("    node_capabilities: 4095 (");
    }

    @Test
    void jsonIsOneParsableObjectPerMessage() throws Exception {
        Result r = run("pcap", "--json", sample("eth-6.1.pcap"));
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.lines();
        assertThat(lines).hasSize(1201);
        JsonFactory f = new JsonFactory();
        int linkProto = 0;
        for (String line : lines) {
            Map<String, Object> top = new HashMap<>();
            try (JsonParser p = f.createParser(line)) {
                assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
                int depth = 1;
                String name = null;
                while (depth > 0) {
                    JsonToken t = p.nextToken();
                    assertThat(t).isNotNull();
                    if (t == JsonToken.FIELD_NAME) name = p.currentName();
                    else if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                        if (depth == 1) top.put(name, "{}");
                        depth++;
                    } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) depth--;
                    else if (depth == 1) top.put(name, t.isNumeric() ? p.getNumberValue() : p.getText());
                }
                assertThat(p.nextToken()).isNull();
            }
            assertThat(top).containsKeys("frame", "time", "src", "dst", "origin", "user", "size", "sender", "receiver");
            if (((Number) top.get("user")).intValue() == 7) {
                linkProto++;
                assertThat(top).containsKeys("seqno", "ack", "session", "type_sym");
            }
        }
        assertThat(linkProto).isGreaterThan(400);
        assertThat(lines.get(lines.size() - 1)).doesNotContain("malformed");
    }

    @Test
    void jsonOfUndecryptedFramesCarriesTheEncryptionHeader() {
        Result r = run("pcap", "--json", sample("udpcrypto-6.1.pcap"));
        assertThat(r.code()).isZero();
        assertThat(r.lines()).hasSize(619).allMatch(l -> l.contains("\"decrypted\":false") && l.contains("\"ehdr\":{\"version\":7"));
    }

    @Test
    void badArgumentsExitTwoWithAMessage() {
        Result r = run("pcap", "--no-such-option", sample("eth-6.1.pcap"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--no-such-option");

        r = run("pcap", "--key", "0x1234", sample("eth-6.1.pcap"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("bad --key").contains("16, 24 or 32 bytes");

        r = run("pcap", "--key", "zz23456789abcdef0123456789abcdef11223344", sample("eth-6.1.pcap"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("non-hex character at position 0").doesNotContain("z");

        r = run("pcap", "--udp-port", "70000", sample("eth-6.1.pcap"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("1..65535");

        r = run("pcap", "--udp-port", "abc", sample("eth-6.1.pcap"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("abc");

        r = run("pcap");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("missing capture FILE");

        r = run("pcap", "-V", "--json", sample("eth-6.1.pcap"));
        assertThat(r.code()).isEqualTo(2);

        r = run("frobnicate");
        assertThat(r.code()).isEqualTo(2);

        r = run();
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("missing command");
    }

    /** A usage error of any command is one line on stderr, the message and a hint naming the command used; exit 2. */
    @Test
    void usageErrorsAreOneLineNamingTheCommandUsed() {
        String[][] cases = {
            {"jtipc node", "node", "--identity", "x", "--bearer", "udp:bogus:port"},
            {"jtipc node", "node", "--identity", "x", "--bearer", "eth:"},
            {"jtipc node", "node", "--bearer", "udp:127.0.0.1:1"},
            {"jtipc node", "node", "--identity", "x", "--bearer", "udp:127.0.0.1:1", "--key", "0x12zz"},
            {"jtipc node", "node", "--identity", "x", "--bearer", "udp:127.0.0.1:1", "--cluster", "0"},
            {"jtipc node", "node", "--identity", "x", "--bearer", "udp:127.0.0.1:1", "frobnicate"},
            {"jtipc", "--frobnicate"},
            {"jtipc", "frobnicate"},
            {"jtipc pcap links", "pcap", "links", "--key", "0x12zz", sample("eth-6.1.pcap")},
            {"jtipc pcap links", "pcap", "links"},
            {"jtipc pcap names", "pcap", "names", "--at", "-1", sample("eth-6.1.pcap")},
            {"jtipc pcap stats", "pcap", "stats", "--udp-port", "70000", sample("eth-6.1.pcap")},
            {"jtipc pcap stats", "pcap", "stats", "--frobnicate", sample("eth-6.1.pcap")},
            {"jtipc pcap", "pcap", "--key", "0x1234", sample("eth-6.1.pcap")},
            {"jtipc pcap", "pcap", "--no-such-option", sample("eth-6.1.pcap")},
        };
        for (String[] c : cases) {
            String[] args = Arrays.copyOfRange(c, 1, c.length);
            Result r = run(args);
            String what = String.join(" ", args);
            assertThat(r.code()).as(what).isEqualTo(2);
            assertThat(r.out()).as(what).isEmpty();
            assertThat(r.err()).as(what).startsWith(c[0] + ": ").contains("'" + c[0] + " --help')").endsWith(")\n")
                .doesNotContain("Usage:");
            assertThat(r.err().split("\n")).as(what).hasSize(1);
        }
    }

    /**
     * A pcapng packet block naming an interface that was never described is one bad record; reading goes on. Every
     * verb reports it as plain {@code jtipc pcap FILE} does (the same line, exit code 1): links, names and stats
     * looked only at a read that stopped early and said nothing, exit 0.
     */
    @Test
    void aBadPacketBlockIsReportedAlikeByEveryVerb(@TempDir Path dir) throws Exception {
        byte[] frame = new byte[60]; // an Ethernet frame of no interest (EtherType 0)
        java.io.ByteArrayOutputStream f = new java.io.ByteArrayOutputStream();
        f.write(pcapngBlock(0x0A0D0D0A, java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN)
            .putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1).array())); // section header
        f.write(pcapngBlock(1, java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
            .putShort((short) 1).putShort((short) 0).putInt(0).array())); // interface 0: Ethernet
        f.write(pcapngBlock(6, packetBody(0, frame)));
        f.write(pcapngBlock(6, packetBody(7, frame))); // interface 7 was never described
        f.write(pcapngBlock(6, packetBody(0, frame)));
        Path bad = Files.write(dir.resolve("bad-iface.pcapng"), f.toByteArray());

        Result r = run("pcap", bad.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        String line = "jtipc pcap: 1 bad record in " + bad + "\n";
        assertThat(r.err()).contains(line);
        for (String verb : List.of("links", "names", "stats")) {
            Result v = run("pcap", verb, bad.toString());
            assertThat(v.code()).as(verb + ": " + v.err()).isEqualTo(1);
            assertThat(v.err()).as(verb).isEqualTo(line);
            v = run("pcap", verb, "--json", bad.toString());
            assertThat(v.code()).as(verb + " --json: " + v.err()).isEqualTo(1);
            assertThat(v.err()).as(verb + " --json").isEqualTo(line);
        }
    }

    /** A pcapng block: type, total length, body padded to 4 bytes, total length (little-endian). */
    static byte[] pcapngBlock(int type, byte[] body) {
        int padded = (body.length + 3) & ~3;
        return java.nio.ByteBuffer.allocate(12 + padded).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(type)
            .putInt(12 + padded).put(body).position(8 + padded).putInt(12 + padded).array();
    }

    /** An enhanced packet block's body: interface id, timestamp 1 s, the frame captured whole. */
    static byte[] packetBody(int iface, byte[] frame) {
        return java.nio.ByteBuffer.allocate(20 + frame.length).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(iface)
            .putInt(0).putInt(1_000_000).putInt(frame.length).putInt(frame.length).put(frame).array();
    }

    @Test
    void unreadableOrCorruptCaptureExitsNonZero(@TempDir Path dir) throws Exception {
        Result r = run("pcap", dir.resolve("nope.pcap").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("cannot read").contains("no such file");
        for (String verb : List.of("links", "names", "stats")) { // as plain pcap: one line, exit 1
            r = run("pcap", verb, dir.resolve("nope.pcap").toString());
            assertThat(r.code()).as(verb).isEqualTo(1);
            assertThat(r.err()).as(verb).isEqualTo("jtipc pcap " + verb + ": cannot read " + dir.resolve("nope.pcap")
                + ": no such file\n");
            r = run("pcap", verb, dir.toString());
            assertThat(r.code()).as(verb).isEqualTo(1);
            assertThat(r.err()).as(verb).isEqualTo("jtipc pcap " + verb + ": " + dir + " is a directory, not a capture file\n");
        }

        Path junk = dir.resolve("junk.pcap");
        Files.write(junk, "this is not a capture file at all".getBytes(StandardCharsets.US_ASCII));
        r = run("pcap", junk.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("is corrupt").contains("not a pcap or pcapng file");

        byte[] good = Files.readAllBytes(Path.of(sample("eth-6.1.pcap")));
        Path cut = dir.resolve("cut.pcap");
        Files.write(cut, Arrays.copyOf(good, good.length - 5));
        r = run("pcap", cut.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("record 1218 truncated").contains("1 bad record").contains("1217 frames read");
        assertThat(r.lines()).hasSizeGreaterThan(1000);

        r = run("pcap", dir.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("is a directory");
    }

    @Test
    void helpAndVersion() {
        Result r = run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("pcap");
        r = run("pcap", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--key").contains("--udp-port").contains("--json").contains("-V");
        r = run("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("jtipc ");
    }

    /** Issue 18: {@code --version} prints the version the build has (the parent version in this module's pom.xml). */
    @Test
    void versionIsTheBuildsVersion() throws Exception {
        String pom = Files.readString(Path.of(System.getProperty("basedir", ".")).resolve("pom.xml"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<parent>.*?<version>([^<]+)</version>.*?</parent>",
            java.util.regex.Pattern.DOTALL).matcher(pom);
        assertThat(m.find()).as("parent version in cli/pom.xml").isTrue();
        Result r = run("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo("jtipc " + m.group(1) + "\n");
        assertThat(Main.Version.version()).contains(m.group(1));
    }
}
