package io.jtipc.capture;

import io.jtipc.wire.EncryptionHeader;
import io.jtipc.wire.FieldSink;
import io.jtipc.wire.Malformation;
import io.jtipc.wire.TipcCodec;
import io.jtipc.wire.TipcDescriber;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden tests over the real kernel captures in samples/: every TIPC message decodes with no malformed
 * or unknown field and re-encodes to exactly its bytes; the encrypted capture decrypts completely.
 */
class SampleCaptureTest {

    /** Collects everything a dissection reports and checks each message through the wire layer. */
    static final class Checker implements TipcMessageListener, FieldSink {
        final List<String> problems = new ArrayList<>();
        final Map<String, Integer> kinds = new TreeMap<>();
        final List<CapturedMessage> reassembled = new ArrayList<>();
        final List<CapturedMessage> encrypted = new ArrayList<>();
        int messages;
        long lastFrame = -1;
        String current;

        @Override public void onMessage(CapturedMessage m) {
            messages++;
            assertThat(m.frameNumber()).isGreaterThanOrEqualTo(lastFrame);
            lastFrame = m.frameNumber();
            current = "frame " + m.frameNumber() + " " + m.origin() + " user " + m.user() + " type " + m.type();
            kinds.merge(m.origin() + " " + m.user() + "/" + m.type(), 1, Integer::sum);
            Malformation v = TipcCodec.validate(m.buf(), m.offset(), m.length());
            if (!v.isOk()) problems.add(current + ": validate " + v);
            Malformation d = TipcDescriber.describe(m.buf(), m.offset(), m.length(), this);
            if (!d.isOk()) problems.add(current + ": describe " + d);
            byte[] re = new byte[m.length()];
            int n = TipcCodec.reencode(m.buf(), m.offset(), m.length(), re, 0);
            if (n != m.length() || !Arrays.equals(re, 0, n, m.buf(), m.offset(), m.offset() + m.length())) {
                problems.add(current + ": reencode differs (" + n + " bytes)");
            }
            if (m.origin() == Origin.REASSEMBLED) reassembled.add(m.copy());
        }

        @Override public void onEncrypted(CapturedMessage m) {
            encrypted.add(m.copy());
            EncryptionHeader e = new EncryptionHeader().wrap(m.buf(), m.offset(), m.length());
            current = "encrypted frame " + m.frameNumber();
            Malformation v = e.describe(this);
            if (!v.isOk()) problems.add(current + ": " + v);
            if (e.headerSize() != m.encryptionHeaderLength()) problems.add(current + ": header size " + e.headerSize());
            byte[] re = new byte[m.length()];
            int n = EncryptionHeader.reencode(m.buf(), m.offset(), m.length(), re, 0);
            if (n != m.length() || !Arrays.equals(re, 0, n, m.buf(), m.offset(), m.offset() + m.length())) {
                problems.add(current + ": encryption header reencode differs");
            }
        }

        @Override public void onMalformed(CapturedFrame f, String field, String reason) {
            problems.add("malformed " + f + " " + field + ": " + reason);
        }

        @Override public void field(String name, long value, String symbolic) {
            if (name.startsWith("unknown") || (symbolic != null && symbolic.toLowerCase().contains("unknown"))) {
                problems.add(current + ": unknown field " + name + "=" + value + " (" + symbolic + ")");
            }
        }

        @Override public void text(String name, String value) { }

        @Override public void bytes(String name, byte[] buf, int off, int len) { }

        @Override public void beginGroup(String name) { }

        @Override public void endGroup() { }
    }

