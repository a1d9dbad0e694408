package io.jtipc.capture.pcap;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads classic pcap (both byte orders, µs and ns magic) and pcapng (SHB, IDB, EPB, SPB, obsolete PB;
 * several sections and interfaces, per-interface link type, if_tsresol and if_tsoffset). Other pcapng
 * blocks are skipped.
 *
 * <p>Total: a corrupt file header, an impossible length or a truncated record never throws and never
 * loops; {@link #next} returns false, {@link #error()} says what was wrong and {@link #badRecords()}
 * counts it. A pcapng packet block whose framing is intact but whose content is impossible is returned
 * with {@link PcapRecord#error} set (and counted), and reading goes on. Only an unreadable file (open/read failure) raises IOException.
 */
public final class PcapReader implements Closeable {
    /** Largest record or block accepted; anything larger is taken as a lying length field. */
    public static final int MAX_BLOCK = 16 << 20;

    private static final int PCAP_US = 0xa1b2c3d4;
    private static final int PCAP_NS = 0xa1b23c4d;
    private static final int PCAPNG_SHB = 0x0a0d0d0a;
    private static final int BOM = 0x1a2b3c4d;

    private final Input in;
    private final boolean ng;
    private boolean zeroCopy;
    private boolean bigEndian;
    private boolean nanos;
    private int pcapLinkType;
    private final List<long[]> ifaces = new ArrayList<>(); // {linkType, snaplen, unitsPerSecPow10 or -pow2, offsetSec}
    private long number;
    private long position;
    private String error;
    private long badRecords;
    private boolean done;
    private byte[] block = new byte[4096];
    private final byte[] hdr = new byte[32];

    private PcapReader(Input in, boolean ng) {
        this.in = in;
        this.ng = ng;
    }

    /**
     * Opens a capture file and reads its header.
     *
     * @throws IOException if the file cannot be opened or read (a corrupt header is not an IOException:
     *                     the reader then reports it through {@link #error()})
     */
    public static PcapReader open(Path file) throws IOException {
        return open(Files.newInputStream(file), 1 << 20);
    }

    /** As {@link #open(Path)} over a stream (64 KiB read buffer); the reader closes it. */
    public static PcapReader open(InputStream raw) throws IOException {
        return open(raw, 1 << 16);
    }

    /** As {@link #open(Path)} over a stream with a read buffer of {@code bufferSize} bytes. */
    public static PcapReader open(InputStream raw, int bufferSize) throws IOException {
        return open(raw, bufferSize, false);
    }

    /**
     * As {@link #open(InputStream, int)}; with {@code prefetch} a background thread (daemon, stopped by
     * {@link #close}) reads the stream ahead into a few buffers of {@code bufferSize} bytes that the records
     * are then taken from, so reading (copying the file's bytes) overlaps with the caller's work on another
     * core. The stream must then not be used by anyone else until the reader is closed.
     */
    public static PcapReader open(InputStream raw, int bufferSize, boolean prefetch) throws IOException {
        Input in = prefetch ? new PrefetchInput(raw, Math.max(bufferSize, 64)) : new Input(raw, Math.max(bufferSize, 64));
        try {
            return open(in);
        } catch (IOException | RuntimeException e) {
            try {
                in.close(); // stops the read-ahead thread
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static PcapReader open(Input in) throws IOException {
        byte[] m = new byte[4];
        int n = readUpTo(in, m, 0, 4);
        if (n < 4) {
            PcapReader r = new PcapReader(in, false);
            r.fail("file too short for a pcap/pcapng header (" + n + " bytes)");
            return r;
        }
        int be = be32(m, 0), le = le32(m, 0);
        PcapReader r;
        if (be == PCAPNG_SHB) {
            r = new PcapReader(in, true);
            r.position = 4;
            r.readShbRest();
        } else {
            r = new PcapReader(in, false);
            r.position = 4;
            if (be == PCAP_US || be == PCAP_NS) {
                r.bigEndian = true;
                r.nanos = be == PCAP_NS;
            } else if (le == PCAP_US || le == PCAP_NS) {
                r.bigEndian = false;
                r.nanos = le == PCAP_NS;
            } else {
                r.fail(String.format("not a pcap or pcapng file (magic %02x%02x%02x%02x)", m[0], m[1], m[2], m[3]));
                return r;
            }
            r.readPcapHeader();
        }
        return r;
    }

    /**
     * Zero-copy mode (off by default): classic pcap records are then returned as a view into the reader's
     * own read buffer ({@link PcapRecord#data} is that buffer and {@link PcapRecord#offset} where the record
     * starts), valid until the next call. Off: the bytes are copied into the record's own array at offset 0.
     */
    public PcapReader zeroCopy(boolean on) {
        zeroCopy = on;
        return this;
    }

    /** True for pcapng. */
    public boolean isPcapng() { return ng; }

    /** Why reading stopped early, or null. */
    public String error() { return error; }

    /** Records that could not be read (corrupt or truncated). */
    public long badRecords() { return badRecords; }

    /** Link type of a classic pcap file (pcapng: of interface 0 if known, else -1). */
    public int linkType() {
        if (!ng) return pcapLinkType;
        return ifaces.isEmpty() ? -1 : (int) ifaces.get(0)[0];
    }

    /**
     * Reads the next packet record into {@code r}.
     *
     * @return false at the end of the file or after a format error (see {@link #error()})
     * @throws IOException only if reading the file fails
     */
    public boolean next(PcapRecord r) throws IOException {
        if (done) return false;
        return ng ? nextNg(r) : nextPcap(r);
    }

    @Override public void close() throws IOException { in.close(); }

    // ------------------------------------------------------------------ classic pcap

    private void readPcapHeader() throws IOException {
        int n = readUpTo(in, hdr, 0, 20);
        position += n;
        if (n < 20) {
            fail("pcap file header truncated (" + (n + 4) + " of 24 bytes)");
            return;
        }
        int major = u16(hdr, 0);
        if (major != 2) {
            fail("pcap file header: unsupported version " + major + "." + u16(hdr, 2));
            return;
        }
        pcapLinkType = i32(hdr, 16) & 0xffff;
    }

    private boolean nextPcap(PcapRecord r) throws IOException {
        if (in.available() >= 16 || in.fill(16) >= 16) {
            // fast path: the record header (and usually the record) is in the read buffer
            byte[] b = in.buf;
            int h = in.pos;
            long incl = i32(b, h + 8) & 0xffffffffL;
            if (incl <= MAX_BLOCK && (in.available() >= 16 + incl || in.fill(16 + (int) incl) >= 16 + incl)) {
                b = in.buf; // fill may have moved the bytes (or, prefetching, switched buffers)
                h = in.pos;
                long sec = i32(b, h) & 0xffffffffL;
                long frac = i32(b, h + 4) & 0xffffffffL;
                long orig = i32(b, h + 12) & 0xffffffffL;
                int cap = (int) incl;
                if (zeroCopy) {
                    r.data = b;
                    r.offset = h + 16;
                } else {
                    ensure(r, cap);
                    System.arraycopy(b, h + 16, r.data, 0, cap);
                    r.offset = 0;
                }
                in.pos = h + 16 + cap;
                position += 16 + cap;
                number++;
                r.number = number;
                r.error = null;
                r.timestampNanos = sec * 1_000_000_000L + (nanos ? frac : frac * 1000L);
                r.linkType = pcapLinkType;
                r.interfaceId = 0;
                r.capturedLength = cap;
                r.originalLength = (int) Math.min(Integer.MAX_VALUE, Math.max(orig, incl));
                return true;
            }
        }
        int n = readUpTo(in, hdr, 0, 16);
        if (n == 0) {
            done = true;
            return false;
        }
        long recNo = number + 1;
        if (n < 16) {
            badRecords++;
            fail("record " + recNo + " at byte " + position + ": header truncated (" + n + " of 16 bytes)");
            return false;
        }
        position += 16;
        long sec = i32(hdr, 0) & 0xffffffffL;
        long frac = i32(hdr, 4) & 0xffffffffL;
        long incl = i32(hdr, 8) & 0xffffffffL;
        long orig = i32(hdr, 12) & 0xffffffffL;
        if (incl > MAX_BLOCK) {
            badRecords++;
            fail("record " + recNo + " at byte " + (position - 16) + ": captured length " + incl
                    + " is impossible (limit " + MAX_BLOCK + ")");
            return false;
        }
        ensure(r, (int) incl);
        r.offset = 0;
        int got = readUpTo(in, r.data, 0, (int) incl);
        position += got;
        if (got < incl) {
            badRecords++;
            fail("record " + recNo + " truncated: " + got + " of " + incl + " captured bytes present");
            return false;
        }
        number = recNo;
        r.number = recNo;
        r.error = null;
        r.timestampNanos = sec * 1_000_000_000L + (nanos ? frac : frac * 1000L);
        r.linkType = pcapLinkType;
        r.interfaceId = 0;
        r.capturedLength = (int) incl;
        r.originalLength = (int) Math.min(Integer.MAX_VALUE, Math.max(orig, incl));
        return true;
    }

    // ------------------------------------------------------------------ pcapng

    private void readShbRest() throws IOException {
        // block type already consumed; total length and byte-order magic follow
        int n = readUpTo(in, hdr, 0, 8);
        position += n;
        if (n < 8) {
            fail("pcapng section header truncated");
            return;
        }
        if (be32(hdr, 4) == BOM) bigEndian = true;
        else if (le32(hdr, 4) == BOM) bigEndian = false;
        else {
            fail("pcapng section header: bad byte-order magic");
            return;
        }
        long total = i32(hdr, 0) & 0xffffffffL;
        if (total < 28 || total > MAX_BLOCK || (total & 3) != 0) {
            fail("pcapng section header: bad block length " + total);
            return;
        }
        int rest = (int) total - 12;
        byte[] b = blockBuf(rest);
        int got = readUpTo(in, b, 0, rest);
        position += got;
        if (got < rest) {
            fail("pcapng section header truncated");
            return;
        }
        int major = u16(b, 0);
        if (major != 1) {
            fail("pcapng section header: unsupported version " + major);
            return;
        }
        if (i32(b, rest - 4) != (int) total) {
            fail("pcapng section header: trailing block length differs");
            return;
        }
        ifaces.clear(); // interface ids are per section
    }

    private boolean nextNg(PcapRecord r) throws IOException {
        while (true) {
            long blockPos = position;
            int n = readUpTo(in, hdr, 0, 8);
            if (n == 0) {
                done = true;
                return false;
            }
            position += n;
            if (n < 8) {
                badRecords++;
                fail("pcapng block at byte " + blockPos + ": header truncated");
                return false;
            }
            int typeRaw = i32(hdr, 0);
            if (be32(hdr, 0) == PCAPNG_SHB) {
                // new section, possibly with another byte order
                byte[] m = new byte[4];
                int k = readUpTo(in, m, 0, 4);
                position += k;
                if (k < 4) {
                    badRecords++;
                    fail("pcapng section header at byte " + blockPos + " truncated");
                    return false;
                }
                boolean newBe;
                if (be32(m, 0) == BOM) newBe = true;
                else if (le32(m, 0) == BOM) newBe = false;
                else {
                    badRecords++;
                    fail("pcapng section header at byte " + blockPos + ": bad byte-order magic");
                    return false;
                }
                bigEndian = newBe;
                long total = i32(hdr, 4) & 0xffffffffL;
                if (total < 28 || total > MAX_BLOCK || (total & 3) != 0) {
                    badRecords++;
                    fail("pcapng section header at byte " + blockPos + ": bad block length " + total);
                    return false;
                }
                int rest = (int) total - 12;
                byte[] b = blockBuf(rest);
                int got = readUpTo(in, b, 0, rest);
                position += got;
                if (got < rest) {
                    badRecords++;
                    fail("pcapng section header at byte " + blockPos + " truncated");
                    return false;
                }
                ifaces.clear();
                continue;
            }
            long total = i32(hdr, 4) & 0xffffffffL;
            if (total < 12 || total > MAX_BLOCK || (total & 3) != 0) {
                badRecords++;
                fail("pcapng block at byte " + blockPos + " (type 0x" + Integer.toHexString(typeRaw)
                        + "): bad block length " + total);
                return false;
            }
            int bodyLen = (int) total - 12;
            byte[] b = blockBuf(bodyLen + 4);
            int got = readUpTo(in, b, 0, bodyLen + 4);
            position += got;
            if (got < bodyLen + 4) {
                badRecords++;
                fail("pcapng block at byte " + blockPos + " (type 0x" + Integer.toHexString(typeRaw)
                        + ") truncated: " + (got + 8) + " of " + total + " bytes present");
                return false;
            }
            if (i32(b, bodyLen) != (int) total) {
                badRecords++;
                fail("pcapng block at byte " + blockPos + ": trailing length " + (i32(b, bodyLen) & 0xffffffffL)
                        + " differs from leading length " + total);
                return false;
            }
            switch (typeRaw) {
                case 1: // IDB
                    if (!readIdb(b, bodyLen, blockPos)) return false;
                    continue;
                case 6: // EPB
                case 2: { // obsolete packet block
                    if (bodyLen < 20) {
                        return badPacket(r, blockPos, "packet block body too short (" + bodyLen + " bytes)");
                    }
                    int ifId = typeRaw == 6 ? i32(b, 0) : u16(b, 0);
                    long tsHigh = i32(b, 4) & 0xffffffffL, tsLow = i32(b, 8) & 0xffffffffL;
                    long cap = i32(b, 12) & 0xffffffffL, orig = i32(b, 16) & 0xffffffffL;
                    if (ifId < 0 || ifId >= ifaces.size()) {
                        return badPacket(r, blockPos, "packet block names interface " + (ifId & 0xffffffffL)
                                + " but only " + ifaces.size() + " are described");
                    }
                    if (cap > bodyLen - 20) {
                        return badPacket(r, blockPos, "captured length " + cap + " exceeds the block body ("
                                + (bodyLen - 20) + " bytes)");
                    }
                    long[] ifc = ifaces.get(ifId);
                    fill(r, b, 20, (int) cap, orig, ifId, ifc, (tsHigh << 32) | tsLow);
                    return true;
                }
                case 3: { // SPB
                    if (bodyLen < 4) return badPacket(r, blockPos, "simple packet block too short");
                    if (ifaces.isEmpty()) return badPacket(r, blockPos, "simple packet block before any interface");
                    long orig = i32(b, 0) & 0xffffffffL;
                    long[] ifc = ifaces.get(0);
                    long cap = Math.min(orig, bodyLen - 4);
                    if (ifc[1] > 0) cap = Math.min(cap, ifc[1]);
                    fill(r, b, 4, (int) cap, orig, 0, ifc, Long.MIN_VALUE);
                    return true;
                }
                default:
                    continue; // NRB, ISB, DSB, custom...: not needed
            }
        }
    }

    private boolean badPacket(PcapRecord r, long blockPos, String why) {
        // the block framing is intact, so reading goes on with the next block: report this record as bad
        badRecords++;
        number++;
        r.number = number;
        r.capturedLength = 0;
        r.originalLength = 0;
        r.error = "pcapng block at byte " + blockPos + ": " + why;
        return true;
    }

    private boolean readIdb(byte[] b, int bodyLen, long blockPos) {
        if (bodyLen < 8) {
            badRecords++;
            fail("interface description block at byte " + blockPos + " too short");
            return false;
        }
        long linkType = u16(b, 0);
        long snap = i32(b, 4) & 0xffffffffL;
        long res = 6; // 10^-6 by default; negative = power of two
        long offsetSec = 0;
        int p = 8;
        while (p + 4 <= bodyLen) {
            int code = u16(b, p), len = u16(b, p + 2);
            p += 4;
            if (code == 0) break;
            if (p + len > bodyLen) break; // malformed options: keep what we have
            if (code == 9 && len >= 1) {
                int v = b[p] & 0xff;
                res = (v & 0x80) == 0 ? v : -(v & 0x7f);
            } else if (code == 14 && len >= 8) {
                offsetSec = bigEndian ? be64(b, p) : le64(b, p);
            }
            p += (len + 3) & ~3;
        }
        ifaces.add(new long[] {linkType, snap, res, offsetSec});
        return true;
    }

    private void fill(PcapRecord r, byte[] b, int off, int cap, long orig, int ifId, long[] ifc, long ts) {
        ensure(r, cap);
        System.arraycopy(b, off, r.data, 0, cap);
        r.offset = 0;
        number++;
        r.number = number;
        r.error = null;
        r.capturedLength = cap;
        r.originalLength = (int) Math.min(Integer.MAX_VALUE, Math.max(orig, cap));
        r.linkType = (int) ifc[0];
        r.interfaceId = ifId;
        r.timestampNanos = ts == Long.MIN_VALUE ? 0 : toNanos(ts, ifc[2]) + ifc[3] * 1_000_000_000L;
    }

    static long toNanos(long ts, long res) {
        if (res >= 0) {
            if (res == 9) return ts;
            if (res < 9) {
                long mul = 1;
                for (long i = res; i < 9; i++) mul *= 10;
                return ts * mul;
            }
            long div = 1;
            for (long i = 9; i < res && i < 27; i++) div *= 10;
            return Long.divideUnsigned(ts, div);
        }
        int shift = (int) -res;
        if (shift >= 63) return 0;
        long sec = ts >>> shift;
        long frac = ts & ((1L << shift) - 1);
        long fracNs = (long) (frac * (1e9 / Math.pow(2, shift)));
        return sec * 1_000_000_000L + fracNs;
    }

    // ------------------------------------------------------------------ helpers

    private void fail(String why) {
        if (error == null) error = why;
        done = true;
    }

    private byte[] blockBuf(int n) {
        if (block.length < n) block = new byte[Math.max(n, block.length * 2)];
        return block;
    }

    /** Gives the record an array of its own (not the read buffer lent in zero-copy mode) of at least n bytes. */
    private void ensure(PcapRecord r, int n) {
        if (r.data == in.buf) r.data = new byte[Math.max(n, 2048)];
        else if (r.data.length < n) r.data = new byte[Math.max(n, r.data.length * 2)];
    }

    private static int readUpTo(Input in, byte[] b, int off, int len) throws IOException {
        return in.read(b, off, len);
    }

    /** The file's bytes through one reusable read buffer (not synchronized, no second copy for records). */
    private static class Input {
        final InputStream raw;
        byte[] buf;
        int pos, lim;
        boolean eof;

        Input(InputStream raw, int size) {
            this.raw = raw;
            this.buf = new byte[size];
        }

        int available() { return lim - pos; }

        /** Tries to have {@code want} bytes buffered (want ≤ buffer size); returns how many are. */
        int fill(int want) throws IOException {
            if (lim - pos >= want) return lim - pos;
            if (want > buf.length) return lim - pos;
            if (pos > 0) {
                System.arraycopy(buf, pos, buf, 0, lim - pos);
                lim -= pos;
                pos = 0;
            }
            while (!eof && lim < want) {
                int k;
                try {
                    k = raw.read(buf, lim, buf.length - lim);
                } catch (EOFException e) {
                    k = -1;
                }
                if (k < 0) eof = true;
                else lim += k;
            }
            return lim - pos;
        }

        /** Reads up to {@code len} bytes (fewer only at the end of the file). */
        int read(byte[] b, int off, int len) throws IOException {
            int total = 0;
            while (total < len) {
                int have = lim - pos;
                if (have == 0) {
                    if (eof) break;
                    if (len - total >= buf.length) { // large: straight from the stream
                        int k;
                        try {
                            k = raw.read(b, off + total, len - total);
                        } catch (EOFException e) {
                            k = -1;
                        }
                        if (k < 0) {
                            eof = true;
                            break;
                        }
                        total += k;
                        continue;
                    }
                    pos = lim = 0;
                    fill(1);
                    continue;
                }
                int k = Math.min(have, len - total);
                System.arraycopy(buf, pos, b, off + total, k);
                pos += k;
                total += k;
            }
            return total;
        }

        void close() throws IOException { raw.close(); }
    }

    /**
     * Input whose buffers a background thread fills: each chunk has {@code head} free bytes in front, where
     * the unread tail of the previous chunk (a record cut in two) is copied, so records stay contiguous
     * without copying the chunk itself. A tail longer than that (a record over {@code head} bytes) is
     * joined in a new array.
     */
    private static final class PrefetchInput extends Input {
        private static final int CHUNKS = 4;

        private static final class Chunk {
            final byte[] b;
            int len;
            boolean last;
            IOException err;

            Chunk(int size) {
                b = new byte[size];
            }
        }

        private final int head, size;
        private final java.util.concurrent.ArrayBlockingQueue<Chunk> free = new java.util.concurrent.ArrayBlockingQueue<>(CHUNKS);
        private final java.util.concurrent.ArrayBlockingQueue<Chunk> full = new java.util.concurrent.ArrayBlockingQueue<>(CHUNKS);
        private final Thread reader;
        private Chunk current;

        PrefetchInput(InputStream raw, int size) {
            super(raw, 0);
            this.size = size;
            this.head = Math.min(size, 128 << 10);
            for (int i = 0; i < CHUNKS; i++) free.add(new Chunk(head + size));
            reader = new Thread(this::produce, "jtipc-pcap-read");
            reader.setDaemon(true);
            reader.start();
        }

        private void produce() {
            try {
                while (true) {
                    Chunk c = free.take();
                    int n = 0;
                    try {
                        while (n < size) {
                            int k;
                            try {
                                k = raw.read(c.b, head + n, size - n);
                            } catch (EOFException e) {
                                k = -1;
                            }
                            if (k < 0) {
                                c.last = true;
                                break;
                            }
                            n += k;
                        }
                    } catch (IOException | RuntimeException e) {
                        c.err = e instanceof IOException ? (IOException) e : new IOException(e.toString(), e);
                        c.last = true;
                    }
                    c.len = n;
                    full.put(c);
                    if (c.last) return;
                }
            } catch (InterruptedException e) {
                // closed
            }
        }

        @Override int fill(int want) throws IOException {
            while (lim - pos < want && !eof) {
                Chunk c;
                try {
                    c = full.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while reading the capture");
                }
                // read the chunk's end mark and error before it can go back to the read-ahead thread (the join
                // below recycles it at once, and that thread may refill it with the file's last bytes)
                boolean last = c.last;
                IOException err = c.err;
                int left = lim - pos;
                if (left <= head) {
                    if (left > 0) System.arraycopy(buf, pos, c.b, head - left, left);
                    buf = c.b;
                    pos = head - left;
                    lim = head + c.len;
                    recycle(current);
                    current = c;
                } else { // a record longer than the head room: joined in an array of its own
                    byte[] nb = new byte[left + c.len];
                    System.arraycopy(buf, pos, nb, 0, left);
                    System.arraycopy(c.b, head, nb, left, c.len);
                    buf = nb;
                    pos = 0;
                    lim = nb.length;
                    recycle(current);
                    current = null;
                    if (err == null) recycle(c);
                }
                if (last) eof = true;
                if (err != null) throw err;
            }
            return lim - pos;
        }

        private void recycle(Chunk c) {
            if (c == null) return;
            c.len = 0;
            free.offer(c);
        }

        @Override int read(byte[] b, int off, int len) throws IOException {
            int total = 0;
            while (total < len) {
                if (lim - pos == 0 && fill(1) == 0) break;
                int k = Math.min(lim - pos, len - total);
                System.arraycopy(buf, pos, b, off + total, k);
                pos += k;
                total += k;
            }
            return total;
        }

        @Override void close() throws IOException {
            reader.interrupt();
            try {
                reader.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            raw.close();
        }
    }

    private int i32(byte[] b, int o) { return bigEndian ? be32(b, o) : le32(b, o); }

    private int u16(byte[] b, int o) {
        return bigEndian ? ((b[o] & 0xff) << 8) | (b[o + 1] & 0xff) : ((b[o + 1] & 0xff) << 8) | (b[o] & 0xff);
    }

    static int be32(byte[] b, int o) {
        return ((b[o] & 0xff) << 24) | ((b[o + 1] & 0xff) << 16) | ((b[o + 2] & 0xff) << 8) | (b[o + 3] & 0xff);
    }

    static int le32(byte[] b, int o) {
        return ((b[o + 3] & 0xff) << 24) | ((b[o + 2] & 0xff) << 16) | ((b[o + 1] & 0xff) << 8) | (b[o] & 0xff);
    }

    static long be64(byte[] b, int o) { return ((long) be32(b, o) << 32) | (be32(b, o + 4) & 0xffffffffL); }

    static long le64(byte[] b, int o) { return ((long) le32(b, o + 4) << 32) | (le32(b, o) & 0xffffffffL); }
}
