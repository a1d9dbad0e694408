package io.jtipc.bearer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Namespace names and errors in words; needs no privilege. */
class NetNsErrorTest {

    @Test
    void namespaceErrorsAreExplained() {
        assertThat(NetNs.error("open", 2, "lab1", "/var/run/netns/lab1").getMessage())
                .isEqualTo("no such network namespace lab1 (/var/run/netns/lab1 not found; create it with `ip netns add lab1`)");
        assertThat(NetNs.error("setns", 1, "lab1", "/var/run/netns/lab1").getMessage())
                .startsWith("entering network namespace lab1 needs CAP_SYS_ADMIN");
        assertThat(NetNs.error("setns", 22, "x", "/tmp/x").getMessage())
                .isEqualTo("/tmp/x is not a network namespace (setns failed: EINVAL)");
    }

    @Test
    void netnsWithBadNameIsRefused() {
        assertThatThrownBy(() -> NetNs.pathOf("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NetNs.pathOf("..")).isInstanceOf(IllegalArgumentException.class);
        assertThat(NetNs.pathOf("lab").toString()).isEqualTo("/var/run/netns/lab");
        assertThat(NetNs.pathOf("/proc/1/ns/net").toString()).isEqualTo("/proc/1/ns/net");
    }
}
