package io.jtipc.cli.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The analysis verbs run end to end on the real kernel captures in samples/. */
class AnalysisCommandsTest {
    static final String UDP_KEY = "0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef11223344";

    record Result(int code, String out, String err) {}

    static Result run(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    static Path samples() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.isRegularFile(p.resolve("samples/eth-6.1.pcap"))) return p.resolve("samples");
            p = p.getParent();
        }
        throw new IllegalStateException("samples/ not found");
    }

    static String sample(String name) {
        return samples().resolve(name).toString();
    }

    static String[] withKey(String name, String... more) {
        List<String> a = new ArrayList<>(List.of(more));
        a.add(sample(name + ".pcap"));
        if (name.startsWith("udpcrypto")) {
            a.add("--key");
            a.add(UDP_KEY);
        }
        return a.toArray(new String[0]);
    }

    /** Cluster-scope rows of a guest's 'tipc nametable show' as "type lower upper port". */
    static List<String> clusterRows(String log) throws IOException {
        List<String> rows = new ArrayList<>();
        boolean in = false;
        Pattern row = Pattern.compile("^(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\w+)\\s+(\\d+)\\s+(\\S+)\\s*$");
        for (String line : Files.readAllLines(samples().resolve(log), StandardCharsets.UTF_8)) {
            if (line.startsWith("Type ")) {
                in = true;
                continue;
            }
            Matcher m = row.matcher(line);
            if (!in || !m.matches()) {
                if (in) break;
                continue;
            }
            if (m.group(4).equals("cluster")) rows.add(m.group(1) + " " + m.group(2) + " " + m.group(3) + " " + m.group(5));
        }
        assertThat(rows).as(log).isNotEmpty();
        return rows;
    }

    @ParameterizedTest
    @ValueSource(strings = {"eth-6.1", "udpcrypto-6.1"})
    void namesHistoryContainsEveryClusterBindingTheKernelsPrinted(String name) throws IOException {
        Result r = run(new NamesCommand(), withKey(name, "--history"));
        assertThat(r.code()).as(r.err()).isZero();
        // history rows: time frame node PUBLISH type lower upper scope port key ...
        List<String> published = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\S+\\s+\\d+\\s+\\S+\\s+PUBLISH\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+cluster\\s+(\\d+)\\s")
                .matcher(r.out());
        while (m.find()) published.add(m.group(1) + " " + m.group(2) + " " + m.group(3) + " " + m.group(4));
        assertThat(published).containsAll(clusterRows(name + ".a.log")).containsAll(clusterRows(name + ".b.log"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"eth-6.1", "udpcrypto-6.1"})
    void namesShowsTheTableAtTheEndOfTheCapture(String name) throws IOException {
        Result r = run(new NamesCommand(), withKey(name));
        assertThat(r.code()).as(r.err()).isZero();
        // srv-node's table at the end = what srv-node's kernel printed (cli-node was gone by then)
        String srv = r.out().substring(r.out().indexOf("Binding table of srv-node"));
        srv = srv.substring(0, srv.indexOf("\n\n"));
        List<String> rows = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+cluster\\s+(\\d+)\\s+srv-node$").matcher(srv);
        while (m.find()) rows.add(m.group(1) + " " + m.group(2) + " " + m.group(3) + " " + m.group(4));
        assertThat(rows).containsExactlyElementsOf(clusterRows(name + ".a.log"));
        assertThat(r.out()).doesNotContain("PUBLISH");
    }

    @Test
    void namesAtAnEarlierTimeShowsBindingsLaterWithdrawn() {
        Result r = run(new NamesCommand(), sample("eth-6.1.pcap"), "--at", "20");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("at 20.000000 s").containsPattern("(?m)^4000\\s+10\\s+20\\s+cluster");
        Result end = run(new NamesCommand(), sample("eth-6.1.pcap"));
        assertThat(end.out()).doesNotContainPattern("(?m)^4000\\s+10\\s+20\\s+cluster");
    }

    /**
     * A time past the capture's end shows the final table: 1e10 s or Infinity overflowed the capture's first time plus
     * the seconds into a negative time, before the capture, and printed the empty table.
     */
    @ParameterizedTest
    @ValueSource(strings = {"1e10", "Infinity", "1e300", "9223372036.854775807"})
    void namesAtATimePastTheEndShowsTheFinalTable(String at) {
        Result end = run(new NamesCommand(), sample("eth-6.1.pcap"));
        assertThat(end.code()).as(end.err()).isZero();
        List<String> rows = bindingRows(end.out());
        assertThat(rows).isNotEmpty();
        Result r = run(new NamesCommand(), sample("eth-6.1.pcap"), "--at", at);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(bindingRows(r.out())).as(r.out()).isEqualTo(rows);
        assertThat(r.out()).isEqualTo(end.out());
        Result json = run(new NamesCommand(), sample("eth-6.1.pcap"), "--json", "--at", at);
        assertThat(json.code()).as(json.err()).isZero();
        Result endJson = run(new NamesCommand(), sample("eth-6.1.pcap"), "--json");
        assertThat(json.out()).contains("\"kind\":\"binding\"").isEqualTo(endJson.out());
    }

    /** NaN and negative times are usage errors (exit code 2). */
    @ParameterizedTest
    @ValueSource(strings = {"NaN", "-1", "-Infinity", "-0.000001"})
    void namesAtNaNOrANegativeTimeIsAUsageError(String at) {
        Result r = run(new NamesCommand(), sample("eth-6.1.pcap"), "--at", at);
        assertThat(r.code()).as(r.out()).isEqualTo(2);
        assertThat(r.err()).contains("--at: must be a number of seconds >= 0");
    }

    /** The binding rows ("TYPE LOWER UPPER SCOPE PORT NODE") of a names table. */
    static List<String> bindingRows(String out) {
        return out.lines().filter(l -> l.matches("\\d+\\s+\\d+\\s+\\d+\\s+(cluster|node)\\s.*")).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"eth-6.1", "udpcrypto-6.1"})
    void linksShowsTheLinkUpWithConsistentCounts(String name) throws Exception {
        Result r = run(new LinksCommand(), withKey(name));
        assertThat(r.code()).as(r.err()).isZero();
        String ifName = name.startsWith("eth") ? "eth0" : "u1";
        assertThat(r.out()).containsPattern("Link <(srv|cli)-node:" + ifName + "-(cli|srv)-node:" + ifName + ">")
                .contains("link up").contains("MTU " + (name.startsWith("eth") ? 1500 : 14000));
        long[] seq = row(r.out(), "sequenced (distinct)");
        long[] retrans = row(r.out(), "retransmissions");
        long[] packets = row(r.out(), "packets");
        long[] states = row(r.out(), "STATE");
        assertThat(retrans).containsExactly(0, 0);
        for (int i = 0; i < 2; i++) assertThat(packets[i]).isGreaterThan(seq[i] + states[i] - 1);
        if (name.startsWith("eth") && tsharkAvailable()) {
            // tshark counts the unicast link packets (discovery and broadcast excluded) independently
            long tshark = tsharkCount(sample(name + ".pcap"), "tipc && eth.dst[0] & 1 == 0 && !(tipc.usr == 13)");
            assertThat(packets[0] + packets[1]).isEqualTo(tshark);
        }
    }

    @Test
    void linksJsonIsWellFormedAndCarriesTheCounts() throws Exception {
        Result r = run(new LinksCommand(), sample("eth-6.1.pcap"), "--json");
        assertThat(r.code()).isZero();
        try (var p = new com.fasterxml.jackson.core.JsonFactory().createParser(r.out())) {
            int sequencedFields = 0;
            while (p.nextToken() != null) {
                if (p.currentToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME
                        && p.currentName().equals("sequenced")) {
                    p.nextToken();
                    assertThat(p.getLongValue()).isIn(346L, 348L, 1L, 2L);
                    sequencedFields++;
                }
            }
            assertThat(sequencedFields).isEqualTo(4); // 2 directions + 2 broadcast senders
        }
        // issue 12: the tunnel split per direction (a single-bearer capture has none)
        assertThat(r.out()).contains("\"tunnel_synch\":0").contains("\"tunnel_failover\":0");
    }

    @Test
    void statsCountsEncryptedFrames() {
        Result without = run(new StatsCommand(), sample("udpcrypto-6.1.pcap"));
        assertThat(without.code()).isZero();
        assertThat(without.out()).contains("decrypted: 0");
        assertThat(without.err()).contains("not decrypted").contains("--key");
        Result with = run(new StatsCommand(), withKey("udpcrypto-6.1"));
        assertThat(with.out()).containsPattern("Encrypted frames: (\\d+), decrypted: \\1, not decrypted: 0")
                .contains("LINK_PROTOCOL").contains("Frames: 1198");
        Result json = run(new StatsCommand(), sample("eth-6.1.pcap"), "--json");
        assertThat(json.out()).contains("\"frames\":1218").contains("\"malformed\":0");
    }

    @Test
    void badArgumentsGiveAClearErrorAndExitCode2() {
        Result badKey = run(new LinksCommand(), sample("eth-6.1.pcap"), "--key", "0x12zz");
        assertThat(badKey.code()).isEqualTo(2);
        assertThat(badKey.err()).contains("--key");
        Result badPort = run(new StatsCommand(), sample("eth-6.1.pcap"), "--udp-port", "70000");
        assertThat(badPort.code()).isEqualTo(2);
        Result badAt = run(new NamesCommand(), sample("eth-6.1.pcap"), "--at", "-1");
        assertThat(badAt.code()).isEqualTo(2);
    }

    @Test
    void anUnreadableCaptureIsOneLineAndExitCode1AsInPlainPcap(@org.junit.jupiter.api.io.TempDir Path tmp) {
        for (Object cmd : new Object[] {new LinksCommand(), new NamesCommand(), new StatsCommand()}) {
            String name = cmd.getClass().getSimpleName().replace("Command", "").toLowerCase(java.util.Locale.ROOT);
            Result noFile = run(cmd, "/nonexistent/x.pcap");
            assertThat(noFile.code()).as(name).isEqualTo(1);
            assertThat(noFile.err()).as(name)
                    .isEqualTo("jtipc pcap " + name + ": cannot read /nonexistent/x.pcap: no such file" + System.lineSeparator());
            assertThat(noFile.out()).isEmpty();
        }
        Result dir = run(new LinksCommand(), tmp.toString());
        assertThat(dir.code()).isEqualTo(1);
        assertThat(dir.err()).isEqualTo("jtipc pcap links: " + tmp + " is a directory, not a capture file" + System.lineSeparator());
    }

    @Test
    void dashReadsTheCaptureFromStandardInput() throws IOException {
        java.io.InputStream saved = System.in;
        for (Object cmd : new Object[] {new LinksCommand(), new NamesCommand(), new StatsCommand()}) {
            Result fromFile = run(cmd.getClass() == LinksCommand.class ? new LinksCommand()
                    : cmd.getClass() == NamesCommand.class ? new NamesCommand() : new StatsCommand(), sample("eth-6.1.pcap"));
            try {
                System.setIn(Files.newInputStream(samples().resolve("eth-6.1.pcap")));
                Result r = run(cmd, "-");
                assertThat(r.code()).isZero();
                assertThat(r.out()).isEqualTo(fromFile.out());
            } finally {
                System.in.close();
                System.setIn(saved);
            }
        }
    }

    @Test
    void aTruncatedCaptureIsAnalysedAsFarAsItGoesAndExitsWith1(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws IOException {
        byte[] whole = Files.readAllBytes(samples().resolve("eth-6.1.pcap"));
        Path cut = Files.write(tmp.resolve("cut.pcap"), java.util.Arrays.copyOf(whole, whole.length / 2));
        Result r = run(new LinksCommand(), cut.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("reading stopped early");
        assertThat(r.out()).contains("link up");  // the first half still shows the link coming up
        Result s = run(new StatsCommand(), cut.toString(), "--json");
        assertThat(s.code()).isEqualTo(1);
        assertThat(s.out()).contains("\"file_error\"");
    }

    @Test
    void helpListsTheOptions() {
        Result r = run(new NamesCommand(), "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--at=SECONDS").contains("--history").contains("--key=KEY").contains("--udp-port=N")
                .contains("--json");
    }

    private static long[] row(String out, String label) {
        Matcher m = Pattern.compile("(?m)^  " + Pattern.quote(label) + "\\s+(\\d+)\\s+(\\d+)\\s*$").matcher(out);
        assertThat(m.find()).as(label).isTrue();
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    private static boolean tsharkAvailable() {
        try {
            Process p = new ProcessBuilder("tshark", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static long tsharkCount(String file, String filter) throws Exception {
        Process p = new ProcessBuilder("tshark", "-r", file, "-Y", filter).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return out.lines().filter(l -> !l.isBlank()).count();
    }
}
