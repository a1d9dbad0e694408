package io.jtipc.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SdWatchdog}: {@code WATCHDOG_USEC}/{@code WATCHDOG_PID} read as sd_watchdog_enabled(3) reads them, and
 * {@code WATCHDOG=1} datagrams only while the probe passes, none after close.
 */
class SdWatchdogTest {

    @Test
    void theIntervalIsReadAsSdWatchdogEnabledReadsIt() {
        assertThat(SdWatchdog.intervalMicros(null, null, 42)).isZero();
        assertThat(SdWatchdog.intervalMicros("3000000", null, 42)).isEqualTo(3_000_000);
        assertThat(SdWatchdog.intervalMicros("3000000", "42", 42)).isEqualTo(3_000_000);
        assertThat(SdWatchdog.intervalMicros("3000000", "43", 42)).as("meant for another process").isZero();
        assertThat(SdWatchdog.intervalMicros("1", null, 42)).isEqualTo(SdWatchdog.MIN_USEC);
        assertThat(SdWatchdog.intervalMicros("9223372036854775807", null, 42)).isEqualTo(SdWatchdog.MAX_USEC);
        assertThatThrownBy(() -> SdWatchdog.intervalMicros("0", null, 42)).hasMessage("WATCHDOG_USEC is not a positive number: '0'");
        assertThatThrownBy(() -> SdWatchdog.intervalMicros("-5", null, 42)).hasMessageStartingWith("WATCHDOG_USEC");
        assertThatThrownBy(() -> SdWatchdog.intervalMicros("3s", null, 42)).hasMessageStartingWith("WATCHDOG_USEC");
        assertThatThrownBy(() -> SdWatchdog.intervalMicros("1000", "x\u001b[2J", 42))
            .hasMessage("WATCHDOG_PID is not a positive number: 'x\\x1b[2J'");
    }

    @Test
    void pingsWhileTheProbePassesAndNoneAfterClose(@TempDir Path dir) throws Exception {
        StringWriter errText = new StringWriter();
        PrintWriter err = new PrintWriter(errText, true);
        String path = dir.resolve("notify").toString();
        AtomicReference<String> health = new AtomicReference<>();
        try (NotifySocket systemd = new NotifySocket(path)) {
            SdWatchdog w = SdWatchdog.start(SdNotify.of(path), 100_000, health::get, err); // a ping every 50 ms
            try {
                assertThat(systemd.receive(10_000, 3)).containsOnly("WATCHDOG=1").hasSize(3);

                health.set("the node's core was busy for 30 s");
                Thread.sleep(150); // a ping may have been on its way when the probe turned
                systemd.drain();
                assertThat(systemd.receive(400, 1)).as("no ping while the probe fails").isEmpty();

                health.set(null);
                assertThat(systemd.receive(10_000, 2)).containsOnly("WATCHDOG=1").hasSize(2);
            } finally {
                w.close();
            }
            long pings = w.pings();
            systemd.drain();
            Thread.sleep(300);
            assertThat(systemd.drain()).as("no ping after close").isEmpty();
            assertThat(w.pings()).isEqualTo(pings);
        }
        // one line per episode, not per withheld ping
        assertThat(errText.toString().lines()).containsExactly(
            "jtipc node: watchdog: WATCHDOG=1 withheld: the node's core was busy for 30 s",
            "jtipc node: watchdog: the node answers again, WATCHDOG=1 resumed");
    }

    @Test
    void theNodeProbeNamesAClosedNode() throws Exception {
        io.jtipc.api.TipcNode node = io.jtipc.api.TipcNode.builder().identity("wd-probe")
            .bearer("udp:127.0.0.1:" + (20000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(20000))).start();
        try {
            assertThat(SdWatchdog.nodeHealth(node)).isNull();
        } finally {
            node.close();
        }
        assertThat(SdWatchdog.nodeHealth(node)).isEqualTo("the node is closed");
    }
}
