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
        assertThat(TipcSocket.receiveLimit(4)).as("a returned message: TIPC_SYSTEM_IMPORTANCE").isEqualTo(32L << 20);
    }

    /**
     * socket.c rcvbuf_limit shifts by msg_importance, which is TIPC_SYSTEM_IMPORTANCE for a message with an error
     * code: a message returned to a socket whose queue is full at importance 0 still finds room (32 MiB). Before, it
     * met the 2 MiB of importance 0 and was dropped (a returned message cannot be returned again).
     */
    @Test
    void aReturnedMessageHasTheRoomOfSystemImportance() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        int size = 10_000;
        long per = size + TipcSocket.MESSAGE_OVERHEAD;
        int fitLow = (int) ((TipcSocket.receiveLimit(0) - 1) / per);
        try (TipcNode a = TipcNode.builder().identity("jt-rcvbuf-ret").bearer("udp:127.0.0.1:" + port + ",remote=127.0.0.3:" + port)
                .start();
             TipcSocket s = TipcSocket.rdm(a);
             TipcSocket c = TipcSocket.rdm(a)) {
            s.bind(TipcAddress.ofService(5002, 1));
            for (int i = 0; i < fitLow; i++) c.send(TipcAddress.ofService(5002, 1), TwoNodeChecks.pattern(size, i));
            // then empty messages (256 B each as counted) until one is refused: less room left than a 100 B message
            c.setDestDroppable(true);
            int empties = 0;
            while (s.droppedMessages() == 0 && empties < 100) {
                c.send(TipcAddress.ofService(5002, 1), new byte[0]);
                empties++;
                Thread.sleep(1);
            }
            assertThat(s.droppedMessages()).isEqualTo(1);
            int gone;
            try (TipcSocket g = TipcSocket.rdm(a)) {
                gone = g.port();
            }
            s.setDestDroppable(false);
            s.send(TipcAddress.ofSocket(gone, a.address()), TwoNodeChecks.pattern(100, 7)); // no such port: returned
            for (int i = 0; i < fitLow; i++) {
                assertThat(s.receive(TwoNodeChecks.T).payload()).isEqualTo(TwoNodeChecks.pattern(size, i));
            }
            for (int i = 0; i < empties - 1; i++) assertThat(s.receive(TwoNodeChecks.T).payload()).isEmpty();
            TipcMessage r = s.receive(TwoNodeChecks.T);
            assertThat(r).as("the returned message").isNotNull();
            assertThat(r.errcode()).isEqualTo(Tipc.TIPC_ERR_NO_PORT);
            assertThat(s.droppedMessages()).isEqualTo(1);
        }
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
