package io.jtipc.wire;

/**
 * One AES-GCM key ready for use: the primitive under TIPC encryption ({@code "gcm(aes)"}, the only algorithm
 * {@code tipc_aead_key_validate} accepts, net/tipc/crypto.c), shared by the capture analyser and the node.
 * 12-byte IV, 16-byte tag appended to the ciphertext ({@code TIPC_AES_GCM_IV_SIZE}, {@code TIPC_AES_GCM_TAG_SIZE},
 * crypto.h). How TIPC forms the IV and the AAD is {@link EncryptedFrame}'s.
 *
 * <p>The implementation used everywhere is {@link JdkAesGcm} (the JDK's {@code AES/GCM/NoPadding}, no extra
 * dependency, AES-NI/CLMUL intrinsics on x86-64 and arm64), the faster in bench's JMH comparison with BouncyCastle's,
 * which implements this interface there ({@code io.jtipc.bench.BcAesGcm}; bench/RESULTS.md). Not thread-safe: one
 * instance per thread (the node core has one thread).
 */
public interface AesGcm {
    /** Nonce length, bytes. */
    int IV_SIZE = 12;
    /** Authentication tag length, bytes. */
    int TAG_SIZE = Tipc.AES_GCM_TAG_SIZE;

    /**
     * Encrypts {@code in[inOff, inOff+len)} authenticating {@code aad[aadOff, aadOff+aadLen)} too, and writes the
     * ciphertext followed by the 16-byte tag at {@code out[outOff]} ({@code len + 16} bytes). {@code out} must not
     * overlap {@code in}.
     *
     * @return bytes written, {@code len + 16}
     * @throws IllegalStateException if the JCE refuses the operation (e.g. the same key and IV twice in a row)
     */
    int seal(byte[] iv, byte[] aad, int aadOff, int aadLen, byte[] in, int inOff, int len, byte[] out, int outOff);

    /**
     * Decrypts {@code in[inOff, inOff+len)} (ciphertext then the 16-byte tag) and writes the plaintext
     * ({@code len - 16} bytes) at {@code out[outOff]} if the tag verifies. {@code out} must not overlap {@code in}.
     *
     * @return the plaintext length, or -1 if the tag does not verify or {@code len < 16}; never throws for bad input
     */
    int open(byte[] iv, byte[] aad, int aadOff, int aadLen, byte[] in, int inOff, int len, byte[] out, int outOff);

    /**
     * The default implementation ({@link JdkAesGcm}) for an AES key of 16, 24 or 32 bytes at {@code key[off]}.
     *
     * @throws IllegalArgumentException for another key length
     */
    static AesGcm of(byte[] key, int off, int len) {
        return new JdkAesGcm(key, off, len);
    }
}
