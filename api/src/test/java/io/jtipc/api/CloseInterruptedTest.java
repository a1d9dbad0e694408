package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

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
        TipcNode a = n[0], b = n[1];
        try (a) {
            List<LinkInfo> downs = new CopyOnWriteArrayList<>();
            a.addLinkListener(new LinkListener() {
                @Override
                public void linkDown(LinkInfo l) {
                    downs.add(l);
                }
            });
            try (TipcSocket s = TipcSocket.rdm(b)) {
                s.bind(TipcAddress.ofService(24244, 1));
                a.awaitBinding(x -> x.type() == 24244, T);
                Thread.currentThread().interrupt();
                try {
                    b.close();
                } finally {
                    assertThat(Thread.interrupted()).as("the interrupt flag is kept").isTrue();
                }
                a.awaitNoBinding(x -> x.type() == 24244, T);
            }
            assertThat(b.state()).isEqualTo(TipcNodeState.CLOSED);
            // the shutdown ran: b's peer-stopping RESET took the link down, not the tolerance expiring
            assertThat(downs).hasSize(1);
            assertThat(downs.get(0).lastResetReason()).isEqualTo("peer stopping (RESET)");
        }
    }
}
