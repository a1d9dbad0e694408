package io.jtipc.cli.pcap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jtipc.wire.DistrItem;
import io.jtipc.wire.GapAckBlocks;
import io.jtipc.wire.MonitorDomain;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code jtipc pcap} prints findings the kernel accepts (gap ACK record len matching no layout, NAME_DISTRIBUTOR data
 * not a multiple of 20 bytes, a bundle's msgcnt) as WARNING lines, apart from MALFORMED ones, counts them in the
 * summary line and never fails the exit status for them; {@code -Y warning} selects them, and {@code stats} counts
 * them apart.
 */
class WarningsOutputTest {
    static final byte[] MA = {0x52, 0x54, 0, 0, 0, 1}, MB = {0x52, 0x54, 0, 0, 0, 2};
    static final int A = 0x1001001, B = 0x1001002;
    static final ObjectMapper JSON = new ObjectMapper();

    static TipcMsg header(byte[] b, int user, int type) {
        return new TipcMsg().wrap(b, 0, b.length).setVersion(2).setUser(user).setType(type).setHdrSize(40)
            .setSize(b.length).setPrevnode(A).setOrignode(A).setDestnode(B);
    }

    /** STATE with a gap ACK record of {@code glen} bytes (one unicast block) and a 1-member domain record. */
    static byte[] state(int glen) {
        byte[] b = new byte[40 + glen + 20];
        header(b, Tipc.LINK_PROTOCOL, Tipc.STATE_MSG).setSession(7);
        new GapAckBlocks().wrap(b, 40, glen + 20).setLen(glen).setUgackCnt(1).setAck(0, 4).setGap(0, 1);
        new MonitorDomain().wrap(b, 40 + glen, 20).setLen(20).setGen(1).setMemberCnt(1).setUpMap(1).setMember(0, B);
        return b;
    }

    static byte[] publication(int extra) {
        byte[] b = new byte[40 + 20 + extra];
        header(b, Tipc.NAME_DISTRIBUTOR, Tipc.PUBLICATION);
        new DistrItem().wrap(b, 40).setType(4000).setLower(1).setUpper(1).setPort(9).setKey(9);
        return b;
    }

    /** A bundle of two 60-byte publications whose msgcnt says 3. */
    static byte[] bundle() {
        byte[] p = publication(0);
        byte[] b = new byte[40 + 2 * p.length];
        header(b, Tipc.MSG_BUNDLER, 0).setMsgcnt(3);
        System.arraycopy(p, 0, b, 40, p.length);
        System.arraycopy(p, 0, b, 40 + p.length, p.length);
        return b;
    }

    /** Frames 1-3 draw a warning each; frame 4 is malformed (gap ACK len beyond the data: the kernel drops it). */
    static Path capture(Path dir, boolean withMalformed) throws IOException {
        List<byte[]> frames = new ArrayList<>();
        frames.add(HostileStringsOutputTest.eth(MA, MB, state(12)));
        frames.add(HostileStringsOutputTest.eth(MA, MB, publication(7)));
        frames.add(HostileStringsOutputTest.eth(MA, MB, bundle()));
        if (withMalformed) {
            byte[] tooLong = state(8);
            new GapAckBlocks().wrap(tooLong, 40, 28).setLen(100);
            frames.add(HostileStringsOutputTest.eth(MA, MB, tooLong));
        }
        return HostileStringsOutputTest.pcap(dir, frames);
    }

    @Test
    void plainOutputTagsWarningsAndTheSummaryCountsThemApart(@TempDir Path dir) throws IOException {
        String file = capture(dir, true).toString();
        PcapFastPathTest.Result r = PcapFastPathTest.full("pcap", file);
        assertThat(r.code()).as(r.err()).isZero();
        List<String> warnings = r.out().lines().filter(l -> l.contains(" WARNING ")).toList();
        assertThat(warnings).hasSize(3);
        assertThat(warnings.get(0)).matches(" *1 .* WARNING tipc\\.gap_ack_blocks: len 12 != 4 \\+ 4 x \\(ugack_cnt 1 \\+"
            + " bgack_cnt 0\\): the kernel ignores the gap ACK blocks");
        assertThat(warnings.get(1)).endsWith("WARNING tipc.data: data size 27 is not a multiple of 20 (distr_item):"
            + " the kernel reads 1 item and ignores 7 trailing bytes");
        assertThat(warnings.get(2)).endsWith("WARNING tipc.msgcnt: msgcnt 3 but 2 messages in bundle:"
            + " the kernel extracts by inner sizes and ignores msgcnt");
        assertThat(r.out().lines().filter(l -> l.contains(" MALFORMED "))).singleElement().asString()
            .matches(" *4 .* MALFORMED tipc\\.gap_ack_blocks: len 100 > data size 28");
        assertThat(r.err()).contains("1 malformed, 3 warnings");
        HostileStringsOutputTest.assertNoRawControlCharacters(r.out() + r.err());

        // a capture whose only findings are warnings: still exit 0, "0 malformed"
        Path only = capture(java.nio.file.Files.createDirectories(dir.resolve("only")), false);
        PcapFastPathTest.Result w = PcapFastPathTest.full("pcap", only.toString());
        assertThat(w.code()).isZero();
        assertThat(w.out()).doesNotContain("MALFORMED");
        assertThat(w.err()).contains("0 malformed, 3 warnings");
        // the fast path (no -Y) prints the same
        PcapFastPathTest.Result fast = PcapFastPathTest.fast("pcap", only.toString());
        assertThat(fast.code()).isZero();
        assertThat(fast.out()).isEqualTo(w.out());
        assertThat(fast.err()).isEqualTo(w.err());
    }

    @Test
    void verboseAndJsonOutputKeepWarningsApart(@TempDir Path dir) throws IOException {
        String file = capture(dir, true).toString();
        PcapFastPathTest.Result v = PcapFastPathTest.full("pcap", "-V", file);
        assertThat(v.code()).isZero();
        assertThat(v.out()).contains("    WARNING gap_ack_blocks: len 12 != 4 + 4 x (ugack_cnt 1 + bgack_cnt 0): the kernel"
            + " ignores the gap ACK blocks").contains("domain_record:");
        HostileStringsOutputTest.assertNoRawControlCharacters(v.out());

        PcapFastPathTest.Result j = PcapFastPathTest.full("pcap", "--json", file);
        assertThat(j.code()).isZero();
        List<JsonNode> records = new ArrayList<>();
        for (String l : j.out().lines().filter(l -> !l.isEmpty()).toList()) records.add(JSON.readTree(l));
        List<JsonNode> warningRecords = records.stream().filter(n -> n.has("warning") && !n.has("user")).toList();
        assertThat(warningRecords).extracting(n -> n.get("warning").get("field").asText())
            .containsExactly("tipc.gap_ack_blocks", "tipc.data", "tipc.msgcnt");
        assertThat(warningRecords).allSatisfy(n -> assertThat(n.has("malformed")).isFalse());
        // the STATE's own object: its warning, its domain record read after the ignored blocks, no malformation
        JsonNode state = records.get(0);
        assertThat(state.get("warning").get("reason").asText()).endsWith("the kernel ignores the gap ACK blocks");
        assertThat(state.has("malformed")).isFalse();
        assertThat(state.get("domain_record").get("member_cnt").asInt()).isEqualTo(1);
        assertThat(records.stream().filter(n -> n.has("malformed") && !n.has("user")))
            .singleElement().satisfies(n -> assertThat(n.get("frame").asInt()).isEqualTo(4));
    }

    @Test
    void displayFilterAndStatsTellWarningsFromMalformations(@TempDir Path dir) throws IOException {
        String file = capture(dir, true).toString();
        PcapOptionsTest.Result w = PcapOptionsTest.run("-Y", "warning", "-T", "fields", "-e", "frame", "-e", "warning.field", file);
        assertThat(w.code()).isZero();
        // per frame: the message's own warning (wire field name), then the frame's warning record (dissector path)
        assertThat(w.out().lines()).containsExactly("1\tgap_ack_blocks,tipc.gap_ack_blocks", "2\tdata,tipc.data",
            "3\tmsgcnt,tipc.msgcnt");
        PcapOptionsTest.Result m = PcapOptionsTest.run("-Y", "malformed", "-T", "fields", "-e", "frame", file);
        assertThat(m.out().lines()).containsExactly("4");
        PcapOptionsTest.Result plain = PcapOptionsTest.run("-Y", "warning", file);
        assertThat(plain.out().lines().filter(l -> l.contains(" WARNING "))).hasSize(3);
        assertThat(plain.err()).contains("1 malformed, 3 warnings; 3 frames shown");

        PcapFastPathTest.Result st = PcapFastPathTest.full("pcap", "stats", file);
        assertThat(st.code()).isZero();
        assertThat(st.out()).contains("Malformed: 1").contains("Warnings (accepted by the kernel, not malformed): 3");
        PcapFastPathTest.Result sj = PcapFastPathTest.full("pcap", "stats", "--json", file);
        assertThat(sj.code()).isZero();
        JsonNode summary = JSON.readTree(sj.out().lines().findFirst().orElseThrow());
        assertThat(summary.get("malformed").asInt()).isEqualTo(1);
        assertThat(summary.get("warnings").asInt()).isEqualTo(3);
        assertThat(sj.out().lines().filter(l -> l.contains("\"kind\":\"warning_reason\""))).hasSize(3);
    }
}
