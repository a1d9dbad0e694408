package io.jtipc.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * How a {@link Lab} is made.
 *
 * @param workDir     where consoles, qemu logs and captures of this lab go (created)
 * @param images      the boot image cache
 * @param memoryMb    guest memory
 * @param bootTimeout from qemu start to the guest's control server answering
 * @param progress    receives progress lines (downloads, boots)
 */
public record LabOptions(Path workDir, LabImages images, int memoryMb, Duration bootTimeout, Consumer<String> progress) {

    /** Work dir {@code target/lab/NAME} under the current directory, the default cache, 256 MiB, 120 s. */
    public static LabOptions defaults(String name) {
        return new LabOptions(Path.of("target", "lab", name).toAbsolutePath(), LabImages.defaultCache(), 256,
                Duration.ofSeconds(120), line -> System.err.println("[jtipc-lab] " + line));
    }

    public LabOptions withWorkDir(Path dir) {
        return new LabOptions(dir, images, memoryMb, bootTimeout, progress);
    }

    public LabOptions withImages(LabImages cache) {
        return new LabOptions(workDir, cache, memoryMb, bootTimeout, progress);
    }

    public LabOptions withBootTimeout(Duration timeout) {
        return new LabOptions(workDir, images, memoryMb, timeout, progress);
    }

    public LabOptions withProgress(Consumer<String> listener) {
        return new LabOptions(workDir, images, memoryMb, bootTimeout, listener);
    }
}
