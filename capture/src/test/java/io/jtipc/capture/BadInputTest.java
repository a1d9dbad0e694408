package io.jtipc.capture;

import io.jtipc.capture.pcap.PcapReader;
import io.jtipc.capture.pcap.PcapRecord;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Damaged input: truncated frames, lying length fields, random bytes, corrupt files. The dissector must
 * report and count, never throw or hang. Random inputs are seeded and bounded.
 */
class BadInputTest {

    record Frames(int linkType, List<long[]> ts, List<byte[]> data) { }

    static Frames load(String sample) throws IOException {
        List<long[]> ts = new ArrayList<>();
        List<byte[]> data = new ArrayList<>();
        int lt;
        try (PcapReader r = PcapReader.open(CaptureFiles.sample(sample))) {
            PcapRecord rec = new PcapRecord();
            while (r.next(rec)) {
                ts.add(new long[] {rec.timestampNanos});
                data.add(Arrays.copyOf(rec.data, rec.capturedLength));
            }
            lt = r.linkType();
        }
        return new Frames(lt, ts, data);
    }

    static class Counter implements TipcMessageListener {
        long messages, encrypted, malformed;

        @Override public void onMessage(CapturedMessage m) {
            messages++;
            // touch the message as a listener would
            assertThat(m.length()).isGreaterThanOrEqualTo(24);
            assertThat(m.offset() + m.length()).isLessThanOrEqualTo(m.buf().length);
            m.srcNode();
            m.dstNode();
        }

        @Override public void onEncrypted(CapturedMessage m) { encrypted++; }

        @Override public void onMalformed(CapturedFrame f, String field, String reason) {
            malformed++;
            assertThat(field).isNotBlank();
            assertThat(reason).isNotBlank();
        }
    }

    static CaptureSummary run(DissectorOptions o, byte[] file, Counter c) throws IOException {
        return new TipcCaptureDissector(o).dissect(new ByteArrayInputStream(file), c);
    }

    static DissectorOptions withKey() {
        return DissectorOptions.builder().addKey(DissectorOptions.parseKey(CaptureFiles.SAMPLE_KEY)).build();
    }

    /** Offset of the TIPC message in an Ethernet frame of the eth sample (no VLAN). */
    static boolean isTipcEth(byte[] f) { return f.length > 14 + 24 && (f[12] & 0xff) == 0x88 && (f[13] & 0xff) == 0xca; }

