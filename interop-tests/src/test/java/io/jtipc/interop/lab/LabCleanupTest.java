package io.jtipc.interop.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jtipc.lab.BootImage;
import io.jtipc.lab.ExecResult;
import io.jtipc.lab.GuestJob;
import io.jtipc.lab.Host;
import io.jtipc.lab.KernelNode;
import io.jtipc.lab.KernelVersion;
import io.jtipc.lab.Lab;
import io.jtipc.lab.LabException;
import io.jtipc.lab.LabOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A lab that fails leaves nothing behind: no namespace, no qemu, no tcpdump. And a guest that does
 * not come up is reported with its stage and console, never as a bare timeout.
 */
class LabCleanupTest {
    private static final List<String> namespaces = new ArrayList<>();
    private static final List<ProcessHandle> qemus = new ArrayList<>();

    @BeforeAll
    static void needsLab() {
        assumeTrue(Lab.unavailableReason().isEmpty(), () -> Lab.unavailableReason().orElse(""));
    }

    @Test
    void failureInsideALabTearsEverythingDown() {
        assertThatThrownBy(() -> {
            try (Lab lab = Lab.create(LabOptions.defaults("LabCleanupTest"))) {
                namespaces.add(lab.netns());
                lab.capture(lab.workDir().resolve("cleanup.pcap"));
                lab.addVeth("jtc0");
                KernelNode n = lab.boot(KernelVersion.V6_1);
                qemus.addAll(qemuChildren());
                assertThat(qemus).isNotEmpty();
                assertThat(n.exec("echo hello; exit 3").exitCode()).isEqualTo(3);
                assertThat(Lab.namespaceExists(lab.netns())).isTrue();
                // a node that dies under a running job: the job ends with the reason, exec says why
                GuestJob job = n.start("echo started; sleep 60");
                job.awaitLine("started"::equals, Duration.ofSeconds(10), "started");
                n.kill();
                assertThatThrownBy(() -> job.await(Duration.ofSeconds(5))).isInstanceOf(LabException.class)
                        .satisfies(e -> assertThat(((LabException) e).stage()).isEqualTo(LabException.Stage.CONTROL));
                assertThatThrownBy(() -> n.exec("true")).isInstanceOf(LabException.class)
                        .hasMessageContaining("n1 is not running");
                throw new IllegalStateException("deliberate failure inside the lab");
            }
        }).hasMessage("deliberate failure inside the lab");
    }

    @Test
    void execTimeoutKillsTheCommandAndTheNodeStaysUsable(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        try (Lab lab = Lab.create(LabOptions.defaults("LabCleanupTest-exec"))) {
            namespaces.add(lab.netns());
            assertThat(lab.netnsPath()).exists();
            Path greeting = Files.writeString(tmp.resolve("greeting.txt"), "hello from the host\n");
            KernelNode n = lab.boot(KernelVersion.V6_1, "n1", java.util.Map.of("greeting", greeting));
            qemus.addAll(qemuChildren());
            assertThat(n.exec("cat " + n.fwCfgPath("greeting")).requireOk().output()).isEqualTo("hello from the host");
            ExecResult r = n.exec("echo started; sleep 30", Duration.ofSeconds(1));
            assertThat(r.timedOut()).isTrue();
            assertThat(r.exitCode()).isEqualTo(137);
            assertThat(r.lines()).containsExactly("started");
            GuestJob bg = n.start("for i in 1 2 3; do echo line $i; done; sleep 60");
            assertThat(bg.awaitLine(l -> l.equals("line 3"), Duration.ofSeconds(10), "line 3")).isEqualTo("line 3");
            bg.stop();
            assertThat(bg.isDone()).isTrue();
            assertThat(n.exec("echo still here").requireOk().output()).isEqualTo("still here");
            n.reboot();
            assertThat(n.exec("cat /proc/uptime").requireOk().output()).isNotEmpty();
            assertThat(n.consoleTail(400)).contains("JTIPC-LAB: ready").containsPattern("(?s)booting n1.*booting n1");
        }
    }

    @Test
    void aGuestThatDiesAtBootIsReportedWithItsConsole(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        try (Lab lab = Lab.create(LabOptions.defaults("LabCleanupTest-badboot").withBootTimeout(Duration.ofSeconds(90)))) {
            namespaces.add(lab.netns());
            BootImage good = lab.options().images().image(KernelVersion.V6_1, lab.options().progress());
            Path initrd = tmp.resolve("broken-initrd.gz");
            writeInitramfsWithoutInit(initrd);
            BootImage broken = new BootImage(good.version(), good.packageName(), good.packageVersion(),
                    good.kernelRelease(), good.vmlinuz(), initrd, tmp);
            assertThatThrownBy(() -> lab.boot(broken, "broken"))
                    .isInstanceOf(LabException.class)
                    .satisfies(e -> {
                        LabException le = (LabException) e;
                        assertThat(le.stage()).isEqualTo(LabException.Stage.BOOT);
                        assertThat(le.getMessage()).contains("broken").contains("panicked");
                        assertThat(le.detail()).contains("console tail").contains("Kernel panic");
                    });
        }
    }

    @Test
    void namespacesOfDeadLabsAreRemovedByTheNextLab() throws Exception {
        long dead = 4_000_000L;
        while (ProcessHandle.of(dead).isPresent()) {
            dead++;
        }
        String stale = Lab.NETNS_PREFIX + dead + "-1";
        namespaces.add(stale);
        assertThat(Host.run("ip", "netns", "add", stale).ok()).isTrue();
        Process orphan = new ProcessBuilder("ip", "netns", "exec", stale, "sleep", "300").start();
        try {
            assertThat(Lab.namespaceExists(stale)).isTrue();
            try (Lab lab = Lab.create(LabOptions.defaults("LabCleanupTest-stale"))) {
                namespaces.add(lab.netns());
                assertThat(Lab.namespaceExists(stale)).isFalse();
                assertThat(orphan.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                assertThat(Lab.namespaceExists(lab.netns())).isTrue();
            }
        } finally {
            orphan.destroyForcibly();
            Host.run("ip", "netns", "delete", stale);
        }
    }

    @AfterAll
    static void nothingIsLeft() {
        for (String ns : namespaces) {
            assertThat(Lab.namespaceExists(ns)).as("namespace %s after close", ns).isFalse();
        }
        for (ProcessHandle q : qemus) {
            assertThat(q.isAlive()).as("qemu %s after close", q.pid()).isFalse();
        }
        assertThat(qemuChildren()).isEmpty();
    }

    /** qemu processes started by this JVM. */
    private static List<ProcessHandle> qemuChildren() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().command().map(c -> c.contains("qemu-system")).orElse(false)).toList();
    }

    /** A valid newc cpio archive holding only a directory: the kernel finds no init and panics. */
    private static void writeInitramfsWithoutInit(Path file) throws IOException {
        ByteArrayOutputStream cpio = new ByteArrayOutputStream();
        cpioEntry(cpio, "dev", 040755);
        cpioEntry(cpio, "TRAILER!!!", 0);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(cpio.toByteArray());
        }
    }

    private static void cpioEntry(ByteArrayOutputStream out, String name, int mode) {
        byte[] n = (name + "\0").getBytes(StandardCharsets.US_ASCII);
        String header = String.format("070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x", 0, mode, 0, 0, 1, 0, 0,
                0, 0, 0, 0, n.length, 0);
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        out.write(h, 0, h.length);
        out.write(n, 0, n.length);
        int pad = (4 - (h.length + n.length) % 4) % 4;
        for (int i = 0; i < pad; i++) {
            out.write(0);
        }
    }
}
