package io.jtipc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jtipc.capture.CaptureSummary;
import io.jtipc.capture.CapturedFrame;
import io.jtipc.capture.CapturedMessage;
import io.jtipc.capture.DissectorOptions;
import io.jtipc.capture.TipcCaptureDissector;
import io.jtipc.capture.TipcMessageListener;

/** {@code jtipc node --capture FILE}: the node's traffic tap, read back by {@code jtipc pcap}. */
class NodeCaptureTest {
    @TempDir
    Path dir;

    @Test
    void captureHoldsTheNodeLocalEchoAndDissectsClean() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        Path f = dir.resolve("node.pcapng");
        MainTest.Result r = MainTest.run("node", "--identity", "cli-tap", "--bearer", "udp:127.0.0.1:" + port + ",name=tap",
                "--capture", f.toString(), "--echo", "18895:1", "--for", "1", "--timeout", "8", "send", "18895:1", "tap-hello");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("REPLY 9 bytes");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(f)))
            .as("plaintext deliveries: private, as pcap -w").isEqualTo("rw-------");

        List<String> local = new ArrayList<>(), bad = new ArrayList<>();
        CaptureSummary s = new TipcCaptureDissector(DissectorOptions.builder().addUdpPort(port).build())
            .dissect(f, new TipcMessageListener() {
                @Override
                public void onMessage(CapturedMessage m) {
                    if (m.frame().interfaceId() == 0 && m.user() <= 3) {
                        local.add(new String(m.buf(), m.offset() + m.headerSize(), m.length() - m.headerSize(),
                            StandardCharsets.ISO_8859_1));
                    }
                }

                @Override
                public void onMalformed(CapturedFrame fr, String field, String reason) {
                    bad.add(fr + " " + field + " " + reason);
                }
            });
        assertThat(bad).isEmpty();
        assertThat(s.clean()).isTrue();
        assertThat(s.frames()).isEqualTo(s.tipcFrames()).isPositive();
        assertThat(local).as("the request and its echo, node-local").containsExactly("tap-hello", "tap-hello");

        MainTest.Result p = MainTest.run("pcap", "--udp-port", Integer.toString(port), f.toString());
        assertThat(p.code()).as(p.err()).isZero();
        assertThat(p.out()).doesNotContainIgnoringCase("malformed");
    }

    @Test
    void badCaptureBoundsAreUsageErrors() {
        MainTest.Result r = MainTest.run("node", "--identity", "x", "--bearer", "udp:127.0.0.1:1", "--capture", "x.pcapng",
                "--capture-size", "1000", "links");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("capture file size bound 1000 bytes");
        r = MainTest.run("node", "--identity", "x", "--bearer", "udp:127.0.0.1:1", "--capture", "x.pcapng",
                "--capture-files", "0", "links");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("capture files not in 1-1000");
    }
}
