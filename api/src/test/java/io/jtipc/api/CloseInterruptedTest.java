package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * Closing from a thread whose interrupt flag is set (an executor's {@code shutdownNow} interrupts its workers, which
 * then close their sockets in try-with-resources) still releases what is closed, and the flag stays set.
 */
class CloseInterruptedTest {
    private static final Duration T = Duration.ofSeconds(10);

    @Test
    void socketsClosedOnAnInterruptedThreadWithdrawTheirBindings() throws Exception {
        TipcNode[] n = ConnApiTest.pair("intr-sock");
        try (TipcNode a = n[0]; TipcNode b = n[1]) {
            TipcSocket s = TipcSocket.rdm(b);
            s.bind(TipcAddress.ofService(24242, 1));
            TipcServerSocket ls = TipcServerSocket.listen(b, TipcAddress.ofService(24243, 1),
                TipcConnection.Type.SEQPACKET, TipcSocket.Scope.CLUSTER);
            a.awaitBinding(x -> x.type() == 24242, T);
            a.awaitBinding(x -> x.type() == 24243, T);
            int sockets = b.sockets().size();
            Thread.currentThread().interrupt();
            s.close();
            ls.close();
            assertThat(Thread.interrupted()).as("the interrupt flag is kept").isTrue();
            assertThat(b.sockets()).hasSize(sockets - 2);
            a.awaitNoBinding(x -> x.type() == 24242 || x.type() == 24243, T);
        }
    }

    @Test
    void aNodeClosedOnAnInterruptedThreadStillTellsItsPeer() throws Exception {
        TipcNode[] n = ConnApiTest.pair("intr-node");
        try (TipcNode a = n[0]; TipcNode b = n[1]) {
            TwoNodeChecks.closeTakesLinkDown(a, b, true); // b closed in it (a second close does nothing)
        }
    }
}
