package io.jtipc.bearer.udp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Source socket address of a received datagram to its raw UDP media address (20 bytes): each source
 * is converted ({@link UdpMedia#mediaAddr}) once. For the receiving thread only (under the receive lock).
 *
 * <p>Set-associative: a source's hash picks a set of {@link #WAYS} entries, searched in turn and replaced first in,
 * first out within the set, so a lookup is O(1) however large the cache, and a cluster of many more peers than
 * {@link #WAYS} (replicast learns up to 64) still hits: a miss allocates the entry's address objects, a hit nothing.
 * Entries are compared with equals (the JDK reuses its sender address object while the sender stays the same), or,
 * for the native receive batch ({@link UdpRxBatch}), by raw IPv4 address and port.
 */
final class SourceCache {
    /** Entries per set. */
    static final int WAYS = 4;

    private final InetSocketAddress[] keys;
    private final byte[][] addrs;
    /** Raw IPv4 address and port of entries made by {@link #indexOf4}; port -1 for those made from a socket address. */
    private final int[] ip4;
    private final int[] port4;
    /** Per set: how many of its ways are used, and the next to replace once all are. */
    private final byte[] used;
    private final byte[] next;
    private final int setMask;

    /** @param capacity entries at least (rounded up to a power of two, at least {@link #WAYS}) */
    SourceCache(int capacity) {
        int sets = 1;
        while (sets * WAYS < capacity) sets <<= 1;
        setMask = sets - 1;
        keys = new InetSocketAddress[sets * WAYS];
        addrs = new byte[sets * WAYS][];
        ip4 = new int[sets * WAYS];
        port4 = new int[sets * WAYS];
        used = new byte[sets];
        next = new byte[sets];
    }

    /** Entries the cache holds at most. */
    int capacity() {
        return keys.length;
    }

    /** The raw media address of {@code src} (the cache's array: do not change it). */
    byte[] mediaAddrOf(InetSocketAddress src) {
        int set = mix(src.hashCode()) & setMask;
        int base = set * WAYS;
        for (int i = base, end = base + used[set]; i < end; i++) {
            InetSocketAddress k = keys[i];
            if (port4[i] < 0 && (k == src || k.equals(src))) {
                return addrs[i];
            }
        }
        int i = slot(set);
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
        int set = mix(ip * 31 + port) & setMask;
        int base = set * WAYS;
        for (int i = base, end = base + used[set]; i < end; i++) {
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
        int i = slot(set);
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

    /** A free way of {@code set}, else its oldest entry (first in, first out). */
    private int slot(int set) {
        int base = set * WAYS;
        if (used[set] < WAYS) {
            return base + used[set]++;
        }
        int w = next[set];
        next[set] = (byte) ((w + 1) % WAYS);
        return base + w;
    }

    /** Spreads the low bits (addresses of one subnet and consecutive ports differ in few bits). */
    private static int mix(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
