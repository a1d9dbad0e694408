package io.jtipc.capture;

import io.jtipc.capture.pcap.MappedFileInputStream;
import io.jtipc.capture.pcap.PcapReader;
import io.jtipc.capture.pcap.PcapRecord;

import io.jtipc.wire.BundleCursor;
import io.jtipc.wire.FragmentAssembler;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.Malformation;
import io.jtipc.wire.TipcCodec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Finds every TIPC message in a pcap/pcapng capture and reports it to a {@link TipcMessageListener}.
 *
 * <p>Link layers: Ethernet (LINKTYPE 1, with 802.1Q/802.1ad/QinQ tags), Linux cooked SLL (113) and
 * SLL2 (276), raw IP (101, 12, 14, 228 IPv4, 229 IPv6). TIPC is found on ethertype 0x88CA and in UDP
 * datagrams to or from port 6118 or any {@link DissectorOptions#extraUdpPorts()} port (IPv4 or IPv6,
 * IP fragments reassembled).
 *
 * <p>TIPC layers (net/tipc/msg.c): every validated message is reported (origin TOP); MSG_BUNDLER
 * contents (BUNDLED), TUNNEL_PROTOCOL inner messages (TUNNELLED) and messages rebuilt from
 * MSG_FRAGMENTER fragments (REASSEMBLED, fragments keyed per media source/destination pair and
 * de-duplicated by link sequence number) follow their carrier. Encrypted frames (first 3 bits 7) are
 * decrypted with the master keys and with session keys learnt from KEY_DISTR messages; frames no key
 * opens go to {@link TipcMessageListener#onEncrypted}. Node identities are learnt from discovery
 * ({@link #nodes()}).
 *
 * <p>Not thread-safe; one instance per capture at a time (a dissector may be reused: state is reset by
 * each {@link #dissect} call). Decoding never throws on bad bytes: problems go to
 * {@link TipcMessageListener#onMalformed} and are counted. Two severities, as the kernel (Linux 6.1) judges a
 * frame: what it refuses is malformed; what it accepts although its own sender would not produce it (a gap ACK
 * record whose len matches no layout, NAME_DISTRIBUTOR data not a multiple of 20 bytes, a bundle's msgcnt or
 * trailing bytes) goes to {@link TipcMessageListener#onWarning}, counted apart
 * ({@link CaptureSummary#warnings()}), and the frame is dissected as the kernel reads it.
 */
public final class TipcCaptureDissector {
    static final int ETH_P_TIPC = 0x88CA;
    static final int MAX_DEPTH = 8;
    static final int MAX_MSG = 66060;
    /**
     * Read buffer: records are dissected straight from it, so it is kept small enough to stay in the CPU
     * cache between the copy into it and the dissection (1 MiB measured slower than 128 KiB).
     */
    static final int READ_BUFFER = Integer.getInteger("jtipc.readBuffer", 128 << 10);
    /** Link directions with fragment state kept at once (least recently used dropped first). */
    static final int MAX_FRAG_KEYS = 1024;
    /** Incomplete messages kept per direction; the oldest is given up (and reported) beyond. */
    static final int MAX_PENDING_PER_DIRECTION = 16;
    /** Fragment bytes held for incomplete messages in all directions; least recently used given up beyond. */
    static final long MAX_PENDING_BYTES = 32L << 20;
    private final FragmentAssembler<FragKey> reasm =
            FragmentAssembler.byNumber(MAX_FRAG_KEYS, MAX_PENDING_PER_DIRECTION, MAX_PENDING_BYTES);

    private final DissectorOptions options;
    private final boolean[] udpPorts = new boolean[65536];

    // per-run state
    private NodeDirectory nodes = new NodeDirectory();
    private TipcDecryptor decryptor;
    private IpReassembler ip;
    private final Map<Long, MediaEndpoint> endpoints = new HashMap<>();
    private final Map<String, MediaEndpoint> endpoints6 = new HashMap<>();
    private final CapturedMessage[] pool = new CapturedMessage[MAX_DEPTH + 1];
    private final CapturedFrame frame = new CapturedFrame();
    private TipcMessageListener listener;
    private long tipcFrames, messages, encryptedFrames, decryptedFrames, malformed, warnings, unsupportedLinkFrames;
    private int unsupportedLinkType = -1;

    public TipcCaptureDissector(DissectorOptions o) {
        this.options = Objects.requireNonNull(o, "options");
        udpPorts[DissectorOptions.TIPC_UDP_PORT] = true;
        for (int p : o.extraUdpPorts()) udpPorts[p] = true;
        for (int i = 0; i < pool.length; i++) pool[i] = new CapturedMessage();
        for (int i = 0; i < cursors.length; i++) cursors[i] = new BundleCursor();
    }

    public DissectorOptions options() { return options; }

    /** Node identities learnt by the last (or current) {@link #dissect} run. */
    public NodeDirectory nodes() { return nodes; }

    /** Session keys learnt from KEY_DISTR messages in the last run. */
    public int sessionKeysLearnt() { return decryptor == null ? 0 : decryptor.sessionKeysLearnt(); }

    /**
     * Dissects a capture file.
     *
     * @throws IOException only if the file cannot be opened or read; corrupt contents are reported in the
     *                     summary ({@link CaptureSummary#fileError()}, counts) and through the listener
     */
    public CaptureSummary dissect(Path pcapFile, TipcMessageListener l) throws IOException {
        // regular files through memory maps (one copy less than read(2)), read ahead on another core when
        // there is one and the file is large; pipes and devices as streams
        boolean regular = Files.isRegularFile(pcapFile);
        boolean prefetch = regular && Runtime.getRuntime().availableProcessors() > 1
                && Files.size(pcapFile) >= PREFETCH_MIN_BYTES;
        try (InputStream in = regular ? MappedFileInputStream.open(pcapFile) : Files.newInputStream(pcapFile)) {
            return dissect(in, l, prefetch);
        }
    }

    /** Files from this size on are read ahead by a second thread. */
    static final long PREFETCH_MIN_BYTES = 8L << 20;

    /** As {@link #dissect(Path, TipcMessageListener)} over a stream (not closed; IOException only if reading
     *  it fails). */
    public CaptureSummary dissect(InputStream in, TipcMessageListener l) throws IOException {
        return dissect(in, l, false);
    }

    private CaptureSummary dissect(InputStream in, TipcMessageListener l, boolean prefetch) throws IOException {
        try (PcapReader reader = PcapReader.open(new NonClosing(in), READ_BUFFER, prefetch).zeroCopy(true)) {
            return dissect(reader, l);
        }
    }

    private CaptureSummary dissect(PcapReader reader, TipcMessageListener l) throws IOException {
        this.listener = Objects.requireNonNull(l, "listener");
        nodes = new NodeDirectory();
        decryptor = new TipcDecryptor(options.keys());
        ip = new IpReassembler(options.ipReassemblyTimeoutNanos(), options.ipReassemblyMaxBytes());
        reasm.clear();
        java.util.Arrays.fill(recentKeys, null);
        endpoints.clear();
        endpoints6.clear();
        java.util.Arrays.fill(recentEp, null);
        tipcFrames = messages = encryptedFrames = decryptedFrames = malformed = warnings = unsupportedLinkFrames = 0;
        unsupportedLinkType = -1;
        for (CapturedMessage m : pool) m.nodes = nodes;
        PcapRecord rec = new PcapRecord();
        long frames = 0;
        while (reader.next(rec)) {
            if (frames == 0) frame.captureStartNanos = rec.timestampNanos;
            frames++;
            frame.frameNumber = rec.number;
            frame.timestampNanos = rec.timestampNanos;
            frame.linkType = rec.linkType;
            frame.interfaceId = rec.interfaceId;
            frame.buf = rec.data;
            frame.offset = rec.offset;
            frame.length = rec.capturedLength;
            frame.originalLength = rec.originalLength;
            frame.src = MediaEndpoint.UNKNOWN;
            frame.dst = MediaEndpoint.UNKNOWN;
            try {
                if (rec.error != null) {
                    malformed("pcap.record", rec.error);
                } else {
                    try {
                        linkLayer(rec.data, rec.offset, rec.capturedLength);
                    } catch (ListenerFailure e) {
                        throw e;
                    } catch (RuntimeException e) {
                        // a decoding bug must not stop the whole capture: report it against the frame
                        malformed("frame", "internal error: " + e);
                    }
                }
            } catch (ListenerFailure e) {
                throw (RuntimeException) e.getCause(); // the listener's own exception goes to the caller
            }
            listener.onFrameEnd(frame); // the listener's exceptions (e.g. a stop request) go to the caller
        }
        String err = reader.error();
        long bad = reader.badRecords();
        if (err != null) {
            frame.frameNumber = rec.number + 1;
            frame.length = 0;
            frame.src = frame.dst = MediaEndpoint.UNKNOWN;
            listener.onMalformed(frame, reader.isPcapng() ? "pcapng" : "pcap", err);
            malformed++;
        }
        ip.flush();
        long dropped = ip.dropped();
        return new CaptureSummary(frames, tipcFrames, messages, encryptedFrames, decryptedFrames, malformed,
                bad, dropped, err, unsupportedLinkFrames, unsupportedLinkType, warnings);
    }

    // ------------------------------------------------------------------ link layer

    private void linkLayer(byte[] b, int off, int len) {
        switch (frame.linkType) {
            case 1: ethernet(b, off, len); return;
            case 113: sll(b, off, len); return;
            case 276: sll2(b, off, len); return;
            case 101: case 12: case 14: rawIp(b, off, len); return;
            case 228: ipv4(b, off, len); return;
            case 229: ipv6(b, off, len); return;
            default: // not a link type this dissector reads: counted, reported in the summary
                unsupportedLinkFrames++;
                if (unsupportedLinkType < 0) unsupportedLinkType = frame.linkType;
        }
    }

    private void ethernet(byte[] b, int off, int len) {
        if (len < 14) {
            // short non-TIPC junk is not ours to judge unless it claims TIPC; it cannot: no ethertype
            return;
        }
        int p = off + 12;
        int end = off + len;
        int type = u16(b, p);
        p += 2;
        int tags = 0;
        while (type == 0x8100 || type == 0x88A8 || type == 0x9100) {
            if (p + 4 > end) {
                if (++tags > 0) malformed("vlan", "802.1Q tag truncated");
                return;
            }
            type = u16(b, p + 2);
            p += 4;
            if (++tags > 8) {
                malformed("vlan", "more than 8 VLAN tags");
                return;
            }
        }
        if (type == ETH_P_TIPC) { // MACs are the media endpoints only for TIPC directly on Ethernet
            frame.dst = ethEndpoint(b, off);
            frame.src = ethEndpoint(b, off + 6);
        }
        etherType(type, b, p, end - p);
    }

    private void etherType(int type, byte[] b, int p, int len) {
        // VLAN tags inside cooked captures: at most 8, as on Ethernet (a loop: a frame of tags must not recurse)
        for (int tags = 0; type == 0x8100 || type == 0x88A8 || type == 0x9100; tags++) {
            if (len < 4) {
                malformed("vlan", "802.1Q tag truncated");
                return;
            }
            if (tags == 8) {
                malformed("vlan", "more than 8 VLAN tags");
                return;
            }
            type = u16(b, p + 2);
            p += 4;
            len -= 4;
        }
        switch (type) {
            case ETH_P_TIPC: tipcFrame(b, p, len); return;
            case 0x0800: ipv4(b, p, len); return;
            case 0x86DD: ipv6(b, p, len); return;
            default:
        }
    }

    private void sll(byte[] b, int off, int len) {
        if (len < 16) return;
        int hatype = u16(b, off + 2);
        int alen = u16(b, off + 4);
        if (hatype == 1 && alen == 6) frame.src = ethEndpoint(b, off + 6);
        etherType(u16(b, off + 14), b, off + 16, len - 16);
    }

    private void sll2(byte[] b, int off, int len) {
        if (len < 20) return;
        int hatype = u16(b, off + 8);
        int alen = b[off + 11] & 0xff;
        if (hatype == 1 && alen == 6) frame.src = ethEndpoint(b, off + 12);
        etherType(u16(b, off), b, off + 20, len - 20);
    }

    private void rawIp(byte[] b, int off, int len) {
        if (len < 1) return;
        int v = (b[off] & 0xff) >>> 4;
        if (v == 4) ipv4(b, off, len);
        else if (v == 6) ipv6(b, off, len);
    }

    private void ipv4(byte[] b, int off, int len) {
        if (len < 20) {
            malformed("ipv4", "header truncated (" + len + " bytes)");
            return;
        }
        int vihl = b[off] & 0xff;
        if (vihl >>> 4 != 4) {
            malformed("ipv4.version", "version " + (vihl >>> 4));
            return;
        }
        int ihl = (vihl & 15) * 4;
        int total = u16(b, off + 2);
        if (ihl < 20 || ihl > len) {
            malformed("ipv4.ihl", "header length " + ihl + " with " + len + " bytes present");
            return;
        }
        if (total < ihl) {
            malformed("ipv4.total_length", "total length " + total + " smaller than the header (" + ihl + ")");
            return;
        }
        int proto = b[off + 9] & 0xff;
        if (proto != 17) return;
        if (total > len) {
            malformed("ipv4.total_length", "total length " + total + " but only " + len + " bytes captured" + snapNote());
            return;
        }
        int flagsFrag = u16(b, off + 6);
        boolean more = (flagsFrag & 0x2000) != 0;
        int fragOff = (flagsFrag & 0x1fff) * 8;
        if (more || fragOff != 0) {
            byte[] key = new byte[11];
            System.arraycopy(b, off + 12, key, 0, 8);
            key[8] = (byte) proto;
            key[9] = b[off + 4];
            key[10] = b[off + 5];
            int n = ip.add(key, frame.timestampNanos, fragOff, more, b, off + ihl, total - ihl);
            if (n == -2) {
                malformed("ipv4.fragment_offset", "fragment ends beyond 65535 bytes");
                return;
            }
            if (n < 0) return;
            udp4(b, off, ip.result(), 0, n);
            return;
        }
        udp4(b, off, b, off + ihl, total - ihl);
    }

    private void udp4(byte[] ipHdr, int ipOff, byte[] b, int p, int len) {
        udp(false, ipHdr, ipOff + 12, b, p, len);
    }

    /** UDP datagram at {@code b[p..p+len)}; its IP source address at {@code ipHdr[addrOff]}, destination after. */
    private void udp(boolean v6, byte[] ipHdr, int addrOff, byte[] b, int p, int len) {
        if (len < 8) {
            malformed("udp", "header truncated (" + len + " bytes)");
            return;
        }
        int sport = u16(b, p), dport = u16(b, p + 2), ulen = u16(b, p + 4);
        if (!udpPorts[sport] && !udpPorts[dport]) return;
        if (ulen < 8 || ulen > len) {
            malformed("udp.length", "length " + ulen + " with " + len + " bytes present");
            return;
        }
        if (v6) {
            frame.src = udp6Endpoint(ipHdr, addrOff, sport);
            frame.dst = udp6Endpoint(ipHdr, addrOff + 16, dport);
        } else {
            frame.src = udp4Endpoint(ipHdr, addrOff, sport);
            frame.dst = udp4Endpoint(ipHdr, addrOff + 4, dport);
        }
        int q = p + 8;
        int end = p + ulen;
        // A run of datagrams sent as one UDP_SEGMENT (segmentation offload) and captured on a device that takes it
        // whole (loopback) holds several plain TIPC messages back to back: each is dissected as the datagram the
        // kernel cuts it into (the frame counts once). Encrypted runs are not split (no length in the clear): such a
        // frame fails to decrypt and is reported as encrypted.
        tipcFrames++; // one frame, however many datagrams it holds
        for (int size; end - q >= 28 && (size = plainRunHead(b, q, end - q)) > 0; q += size) {
            tipcPayload(b, q, size);
        }
        tipcPayload(b, q, end - q);
    }

    /**
     * The size of the plain TIPC message at {@code b[q..q+avail)} when more bytes follow it and they start with
     * another plain TIPC header (version 2, w0 bits 31-29, and a size of at least 24 bytes, w0 bits 16-0,
     * net/tipc/msg.h); else 0.
     */
    private static int plainRunHead(byte[] b, int q, int avail) {
        int w0 = be32(b, q);
        int size = w0 & 0x1ffff;
        if (w0 >>> 29 != 2 || size < 24 || size > avail - 24) {
            return 0;
        }
        int next = be32(b, q + size);
        return next >>> 29 == 2 && (next & 0x1ffff) >= 24 ? size : 0;
    }

    private void ipv6(byte[] b, int off, int len) {
        if (len < 40) {
            malformed("ipv6", "header truncated (" + len + " bytes)");
            return;
        }
        if ((b[off] & 0xff) >>> 4 != 6) {
            malformed("ipv6.version", "version " + ((b[off] & 0xff) >>> 4));
            return;
        }
        int plen = u16(b, off + 4);
        if (40 + plen > len) {
            malformed("ipv6.payload_length", "payload length " + plen + " but only " + (len - 40) + " bytes captured" + snapNote());
            return;
        }
        int next = b[off + 6] & 0xff;
        int p = off + 40;
        int end = p + plen;
        for (int guard = 0; guard < 16; guard++) {
            if (next == 17) {
                udp6(b, off, b, p, end - p);
                return;
            }
            if (next == 0 || next == 43 || next == 60) {
                if (p + 8 > end) {
                    malformed("ipv6.ext", "extension header truncated");
                    return;
                }
                int n = ((b[p + 1] & 0xff) + 1) * 8;
                if (p + n > end) {
                    malformed("ipv6.ext", "extension header length beyond the packet");
                    return;
                }
                next = b[p] & 0xff;
                p += n;
                continue;
            }
            if (next == 44) {
                if (p + 8 > end) {
                    malformed("ipv6.fragment", "fragment header truncated");
                    return;
                }
                int inner = b[p] & 0xff;
                int offFlags = u16(b, p + 2);
                int fragOff = offFlags & 0xfff8;
                boolean more = (offFlags & 1) != 0;
                if (fragOff == 0 && !more) { // atomic fragment
                    next = inner;
                    p += 8;
                    continue;
                }
                if (inner != 17 && fragOff == 0) return;
                byte[] key = new byte[37];
                System.arraycopy(b, off + 8, key, 0, 32);
                System.arraycopy(b, p + 4, key, 32, 4);
                key[36] = (byte) inner;
                int n = ip.add(key, frame.timestampNanos, fragOff, more, b, p + 8, end - p - 8);
                if (n == -2) {
                    malformed("ipv6.fragment", "fragment ends beyond 65535 bytes");
                    return;
                }
                if (n < 0) return;
                if (inner == 17) udp6(b, off, ip.result(), 0, n);
                return;
            }
            return; // not UDP
        }
    }

    private void udp6(byte[] ipHdr, int ipOff, byte[] b, int p, int len) {
        udp(true, ipHdr, ipOff + 8, b, p, len);
    }

    // ------------------------------------------------------------------ TIPC

    private void tipcFrame(byte[] b, int p, int len) {
        tipcFrames++;
        tipcPayload(b, p, len);
    }

    /** One TIPC datagram's bytes (plain or encrypted) at {@code b[p..p+len)}. */
    private void tipcPayload(byte[] b, int p, int len) {
        if (len < 4) {
            malformed("tipc", "payload of " + len + " bytes is shorter than a header word");
            return;
        }
        int ver = (b[p] & 0xff) >>> 5;
        if (ver == 7) {
            encrypted(b, p, len);
            return;
        }
        message(b, p, len, Origin.TOP, 0, false, 0, "tipc");
    }

    private void encrypted(byte[] b, int p, int len) {
        encryptedFrames++;
        int w0 = be32(b, p);
        int user = (w0 >>> 25) & 0xf;
        int ehdrLen = user == 13 ? 28 : 16;
        if (len < ehdrLen + TipcDecryptor.TAG) {
            malformed("ehdr", "encrypted frame of " + len + " bytes is shorter than its encryption header ("
                    + ehdrLen + ") and tag (16)");
            return;
        }
        int n = decryptor.hasKeys() ? decryptor.decrypt(b, p, len, ehdrLen, nodes.addresses()) : -1;
        if (n < 0) {
            CapturedMessage m = fill(pool[0], b, p, len, Origin.TOP, 0, true);
            m.ehdrLength = ehdrLen;
            System.arraycopy(b, p, m.ehdr, 0, ehdrLen);
            try {
                listener.onEncrypted(m);
            } catch (RuntimeException e) {
                throw new ListenerFailure(e);
            }
            return;
        }
        decryptedFrames++;
        byte[] plain = decryptor.output();
        encHdrSrc = b;
        encHdrOff = p;
        message(plain, 0, n, Origin.TOP, 0, true, ehdrLen, "tipc");
        if (ehdrLen == 28 && n >= 24) {
            // encrypted discovery carries the sender's node id in the header too
            nodes.learn(be32(plain, 12), b, p + 12);
        }
    }

    /**
     * Validates and reports one message at {@code b[p..p+avail)}, then what it carries.
     * {@code ehdrFrom}: if non-zero, the encryption header (that many bytes) is at the frame's TIPC offset
     * and is copied into the message (only needed at depth 0; deeper levels inherit it).
     */
    private void message(byte[] b, int p, int avail, Origin origin, int depth, boolean enc, int ehdrLen, String path) {
        int size = validate(b, p, avail, path);
        if (size < 0) return;
        CapturedMessage m = fill(pool[depth], b, p, size, origin, depth, enc);
        if (depth == 0) {
            m.ehdrLength = ehdrLen;
            if (ehdrLen > 0) {
                // the frame buffer still holds the encryption header in front of the ciphertext
                copyEhdr(m, ehdrLen);
            }
        } else {
            m.ehdrLength = pool[depth - 1].ehdrLength;
            if (m.ehdrLength > 0) System.arraycopy(pool[depth - 1].ehdr, 0, m.ehdr, 0, m.ehdrLength);
        }
        messages++;
        int w0 = be32(b, p);
        int user = (w0 >>> 25) & 0xf;
        int hs = ((w0 >>> 21) & 0xf) << 2;
        if (depth == 0) {
            nodes.learnEndpoint(frame.src, be32(b, p + 12));
            linkSrcNode = be32(b, p + 12);
            linkDstNode = hs >= 32 ? be32(b, p + 28) : 0;
        }
        if (user == 13 && size >= hs + 16) {
            nodes.learn(be32(b, p + 12), b, p + hs);
        }
        try {
            listener.onMessage(m);
        } catch (RuntimeException e) {
            throw new ListenerFailure(e);
        }
        if (user != 6) { // bundles: the walk below checks (and names) every inner message itself
            warnPath = path;
            Malformation body = validator.validate(b, p, size, bodyWarnings);
            if (!body.isOk()) malformed(path + "." + body.field(), body.reason());
        }
        switch (user) {
            case 6: bundle(b, p, size, depth, enc, path); break;
            case 12: fragment(b, p, size, depth, enc, origin == Origin.TUNNELLED, path); break;
            case 10: tunnel(b, p, size, hs, depth, enc, path); break;
            case 14: if (enc) keyDistr(b, p, size, hs); break;
            case 7: if (depth == 0) linkReset(b, p); break;
            default:
        }
    }

    /**
     * A RESET or ACTIVATE sent on a link: the sender's link starts a new session whose seqnos begin at 1 again, and it
     * drops its partial reassemblies (link.c tipc_link_reset frees reasm_buf and the failover reassembly). Fragments of
     * the old session still pending in this direction would otherwise pair with new-session fragments of the same
     * first seqno (seen in the failover lab: a message mixed from two). Its unicast reassemblies, plain and tunnelled,
     * are dropped: those of this link only. Where a media endpoint is unknown (SLL/SLL2 captures carry no
     * destination, other link types neither) the link is named by the header's prevnode and destnode, as the
     * fragments' keys are ({@link #direction}); with either of those 0 nothing is dropped.
     */
    private void linkReset(byte[] b, int p) {
        int type = (be32(b, p + 4) >>> 29) & 7;
        if (type != Tipc.RESET_MSG && type != Tipc.ACTIVATE_MSG) return;
        if (frame.src == null || frame.dst == null) return;
        boolean byNode = endpointsUnknown();
        if (byNode && (linkSrcNode == 0 || linkDstNode == 0)) return;
        int sn = byNode ? linkSrcNode : 0, dn = byNode ? linkDstNode : 0;
        for (int flags : new int[] {0, 2, 4, 6}) reasm.reset(new FragKey(frame.src, frame.dst, sn, dn, flags));
    }

    /** True if the frame's media endpoints cannot tell its link apart from another (either is unknown). */
    private boolean endpointsUnknown() {
        return frame.src == MediaEndpoint.UNKNOWN || frame.dst == MediaEndpoint.UNKNOWN;
    }

    private void copyEhdr(CapturedMessage m, int ehdrLen) {
        System.arraycopy(encHdrSrc, encHdrOff, m.ehdr, 0, ehdrLen);
    }

    private byte[] encHdrSrc;
    private int encHdrOff;
    /** Body checks of every message (wire's msg.c rules), with flyweights of this dissector's own. */
    private final TipcCodec.Validator validator = new TipcCodec.Validator();
    /** Path of the message {@link #validator} is checking, for {@link #bodyWarnings}. */
    private String warnPath;
    /** The validator's findings the kernel accepts, reported against {@link #warnPath} (one instance: no allocation per message). */
    private final java.util.function.Consumer<Malformation> bodyWarnings = w -> warning(warnPath + "." + w.field(), w.reason());

    /** Returns the message size or -1 (reported). */
    private int validate(byte[] b, int p, int avail, String path) {
        if (avail < 24) {
            malformed(path + ".size", "only " + avail + " bytes, less than the minimum header (24)");
            return -1;
        }
        int w0 = be32(b, p);
        int ver = w0 >>> 29;
        if (ver != 2) {
            malformed(path + ".version", "version " + ver + ", expected 2");
            return -1;
        }
        int hs = ((w0 >>> 21) & 0xf) << 2;
        int size = w0 & 0x1ffff;
        if (hs < 24) {
            malformed(path + ".hdr_sz", "header size " + hs + " is less than 24");
            return -1;
        }
        if (size < hs) {
            malformed(path + ".size", "message size " + size + " is less than the header size " + hs);
            return -1;
        }
        if (size - hs > 66000) {
            malformed(path + ".size", "data size " + (size - hs) + " exceeds 66000");
            return -1;
        }
        if (size > avail) {
            malformed(path + ".size", "message size " + size + " exceeds the " + avail + " bytes present" + snapNote());
            return -1;
        }
        return size;
    }

    /** MSG_BUNDLER contents through wire's {@link BundleCursor} (tipc_msg_extract's walk). */
    private void bundle(byte[] b, int p, int size, int depth, boolean enc, String path) {
        if (depth + 1 > MAX_DEPTH) {
            malformed(path, "nesting deeper than " + MAX_DEPTH);
            return;
        }
        BundleCursor c = cursors[depth].wrap(b, p, size);
        int i = 0;
        while (c.next()) {
            message(b, c.offset(), c.length(), Origin.BUNDLED, depth + 1, enc, 0, bundlePath(path, i));
            i++;
        }
        Malformation why = c.error();
        if (!why.isOk()) {
            String f = why.field();
            // the cursor names inner messages msg[i]; the dissector's paths say bundle[i]
            if (f.startsWith("msg[")) {
                int dot = f.indexOf('.');
                malformed(bundlePath(path, i) + (dot < 0 ? "" : f.substring(dot)), why.reason());
            } else {
                malformed(path + "." + f, why.reason());
            }
        }
        // msgcnt or trailing bytes: tipc_msg_extract walks by the inner sizes, the kernel accepts the bundle
        for (int w = 0; w < c.warningCount(); w++) {
            Malformation wm = c.warning(w);
            warning(path + "." + wm.field(), wm.reason());
        }
    }

    private static String bundlePath(String path, int i) {
        return "tipc".equals(path) ? "bundle[" + i + "]" : path + ".bundle[" + i + "]";
    }

    private final BundleCursor[] cursors = new BundleCursor[MAX_DEPTH + 1];

    private void tunnel(byte[] b, int p, int size, int hs, int depth, boolean enc, String path) {
        int dataSz = size - hs;
        if (dataSz == 0) return; // dummy SYNCH_MSG (enhanced synch) carries nothing
        if (depth + 1 > MAX_DEPTH) {
            malformed(path, "nesting deeper than " + MAX_DEPTH);
            return;
        }
        if ((be32(b, p + 16) & 0xffff) != 0) {
            // enhanced FAILOVER piece (tipc_msg_fragment, nof_fragms > 0): reassembled by number
            addPiece(direction(true, true, b, p), b, p, size, depth, enc, path);
            return;
        }
        if (dataSz < 24) {
            malformed(path + ".size", "tunnel data of " + dataSz + " bytes cannot hold a message");
            return;
        }
        message(b, p + hs, dataSz, Origin.TUNNELLED, depth + 1, enc, 0, path + ".tunnel");
    }

    /**
     * MSG_FRAGMENTER. The kernel concatenates fragment payloads in link order (tipc_buf_append), after the
     * link has put packets back in seqno order and dropped duplicates. A capture shows packets in wire
     * order: retransmissions, and frames dropped before the wire and sent again after later ones. So
     * fragments are placed by number (wire's {@link FragmentAssembler} in by-number mode, one key per link
     * direction): the message is delivered once its first through last fragments are all there, whatever
     * their capture order.
     */
    private void fragment(byte[] b, int p, int size, int depth, boolean enc, boolean tunnelled, String path) {
        if (depth + 1 > MAX_DEPTH) {
            malformed(path, "nesting deeper than " + MAX_DEPTH);
            return;
        }
        addPiece(direction(tunnelled, false, b, p), b, p, size, depth, enc, path);
    }

    private void addPiece(FragKey k, byte[] b, int p, int size, int depth, boolean enc, String path) {
        FragmentAssembler.Result r = reasm.append(k, b, p, size);
        for (Malformation g : r.givenUp()) malformed(path, g.reason());
        switch (r.status()) {
            case COMPLETE: {
                byte[] whole = r.message();
                message(whole, 0, whole.length, Origin.REASSEMBLED, depth + 1, enc, 0, path + ".reassembled");
                return;
            }
            case ERROR: {
                Malformation why = r.malformation();
                malformed(path + "." + why.field(), why.reason());
                return;
            }
            default:
        }
    }

    private void keyDistr(byte[] b, int p, int size, int hs) {
        int type = (be32(b, p + 4) >>> 29) & 7;
        if (type != 0) return;
        int dataSz = size - hs;
        if (dataSz < 36) return; // the wire layer reports the field; we only learn good keys
        int keyLen = be32(b, p + hs + 32);
        if (keyLen != 20 && keyLen != 28 && keyLen != 36) return;
        if (36 + keyLen > dataSz) return;
        int mode = be32(b, p + 16) & 0xf;
        byte[] material = java.util.Arrays.copyOfRange(b, p + hs + 36, p + hs + 36 + keyLen);
        decryptor.learn(be32(b, p + 12), material, mode);
    }

    private CapturedMessage fill(CapturedMessage m, byte[] b, int p, int len, Origin origin, int depth, boolean enc) {
        m.frame = frame;
        m.frameNumber = frame.frameNumber;
        m.timestampNanos = frame.timestampNanos;
        m.src = frame.src;
        m.dst = frame.dst;
        m.origin = origin;
        m.depth = depth;
        m.wasEncrypted = enc;
        m.buf = b;
        m.offset = p;
        m.length = len;
        m.nodes = nodes;
        return m;
    }

    // ------------------------------------------------------------------ fragments per link direction

    /** A link direction: media source, destination, and which stream (unicast/broadcast link, tunnel). */
    /**
     * A reassembly direction: media endpoints, and where either is unknown the link's node addresses from the
     * depth-0 header (prevnode, destnode; 0 when the endpoints are known), and the kind flags.
     */
    private static final class FragKey {
        final MediaEndpoint src, dst;
        final int srcNode, dstNode;
        final int flags;

        FragKey(MediaEndpoint src, MediaEndpoint dst, int srcNode, int dstNode, int flags) {
            this.src = src;
            this.dst = dst;
            this.srcNode = srcNode;
            this.dstNode = dstNode;
            this.flags = flags;
        }

        @Override public boolean equals(Object o) {
            if (!(o instanceof FragKey)) return false;
            FragKey k = (FragKey) o;
            return flags == k.flags && srcNode == k.srcNode && dstNode == k.dstNode && src.equals(k.src)
                && dst.equals(k.dst);
        }

        @Override public int hashCode() {
            return (((src.hashCode() * 31 + dst.hashCode()) * 31 + srcNode) * 31 + dstNode) * 8 + flags;
        }
    }

    /** prevnode and destnode (0 for a short header) of the frame's depth-0 message: the link where endpoints are unknown. */
    private int linkSrcNode, linkDstNode;

    private final FragKey[] recentKeys = new FragKey[4];
    private int recentKeyNext;

    /** Key for the direction of the current frame; broadcast-link packets (non_seq) number apart. */
    private FragKey direction(boolean tunnelled, boolean pieces, byte[] b, int p) {
        int flags = (tunnelled ? 4 : 0) | (pieces ? 2 : 0) | ((be32(b, p) >>> 20) & 1);
        boolean byNode = endpointsUnknown();
        int sn = byNode ? linkSrcNode : 0, dn = byNode ? linkDstNode : 0;
        for (FragKey k : recentKeys) {
            if (k != null && k.src == frame.src && k.dst == frame.dst && k.srcNode == sn && k.dstNode == dn
                && k.flags == flags) {
                return k;
            }
        }
        FragKey k = new FragKey(frame.src, frame.dst, sn, dn, flags);
        recentKeys[recentKeyNext] = k;
        recentKeyNext = (recentKeyNext + 1) & 3;
        return k;
    }

    // ------------------------------------------------------------------ helpers

    private String snapNote() {
        return frame.originalLength > frame.length
                ? " (the capture kept " + frame.length + " of the frame's " + frame.originalLength + " bytes: snap length)"
                : "";
    }

    private void malformed(String field, String reason) {
        malformed++;
        try {
            listener.onMalformed(frame, field, reason);
        } catch (RuntimeException e) {
            throw new ListenerFailure(e);
        }
    }

    private void warning(String field, String reason) {
        warnings++;
        try {
            listener.onWarning(frame, field, reason);
        } catch (RuntimeException e) {
            throw new ListenerFailure(e);
        }
    }

    /** Carries a listener's exception through the decoder's own safety net. */
    private static final class ListenerFailure extends RuntimeException {
        ListenerFailure(RuntimeException cause) {
            super(cause);
        }
    }

    // the last few endpoints seen, checked before the map (no boxing on the common path)
    private final long[] recentKey = new long[4];
    private final MediaEndpoint[] recentEp = new MediaEndpoint[4];
    private int recentNext;

    private MediaEndpoint recent(long key) {
        for (int i = 0; i < 4; i++) if (recentKey[i] == key && recentEp[i] != null) return recentEp[i];
        return null;
    }

    private MediaEndpoint remember(long key, MediaEndpoint e) {
        recentKey[recentNext] = key;
        recentEp[recentNext] = e;
        recentNext = (recentNext + 1) & 3;
        return e;
    }

    /** Interning is only a saving: past this many endpoints the table starts again (equality is by value). */
    static final int MAX_INTERNED = 65536;

    private void intern(long key, MediaEndpoint e) {
        if (endpoints.size() >= MAX_INTERNED) endpoints.clear();
        endpoints.put(key, e);
    }

    private MediaEndpoint ethEndpoint(byte[] b, int o) {
        long key = (1L << 56) | ((long) u16(b, o) << 32) | (be32(b, o + 2) & 0xffffffffL);
        MediaEndpoint e = recent(key);
        if (e != null) return e;
        e = endpoints.get(key);
        if (e == null) {
            e = MediaEndpoint.ethernet(b, o);
            intern(key, e);
        }
        return remember(key, e);
    }

    private MediaEndpoint udp4Endpoint(byte[] b, int o, int port) {
        long key = (2L << 56) | ((be32(b, o) & 0xffffffffL) << 16) | port;
        MediaEndpoint e = recent(key);
        if (e != null) return e;
        e = endpoints.get(key);
        if (e == null) {
            e = MediaEndpoint.udp4(b, o, port);
            intern(key, e);
        }
        return remember(key, e);
    }

    private MediaEndpoint udp6Endpoint(byte[] b, int o, int port) {
        StringBuilder sb = new StringBuilder(40);
        for (int i = 0; i < 16; i++) sb.append((char) (b[o + i] & 0xff));
        String key = sb.append((char) port).toString();
        MediaEndpoint e = endpoints6.get(key);
        if (e == null) {
            e = MediaEndpoint.udp6(b, o, port);
            if (endpoints6.size() >= MAX_INTERNED) endpoints6.clear();
            endpoints6.put(key, e);
        }
        return e;
    }

    static int u16(byte[] b, int o) { return ((b[o] & 0xff) << 8) | (b[o + 1] & 0xff); }

    static int be32(byte[] b, int o) {
        return ((b[o] & 0xff) << 24) | ((b[o + 1] & 0xff) << 16) | ((b[o + 2] & 0xff) << 8) | (b[o + 3] & 0xff);
    }

    private static final class NonClosing extends java.io.FilterInputStream {
        NonClosing(InputStream in) { super(in); }

        @Override public void close() { }
    }
}
