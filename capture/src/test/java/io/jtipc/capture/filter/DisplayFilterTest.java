package io.jtipc.capture.filter;

import io.jtipc.capture.CaptureFiles;
import io.jtipc.capture.CapturedFrame;
import io.jtipc.capture.CapturedMessage;
import io.jtipc.capture.DissectorOptions;
import io.jtipc.capture.TipcCaptureDissector;
import io.jtipc.capture.TipcMessageListener;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link DisplayFilter} over the records of the real kernel captures in samples/. */
class DisplayFilterTest {
    static final List<FieldRecord> ETH = new ArrayList<>();
    static final List<FieldRecord> UDP = new ArrayList<>();
    static final List<Long> ETH_FRAMES_ENDED = new ArrayList<>();

    @BeforeAll
    static void load() throws Exception {
        new TipcCaptureDissector(DissectorOptions.builder().build()).dissect(CaptureFiles.sample("eth-6.1.pcap"),
                new TipcMessageListener() {
                    @Override public void onMessage(CapturedMessage m) { ETH.add(FieldRecord.ofMessage(m)); }
                    @Override public void onFrameEnd(CapturedFrame f) { ETH_FRAMES_ENDED.add(f.frameNumber()); }
                });
        new TipcCaptureDissector(DissectorOptions.builder().build()).dissect(CaptureFiles.sample("udpcrypto-6.1.pcap"),
                new TipcMessageListener() {
                    @Override public void onMessage(CapturedMessage m) { UDP.add(FieldRecord.ofMessage(m)); }
                    @Override public void onEncrypted(CapturedMessage m) { UDP.add(FieldRecord.ofEncrypted(m)); }
                });
    }

    static long count(List<FieldRecord> rs, String filter) {
        DisplayFilter f = DisplayFilter.parse(filter);
        return rs.stream().filter(f::matches).count();
    }

    static long countBy(List<FieldRecord> rs, java.util.function.Predicate<FieldRecord> p) {
        return rs.stream().filter(p).count();
    }

    static String first(FieldRecord r, String path) {
        return r.values().stream().filter(v -> v.path().equals(path)).map(FieldRecord.Value::display).findFirst().orElse(null);
    }

    @Test
    void frameEndIsReportedOncePerRecordInOrder() {
        assertThat(ETH_FRAMES_ENDED).hasSize(1218);
        for (int i = 0; i < ETH_FRAMES_ENDED.size(); i++) assertThat(ETH_FRAMES_ENDED.get(i)).isEqualTo(i + 1L);
    }

    @Test
    void comparisonsAgreeWithTheRecordedValues() {
        long lp = countBy(ETH, r -> "7".equals(first(r, "user")));
        assertThat(lp).isPositive();
        assertThat(count(ETH, "user == LINK_PROTOCOL")).isEqualTo(lp);
        assertThat(count(ETH, "user == 7")).isEqualTo(lp);
        assertThat(count(ETH, "user eq link_protocol")).isEqualTo(lp);
        assertThat(count(ETH, "user != LINK_PROTOCOL")).isEqualTo(ETH.size() - lp);
        assertThat(count(ETH, "!(user == LINK_PROTOCOL)")).isEqualTo(ETH.size() - lp);
        assertThat(count(ETH, "not user == 7")).isEqualTo(ETH.size() - lp);
        long state = countBy(ETH, r -> "7".equals(first(r, "user")) && "STATE_MSG".equals(first(r, "type_sym")));
        assertThat(state).isPositive().isLessThan(lp);
        assertThat(count(ETH, "user == LINK_PROTOCOL && type == STATE")).isEqualTo(state);
        assertThat(count(ETH, "user == LINK_PROTOCOL and type == STATE_MSG")).isEqualTo(state);
        assertThat(count(ETH, "user == LINK_PROTOCOL && type == STATE && seq_gap > 0"))
                .isEqualTo(countBy(ETH, r -> "7".equals(first(r, "user")) && "0".equals(first(r, "type"))
                        && first(r, "seq_gap") != null && Long.parseLong(first(r, "seq_gap")) > 0));
        long big = countBy(ETH, r -> Long.parseLong(first(r, "size")) >= 100);
        assertThat(count(ETH, "size >= 100")).isEqualTo(big);
        assertThat(count(ETH, "size < 100")).isEqualTo(ETH.size() - big);
        assertThat(count(ETH, "size >= 0x64")).isEqualTo(big);
        assertThat(count(ETH, "size >= 100 || size < 100")).isEqualTo(ETH.size());
        assertThat(count(ETH, "(size >= 100) && (size < 100)")).isZero();
        assertThat(count(ETH, "frame <= 10")).isEqualTo(countBy(ETH, r -> Long.parseLong(first(r, "frame")) <= 10));
    }

