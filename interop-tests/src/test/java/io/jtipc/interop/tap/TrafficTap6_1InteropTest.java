package io.jtipc.interop.tap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcMessage;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcSocket;
import io.jtipc.capture.CapturedFrame;
import io.jtipc.capture.CapturedMessage;
import io.jtipc.capture.DissectorOptions;
import io.jtipc.capture.TipcCaptureDissector;
import io.jtipc.capture.TipcMessageListener;
import io.jtipc.capture.pcap.PcapReader;
import io.jtipc.capture.pcap.PcapRecord;
import io.jtipc.lab.GuestJob;
import io.jtipc.lab.KernelNode;
import io.jtipc.lab.KernelVersion;
import io.jtipc.lab.Lab;
import io.jtipc.lab.PacketCapture;
import io.jtipc.lab.Veth;
import io.jtipc.lab.junit.CaptureCheck;
import io.jtipc.lab.junit.LabExtension;

/**
 * Issue 17, traffic tap: a jtipc node with an Ethernet bearer on the lab bridge, linked to a Debian bookworm 6.1
 * kernel node, captures its own traffic ({@code TipcNode.builder().capture}). RDM traffic with the kernel and a
 * node-local RDM exchange between two jtipc sockets; then the tap's pcapng holds the node-local exchange, every
 * frame the bridge capture shows from the jtipc node's MAC (whole frame, bytes compared) and every frame to it
 * (source MAC, ethertype and payload compared: the node does not see a received frame's destination MAC), and it
 * dissects with no malformed frame.
 */
@ExtendWith(LabExtension.class)
class TrafficTap6_1InteropTest {
    static final Duration T = Duration.ofSeconds(60);

