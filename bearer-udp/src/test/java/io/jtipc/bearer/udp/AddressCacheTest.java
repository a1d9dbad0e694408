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
