package io.jtipc.capture;

import java.util.Arrays;

/**
 * One TIPC message found in a capture, as a view over a buffer owned by the dissector.
 *
 * <p><b>Reuse:</b> the dissector keeps one instance per nesting depth and refills it for every message;
 * an instance and its buffer are valid only during the listener callback. Listeners that keep a message
 * must call {@link #copy()} (or copy the fields they need).
 *
 * <p>The buffer slice {@code buf()[offset() .. offset()+length())} is exactly one plaintext TIPC message
 * of {@code length()} = msg_size bytes (w0 bits 16-0, net/tipc/msg.h), already validated: version 2,
 * header size 24..60, size >= header size, size fits the data it came in. For
 * {@link TipcMessageListener#onEncrypted} it is instead the whole undecryptable encrypted frame.
 */
public final class CapturedMessage {
    CapturedFrame frame;
    long frameNumber;
    long timestampNanos;
    MediaEndpoint src;
    MediaEndpoint dst;
    Origin origin;
    int depth;
    boolean wasEncrypted;
    byte[] buf;
    int offset;
    int length;
    final byte[] ehdr = new byte[28];
    int ehdrLength;
    NodeDirectory nodes;

    CapturedMessage() {
    }

    /** The frame that carried this message (for REASSEMBLED: the last fragment's frame). Reused. */
    public CapturedFrame frame() { return frame; }

    /** 1-based frame number in the capture file (for REASSEMBLED: the frame of the last fragment). */
    public long frameNumber() { return frameNumber; }

    /** Capture time of {@link #frameNumber()}, nanoseconds since the Unix epoch. */
    public long timestampNanos() { return timestampNanos; }

    /** Media source: Ethernet MAC or UDP ip:port of the sending bearer. */
    public MediaEndpoint src() { return src; }

    /** Media destination (broadcast/multicast for discovery and broadcast-link traffic). */
    public MediaEndpoint dst() { return dst; }

    /** How the message was found. */
    public Origin origin() { return origin; }

    /** 0 for TOP, +1 per level of bundle/tunnel/fragment nesting. */
    public int depth() { return depth; }

    /** True if the frame carrying the message was encrypted (and was decrypted, for onMessage). */
    public boolean wasEncrypted() { return wasEncrypted; }

    /** Backing buffer (reused). */
    public byte[] buf() { return buf; }

    /** Offset of the message's first header byte in {@link #buf()}. */
    public int offset() { return offset; }

    /** Message size in bytes (header + data). */
    public int length() { return length; }

    /** Encryption header bytes (16, or 28 for discovery) copied from the frame; valid when
     *  {@link #encryptionHeaderLength()} &gt; 0, reused. Only TOP-level messages of encrypted frames and
     *  the messages they carry have one. */
    public byte[] encryptionHeader() { return ehdr; }

    /** 0 if the frame was not encrypted, else 16 or 28 (struct tipc_ehdr, net/tipc/crypto.h). */
    public int encryptionHeaderLength() { return ehdrLength; }

    /** Node directory learnt so far from discovery messages in this capture. */
    public NodeDirectory nodes() { return nodes; }

    // ---- header conveniences (net/tipc/msg.h); plaintext messages only ----

    /**
     * Header word {@code i} (big-endian 32 bits), 0 if the message is shorter than that word: a peer's message may
     * claim a short header (24-60 bytes are legal, msg.c tipc_msg_validate) and still be asked for a later word.
     */
    public int word(int i) {
        int p = offset + 4 * i;
        if (i < 0 || 4 * i + 4 > length || p + 4 > buf.length) return 0;
        return ((buf[p] & 0xff) << 24) | ((buf[p + 1] & 0xff) << 16) | ((buf[p + 2] & 0xff) << 8) | (buf[p + 3] & 0xff);
    }

    /** msg_user: w0 bits 28-25. */
    public int user() { return (word(0) >>> 25) & 0xf; }

    /** msg_type: w1 bits 31-29. */
    public int type() { return (word(1) >>> 29) & 0x7; }

    /** msg_hdr_sz in bytes: w0 bits 24-21 times 4. */
    public int headerSize() { return ((word(0) >>> 21) & 0xf) << 2; }

    /**
     * Node address of the sender: w3 (prevnode) for LINK_CONFIG and headers under 28 bytes, else w6 (orignode).
     */
    public int srcNode() {
        int hs = headerSize();
        if (user() == 13 || hs < 28) return word(3);
        return word(6);
    }

    /**
     * Node address of the receiver, 0 if unknown: w7 (destnode) for headers of 32 bytes or more
     * (not LINK_CONFIG); otherwise the node learnt for the media destination, if any.
     */
    public int dstNode() {
        int hs = headerSize();
        if (user() != 13 && hs >= 32) return word(7);
        if (nodes == null || dst == null) return 0;
        return nodes.addressOf(dst);
    }

    /** A detached copy that owns its bytes (frame() of the copy is null). */
    public CapturedMessage copy() {
        CapturedMessage c = new CapturedMessage();
        c.frameNumber = frameNumber;
        c.timestampNanos = timestampNanos;
        c.src = src;
        c.dst = dst;
        c.origin = origin;
        c.depth = depth;
        c.wasEncrypted = wasEncrypted;
        c.buf = Arrays.copyOfRange(buf, offset, offset + length);
        c.offset = 0;
        c.length = length;
        System.arraycopy(ehdr, 0, c.ehdr, 0, ehdr.length);
        c.ehdrLength = ehdrLength;
        c.nodes = nodes;
        return c;
    }

    @Override public String toString() {
        return "frame " + frameNumber + " " + origin + "@" + depth + " user " + user() + " type " + type()
                + " size " + length + " " + src + " -> " + dst;
    }
}
