package io.jtipc.bearer.udp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Source socket address of a received datagram to its raw UDP media address (20 bytes): each source
 * is converted ({@link UdpMedia#mediaAddr}) once. Bounded (first in, first out), compared with equals (the JDK reuses
 * its sender address object while the sender stays the same), or, for the native receive batch ({@link UdpRxBatch}),
 * by raw IPv4 address and port: a hit allocates nothing. For the receiving thread only (under the receive lock).
 */
final class SourceCache {
    private final InetSocketAddress[] keys;
    private final byte[][] addrs;
    /** Raw IPv4 address and port of entries made by {@link #indexOf4}; port -1 for those made from a socket address. */
    private final int[] ip4;
    private final int[] port4;
    private int size;
    private int next;

    SourceCache(int capacity) {
        keys = new InetSocketAddress[capacity];
        addrs = new byte[capacity][];
        ip4 = new int[capacity];
        port4 = new int[capacity];
    }

    /** The raw media address of {@code src} (the cache's array: do not change it). */
    byte[] mediaAddrOf(InetSocketAddress src) {
        for (int i = 0; i < size; i++) {
            InetSocketAddress k = keys[i];
            if (k == src || k.equals(src)) {
                return addrs[i];
            }
        }
        int i = slot();
        keys[i] = src;
        addrs[i] = UdpMedia.mediaAddr(src);
        port4[i] = -1;
        return addrs[i];
    }

    /**
     * The entry of IPv4 source {@code ip} (big-endian: a.b.c.d is {@code a << 24 | ... | d}) port {@code port}
     * (0-65535), made on a miss (the only allocation); read it with {@link #address} and {@link #mediaAddr} before the
     * next lookup.
     */
    int indexOf4(int ip, int port) {
        for (int i = 0; i < size; i++) {
            if (port4[i] == port && ip4[i] == ip) {
                return i;
            }
        }
        InetSocketAddress sa;
        try {
            sa = new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) (ip >>> 24), (byte) (ip >>> 16),
                    (byte) (ip >>> 8), (byte) ip}), port);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are an IPv4 address", e);
        }
        int i = slot();
        keys[i] = sa;
        addrs[i] = UdpMedia.mediaAddr(sa);
        ip4[i] = ip;
        port4[i] = port;
        return i;
    }

    /** The socket address of entry {@code i}. */
    InetSocketAddress address(int i) {
        return keys[i];
    }

    /** The raw media address of entry {@code i} (the cache's array: do not change it). */
    byte[] mediaAddr(int i) {
        return addrs[i];
    }

    private int slot() {
        if (size < keys.length) {
            return size++;
        }
        int i = next; // oldest entry, first in first out
        next = (next + 1) % keys.length;
        return i;
    }
}
