package io.jtipc.capture;

import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.jtipc.capture.CaptureFiles.MAC_A;
import static io.jtipc.capture.CaptureFiles.MAC_B;
import static io.jtipc.capture.CaptureFiles.eth;
import static io.jtipc.capture.CaptureFiles.ip;
import static io.jtipc.capture.CaptureFiles.ipv4;
import static io.jtipc.capture.CaptureFiles.ipv6;
import static io.jtipc.capture.CaptureFiles.pcap;
import static io.jtipc.capture.CaptureFiles.tipc;
import static io.jtipc.capture.CaptureFiles.udp;
import static org.assertj.core.api.Assertions.assertThat;

/** Synthetic captures exercising each link layer and each TIPC carrier. */
class DissectorTest {
    static final byte[] BCAST = {-1, -1, -1, -1, -1, -1};
    static final int A = 0x1000, B = 0x2000;

    static final class Rec implements TipcMessageListener {
        final List<CapturedMessage> msgs = new ArrayList<>();
        final List<CapturedMessage> enc = new ArrayList<>();
        final List<String> bad = new ArrayList<>();

        @Override public void onMessage(CapturedMessage m) { msgs.add(m.copy()); }

        @Override public void onEncrypted(CapturedMessage m) { enc.add(m.copy()); }

        @Override public void onMalformed(CapturedFrame f, String field, String reason) {
            bad.add(f.frameNumber() + " " + field + ": " + reason);
        }
    }

    static CaptureSummary run(DissectorOptions o, byte[] file, Rec r) throws IOException {
        return new TipcCaptureDissector(o).dissect(new ByteArrayInputStream(file), r);
    }

    /** A STATE message from A to B with the given link seqno. */
    static byte[] state(int seqno) {
        return tipc(7, 0, 40, new byte[0], seqno & 0xffff, A, 0, 0x12340000, A, B, 0, 0);
    }

    @Test
    void everyLinkLayerFindsTheMessage() throws IOException {
        byte[] m = state(7);
        byte[] v4udp = ipv4(ip(10, 0, 0, 1), ip(10, 0, 0, 2), 17, 1, 0, udp(6118, 6118, m));
        byte[] v6a = new byte[16], v6b = new byte[16];
        v6a[0] = (byte) 0xfe;
        v6a[1] = (byte) 0x80;
        v6a[15] = 1;
        v6b[0] = (byte) 0xfe;
        v6b[1] = (byte) 0x80;
        v6b[15] = 2;
        byte[] v6udp = ipv6(v6a, v6b, 17, udp(40000, 6118, m));
        ByteBuffer vlan = ByteBuffer.allocate(4 + m.length).putShort((short) 5).putShort((short) 0x88ca).put(m);
        ByteBuffer qinq = ByteBuffer.allocate(8 + m.length).putShort((short) 5).putShort((short) 0x8100)
                .putShort((short) 6).putShort((short) 0x88ca).put(m);
        ByteBuffer sll = ByteBuffer.allocate(16 + m.length).putShort((short) 0).putShort((short) 1)
                .putShort((short) 6).put(MAC_A).putShort((short) 0).putShort((short) 0x88ca).put(m);
        ByteBuffer sll2 = ByteBuffer.allocate(20 + m.length).putShort((short) 0x88ca).putShort((short) 0).putInt(2)
                .putShort((short) 1).put((byte) 0).put((byte) 6).put(MAC_A).putShort((short) 0).put(m);
        Object[][] cases = {
            {1, eth(MAC_B, MAC_A, 0x88ca, m), "52:54:00:00:00:0a", "52:54:00:00:00:0b"},
            {1, eth(MAC_B, MAC_A, 0x8100, vlan.array()), "52:54:00:00:00:0a", "52:54:00:00:00:0b"},
            {1, eth(MAC_B, MAC_A, 0x88a8, qinq.array()), "52:54:00:00:00:0a", "52:54:00:00:00:0b"},
            {1, eth(MAC_B, MAC_A, 0x0800, v4udp), "10.0.0.1:6118", "10.0.0.2:6118"},
            {113, sll.array(), "52:54:00:00:00:0a", "?"},
            {276, sll2.array(), "52:54:00:00:00:0a", "?"},
            {101, v4udp, "10.0.0.1:6118", "10.0.0.2:6118"},
            {12, v6udp, "[fe80::1]:40000", "[fe80::2]:6118"},
            {228, v4udp, "10.0.0.1:6118", "10.0.0.2:6118"},
            {229, v6udp, "[fe80::1]:40000", "[fe80::2]:6118"},
        };
        for (Object[] c : cases) {
            Rec r = new Rec();
            CaptureSummary s = run(DissectorOptions.defaults(), pcap((Integer) c[0], List.of((byte[]) c[1])), r);
            assertThat(r.bad).as("link type %s", c[0]).isEmpty();
            assertThat(r.msgs).as("link type %s", c[0]).hasSize(1);
            CapturedMessage got = r.msgs.get(0);
            assertThat(got.src().toString()).isEqualTo(c[2]);
            assertThat(got.dst().toString()).isEqualTo(c[3]);
            assertThat(got.user()).isEqualTo(7);
            assertThat(got.srcNode()).isEqualTo(A);
            assertThat(got.dstNode()).isEqualTo(B);
            assertThat(Arrays.copyOfRange(got.buf(), got.offset(), got.offset() + got.length())).isEqualTo(m);
            assertThat(s.tipcFrames()).isEqualTo(1);
        }
    }

