package io.jtipc.capture.analysis;

import io.jtipc.capture.CapturedMessage;
import io.jtipc.capture.MediaEndpoint;
import io.jtipc.capture.NodeDirectory;
import io.jtipc.capture.Origin;
import io.jtipc.capture.TipcMessageListener;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reconstructs the unicast links of a capture and what happened on them, from the messages a
 * {@code TipcCaptureDissector} reports (feed it as the listener, or forward to it).
 *
 * <p>A link is identified by its pair of media endpoints (one bearer on each node: MAC addresses or
 * UDP ip:port), as a kernel link joins one bearer of each node (net/tipc/link.c). In captures that
 * record no destination address (Linux cooked, SLL/SLL2) the peer end is found through the
 * destination node (w7) and the peer's own packets. Only TOP-level
 * messages sent to a unicast media address are link traffic; LINK_CONFIG (discovery) and packets
 * with the non-sequenced bit (w0 bit 20: broadcast link, also when replicast over UDP) are not. The
 * latter are counted per sending node as broadcast-link traffic.
 *
 * <p>Per link it records: the RESET/ACTIVATE exchanges (session numbers w5 31-16, advertised MTU
 * w9 31-16 × 4, tolerance w9 15-0 ms, priority w5 8-4, bearer id w5 11-9, peer-stopping w5 bit 13,
 * interface name in the 16-byte data area), when the link came up (first STATE or sequenced packet
 * after establishment messages, since a kernel sends those only on an up link), resets of an up link
 * (link down), and per direction: packets, bytes, distinct sequenced packets, retransmissions (a data
 * seqno w2 15-0 seen again in the same direction since its sender's last reset), STATE messages,
 * probes (w5 bit 0), probe replies (keepalive w0 bit 19 without probe), NACKs (STATE with seq_gap
 * w1 28-16 &gt; 0) and gap-ACK blocks (STATE data area, struct tipc_gap_ack_blks).
 *
 * <p>The link window is not carried on the wire and is not reported. Linux 6.1 does no MTU probing
 * after establishment, so the MTU is min(advertised MTUs); the largest packet seen is reported next to
 * it. Times are nanoseconds since the Unix epoch, as the capture gives them.
 */
public final class LinkAnalysis implements TipcMessageListener {

    /** Observed state of a link at the end of the messages fed so far. */
    public enum State { UNKNOWN, ESTABLISHING, UP, DOWN }

    /** Something that happened on a link; repeated identical establishment messages are folded. */
    public static final class Event {
        private final long nanos;
        private final long frame;
        private final String what;
        private final String foldKey;
        private int count = 1;
        private long lastNanos;

        Event(long nanos, long frame, String what, String foldKey) {
            this.nanos = nanos;
            this.frame = frame;
            this.what = what;
            this.foldKey = foldKey;
            this.lastNanos = nanos;
        }

        /** Time of the first occurrence, ns since the epoch. */
        public long nanos() { return nanos; }
        /** Frame number of the first occurrence. */
        public long frame() { return frame; }
        /** Description, e.g. "RESET from srv-node session 41312 MTU 1500 ...". */
        public String what() { return what; }
        /** How many identical messages were folded into this event (1 if not repeated). */
        public int count() { return count; }
        /** Time of the last folded occurrence. */
        public long lastNanos() { return lastNanos; }
    }

    /** One time the link came up. */
    public record Establishment(long upNanos, long upFrame, int sessionA, int sessionB) {}

    /** Traffic sent by one end of a link (one media endpoint = one bearer of one node). */
    public static final class Direction {
        MediaEndpoint media;
        int node;
        String ifName;
        long packets, bytes, sequenced, retransmissions, fragments, bundles, bundledMessages, tunnelPackets;
        long synchPackets, failoverPackets;
        long nameDistributor, resets, activates, states, probes, probeReplies, nacks, nackedPackets;
        long gapAckStates, gapAckBlocks, bcGapAckBlocks, peerStopping, maxPacket;
        int session = -1, advertisedMtu, tolerance, priority, bearerId = -1;
        long firstNanos, lastNanos;
        final SeqnoSet seqnos = new SeqnoSet();
        boolean resetPending;

        Direction(MediaEndpoint media) {
            this.media = media;
        }

        /** Media endpoint this direction is sent from (null while not seen, in captures without destinations). */
        public MediaEndpoint media() { return media; }
        /** Node address of the sender (w3 prevnode), 0 if not seen yet. */
        public int node() { return node; }
        /** Interface (bearer) name the sender gave in RESET/ACTIVATE, or null. */
        public String interfaceName() { return ifName; }
        /** All link packets sent (protocol and sequenced), TOP level. */
        public long packets() { return packets; }
        /** Bytes of those packets (TIPC message sizes). */
        public long bytes() { return bytes; }
        /** Distinct sequenced packets (every user except LINK_PROTOCOL; first transmissions). */
        public long sequenced() { return sequenced; }
        /** Sequenced packets seen again (same seqno since the sender's last reset). */
        public long retransmissions() { return retransmissions; }
        /** Highest seqno sent in the current session (= kernel snd_nxt - 1 if nothing was lost), or -1. */
        public int highestSeqno() { return seqnos.highest(); }
        /** MSG_FRAGMENTER packets. */
        public long fragments() { return fragments; }
        /** MSG_BUNDLER packets. */
        public long bundles() { return bundles; }
        /** Messages carried in those bundles (w9 31-16). */
        public long bundledMessages() { return bundledMessages; }
        /** TUNNEL_PROTOCOL packets (synch/failover). */
        public long tunnelPackets() { return tunnelPackets; }
        /**
         * TUNNEL_PROTOCOL packets of type SYNCH_MSG (0): the synch point of a link coming up next to an active one,
         * or (legacy peers) the tunnelled duplicates of its packets (net/tipc/link.c tipc_link_tnl_prepare).
         * Counted on the link that carries them, like {@link #tunnelPackets()} (retransmissions included).
         */
        public long synchPackets() { return synchPackets; }
        /**
         * TUNNEL_PROTOCOL packets of type FAILOVER_MSG (1): a failed parallel link's unacknowledged packets, tunnelled
         * on this (surviving) link (net/tipc/link.c tipc_link_tnl_prepare, FAILOVER_MSG).
         */
        public long failoverPackets() { return failoverPackets; }
        /** NAME_DISTRIBUTOR packets. */
        public long nameDistributor() { return nameDistributor; }
        /** RESET_MSG count. */
        public long resets() { return resets; }
        /** ACTIVATE_MSG count. */
        public long activates() { return activates; }
        /** STATE_MSG count. */
        public long states() { return states; }
        /** STATE messages with the probe bit (w5 bit 0). */
        public long probes() { return probes; }
        /** STATE messages with keepalive (w0 bit 19) but no probe bit: replies to probes. */
        public long probeReplies() { return probeReplies; }
        /** STATE messages with a sequence gap (NACK). */
        public long nacks() { return nacks; }
        /** Sum of the gaps of those NACKs (packets asked for again). */
        public long nackedPackets() { return nackedPackets; }
        /** STATE messages carrying at least one unicast gap-ACK block. */
        public long gapAckStates() { return gapAckStates; }
        /** Unicast gap-ACK blocks sent. */
        public long gapAckBlocks() { return gapAckBlocks; }
        /** Broadcast gap-ACK blocks sent. */
        public long broadcastGapAckBlocks() { return bcGapAckBlocks; }
        /** RESET messages with the peer-stopping bit. */
        public long peerStopping() { return peerStopping; }
        /** Largest link packet sent, bytes. */
        public long maxPacket() { return maxPacket; }
        /** Session of the last RESET/ACTIVATE sent (w5 31-16), -1 if none seen. */
        public int session() { return session; }
        /** MTU advertised in the last RESET/ACTIVATE (bytes), 0 if none seen. */
        public int advertisedMtu() { return advertisedMtu; }
        /** Last non-zero tolerance announced (ms), 0 if none. */
        public int tolerance() { return tolerance; }
        /** Last non-zero priority announced, 0 if none. */
        public int priority() { return priority; }
        /** Sender's bearer id (w5 11-9), -1 if no link protocol message seen. */
        public int bearerId() { return bearerId; }
        /** Time of the first / last packet in this direction (ns since the epoch). */
        public long firstNanos() { return firstNanos; }
        public long lastNanos() { return lastNanos; }
    }

    /** A unicast link between two media endpoints. */
    public static final class CapturedLink {
        final Direction a;
        final Direction b;
        State state = State.UNKNOWN;
        long upNanos = -1;
        long downNanos = -1;
        final List<Event> events = new ArrayList<>();
        final List<Establishment> establishments = new ArrayList<>();
        long downs;
        boolean activateSeen;

        CapturedLink(MediaEndpoint first, MediaEndpoint second) {
            a = new Direction(first);
            b = new Direction(second);
        }

        /** The endpoint that sent the first packet seen on the link. */
        public Direction a() { return a; }
        /** The other endpoint. */
        public Direction b() { return b; }
        /** State after the last message fed. */
        public State state() { return state; }
        /** Time the link last came up, -1 if never. */
        public long upNanos() { return upNanos; }
        /** Time the link last went down, -1 if it did not. */
        public long downNanos() { return downNanos; }
        /** Establishment messages, link up and link down events in capture order. */
        public List<Event> events() { return Collections.unmodifiableList(events); }
        /** Every time the link came up, with the session numbers then in use. */
        public List<Establishment> establishments() { return Collections.unmodifiableList(establishments); }
        /** Number of times an up link was reset (went down). */
        public long downs() { return downs; }

        /** Link MTU as negotiated: the smaller advertised MTU (0 if none seen). */
        public int mtu() {
            if (a.advertisedMtu == 0) return b.advertisedMtu;
            if (b.advertisedMtu == 0) return a.advertisedMtu;
            return Math.min(a.advertisedMtu, b.advertisedMtu);
        }

        Direction from(MediaEndpoint src) {
            return src.equals(a.media) ? a : b;
        }

        /** The opposite direction of {@code d}. */
        public Direction other(Direction d) {
            return d == a ? b : a;
        }
    }

    /** Broadcast-link traffic of one sending node. */
    public static final class BroadcastSender {
        /** Replicast destinations told apart per sender (count); copies to more are counted as first copies. */
        static final int MAX_COPY_DESTINATIONS = 256;
        final int node;
        long packets, bytes, sequenced, retransmissions, copies;
        /** Seqnos seen on any way, and on the broadcast or group address. */
        final SeqnoSet seqnos = new SeqnoSet(), toBroadcast = new SeqnoSet();
        /** Per replicast destination (a peer's media address), the seqnos sent to it. */
        final Map<MediaEndpoint, SeqnoSet> copiesTo = new HashMap<>();

        BroadcastSender(int node) {
            this.node = node;
        }

        public int node() { return node; }
        public long packets() { return packets; }
        public long bytes() { return bytes; }
        /** Distinct broadcast seqnos (w2 15-0). */
        public long sequenced() { return sequenced; }
        /** Broadcast packets seen again on their way to the same destination. */
        public long retransmissions() { return retransmissions; }
        /** Replicast copies: a seqno first seen on its way to another peer (UDP bearer without multicast). */
        public long copies() { return copies; }

        /** Its broadcast numbering starts again (a restarted node): every way forgets what it saw. */
        void restart() {
            seqnos.clear();
            toBroadcast.clear();
            for (SeqnoSet t : copiesTo.values()) t.clear(); // kept (and counted): a restarted node has the same peers
        }
    }

    /** Establishments (and twice as many events) printed at each end of a long list by {@link #format}. */
    private static final int MAX_LISTED = 5;

    private final Map<String, CapturedLink> links = new LinkedHashMap<>();
    private final Map<Integer, BroadcastSender> broadcast = new LinkedHashMap<>();
    /**
     * Per-destination broadcast sequence sets over all senders (count): at most {@link #MAX_COPY_SETS}, 8 KiB each at
     * worst, whatever a capture's forged senders and destinations; past it a copy is told from a retransmission by the
     * broadcast address alone.
     */
    private int copySets;
    static final int MAX_COPY_SETS = 1024;
    private NodeDirectory nodes;
    private long firstNanos = -1;
    private long lastNanos = -1;
    private long lastTopFrame = -1;
    private boolean lastTopRetransmitted;
    private final List<CapturedLinkListener> listeners = new ArrayList<>();
    private final TipcMsg hdr = new TipcMsg();
    private CapturedLink lastLink;
    private final Map<MediaEndpoint, CapturedLink> lastBySource = new java.util.HashMap<>();

    /** Told when a link between two nodes comes up or goes down. */
    public interface CapturedLinkListener {
        void linkUp(CapturedLink link, long nanos);

        void linkDown(CapturedLink link, long nanos);
    }

    /** Registers a listener for link up/down events. */
    public void addLinkListener(CapturedLinkListener l) {
        listeners.add(l);
    }

    @Override
    public void onMessage(CapturedMessage m) {
        long t = m.timestampNanos();
        if (firstNanos < 0) firstNanos = t;
        lastNanos = Math.max(lastNanos, t);
        if (m.nodes() != null) nodes = m.nodes();
        if (m.origin() != Origin.TOP) return;
        lastTopFrame = m.frameNumber();
        lastTopRetransmitted = false;
        if (m.length() < Tipc.MIN_H_SIZE) return;
        TipcMsg h = hdr.wrap(m.buf(), m.offset(), m.length());
        int user = h.user();
        if (user == Tipc.LINK_CONFIG) return;
        boolean nonSeq = h.nonSeq() != 0;
        MediaEndpoint src = m.src();
        MediaEndpoint dst = m.dst();
        if (nonSeq || src == null || src.kind() == MediaEndpoint.Kind.UNKNOWN
                || dst != null && dst.isBroadcastOrMulticast()) {
            if (nonSeq) broadcastPacket(h, dst);
            return;
        }
        CapturedLink link = dst == null || dst.kind() == MediaEndpoint.Kind.UNKNOWN
                ? linkWithoutDestination(src, h) : linkFor(src, dst);
        if (link == null) return;
        Direction d = link.from(src);
        d.node = h.prevnode();
        d.packets++;
        d.bytes += m.length();
        d.maxPacket = Math.max(d.maxPacket, m.length());
        if (d.firstNanos == 0) d.firstNanos = t;
        d.lastNanos = t;
        if (user == Tipc.LINK_PROTOCOL) {
            linkProtocol(link, d, m, h);
            return;
        }
        markUp(link, m); // before the seqno: coming up starts both directions at seqno 1
        int seqno = h.seqno();
        if (d.resetPending) { // the sender reset: its seqnos start again at 1 (kept until now for reports)
            d.seqnos.clear();
            d.resetPending = false;
        }
        if (d.seqnos.add(seqno)) {
            d.retransmissions++;
            lastTopRetransmitted = true;
        } else {
            d.sequenced++;
        }
        switch (user) {
            case Tipc.MSG_FRAGMENTER -> d.fragments++;
            case Tipc.MSG_BUNDLER -> {
                d.bundles++;
                if (h.hdrSize() >= Tipc.INT_H_SIZE) d.bundledMessages += h.msgcnt();
            }
            case Tipc.TUNNEL_PROTOCOL -> {
                d.tunnelPackets++;
                if (h.type() == Tipc.SYNCH_MSG) d.synchPackets++;
                else if (h.type() == Tipc.FAILOVER_MSG) d.failoverPackets++;
            }
            case Tipc.NAME_DISTRIBUTOR -> d.nameDistributor++;
            default -> { }
        }
    }

    /**
     * A broadcast-link packet to {@code dst}. A UDP bearer without multicast sends each one as a copy to every peer
     * (udp_media.c tipc_udp_send_msg, replicast), so a seqno seen before is a retransmission only if seen before on
     * the broadcast (or group) address, or on its way to the same peer (a unicast retransmission of a broadcast
     * packet, bcast.c bc_retruni, is one too); a copy to another peer is counted as a copy.
     */
    private void broadcastPacket(TipcMsg h, MediaEndpoint dst) {
        int node = h.prevnode();
        BroadcastSender s = broadcast.computeIfAbsent(node, BroadcastSender::new);
        s.packets++;
        s.bytes += h.size();
        int seq = h.seqno();
        boolean first = !s.seqnos.add(seq);
        boolean again;
        if (dst == null || dst.isBroadcastOrMulticast() || dst.kind() == MediaEndpoint.Kind.UNKNOWN) {
            again = s.toBroadcast.add(seq);
        } else {
            SeqnoSet to = s.copiesTo.get(dst);
            if (to == null && copySets < MAX_COPY_SETS && s.copiesTo.size() < BroadcastSender.MAX_COPY_DESTINATIONS) {
                s.copiesTo.put(dst, to = new SeqnoSet());
                copySets++;
            }
            boolean toPeer = to != null && to.add(seq);
            again = toPeer || s.toBroadcast.contains(seq);
        }
        if (again) {
            s.retransmissions++;
            lastTopRetransmitted = true;
        } else if (first) {
            s.sequenced++;
        } else {
            s.copies++;
        }
    }

    private void linkProtocol(CapturedLink link, Direction d, CapturedMessage m, TipcMsg h) {
        int type = h.type();
        int hs = h.hdrSize();
        boolean full = hs >= Tipc.INT_H_SIZE; // w9 present
        int session = h.session();
        int priority = h.linkprio();
        int mtu = full ? h.maxPkt() : 0;
        int tolerance = full ? h.linkTolerance() : 0;
        boolean stopping = h.peerStopping() != 0;
        d.bearerId = h.bearerId();
        if (tolerance != 0) d.tolerance = tolerance;
        if (priority != 0) d.priority = priority;
        switch (type) {
            case Tipc.RESET_MSG, Tipc.ACTIVATE_MSG -> {
                if (type == Tipc.RESET_MSG) d.resets++; else d.activates++;
                if (stopping) d.peerStopping++;
                String ifName = interfaceName(m, hs);
                if (ifName != null) d.ifName = ifName;
                boolean newSession = d.session != session;
                d.session = session;
                d.advertisedMtu = mtu;
                if (newSession) d.resetPending = true;
                if (link.state == State.UP) {
                    link.state = State.DOWN;
                    link.downNanos = m.timestampNanos();
                    link.downs++;
                    link.activateSeen = false;
                    Direction o = link.other(d);
                    long silence = m.timestampNanos() - o.lastNanos;
                    event(link, m, "link down: " + nodeName(d.node) + " reset it"
                            + (stopping ? " (peer-stopping bit: it lost its last link to " + nodeName(o.node) + ")" : "")
                            + String.format(Locale.ROOT, "; last packet from %s %.3f s before", nodeName(o.node),
                                    silence / 1e9), null);
                    for (CapturedLinkListener l : listeners) l.linkDown(link, m.timestampNanos());
                } else if (link.state == State.UNKNOWN) {
                    link.state = State.ESTABLISHING;
                }
                if (type == Tipc.ACTIVATE_MSG) link.activateSeen = true;
                String what = (type == Tipc.RESET_MSG ? "RESET" : "ACTIVATE") + " from " + nodeName(d.node)
                        + " session " + session + " MTU " + mtu
                        + (tolerance != 0 ? " tolerance " + tolerance + " ms" : "")
                        + (priority != 0 ? " priority " + priority : "")
                        + " bearer " + d.bearerId + " if " + (ifName == null ? "?" : ifName)
                        + (type == Tipc.ACTIVATE_MSG && h.destSessionValid() != 0
                                ? " peer session " + h.destSession() : "")
                        + (stopping ? " peer-stopping" : "");
                event(link, m, what, what);
            }
            case Tipc.STATE_MSG -> {
                d.states++;
                boolean probe = h.probe() != 0;
                boolean keepalive = h.isKeepalive() != 0;
                if (probe) d.probes++;
                else if (keepalive) d.probeReplies++;
                int gap = h.seqGap();
                if (gap > 0) {
                    d.nacks++;
                    d.nackedPackets += gap;
                }
                gapAckBlocks(d, m, hs);
                markUp(link, m);
            }
            default -> { }
        }
    }

    private static String interfaceName(CapturedMessage m, int hs) {
        int dataLen = m.length() - hs;
        if (dataLen < 16) return null;
        byte[] b = m.buf();
        int p = m.offset() + hs;
        if (b[p] == 0) return null;
        // a peer's bytes: escaped (\xHH for control and non-ASCII bytes), so a hostile name still names its link
        return io.jtipc.wire.PeerText.latin1(b, p, 16);
    }

    private static void gapAckBlocks(Direction d, CapturedMessage m, int hs) {
        int dataLen = m.length() - hs;
        if (dataLen < 4) return;
        byte[] b = m.buf();
        int p = m.offset() + hs;
        int len = ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
        int uc = b[p + 2] & 0xff;
        int bc = b[p + 3] & 0xff;
        if (len > dataLen) return;
        if (len == 4 + 4 * (uc + bc)) {
            d.gapAckBlocks += uc;
            d.bcGapAckBlocks += bc;
            if (uc > 0) d.gapAckStates++;
        } else if (len == 4 + 4 * uc) { // older layout: unicast blocks only
            d.gapAckBlocks += uc;
            if (uc > 0) d.gapAckStates++;
        }
    }

    private void markUp(CapturedLink link, CapturedMessage m) {
        if (link.state == State.UP) return;
        // after a reset the link is up again only once an ACTIVATE was exchanged (net/tipc/link.c:
        // a side goes up on ACTIVATE, the other on the first STATE/sequenced packet after that)
        if (link.state != State.UNKNOWN && !link.activateSeen) return;
        boolean atStart = link.state == State.UNKNOWN;
        if (!atStart) {
            // a fresh link: both ends number their packets from 1 again (net/tipc/link.c tipc_link_reset)
            link.a.seqnos.clear();
            link.b.seqnos.clear();
            link.a.resetPending = false;
            link.b.resetPending = false;
            // a node with no other link up may have restarted: its broadcast numbering starts again too
            for (int node : new int[] {link.a.node, link.b.node}) {
                if (!hasUpLink(node)) {
                    BroadcastSender bs = broadcast.get(node);
                    if (bs != null) bs.restart();
                }
            }
        }
        link.state = State.UP;
        link.upNanos = m.timestampNanos();
        link.establishments.add(new Establishment(m.timestampNanos(), m.frameNumber(), link.a.session,
                link.b.session));
        event(link, m, atStart ? "link already up when the capture starts" : "link up", null);
        for (CapturedLinkListener l : listeners) l.linkUp(link, m.timestampNanos());
    }

    private boolean hasUpLink(int node) {
        for (CapturedLink l : links.values()) {
            if (l.state == State.UP && (l.a.node == node || l.b.node == node)) return true;
        }
        return false;
    }

    private void event(CapturedLink link, CapturedMessage m, String what, String foldKey) {
        if (foldKey != null && !link.events.isEmpty()) {
            Event last = link.events.get(link.events.size() - 1);
            if (foldKey.equals(last.foldKey)) {
                last.count++;
                last.lastNanos = m.timestampNanos();
                return;
            }
        }
        link.events.add(new Event(m.timestampNanos(), m.frameNumber(), what, foldKey));
    }

    /**
     * Link of a packet whose media destination the capture does not give (Linux cooked captures, SLL:
     * only the sender's address is recorded): the link from {@code src} to the destination node (w7),
     * or for 24-byte headers (no w7) the last link {@code src} sent on. The peer's endpoint is filled in
     * when the peer's first packet to this node is seen.
     */
    private CapturedLink linkWithoutDestination(MediaEndpoint src, TipcMsg h) {
        int self = h.prevnode();
        int peer = h.hdrSize() > Tipc.SHORT_H_SIZE ? h.destnode() : 0;
        if (peer == 0) {
            CapturedLink l = lastBySource.get(src);
            return l;
        }
        CapturedLink found = null;
        for (CapturedLink l : links.values()) {
            if (src.equals(l.a.media) && l.b.node == peer || src.equals(l.b.media) && l.a.node == peer) {
                found = l;
                break;
            }
        }
        if (found == null) {
            for (CapturedLink l : links.values()) { // the peer's half of a link we saw from its other end
                if (l.b.media == null && l.b.node == self && l.a.node == peer) {
                    l.b.media = src;
                    found = l;
                    break;
                }
            }
        }
        if (found == null) {
            found = new CapturedLink(src, null);
            found.b.node = peer;
            links.put("?" + links.size() + "|" + src + "|" + Integer.toHexString(peer), found);
        }
        lastBySource.put(src, found);
        return found;
    }

    private CapturedLink linkFor(MediaEndpoint src, MediaEndpoint dst) {
        CapturedLink last = lastLink; // consecutive packets are mostly on the same link: no key built then
        if (last != null && (src.equals(last.a.media) && dst.equals(last.b.media)
                || dst.equals(last.a.media) && src.equals(last.b.media))) {
            return last;
        }
        lastLink = linkForKey(src, dst);
        return lastLink;
    }

    private CapturedLink linkForKey(MediaEndpoint src, MediaEndpoint dst) {
        String ks = src.toString();
        String kd = dst.toString();
        String key = ks.compareTo(kd) <= 0 ? ks + "|" + kd : kd + "|" + ks;
        CapturedLink l = links.get(key);
        if (l == null) {
            l = new CapturedLink(src, dst);
            links.put(key, l);
        }
        return l;
    }

    /**
     * True if the TOP-level packet of frame {@code m.frameNumber()} (which {@code m} is or is carried
     * in) was a retransmission on its link or on the broadcast link. Valid for the message being
     * delivered and the messages nested in its frame; call after forwarding {@code m} to this analysis.
     */
    public boolean isRetransmission(CapturedMessage m) {
        return m.frameNumber() == lastTopFrame && lastTopRetransmitted;
    }

    /** Links in order of first appearance. */
    public List<CapturedLink> links() {
        return List.copyOf(links.values());
    }

    /** Broadcast-link senders in order of first appearance. */
    public List<BroadcastSender> broadcastSenders() {
        return List.copyOf(broadcast.values());
    }

    /** Timestamp of the first message seen, -1 if none. */
    public long firstNanos() { return firstNanos; }

    /** Timestamp of the last message seen, -1 if none. */
    public long lastNanos() { return lastNanos; }

    /** Overrides the time origin used when formatting (e.g. the first frame of the capture). */
    public void setOrigin(long nanos) {
        firstNanos = nanos;
    }

    /** The node identity string learnt from discovery for {@code addr}, or null when not learnt. */
    public String nodeId(int addr) {
        return nodes == null ? null : nodes.idString(addr);
    }

    /**
     * Node name as in kernel link names (net/tipc/link.c): the node identity string if known and at most
     * 16 characters, else the 32-bit address in lower-case hex.
     */
    public String nodeName(int addr) {
        String id = nodes == null ? null : nodes.idString(addr);
        return id != null && !id.isEmpty() && id.length() <= 16 ? id : Integer.toHexString(addr);
    }

    /**
     * Kernel-style name of the link as seen from endpoint {@code a()}:
     * {@code "<a-node>:<a-if>-<b-node>:<b-if>"}; an interface name not learnt from RESET/ACTIVATE is
     * replaced by the media address.
     */
    public String name(CapturedLink l) {
        return nodeName(l.a.node) + ":" + ifOrMedia(l.a) + "-" + nodeName(l.b.node) + ":" + ifOrMedia(l.b);
    }

    private static String ifOrMedia(Direction d) {
        return d.ifName != null ? d.ifName : d.media != null ? d.media.toString() : "unknown";
    }

    /** Seconds since the origin (first message, or what {@code setOrigin} set). */
    public double seconds(long nanos) {
        return (nanos - firstNanos) / 1e9;
    }

    /** Seconds since the origin, 6 decimals. */
    public String rel(long nanos) {
        return String.format(Locale.ROOT, "%.6f", (nanos - firstNanos) / 1e9);
    }

    /** Human-readable report of every link (what {@code jtipc pcap links} prints). */
    public String format() {
        StringBuilder sb = new StringBuilder();
        if (links.isEmpty()) sb.append("No unicast links in the capture.\n");
        for (CapturedLink l : links.values()) {
            Direction a = l.a;
            Direction b = l.b;
            String an = nodeName(a.node);
            String bn = nodeName(b.node);
            sb.append("Link <").append(name(l)).append(">  ").append(a.media.kind()).append(' ')
                    .append(a.media).append(" <-> ").append(b.media == null ? "?" : b.media).append('\n');
            sb.append("  state at end: ").append(l.state);
            if (l.upNanos >= 0) sb.append(", last up at ").append(rel(l.upNanos)).append(" s");
            if (l.downNanos >= 0) sb.append(", last down at ").append(rel(l.downNanos)).append(" s");
            if (l.state == State.UP) {
                long silent = lastNanos - Math.min(a.lastNanos, b.lastNanos);
                int tol = Math.max(a.tolerance, b.tolerance);
                if (tol > 0 && silent > tol * 1_000_000L) {
                    sb.append(String.format(Locale.ROOT, " (one side silent for %.3f s > tolerance %d ms)",
                            silent / 1e9, tol));
                }
            }
            sb.append('\n');
            List<Establishment> ups = l.establishments;
            for (int i = 0; i < ups.size(); i++) {
                if (i == MAX_LISTED && ups.size() > 2 * MAX_LISTED) {
                    sb.append("  ... ").append(ups.size() - 2 * MAX_LISTED).append(" more (--json lists all)\n");
                    i = ups.size() - MAX_LISTED;
                }
                Establishment e = ups.get(i);
                sb.append("  up at ").append(rel(e.upNanos())).append(" s (frame ").append(e.upFrame())
                        .append("), sessions ").append(an).append(' ').append(e.sessionA() < 0 ? "?" : e.sessionA())
                        .append(" / ").append(bn).append(' ').append(e.sessionB() < 0 ? "?" : e.sessionB())
                        .append('\n');
            }
            sb.append("  MTU ").append(l.mtu()).append(" (advertised ").append(an).append(' ')
                    .append(a.advertisedMtu).append(", ").append(bn).append(' ').append(b.advertisedMtu)
                    .append("; largest packet ").append(Math.max(a.maxPacket, b.maxPacket)).append(")\n")
                    .append("  tolerance ").append(tolOrDefault(a, b)).append(", priority ")
                    .append(prioOrDefault(a, b)).append(", bearer ids ").append(a.bearerId).append('/')
                    .append(b.bearerId).append(", resets of an up link: ").append(l.downs).append('\n');
            String h1 = an + " -> " + bn;
            String h2 = bn + " -> " + an;
            int w = Math.max(22, Math.max(h1.length(), h2.length()) + 2);
            String rowFmt = "  %-28s%" + w + "s%" + w + "s%n";
            sb.append(String.format(Locale.ROOT, rowFmt, "", h1, h2));
            row(sb, rowFmt, "packets", a.packets, b.packets);
            row(sb, rowFmt, "bytes", a.bytes, b.bytes);
            row(sb, rowFmt, "sequenced (distinct)", a.sequenced, b.sequenced);
            row(sb, rowFmt, "retransmissions", a.retransmissions, b.retransmissions);
            row(sb, rowFmt, "highest seqno (last session)", a.highestSeqno(), b.highestSeqno());
            row(sb, rowFmt, "fragments", a.fragments, b.fragments);
            row(sb, rowFmt, "bundles", a.bundles, b.bundles);
            row(sb, rowFmt, "bundled messages", a.bundledMessages, b.bundledMessages);
            row(sb, rowFmt, "name distributor", a.nameDistributor, b.nameDistributor);
            row(sb, rowFmt, "tunnel (synch/failover)", a.tunnelPackets, b.tunnelPackets);
            row(sb, rowFmt, "  SYNCH", a.synchPackets, b.synchPackets);
            row(sb, rowFmt, "  FAILOVER", a.failoverPackets, b.failoverPackets);
            row(sb, rowFmt, "STATE", a.states, b.states);
            row(sb, rowFmt, "probes", a.probes, b.probes);
            row(sb, rowFmt, "probe replies", a.probeReplies, b.probeReplies);
            row(sb, rowFmt, "NACKs (STATE seq_gap>0)", a.nacks, b.nacks);
            row(sb, rowFmt, "packets NACKed", a.nackedPackets, b.nackedPackets);
            row(sb, rowFmt, "gap-ACK blocks uc (STATEs)", a.gapAckBlocks + " (" + a.gapAckStates + ")",
                    b.gapAckBlocks + " (" + b.gapAckStates + ")");
            row(sb, rowFmt, "gap-ACK blocks bc", a.bcGapAckBlocks, b.bcGapAckBlocks);
            row(sb, rowFmt, "RESET", a.resets, b.resets);
            row(sb, rowFmt, "ACTIVATE", a.activates, b.activates);
            row(sb, rowFmt, "interface", a.ifName == null ? "?" : a.ifName, b.ifName == null ? "?" : b.ifName);
            sb.append("  events:\n");
            for (int i = 0; i < l.events.size(); i++) {
                if (i == 2 * MAX_LISTED && l.events.size() > 4 * MAX_LISTED) {
                    sb.append("    ... ").append(l.events.size() - 4 * MAX_LISTED).append(" more (--json lists all)\n");
                    i = l.events.size() - 2 * MAX_LISTED;
                }
                Event e = l.events.get(i);
                sb.append("    ").append(String.format(Locale.ROOT, "%12s", rel(e.nanos))).append(" s  frame ")
                        .append(String.format(Locale.ROOT, "%-7d", e.frame)).append(e.what);
                if (e.count > 1) {
                    sb.append("  (x").append(e.count).append(" until ").append(rel(e.lastNanos)).append(" s)");
                }
                sb.append('\n');
            }
            sb.append('\n');
        }
        if (!broadcast.isEmpty()) {
            sb.append("Broadcast link (non-sequenced packets, per sender):\n");
            for (BroadcastSender s : broadcast.values()) {
                sb.append("  ").append(String.format(Locale.ROOT, "%-18s", nodeName(s.node)))
                        .append(" packets ").append(s.packets).append("  bytes ").append(s.bytes)
                        .append("  distinct ").append(s.sequenced).append("  retransmissions ")
                        .append(s.retransmissions);
                if (s.copies > 0) sb.append("  replicast copies ").append(s.copies);
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    private static String tolOrDefault(Direction a, Direction b) {
        int t = a.tolerance != 0 ? a.tolerance : b.tolerance;
        return t == 0 ? "not announced (kernel default 1500 ms)" : t + " ms";
    }

    private static String prioOrDefault(Direction a, Direction b) {
        int p = a.priority != 0 ? a.priority : b.priority;
        return p == 0 ? "not announced (default 10)" : String.valueOf(p);
    }

    private static void row(StringBuilder sb, String fmt, String label, Object x, Object y) {
        sb.append(String.format(Locale.ROOT, fmt, label, x, y));
    }
}
