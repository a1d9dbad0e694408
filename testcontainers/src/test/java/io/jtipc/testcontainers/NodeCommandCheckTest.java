package io.jtipc.testcontainers;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.jtipc.lab.KernelVersion;

/** The checks {@link TipcKernelContainer} makes before a command reaches the node's one-line control protocol. */
class NodeCommandCheckTest {
    @Test
    void commandsThatWouldSplitOrOverflowTheRequestLineAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> TipcKernelContainer.checkCommand("true\nRUN x 0 reboot"));
        assertThrows(IllegalArgumentException.class, () -> TipcKernelContainer.checkCommand("true\rRUN x 0 reboot"));
        assertThrows(IllegalArgumentException.class, () -> TipcKernelContainer.checkCommand(""));
        String max = "x".repeat(TipcKernelContainer.MAX_COMMAND_BYTES);
        assertDoesNotThrow(() -> TipcKernelContainer.checkCommand(max));
        assertThrows(IllegalArgumentException.class, () -> TipcKernelContainer.checkCommand(max + "x"));
        // bytes, not chars: 4000 two-byte characters plus one
        assertThrows(IllegalArgumentException.class,
                () -> TipcKernelContainer.checkCommand("\u00e9".repeat(TipcKernelContainer.MAX_COMMAND_BYTES / 2) + "x"));
    }

    @Test
    void execTimeoutMustBePositive() {
        TipcKernelContainer k = new TipcKernelContainer(KernelVersion.parse("6.1"), TipcKernelContainer.Mode.QEMU);
        assertThrows(IllegalArgumentException.class, () -> k.withExecTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> k.withExecTimeout(Duration.ofSeconds(-1)));
        assertDoesNotThrow(() -> k.withExecTimeout(Duration.ofMillis(1)));
    }
}