    @Test
    void presenceStringsBooleansAndTime() {
        assertThat(count(ETH, "seq_gap")).isEqualTo(countBy(ETH, r -> first(r, "seq_gap") != null)).isPositive();
        assertThat(count(ETH, "encrypted")).isZero();
        assertThat(count(ETH, "encrypted == false")).isEqualTo(ETH.size());
        String src = first(ETH.get(0), "src");
        assertThat(count(ETH, "src == " + src)).isEqualTo(countBy(ETH, r -> src.equals(first(r, "src"))));
        assertThat(count(ETH, "src == \"" + src.toUpperCase() + "\"")).isEqualTo(count(ETH, "src == " + src));
        assertThat(count(ETH, "origin contains bund")).isEqualTo(countBy(ETH, r -> "BUNDLED".equals(first(r, "origin"))));
        String t = first(ETH.get(5), "time");
        assertThat(count(ETH, "time == " + t)).isEqualTo(countBy(ETH, r -> t.equals(first(r, "time"))));
        assertThat(count(ETH, "time > " + t)).isEqualTo(countBy(ETH, r -> new java.math.BigDecimal(first(r, "time"))
                .compareTo(new java.math.BigDecimal(t)) > 0));
        String addr = first(ETH.get(0), "sender.addr");
        assertThat(count(ETH, "sender.addr == " + addr)).isPositive();
        // encrypted frames without a key: ehdr fields and the decrypted flag
        assertThat(count(UDP, "decrypted == false")).isEqualTo(count(UDP, "ehdr.tx_key")).isPositive();
        assertThat(count(UDP, "encrypted && !decrypted")).isEqualTo(count(UDP, "decrypted == false"));
        // a bare group: some field inside it occurs
        assertThat(count(UDP, "ehdr")).isEqualTo(count(UDP, "ehdr.tx_key"));
        assertThat(count(ETH, "malformed")).isZero();
        assertThat(count(ETH, "sender")).isEqualTo(ETH.size());
    }

    @Test
    void unknownFieldsAndSyntaxErrorsGiveThePosition() {
        assertError("user == LINK_PROTOCOL && tpye == STATE", 25, "unknown field 'tpye'");
        assertError("user = 7", 5, "'=='");
        assertError("user ==", 7, "expected a value");
        assertError("(user == 7", 10, "expected ')'");
        assertError("user == 7)", 9, "unexpected ')'");
        assertError("user == \"x", 8, "unterminated string");
        assertError("&& user", 0, "expected a field name");
        assertError("", 0, "empty filter");
        assertError("user 7", 5, "expected an operator");
        assertError("7 == user", 0, "not a field name");
        assertError("user == 7 # x", 10, "unexpected character");
        assertError("(".repeat(100) + "user" + ")".repeat(100), DisplayFilter.MAX_DEPTH, "nested deeper");
    }

    static void assertError(String filter, int pos, String text) {
        assertThatThrownBy(() -> DisplayFilter.parse(filter)).as(filter).isInstanceOfSatisfying(FilterSyntaxException.class,
                e -> {
                    assertThat(e.position()).as(filter).isEqualTo(pos);
                    assertThat(e.getMessage()).as(filter).contains(text);
                });
    }

