package io.jtipc.bearer.udp;

import java.net.InetSocketAddress;

/**
 * Source socket address of a received datagram to its raw UDP media address (20 bytes): each source
 * is converted ({@link UdpMedia#mediaAddr}) once. Bounded, compared with equals (the JDK reuses its
 * sender address object while the sender stays the same), so a hit allocates nothing. For the
 * receiving thread only.
 */
final class SourceCache {
    private final InetSocketAddress[] keys;
    private final byte[][] addrs;
    private int size;
    private int next;

    SourceCache(int capacity) {
        keys = new InetSocketAddress[capacity];
        addrs = new byte[capacity][];
    }

    /** The raw media address of {@code src} (the cache's array: do not change it). */
    byte[] mediaAddrOf(InetSocketAddress src) {
        for (int i = 0; i < size; i++) {
            InetSocketAddress k = keys[i];
            if (k == src || k.equals(src)) {
                return addrs[i];
            }
        }
        int i;
        if (size < keys.length) {
            i = size++;
        } else {
            i = next; // oldest entry, first in first out
            next = (next + 1) % keys.length;
        }
        keys[i] = src;
        addrs[i] = UdpMedia.mediaAddr(src);
        return addrs[i];
    }
}
