package io.jtipc.capture.analysis;

import io.jtipc.capture.CapturedFrame;
import io.jtipc.capture.CapturedMessage;
import io.jtipc.capture.Origin;
import io.jtipc.capture.TipcMessageListener;
import io.jtipc.wire.Tipc;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Counts what a capture holds: TIPC messages per user and type (TOP-level and nested: bundled,
 * tunnelled, reassembled), frames that were encrypted and decrypted or not, every malformation
 * the dissector reported with its field and reason, and apart from them its warnings (findings the kernel
 * accepts, {@link TipcMessageListener#onWarning}) by field and reason.
 */
public final class StatsAnalysis implements TipcMessageListener {

    /** Messages of one (user, type) pair. */
    public static final class Count {
        final int user;
        final int type;
        long top, nested, bytes;

        Count(int user, int type) {
            this.user = user;
            this.type = type;
        }

        public int user() { return user; }
        public int type() { return type; }
        /** Kernel names, e.g. "LINK_PROTOCOL" / "STATE_MSG" (or "user 15" / "type 7" when unknown). */
        public String userName() { return StatsAnalysis.userName(user); }
        public String typeName() { return StatsAnalysis.typeName(user, type); }
        /** Messages that were the whole (decrypted) media payload of a frame. */
        public long top() { return top; }
        /** Messages found inside bundles, tunnels or rebuilt from fragments. */
        public long nested() { return nested; }
        /** Sum of message sizes, all depths. */
        public long bytes() { return bytes; }
    }

    /** One malformation report. */
    public record Malformed(long frame, String field, String reason) {}

    private static final int MAX_KEPT = 1000;

    /** Indexed by user * 8 + type (4-bit user, 3-bit type): no boxing per message. */
    private final Count[] counts = new Count[128];
    private final Map<String, Long> malformedByField = new LinkedHashMap<>();
    private final List<Malformed> malformed = new ArrayList<>();
    private long malformedTotal;
    private final Map<String, Long> warningsByField = new LinkedHashMap<>();
    private long warningsTotal;
    private long lastFrame = -1;
    private long tipcFrames, tipcFrameBytes, encryptedFrames, decryptedFrames, undecryptedFrames;
    private long messages;

    @Override
    public void onMessage(CapturedMessage m) {
        messages++;
        if (m.frameNumber() != lastFrame && m.origin() == Origin.TOP) {
            lastFrame = m.frameNumber();
            tipcFrames++;
            if (m.frame() != null) tipcFrameBytes += m.frame().length();
            if (m.wasEncrypted()) {
                encryptedFrames++;
                decryptedFrames++;
            }
        }
        int user = m.user();
        int type = m.type();
        Count c = counts[user * 8 + type];
        if (c == null) {
            c = new Count(user, type);
            counts[user * 8 + type] = c;
        }
        if (m.origin() == Origin.TOP) c.top++; else c.nested++;
        c.bytes += m.length();
    }

    @Override
    public void onEncrypted(CapturedMessage m) {
        if (m.frameNumber() != lastFrame) {
            lastFrame = m.frameNumber();
            tipcFrames++;
            if (m.frame() != null) tipcFrameBytes += m.frame().length();
        }
        encryptedFrames++;
        undecryptedFrames++;
    }

    @Override
    public void onMalformed(CapturedFrame f, String field, String reason) {
        malformedTotal++;
        malformedByField.merge(field + ": " + reason, 1L, Long::sum);
        if (malformed.size() < MAX_KEPT) malformed.add(new Malformed(f == null ? -1 : f.frameNumber(), field, reason));
    }

    @Override
    public void onWarning(CapturedFrame f, String field, String reason) {
        warningsTotal++;
        if (warningsByField.size() < MAX_KEPT || warningsByField.containsKey(field + ": " + reason)) {
            warningsByField.merge(field + ": " + reason, 1L, Long::sum);
        }
    }

    /** Per (user, type) counts, ordered by user then type. */
    public List<Count> counts() {
        List<Count> list = new ArrayList<>();
        for (Count c : counts) {
            if (c != null) list.add(c);
        }
        return list;
    }

    /** The first malformation reports (at most 1000 kept). */
    public List<Malformed> malformed() { return Collections.unmodifiableList(malformed); }

    /** Malformation reports grouped by "field: reason", with counts, in order of first appearance. */
    public Map<String, Long> malformedByReason() { return Collections.unmodifiableMap(malformedByField); }

    public long malformedTotal() { return malformedTotal; }

    /** Warning reports (findings the kernel accepts) grouped by "field: reason", with counts, in order of first
     *  appearance (at most 1000 distinct ones kept; {@link #warningsTotal()} counts them all). */
    public Map<String, Long> warningsByReason() { return Collections.unmodifiableMap(warningsByField); }

    /** Warning reports: not malformations (see {@link TipcMessageListener#onWarning}). */
    public long warningsTotal() { return warningsTotal; }
    /** Frames that carried TIPC (plaintext, decrypted or not decryptable). */
    public long tipcFrames() { return tipcFrames; }
    /** Captured bytes of those frames (media headers included). */
    public long tipcFrameBytes() { return tipcFrameBytes; }
    public long encryptedFrames() { return encryptedFrames; }
    public long decryptedFrames() { return decryptedFrames; }
    public long undecryptedFrames() { return undecryptedFrames; }
    /** Messages reported, all depths. */
    public long messages() { return messages; }

    static String userName(int user) {
        String n = Tipc.userName(user);
        return n != null ? n : "user " + user;
    }

    static String typeName(int user, int type) {
        String n = Tipc.typeName(user, type);
        return n != null ? n : "type " + type;
    }

    /** Human-readable report; {@code totals} may be null if the file was not counted separately. */
    public String format(FileTotals totals) {
        StringBuilder sb = new StringBuilder();
        if (totals != null) {
            sb.append(String.format(Locale.ROOT, "Frames: %d (%d bytes captured, %d on the wire), %.6f s%n",
                    totals.frames(), totals.capturedBytes(), totals.wireBytes(),
                    totals.firstNanos() < 0 ? 0.0 : (totals.lastNanos() - totals.firstNanos()) / 1e9));
            if (totals.error() != null) sb.append("File read stopped early: ").append(totals.error()).append('\n');
        }
        sb.append(String.format(Locale.ROOT, "TIPC frames: %d (%d bytes); messages: %d (all depths)%n",
                tipcFrames, tipcFrameBytes, messages));
        sb.append(String.format(Locale.ROOT, "Encrypted frames: %d, decrypted: %d, not decrypted: %d%n",
                encryptedFrames, decryptedFrames, undecryptedFrames));
        sb.append('\n');
        sb.append(String.format(Locale.ROOT, "%-30s %-22s %10s %10s %12s%n", "User", "Type", "Top", "Nested", "Bytes"));
        for (Count c : counts()) {
            sb.append(String.format(Locale.ROOT, "%-30s %-22s %10d %10d %12d%n",
                    c.userName() + " (" + c.user + ")", c.typeName() + " (" + c.type + ")", c.top, c.nested, c.bytes));
        }
        sb.append('\n').append("Malformed: ").append(malformedTotal).append('\n');
        for (Map.Entry<String, Long> e : malformedByField.entrySet()) {
            sb.append(String.format(Locale.ROOT, "  %6d  %s%n", e.getValue(), e.getKey()));
        }
        if (!malformed.isEmpty()) {
            sb.append("  first reports:\n");
            for (int i = 0; i < Math.min(20, malformed.size()); i++) {
                Malformed mf = malformed.get(i);
                sb.append("    frame ").append(mf.frame()).append(": ").append(mf.field()).append(": ")
                        .append(mf.reason()).append('\n');
            }
        }
        if (warningsTotal > 0) {
            sb.append('\n').append("Warnings (accepted by the kernel, not malformed): ").append(warningsTotal).append('\n');
            for (Map.Entry<String, Long> e : warningsByField.entrySet()) {
                sb.append(String.format(Locale.ROOT, "  %6d  %s%n", e.getValue(), e.getKey()));
            }
        }
        return sb.toString();
    }
}