    @Test
    void tapHoldsEveryBridgeFrameOfTheNodeAndItsNodeLocalTraffic(Lab lab) throws Exception {
        PacketCapture bridge = lab.capture(LabExtension.pcapPath(lab, "tap-bridge-6.1"));
        Veth veth = lab.addVeth("jt0");
        KernelNode k = lab.boot(KernelVersion.V6_1);
        k.setIdentity(k.name()).enableEthBearer();
        Path tap = lab.workDir().resolve("tap-jtipc.pcapng");
        TipcNode node = TipcNode.builder().identity("jtipc-tap").netns(veth.netns()).bearer("eth:" + veth.name())
            .capture(tap).start();
        Instant started = Instant.now(); // the bearer is open: every frame on the bridge from now on reaches the node
        Instant closing;
        try {
            node.awaitLinkUp(T);
            k.awaitUpLinks(1, T);
            // RDM with the kernel: jtipc -> kernel echo, 50 x 100 B and 5 x 3000 B (fragmented)
            try (GuestJob echo = k.startAgent("rdm-echo", "18886", "1").awaitReady(T);
                 TipcSocket s = TipcSocket.rdm(node)) {
                node.awaitBinding(x -> x.type() == 18886, T);
                for (int size : new int[] {100, 3000}) {
                    for (int i = 0; i < (size == 100 ? 50 : 5); i++) {
                        byte[] p = ("kernel-" + i + "-").repeat(size / 8).getBytes(StandardCharsets.US_ASCII);
                        s.send(TipcAddress.ofService(18886, 1), p);
                        TipcMessage r = s.receive(T);
                        assertThat(r).as("echo %d of %d bytes", i, p.length).isNotNull();
                        assertThat(r.payload()).isEqualTo(p);
                    }
                }
            }
            // node-local RDM between two jtipc sockets
            try (TipcSocket server = TipcSocket.rdm(node); TipcSocket client = TipcSocket.rdm(node)) {
                server.bind(TipcAddress.ofService(18887, 3));
                node.awaitBinding(x -> x.type() == 18887 && x.node() == node.address(), T);
                for (int i = 0; i < 10; i++) {
                    client.send(TipcAddress.ofService(18887, 3), ("node-local-request-" + i).getBytes(StandardCharsets.US_ASCII));
                    TipcMessage m = server.receive(T);
                    assertThat(m).isNotNull();
                    server.send(m.source(), ("node-local-reply-" + i).getBytes(StandardCharsets.US_ASCII));
                    assertThat(client.receive(T)).isNotNull();
                }
            }
        } finally {
            closing = Instant.now();
            node.close(); // flushes and closes the tap
        }
        assertThat(node.captureDropped()).isZero();
        // tcpdump hands frames over in blocks of up to ~1 s: let it see the node's last frames
        Thread.sleep(2000);
        Path bridgeFile = bridge.stop();

        // the tap: interface 0 is node-local, 1 the Ethernet bearer
        List<String> local = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        new TipcCaptureDissector(DissectorOptions.defaults()).dissect(tap, new TipcMessageListener() {
            @Override
            public void onMessage(CapturedMessage m) {
                if (m.frame().interfaceId() == 0 && m.user() <= 3 && m.depth() == 0) {
                    local.add(new String(m.buf(), m.offset() + m.headerSize(), m.length() - m.headerSize(),
                        StandardCharsets.ISO_8859_1));
                }
            }

            @Override
            public void onMalformed(CapturedFrame f, String field, String reason) {
                bad.add(f + " " + field + ": " + reason);
            }
        });
        assertThat(bad).as("malformed frames in the tap").isEmpty();
        CaptureCheck.Report rep = CaptureCheck.check(tap).requireClean();
        System.err.println("[tap-interop] tap " + rep);
        for (int i = 0; i < 10; i++) assertThat(local).contains("node-local-request-" + i, "node-local-reply-" + i);

        byte[] mac = HexFormat.ofDelimiter(":").parseHex(veth.mac());
        Map<String, Integer> tapSent = new HashMap<>(), tapRcvd = new HashMap<>();
        long tapBearerFrames = 0;
        try (PcapReader r = PcapReader.open(tap)) {
            PcapRecord rec = new PcapRecord();
            while (r.next(rec)) {
                if (rec.interfaceId != 1) continue;
                tapBearerFrames++;
                byte[] f = java.util.Arrays.copyOfRange(rec.data, rec.offset, rec.offset + rec.capturedLength);
                if (java.util.Arrays.equals(f, 6, 12, mac, 0, 6)) tapSent.merge(hex(f, 0), 1, Integer::sum);
                else tapRcvd.merge(hex(f, 6), 1, Integer::sum);
            }
        }
        long closingNs = closing.getEpochSecond() * 1_000_000_000L + closing.getNano();
        long startedNs = started.getEpochSecond() * 1_000_000_000L + started.getNano();
        int broadcasts = 0;
        int sent = 0, rcvd = 0;
        List<String> missing = new ArrayList<>();
        try (PcapReader r = PcapReader.open(bridgeFile)) {
            PcapRecord rec = new PcapRecord();
            while (r.next(rec)) {
                if (rec.error != null || rec.capturedLength < 14) continue;
                byte[] f = java.util.Arrays.copyOfRange(rec.data, rec.offset, rec.offset + rec.capturedLength);
                if ((f[12] & 0xFF) != 0x88 || (f[13] & 0xFF) != 0xCA) continue;
                boolean fromNode = java.util.Arrays.equals(f, 6, 12, mac, 0, 6);
                boolean broadcast = java.util.Arrays.equals(f, 0, 6, BROADCAST, 0, 6);
                // the kernel's discovery and broadcast-link frames reach the node too (the tap writes their
                // destination MAC as it can, so they are compared from the source MAC on, as unicast ones)
                boolean toNode = java.util.Arrays.equals(f, 0, 6, mac, 0, 6)
                    || broadcast && !fromNode && rec.timestampNanos > startedNs;
                if (toNode && broadcast && rec.timestampNanos < closingNs) broadcasts++;
                if (fromNode) {
                    sent++;
                    if (tapSent.merge(hex(f, 0), -1, Integer::sum) < 0) missing.add("sent frame " + rec.number);
                } else if (toNode && rec.timestampNanos < closingNs) {
                    // after the close began the bearer may be closed already: a frame then is not received
                    rcvd++;
                    if (tapRcvd.merge(hex(f, 6), -1, Integer::sum) < 0) missing.add("received frame " + rec.number);
                }
            }
        }
        System.err.printf("[tap-interop] bridge: %d frames from the jtipc node, %d to it; tap: %d bearer frames, %d "
            + "node-local messages; missing %s%n", sent, rcvd, tapBearerFrames, local.size(), missing);
        assertThat(sent).isGreaterThan(50);
        assertThat(rcvd).isGreaterThan(50);
        assertThat(broadcasts).as("the kernel's broadcast frames compared").isPositive();
        assertThat(missing).as("bridge frames of the jtipc node missing from its tap").isEmpty();
        assertThat(Files.size(tap)).isPositive();
    }

    private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};

    private static String hex(byte[] f, int from) {
        return HexFormat.of().formatHex(f, from, f.length);
    }
}
