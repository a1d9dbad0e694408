package io.jtipc.node;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * Per-source rate limit of the discovery messages of one bearer (jtipc; the kernel has none: discover.c
 * {@code tipc_disc_rcv} processes every LINK_CONFIG frame, and each fresh node id costs a peer-table entry).
 *
 * <p>One token bucket per source media address (the frame's link-layer source as the bearer shell reports it, else
 * the media address block of the message), kept as a theoretical arrival time (GCRA): a source may send
 * {@link #BURST} messages at once and then one per {@link #INTERVAL} ms; what exceeds that is dropped before any
 * processing and counted, in total and per source. An honest node sends at most 8 per second (DSC_TRIAL every 125 ms
 * during its 1 s address trial, then DSC_REQ at 125, 250, 500 ms ... intervals, plus one DSC_RESP per request of ours).
 * Time is the core's {@code now}, ms; no clock is read.
 *
 * <p>Bounds: at most {@link #MAX_SOURCES} sources are tracked per bearer; a new one replaces the least recently seen
 * (whose bucket then restarts full, which never hurts an honest source). One entry costs about
 * {@link #SOURCE_BYTES} bytes (map entry, key with the 6-byte MAC or 20-byte UDP address, bucket), so the table
 * holds at most {@code MAX_SOURCES * SOURCE_BYTES} = 160 KiB per bearer. Sources beyond that (an attacker with many
 * addresses) are not limited individually: the peer table's eviction order ({@link NodeTable}) is the defence then.
 *
 * <p>Drops are reported through {@link Net#log} at most once per {@link #REPORT_INTERVAL} ms, with counts.
 */
final class DiscoveryLimiter {
    /** Interval between two messages a source may send once its burst is used, ms (= 10 messages per second). */
    static final int INTERVAL = 100;
    /** Messages a source may send back to back. */
    static final int BURST = 20;
    /** Sources tracked per bearer. */
    static final int MAX_SOURCES = 1024;
    /**
     * Heap cost bound of one tracked source, bytes (measured on JDK 17 with compressed oops: about 120 bytes for a
     * 6-byte MAC, 140 for a 20-byte UDP address).
     */
    static final int SOURCE_BYTES = 160;
    /** Minimum time between two log lines about dropped discovery messages, ms. */
    static final int REPORT_INTERVAL = 60_000;

    /** A source media address (content equality). */
    private record Key(byte[] addr) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(addr, k.addr);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(addr);
        }

        @Override
        public String toString() {
            return addr.length == 0 ? "(no address)" : HexFormat.of().formatHex(addr);
        }
    }

    private static final class Bucket {
        /** Theoretical arrival time of the next conforming message, ms. */
        long tat;
        /** Messages of this source dropped so far. */
        long dropped;
    }

    private final Net net;
    private final String bearerName;
    /** Access order: the eldest entry is the source seen least recently. */
    private final LinkedHashMap<Key, Bucket> sources = new LinkedHashMap<>(64, 0.75f, true);
    /** Messages dropped, in total and since the last report. */
    long dropped;
    private long droppedSinceReport;
    private Key lastDropped;
    private boolean reported;
    private long reportedAt;

    DiscoveryLimiter(Net net, String bearerName) {
        this.net = net;
        this.bearerName = bearerName;
    }

    /**
     * Takes a token for one discovery message from {@code src} at {@code now}.
     *
     * @param src source media address (not kept; null = unknown, all such messages share one bucket)
     * @return true if the message may be processed, false if it is to be dropped (counted)
     */
    boolean admit(long now, byte[] src) {
        Key k = new Key(src == null ? new byte[0] : src.clone());
        Bucket b = sources.get(k);
        if (b == null) {
            if (sources.size() >= MAX_SOURCES) {
                Iterator<Bucket> it = sources.values().iterator();
                it.next();
                it.remove();
            }
            b = new Bucket();
            b.tat = now;
            sources.put(k, b);
        }
        long tat = Math.max(b.tat, now);
        if (tat - now > (long) (BURST - 1) * INTERVAL) {
            b.dropped++;
            dropped++;
            droppedSinceReport++;
            lastDropped = k;
            report(now, b);
            return false;
        }
        b.tat = tat + INTERVAL;
        return true;
    }

    /** Messages from {@code src} dropped so far (0 if the source is not, or no longer, tracked). */
    long dropped(byte[] src) {
        Bucket b = sources.get(new Key(src == null ? new byte[0] : src));
        return b == null ? 0 : b.dropped;
    }

    /** Sources currently tracked. */
    int sources() {
        return sources.size();
    }

    private void report(long now, Bucket last) {
        if (reported && now - reportedAt < REPORT_INTERVAL) return;
        reported = true;
        reportedAt = now;
        net.log("discovery on " + bearerName + ": " + droppedSinceReport + " message(s) dropped by the per-source rate"
            + " limit (" + BURST + " then 1 per " + INTERVAL + " ms) since the last report, " + sources.size()
            + " source(s) tracked; last from " + lastDropped + " (" + last.dropped + " dropped in all)");
        droppedSinceReport = 0;
    }
}
