package io.jtipc.wire;

/**
 * The TIPC rules around the AES-GCM primitive ({@code tipc_aead_encrypt} / {@code tipc_aead_decrypt},
 * net/tipc/crypto.c of Linux 6.1), shared by the node and the capture analyser:
 * <ul>
 *   <li>frame = encryption header (16 bytes, 28 for LINK_CONFIG: {@link EncryptionHeader#headerSize()}) ‖
 *       ciphertext of the TIPC message padded to a multiple of 4 bytes ({@code ALIGN(skb->len, 4)}) ‖ 16-byte tag;</li>
 *   <li>AAD = the whole encryption header;</li>
 *   <li>IV = {@link EncryptionHeader#iv}: 4 bytes of salt XOR an address as a little-endian host computes it, then
 *       the header's 8 sequence-number bytes. Which address is the caller's (key mode): see {@link #ivAddr}.</li>
 * </ul>
 */
public final class EncryptedFrame {
    private EncryptedFrame() {}

    /** Bytes a frame grows by beyond the 4-byte aligned message: header and tag ({@code EMSG_OVERHEAD} = 32 for non-discovery). */
    public static int overhead(int ehdrSize) {
        return ehdrSize + AesGcm.TAG_SIZE;
    }

    /** Encrypted frame length for a message of {@code msgLen} bytes: header + ALIGN(msgLen, 4) + 16. */
    public static int frameLength(int ehdrSize, int msgLen) {
        return ehdrSize + ((msgLen + 3) & ~3) + AesGcm.TAG_SIZE;
    }

    /**
     * The address XORed into the salt (crypto.c): for a cluster key (mode {@link Tipc#CLUSTER_KEY}) the header's
     * bytes 12-15 read big-endian (sender address; first 4 node-id bytes on discovery); for a per-node key the
     * destination address {@code perNodeAddr} when the header's D bit is set (sender: the destination node; receiver:
     * its own address), else 0 (no XOR).
     */
    public static int ivAddr(int mode, EncryptionHeader h, int perNodeAddr) {
        if (mode == Tipc.CLUSTER_KEY) return h.addr();
        return h.destined() != 0 ? perNodeAddr : 0;
    }

    /**
     * Encrypts a message into a frame whose encryption header the caller has written at {@code frame[frameOff]}
     * ({@code ehdrSize} bytes): pads {@code msg[msgOff, msgOff+msgLen)} with zero bytes to a multiple of 4 and writes
     * ciphertext and tag after the header.
     *
     * @param scratch  at least ALIGN(msgLen, 4) bytes, used for the padded plaintext
     * @param iv       12 bytes, already derived ({@link EncryptionHeader#iv})
     * @return the frame length, {@link #frameLength}
     * @throws IllegalStateException if the cipher refuses (same key and IV twice in a row)
     */
    public static int seal(AesGcm gcm, byte[] iv, byte[] frame, int frameOff, int ehdrSize,
                           byte[] msg, int msgOff, int msgLen, byte[] scratch) {
        int padded = (msgLen + 3) & ~3;
        System.arraycopy(msg, msgOff, scratch, 0, msgLen);
        for (int i = msgLen; i < padded; i++) scratch[i] = 0;
        int n = gcm.seal(iv, frame, frameOff, ehdrSize, scratch, 0, padded, frame, frameOff + ehdrSize);
        return ehdrSize + n;
    }

    /**
     * Decrypts the frame {@code frame[off, off+len)} (validated by {@link EncryptionHeader#validate}) into
     * {@code out[0]}: the padded TIPC message, header and tag stripped.
     *
     * @return the plaintext length (len - header - 16), or -1 if the tag does not verify
     */
    public static int open(AesGcm gcm, byte[] iv, byte[] frame, int off, int len, int ehdrSize, byte[] out) {
        return gcm.open(iv, frame, off, ehdrSize, frame, off + ehdrSize, len - ehdrSize, out, 0);
    }
}
