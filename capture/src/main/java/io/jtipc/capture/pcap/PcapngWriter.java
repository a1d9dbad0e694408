package io.jtipc.capture.pcap;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes a pcapng stream (IETF draft-ietf-opsawg-pcapng, the format Wireshark and tshark write): one Section
 * Header Block, one Interface Description Block per {@link #addInterface interface}, then one Enhanced Packet
 * Block per {@link #write packet}. Little-endian, timestamps in nanoseconds ({@code if_tsresol} = 9).
 *
 * <pre>
 * Enhanced Packet Block (all fields 32-bit, little-endian)
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                    Block Type = 0x00000006                    |
 * |                      Block Total Length                       |
 * |                         Interface ID                          |
 * |                  Timestamp (high 32 bits, ns)                 |
 * |                  Timestamp (low 32 bits, ns)                  |
 * |                    Captured Packet Length                     |
 * |                    Original Packet Length                     |
 * /          Packet Data, padded to a multiple of 4 bytes         /
 * |                      Block Total Length                       |
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Not thread-safe; the writer buffers one block at a time and writes it to the stream whole, so a reader
 * of a file still being written sees whole blocks once {@link #flush()} returns. The stream is not closed
 * until {@link #close()}.
 */
public final class PcapngWriter implements Closeable, Flushable {
    /** LINKTYPE_ETHERNET: frames start with a 14-byte Ethernet header. */
    public static final int LINKTYPE_ETHERNET = 1;
    /** LINKTYPE_RAW: frames start with an IPv4 or IPv6 header. */
    public static final int LINKTYPE_RAW = 101;
    /** Largest packet accepted by {@link #write}, bytes (also the interfaces' snap length). */
    public static final int MAX_PACKET = 262_144;

    private static final int SHB = 0x0A0D0D0A;
    private static final int IDB = 0x00000001;
    private static final int EPB = 0x00000006;
    private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;

    private final OutputStream out;
    private ByteBuffer block = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
    private int interfaces;
    private long bytesWritten;

    /**
     * Starts a section on {@code out}.
     *
     * @param out receives the blocks; buffered by the caller if it wants fewer writes
     * @param application written as the section's {@code shb_userappl} option (e.g. "jtipc 0.1.0"), or null
     * @throws IOException when {@code out} fails
     */
    public PcapngWriter(OutputStream out, String application) throws IOException {
        this.out = out;
        begin(SHB);
        block.putInt(BYTE_ORDER_MAGIC);
        block.putShort((short) 1).putShort((short) 0); // version 1.0
        block.putLong(-1L);                             // section length: not given
        if (application != null) option(4, application.getBytes(StandardCharsets.UTF_8));
        endOptions(application != null);
        finish();
    }

    /**
     * Declares an interface; packets name it by the returned id.
     *
     * @param linkType a LINKTYPE_ value, e.g. {@link #LINKTYPE_ETHERNET}
     * @param name the {@code if_name} option (e.g. "eth:veth0"), or null
     * @return the interface id, 0 for the first one
     * @throws IOException when the stream fails
     */
    public int addInterface(int linkType, String name) throws IOException {
        if (linkType < 0 || linkType > 0xFFFF) throw new IllegalArgumentException("linkType " + linkType);
        begin(IDB);
        block.putShort((short) linkType).putShort((short) 0);
        block.putInt(MAX_PACKET);
        if (name != null) option(2, name.getBytes(StandardCharsets.UTF_8));
        option(9, new byte[] {9}); // if_tsresol: 10^-9 s
        endOptions(true);
        finish();
        return interfaces++;
    }

    /**
     * Writes one packet.
     *
     * @param interfaceId an id returned by {@link #addInterface}
     * @param timestampNanos capture time, ns since the Unix epoch
     * @param data the packet's bytes
     * @param off first byte in {@code data}
     * @param len bytes captured, at most {@link #MAX_PACKET}
     * @param originalLength length on the wire (&ge; len)
     * @throws IllegalArgumentException on an unknown interface or a bad length
     * @throws IOException when the stream fails
     */
    public void write(int interfaceId, long timestampNanos, byte[] data, int off, int len, int originalLength)
            throws IOException {
        if (interfaceId < 0 || interfaceId >= interfaces) throw new IllegalArgumentException("interface " + interfaceId);
        if (len < 0 || len > MAX_PACKET || originalLength < len) {
            throw new IllegalArgumentException("length " + len + "/" + originalLength);
        }
        begin(EPB);
        ensure(len + 64);
        block.putInt(interfaceId);
        block.putInt((int) (timestampNanos >>> 32)).putInt((int) timestampNanos);
        block.putInt(len).putInt(originalLength);
        block.put(data, off, len);
        pad();
        finish();
    }

    /** Bytes written to the stream so far (for size-bounded rotation). */
    public long bytesWritten() {
        return bytesWritten;
    }

    /** Interfaces declared so far. */
    public int interfaces() {
        return interfaces;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    private void begin(int type) {
        block.clear();
        block.putInt(type).putInt(0); // length patched in finish()
    }

    private void option(int code, byte[] value) {
        ensure(value.length + 16);
        block.putShort((short) code).putShort((short) value.length).put(value);
        pad();
    }

    private void endOptions(boolean any) {
        if (any) block.putInt(0); // opt_endofopt
    }

    private void pad() {
        while ((block.position() & 3) != 0) block.put((byte) 0);
    }

    private void ensure(int more) {
        if (block.remaining() >= more + 8) return;
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(block.capacity() * 2, block.position() + more + 64))
                .order(ByteOrder.LITTLE_ENDIAN);
        block.flip();
        bigger.put(block);
        block = bigger;
    }

    private void finish() throws IOException {
        int total = block.position() + 4;
        block.putInt(total);
        block.putInt(4, total);
        out.write(block.array(), 0, total);
        bytesWritten += total;
    }
}