    @Test
    void snappedFramesSayTheCaptureCutThem() throws IOException {
        byte[] full = eth(MAC_B, MAC_A, 0x88ca, tipc(0, 3, 32, pattern(500), 0, A, 1, 2, A, B));
        byte[] file = pcap(1, List.of(Arrays.copyOf(full, 100)));
        ByteBuffer.wrap(file).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(24 + 12, full.length); // orig_len
        Rec r = new Rec();
        CaptureSummary s = run(DissectorOptions.defaults(), file, r);
        assertThat(r.bad).singleElement().asString().contains("tipc.size").contains("kept 100 of the frame's 546 bytes");
        assertThat(s.malformed()).isEqualTo(1);
    }

    @Test
    void unsupportedLinkTypesAreCounted() throws IOException {
        CaptureSummary s = run(DissectorOptions.defaults(), pcap(105, List.of(new byte[40], new byte[30])), new Rec());
        assertThat(s.unsupportedLinkFrames()).isEqualTo(2);
        assertThat(s.unsupportedLinkType()).isEqualTo(105);
        assertThat(s.malformed()).isZero();
    }

    @Test
    void udpPortsSelectTipc() throws IOException {
        byte[] f = ipv4(ip(10, 0, 0, 1), ip(10, 0, 0, 2), 17, 1, 0, udp(7000, 7001, state(1)));
        Rec r = new Rec();
        run(DissectorOptions.defaults(), pcap(101, List.of(f)), r);
        assertThat(r.msgs).isEmpty();
        r = new Rec();
        run(DissectorOptions.builder().addUdpPort(7001).build(), pcap(101, List.of(f)), r);
        assertThat(r.msgs).hasSize(1);
    }

    /**
     * A UDP_SEGMENT run captured on loopback before the kernel cut it: one UDP payload of several plain messages back
     * to back, each dissected as its own datagram.
     */
    @Test
    void aSegmentationOffloadRunCapturedWholeIsSplitIntoItsMessages() throws IOException {
        byte[] a = state(1), b = state(2), c = state(3);
        byte[] run = new byte[a.length + b.length + c.length];
        System.arraycopy(a, 0, run, 0, a.length);
        System.arraycopy(b, 0, run, a.length, b.length);
        System.arraycopy(c, 0, run, a.length + b.length, c.length);
        byte[] f = ipv4(ip(127, 0, 0, 1), ip(127, 0, 0, 2), 17, 1, 0, udp(6118, 6118, run));
        Rec r = new Rec();
        CaptureSummary sum = run(DissectorOptions.defaults(), pcap(101, List.of(f)), r);
        assertThat(r.bad).isEmpty();
        assertThat(sum.tipcFrames()).as("one frame").isEqualTo(1);
        assertThat(r.msgs).extracting(m -> m.word(2) & 0xffff).as("link seqno, w2 bits 15-0").containsExactly(1, 2, 3);
    }

