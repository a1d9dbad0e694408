package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

/**
 * The broadcast link's knobs between two TipcNodes over replicast UDP on 127.0.0.1/127.0.0.2: {@code tipc link set
 * broadcast|broadcast-ratio|window} on {@link TipcNode#BROADCAST_LINK} (bcast.c tipc_nl_bc_link_set: out-of-range
 * values refused; BROADCAST, AUTOSELECT and a ratio refused on a bearer without broadcast support, the replicast UDP
 * bearer), and the
 * socket options TIPC_MCAST_BROADCAST / TIPC_MCAST_REPLICAST (set, read back, freed) with multicasts delivered under
 * each.
 */
class BroadcastLinkApiTest {
    @Test
    void broadcastLinkSettingsAndMulticastMethodOptions() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a1 = "127.0.0.1:" + port;
        String b1 = "127.0.0.2:" + port;
        try (TipcNode a = TipcNode.builder().identity("jt-bcl-a").bearer("udp:" + a1 + ",remote=" + b1).build();
             TipcNode b = TipcNode.builder().identity("jt-bcl-b").bearer("udp:" + b1 + ",remote=" + a1).build()) {
            TwoNodeChecks.startBoth(a, b);
            a.awaitLinkUp(TwoNodeChecks.T);
            b.awaitLinkUp(TwoNodeChecks.T);
            a.setLink(TipcNode.BROADCAST_LINK, LinkProperty.WINDOW, 64);
            a.setLink(TipcNode.BROADCAST_LINK, LinkProperty.BROADCAST, 2); // REPLICAST
            for (int[] bad : new int[][] {
                {LinkProperty.WINDOW.ordinal(), 15}, {LinkProperty.WINDOW.ordinal(), 49}, {LinkProperty.BROADCAST.ordinal(), 3},
                // a replicast UDP bearer cannot broadcast (bearer.c tipc_bearer_bcast_support), so neither BROADCAST
                // nor AUTOSELECT can be set (bcast.c tipc_bc_link_set_broadcast_mode: ENOPROTOOPT → EINVAL)
                {LinkProperty.BROADCAST.ordinal(), 1}, {LinkProperty.BROADCAST.ordinal(), 4},
                {LinkProperty.BROADCAST_RATIO.ordinal(), 50},
                {LinkProperty.TOLERANCE.ordinal(), 1000}}) {
                LinkProperty p = LinkProperty.values()[bad[0]];
                assertThatThrownBy(() -> a.setLink(TipcNode.BROADCAST_LINK, p, bad[1])).as("%s %d", p, bad[1])
                    .isInstanceOfSatisfying(TipcException.class, e -> assertThat(e.error()).isEqualTo(TipcError.EINVAL));
            }
            try (TipcSocket rx = TipcSocket.rdm(b); TipcSocket tx = TipcSocket.rdm(a)) {
                rx.bind(TipcAddress.ofServiceRange(18990, 0, 9));
                a.awaitBinding(x -> x.type() == 18990, TwoNodeChecks.T);
                assertThat(tx.getOption(TipcOption.MCAST_BROADCAST)).isFalse();
                assertThat(tx.getOption(TipcOption.MCAST_REPLICAST)).isFalse();
                send(tx, rx, "auto");
                tx.setOption(TipcOption.MCAST_REPLICAST, true);
                assertThat(tx.getOption(TipcOption.MCAST_REPLICAST)).isTrue();
                send(tx, rx, "replicast");
                tx.setOption(TipcOption.MCAST_BROADCAST, true);
                assertThat(tx.getOption(TipcOption.MCAST_BROADCAST)).isTrue();
                assertThat(tx.getOption(TipcOption.MCAST_REPLICAST)).isFalse();
                send(tx, rx, "broadcast"); // no broadcast support here: still goes (by replicast)
                tx.setOption(TipcOption.MCAST_REPLICAST, false); // not the fixed one: nothing changes
                assertThat(tx.getOption(TipcOption.MCAST_BROADCAST)).isTrue();
                tx.setOption(TipcOption.MCAST_BROADCAST, false);
                assertThat(tx.getOption(TipcOption.MCAST_BROADCAST)).isFalse();
                send(tx, rx, "auto again");
            }
            assertThat(a.links().get(0).up()).isTrue();
        }
    }

    private static void send(TipcSocket tx, TipcSocket rx, String text) throws Exception {
        tx.send(TipcAddress.ofServiceRange(18990, 2, 5), text.getBytes(StandardCharsets.US_ASCII));
        TipcMessage m = rx.receive(TwoNodeChecks.T);
        assertThat(m).as(text).isNotNull();
        assertThat(new String(m.payload(), StandardCharsets.US_ASCII)).isEqualTo(text);
    }
}
