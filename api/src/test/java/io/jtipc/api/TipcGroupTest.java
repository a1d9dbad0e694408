package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

/**
 * {@link TipcGroup} between two nodes over UDP on loopback: JOINED before messages, all four modes with sender and
 * mode, a receiver that does not read makes the sender's send time out with EAGAIN (back-pressure, nothing dropped),
 * and LEFT after the leaving member's last message.
 */
class TipcGroupTest {
    static final Duration T = TwoNodeChecks.T;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(TipcGroupMessage m) {
        return new String(m.payload(), StandardCharsets.UTF_8);
    }

    @Test
    void twoMembersExchangeAllModesThenBackPressureThenLeft() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a1 = "127.0.0.1:" + port;
        String b1 = "127.0.0.2:" + port;
        try (TipcNode a = TipcNode.builder().identity("jt-grp-a").bearer("udp:" + a1 + ",remote=" + b1).build();
             TipcNode b = TipcNode.builder().identity("jt-grp-b").bearer("udp:" + b1 + ",remote=" + a1).build()) {
            TwoNodeChecks.startBoth(a, b);
            a.awaitLinkUp(T);
            int grp = 4242;
            try (TipcGroup ga = TipcGroup.join(a, grp, 1, TipcSocket.Scope.CLUSTER, TipcGroup.MEMBER_EVENTS)) {
                TipcGroup gb = TipcGroup.join(b, grp, 2, TipcSocket.Scope.CLUSTER, TipcGroup.MEMBER_EVENTS);
                TipcGroupMessage j = ga.receive(T);
                assertThat(j.mode()).isEqualTo(TipcGroupMessage.Mode.MEMBER_JOINED);
                assertThat(j.sender()).isEqualTo(gb.address());
                assertThat(j.senderInstance()).isEqualTo(2);
                assertThat(gb.receive(T).mode()).isEqualTo(TipcGroupMessage.Mode.MEMBER_JOINED);

                ga.send(gb.address(), b("uni"));
                ga.anycast(2, b("any"), T);
                ga.multicast(2, b("multi"), T);
                ga.broadcast(b("all"), T);
                String[] want = {"uni", "any", "multi", "all"};
                TipcGroupMessage.Mode[] modes = {TipcGroupMessage.Mode.UNICAST, TipcGroupMessage.Mode.UNICAST,
                    TipcGroupMessage.Mode.UNICAST, TipcGroupMessage.Mode.BROADCAST}; // one multicast receiver: unicast
                for (int i = 0; i < 4; i++) {
                    TipcGroupMessage m = gb.receive(T);
                    assertThat(s(m)).isEqualTo(want[i]);
                    assertThat(m.mode()).isEqualTo(modes[i]);
                    assertThat(m.sender()).isEqualTo(ga.address());
                    assertThat(m.senderInstance()).isEqualTo(1);
                }
                gb.broadcast(b("back"), T);
                assertThat(s(ga.receive(T))).isEqualTo("back");

                // ga never reads: gb's sends are slowed, then time out with EAGAIN; nothing is lost
                byte[] big = new byte[8000];
                int sent = 0;
                TipcException stop = null;
                while (stop == null && sent < 10_000) {
                    try {
                        gb.send(ga.address(), big, Duration.ofMillis(300));
                        sent++;
                    } catch (TipcException e) {
                        stop = e;
                    }
                }
                assertThat(stop).isNotNull();
                assertThat(stop.error()).isEqualTo(TipcError.EAGAIN);
                for (int i = 0; i < sent; i++) assertThat(ga.receive(T).payload()).hasSize(8000);
                gb.send(ga.address(), b("after"), T); // window back once read
                assertThat(s(ga.receive(T))).isEqualTo("after");

                gb.broadcast(b("last"), T);
                gb.close();
                assertThat(s(ga.receive(T))).isEqualTo("last");
                TipcGroupMessage left = ga.receive(T);
                assertThat(left.mode()).isEqualTo(TipcGroupMessage.Mode.MEMBER_LEFT);
                assertThat(left.sender()).isEqualTo(gb.address());
                assertThat(ga.receive(Duration.ofMillis(200))).isNull();
                assertThatThrownBy(() -> gb.broadcast(b("x"), T)).isInstanceOf(TipcException.class);
            }
        }
    }
}
