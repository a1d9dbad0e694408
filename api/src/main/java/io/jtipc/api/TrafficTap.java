package io.jtipc.api;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jtipc.bearer.Media;
import io.jtipc.bearer.eth.EthBearer;
import io.jtipc.bearer.udp.UdpBearer;
import io.jtipc.bearer.udp.UdpMedia;
import io.jtipc.capture.pcap.PcapngWriter;

/**
 * The node's traffic tap ({@code TipcNode.builder().capture(...)}, {@code jtipc node --capture FILE}): every frame the
 * node sends or receives on each bearer, and every node-local delivery, written to a pcapng file that Wireshark and
 * {@code jtipc pcap} read.
 *
 * <p>Interfaces: one per bearer, named as the bearer ({@code eth:IFACE}, {@code udp:...}), and one named
 * {@value #NODE_LOCAL} for node-internal messages. An Ethernet bearer's frames are written as on the wire
 * (LINKTYPE_ETHERNET, destination and source MAC, ethertype 0x88CA; a received frame keeps the padding the media
 * delivered; its destination MAC is not known to the node and is written as broadcast for discovery (LINK_CONFIG)
 * frames, else as the bearer's own MAC). A UDP bearer's datagrams get synthesized IPv4 or IPv6 and UDP headers
 * (LINKTYPE_RAW, the bearer's local address and the peer's, the ports as used), so a dissector finds TIPC on port
 * 6118 or the bearer's port; a replicast broadcast is one datagram per peer, as sent. Node-local messages are
 * written as the kernel's loopback tracking shows them (Linux 6.1 bearer.c {@code tipc_clone_to_loopback}: an
 * Ethernet header from the loopback device, MAC 00:00:00:00:00:00 both ways, ethertype ETH_P_TIPC) on
 * LINKTYPE_ETHERNET. Encrypted frames are written as on the wire (encrypted); node-local ones are plaintext, as in
 * the kernel.
 *
 * <p>Threads: the callers (the event loop for sends and node-local messages, the bearers' receive threads for
 * received frames) only copy the frame into a bounded queue ({@link #QUEUE_FRAMES} frames and
 * {@link #QUEUE_BYTES} bytes); a full queue drops the frame and counts it ({@link #dropped()}), never blocks. The
 * tap's own thread writes the queue to the file, flushes at least every {@link #FLUSH_INTERVAL_MS} ms and on
 * {@link #close()}, and rotates by size: {@code FILE} grows to at most {@code maxFileBytes}, then becomes
 * {@code FILE.1} (the older ones {@code FILE.2} ...) and a new {@code FILE} starts with the same interfaces; at most
 * {@code files} files exist, the oldest is deleted. A write failure (disk full, ...) is logged once at ERROR; the
 * tap stops writing and counts what it no longer writes as dropped; the node runs on.
 */
