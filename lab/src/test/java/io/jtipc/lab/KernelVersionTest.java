package io.jtipc.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KernelVersionTest {
    @Test
    void parsesLabelsSuitesAndNames() {
        assertThat(KernelVersion.parse("5.10")).isEqualTo(KernelVersion.V5_10);
        assertThat(KernelVersion.parse("bookworm")).isEqualTo(KernelVersion.V6_1);
        assertThat(KernelVersion.parse(" 6.12 ")).isEqualTo(KernelVersion.V6_12);
        assertThat(KernelVersion.parse("v6_1")).isEqualTo(KernelVersion.V6_1);
        assertThat(KernelVersion.V6_12.debianSuite()).isEqualTo("trixie");
        assertThat(KernelVersion.V5_10.debianSuite()).isEqualTo("bullseye");
    }

    @Test
    void rejectsUnknownVersionsNamingTheAcceptedOnes() {
        assertThatThrownBy(() -> KernelVersion.parse("4.19")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4.19").hasMessageContaining("5.10 (bullseye)").hasMessageContaining("6.12 (trixie)");
    }

    @Test
    void shellQuotingKeepsArgumentsWhole() {
        assertThat(Host.shellQuote("eth0")).isEqualTo("eth0");
        assertThat(Host.shellQuote("gcm(aes)")).isEqualTo("'gcm(aes)'");
        assertThat(Host.shellQuote("it's")).isEqualTo("'it'\\''s'");
        assertThat(Host.shellQuote("")).isEqualTo("''");
        assertThat(KernelNode.quote("node", "set", "key", "0x00", "algname", "gcm(aes)"))
                .isEqualTo("node set key 0x00 algname 'gcm(aes)'");
    }

    @Test
    void execResultRequireOkCarriesTheOutput() {
        ExecResult bad = new ExecResult("n1", "false", 1, false, java.util.List.of("oops"));
        assertThatThrownBy(bad::requireOk).isInstanceOf(LabException.class).hasMessageContaining("oops")
                .hasMessageContaining("exited with 1");
        assertThat(new ExecResult("n1", "true", 0, false, java.util.List.of()).requireOk().ok()).isTrue();
    }
}
