package io.jtipc.bearer.udp;

import static io.jtipc.bearer.udp.TestSupport.sa;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.jtipc.bearer.RandomLossGenerator;

/** Receive loss (fault injection): about the configured fraction of datagrams never reaches poll, counted. */
class UdpReceiveLossTest {

    @Test
    void aboutTheConfiguredFractionIsDroppedAndCounted() throws Exception {
        try (UdpBearer a = TestSupport.openRetrying(p -> UdpBearerConfig.local(sa("127.0.0.1", p)).replicast());
                UdpBearer b = TestSupport.openRetrying(p -> UdpBearerConfig.local(sa("127.0.0.2", p)).replicast()
                        .lossGenerator(new RandomLossGenerator(0.2, 42)))) {
            byte[] f = new byte[100];
            byte[] rx = new byte[200];
            int got = 0;
            int sent = 0;
            for (int round = 0; round < 20; round++) {
                for (int i = 0; i < 50; i++) {
                    a.send(b.address(), 0, f, 0, f.length);
                    sent++;
                }
                while (b.poll(rx, 0, rx.length, null, 0, 200) >= 0) got++;
            }
            assertThat(got + b.framesDroppedByLoss()).isEqualTo(sent);
            assertThat(b.framesDroppedByLoss()).isBetween(120L, 280L); // 20 % of 1000, generously
        }
        assertThatThrownBy(() -> UdpBearerConfig.local("127.0.0.1").lossGenerator(new RandomLossGenerator(0.6, 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
