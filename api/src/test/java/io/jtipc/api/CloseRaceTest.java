package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * close(2) from another thread while a call is on its way: the call passed its own open check, then the close took
 * the core first and removed the socket. Made deterministic by removing the socket at the core (as that close does)
 * without the handle knowing: the next call throws a {@link TipcException} naming the closed socket, not the core's
 * IllegalArgumentException.
 */
class CloseRaceTest {
    private static final Duration T = Duration.ofSeconds(10);

    @Test
    void aCallOnASocketClosedMeanwhileIsATipcException() throws Exception {
        TipcNode[] n = ConnApiTest.pair("race");
        try (TipcNode a = n[0]; TipcNode b = n[1]) {
            TipcSocket s = TipcSocket.rdm(a);
            removeAtCore(a, s.port());
            assertThatThrownBy(() -> s.bind(TipcAddress.ofService(24250, 1))).isInstanceOf(TipcException.class)
                .hasMessageContaining("socket " + Integer.toUnsignedString(s.port()) + " closed");
            assertThatThrownBy(() -> s.send(TipcAddress.ofSocket(1, a.address()), new byte[8]))
                .isInstanceOf(TipcException.class).hasMessageContaining("closed");
            s.close();

            try (TipcServerSocket ls = TipcServerSocket.listen(b, TipcAddress.ofService(24251, 1),
                     TipcConnection.Type.STREAM, TipcSocket.Scope.CLUSTER)) {
                a.awaitBinding(x -> x.type() == 24251, T);
                // the SYN's ACK is sent by accept: connect in another thread
                java.util.concurrent.CompletableFuture<TipcConnection> cf = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return TipcConnection.connect(a, TipcAddress.ofService(24251, 1), TipcConnection.Type.STREAM, T);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                try (TipcConnection peer = ls.accept(T)) {
                    TipcConnection c = cf.get(10, java.util.concurrent.TimeUnit.SECONDS);
                    removeAtCore(a, c.port());
                    assertThatThrownBy(() -> c.read(new byte[16])).isInstanceOf(TipcException.class)
                        .hasMessageContaining("closed");
                    assertThatThrownBy(() -> c.write(new byte[16])).isInstanceOf(TipcException.class)
                        .hasMessageContaining("closed");
                    assertThatThrownBy(c::shutdown).isInstanceOf(TipcException.class).hasMessageContaining("closed");
                    c.close();
                }
            }
        }
    }

    private static void removeAtCore(TipcNode node, int port) throws TipcException {
        node.call(now -> {
            node.core().closeSocket(now, port, node.outbox());
            return null;
        });
    }
}
