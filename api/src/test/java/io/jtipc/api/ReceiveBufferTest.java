package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

import io.jtipc.wire.Tipc;

/** The receive queue is limited in bytes, sk_rcvbuf shifted by the message importance, as socket.c rcvbuf_limit. */
class ReceiveBufferTest {
    @Test
    void limitsFollowTheKernel() {
        assertThat(TipcSocket.RECEIVE_BUFFER).isEqualTo(2 * 1024 * 1024);
        assertThat(TipcSocket.receiveLimit(0)).isEqualTo(2L << 20);
        assertThat(TipcSocket.receiveLimit(1)).isEqualTo(4L << 20);
        assertThat(TipcSocket.receiveLimit(2)).isEqualTo(8L << 20);
        assertThat(TipcSocket.receiveLimit(3)).isEqualTo(16L << 20);
    }

    @Test
    void fullQueueRejectsWithOverloadAndHigherImportanceGetsMoreRoom() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        int size = 10_000;
        long per = size + TipcSocket.MESSAGE_OVERHEAD;
        int fitLow = (int) ((TipcSocket.receiveLimit(0) - 1) / per); // messages accepted at importance 0
        try (TipcNode a = TipcNode.builder().identity("jt-rcvbuf").bearer("udp:127.0.0.1:" + port + ",remote=127.0.0.3:" + port)
                .start();
             TipcSocket s = TipcSocket.rdm(a);
             TipcSocket c = TipcSocket.rdm(a)) {
            s.bind(TipcAddress.ofService(5001, 1));
            c.setDestDroppable(false);
            int sent = fitLow + 20;
            for (int i = 0; i < sent; i++) c.send(TipcAddress.ofService(5001, 1), TwoNodeChecks.pattern(size, i));
            // the refused messages come back to the sender with TIPC_ERR_OVERLOAD
            int returned = 0;
            for (TipcMessage m; (m = c.receive(Duration.ofMillis(500))) != null; ) {
                assertThat(m.errcode()).isEqualTo(Tipc.TIPC_ERR_OVERLOAD);
                returned++;
            }
            assertThat(s.droppedMessages()).isEqualTo(20);
            assertThat(returned).isEqualTo(20);
            assertThat(s.queuedBytes()).isEqualTo(fitLow * per).isLessThan(TipcSocket.receiveLimit(0));
            // importance 1: the limit doubles, so the same socket takes more
            c.setImportance(1);
            c.send(TipcAddress.ofService(5001, 1), TwoNodeChecks.pattern(size, sent));
            assertThat(c.receive(Duration.ofMillis(300))).isNull();
            assertThat(s.droppedMessages()).isEqualTo(20);
            // reading frees the accounted bytes, in order
            for (int i = 0; i < fitLow; i++) {
                assertThat(s.receive(TwoNodeChecks.T).payload()).isEqualTo(TwoNodeChecks.pattern(size, i));
            }
            assertThat(s.receive(TwoNodeChecks.T).importance()).isEqualTo(1);
            assertThat(s.queuedBytes()).isZero();
            assertThat(s.receive(Duration.ofMillis(100))).isNull();
        }
    }
}