    static List<byte[]> fragments4(byte[] udpDatagram, int id, int chunk) {
        List<byte[]> out = new ArrayList<>();
        for (int off = 0; off < udpDatagram.length; off += chunk) {
            int n = Math.min(chunk, udpDatagram.length - off);
            boolean more = off + n < udpDatagram.length;
            out.add(ipv4(ip(10, 0, 0, 1), ip(10, 0, 0, 2), 17, id, (more ? 0x2000 : 0) | (off / 8),
                    Arrays.copyOfRange(udpDatagram, off, off + n)));
        }
        return out;
    }

    @Test
    void ipv4FragmentsReassembleInAnyOrder() throws IOException {
        byte[] big = tipc(0, 3, 32, pattern(2960), 0, A, 11, 22, A, B);
        List<byte[]> frags = fragments4(udp(6118, 6118, big), 77, 1480);
        assertThat(frags).hasSize(3);
        Rec r = new Rec();
        CaptureSummary s = run(DissectorOptions.defaults(), pcap(101, List.of(frags.get(1), frags.get(2), frags.get(0))), r);
        assertThat(r.bad).isEmpty();
        assertThat(r.msgs).hasSize(1);
        assertThat(r.msgs.get(0).frameNumber()).isEqualTo(3);
        assertThat(r.msgs.get(0).buf()).isEqualTo(big);
        assertThat(s.ipFragmentsDropped()).isZero();
    }

    @Test
    void incompleteOrStaleFragmentsAreDroppedAndCounted() throws IOException {
        byte[] big = tipc(0, 3, 32, pattern(2960), 0, A, 11, 22, A, B);
        List<byte[]> frags = fragments4(udp(6118, 6118, big), 78, 1480);
        Rec r = new Rec();
        CaptureSummary s = run(DissectorOptions.defaults(), pcap(101, List.of(frags.get(0), frags.get(2))), r);
        assertThat(r.msgs).isEmpty();
        assertThat(s.ipFragmentsDropped()).isEqualTo(1);

        // first fragment 40 s before the others: the datagram times out (30 s) and never completes
        List<long[]> ts = List.of(new long[] {0}, new long[] {40_000_000_000L}, new long[] {40_000_000_001L});
        r = new Rec();
        s = run(DissectorOptions.defaults(), pcap(false, true, 101, ts, frags), r);
        assertThat(r.msgs).isEmpty();
        assertThat(s.ipFragmentsDropped()).isEqualTo(2);
    }

    @Test
    void ipv6FragmentHeaderReassembles() throws IOException {
        byte[] big = tipc(0, 3, 32, pattern(2000), 0, A, 11, 22, A, B);
        byte[] dgram = udp(6118, 6118, big);
        byte[] src = new byte[16], dst = new byte[16];
        src[15] = 1;
        dst[15] = 2;
        List<byte[]> frames = new ArrayList<>();
        int chunk = 1232;
        for (int off = 0; off < dgram.length; off += chunk) {
            int n = Math.min(chunk, dgram.length - off);
            boolean more = off + n < dgram.length;
            ByteBuffer fh = ByteBuffer.allocate(8 + n).put((byte) 17).put((byte) 0)
                    .putShort((short) (off | (more ? 1 : 0))).putInt(0xabcdef).put(dgram, off, n);
            frames.add(ipv6(src, dst, 44, fh.array()));
        }
        Rec r = new Rec();
        run(DissectorOptions.defaults(), pcap(229, frames), r);
        assertThat(r.bad).isEmpty();
        assertThat(r.msgs).hasSize(1);
        assertThat(r.msgs.get(0).buf()).isEqualTo(big);
        assertThat(r.msgs.get(0).src().toString()).isEqualTo("[::1]:6118");
    }

