package io.jtipc.cli.pcap;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.jtipc.wire.AeadKey;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15: peer-chosen strings in a capture (the interface name of RESET/ACTIVATE, the algorithm name of KEY_DISTR)
 * reach {@code jtipc pcap} -V, plain, JSON and links output escaped: no raw control character, no forged line, no
 * terminal escape, and the JSON stays valid with printable values.
 */
class HostileStringsOutputTest {
    static final String FORGED = "\n[INFO] forged";
    static final String RED = "\u001b[31mevil\u001b[0m";

    static byte[] eth(byte[] src, byte[] dst, byte[] tipc) {
        byte[] f = new byte[14 + tipc.length];
        System.arraycopy(dst, 0, f, 0, 6);
        System.arraycopy(src, 0, f, 6, 6);
        f[12] = (byte) 0x88;
        f[13] = (byte) 0xca;
        System.arraycopy(tipc, 0, f, 14, tipc.length);
        return f;
    }

    static byte[] proto(int type, int prev, int dest, String ifName) {
        byte[] b = new byte[Tipc.INT_H_SIZE + 16];
        new TipcMsg().wrap(b, 0, b.length).setVersion(2).setUser(Tipc.LINK_PROTOCOL).setType(type)
            .setHdrSize(Tipc.INT_H_SIZE).setSize(b.length).setPrevnode(prev).setDestnode(dest).setMaxPkt(1500)
            .setLinkTolerance(1500).setSession(7);
        byte[] n = ifName.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(n, 0, b, Tipc.INT_H_SIZE, Math.min(15, n.length));
        return b;
    }

    static byte[] keyDistr(int prev, int dest, String alg) {
        byte[] k = new byte[40 + 36 + 4];
        new TipcMsg().wrap(k, 0, k.length).setVersion(2).setUser(Tipc.MSG_CRYPTO).setType(Tipc.KEY_DISTR_MSG)
            .setHdrSize(40).setSize(k.length).setPrevnode(prev).setOrignode(prev).setDestnode(dest);
        byte[] a = alg.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(a, 0, k, 40, Math.min(32, a.length));
        new AeadKey().wrap(k, 40, 40).setKeylen(4);
        return k;
    }

    /** A classic little-endian pcap, Ethernet link type, one frame per millisecond. */
    static Path pcap(Path dir, List<byte[]> frames) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        out.write(h.array());
        int t = 0;
        for (byte[] f : frames) {
            ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            r.putInt(1_700_000_000).putInt(1000 * t++).putInt(f.length).putInt(f.length);
            out.write(r.array());
            out.write(f);
        }
        Path p = dir.resolve("hostile.pcap");
        Files.write(p, out.toByteArray());
        return p;
    }

    static void assertNoRawControlCharacters(String out) {
        for (int i = 0; i < out.length(); i++) {
            char c = out.charAt(i);
            assertThat(c == '\n' || (c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0)))
                .as("character %04x at %d of:%n%s", (int) c, i, out).isTrue();
        }
        assertThat(out.lines()).noneMatch(l -> l.startsWith("[INFO] forged"));
    }

    @Test
    void dissectorOutputCarriesNoRawControlCharacters(@TempDir Path dir) throws IOException {
        byte[] ma = {0x52, 0x54, 0, 0, 0, 1}, mb = {0x52, 0x54, 0, 0, 0, 2};
        int a = 0x1001001, b = 0x1001002;
        List<byte[]> frames = new ArrayList<>();
        frames.add(eth(mb, ma, proto(Tipc.RESET_MSG, b, a, FORGED)));
        frames.add(eth(ma, mb, proto(Tipc.RESET_MSG, a, b, RED)));
        frames.add(eth(mb, ma, proto(Tipc.ACTIVATE_MSG, b, a, FORGED)));
        frames.add(eth(mb, ma, keyDistr(b, a, "gcm(aes)" + FORGED + RED)));
        String file = pcap(dir, frames).toString();

        PcapFastPathTest.Result v = PcapFastPathTest.full("pcap", "-V", file);
        assertThat(v.code()).as(v.err()).isZero();
        assertNoRawControlCharacters(v.out());
        assertThat(v.out()).contains("if_name: \"\\x0a[INFO] forged\"", "if_name: \"\\x1b[31mevil\\x1b[0m\"",
            "alg_name: \"gcm(aes)\\x0a[INFO] forged\\x1b[31mevil\\x1b\"");

        PcapFastPathTest.Result plain = PcapFastPathTest.full("pcap", file);
        assertThat(plain.code()).as(plain.err()).isZero();
        assertNoRawControlCharacters(plain.out());

        PcapFastPathTest.Result json = PcapFastPathTest.full("pcap", "--json", file);
        assertThat(json.code()).as(json.err()).isZero();
        assertNoRawControlCharacters(json.out());
        List<String> values = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(json.out())) {
            for (JsonToken t; (t = p.nextToken()) != null; ) {
                if (t == JsonToken.VALUE_STRING) values.add(p.getText());
            }
        }
        assertThat(values).contains("\\x0a[INFO] forged", "\\x1b[31mevil\\x1b[0m")
            .allSatisfy(s -> assertThat(s.chars().allMatch(c -> c >= 0x20 && c != 0x7f)).as(s).isTrue());

        for (String sub : new String[] {"links", "stats", "names"}) {
            PcapFastPathTest.Result r = PcapFastPathTest.full("pcap", sub, file);
            assertNoRawControlCharacters(r.out() + r.err());
            // the links report names the interfaces escaped (it used to show "null" for a name it would not print)
            if (sub.equals("links")) assertThat(r.out()).contains("\\x1b[31mevil\\x1b[0m").doesNotContain("null");
        }
    }
}
