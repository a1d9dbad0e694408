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
}
