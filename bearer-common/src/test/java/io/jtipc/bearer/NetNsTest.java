package io.jtipc.bearer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class NetNsTest {
    @RegisterExtension
    static final LabNetnsExtension LAB = LabNetnsExtension.perClass(1500);

    static String currentNetns() throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
    }

    @Test
    void taskRunsInTheNamespaceOnAThreadOfItsOwnAndTheCallerStaysPut() throws Exception {
        String before = currentNetns();
        Object labInode = Files.getAttribute(NetNs.pathOf(LAB.name()), "unix:ino");
        String[] inside = new String[2];
        String ns = NetNs.runIn(LAB.name(), () -> {
            inside[0] = Thread.currentThread().getName();
            inside[1] = Files.readString(Path.of("/proc/thread-self/net/dev"));
            return currentNetns();
        });
        assertThat(ns).isEqualTo("net:[" + labInode + "]").isNotEqualTo(before);
        assertThat(inside[0]).isEqualTo("jtipc-netns-" + LAB.name());
        assertThat(inside[1]).contains("va:").contains("vb:");
        assertThat(currentNetns()).isEqualTo(before);
        // null = the caller's namespace, on the caller's thread
        assertThat(NetNs.runIn(null, NetNsTest::currentNetns)).isEqualTo(before);
        assertThat(NetNs.runIn(null, () -> Thread.currentThread())).isSameAs(Thread.currentThread());
    }

    @Test
    void taskExceptionsComeBackAsThrown() {
        assertThatThrownBy(() -> NetNs.runIn(LAB.name(), () -> {
            throw new IOException("io from task");
        })).isInstanceOf(IOException.class).hasMessage("io from task");
        assertThatThrownBy(() -> NetNs.runIn(LAB.name(), () -> {
            throw new IllegalStateException("ise from task");
        })).isInstanceOf(IllegalStateException.class).hasMessage("ise from task");
        assertThatThrownBy(() -> NetNs.runIn(LAB.name(), () -> {
            throw new Exception("checked");
        })).isInstanceOf(IOException.class).hasRootCauseMessage("checked");
    }

    @Test
    void aFileThatIsNotANetworkNamespaceIsRefused() {
        assertThatThrownBy(() -> NetNs.runIn("/proc/self/ns/uts", () -> 1))
                .isInstanceOf(SyscallException.class)
                .hasMessage("/proc/self/ns/uts is not a network namespace (setns failed: EINVAL)");
    }
}
