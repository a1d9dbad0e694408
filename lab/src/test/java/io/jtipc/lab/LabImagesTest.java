package io.jtipc.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabImagesTest {

    @Test
    void anUnreachableMirrorIsADownloadFailureWithTheAptLog(@TempDir Path cache) {
        assumeTrue(Lab.unavailableReason().isEmpty(), () -> Lab.unavailableReason().orElse(""));
        // port 9 (discard) on loopback: nothing listens, apt fails at once
        LabImages images = new LabImages(cache, Map.of("JTIPC_LAB_MIRROR", "http://127.0.0.1:9/debian",
                "JTIPC_LAB_SECURITY_MIRROR", "http://127.0.0.1:9/debian-security"));
        assertThatThrownBy(() -> images.image(KernelVersion.V6_12, line -> { }))
                .isInstanceOf(LabException.class)
                .satisfies(e -> {
                    LabException le = (LabException) e;
                    assertThat(le.stage()).isEqualTo(LabException.Stage.DOWNLOAD);
                    assertThat(le.getMessage()).contains("6.12 (trixie)").contains("apt-get update for trixie failed")
                            .contains("127.0.0.1:9");
                    assertThat(le.detail()).contains("build log:");
                });
    }

    @Test
    void theCacheDirectoryFollowsTheEnvironment() {
        String env = System.getenv("JTIPC_LAB_CACHE");
        Path dir = LabImages.defaultCacheDir();
        if (env != null && !env.isBlank()) {
            assertThat(dir).isEqualTo(Path.of(env));
        } else {
            assertThat(dir.toString()).endsWith("jtipc-lab");
        }
    }
}
