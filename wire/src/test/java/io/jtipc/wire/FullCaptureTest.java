package io.jtipc.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every frame of the repository's sample captures (../samples, present in a full checkout):
 * validate, describe, reencode byte-exact; reassembly of all fragmented messages.
 */
class FullCaptureTest {
    static Path sample(String name) {
        Path p = Path.of("..", "samples", name);
        Assumptions.assumeTrue(Files.isRegularFile(p), "samples/" + name + " not present");
        return p;
    }

    @Test
    void everyEthernetFrameRoundTripsAndFragmentsReassemble() throws Exception {
        List<TestUtil.Frame> frames = TestUtil.pcapFrames(sample("eth-6.1.pcap"));
        FragmentAssembler<String> asm = new FragmentAssembler<>(4);
        Map<Integer, Integer> completeSizes = new HashMap<>();
        int tipc = 0;
        for (TestUtil.Frame f : frames) {
            byte[] e = f.bytes();
            if (e.length < 14 || (Bytes.getShort(e, 12)) != Tipc.ETH_P_TIPC) continue;
            tipc++;
            byte[] m = Arrays.copyOfRange(e, 14, e.length);
            CaptureGoldenTest.assertRoundTrip(m, "eth frame " + f.index());
            TipcMsg msg = new TipcMsg().wrap(m, 0, m.length);
            if (msg.user() == Tipc.MSG_FRAGMENTER) {
                String key = Bytes.hex(e, 6, 6); // link = sender MAC (one bearer)
                FragmentAssembler.Result r = asm.append(key, m, 0, m.length);
                assertThat(r.status()).as("frame %d", f.index()).isNotEqualTo(FragmentAssembler.Status.ERROR);
                if (r.status() == FragmentAssembler.Status.COMPLETE) {
                    byte[] whole = r.message();
                    CaptureGoldenTest.assertRoundTrip(whole, "reassembled at frame " + f.index());
                    TipcMsg w = new TipcMsg().wrap(whole, 0, whole.length);
                    completeSizes.merge(w.dataSize(), 1, Integer::sum);
                }
            }
        }
        assertThat(tipc).isGreaterThan(1000);
        assertThat(asm.inProgress()).isZero();
        // 4 RDM pings of 66000 B echoed (8), 5 STREAM writes of 30000 B echoed (10)
        assertThat(completeSizes).containsEntry(66000, 8).containsEntry(30000, 10);
    }

    @Test
    void everyEncryptedUdpFrameDecryptsAndRoundTrips() throws Exception {
        List<TestUtil.Frame> frames = TestUtil.pcapFrames(sample("udpcrypto-6.1.pcap"));
        int n = 0;
        for (TestUtil.Frame f : frames) {
            byte[] e = f.bytes();
            if (e.length < 42 || Bytes.getShort(e, 12) != 0x0800) continue;
            int ihl = (e[14] & 15) * 4;
            if (e[14 + 9] != 17 || (Bytes.getShort(e, 14 + 6) & 0x3fff) != 0) continue;
            int tl = Bytes.getShort(e, 16);
            byte[] p = Arrays.copyOfRange(e, 14 + ihl + 8, 14 + tl);
            EncryptionHeader h = new EncryptionHeader().wrap(p, 0, p.length);
            assertThat(h.validate()).isEqualTo(Malformation.OK);
            byte[] d = new byte[p.length];
            assertThat(EncryptionHeader.reencode(p, 0, p.length, d, 0)).isEqualTo(p.length);
            assertThat(d).isEqualTo(p);
            byte[] plain = TestUtil.decrypt(p);
            CaptureGoldenTest.assertRoundTrip(plain, "udp frame " + f.index());
            n++;
        }
        assertThat(n).isEqualTo(549);
    }
}
