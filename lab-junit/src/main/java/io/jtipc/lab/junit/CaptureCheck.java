package io.jtipc.lab.junit;

import io.jtipc.capture.CaptureSummary;
import io.jtipc.capture.CapturedFrame;
import io.jtipc.capture.CapturedMessage;
import io.jtipc.capture.DissectorOptions;
import io.jtipc.capture.Origin;
import io.jtipc.capture.TipcCaptureDissector;
import io.jtipc.capture.TipcMessageListener;
import io.jtipc.lab.PacketCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Dissects a lab capture with jtipc's capture module and says whether it is clean: every frame
 * decoded, no malformed report.
 *
 * <p>It also lists <em>late fragments</em>: a MSG_FRAGMENTER frame (user 12) whose link sequence
 * number is below one the same sender already put on the wire, seen for the first time. Kernel
 * senders under qemu produce them regularly (frames dropped before the wire by the guest's device
 * queue go out again as retransmissions after later ones; netem reorders too). The receiving link
 * puts packets back in seqno order (net/tipc/link.c, deferred queue) before reassembly (msg.c
 * tipc_buf_append), and so must a dissector: a capture order reassembly would report such messages
 * as too short. The list tells a reader of a failing report whether that is the case.
 */
public final class CaptureCheck {
    private static final int MSG_FRAGMENTER = 12;

    private CaptureCheck() {
    }

    /** The outcome of {@link #check}. */
    public record Report(Path file, CaptureSummary summary, long messages, List<String> malformed,
                         List<String> lateFragments) {

        /**
         * Throws unless the capture is clean: read to its end, no bad record, no malformed report.
         *
         * @throws AssertionError listing the malformed reports and the late fragments
         */
        public Report requireClean() {
            if (summary.fileError() != null || summary.badRecords() > 0 || summary.malformed() > 0 || !malformed.isEmpty()) {
                throw new AssertionError("capture " + file + " is not clean: " + summary + "\nmalformed:\n  "
                        + String.join("\n  ", malformed) + "\nlate fragments:\n  " + String.join("\n  ", lateFragments));
            }
            return this;
        }

        @Override
        public String toString() {
            return file + ": " + summary + ", " + lateFragments.size() + " late fragment(s)"
                    + (malformed.isEmpty() ? "" : ", malformed: " + malformed);
        }
    }

    /**
     * The closing check of a lab test class: stops {@code capture}, dissects its file, prints the report on
     * stderr tagged {@code [tag]} and requires it clean with more than {@code moreThanTipcFrames} TIPC frames.
     *
     * @return the report (its {@link Report#file()} for further checks)
     * @throws AssertionError if the capture holds no packet, is not clean or has too few TIPC frames
     * @throws IOException    if the capture file cannot be read
     */
    public static Report requireCleanCapture(PacketCapture capture, String tag, long moreThanTipcFrames) throws IOException {
        Path file = capture.stop();
        long size = Files.size(file);
        if (size <= 24) throw new AssertionError("capture " + file + " holds no packet (" + size + " bytes)");
        Report r = check(file);
        System.err.println("[" + tag + "] " + r);
        r.requireClean();
        if (r.summary().tipcFrames() <= moreThanTipcFrames) {
            throw new AssertionError("capture " + file + ": " + r.summary().tipcFrames() + " TIPC frames, expected more than "
                    + moreThanTipcFrames);
        }
        return r;
    }

    /** Dissects {@code pcap} (no keys, UDP port 6118). */
    public static Report check(Path pcap) throws IOException {
        return check(pcap, DissectorOptions.defaults());
    }

    public static Report check(Path pcap, DissectorOptions options) throws IOException {
        List<String> malformed = new ArrayList<>();
        List<String> late = new ArrayList<>();
        Map<String, int[]> highest = new HashMap<>();
        Map<String, BitSet> seen = new HashMap<>();
        long[] messages = {0};
        CaptureSummary s = new TipcCaptureDissector(options).dissect(pcap, new TipcMessageListener() {
            @Override
            public void onMessage(CapturedMessage m) {
                messages[0]++;
                if (m.origin() != Origin.TOP || m.user() != MSG_FRAGMENTER) {
                    return;
                }
                String sender = m.src() + ">" + m.dst();
                int seq = m.word(2) & 0xffff;
                BitSet got = seen.computeIfAbsent(sender, k -> new BitSet(65536));
                int[] hi = highest.get(sender);
                if (hi == null) {
                    highest.put(sender, new int[] {seq});
                } else if (((seq - hi[0]) & 0xffff) > 0 && ((seq - hi[0]) & 0xffff) < 0x8000) {
                    hi[0] = seq;
                } else if (seq != hi[0] && !got.get(seq)) {
                    late.add("frame " + m.frameNumber() + " " + sender + " seqno " + seq + " after " + hi[0]);
                }
                got.set(seq);
            }

            @Override
            public void onMalformed(CapturedFrame f, String field, String reason) {
                if (malformed.size() < 200) {
                    malformed.add("frame " + (f == null ? "?" : f.frameNumber()) + " " + field + ": " + reason);
                }
            }
        });
        return new Report(pcap, s, messages[0], List.copyOf(malformed), List.copyOf(late));
    }
}
