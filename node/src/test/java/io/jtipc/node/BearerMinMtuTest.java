package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@code tipc_bearer_min_mtu} (net/tipc/bearer.c): TIPC_MIN_BEARER_MTU (100) plus the bearer's encap_hlen, which
 * {@code tipc_udp_enable} (udp_media.c) sets to the IP and UDP headers of the bearer's family; a RESET/ACTIVATE whose
 * max_pkt is below it is ignored ({@code tipc_link_proto_rcv}, link.c).
 */
class BearerMinMtuTest {

    private static int minMtu(MediaType media, byte[] own) {
        return new Bearer(0, new BearerConfig("x:y", media, own, 1500, 10, 1500, 50, 0)).minMtu();
    }

    @Test
    void minimumDependsOnTheUdpFamily() {
        byte[] v4 = new byte[20];
        v4[0] = 0x08; // proto 0x0800, network order
        byte[] v6 = new byte[20];
        v6[0] = (byte) 0x86; // proto 0x86DD
        v6[1] = (byte) 0xDD;
        assertThat(minMtu(MediaType.UDP, v4)).isEqualTo(128); // 100 + IPv4 20 + UDP 8
        assertThat(minMtu(MediaType.UDP, v6)).isEqualTo(148); // 100 + IPv6 40 + UDP 8
        assertThat(minMtu(MediaType.ETH, new byte[6])).isEqualTo(100);
    }
}