    @Test
    void truncatedFramesAreReportedAndCounted() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            Frames fr = load("eth-6.1.pcap");
            Random rnd = new Random(1);
            List<byte[]> cut = new ArrayList<>();
            int truncated = 0;
            for (byte[] f : fr.data()) {
                if (isTipcEth(f) && rnd.nextInt(3) == 0) {
                    // cut inside the TIPC message (before its declared end)
                    int size = ((f[15] & 1) << 16) | ((f[16] & 0xff) << 8) | (f[17] & 0xff);
                    int keep = 14 + rnd.nextInt(Math.max(1, Math.min(size, f.length - 14) - 1));
                    cut.add(Arrays.copyOf(f, keep));
                    truncated++;
                } else {
                    cut.add(f);
                }
            }
            Counter c = new Counter();
            CaptureSummary s = run(DissectorOptions.defaults(), CaptureFiles.pcap(false, false, fr.linkType(), fr.ts(), cut), c);
            assertThat(s.frames()).isEqualTo(fr.data().size());
            assertThat(s.malformed()).isEqualTo(c.malformed).isGreaterThanOrEqualTo(truncated - 5).isPositive();
            assertThat(c.messages).isPositive();
            assertThat(s.fileError()).isNull();
        });
    }

    @Test
    void lyingLengthFieldsAreReported() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            Frames fr = load("eth-6.1.pcap");
            Random rnd = new Random(2);
            List<byte[]> lie = new ArrayList<>();
            for (byte[] f0 : fr.data()) {
                byte[] f = f0.clone();
                if (isTipcEth(f)) {
                    switch (rnd.nextInt(4)) {
                        case 0: { // msg_size larger than the frame
                            int size = f.length - 14 + 1 + rnd.nextInt(70000);
                            f[15] = (byte) ((f[15] & ~1) | ((size >> 16) & 1));
                            f[16] = (byte) (size >> 8);
                            f[17] = (byte) size;
                            break;
                        }
                        case 1: // header size below the minimum
                            f[14] = (byte) ((f[14] & 0xfe) | 0);
                            f[15] = (byte) ((f[15] & 0x1f) | 0x20);
                            break;
                        case 2: { // bundle count / inner sizes: make it a bundle of garbage
                            f[14] = (byte) ((f[14] & 0xe1) | (6 << 1));
                            break;
                        }
                        default: // a fragment that claims to be FIRST again
                            f[18] = (byte) (f[18] & 0x1f);
                    }
                }
                lie.add(f);
            }
            Counter c = new Counter();
            CaptureSummary s = run(DissectorOptions.defaults(), CaptureFiles.pcap(false, false, fr.linkType(), fr.ts(), lie), c);
            assertThat(s.malformed()).isPositive();
            assertThat(s.fileError()).isNull();
        });
    }

    @Test
    void randomMutationsNeverThrowOrHang() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (String sample : new String[] {"eth-6.1.pcap", "udpcrypto-6.1.pcap"}) {
                Frames fr = load(sample);
                for (int seed = 0; seed < 6; seed++) {
                    Random rnd = new Random(seed);
                    List<byte[]> mut = new ArrayList<>();
                    for (byte[] f0 : fr.data()) {
                        byte[] f = f0.clone();
                        int flips = rnd.nextInt(4);
                        for (int i = 0; i < flips && f.length > 0; i++) f[rnd.nextInt(f.length)] = (byte) rnd.nextInt(256);
                        if (rnd.nextInt(10) == 0) f = Arrays.copyOf(f, rnd.nextInt(f.length + 1));
                        mut.add(f);
                    }
                    Counter c = new Counter();
                    CaptureSummary s = run(withKey(), CaptureFiles.pcap(false, false, fr.linkType(), fr.ts(), mut), c);
                    assertThat(s.frames()).isEqualTo(fr.data().size());
                    assertThat(s.fileError()).isNull();
                }
            }
        });
    }

    @Test
    void randomFramesOnEveryLinkTypeNeverThrow() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            Random rnd = new Random(3);
            for (int lt : new int[] {1, 113, 276, 101, 228, 229, 12, 14, 0}) {
                List<byte[]> frames = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    byte[] f = new byte[rnd.nextInt(200)];
                    rnd.nextBytes(f);
                    // bias towards the interesting paths
                    if (lt == 1 && f.length > 14) {
                        int t = new int[] {0x88ca, 0x0800, 0x86dd, 0x8100}[rnd.nextInt(4)];
                        f[12] = (byte) (t >> 8);
                        f[13] = (byte) t;
                    }
                    if ((lt == 101 || lt == 228) && f.length > 20) {
                        f[0] = 0x45;
                        f[9] = 17;
                        f[22 % f.length] = 0x17;
                        f[23 % f.length] = (byte) 0xe6;
                    }
                    frames.add(f);
                }
                Counter c = new Counter();
                CaptureSummary s = run(withKey(), CaptureFiles.pcap(lt, frames), c);
                assertThat(s.frames()).isEqualTo(300);
            }
        });
    }

    @Test
    void corruptFilesGiveAClearErrorAndCount() throws IOException {
        byte[] sample = Files.readAllBytes(CaptureFiles.sample("eth-6.1.pcap"));
        // corrupt header
        byte[] bad = sample.clone();
        bad[0] = 0x12;
        Counter c = new Counter();
        CaptureSummary s = run(DissectorOptions.defaults(), bad, c);
        assertThat(s.fileError()).contains("not a pcap or pcapng file");
        assertThat(s.frames()).isZero();
        assertThat(s.clean()).isFalse();
        assertThat(c.malformed).isEqualTo(1);

        // truncated final record: everything before is dissected, the cut record is counted
        c = new Counter();
        s = run(DissectorOptions.defaults(), Arrays.copyOf(sample, sample.length - 10), c);
        assertThat(s.frames()).isEqualTo(1217);
        assertThat(s.badRecords()).isEqualTo(1);
        assertThat(s.fileError()).contains("record 1218 truncated");
        assertThat(c.messages).isGreaterThan(1000);

        // a lying record length in the middle stops reading there with a count
        bad = sample.clone();
        ByteBuffer bb = ByteBuffer.wrap(bad).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bb.putInt(24 + 8, 0x40000000);
        c = new Counter();
        s = run(DissectorOptions.defaults(), bad, c);
        assertThat(s.fileError()).contains("record 1").contains("impossible");
        assertThat(s.badRecords()).isEqualTo(1);

        // empty file
        s = run(DissectorOptions.defaults(), new byte[0], new Counter());
        assertThat(s.fileError()).contains("too short");
    }

    @Test
    void unreadableFileIsAnIOException() {
        TipcCaptureDissector d = new TipcCaptureDissector(DissectorOptions.defaults());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> d.dissect(java.nio.file.Path.of("/nonexistent/x.pcap"), new Counter()))
                .isInstanceOf(IOException.class);
    }

    /**
     * A Linux cooked capture (SLL) record made of 50 000 802.1Q tags: one malformation ("vlan", more than 8 tags, as on
     * Ethernet), the next record read. The cooked path unwrapped tags recursively, one call per tag: a
     * StackOverflowError (an Error, past the dissector's safety net) ended every verb.
     */
    @Test
    void aCookedRecordOfEndlessVlanTagsIsOneMalformation() throws IOException {
        ByteBuffer sll = ByteBuffer.allocate(16 + 4 * 50_000);
        sll.putShort((short) 0).putShort((short) 1).putShort((short) 6).put(new byte[8]).putShort((short) 0x8100);
        while (sll.hasRemaining()) sll.putShort((short) 0).putShort((short) 0x8100);
        List<String> fields = new ArrayList<>();
        Counter c = new Counter() {
            @Override public void onMalformed(CapturedFrame f, String field, String reason) {
                super.onMalformed(f, field, reason);
                fields.add(field + ": " + reason);
            }
        };
        CaptureSummary s = run(DissectorOptions.defaults(), CaptureFiles.pcap(113, List.of(sll.array(), new byte[20])), c);
        assertThat(s.frames()).isEqualTo(2);
        assertThat(fields).containsExactly("vlan: more than 8 VLAN tags");
        assertThat(s.fileError()).isNull();
    }

    /**
     * Reassembled messages with short headers (24-60 bytes is legal framing, msg.c tipc_msg_validate): a 28-byte
     * header (no w7) and a MSG_BUNDLER with a 24-byte one, each in an array of exactly its size. Reading w7 (destnode)
     * or a bundle's later words threw ArrayIndexOutOfBoundsException out of the listener and ended the run; now the
     * words past the message read as 0 and the destination comes from the media address, as for 24-byte headers.
     */
    @Test
    void shortHeadersOfReassembledMessagesAreReadWithinTheMessage() throws IOException {
        byte[] inner28 = words(28, (2 << 29) | (7 << 21) | 28, 3 << 29, 0, 0x1001, 0, 0, 0x1001);
        byte[] bundle24 = words(24, (2 << 29) | (6 << 25) | (6 << 21) | 24, 0, 0, 0x1001, 0, 0);
        List<byte[]> frames = new ArrayList<>();
        int seq = 10;
        for (byte[] inner : List.of(inner28, bundle24)) {
            int half = inner.length / 2;
            frames.add(eth(fragment(0, 1, seq++, Arrays.copyOfRange(inner, 0, half))));
            frames.add(eth(fragment(2, 2, seq++, Arrays.copyOfRange(inner, half, inner.length))));
        }
        List<Integer> sizes = new ArrayList<>();
        Counter c = new Counter() {
            @Override public void onMessage(CapturedMessage m) {
                super.onMessage(m);
                io.jtipc.capture.filter.FieldRecord.ofMessage(m);
                for (int i = 0; i < 15; i++) m.word(i);
                if (m.user() != 12) sizes.add(m.headerSize());
                if (m.headerSize() == 28) {
                    assertThat(m.srcNode()).isEqualTo(0x1001);
                    assertThat(m.dstNode()).as("no w7 in a 28-byte header").isZero();
                }
            }
        };
        CaptureSummary s = run(DissectorOptions.defaults(), CaptureFiles.pcap(1, frames), c);
        assertThat(s.fileError()).isNull();
        assertThat(sizes).as("both reassembled").contains(28, 24);
    }

    /** A TIPC message of header size {@code hs} from big-endian {@code w}, zero-padded. */
    static byte[] words(int hs, int... w) {
        ByteBuffer b = ByteBuffer.allocate(hs);
        for (int x : w) b.putInt(x);
        return b.array();
    }

    /** A 40-byte MSG_FRAGMENTER header (type 0 FIRST, 1, 2 LAST; w4 fragment number) from 0x1001 to 0x1002 + data. */
    static byte[] fragment(int type, int no, int seq, byte[] data) {
        byte[] h = words(40, (2 << 29) | (12 << 25) | (10 << 21) | (40 + data.length), type << 29, seq, 0x1001,
            no << 16, 0, 0x1001, 0x1002);
        byte[] f = Arrays.copyOf(h, 40 + data.length);
        System.arraycopy(data, 0, f, 40, data.length);
        return f;
    }

    /** An Ethernet frame with ethertype 0x88CA from 52:54:00:00:00:01 to :02. */
    static byte[] eth(byte[] payload) {
        byte[] f = new byte[14 + payload.length];
        f[5] = 2;
        f[11] = 1;
        f[0] = f[6] = 0x52;
        f[1] = f[7] = 0x54;
        f[12] = (byte) 0x88;
        f[13] = (byte) 0xca;
        System.arraycopy(payload, 0, f, 14, payload.length);
        return f;
    }
}