    @Test
    void anyStringParsesOrFailsWithAPosition() {
        SplittableRandom rnd = new SplittableRandom(1818);
        String[] pieces = {"user", "type", "==", "!=", "<", ">=", "&&", "||", "!", "and", "or", "not", "(", ")",
            "\"", "\\", "contains", "LINK_PROTOCOL", "0x1f", "7", "-", ".", "seq_gap", "sender.addr", " ", "=", "#",
            "\u00e9", "\u0000", "ehdr.", "1.5", "true"};
        int parsed = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder();
            int n = rnd.nextInt(12);
            for (int j = 0; j < n; j++) {
                if (rnd.nextInt(4) == 0) b.append((char) rnd.nextInt(0x20, 0x7f));
                else b.append(pieces[rnd.nextInt(pieces.length)]).append(rnd.nextBoolean() ? " " : "");
            }
            String s = b.toString();
            try {
                DisplayFilter f = DisplayFilter.parse(s);
                parsed++;
                for (int k = 0; k < 20; k++) f.matches(ETH.get(rnd.nextInt(ETH.size())));
                for (FieldRecord r : UDP.subList(0, 5)) f.matches(r);
            } catch (FilterSyntaxException e) {
                assertThat(e.position()).as(s).isBetween(0, s.length());
                assertThat(e.getMessage()).as(s).isNotBlank();
            }
        }
        assertThat(parsed).isPositive();
        assertThatThrownBy(() -> DisplayFilter.parse("user" + " ".repeat(DisplayFilter.MAX_LENGTH)))
                .isInstanceOf(FilterSyntaxException.class);
        assertThatThrownBy(() -> DisplayFilter.parse(null)).isInstanceOf(FilterSyntaxException.class);
    }

    @Test
    void everyPathOfTheSampleRecordsIsInTheCatalog() {
        for (List<FieldRecord> rs : List.of(ETH, UDP)) {
            for (FieldRecord r : rs) {
                for (FieldRecord.Value v : r.values()) {
                    assertThat(FieldCatalog.isKnown(v.path())).as(v.path()).isTrue();
                }
            }
        }
        assertThat(FieldCatalog.isKnown("tpye")).isFalse();
        assertThat(FieldCatalog.isKnown("reserved_w5_3")).isTrue();
        assertThat(FieldCatalog.isKnown("malformed")).isTrue();
        assertThat(FieldCatalog.isKnown("gap_ack_blocks")).isTrue();
    }

    /**
     * Paths the decrypted UDP sample has (UDP media addresses in discovery) and a STATE with gap-ACK blocks and a
     * domain record has are in the catalog, so -Y and -e take them: the catalog, built from filled buffers, lacked
     * media_addr.ip/.port/.proto, gap_ack_blocks.gap_ack.* and domain_record.*, and such filters were usage errors.
     */
    @Test
    void decryptedUdpPathsAndGapAckAndDomainRecordPathsAreKnown() throws Exception {
        List<FieldRecord> dec = new ArrayList<>();
        new TipcCaptureDissector(DissectorOptions.builder().addKey(DissectorOptions.parseKey(CaptureFiles.SAMPLE_KEY))
                .build()).dissect(CaptureFiles.sample("udpcrypto-6.1.pcap"), new TipcMessageListener() {
                    @Override public void onMessage(CapturedMessage m) { dec.add(FieldRecord.ofMessage(m)); }
                });
        assertThat(dec).isNotEmpty();
        for (FieldRecord r : dec) {
            for (FieldRecord.Value v : r.values()) assertThat(FieldCatalog.isKnown(v.path())).as(v.path()).isTrue();
        }
        for (String p : List.of("media_addr.ip", "media_addr.port", "media_addr.proto", "gap_ack_blocks.gap_ack.ack",
                "gap_ack_blocks.gap_ack.gap", "gap_ack_blocks.gap_ack.list", "domain_record.member_cnt",
                "domain_record.up_map", "domain_record.gen")) {
            assertThat(FieldCatalog.isKnown(p)).as(p).isTrue();
        }
        assertThat(count(dec, "media_addr.port == 6118")).isPositive();
    }
}
