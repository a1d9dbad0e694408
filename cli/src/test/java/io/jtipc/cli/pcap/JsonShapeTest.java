package io.jtipc.cli.pcap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jtipc.capture.CapturedFrame;
import io.jtipc.capture.CapturedMessage;
import io.jtipc.capture.DissectorOptions;
import io.jtipc.capture.TipcCaptureDissector;
import io.jtipc.capture.TipcMessageListener;
import io.jtipc.capture.filter.FieldRecord;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One JSON shape: pcap --json and links/names/stats --json print JSON Lines with the same key conventions, and
 * the display filter's field records hold exactly what pcap --json prints.
 */
class JsonShapeTest {
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    static final String ETH = PcapFastPathTest.sample("eth-6.1.pcap");
    static final String UDP = PcapFastPathTest.sample("udpcrypto-6.1.pcap");

    static List<JsonNode> lines(String out) throws Exception {
        List<JsonNode> l = new ArrayList<>();
        for (String line : out.split("\n", -1)) {
            if (line.isEmpty()) continue;
            JsonNode n = JSON.readTree(line);
            assertThat(n.isObject()).as(line).isTrue();
            l.add(n);
        }
        assertThat(out).endsWith("\n");
        return l;
    }

    @Test
    void everyVerbPrintsOneCompactObjectPerLineWithAKind() throws Exception {
        String key = "--key=" + PcapFastPathTest.KEY;
        Map<String, Object> verbs = Map.of("links", new LinksCommand(), "names", new NamesCommand(), "stats", new StatsCommand());
        Set<String> nodeKeys = new TreeSet<>();
        for (Map.Entry<String, Object> v : verbs.entrySet()) {
            for (String[] args : new String[][] {{ETH, "--json"}, {UDP, key, "--json"}}) {
                String[] a = v.getKey().equals("names") ? new String[] {args[0], "--history", "--json"} : args;
                if (v.getKey().equals("names") && args.length == 3) a = new String[] {args[0], key, "--history", "--json"};
                AnalysisCommandsTest.Result r = AnalysisCommandsTest.run(v.getValue().getClass().getDeclaredConstructor().newInstance(), a);
                assertThat(r.code()).as(v.getKey()).isZero();
                List<JsonNode> objs = lines(r.out());
                assertThat(objs).as(v.getKey()).isNotEmpty();
                assertThat(r.out().lines().count()).isEqualTo(objs.size()); // compact: one object, one line
                for (JsonNode o : objs) {
                    assertThat(o.path("kind").isTextual()).as(o.toString()).isTrue();
                    assertSnakeCase(o);
                    collectNodes(o, nodeKeys);
                }
            }
        }
        // nodes everywhere as pcap's sender/receiver: {"addr": hex, "id": identity}
        assertThat(nodeKeys).containsExactlyInAnyOrder("addr", "id");
    }

    static void assertSnakeCase(JsonNode n) {
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            assertThat(e.getKey()).matches("[a-z][a-z0-9_]*");
            if (e.getValue().isObject()) assertSnakeCase(e.getValue());
            if (e.getValue().isArray()) e.getValue().forEach(c -> { if (c.isObject()) assertSnakeCase(c); });
        }
    }

    static void collectNodes(JsonNode n, Set<String> keys) {
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (Set.of("sender", "receiver", "node", "peer", "publisher").contains(e.getKey())) {
                assertThat(e.getValue().isObject()).as(e.getKey()).isTrue();
                e.getValue().fieldNames().forEachRemaining(keys::add);
                assertThat(e.getValue().path("addr").asText()).matches("[0-9a-f]+");
            }
            if (e.getValue().isObject()) collectNodes(e.getValue(), keys);
            if (e.getValue().isArray()) e.getValue().forEach(c -> { if (c.isObject()) collectNodes(c, keys); });
        }
    }

    /** The --json line flattened as FieldRecord paths: nested keys joined by '.', array elements in order. */
    static void flatten(String prefix, JsonNode n, List<String> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String p = prefix + e.getKey();
            JsonNode v = e.getValue();
            if (v.isObject()) flatten(p + ".", v, out);
            else if (v.isArray()) v.forEach(c -> flatten(p + ".", c, out));
            else out.add(p + "=" + (v.isTextual() ? v.asText() : v.isBigDecimal() ? v.decimalValue().stripTrailingZeros().toPlainString() : v.toString()));
        }
    }

    @Test
    void filterRecordsHoldExactlyWhatPcapJsonPrints() throws Exception {
        for (String[] args : new String[][] {{ETH}, {UDP}, {"--key", PcapFastPathTest.KEY, UDP}}) {
            List<FieldRecord> records = new ArrayList<>();
            DissectorOptions.Builder b = DissectorOptions.builder();
            if (args.length > 1) b.addKey(DissectorOptions.parseKey(args[1]));
            new TipcCaptureDissector(b.build()).dissect(Path.of(args[args.length - 1]), new TipcMessageListener() {
                @Override public void onMessage(CapturedMessage m) { records.add(FieldRecord.ofMessage(m)); }
                @Override public void onEncrypted(CapturedMessage m) { records.add(FieldRecord.ofEncrypted(m)); }
                @Override public void onMalformed(CapturedFrame f, String field, String reason) {
                    records.add(FieldRecord.ofMalformed(f, field, reason));
                }
            });
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            List<String> a = new ArrayList<>(List.of("--json"));
            a.addAll(List.of(args));
            PcapOptionsTest.Result r = PcapOptionsTest.run(a.toArray(String[]::new));
            List<JsonNode> json = lines(r.out());
            assertThat(json).hasSize(records.size());
            for (int i = 0; i < json.size(); i++) {
                List<String> expected = new ArrayList<>();
                flatten("", json.get(i), expected);
                List<String> got = new ArrayList<>();
                for (FieldRecord.Value v : records.get(i).values()) {
                    got.add(v.path() + "=" + (v.kind() == FieldRecord.Kind.DECIMAL
                            ? new java.math.BigDecimal(v.display()).stripTrailingZeros().toPlainString() : v.display()));
                }
                assertThat(got).as(json.get(i).toString()).isEqualTo(expected);
            }
            assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        }
    }
}
