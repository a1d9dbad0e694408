package io.jtipc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SdNotify}: datagrams to a path or an abstract name as sd_notify(3) sends them; other forms reported once. */
class SdNotifyTest {

    @Test
    void sendsToAPathAndToAnAbstractName(@TempDir Path dir) throws Exception {
        StringWriter errText = new StringWriter();
        PrintWriter err = new PrintWriter(errText, true);
        String path = dir.resolve("notify").toString();
        try (NotifySocket s = new NotifySocket(path)) {
            SdNotify n = SdNotify.of(path);
            assertThat(n.enabled()).isTrue();
            assertThat(n.send("READY=1\nSTATUS=up", err)).isTrue();
            assertThat(n.send("STOPPING=1", err)).isTrue();
            assertThat(s.receive(5000, 2)).containsExactly("READY=1\nSTATUS=up", "STOPPING=1");
        }
        String abstractName = "@jtipc-test-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        try (NotifySocket s = new NotifySocket(abstractName)) {
            assertThat(SdNotify.of(abstractName).send("READY=1", err)).isTrue();
            assertThat(s.receive(5000, 1)).containsExactly("READY=1");
        }
        assertThat(errText.toString()).isEmpty();
    }

    @Test
    void withoutNotifySocketNothingIsSentAndOtherFormsAreReportedOnce() {
        StringWriter errText = new StringWriter();
        PrintWriter err = new PrintWriter(errText, true);
        assertThat(SdNotify.of(null).enabled()).isFalse();
        assertThat(SdNotify.of("").send("READY=1", err)).isFalse();
        SdNotify vsock = SdNotify.of("vsock:2:1234");
        assertThat(vsock.enabled()).isTrue();
        assertThat(vsock.send("READY=1", err)).isFalse();
        assertThat(vsock.send("STOPPING=1", err)).isFalse();
        SdNotify gone = SdNotify.of("/nonexistent-dir-" + System.nanoTime() + "/notify");
        assertThat(gone.send("READY=1", err)).isFalse();
        assertThat(gone.send("READY=1", err)).isFalse();
        assertThat(SdNotify.of("/" + "x".repeat(SdNotify.SUN_PATH)).send("READY=1", err)).isFalse();
        assertThat(errText.toString().lines())
            .containsExactly(
                "jtipc node: sd_notify: NOTIFY_SOCKET is not a path or @name (only those are supported); the node runs on without telling systemd",
                "jtipc node: sd_notify: sendto NOTIFY_SOCKET failed, errno 2; the node runs on without telling systemd",
                "jtipc node: sd_notify: NOTIFY_SOCKET is longer than sun_path; the node runs on without telling systemd");
    }
}
