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
     * The record {@code f} has been dissected: every message, encrypted frame and malformation it produced
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