    @Test
    void bundleContentsFollowTheBundle() throws IOException {
        byte[] m1 = tipc(0, 0, 24, new byte[] {1, 2, 3, 4, 5}, 0, A, 1, 2); // 29 bytes, padded to 32
        byte[] m2 = tipc(8, 2, 40, new byte[0], 0, A, 1, 2, A, B);
        byte[] data = CaptureFiles.concat(m1, new byte[3], m2);
        byte[] bundle = tipc(6, 0, 40, data, 5, A, 0, 0, A, B, 0, 2 << 16);
        Rec r = new Rec();
        run(DissectorOptions.defaults(), pcap(1, List.of(eth(MAC_B, MAC_A, 0x88ca, bundle))), r);
        assertThat(r.bad).isEmpty();
        assertThat(r.msgs).extracting(CapturedMessage::origin).containsExactly(Origin.TOP, Origin.BUNDLED, Origin.BUNDLED);
        assertThat(r.msgs).extracting(CapturedMessage::depth).containsExactly(0, 1, 1);
        assertThat(r.msgs.get(1).buf()).isEqualTo(m1);
        assertThat(r.msgs.get(2).buf()).isEqualTo(m2);
        assertThat(r.msgs.get(2).user()).isEqualTo(8);

        // an inner size that does not fit is reported with the bundle position
        byte[] bad = bundle.clone();
        bad[40 + 32 + 3] = (byte) 0xff; // second inner message's size low byte
        r = new Rec();
        CaptureSummary s = run(DissectorOptions.defaults(), pcap(1, List.of(eth(MAC_B, MAC_A, 0x88ca, bad))), r);
        assertThat(r.bad).singleElement().asString().contains("bundle[1].size");
        assertThat(s.malformed()).isEqualTo(1);
    }

