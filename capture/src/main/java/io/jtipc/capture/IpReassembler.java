package io.jtipc.capture;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * IPv4/IPv6 fragment reassembly for the dissector: datagrams keyed by (addresses, protocol/next header,
 * identification); memory bounded by {@code maxBytes} held in total (oldest dropped first); datagrams
 * not completed within {@code timeoutNanos} of capture time after their first fragment are dropped.
 * Overlapping fragments simply overwrite (later bytes win).
 */
final class IpReassembler {
    private static final int MAX_DATAGRAM = 65535 + 8;

    private static final class Key {
        final byte[] k;
        final int hash;

        Key(byte[] k) {
            this.k = k;
            this.hash = Arrays.hashCode(k);
        }

        @Override public boolean equals(Object o) { return o instanceof Key && Arrays.equals(k, ((Key) o).k); }

        @Override public int hashCode() { return hash; }
    }

    private static final class Datagram {
        byte[] data = new byte[2048];
        final BitSet units = new BitSet();
        int totalLen = -1;
        long firstTs;
    }

    private final LinkedHashMap<Key, Datagram> pending = new LinkedHashMap<>();
    private final long timeoutNanos;
    private final int maxBytes;
    private int heldBytes;
    private long dropped;
    private byte[] result = new byte[2048];
    private int resultLength;

    IpReassembler(long timeoutNanos, int maxBytes) {
        this.timeoutNanos = timeoutNanos;
        this.maxBytes = maxBytes;
    }

    /** Datagrams given up so far. */
    long dropped() { return dropped; }

    /** Number of datagrams still incomplete. */
    int pendingCount() { return pending.size(); }

    /** Gives up everything still pending (end of capture); returns how many were dropped. */
    long flush() {
        long n = pending.size();
        dropped += n;
        pending.clear();
        heldBytes = 0;
        return n;
    }

    /**
     * Drops datagrams older than the timeout at capture time {@code now}: from the oldest (insertion order) up to
     * the first one still young, so that a fragment costs O(1) amortised, not a walk over every pending datagram
     * (captures are in time order but for small steps back across interfaces: such a datagram goes a little
     * later, within the byte bound).
     */
    void expire(long now) {
        if (pending.isEmpty()) return;
        Iterator<Datagram> it = pending.values().iterator();
        while (it.hasNext()) {
            Datagram d = it.next();
            // young: within the timeout either way (a datagram stamped far after now, a clock stepped back, goes too)
            if (now - d.firstTs <= timeoutNanos && d.firstTs - now <= timeoutNanos) break;
            heldBytes -= d.data.length;
            it.remove();
            dropped++;
        }
    }

    /**
     * Adds one fragment. {@code fragOffset} in bytes, {@code more} the more-fragments flag, payload
     * {@code src[off..off+len)} (the bytes after the IP header(s)).
     *
     * @return the reassembled payload length (bytes in {@link #result()}), -1 if still incomplete,
     * -2 if the fragment is impossible (beyond 65535 bytes)
     */
    int add(byte[] keyBytes, long now, int fragOffset, boolean more, byte[] src, int off, int len) {
        expire(now);
        int end = fragOffset + len;
        if (fragOffset < 0 || len < 0 || end > MAX_DATAGRAM) return -2;
        Key key = new Key(keyBytes);
        Datagram d = pending.get(key);
        if (d == null) {
            d = new Datagram();
            d.firstTs = now;
            pending.put(key, d);
            heldBytes += d.data.length;
        }
        if (d.data.length < end) {
            int n = Math.min(MAX_DATAGRAM, Math.max(end, d.data.length * 2));
            heldBytes += n - d.data.length;
            d.data = Arrays.copyOf(d.data, n);
        }
        System.arraycopy(src, off, d.data, fragOffset, len);
        if (len > 0) d.units.set(fragOffset >>> 3, (end + 7) >>> 3);
        if (!more) d.totalLen = end;
        int complete = -1;
        if (d.totalLen >= 0 && (long) d.units.nextClearBit(0) * 8 >= d.totalLen) {
            if (result.length < d.totalLen) result = new byte[Math.max(d.totalLen, 2 * result.length)];
            System.arraycopy(d.data, 0, result, 0, d.totalLen);
            resultLength = d.totalLen;
            complete = d.totalLen;
            pending.remove(key);
            heldBytes -= d.data.length;
        }
        while (heldBytes > maxBytes && !pending.isEmpty()) {
            Iterator<Datagram> it = pending.values().iterator();
            Datagram old = it.next();
            heldBytes -= old.data.length;
            it.remove();
            dropped++;
        }
        return complete;
    }

    byte[] result() { return result; }

    int resultLength() { return resultLength; }
}
