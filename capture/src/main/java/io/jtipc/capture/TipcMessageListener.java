package io.jtipc.capture;

/**
 * Receives what {@link TipcCaptureDissector#dissect} finds, in capture order. For one frame the outer
 * message is reported before the messages it carries (bundled, tunnelled), and a reassembled message
 * after the fragment that completed it. Objects passed in are reused between calls: copy what you keep
 * ({@link CapturedMessage#copy()}).
 */
public interface TipcMessageListener {

    /** A plaintext TIPC message (possibly after decryption). */
    void onMessage(CapturedMessage m);

    /**
     * An encrypted frame that no known key decrypts (no key given, or a key it does not match). The
     * message's buffer then covers the whole encrypted frame: encryption header, ciphertext, 16-byte tag;
     * {@link CapturedMessage#encryptionHeaderLength()} is 16 or 28. Not a malformation.
     */
    default void onEncrypted(CapturedMessage m) {
    }

    /**
     * Something in the frame could not be decoded: {@code field} names the field or layer
     * (e.g. "pcap.record", "ipv4.total_length", "tipc.size", "bundle.msg[2].size", "fragment"),
     * {@code reason} says why. The frame may have produced messages before the problem.
     */
    default void onMalformed(CapturedFrame f, String field, String reason) {
    }

    /**
     * Expert information of warning severity: the frame departs from what the kernel sends, but the kernel (the
     * specification, Linux 6.1) accepts it and processes it, ignoring the odd part. The frame is dissected fully
     * (its messages, including those it carries, are reported as usual) and the finding is counted in
     * {@link CaptureSummary#warnings()}, not in {@link CaptureSummary#malformed()}: it does not make a capture
     * un{@linkplain CaptureSummary#clean() clean}. {@code field} names the field as {@link #onMalformed} does,
     * {@code reason} says what is odd and what the kernel does with it. The findings (wire layer, see
     * {@code io.jtipc.wire.Malformation}):
     * <ul>
     *   <li>{@code tipc.gap_ack_blocks}: a LINK_PROTOCOL STATE whose gap ACK record len (bytes) is neither
     *       4 + 4 &times; (ugack_cnt + bgack_cnt) nor 4 + 4 &times; ugack_cnt, and not beyond the data size:
     *       "... the kernel ignores the gap ACK blocks" (net/tipc/link.c {@code tipc_get_gap_ack_blks}; a len
     *       beyond the data size makes {@code tipc_link_proto_rcv} drop the STATE and stays malformed);</li>
     *   <li>{@code tipc.data} of a NAME_DISTRIBUTOR message whose data size is not a multiple of 20 bytes:
     *       "... the kernel reads N items and ignores K trailing bytes" (net/tipc/name_distr.c
     *       {@code tipc_named_rcv});</li>
     *   <li>{@code tipc.msgcnt} of a MSG_BUNDLER whose message count differs from the messages found: "... the
     *       kernel extracts by inner sizes and ignores msgcnt", and {@code tipc.data}: 4 to 23 bytes after its last
     *       message, "... the kernel stops when fewer than 24 bytes remain and ignores them" (net/tipc/msg.c
     *       {@code tipc_msg_extract}).</li>
     * </ul>
     * Nested messages have the nested path ({@code bundle[1].data}, {@code tipc.tunnel.gap_ack_blocks}). The
     * strings are made by the dissector from numbers: no peer-chosen text. The default does nothing.
     */
    default void onWarning(CapturedFrame f, String field, String reason) {
    }

    /**
     * The record {@code f} has been dissected: every message, encrypted frame, malformation and warning it produced
     * has been reported (REASSEMBLED messages completed by it included). Called once per record of the file,
     * TIPC or not, in file order, while {@code f} still holds the record's bytes; a listener that selects
     * whole frames (display filters, {@code -c}, writing matching frames) decides here. An exception thrown
     * here ends {@link TipcCaptureDissector#dissect} and reaches its caller (no summary is returned): the way
     * to stop reading early. A file-level error found after the last record is reported through
     * {@link #onMalformed} with no {@code onFrameEnd} after it.
     */
    default void onFrameEnd(CapturedFrame f) {
    }
}
