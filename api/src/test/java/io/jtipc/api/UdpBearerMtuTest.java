package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

/**
 * The UDP bearer spec's {@code mtu=BYTES} ({@code tipc bearer set mtu N media udp name X}) and the link MTU it leads
 * to: the smaller of both ends' advertised MTUs, as {@code tipc_link_proto_rcv} (net/tipc/link.c) takes it from the
 * peer's RESET/ACTIVATE max_pkt. Two nodes over UDP on 127.0.0.1 and 127.0.0.2 (no privilege needed).
 */
class UdpBearerMtuTest {

    @Test
    void mtuOptionBecomesTheBearerConfigsMtu() {
        BearerSpec s = BearerSpec.parse("udp:127.0.0.1:6118,remote=127.0.0.2,mtu=65000", null);
        assertThat(s.mtu()).isEqualTo(65000);
        assertThat(s.udpConfig(4711).mtu()).isEqualTo(65000);
        assertThat(s.toString()).isEqualTo("udp:127.0.0.1:6118,remote=127.0.0.2:6118,mtu=65000");
        assertThat(BearerSpec.parse("udp:127.0.0.1", null).udpConfig(4711).mtu()).isZero(); // the media default
        assertThat(BearerSpec.parse("udp:127.0.0.1,mtu=128", null).mtu()).isEqualTo(128);
    }

    @Test
    void gsoOptionIsOnByDefaultAndOffWhenAsked() {
        assertThat(BearerSpec.parse("udp:127.0.0.1", null).udpConfig(4711).gso()).isTrue();
        BearerSpec off = BearerSpec.parse("udp:127.0.0.1:6118,remote=127.0.0.2,gso=off", null);
        assertThat(off.udpConfig(4711).gso()).isFalse();
        assertThat(off.toString()).isEqualTo("udp:127.0.0.1:6118,remote=127.0.0.2:6118,gso=off");
        assertThat(BearerSpec.parse("udp:127.0.0.1,gso=on", null).udpConfig(4711).gso()).isTrue();
        assertThatThrownBy(() -> BearerSpec.parse("udp:127.0.0.1,gso=maybe", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'gso=maybe'")
                .hasMessageContaining("gso=on|off");
    }

    @Test
    void badMtuIsRefusedInWords() {
        for (String bad : new String[] {"mtu=127", "mtu=65528", "mtu=x", "mtu=", "mtu=-1"}) {
            assertThatThrownBy(() -> BearerSpec.parse("udp:127.0.0.1," + bad, null))
                    .as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + bad + "'").hasMessageContaining("mtu is the bearer MTU in bytes, 128 to 65507");
        }
        // IPv6 needs 148: TIPC_MIN_BEARER_MTU 100 + IPv6 header 40 + UDP header 8 (tipc_bearer_min_mtu); a kernel peer
        // ignores RESET/ACTIVATE advertising less (tipc_link_proto_rcv)
        for (String bad : new String[] {"mtu=128", "mtu=147"}) {
            assertThatThrownBy(() -> BearerSpec.parse("udp:[::1]," + bad, null))
                    .as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + bad + "'").hasMessageContaining("or 148 to 65527 (IPv6)");
        }
        assertThat(BearerSpec.parse("udp:[::1],mtu=148", null).mtu()).isEqualTo(148);
        assertThat(BearerSpec.parse("udp:[::1],mtu=65527", null).mtu()).isEqualTo(65527);
    }

    @Test
    void anIpv4MtuAboveOneDatagramIsRefusedWhenTheBearerOpens() {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        assertThatThrownBy(() -> TipcNode.builder().identity("jt-mtu-big").bearer("udp:127.0.0.1:" + port + ",mtu=65520")
                .build().start())
                .hasStackTraceContaining("UDP bearer MTU 65520 is not in 128..65507");
    }

    @Test
    void theLinkUsesTheSmallerOfBothEndsMtus() throws Exception {
        assertThat(linkMtus(65000, 0)).containsExactly(14000, 14000); // a kernel-default peer (TIPC_DEF_LINK_UDP_MTU)
        assertThat(linkMtus(20000, 30000)).containsExactly(20000, 20000);
    }

    @Test
    void largeMessagesCrossALinkWithA65000ByteMtuIntact() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a1 = "127.0.0.1:" + port;
        String b1 = "127.0.0.2:" + port;
        try (TipcNode a = TipcNode.builder().identity("jt-mtu-la").bearer("udp:" + a1 + ",remote=" + b1 + ",mtu=65000").build();
             TipcNode b = TipcNode.builder().identity("jt-mtu-lb").bearer("udp:" + b1 + ",remote=" + a1 + ",mtu=65000").build()) {
            TwoNodeChecks.startBoth(a, b);
            assertThat(a.awaitLinkUp(TwoNodeChecks.T).mtu()).isEqualTo(65000);
            assertThat(b.awaitLinkUp(TwoNodeChecks.T).mtu()).isEqualTo(65000);
            try (TipcSocket rx = TipcSocket.rdm(b); TipcSocket tx = TipcSocket.rdm(a)) {
                rx.bind(TipcAddress.ofService(18893, 1));
                a.awaitBinding(x -> x.type() == 18893, TwoNodeChecks.T);
                int[] sizes = {64_000, 65_000 - 40 - 24, 66_000, 1}; // 66 000: TIPC_MAX_USER_MSG_SIZE, 2 fragments
                for (int i = 0; i < sizes.length; i++) {
                    tx.send(TipcAddress.ofService(18893, 1), TwoNodeChecks.pattern(sizes[i], i));
                }
                for (int i = 0; i < sizes.length; i++) {
                    TipcMessage m = rx.receive(TwoNodeChecks.T);
                    assertThat(m).as("message %d", i).isNotNull();
                    assertThat(m.payload()).as("message %d", i).isEqualTo(TwoNodeChecks.pattern(sizes[i], i));
                }
            }
        }
    }

    /** Link MTUs seen by a and b once the link is up, a's bearer at {@code mtuA} and b's at {@code mtuB} (0 = default). */
    private static int[] linkMtus(int mtuA, int mtuB) throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a1 = "127.0.0.1:" + port;
        String b1 = "127.0.0.2:" + port;
        try (TipcNode a = TipcNode.builder().identity("jt-mtu-a").bearer("udp:" + a1 + ",remote=" + b1 + opt(mtuA)).build();
             TipcNode b = TipcNode.builder().identity("jt-mtu-b").bearer("udp:" + b1 + ",remote=" + a1 + opt(mtuB)).build()) {
            TwoNodeChecks.startBoth(a, b);
            return new int[] {a.awaitLinkUp(TwoNodeChecks.T).mtu(), b.awaitLinkUp(TwoNodeChecks.T).mtu()};
        }
    }

    private static String opt(int mtu) {
        return mtu == 0 ? "" : ",mtu=" + mtu;
    }
}
