package io.jtipc.cli.pcap;

import io.jtipc.capture.NodeDirectory;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Text of 16-byte node identities (tipc_nodeid2string rules, {@link NodeDirectory#idString}) for the
 * few identities a capture repeats: the last {@value #SLOTS} are kept, so printing one costs a 16-byte
 * comparison, not a new String.
 */
final class NodeIdTexts {
    static final int SLOTS = 8;
    private final byte[][] ids = new byte[SLOTS][];
    private final byte[][] texts = new byte[SLOTS][];
    private int next;

    /** The identity at {@code b[off..off+16)} as ASCII bytes (shared: do not modify). */
    byte[] text(byte[] b, int off) {
        for (int i = 0; i < SLOTS; i++) {
            byte[] id = ids[i];
            if (id != null && Arrays.equals(id, 0, 16, b, off, off + 16)) return texts[i];
        }
        int i = next;
        next = (next + 1) % SLOTS;
        ids[i] = Arrays.copyOfRange(b, off, off + 16);
        texts[i] = NodeDirectory.idString(b, off).getBytes(StandardCharsets.US_ASCII);
        return texts[i];
    }
}