final class TrafficTap implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrafficTap.class);

    /** Name of the interface of node-local messages (the kernel traces them on its loopback device). */
    static final String NODE_LOCAL = "node-local";
    /** Default size bound of one capture file, bytes: 64 MiB. */
    static final long DEFAULT_MAX_FILE_BYTES = 64L << 20;
    /** Default number of files kept (the current one and its rotated predecessors): 4, so 256 MiB at most. */
    static final int DEFAULT_FILES = 4;
    /**
     * Smallest size bound of one file, bytes: 128 KiB, so that the section and interface headers and the largest
     * frame (a 64 KiB UDP datagram with its synthesized headers) always fit one file.
     */
    static final long MIN_FILE_BYTES = 128L << 10;
    /** Largest number of files kept. */
    static final int MAX_FILES = 1000;
    /** Frames (count) waiting for the tap's writer beyond which new frames are dropped and counted. */
    static final int QUEUE_FRAMES = 16_384;
    /** Bytes of frames waiting for the tap's writer beyond which new frames are dropped and counted: 32 MiB. */
    static final long QUEUE_BYTES = 32L << 20;
    /** Longest time written frames stay unflushed, ms. */
    static final long FLUSH_INTERVAL_MS = 1000;

    private static final int ETH_P_TIPC = 0x88CA;
    private static final int TIPC_USER_LINK_CONFIG = 13;
    private static final byte[] BROADCAST_MAC = {-1, -1, -1, -1, -1, -1};
    private static final byte[] LOOPBACK_MAC = new byte[6];

    /** One pcapng interface: a bearer's or the node-local one. */
    private static final class Iface {
        final String name;
        final int linkType;
        /** Ethernet: the own MAC. */
        final byte[] mac;
        /** UDP: the local socket address; the media to ask for replicast peers (null if wrapped or multicast). */
        final InetSocketAddress local;
        final InetSocketAddress group;
        /** Cleared when the bearer is removed, so the tap does not keep a closed bearer reachable. */
        volatile UdpBearer udp;
        /** Its bearer was removed ({@link #bearerRemoved}): not declared again in a new file. */
        volatile boolean removed;

        Iface(String name, int linkType, byte[] mac, InetSocketAddress local, InetSocketAddress group, UdpBearer udp) {
            this.name = name;
            this.linkType = linkType;
            this.mac = mac;
            this.local = local;
            this.group = group;
            this.udp = udp;
        }
    }

    private record Rec(Iface iface, long tsNanos, byte[] data) {}

    private static final Rec END = new Rec(null, 0, new byte[0]);

    private final Path file;
    private final long maxFileBytes;
    private final int files;
    private final String application;
    private final ArrayBlockingQueue<Rec> queue = new ArrayBlockingQueue<>(QUEUE_FRAMES + 1);
    private final AtomicLong queuedBytes = new AtomicLong();
    private final ConcurrentHashMap<Object, Iface> ifaces = new ConcurrentHashMap<>();
    /** Interfaces created and not yet seen by the writer, in creation order. */
    private final ConcurrentLinkedQueue<Iface> newIfaces = new ConcurrentLinkedQueue<>();
    private final Iface local = new Iface(NODE_LOCAL, PcapngWriter.LINKTYPE_ETHERNET, LOOPBACK_MAC, null, null, null);
    private final LongAdder tapped = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong rotations = new AtomicLong();
    private final Thread writer;
    private volatile boolean failed;
    /** Set once by the first {@link #close()}: only that call enqueues the end mark. */
    private final AtomicBoolean closed = new AtomicBoolean();

    // writer thread only
    private final List<Iface> declared = new ArrayList<>();
    private final Map<Iface, Integer> ids = new IdentityHashMap<>();
    private PcapngWriter out;
    /** Bytes of the current file once its headers (section, re-declared interfaces) were written. */
    private long fileStart;

    /**
     * Opens (truncates) {@code file}, writes the section header and the node-local interface, and starts the writer
     * thread {@code jtipc-tap-NAME}.
     *
     * @param file         the capture file; rotated ones get ".1", ".2", ... appended
     * @param maxFileBytes size bound of one file, bytes, at least {@value #MIN_FILE_BYTES}
     * @param files        files kept, 1 to {@value #MAX_FILES} (1: the file starts over when full)
     * @param nodeName     for the thread's name and the section's application option
     * @throws IllegalArgumentException a bound out of range
     * @throws IOException the file cannot be created
     */
    TrafficTap(Path file, long maxFileBytes, int files, String nodeName) throws IOException {
        checkBounds(maxFileBytes, files);
        this.file = file;
        this.maxFileBytes = maxFileBytes;
        this.files = files;
        this.application = "jtipc node " + nodeName;
        newIfaces.add(local);
        deleteStale();
        openFile();
        fileStart = out.bytesWritten();
        writer = new Thread(this::run, "jtipc-tap-" + nodeName);
        writer.setDaemon(true);
        writer.start();
    }

    static void checkBounds(long maxFileBytes, int files) {
        if (maxFileBytes < MIN_FILE_BYTES) {
            throw new IllegalArgumentException("capture file size bound " + maxFileBytes + " bytes < " + MIN_FILE_BYTES);
        }
        if (files < 1 || files > MAX_FILES) throw new IllegalArgumentException("capture files not in 1-" + MAX_FILES + ": " + files);
    }

    // ================================================================ producers (any thread, never block)

    /** A frame sent on {@code b} to the raw media address {@code dest} (null: the bearer's broadcast address). */
    void sent(BearerIo b, byte[] dest, byte[] buf, int off, int len) {
        if (closed.get()) return;
        Iface i = iface(b);
        if (i == null) return;
        long ts = nowNanos();
        if (i.linkType == PcapngWriter.LINKTYPE_ETHERNET) {
            offer(i, ts, eth(dest == null || dest.length != 6 ? BROADCAST_MAC : dest, i.mac, buf, off, len));
        } else if (dest != null) {
            InetSocketAddress d = UdpMedia.socketAddress(dest, 0);
            if (d != null) offer(i, ts, ip(i.local, d, buf, off, len));
        } else if (i.group != null) {
            offer(i, ts, ip(i.local, i.group, buf, off, len));
        } else if (i.udp != null) {
            UdpBearer u = i.udp; // read once: bearerRemoved clears it
            if (u != null) for (InetSocketAddress p : u.peers()) offer(i, ts, ip(i.local, p, buf, off, len));
        }
    }

    /** A frame received on {@code b} from the raw media address {@code src}, {@code len} bytes as delivered. */
    void received(BearerIo b, byte[] src, byte[] frame, int len) {
        if (closed.get()) return;
        Iface i = iface(b);
        if (i == null) return;
        long ts = nowNanos();
        if (i.linkType == PcapngWriter.LINKTYPE_ETHERNET) {
            boolean bcast = len > 0 && ((frame[0] & 0xFF) >>> 1 & 0xF) == TIPC_USER_LINK_CONFIG;
            offer(i, ts, eth(bcast ? BROADCAST_MAC : i.mac, src, frame, 0, len));
        } else {
            InetSocketAddress s = src == null ? null : UdpMedia.socketAddress(src, 0);
            if (s != null) offer(i, ts, ip(s, i.local, frame, 0, len));
        }
    }

    /** A node-local delivery (the core's {@code Outbox.loopback}). */
    void loopback(byte[] buf, int off, int len) {
        if (closed.get()) return;
        offer(local, nowNanos(), eth(LOOPBACK_MAC, LOOPBACK_MAC, buf, off, len));
    }

    /** The interface of {@code b}, created on its first frame; null once {@link #bearerRemoved} was called for it. */
    private Iface iface(BearerIo b) {
        if (b.untapped) return null;
        Iface i = ifaces.computeIfAbsent(b, k -> {
            Iface n = create(b);
            newIfaces.add(n);
            return n;
        });
        if (b.untapped) { // raced with bearerRemoved: do not keep it
            ifaces.remove(b, i);
            i.removed = true;
            i.udp = null;
        }
        return i;
    }

    /**
     * The bearer {@code b} was removed (disabled, or closed after its receive thread died): the tap forgets it, so a
     * closed bearer is not kept reachable, and a file started after this (rotation) declares only the interfaces
     * still in use; frames of {@code b} still queued are written. Later frames of {@code b} are not tapped. Not for
     * a bearer reset (the same bearer is enabled again and keeps its interface). Any thread; idempotent.
     */
    void bearerRemoved(BearerIo b) {
        b.untapped = true;
        Iface i = ifaces.remove(b);
        if (i != null) {
            i.removed = true;
            i.udp = null;
        }
    }

    /** Interfaces of bearers the tap knows (not removed), for tests. */
    int bearerInterfaces() {
        return ifaces.size();
    }

    private static Iface create(BearerIo b) {
        Media m = b.media();
        String name = b.toString();
        if (m instanceof UdpBearer u) {
            return new Iface(name, PcapngWriter.LINKTYPE_RAW, null, u.localAddress(), u.isMulticast() ? u.group() : null, u);
        }
        if (m instanceof EthBearer e) {
            return new Iface(name, PcapngWriter.LINKTYPE_ETHERNET, e.address(), null, null, null);
        }
        // a wrapped media (tests): by its media type
        byte[] a = b.config().ownAddr();
        if (a.length == 6) return new Iface(name, PcapngWriter.LINKTYPE_ETHERNET, a, null, null, null);
        return new Iface(name, PcapngWriter.LINKTYPE_RAW, null, UdpMedia.socketAddress(a, 0), null, null);
    }

    private void offer(Iface i, long ts, byte[] data) {
        tapped.increment();
        if (failed) {
            dropped.increment();
            return;
        }
        if (queuedBytes.addAndGet(data.length) > QUEUE_BYTES || queue.size() >= QUEUE_FRAMES
                || !queue.offer(new Rec(i, ts, data))) {
            queuedBytes.addAndGet(-data.length);
            dropped.increment();
        }
    }

    private static long nowNanos() {
        Instant t = Instant.now();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** An Ethernet frame: destination, source, ethertype 0x88CA, then the TIPC bytes. */
    static byte[] eth(byte[] dst, byte[] src, byte[] buf, int off, int len) {
        byte[] f = new byte[14 + len];
        System.arraycopy(dst, 0, f, 0, 6);
        System.arraycopy(src, 0, f, 6, 6);
        f[12] = (byte) (ETH_P_TIPC >>> 8);
        f[13] = (byte) ETH_P_TIPC;
        System.arraycopy(buf, off, f, 14, len);
        return f;
    }

    /**
     * An IPv4 (20-byte header, checksummed, TTL 64, DF) or IPv6 (40-byte header, hop limit 64) packet holding one UDP
     * datagram from {@code src} to {@code dst} with the TIPC bytes; the UDP checksum is computed (IPv6 requires it).
     */
    static byte[] ip(InetSocketAddress src, InetSocketAddress dst, byte[] buf, int off, int len) {
        byte[] sa = src.getAddress().getAddress(), da = dst.getAddress().getAddress();
        boolean v6 = src.getAddress() instanceof Inet6Address || sa.length != da.length;
        if (v6) {
            sa = v6(sa);
            da = v6(da);
        }
        int ih = v6 ? 40 : 20, ulen = 8 + len;
        byte[] p = new byte[ih + ulen];
        if (v6) {
            p[0] = 0x60;
            put16(p, 4, ulen);
            p[6] = 17;
            p[7] = 64;
            System.arraycopy(sa, 0, p, 8, 16);
            System.arraycopy(da, 0, p, 24, 16);
        } else {
            p[0] = 0x45;
            put16(p, 2, ih + ulen);
            p[6] = 0x40; // DF
            p[8] = 64;
            p[9] = 17;
            System.arraycopy(sa, 0, p, 12, 4);
            System.arraycopy(da, 0, p, 16, 4);
            put16(p, 10, ~sum(p, 0, 20, 0) & 0xFFFF);
        }
        put16(p, ih, src.getPort());
        put16(p, ih + 2, dst.getPort());
        put16(p, ih + 4, ulen);
        System.arraycopy(buf, off, p, ih + 8, len);
        // pseudo header: addresses, protocol, UDP length
        int s = sum(p, v6 ? 8 : 12, v6 ? 32 : 8, 17 + ulen);
        int c = ~sum(p, ih, ulen, s) & 0xFFFF;
        put16(p, ih + 6, c == 0 ? 0xFFFF : c);
        return p;
    }

    private static byte[] v6(byte[] a) {
        if (a.length == 16) return a;
        byte[] m = new byte[16]; // IPv4-mapped
        m[10] = -1;
        m[11] = -1;
        System.arraycopy(a, 0, m, 12, 4);
        return m;
    }

    private static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    /** One's complement sum of {@code len} bytes from {@code off} added to {@code start}, folded to 16 bits. */
    private static int sum(byte[] b, int off, int len, int start) {
        long s = start;
        for (int i = 0; i + 1 < len; i += 2) s += (b[off + i] & 0xFF) << 8 | (b[off + i + 1] & 0xFF);
        if ((len & 1) != 0) s += (b[off + len - 1] & 0xFF) << 8;
        while ((s >>> 16) != 0) s = (s & 0xFFFF) + (s >>> 16);
        return (int) s;
    }

    // ================================================================ counters

    /** Frames handed to the tap (sent, received and node-local), written or not. */
    long tapped() {
        return tapped.sum();
    }

    /** Frames not written: the queue was full, or the tap had failed. */
    long dropped() {
        return dropped.sum();
    }

    /** Frames written to the files. */
    long written() {
        return written.get();
    }

    /** Times the file was rotated. */
    long rotations() {
        return rotations.get();
    }

    /** True once a write failed (logged once); the tap writes nothing more. */
    boolean failed() {
        return failed;
    }

    // ================================================================ writer thread

    private void run() {
        long lastFlush = System.nanoTime();
        boolean dirty = false;
        try {
            while (true) {
                Rec r = queue.poll(FLUSH_INTERVAL_MS / 4, TimeUnit.MILLISECONDS);
                if (r == END) break;
                if (r != null) {
                    queuedBytes.addAndGet(-r.data.length);
                    if (!failed) {
                        write(r);
                        dirty = true;
                    } else {
                        dropped.increment();
                    }
                }
                if (!failed && (dirty || !newIfaces.isEmpty())
                        && (r == null || System.nanoTime() - lastFlush >= FLUSH_INTERVAL_MS * 1_000_000L)) {
                    declareNew();
                    out.flush();
                    lastFlush = System.nanoTime();
                    dirty = false;
                }
            }
            for (Rec r; (r = queue.poll()) != null; ) {
                if (r == END) continue; // never more than one (close() is once), but never written
                queuedBytes.addAndGet(-r.data.length);
                if (!failed) write(r);
            }
            if (!failed) {
                declareNew();
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            fail(e);
        } finally {
            try {
                if (out != null) out.close();
            } catch (IOException e) {
                fail(e);
            }
        }
    }

    private void write(Rec r) throws IOException {
        try {
            declareNew();
            Integer id = ids.get(r.iface);
            if (id == null) id = declare(r.iface);
            int block = 32 + (r.data.length + 3 & ~3);
            if (out.bytesWritten() + block > maxFileBytes) {
                rotate();
                id = ids.get(r.iface);
            }
            out.write(id, r.tsNanos, r.data, 0, r.data.length, r.data.length);
            written.incrementAndGet();
        } catch (IOException e) {
            dropped.increment();
            throw e;
        }
    }

    private void declareNew() throws IOException {
        declared.removeIf(i -> i.removed); // no longer declared in a new file (ids keeps them for this file's frames)
        for (Iface i; (i = newIfaces.poll()) != null; ) if (!ids.containsKey(i)) declare(i);
    }

    /** Declares {@code i} in the current file, rotating first if its block would not fit the size bound. */
    private int declare(Iface i) throws IOException {
        if (out.bytesWritten() + interfaceBlockBytes(i.name) > maxFileBytes && out.bytesWritten() > fileStart) {
            rotate();
            Integer id = ids.get(i); // rotate() declared it if it was declared before
            if (id != null) return id;
        }
        int id = out.addInterface(i.linkType, i.name);
        ids.put(i, id);
        if (!i.removed) declared.add(i);
        return id;
    }

    /**
     * Bytes of the interface description block {@link PcapngWriter#addInterface} writes for {@code name}: block type,
     * length, link type, reserved and snap length (16), the if_name option (4 + name padded to 4), if_tsresol (8),
     * opt_endofopt (4) and the trailing length (4).
     */
    static int interfaceBlockBytes(String name) {
        int n = name == null ? 0 : name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        return 16 + (name == null ? 0 : 4 + (n + 3 & ~3)) + 8 + 4 + 4;
    }

    /**
     * FILE -> FILE.1 -> FILE.2 ..., the oldest deleted; a new FILE with the interfaces declared so far whose bearer
     * is still in use (not {@link #bearerRemoved removed}).
     */
    private void rotate() throws IOException {
        out.close();
        Path last = sibling(files - 1);
        Files.deleteIfExists(last);
        for (int n = files - 2; n >= 0; n--) {
            Path from = n == 0 ? file : sibling(n);
            if (Files.exists(from)) Files.move(from, sibling(n + 1), StandardCopyOption.REPLACE_EXISTING);
        }
        if (files == 1) Files.deleteIfExists(file);
        openFile();
        ids.clear();
        declared.removeIf(i -> i.removed);
        for (Iface i : declared) ids.put(i, out.addInterface(i.linkType, i.name));
        fileStart = out.bytesWritten();
        rotations.incrementAndGet();
    }

    /**
     * Deletes {@code FILE.N} for N >= {@code files} (1 to {@value #MAX_FILES}): rotated files of an earlier run with
     * a larger {@code files}, which rotation would never reach, so the bound of {@code files} files holds on disk.
     */
    private void deleteStale() throws IOException {
        for (int n = Math.max(files, 1); n < MAX_FILES; n++) Files.deleteIfExists(sibling(n));
    }

    private Path sibling(int n) {
        return n == 0 ? file : file.resolveSibling(file.getFileName() + "." + n);
    }

    /**
     * Opens {@code FILE} for a new capture, private to the user: it holds the node's deliveries in plaintext (even on a
     * keyed node), so it is created with mode 0600 ({@code jtipc pcap -w} writes 0600 too), and a file left by an
     * earlier run is truncated and set to 0600 (not a FIFO or a device). Rotated files keep the mode (they are renamed).
     * On file systems without POSIX permissions the file is opened as is.
     */
    private void openFile() throws IOException {
        OutputStream s = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(openPrivate(file)), 1 << 16);
        try {
            out = new PcapngWriter(s, application);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    static java.nio.channels.SeekableByteChannel openPrivate(Path file) throws IOException {
        java.util.Set<java.nio.file.StandardOpenOption> opts = java.util.EnumSet.of(java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE);
        if (!file.getFileSystem().supportedFileAttributeViews().contains("posix")) return Files.newByteChannel(file, opts);
        java.util.Set<java.nio.file.attribute.PosixFilePermission> rw = java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");
        java.nio.channels.SeekableByteChannel ch = Files.newByteChannel(file, opts,
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(rw));
        try {
            // a file of an earlier run (a FIFO or a device such as /dev/stdout is left as it is)
            if (Files.isRegularFile(file) && !Files.getPosixFilePermissions(file).equals(rw)) Files.setPosixFilePermissions(file, rw);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return ch;
    }

    private void fail(Exception e) {
        if (failed) return;
        failed = true;
        LOG.error("capture {}: write failed, the tap stops writing (the node runs on; frames not written are counted "
            + "as dropped): {}", file, e.toString());
    }

    /**
     * Writes what is queued, flushes and closes the file; waits up to 5 s for the writer. Idempotent and thread-safe:
     * of concurrent calls only the first enqueues the end mark and waits.
     *
     * @throws InterruptedIOException never; an interrupt while waiting is kept on the thread
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        while (!queue.offer(END)) {
            Rec r = queue.poll(); // full: make room for the end mark (that frame is counted as dropped)
            if (r != null) {
                queuedBytes.addAndGet(-r.data.length);
                dropped.increment();
            }
        }
        try {
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
