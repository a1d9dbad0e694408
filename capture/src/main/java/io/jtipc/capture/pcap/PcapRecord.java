package io.jtipc.capture.pcap;

/** One packet record read by {@link PcapReader}; the reader refills the same instance. */
public final class PcapRecord {
    /** 1-based record (frame) number. */
    public long number;
    /** Capture time, nanoseconds since the Unix epoch. */
    public long timestampNanos;
    /** LINKTYPE_ value of the record's interface. */
    public int linkType;
    /** pcapng interface id (0 for pcap). */
    public int interfaceId;
    /** Bytes captured: data[offset..offset+capturedLength). The array is reused and may be longer. */
    public byte[] data = new byte[2048];
    /** Where the record starts in {@link #data}: 0 unless the reader is in {@link PcapReader#zeroCopy} mode. */
    public int offset;
    public int capturedLength;
    /** Non-null if this record is unusable (the reader says why; no data); reading can go on. */
    public String error;
    /** Length on the wire. */
    public int originalLength;
}
