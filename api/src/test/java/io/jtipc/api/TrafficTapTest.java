package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jtipc.bearer.Media;
import io.jtipc.bearer.udp.UdpBearer;
import io.jtipc.capture.CaptureSummary;
import io.jtipc.capture.CapturedFrame;
import io.jtipc.capture.CapturedMessage;
import io.jtipc.capture.DissectorOptions;
import io.jtipc.capture.TipcCaptureDissector;
import io.jtipc.capture.TipcMessageListener;
import io.jtipc.capture.pcap.PcapngWriter;

/**
 * The traffic tap ({@link TipcNode.Builder#capture}): two nodes over UDP on 127.0.0.1/127.0.0.2 and a node-local RDM
 * exchange; the pcapng holds one interface per bearer and one "node-local", every frame the bearer counted, the
 * node-local messages, and the capture module's dissector finds no malformed frame. Rotation keeps its bound; a
 * failing disk is reported and the node runs on.
 */
class TrafficTapTest {
    @TempDir
    Path dir;

    /** The interfaces (link type, name) declared in a pcapng file, in id order. */
    static List<String> interfaces(Path f) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        List<String> r = new ArrayList<>();
        while (b.remaining() >= 12) {
            int start = b.position(), type = b.getInt(start), len = b.getInt(start + 4);
            if (type == 1) {
                int lt = b.getShort(start + 8) & 0xFFFF;
                String name = null;
                for (int o = start + 16; o + 4 <= start + len - 4; ) {
                    int code = b.getShort(o) & 0xFFFF, ol = b.getShort(o + 2) & 0xFFFF;
                    if (code == 0) break;
                    if (code == 2) name = new String(b.array(), o + 4, ol, StandardCharsets.UTF_8);
                    o += 4 + (ol + 3 & ~3);
                }
                r.add(lt + " " + name);
            }
            b.position(start + len);
        }
        return r;
    }

    /**
     * Checks the synthesized headers of every frame on a LINKTYPE_RAW interface of {@code f}: the IPv4 header
     * checksum and the UDP checksum over the pseudo header (RFC 768/791, recomputed here independently of the tap).
     *
     * @return the number of IPv4/UDP frames checked
     */
    static int checkIpUdpChecksums(Path f) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        List<Integer> linkTypes = new ArrayList<>();
        int checked = 0;
        while (b.remaining() >= 12) {
            int start = b.position(), type = b.getInt(start), len = b.getInt(start + 4);
            if (type == 1) linkTypes.add(b.getShort(start + 8) & 0xFFFF);
            if (type == 6 && linkTypes.get(b.getInt(start + 8)) == 101) {
                int cap = b.getInt(start + 20), d = start + 28;
                byte[] a = b.array();
                assertThat(a[d] & 0xFF).as("IPv4, 20-byte header").isEqualTo(0x45);
                assertThat(ones(a, d, 20, 0)).as("IPv4 header checksum of block at " + start).isEqualTo(0xFFFF);
                assertThat(a[d + 9]).isEqualTo((byte) 17);
                int ulen = (a[d + 24] & 0xFF) << 8 | (a[d + 25] & 0xFF);
                assertThat(ulen).isEqualTo(cap - 20);
                assertThat((a[d + 26] & 0xFF) << 8 | (a[d + 27] & 0xFF)).as("UDP checksum present").isNotZero();
                int pseudo = ones(a, d + 12, 8, 17 + ulen);
                assertThat(ones(a, d + 20, ulen, pseudo)).as("UDP checksum of block at " + start).isEqualTo(0xFFFF);
                checked++;
            }
            b.position(start + len);
        }
        return checked;
    }

    /** One's complement 16-bit sum of {@code len} bytes at {@code off} plus {@code start}, folded. */
    private static int ones(byte[] a, int off, int len, int start) {
        long s = start;
        for (int i = 0; i < len; i += 2) s += (a[off + i] & 0xFF) << 8 | (i + 1 < len ? a[off + i + 1] & 0xFF : 0);
        while (s > 0xFFFF) s = (s & 0xFFFF) + (s >>> 16);
        return (int) s;
    }

    /** What the dissector found: the summary, and the data messages on interface {@code localIf}. */
    record Dissected(CaptureSummary summary, List<String> localPayloads, List<String> malformed, long[] perIface) {}

    static Dissected dissect(Path f, int udpPort, int localIf) throws IOException {
        List<String> local = new ArrayList<>(), bad = new ArrayList<>();
        long[] perIface = new long[4];
        long[] lastFrame = {0};
        CaptureSummary s = new TipcCaptureDissector(DissectorOptions.builder().addUdpPort(udpPort).build())
            .dissect(f, new TipcMessageListener() {
                @Override
                public void onMessage(CapturedMessage m) {
                    CapturedFrame fr = m.frame();
                    if (fr.frameNumber() != lastFrame[0]) {
                        lastFrame[0] = fr.frameNumber();
                        perIface[fr.interfaceId()]++;
                    }
                    if (fr.interfaceId() == localIf && m.user() <= 3 && m.depth() == 0) {
                        int h = m.headerSize();
                        local.add(new String(m.buf(), m.offset() + h, m.length() - h, StandardCharsets.ISO_8859_1));
                    }
                }

                @Override
                public void onMalformed(CapturedFrame fr, String field, String reason) {
                    bad.add(fr + ": " + field + ": " + reason);
                }
            });
        return new Dissected(s, local, bad, perIface);
    }

    @Test
    void twoNodesOverUdpAndANodeLocalExchangeAreCapturedWhole() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a1 = "127.0.0.1:" + port, b1 = "127.0.0.2:" + port;
        Path cap = dir.resolve("a.pcapng");
        List<Media> mediaA = new CopyOnWriteArrayList<>();
        TipcNode a = TipcNode.builder().identity("jt-tap-a").bearer("udp:" + a1 + ",remote=" + b1 + ",name=ua")
            .mediaWrapper(m -> {
                mediaA.add(m);
                return m;
            }).capture(cap).build();
        long nodeLocalSent = 0;
        try (a; TipcNode b = TipcNode.builder().identity("jt-tap-b").bearer("udp:" + b1 + ",remote=" + a1 + ",name=ub").build()) {
            TwoNodeChecks.startBoth(a, b);
            a.awaitLinkUp(TwoNodeChecks.T);
            b.awaitLinkUp(TwoNodeChecks.T);
            // RDM over the link
            try (TipcSocket rx = TipcSocket.rdm(b); TipcSocket tx = TipcSocket.rdm(a)) {
                rx.bind(TipcAddress.ofService(18901, 1));
                a.awaitBinding(x -> x.type() == 18901, TwoNodeChecks.T);
                for (int i = 0; i < 20; i++) {
                    tx.send(TipcAddress.ofService(18901, 1), TwoNodeChecks.pattern(100 + 300 * i, i));
                    assertThat(rx.receive(TwoNodeChecks.T)).isNotNull();
                }
            }
            // RDM between two sockets of node a: node-local
            try (TipcSocket server = TipcSocket.rdm(a); TipcSocket client = TipcSocket.rdm(a)) {
                server.bind(TipcAddress.ofService(18902, 7));
                a.awaitBinding(x -> x.type() == 18902 && x.node() == a.address(), TwoNodeChecks.T);
                for (int i = 0; i < 10; i++) {
                    client.send(TipcAddress.ofService(18902, 7), ("local-request-" + i).getBytes(StandardCharsets.US_ASCII));
                    TipcMessage m = server.receive(TwoNodeChecks.T);
                    assertThat(m).isNotNull();
                    server.send(m.source(), ("local-reply-" + i).getBytes(StandardCharsets.US_ASCII));
                    assertThat(client.receive(TwoNodeChecks.T)).isNotNull();
                    nodeLocalSent += 2;
                }
            }
        }
        assertThat(a.captureDropped()).isZero();
        UdpBearer u = (UdpBearer) mediaA.get(0);
        long bearerFrames = u.framesSent() + u.framesReceived();
        assertThat(bearerFrames).isGreaterThan(40);

        assertThat(interfaces(cap)).containsExactly("1 node-local", "101 udp:ua");
        Dissected d = dissect(cap, port, 0);
        assertThat(d.malformed()).isEmpty();
        assertThat(d.summary().clean()).isTrue();
        assertThat(d.summary().tipcFrames()).as("every frame is TIPC").isEqualTo(d.summary().frames());
        // every frame the bearer sent or received, plus the node-local messages (the tap wrote what it was given)
        assertThat(a.capturedFrames()).isEqualTo(d.summary().frames()).isEqualTo(a.tap().tapped());
        assertThat(d.perIface()[1]).as("frames on the UDP bearer's interface").isEqualTo(bearerFrames);
        assertThat(checkIpUdpChecksums(cap)).as("UDP frames with correct checksums").isEqualTo((int) bearerFrames);
        for (int i = 0; i < 10; i++) {
            assertThat(d.localPayloads()).contains("local-request-" + i, "local-reply-" + i);
        }
        assertThat(d.perIface()[0]).as("node-local frames").isGreaterThanOrEqualTo(nodeLocalSent);
    }

    @Test
    void rotationKeepsTheSizeAndFileBound() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        Path cap = dir.resolve("r.pcapng");
        long max = TrafficTap.MIN_FILE_BYTES;
        // a capture of an earlier run, readable by all: the tap's files are private (plaintext deliveries)
        Files.write(cap, new byte[10]);
        Files.setPosixFilePermissions(cap, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        try (TipcNode a = TipcNode.builder().identity("jt-tap-r").bearer("udp:127.0.0.1:" + port + ",name=ur")
                .capture(cap, max, 3).start();
             TipcSocket server = TipcSocket.rdm(a); TipcSocket client = TipcSocket.rdm(a)) {
            server.bind(TipcAddress.ofService(18903, 1));
            a.awaitBinding(x -> x.type() == 18903, TwoNodeChecks.T);
            for (int i = 0; i < 600; i++) { // 600 x ~1 KiB: about 5 files' worth
                client.send(TipcAddress.ofService(18903, 1), TwoNodeChecks.pattern(1000, i));
                assertThat(server.receive(TwoNodeChecks.T)).isNotNull();
            }
            a.close();
            assertThat(a.tap().rotations()).isGreaterThanOrEqualTo(3);
            assertThat(a.captureDropped()).isZero();
        }
        assertThat(dir.resolve("r.pcapng.3")).doesNotExist();
        long frames = 0;
        for (String n : new String[] {"r.pcapng", "r.pcapng.1", "r.pcapng.2"}) {
            Path f = dir.resolve(n);
            assertThat(Files.size(f)).as(n).isLessThanOrEqualTo(max);
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).as(n)
                .isEqualTo("rw-------");
            assertThat(interfaces(f)).as(n).containsExactly("1 node-local", "101 udp:ur");
            Dissected d = dissect(f, port, 0);
            assertThat(d.malformed()).as(n).isEmpty();
            assertThat(d.summary().clean()).as(n).isTrue();
            frames += d.summary().frames();
        }
        assertThat(frames).isGreaterThan(100);
    }

    @Test
    void aFailingDiskIsReportedAndTheNodeRunsOn() throws Exception {
        Path full = Path.of("/dev/full"); // every write fails with ENOSPC
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(full), "/dev/full");
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        try (TipcNode a = TipcNode.builder().identity("jt-tap-f").bearer("udp:127.0.0.1:" + port).capture(full).start();
             TipcSocket server = TipcSocket.rdm(a); TipcSocket client = TipcSocket.rdm(a)) {
            server.bind(TipcAddress.ofService(18904, 1));
            a.awaitBinding(x -> x.type() == 18904, TwoNodeChecks.T);
            // enough to overflow the tap's 64 KiB stream buffer at once, then more after the failure
            for (int i = 0; i < 200; i++) {
                client.send(TipcAddress.ofService(18904, 1), TwoNodeChecks.pattern(1000, i));
                assertThat(server.receive(TwoNodeChecks.T)).isNotNull();
            }
            long t0 = System.nanoTime();
            while (!a.tap().failed() && System.nanoTime() - t0 < 10_000_000_000L) Thread.sleep(20);
            assertThat(a.tap().failed()).isTrue();
            client.send(TipcAddress.ofService(18904, 1), new byte[] {1});
            assertThat(server.receive(TwoNodeChecks.T)).isNotNull();
            assertThat(a.state()).isEqualTo(TipcNodeState.RUNNING);
            assertThat(a.captureDropped()).isPositive();
        }
    }

    @Test
    void boundsAreChecked() {
        var b = TipcNode.builder();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.capture(Path.of("x"), TrafficTap.MIN_FILE_BYTES - 1, 2))
            .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.capture(Path.of("x"), 1L << 20, 0))
            .isInstanceOf(IllegalArgumentException.class);
        assertThat(PcapngWriter.LINKTYPE_RAW).isEqualTo(101);
    }
}