    @Test
    void ethernetCaptureDecodesCompletely() throws IOException {
        Checker c = new Checker();
        TipcCaptureDissector d = new TipcCaptureDissector(DissectorOptions.defaults());
        CaptureSummary s = d.dissect(CaptureFiles.sample("eth-6.1.pcap"), c);
        assertThat(c.problems).isEmpty();
        assertThat(s.clean()).isTrue();
        assertThat(s.frames()).isEqualTo(1218);
        assertThat(s.tipcFrames()).isGreaterThan(1000);
        assertThat(s.messages()).isEqualTo(c.messages);
        assertThat(s.encryptedFrames()).isZero();
        // every user of the scenario shows up: discovery, link protocol, bcast, naming, groups, fragments
        assertThat(c.kinds).containsKeys("TOP 13/0", "TOP 13/1", "TOP 7/0", "TOP 7/1", "TOP 7/2", "TOP 11/0",
                "TOP 11/1", "TOP 12/0", "TOP 12/1", "TOP 12/2", "TOP 5/0", "TOP 8/2", "TOP 9/0", "TOP 9/3",
                "TOP 0/5");
        checkReassembly(c);
        // node identities from discovery
        NodeDirectory n = d.nodes();
        assertThat(n.idString(0x1d1d1248)).isEqualTo("srv-node");
        assertThat(n.idString(0x0d030d48)).isEqualTo("cli-node");
        assertThat(n.addressOf(MediaEndpoint.ethernet(CaptureFiles.MAC_A, 0))).isEqualTo(0x1d1d1248);
        assertThat(n.label(0x0d030d48)).isEqualTo("cli-node/d030d48");
    }

    /** RDM echo: 4 × 66000 B each way, STREAM 5 × 30000 B each way. */
    private static void checkReassembly(Checker c) {
        long rdm66000 = c.reassembled.stream().filter(m -> m.user() == 0 && m.type() == 2 && m.length() - m.headerSize() == 66000).count();
        long rdmReplies = c.reassembled.stream().filter(m -> m.user() == 0 && m.type() == 3 && m.length() - m.headerSize() == 66000).count();
        long stream = c.reassembled.stream().filter(m -> m.type() == 0 && m.length() - m.headerSize() == 30000).count();
        assertThat(rdm66000).isEqualTo(4);
        assertThat(rdmReplies).isEqualTo(4);
        assertThat(stream).isEqualTo(10);
        for (CapturedMessage m : c.reassembled) {
            assertThat(m.depth()).isEqualTo(1);
            // the RDM ping payload is a pattern the agent wrote: all of it arrived in order
            if (m.type() == 2) {
                byte[] b = m.buf();
                for (int i = m.headerSize() + 16; i < m.length(); i++) {
                    assertThat(b[i]).as("byte %d of frame %d", i, m.frameNumber()).isEqualTo(b[m.headerSize() + 16]);
                }
            }
        }
    }

    @Test
    void encryptedCaptureDecryptsEveryFrameWithTheKey() throws IOException {
        Checker c = new Checker();
        DissectorOptions o = DissectorOptions.builder().addKey(DissectorOptions.parseKey(CaptureFiles.SAMPLE_KEY)).build();
        TipcCaptureDissector d = new TipcCaptureDissector(o);
        CaptureSummary s = d.dissect(CaptureFiles.sample("udpcrypto-6.1.pcap"), c);
        assertThat(c.problems).isEmpty();
        assertThat(s.clean()).isTrue();
        assertThat(c.encrypted).isEmpty();
        assertThat(s.encryptedFrames()).isEqualTo(s.tipcFrames()).isGreaterThan(600);
        assertThat(s.decryptedFrames()).isEqualTo(s.encryptedFrames());
        assertThat(s.ipFragmentsDropped()).isZero();
        assertThat(c.kinds).containsKeys("TOP 13/0", "TOP 7/0", "TOP 11/0", "TOP 12/0", "TOP 12/2", "TOP 9/0",
                "TOP 0/5");
        checkReassembly(c);
        // the 14000-byte UDP datagrams came as IP fragments: fragment messages of ~14000 bytes exist
        assertThat(d.nodes().idString(0x1d1d1248)).isEqualTo("srv-node");
        assertThat(d.nodes().addressOf(MediaEndpoint.udp4(CaptureFiles.ip(169, 254, 10, 1), 0, 6118))).isEqualTo(0x1d1d1248);
    }

