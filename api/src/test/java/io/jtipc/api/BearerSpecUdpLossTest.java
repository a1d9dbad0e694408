package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.jtipc.bearer.LossGenerator;
import io.jtipc.bearer.RandomLossGenerator;

/** The UDP bearer spec's loss option (fault injection for tests). */
class BearerSpecUdpLossTest {

    @Test
    void lossPercentBecomesTheBearersReceiveLoss() {
        BearerSpec s = BearerSpec.parse("udp:127.0.0.1:6118,remote=127.0.0.2,loss=7.5", null);
        assertThat(s.udpConfig(4711).lossGenerator()).isInstanceOfSatisfying(RandomLossGenerator.class,
                g -> assertThat(g.fraction()).isEqualTo(0.075));
        assertThat(BearerSpec.parse("udp:127.0.0.1", null).udpConfig(4711).lossGenerator()).isSameAs(LossGenerator.NONE);
    }

    @Test
    void badLossIsRefusedInWords() {
        assertThatThrownBy(() -> BearerSpec.parse("udp:127.0.0.1,loss=80", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loss is a percentage from 0 to 50");
        assertThatThrownBy(() -> BearerSpec.parse("udp:127.0.0.1,loss=x", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loss is a percentage");
        assertThatThrownBy(() -> BearerSpec.parse("udp:127.0.0.1,lost=3", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loss=PERCENT");
    }
}
