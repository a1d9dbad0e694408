package io.jtipc.bearer.udp;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Raw UDP media address ({@code struct udp_media_addr}, 20 bytes) to the socket address a datagram
 * is sent to: each destination is converted ({@link UdpMedia#socketAddress}) once, later sends find
 * it here without allocating. Linear search over a small bounded table (a bearer talks to a few
 * peers), oldest entry replaced when full. Not thread-safe: the caller holds its send lock.
 */
final class DestinationCache {
    private final long[] k0;
    private final long[] k1;
    private final int[] k2;
    private final InetSocketAddress[] v;
    private int size;
    private int next;

    DestinationCache(int capacity) {
        k0 = new long[capacity];
        k1 = new long[capacity];
        k2 = new int[capacity];
        v = new InetSocketAddress[capacity];
    }

    /** The cached destination of the 20 bytes at {@code addr[off]}, or null. */
    InetSocketAddress lookup(byte[] addr, int off) {
        Objects.checkFromIndexSize(off, UdpMedia.UDP_ADDR_SIZE, addr.length);
        long a = getLong(addr, off);
        long b = getLong(addr, off + 8);
        int c = getInt(addr, off + 16);
        for (int i = 0; i < size; i++) {
            if (k0[i] == a && k1[i] == b && k2[i] == c) {
                return v[i];
            }
        }
        return null;
    }

    /** Remembers {@code dst} as the destination of the 20 bytes at {@code addr[off]}. */
    void put(byte[] addr, int off, InetSocketAddress dst) {
        int i;
        if (size < v.length) {
            i = size++;
        } else {
            i = next; // oldest entry, first in first out
            next = (next + 1) % v.length;
        }
        k0[i] = getLong(addr, off);
        k1[i] = getLong(addr, off + 8);
        k2[i] = getInt(addr, off + 16);
        v[i] = dst;
    }

    private static long getLong(byte[] b, int o) {
        long r = 0;
        for (int i = 0; i < 8; i++) {
            r = (r << 8) | (b[o + i] & 0xFF);
        }
        return r;
    }

    private static int getInt(byte[] b, int o) {
        return (b[o] & 0xFF) << 24 | (b[o + 1] & 0xFF) << 16 | (b[o + 2] & 0xFF) << 8 | (b[o + 3] & 0xFF);
    }
}
