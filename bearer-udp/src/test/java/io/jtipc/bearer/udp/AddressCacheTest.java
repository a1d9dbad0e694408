package io.jtipc.bearer.udp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;

/**
 * The bounded address caches stay correct when more peers than their capacity take turns (every lookup a miss,
 * oldest entry replaced), however many misses there have been.
 */
class AddressCacheTest {
    static InetSocketAddress peer(int i) {
        return new InetSocketAddress("127.0.0." + (1 + i % 200), 6118 + i);
    }

    @Test
    void sourceCacheAnswersRightWhenSourcesOutnumberIt() {
        SourceCache c = new SourceCache(4);
        for (int round = 0; round < 50_000; round++) {
            InetSocketAddress src = peer(round % 7); // 7 sources, capacity 4: misses all along
            assertThat(c.mediaAddrOf(src)).isEqualTo(UdpMedia.mediaAddr(src));
        }
        InetSocketAddress a = peer(1);
        assertThat(c.mediaAddrOf(a)).isSameAs(c.mediaAddrOf(a)); // a hit returns the cached array
    }

    @Test
    void sourceCacheHitsEveryOneOfAClusterOfPeersOnceSeen() throws Exception {
        SourceCache c = new SourceCache(512);
        assertThat(c.capacity()).isEqualTo(512);
        // 100 peers of one subnet, on the default port and on consecutive ones (what a replicast cluster looks like)
        int[] ips = new int[100];
        int[] ports = new int[100];
        for (int i = 0; i < 100; i++) {
            ips[i] = 0xA9FE0000 | (i + 1); // 169.254.0.x
            ports[i] = i % 2 == 0 ? 6118 : 6118 + i;
        }
        int[] first = new int[100];
        for (int i = 0; i < 100; i++) first[i] = c.indexOf4(ips[i], ports[i]);
        // every later datagram from them finds its entry: the same address objects, nothing made again
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 100; i++) {
                int e = c.indexOf4(ips[i], ports[i]);
                assertThat(e).isEqualTo(first[i]);
                InetSocketAddress a = c.address(e);
                assertThat(a.getPort()).isEqualTo(ports[i]);
                assertThat(a.getAddress().getAddress()).containsExactly((byte) 0xA9, (byte) 0xFE, (byte) 0,
                    (byte) (i + 1));
                assertThat(c.mediaAddr(e)).isEqualTo(UdpMedia.mediaAddr(a));
            }
        }
    }

    @Test
    void sourceCacheAnswersRightFromRawAddressesWhenSourcesOutnumberIt() {
        SourceCache c = new SourceCache(4);
        for (int round = 0; round < 50_000; round++) {
            int i = round % 7;
            int e = c.indexOf4(0x7F000001 + i, 6118 + i);
            assertThat(c.address(e)).isEqualTo(new InetSocketAddress("127.0.0." + (1 + i), 6118 + i));
            assertThat(c.mediaAddr(e)).isEqualTo(UdpMedia.mediaAddr(c.address(e)));
        }
    }

    @Test
    void destinationCacheAnswersRightWhenDestinationsOutnumberIt() {
        DestinationCache c = new DestinationCache(4);
        for (int round = 0; round < 50_000; round++) {
            InetSocketAddress dst = peer(round % 9);
            byte[] raw = UdpMedia.mediaAddr(dst);
            InetSocketAddress cached = c.lookup(raw, 0);
            if (cached == null) {
                c.put(raw, 0, dst);
                cached = c.lookup(raw, 0);
            }
            assertThat(cached).isEqualTo(dst);
        }
    }
}
