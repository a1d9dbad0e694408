package io.jtipc.capture.pcap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapngWriterTest {
    @Test
    void packetsReadBackWithInterfaceTimestampAndBytes() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] a = new byte[61];
        byte[] b = new byte[1500];
        for (int i = 0; i < b.length; i++) b[i] = (byte) i;
        try (PcapngWriter w = new PcapngWriter(bytes, "jtipc test")) {
            assertThat(w.addInterface(PcapngWriter.LINKTYPE_ETHERNET, "eth:veth0")).isEqualTo(0);
            assertThat(w.addInterface(PcapngWriter.LINKTYPE_RAW, "udp:127.0.0.1")).isEqualTo(1);
            w.write(1, 1_700_000_000_123_456_789L, a, 0, a.length, a.length);
            w.write(0, 1_700_000_001_000_000_001L, b, 100, 1000, 1400);
            assertThatThrownBy(() -> w.write(2, 0, a, 0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
            assertThat(w.bytesWritten()).isEqualTo(bytes.size());
        }
        PcapReader r = PcapReader.open(new ByteArrayInputStream(bytes.toByteArray()));
        assertThat(r.isPcapng()).isTrue();
        PcapRecord rec = new PcapRecord();
        assertThat(r.next(rec)).isTrue();
        assertThat(rec.error).isNull();
        assertThat(rec.interfaceId).isEqualTo(1);
        assertThat(rec.linkType).isEqualTo(PcapngWriter.LINKTYPE_RAW);
        assertThat(rec.timestampNanos).isEqualTo(1_700_000_000_123_456_789L);
        assertThat(rec.capturedLength).isEqualTo(61);
        assertThat(r.next(rec)).isTrue();
        assertThat(rec.interfaceId).isEqualTo(0);
        assertThat(rec.linkType).isEqualTo(PcapngWriter.LINKTYPE_ETHERNET);
        assertThat(rec.timestampNanos).isEqualTo(1_700_000_001_000_000_001L);
        assertThat(rec.capturedLength).isEqualTo(1000);
        assertThat(rec.originalLength).isEqualTo(1400);
        assertThat(Arrays.copyOfRange(rec.data, rec.offset, rec.offset + 1000)).isEqualTo(Arrays.copyOfRange(b, 100, 1100));
        assertThat(r.next(rec)).isFalse();
        assertThat(r.badRecords()).isZero();
    }

    /** tshark (installed by bin/setup) reads the file: checks the blocks against an independent reader. */
    @Test
    void tsharkReadsIt(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("t.pcapng");
        byte[] eth = new byte[60];
        eth[12] = (byte) 0x88; eth[13] = (byte) 0xCA;
        try (PcapngWriter w = new PcapngWriter(Files.newOutputStream(f), "jtipc test")) {
            w.addInterface(PcapngWriter.LINKTYPE_ETHERNET, "eth:x");
            for (int i = 0; i < 3; i++) w.write(0, 1_000_000_000L * (i + 1), eth, 0, eth.length, eth.length);
        }
        Path tshark = Path.of("/usr/bin/tshark");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(tshark), "tshark not installed");
        Process p = new ProcessBuilder(tshark.toString(), "-r", f.toString(), "-T", "fields", "-e", "frame.time_epoch",
                "-e", "eth.type", "-e", "frame.interface_name").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out.lines().filter(l -> !l.isBlank()).toList()).hasSize(3)
                .allSatisfy(l -> assertThat(l).contains("0x88ca").contains("eth:x"));
        assertThat(out.lines().findFirst().orElseThrow()).startsWith("1.000000000");
    }
}
