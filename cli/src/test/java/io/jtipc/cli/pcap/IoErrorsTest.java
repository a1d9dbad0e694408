package io.jtipc.cli.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link IoErrors}: a file-system failure gets its reason in words, not only its path. */
class IoErrorsTest {

    @Test
    void reasonsAreSpelledOut(@TempDir Path dir) {
        Path nowhere = dir.resolve("gone").resolve("c.pcapng");
        assertThat(IoErrors.describe(new NoSuchFileException(nowhere.toString()), null))
            .isEqualTo(nowhere + ": no such directory " + nowhere.getParent());
        assertThat(IoErrors.describe(new NoSuchFileException(dir.resolve("c.pcap").toString()), null))
            .isEqualTo(dir.resolve("c.pcap") + ": no such file");
        assertThat(IoErrors.describe(new AccessDeniedException("/root/x"), null)).isEqualTo("/root/x: permission denied");
        // about the file the user named (or a temporary file next to it): the reason alone
        Path given = dir.resolve("out.pcapng");
        assertThat(IoErrors.describe(new UncheckedIOException(new AccessDeniedException(dir.resolve(".out.pcapng.1.tmp")
            .toString())), given)).isEqualTo("permission denied");
        assertThat(IoErrors.describe(new IOException("disk full"), given)).isEqualTo("disk full");
        assertThat(IoErrors.describe(new IllegalStateException(), null)).isEqualTo("java.lang.IllegalStateException");
    }
}