    @Test
    void encryptedCaptureWithoutKeyDecodesEveryEncryptionHeader() throws IOException {
        Checker c = new Checker();
        CaptureSummary s = new TipcCaptureDissector(DissectorOptions.defaults())
                .dissect(CaptureFiles.sample("udpcrypto-6.1.pcap"), c);
        assertThat(c.problems).isEmpty();
        assertThat(s.malformed()).isZero();
        assertThat(c.messages).isZero();
        assertThat(c.encrypted).hasSize((int) s.encryptedFrames()).hasSizeGreaterThan(600);
        Map<Integer, Integer> byUser = new HashMap<>();
        for (CapturedMessage m : c.encrypted) {
            byte[] e = m.encryptionHeader();
            int w0 = ((e[0] & 0xff) << 24) | ((e[1] & 0xff) << 16) | ((e[2] & 0xff) << 8) | (e[3] & 0xff);
            assertThat(w0 >>> 29).isEqualTo(7);
            int user = (w0 >>> 25) & 15;
            byUser.merge(user, 1, Integer::sum);
            assertThat(m.encryptionHeaderLength()).isEqualTo(user == 13 ? 28 : 16);
            assertThat((w0 >>> 22) & 3).as("all frames use the master key slot").isZero();
            assertThat(w0 & 0x1ffff).as("reserved bits").isZero();
            assertThat(m.wasEncrypted()).isTrue();
            assertThat(m.length()).isGreaterThan(m.encryptionHeaderLength() + 16);
        }
        assertThat(byUser).containsKeys(0, 7, 13);
    }

    @Test
    void wrongKeyLeavesFramesEncryptedButNotMalformed() throws IOException {
        Checker c = new Checker();
        byte[] wrong = DissectorOptions.parseKey(CaptureFiles.SAMPLE_KEY);
        wrong[0] ^= 1;
        CaptureSummary s = new TipcCaptureDissector(DissectorOptions.builder().addKey(wrong).build())
                .dissect(CaptureFiles.sample("udpcrypto-6.1.pcap"), c);
        assertThat(s.malformed()).isZero();
        assertThat(s.decryptedFrames()).isZero();
        assertThat(c.encrypted).hasSize((int) s.encryptedFrames());
    }

    @Test
    void groupMessagesDecode() throws IOException {
        Checker c = new Checker();
        List<int[]> group = new ArrayList<>();
        TipcMessageListener l = new TipcMessageListener() {
            @Override public void onMessage(CapturedMessage m) {
                c.onMessage(m);
                if ((m.user() <= 3 && m.type() >= 5) || m.user() == 9) {
                    group.add(new int[] {m.user(), m.type(), m.word(8), m.word(10) >>> 16});
                }
            }

            @Override public void onMalformed(CapturedFrame f, String field, String reason) { c.onMalformed(f, field, reason); }
        };
        new TipcCaptureDissector(DissectorOptions.defaults()).dissect(CaptureFiles.sample("eth-6.1.pcap"), l);
        assertThat(c.problems).isEmpty();
        // each member broadcast 5 messages to group 77: 10 GRP_BCAST_MSG with group seqnos 0..4 per sender
        List<int[]> bcasts = group.stream().filter(g -> g[0] <= 3 && g[1] == 5).toList();
        assertThat(bcasts).hasSize(10);
        assertThat(bcasts).allSatisfy(g -> assertThat(g[2]).isEqualTo(77));
        assertThat(bcasts.stream().mapToInt(g -> g[3]).sorted().toArray()).containsExactly(0, 0, 1, 1, 2, 2, 3, 3, 4, 4);
        assertThat(group.stream().filter(g -> g[0] == 9)).isNotEmpty();
    }
}