    @Test
    void fragmentsReassemblePerDirectionIgnoringRetransmissions() throws IOException {
        byte[] orig = tipc(0, 2, 40, pattern(3000), 0, A, 5, 6, A, B, 1000, 1);
        byte[][] parts = {Arrays.copyOfRange(orig, 0, 1400), Arrays.copyOfRange(orig, 1400, 2800),
            Arrays.copyOfRange(orig, 2800, orig.length)};
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] f = tipc(12, i == 0 ? 0 : i == 1 ? 1 : 2, 40, parts[i], 100 + i, A, (i + 1) << 16, 0, A, B);
            frames.add(eth(MAC_B, MAC_A, 0x88ca, f));
            if (i == 1) {
                frames.add(eth(MAC_B, MAC_A, 0x88ca, f)); // retransmission
                // the other direction has its own fragment stream
                frames.add(eth(MAC_A, MAC_B, 0x88ca, tipc(12, 0, 40, new byte[100], 50, B, 1 << 16, 0, B, A)));
            }
        }
        Rec r = new Rec();
        run(DissectorOptions.defaults(), pcap(1, frames), r);
        assertThat(r.bad).isEmpty();
        List<CapturedMessage> re = r.msgs.stream().filter(m -> m.origin() == Origin.REASSEMBLED).toList();
        assertThat(re).hasSize(1);
        assertThat(re.get(0).buf()).isEqualTo(orig);
        assertThat(re.get(0).frameNumber()).isEqualTo(5);
    }

    static List<byte[]> fragmentFrames(byte[] orig, int firstSeq, int... skip) {
        List<byte[]> frames = new ArrayList<>();
        int n = (orig.length + 999) / 1000;
        outer:
        for (int i = 0; i < n; i++) {
            for (int k : skip) if (k == i) continue outer;
            byte[] part = Arrays.copyOfRange(orig, i * 1000, Math.min(orig.length, (i + 1) * 1000));
            int type = i == 0 ? 0 : i == n - 1 ? 2 : 1;
            frames.add(eth(MAC_B, MAC_A, 0x88ca, tipc(12, type, 40, part, firstSeq + i, A, (i + 1) << 16, 0, A, B)));
        }
        return frames;
    }

    @Test
    void lateFragmentsAreReorderedByNumber() throws IOException {
        byte[] orig = tipc(0, 2, 40, pattern(3500), 0, A, 5, 6, A, B, 1000, 1);
        List<byte[]> f = fragmentFrames(orig, 500);
        assertThat(f).hasSize(4);
        // fragment 2 was dropped before the wire and went out again after 3 and 4 (seen with qemu guests)
        Rec r = new Rec();
        run(DissectorOptions.defaults(), pcap(1, List.of(f.get(0), f.get(2), f.get(3), f.get(1), f.get(1))), r);
        assertThat(r.bad).isEmpty();
        List<CapturedMessage> re = r.msgs.stream().filter(m -> m.origin() == Origin.REASSEMBLED).toList();
        assertThat(re).singleElement().satisfies(m -> {
            assertThat(m.buf()).isEqualTo(orig);
            assertThat(m.frameNumber()).isEqualTo(4);
        });
    }

    @Test
    void aMessageWithAnUncapturedFragmentIsNotDeliveredAndLaterOnesAre() throws IOException {
        byte[] orig = tipc(0, 2, 40, pattern(3500), 0, A, 5, 6, A, B, 1000, 1);
        List<byte[]> frames = new ArrayList<>(fragmentFrames(orig, 500, 1)); // fragment 2 never captured
        frames.addAll(fragmentFrames(orig, 600));
        frames.addAll(fragmentFrames(orig, 1)); // after a link reset seqnos start again at 1
        Rec r = new Rec();
        CaptureSummary s = run(DissectorOptions.defaults(), pcap(1, frames), r);
        assertThat(r.bad).isEmpty();
        assertThat(s.malformed()).isZero();
        List<CapturedMessage> re = r.msgs.stream().filter(m -> m.origin() == Origin.REASSEMBLED).toList();
        assertThat(re).hasSize(2).allSatisfy(m -> assertThat(m.buf()).isEqualTo(orig));
    }

    @Test
    void tooManyIncompleteMessagesAreGivenUpWithAReport() throws IOException {
        byte[] orig = tipc(0, 2, 40, pattern(2500), 0, A, 5, 6, A, B, 1000, 1);
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < TipcCaptureDissector.MAX_PENDING_PER_DIRECTION + 1; i++) {
            frames.addAll(fragmentFrames(orig, 100 + 10 * i, 1)); // each misses its middle fragment
        }
        Rec r = new Rec();
        run(DissectorOptions.defaults(), pcap(1, frames), r);
        assertThat(r.bad).singleElement().asString().contains("given up").contains("seqno 100");
        assertThat(r.msgs).noneMatch(m -> m.origin() == Origin.REASSEMBLED);
    }

    @Test
    void fragmentNumbersMustFitTheirType() throws IOException {
        byte[] bad = tipc(12, 0, 40, new byte[100], 7, A, 3 << 16, 0, A, B); // FIRST numbered 3
        Rec r = new Rec();
        run(DissectorOptions.defaults(), pcap(1, List.of(eth(MAC_B, MAC_A, 0x88ca, bad))), r);
        assertThat(r.bad).singleElement().asString().contains("fragm_no");
    }

    @Test
    void tunnelledMessageIsReported() throws IOException {
        byte[] inner = tipc(0, 3, 32, pattern(10), 9, A, 1, 2, A, B);
        byte[] synch = tipc(10, 0, 40, inner, 0, A, 0, 0, A, B, 0, 1 << 16);
        Rec r = new Rec();
        run(DissectorOptions.defaults(), pcap(1, List.of(eth(MAC_B, MAC_A, 0x88ca, synch))), r);
        assertThat(r.bad).isEmpty();
        assertThat(r.msgs).extracting(CapturedMessage::origin).containsExactly(Origin.TOP, Origin.TUNNELLED);
        assertThat(r.msgs.get(1).buf()).isEqualTo(inner);
    }

    @Test
    void fragmentedFailoverPiecesReassemble() throws IOException {
        byte[] inner = tipc(0, 3, 32, pattern(2500), 9, A, 1, 2, A, B);
        List<byte[]> frames = new ArrayList<>();
        int n = 3;
        for (int i = 0; i < n; i++) {
            byte[] part = Arrays.copyOfRange(inner, i * 1000, Math.min(inner.length, (i + 1) * 1000));
            byte[] piece = tipc(10, 1, 40, part, 20 + i, A, ((i + 1) << 16) | n, 0, A, B, 0, 1 << 16);
            frames.add(eth(MAC_B, MAC_A, 0x88ca, piece));
        }
        Rec r = new Rec();
        run(DissectorOptions.defaults(), pcap(1, frames), r);
        assertThat(r.bad).isEmpty();
        List<CapturedMessage> re = r.msgs.stream().filter(m -> m.origin() == Origin.REASSEMBLED).toList();
        assertThat(re).singleElement().satisfies(m -> assertThat(m.buf()).isEqualTo(inner));
    }

    // ---------------------------------------------------------------- encryption

    static final byte[] MASTER = DissectorOptions.parseKey(CaptureFiles.SAMPLE_KEY);

    /** Encrypts {@code plain} as a kernel would: ehdr (AAD) || ciphertext || tag. */
    static byte[] encrypt(byte[] material, int user, boolean destined, int txKey, long seq, byte[] tail, int ivAddr,
                          boolean xor, byte[] plain) {
        int ehdrLen = user == 13 ? 28 : 16;
        ByteBuffer e = ByteBuffer.allocate(ehdrLen);
        e.putInt((7 << 29) | (user << 25) | (destined ? 1 << 24 : 0) | (txKey << 22) | (1 << 18)).putLong(seq).put(tail);
        byte[] ehdr = e.array();
        byte[] salt = Arrays.copyOfRange(material, material.length - 4, material.length);
        byte[] iv = new byte[12];
        for (int i = 0; i < 4; i++) iv[i] = (byte) (salt[i] ^ (xor ? (ivAddr >>> (8 * i)) & 0xff : 0));
        System.arraycopy(ehdr, 4, iv, 4, 8);
        GCMModeCipher gcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
        gcm.init(true, new AEADParameters(new KeyParameter(material, 0, material.length - 4), 128, iv, ehdr));
        byte[] out = new byte[gcm.getOutputSize(plain.length)];
        int n = gcm.processBytes(plain, 0, plain.length, out, 0);
        try {
            n += gcm.doFinal(out, n);
        } catch (Exception ex) {
            throw new AssertionError(ex);
        }
        return CaptureFiles.concat(ehdr, Arrays.copyOf(out, n));
    }

    static byte[] be(int v) { return ByteBuffer.allocate(4).putInt(v).array(); }

    @Test
    void sessionKeysLearntFromKeyDistrDecryptLaterFrames() throws IOException {
        byte[] session = new byte[36];
        for (int i = 0; i < session.length; i++) session[i] = (byte) (0x40 + i);
        // discovery from B (master key): teaches the dissector B's identity and address
        byte[] idB = Arrays.copyOf("node-b".getBytes(StandardCharsets.US_ASCII), 16);
        byte[] dscB = tipc(13, 0, 60, idB, 0, B, 4711);
        byte[] f1 = encrypt(MASTER, 13, false, 0, 1, idB, ByteBuffer.wrap(idB).getInt(), true, dscB);
        // KEY_DISTR from A (master key): per-node key
        byte[] body = CaptureFiles.concat(Arrays.copyOf("gcm(aes)".getBytes(StandardCharsets.US_ASCII), 32), be(36), session);
        byte[] kd = tipc(14, 0, 40, body, 3, A, (1 << 16) | 2, 0, A, B);
        byte[] f2 = encrypt(MASTER, 0, true, 0, 2, be(A), A, true, kd);
        // STATE from A to B under the session key in slot 1, IV bound to the destination B
        byte[] st = state(4);
        byte[] f3 = encrypt(session, 7, true, 1, 1, be(A), B, true, st);
        List<byte[]> frames = List.of(eth(BCAST, MAC_B, 0x88ca, f1), eth(MAC_B, MAC_A, 0x88ca, f2),
                eth(MAC_B, MAC_A, 0x88ca, f3));

        Rec r = new Rec();
        TipcCaptureDissector d = new TipcCaptureDissector(DissectorOptions.builder().addKey(MASTER).build());
        CaptureSummary s = d.dissect(new ByteArrayInputStream(pcap(1, frames)), r);
        assertThat(r.bad).isEmpty();
        assertThat(r.enc).isEmpty();
        assertThat(s.decryptedFrames()).isEqualTo(3);
        assertThat(d.sessionKeysLearnt()).isEqualTo(1);
        assertThat(r.msgs).extracting(CapturedMessage::user).containsExactly(13, 14, 7);
        CapturedMessage got = r.msgs.get(2);
        assertThat(got.wasEncrypted()).isTrue();
        assertThat(got.encryptionHeaderLength()).isEqualTo(16);
        assertThat(Arrays.copyOf(got.buf(), got.length())).isEqualTo(st);
        assertThat(d.nodes().idString(B)).isEqualTo("node-b");

        // without the master key nothing is learnt and everything stays encrypted, none malformed
        r = new Rec();
        s = run(DissectorOptions.defaults(), pcap(1, frames), r);
        assertThat(r.enc).hasSize(3);
        assertThat(s.malformed()).isZero();
    }

    @Test
    void clusterSessionKeyUsesTheSenderAddress() throws IOException {
        byte[] session = new byte[20];
        Arrays.fill(session, (byte) 0x33);
        byte[] body = CaptureFiles.concat(Arrays.copyOf("gcm(aes)".getBytes(StandardCharsets.US_ASCII), 32), be(20), session);
        byte[] kd = tipc(14, 0, 40, body, 3, A, (1 << 16) | 1, 0, A, 0);
        byte[] f1 = encrypt(MASTER, 0, false, 0, 5, be(A), A, true, kd);
        byte[] f2 = encrypt(session, 0, true, 2, 1, be(A), A, true, state(9));
        Rec r = new Rec();
        CaptureSummary s = run(DissectorOptions.builder().addKey(MASTER).build(),
                pcap(1, List.of(eth(BCAST, MAC_A, 0x88ca, f1), eth(MAC_B, MAC_A, 0x88ca, f2))), r);
        assertThat(s.decryptedFrames()).isEqualTo(2);
        assertThat(r.msgs.get(1).word(2) & 0xffff).isEqualTo(9);
    }

    @Test
    void keyDistrInPlaintextIsNotTrusted() throws IOException {
        byte[] session = new byte[20];
        byte[] body = CaptureFiles.concat(Arrays.copyOf("gcm(aes)".getBytes(StandardCharsets.US_ASCII), 32), be(20), session);
        byte[] kd = tipc(14, 0, 40, body, 3, A, (1 << 16) | 1, 0, A, 0);
        byte[] f2 = encrypt(session, 0, true, 1, 1, be(A), A, true, state(9));
        Rec r = new Rec();
        run(DissectorOptions.defaults(), pcap(1, List.of(eth(BCAST, MAC_A, 0x88ca, kd), eth(MAC_B, MAC_A, 0x88ca, f2))), r);
        assertThat(r.enc).hasSize(1);
    }

    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 7 + 1);
        return b;
    }
}
