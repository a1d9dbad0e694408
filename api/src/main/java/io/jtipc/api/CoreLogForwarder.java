package io.jtipc.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Forwards the protocol core's diagnostic lines ({@link io.jtipc.node.NodeCore#log()}: link reset reasons, a full
 * peer table, duplicate addresses, ...) to a logger, rate-limited per kind, so that a peer that makes the core log a
 * line per frame cannot flood the log. The kernel rate-limits its {@code pr_warn}s the same way
 * ({@code net_ratelimit}, {@code pr_warn_ratelimited}), globally; here the limit is per kind, so one flood does not
 * hide another kind's first line.
 *
 * <p>A line's <em>kind</em> is its text with every word (maximal run of letters and digits) that holds a digit, or is
 * all hex digits and at least {@value #HEX_WORD_MIN} long, replaced by {@code #}, cut to {@value #KIND_MAX_CHARS}
 * characters: "link a:u1-b:u1: fragment reassembly error X" and the same for peer c are different kinds (different
 * link names), "peer table full (4096), discovery from 1001234 ignored" for any address is one. Each kind is printed
 * at most once per {@value #INTERVAL_MS} ms; lines of that kind in between are counted and the next printed one ends
 * with " (N more like this suppressed)". At most {@value #KINDS_LIMIT} kinds are remembered (least recently seen
 * forgotten first: a forgotten kind may print again at once, its count lost). Since a peer may vary a line's words
 * (each a new kind), at most {@value #TOTAL_PER_INTERVAL} lines in all are printed per {@value #INTERVAL_MS} ms window
 * (the kernel's {@code net_ratelimit} is global: 10 per 5 s); the lines beyond are counted and the first line printed
 * in a later window is preceded by "(N more core log lines suppressed ...)".
 *
 * <p>Used under the node's core lock only (not thread-safe); costs nothing per frame: the loop asks the core for new
 * lines once per batch of work ({@link io.jtipc.node.NodeCore#logSince}), O(1) when there are none.
 */
final class CoreLogForwarder implements Consumer<String> {
    /** Shortest time between two printed lines of one kind, ms. */
    static final long INTERVAL_MS = 10_000;
    /** Lines printed per {@link #INTERVAL_MS} window in all kinds together. */
    static final int TOTAL_PER_INTERVAL = 100;
    /** Kinds remembered with their time and suppressed count. */
    static final int KINDS_LIMIT = 256;
    /** Characters of a line that make its kind. */
    static final int KIND_MAX_CHARS = 120;
    /** An all-hex word at least this long counts as a number (a node id, a key) and is masked. */
    static final int HEX_WORD_MIN = 8;

    private static final class Kind {
        boolean printedOnce;
        long printedAt;
        long suppressed;
    }

    private final Consumer<String> out;
    private final LongSupplier clockMs;
    private final Map<String, Kind> kinds = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Kind> e) {
            return size() > KINDS_LIMIT;
        }
    };
    private long printed;
    private long suppressed;
    private boolean windowOpen;
    private long windowStart;
    private int windowPrinted;
    /** Lines held back by {@link #TOTAL_PER_INTERVAL} since the last summary. */
    private long overflow;

    /** @param out where printed lines go (the logger at INFO); @param clockMs a monotonic clock, ms */
    CoreLogForwarder(Consumer<String> out, LongSupplier clockMs) {
        this.out = Objects.requireNonNull(out);
        this.clockMs = Objects.requireNonNull(clockMs);
    }

    /** One new core line: printed, or counted as suppressed. */
    @Override
    public void accept(String line) {
        long now = clockMs.getAsLong();
        if (!windowOpen || now - windowStart >= INTERVAL_MS) {
            windowOpen = true;
            windowStart = now;
            windowPrinted = 0;
        }
        Kind k = kinds.computeIfAbsent(kind(line), x -> new Kind());
        if (k.printedOnce && now - k.printedAt < INTERVAL_MS) {
            k.suppressed++;
            suppressed++;
            return;
        }
        if (windowPrinted >= TOTAL_PER_INTERVAL) {
            overflow++;
            suppressed++;
            return;
        }
        if (overflow > 0) {
            out.accept("(" + overflow + " more core log lines suppressed: over " + TOTAL_PER_INTERVAL + " per "
                    + INTERVAL_MS + " ms)");
            overflow = 0;
        }
        windowPrinted++;
        String text = k.suppressed == 0 ? line : line + " (" + k.suppressed + " more like this suppressed)";
        k.printedOnce = true;
        k.printedAt = now;
        k.suppressed = 0;
        printed++;
        out.accept(text);
    }

    /** Lines printed so far. */
    long printed() {
        return printed;
    }

    /** Lines suppressed so far. */
    long suppressed() {
        return suppressed;
    }

    /** Kinds remembered now (at most {@link #KINDS_LIMIT}). */
    int kindsTracked() {
        return kinds.size();
    }

    /** The kind of {@code line} (see the class comment). */
    static String kind(String line) {
        StringBuilder sb = new StringBuilder(Math.min(line.length(), KIND_MAX_CHARS));
        int n = line.length();
        for (int i = 0; i < n && sb.length() < KIND_MAX_CHARS;) {
            char c = line.charAt(i);
            if (!Character.isLetterOrDigit(c)) {
                sb.append(c);
                i++;
                continue;
            }
            int j = i;
            boolean digit = false;
            boolean hex = true;
            while (j < n && Character.isLetterOrDigit(line.charAt(j))) {
                char d = line.charAt(j);
                digit |= d >= '0' && d <= '9';
                hex &= Character.digit(d, 16) >= 0;
                j++;
            }
            if (digit || (hex && j - i >= HEX_WORD_MIN)) {
                sb.append('#');
            } else {
                sb.append(line, i, Math.min(j, i + KIND_MAX_CHARS - sb.length()));
            }
            i = j;
        }
        return sb.toString();
    }
}
