package io.jtipc.lab.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LabExtension#deleteCaptures}: what a passing class's lab work dir loses, and what it keeps. */
class LabExtensionCapturesTest {
    @TempDir
    Path dir;

    @Test
    void deletesCapturesAnywhereUnderTheWorkDirAndKeepsTheRest() throws Exception {
        Files.write(dir.resolve("conn-6.1.pcap"), new byte[1000]);
        Files.createDirectories(dir.resolve("n1"));
        Files.write(dir.resolve("n1").resolve("tap.pcapng"), new byte[24]);
        Files.writeString(dir.resolve("n1").resolve("console.log"), "boot\n");
        Files.writeString(dir.resolve("qemu.log"), "ok\n");
        Files.createDirectories(dir.resolve("x.pcap")); // a directory with a capture's name stays

        assertThat(LabExtension.deleteCaptures(dir)).isEqualTo(1024);

        assertThat(dir.resolve("conn-6.1.pcap")).doesNotExist();
        assertThat(dir.resolve("n1").resolve("tap.pcapng")).doesNotExist();
        assertThat(dir.resolve("n1").resolve("console.log")).hasContent("boot");
        assertThat(dir.resolve("qemu.log")).exists();
        assertThat(dir.resolve("x.pcap")).isDirectory();
        assertThat(LabExtension.deleteCaptures(dir)).isZero();
    }

    @Test
    void aMissingWorkDirFreesNothing() {
        assertThat(LabExtension.deleteCaptures(dir.resolve("never-made"))).isZero();
    }
}
