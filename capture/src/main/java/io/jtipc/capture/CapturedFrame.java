package io.jtipc.capture;

/**
 * One record of the capture file as the dissector saw it. The dissector reuses a single instance for
 * every frame: it is valid only during the listener callback; copy what you keep.
 */
public final class CapturedFrame {
    long frameNumber;
    long timestampNanos;
    long captureStartNanos;
    int linkType;
    int interfaceId;
    int originalLength;
    byte[] buf;
    int offset;
    int length;
    MediaEndpoint src = MediaEndpoint.UNKNOWN;
    MediaEndpoint dst = MediaEndpoint.UNKNOWN;

    CapturedFrame() {
    }

    /** 1-based record number in the file (as Wireshark numbers frames). */
    public long frameNumber() { return frameNumber; }

    /** Capture time in nanoseconds since the Unix epoch (pcap µs/ns, pcapng per-interface resolution). */
    public long timestampNanos() { return timestampNanos; }

    /** Capture time of the file's first record (frame 1), for times relative to the capture's start. */
    public long captureStartNanos() { return captureStartNanos; }

    /** LINKTYPE_ value of the record's interface (1 Ethernet, 113 SLL, 276 SLL2, 101/228/229 raw IP...). */
    public int linkType() { return linkType; }

    /** pcapng interface id (0 for classic pcap). */
    public int interfaceId() { return interfaceId; }

    /** Length of the frame on the wire (may exceed {@link #length()} when the capture was snapped). */
    public int originalLength() { return originalLength; }

    /** Bytes of the captured frame: {@code buf()[offset() .. offset()+length())}. Reused; do not keep. */
    public byte[] buf() { return buf; }

    public int offset() { return offset; }

    public int length() { return length; }

    /** Media source as far as decoded ({@link MediaEndpoint#UNKNOWN} if not reached). */
    public MediaEndpoint src() { return src; }

    /** Media destination as far as decoded ({@link MediaEndpoint#UNKNOWN} if not reached or not recorded). */
    public MediaEndpoint dst() { return dst; }

    @Override public String toString() {
        return "frame " + frameNumber + " (" + length + " bytes, " + src + " -> " + dst + ")";
    }
}
