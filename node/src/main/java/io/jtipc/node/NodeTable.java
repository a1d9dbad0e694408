package io.jtipc.node;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Map;
import java.util.function.IntSupplier;

import io.jtipc.nametable.DistrMessage;
import io.jtipc.wire.NodeId;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * The peer nodes of this node (Linux 6.1 net/tipc/node.c: {@code tipc_node_find}, {@code tipc_node_create},
 * {@code tipc_node_delete}) and the node.c functions that work across them: the receive entry of link traffic
 * ({@code tipc_rcv}), the link-creation decision of discovery ({@code tipc_node_check_dest}), address suggestions
 * during the address trial ({@code tipc_node_try_addr}, {@code tipc_node_suggest_addr}), sending
 * ({@code tipc_node_xmit}, fragmenting to the link's MSS), binding-update distribution to every node that is up
 * ({@code tipc_node_broadcast}), the timers and the deletion of a bearer's links ({@code tipc_node_delete_links}).
 * The state and FSM of one node are {@link Node}'s.
 */
final class NodeTable {
    /**
     * jtipc limit on known peers, count (the kernel has none: node.c tipc_node_create allocates for every new node id
     * discovery brings). One entry that never linked costs about {@link #PEER_BYTES} bytes, so the table holds at
     * most {@code MAX_PEERS * PEER_BYTES} ≈ 16 MiB of never-linked peers; queues of linked peers are bounded by the
     * link's own limits. When the table is full, a newly discovered peer takes the slot of an evictable one
     * ({@link #makeRoom}), so a discovery flood of fresh node ids cannot lock an honest node out.
     */
    static final int MAX_PEERS = 4096;
    /** Per bearer slot, the monitor of the bearer last disabled there ({@link #keepMonitor}). */
    private final Monitor[] keptMonitors = new Monitor[Bearer.MAX_BEARERS];
    private final String[] keptNames = new String[Bearer.MAX_BEARERS];

    /**
     * Approximate heap cost of one peer entry that has not linked, bytes (64-bit JVM, compressed oops): the
     * {@link Node} with its three input queues (16-slot arrays) and broadcast receive link, one {@link Link} with its
     * empty queues and its 556-byte protocol-message buffer, the node id and media address copies, and the table's map
     * and eviction-order entries. Measured (JDK 17, heap after GC, 4 000 never-linked peers): about 3 000 bytes each;
     * 4 KiB is the documented bound, so a full table of never-linked peers stays under 16 MiB.
     */
    static final int PEER_BYTES = 4096;

    /** node.c NODE_CLEANUP_AFTER: a peer not up for this long is deleted with its link, ms. */
    static final int NODE_CLEANUP_AFTER = 300_000;

    /** Minimum time between two "peer table full" log lines, ms. */
    static final int FULL_LOG_INTERVAL = 60_000;

    /**
     * Eviction tiers of the peers that are not up ({@link Node#tier}), evicted in this order, oldest first within a
     * tier: FRESH peers sent only discovery (never a link-protocol message our link accepted), LINKING peers' links
     * accepted a RESET or ACTIVATE but never came up, LOST peers were up once (their bindings are withdrawn and their
     * connections aborted at loss of contact). A peer that is up is in no tier (TIER_NONE) and is never evicted.
     */
    static final int TIER_NONE = 0, TIER_FRESH = 1, TIER_LINKING = 2, TIER_LOST = 3;

    private final Net net;
    private final Map<Integer, Node> nodes = new HashMap<>();
    /** {@link #clusterCapabilities} cached, valid while {@link #clusterCapsValid}. */
    private int clusterCaps;
    /** False once a peer was added or deleted or changed its capabilities. */
    private boolean clusterCapsValid;
    /** One armed node timer (heap entry; stale once its node is re-armed or deleted). */
    private record Timer(long due, Node node) { }
    /** The node timers by due time ({@link #arm}). */
    private final PriorityQueue<Timer> timers = new PriorityQueue<>((x, y) -> Long.compare(x.due, y.due));
    /** The nodes by identity (usually one each; a node up under one address and down under another gives two). */
    private final Map<NodeId, List<Node>> byId = new HashMap<>();
    /** The eviction tiers, each in the order its nodes entered it. */
    private final List<LinkedHashSet<Node>> tiers = List.of(new LinkedHashSet<>(), new LinkedHashSet<>(),
        new LinkedHashSet<>(), new LinkedHashSet<>());
    /** Evictions by the tier evicted from, and rejections, since the last "peer table full" line. */
    private final long[] evictedSinceLog = new long[4];
    private long rejectedSinceLog;
    private boolean fullLogged;
    private long fullLoggedAt;
    /** The socket layer messages are delivered to (node.c → socket.c tipc_sk_rcv); set once by the owner. */
    SocketTable sockets;
    /** Source of the random 16-bit session numbers of new links (node.c tipc_node_check_dest: get_random_bytes). */
    IntSupplier sessionSource;

    NodeTable(Net net, IntSupplier sessionSource) {
        net.bcast.nodes = this;
        this.net = net;
        this.sessionSource = sessionSource;
        net.crypto.nodes = this;
    }

    /**
     * The node with identity {@code id} (128 bits, node.c tipc_node_find_by_id: the first in the kernel's node list,
     * which is sorted by address, so the lowest address when a peer is known under two); null if none. A hash lookup:
     * it runs for every encrypted discovery frame, before the frame is authenticated.
     */
    Node findById(NodeId id) {
        List<Node> same = byId.get(id);
        if (same == null) return null;
        Node first = null;
        for (Node n : same) if (first == null || Integer.compareUnsigned(n.addr, first.addr) < 0) first = n;
        return first;
    }

    Node find(int addr) {
        // through a one-entry cache of the last node found (issue 14: the data path looks up the same peer message
        // after message, and a HashMap lookup boxes the address into an Integer)
        Node n = lastNode;
        if (n != null && n.addr == addr) return n;
        n = nodes.get(addr);
        if (n != null) lastNode = n;
        return n;
    }

    /**
     * {@link #find} without writing its one-entry cache: for read-only lookups from outside the data path ({@link
     * NodeCore#peer}), so that inspection never changes core state. Still core thread only (the map is not safe to
     * read concurrently with the core).
     */
    Node peek(int addr) {
        Node n = lastNode;
        return n != null && n.addr == addr ? n : nodes.get(addr);
    }

    Collection<Node> all() {
        return nodes.values();
    }

    List<Link> links() {
        List<Link> l = new ArrayList<>();
        for (Node p : nodes.values()) for (Link x : p.links) if (x != null) l.add(x);
        return l;
    }

    // ====================================================================== receiving

    /**
     * node.c tipc_rcv for every message but discovery: broadcast packets (non-seq) go to the node's broadcast receive
     * link, sequenced ones to the link of the bearer they arrived on. A unicast link message (long header) addressed
     * to another node is discarded and counted in {@link Net#foreignFrames}; anything without a node or link is
     * counted in {@link Net#droppedFrames}.
     *
     * @param h the message, wrapped over {@code buf[off, off + len)}
     */
    void rcv(long now, int bearerId, TipcMsg h, byte[] buf, int off, int len, Outbox out) {
        int size = h.size();
        if (h.nonSeq() != 0) {
            Node p = find(h.prevnode());
            if (p == null || p.link == null || !p.isUp()) {
                net.droppedFrames++;
                return;
            }
            p.bcastRcv(buf, off, size, now, out);
            return;
        }
        if (net.ownAddr == 0) {
            net.droppedFrames++;
            return;
        }
        // A media address can outlive the node that used it: a peer still holds a link to the previous owner of our
        // MAC/UDP address and keeps sending it RESETs (every 16th tick) and STATEs; taken as ours they would reset our
        // link to that peer and teach it a foreign session.
        if (h.hdrSize() != Tipc.SHORT_H_SIZE && h.destnode() != net.ownAddr) {
            net.foreignFrames++;
            return;
        }
        Node p = find(h.prevnode());
        Link l = p == null ? null : p.link(bearerId);
        if (l == null) {
            net.droppedFrames++;
            return;
        }
        p.rcv(l, h, buf, off, len, size, now, out);
    }

    // ====================================================================== discovery

    /** node.c tipc_node_try_addr: an address to suggest to a peer trying {@code addr} while we try {@code trialAddr}, or 0. */
    int tryAddr(byte[] id, int addr, int trialAddr, int random) {
        Node n = find(addr);
        if (n != null) {
            if (Arrays.equals(n.id.bytes(), id)) return 0;
            return suggestAddr(addr, trialAddr, random);
        }
        List<Node> same = byId.get(NodeId.of(id));
        if (same != null && !same.isEmpty()) return same.get(0).addr;
        if (trialAddr == addr) return suggestAddr(addr, trialAddr, random);
        return 0;
    }

    /** node.c tipc_node_suggest_addr: {@code addr ^ random}, then the next address not in use. */
    private int suggestAddr(int addr, int trialAddr, int random) {
        addr ^= random;
        while (nodes.containsKey(addr) || addr == trialAddr || addr == 0) addr++;
        return addr;
    }

    /**
     * node.c tipc_node_check_dest: the link-creation decision table (signature match × media address
     * match × link up), creating the node and its link on bearer {@code b} when needed.
     *
     * @return whether to respond to a request
     */
    boolean checkDest(long now, int addr, NodeId peerId, Bearer b, int caps, int signature, int hashMix,
                      byte[] maddr, Outbox out) {
        Node n = find(addr);
        if (n == null) {
            // a peer known under another address (it rebooted and re-hashed): forget the old entry if down
            List<Node> same = byId.get(peerId);
            if (same != null) {
                for (Node p : new ArrayList<>(same)) if (!p.isUp()) delete(p);
            }
            if (nodes.size() >= MAX_PEERS && !makeRoom(now, b.disc)) return false;
            n = new Node(this, net, addr, peerId, caps);
            n.deleteAt = now + NODE_CLEANUP_AFTER;
            nodes.put(addr, n);
            clusterCapsValid = false;
            lastNode = null;
            index(n);
            setTier(n, TIER_FRESH);
        } else {
            if (!n.id.equals(peerId)) {
                if (n.isUp()) {
                    if (Long.bitCount(++n.duplicateAlerts) == 1) {
                        net.log("duplicate node address " + Integer.toHexString(addr) + " used by " + peerId + " ("
                            + n.duplicateAlerts + " times)");
                    }
                    return false;
                }
                unindex(n);
                n.id = peerId;
                index(n);
            }
            if (n.caps != caps) clusterCapsValid = false;
            n.caps = caps;
        }
        Link l = n.link(b.id);
        boolean linkUp = l != null && l.isUp();
        boolean addrMatch = l != null && Arrays.equals(l.maddr, maddr);
        boolean signMatch = signature == n.signature;
        boolean respond = false, acceptAddr = false, reset = false;
        if (signMatch && addrMatch && linkUp) {
            if (n.peerHashMix == 0) n.peerHashMix = hashMix;
        } else if (signMatch && addrMatch) {
            respond = true;
        } else if (signMatch && linkUp) {
            duplicateAlert(n, b);
        } else if (signMatch) {
            acceptAddr = respond = reset = true;
        } else if (addrMatch && linkUp) {
            n.signature = signature;
        } else if (addrMatch) {
            n.signature = signature;
            respond = true;
        } else if (linkUp) {
            duplicateAlert(n, b);
        } else {
            n.signature = signature;
            acceptAddr = respond = reset = true;
        }
        if (!acceptAddr) return respond;
        if (l == null) {
            if (n.linkCnt == 2) return respond; // node.c: at most two links per peer
            l = new Link(net, n, b, maddr, sessionSource.getAsInt());
            l.reset();
            l.fsmReset();
            if (n.state() == Node.NodeState.NODE_FAILINGOVER) l.fsmFailoverBegin(); // blocked until it ends
            n.links[b.id] = l;
            n.linkCnt++;
            n.updateLink();
            n.calculateTimer(l);
            if (n.linkCnt == 1) arm(n, now + n.keepaliveIntv);
        }
        l.maddr = maddr;
        if (reset && !l.isReset()) n.linkDown(l, now, out);
        return respond;
    }

    // ====================================================================== timers, bearers

    /**
     * Arms (or, with Long.MAX_VALUE, disarms) the node timer of {@code n} at {@code due} ms (node.c mod_timer). The
     * timers are a heap with lazy deletion: an entry counts only while its node is in the table with that due time, so
     * finding and running the due timers costs O(log n) per timer, not a pass over the table (a discovery flood fills
     * the table with 4 096 peers, each ticking every 375 ms).
     */
    void arm(Node n, long due) {
        n.timerDue = due;
        if (due != Long.MAX_VALUE) timers.add(new Timer(due, n));
    }

    /** The node cached by {@link #find}, cleared whenever {@link #nodes} changes. */
    private Node lastNode;

    private boolean live(Timer t) {
        return t.node.timerDue == t.due && find(t.node.addr) == t.node;
    }

    /** Earliest node timer, ms (Long.MAX_VALUE if none). */
    long nextDeadline() {
        Timer t;
        while ((t = timers.peek()) != null && !live(t)) timers.poll();
        return Math.min(t == null ? Long.MAX_VALUE : t.due, net.crypto.nextDeadline());
    }

    /** tipc_node_timeout of every node that is due; nodes not up for NODE_CLEANUP_AFTER are deleted (tipc_node_cleanup). */
    void timeout(long now, Outbox out) {
        List<Timer> due = new ArrayList<>();
        while (!timers.isEmpty() && timers.peek().due <= now) due.add(timers.poll());
        for (Timer t : due) {
            // an earlier timeout of this round may have deleted or re-armed the node
            if (live(t) && !t.node.timeout(now, out)) delete(t.node, true);
        }
        if (net.crypto.nextDeadline() <= now) net.crypto.timeout(now, out);
    }

    // ====================================================================== peer-table bound and eviction (jtipc)

    /**
     * Frees one slot of the full table for a peer discovered on {@code disc}'s bearer: the oldest evictable peer of the
     * first non-empty tier (FRESH, then LINKING, then LOST, see {@link #TIER_FRESH}) is deleted with its links, as
     * tipc_node_cleanup would after {@link #NODE_CLEANUP_AFTER}, without a message (its links never came up, or came
     * down already). Never a peer that is up, has a link up or has bindings. A full table is logged at most once per
     * {@link #FULL_LOG_INTERVAL} with the tier counts and what was evicted or rejected since the last such line.
     *
     * @return true if a slot was freed; false if every peer is up (the discovery is ignored, counted in
     *         {@link Discoverer#peersRejected()})
     */
    private boolean makeRoom(long now, Discoverer disc) {
        Node victim = null;
        int tier = TIER_FRESH;
        for (; tier <= TIER_LOST && victim == null; tier++) {
            for (Node p : tiers.get(tier)) {
                if (evictable(p)) {
                    victim = p;
                    break;
                }
            }
        }
        if (victim == null) {
            disc.peersRejected++;
            rejectedSinceLog++;
        } else {
            disc.peersEvicted++;
            evictedSinceLog[victim.tier]++;
        }
        if (!fullLogged || now - fullLoggedAt >= FULL_LOG_INTERVAL) {
            fullLogged = true;
            fullLoggedAt = now;
            int up = nodes.size() - tiers.get(TIER_FRESH).size() - tiers.get(TIER_LINKING).size()
                - tiers.get(TIER_LOST).size();
            net.log("peer table full (" + MAX_PEERS + " peers): " + tiers.get(TIER_FRESH).size() + " never linked, "
                + tiers.get(TIER_LINKING).size() + " linking, " + tiers.get(TIER_LOST).size() + " down, " + up
                + " up; since the last report evicted " + evictedSinceLog[TIER_FRESH] + " never-linked, "
                + evictedSinceLog[TIER_LINKING] + " linking and " + evictedSinceLog[TIER_LOST]
                + " down peer(s), ignored " + rejectedSinceLog + " new peer(s)");
            Arrays.fill(evictedSinceLog, 0);
            rejectedSinceLog = 0;
        }
        if (victim == null) return false;
        delete(victim);
        return true;
    }

    /** A peer that may be evicted: not up, no link up, no bindings (and so no connection, which needs it up). */
    private static boolean evictable(Node p) {
        if (p.isUp() || p.namedUp) return false;
        for (Link l : p.links) if (l != null && l.isUp()) return false;
        return true;
    }

    /** Moves {@code n} to eviction tier {@code t} (the end of it), out of its previous one. */
    void setTier(Node n, int t) {
        if (n.tier != TIER_NONE) tiers.get(n.tier).remove(n);
        n.tier = t;
        if (t != TIER_NONE) tiers.get(t).add(n);
    }

    /** Peers in eviction tier {@code t} (for tests). */
    int tierSize(int t) {
        return tiers.get(t).size();
    }

    private void index(Node n) {
        byId.computeIfAbsent(n.id, k -> new ArrayList<>(1)).add(n);
    }

    private void unindex(Node n) {
        List<Node> l = byId.get(n.id);
        if (l == null) return;
        l.remove(n);
        if (l.isEmpty()) byId.remove(n.id);
    }

    /** Forgets {@code n} and takes it out of its bearers' monitors ({@link #delete(Node, boolean)}). */
    private void delete(Node n) {
        delete(n, false);
    }

    /**
     * Forgets {@code n}: the table, the identity index, its tier (tipc_node_delete). With {@code cleanup} (a peer down
     * for {@link #NODE_CLEANUP_AFTER}: node.c tipc_node_cleanup, which frees the links and leaves the monitors alone)
     * the peer stays in its bearers' monitors as a down peer, as the kernel's: it keeps counting towards the monitoring
     * threshold and stays in the domain records, which kernel nodes compare member by member (monitor.c
     * mon_apply_domain); only disabling the bearer removes it there (tipc_mon_delete; a bearer reset keeps the monitor,
     * {@link #keepMonitor}). jtipc bound: a monitor keeps such peers while it holds at most {@link #MAX_PEERS}, so it
     * never holds more than twice that.
     * Evicted peers (table full) and identities seen again under a new address leave the monitors at once.
     */
    private void delete(Node n, boolean cleanup) {
        if (find(n.addr) == n) {
            nodes.remove(n.addr);
            clusterCapsValid = false;
            lastNode = null;
            if (net.distr != null) net.distr.nodeDeleted(n.addr); // its named receive state goes with it
            net.crypto.nodeDeleted(n.addr); // and its RX keys (the kernel frees crypto_rx with the node)
        }
        for (Link x : n.links) {
            if (x == null || x.bearer.mon == null || cleanup && x.bearer.mon.peerCount() <= MAX_PEERS) continue;
            x.bearer.mon.removePeer(n.addr);
        }
        unindex(n);
        setTier(n, TIER_NONE);
    }

    /**
     * Keeps the monitor of bearer {@code b}, just disabled, for its slot: a reset (bearer.c tipc_reset_bearer, which
     * deletes the links but not the bearer) re-enables it with the same monitor ({@link #restoreMonitor}), so the
     * peers it keeps after their node was deleted ({@link #delete(Node, boolean)}) stay in it, as in the kernel, whose
     * monitor goes only with the bearer (tipc_mon_delete). The live peers left it with their links.
     *
     * @return null (for the bearer's slot)
     */
    Bearer keepMonitor(Bearer b) {
        keptMonitors[b.id] = b.mon;
        keptNames[b.id] = b.config().name();
        return null;
    }

    /**
     * The bearer just enabled in slot {@code id} of {@code bearers} takes the monitor kept there if {@code reset}
     * (the shell's re-enable after a reset) and it is the bearer that was there (same name); else the kept one is
     * dropped (another bearer now has the slot).
     *
     * @return {@code id}
     */
    int restoreMonitor(int id, Bearer[] bearers, boolean reset) {
        Bearer b = bearers[id];
        if (reset && b.mon == null && b.config().name().equals(keptNames[id])) b.mon = keptMonitors[id];
        keptMonitors[id] = null;
        keptNames[id] = null;
        return id;
    }

    /**
     * node.c tipc_node_delete_links for a bearer being disabled: every link on it is taken down with a RESET carrying
     * the peer-stopping bit, then deleted.
     */
    void deleteLinks(int bearerId, long now, Outbox out) {
        for (Node n : new ArrayList<>(nodes.values())) {
            Link l = n.link(bearerId);
            if (l == null) continue;
            n.stopLink(l, now, out);
            n.links[bearerId] = null;
            l.bearer.mon.removePeer(n.addr); // tipc_node_link_down(delete) → tipc_mon_remove_peer
            n.linkCnt--;
            n.updateLink();
            // the node timer keeps running without links (every 10 s, tipc_node_timeout re-arms itself), so a peer
            // left with none is deleted NODE_CLEANUP_AFTER its loss of contact (tipc_node_cleanup)
        }
    }

    /**
     * node.c tipc_nl_peer_rm ({@code tipc peer remove address ADDR}): forgets a peer that is down (node state
     * SELF_DOWN_PEER_DOWN or SELF_DOWN_PEER_LEAVING), with its links (tipc_node_clear_links, tipc_node_delete). jtipc
     * also refuses while one of its links is up or its bindings are still held (a down node has neither).
     *
     * @return 0, {@link Errno#ENOTSUPP} for the own address (the kernel: "can't remove own address"),
     *         {@link Errno#ENXIO} if no such peer, {@link Errno#EBUSY} if it is not down
     */
    int removePeer(int addr) {
        if (addr == net.ownAddr && addr != 0) return Errno.ENOTSUPP;
        Node n = find(addr);
        if (n == null) return Errno.ENXIO;
        boolean down = n.state == Node.NodeState.SELF_DOWN_PEER_DOWN || n.state == Node.NodeState.SELF_DOWN_PEER_LEAVING;
        if (!down || !evictable(n)) return Errno.EBUSY;
        Arrays.fill(n.links, null);
        n.linkCnt = 0;
        arm(n, Long.MAX_VALUE);
        delete(n);
        return 0;
    }

    /** Every link stopped (RESET with the peer-stopping bit) and every node timer disarmed (tipc_node_stop). */
    void stop(long now, Outbox out) {
        for (Node n : new ArrayList<>(nodes.values())) {
            for (Link l : n.links) if (l != null) n.stopLink(l, now, out);
            arm(n, Long.MAX_VALUE);
        }
    }

    /** Wraps the fragment being built by {@link #xmit(byte[], int, byte[], int, int, int, long, Outbox)}. */
    private final TipcMsg fragHdr = new TipcMsg();
    /** Where a two-piece message within the MSS is joined (grows to the largest MSS). */
    private byte[] joinBuf = new byte[0];

    // ====================================================================== sending

    /**
     * node.c tipc_node_xmit to another node: the active link of the message's selector ({@link #selector}),
     * fragmenting to the link MSS (msg.c tipc_msg_build).
     *
     * @return 0, {@link Errno#EHOSTUNREACH} (no node or not up), or the first fragment's {@link Link#xmit} result
     *         ({@link Errno#ELINKCONG}, ...)
     */
    int xmit(byte[] msg, int destNode, long now, Outbox out) {
        return xmit(msg, msg.length, destNode, now, out);
    }

    /**
     * {@link #xmit(byte[], int, long, Outbox)} of the message {@code msg[0, len)} (the caller may reuse {@code msg}
     * once this returns: the link keeps its own copy).
     */
    int xmit(byte[] msg, int len, int destNode, long now, Outbox out) {
        return xmit(msg, len, msg, 0, 0, destNode, now, out);
    }

    /**
     * {@link #xmit(byte[], int, long, Outbox)} of a message given in two pieces, as socket.c hands tipc_msg_build a
     * header and the user's data: {@code hdr[0, hlen)} (its size field the whole message's) and then
     * {@code data[off, off + dlen)}; the caller may reuse both once this returns. A message within the MSS is joined in
     * a reused array and the link copies it (bundling it when it can); a larger one is fragmented one fragment at a
     * time, each built from the two pieces in the pooled packet the link then keeps: the data is copied once
     * (issue 14).
     */
    int xmit(byte[] hdr, int hlen, byte[] data, int off, int dlen, int destNode, long now, Outbox out) {
        Node p = find(destNode);
        Link l = p == null || !p.isUp() ? null : p.activeLink(selector(hdr));
        if (l == null) return Errno.EHOSTUNREACH;
        int mss = l.mss();
        int len = hlen + dlen;
        if (len <= mss) {
            byte[] m = hdr;
            if (dlen > 0) {
                if (joinBuf.length < len) joinBuf = new byte[mss];
                m = joinBuf;
                System.arraycopy(hdr, 0, m, 0, hlen);
                System.arraycopy(data, off, m, hlen, dlen);
            }
            return overflowed(p, l, l.xmit(m, len, now, out), now, out);
        }
        int rc = 0;
        int imp = fragHdr.wrap(hdr, 0, hlen).importance();
        int count = Msg.fragments(len, mss);
        for (int no = 1; no <= count; no++) {
            // built where the link keeps it: no copy of the fragment (issue 14); the backlog limit is checked for the
            // first fragment only, as tipc_link_xmit checks it once per list
            Pkt f = net.pool.take(Msg.fragmentLength(len, mss, no));
            f.len = Msg.fragment(fragHdr, hdr, hlen, data, off, len, imp, no, mss, net.ownAddr, destNode, f.buf);
            int r = l.xmit(f.buf, f.len, now, out, no == 1, f);
            if (no == 1) rc = r;
            l.sentFragmented++;
            if (r == Errno.ENOBUFS) return overflowed(p, l, r, now, out);
        }
        return rc;
    }

    /**
     * The link selector socket.c passes to tipc_node_xmit: the sending port ({@code tsk->portid} = msg_origport, w4) for
     * socket and connection messages (importance 0-3, CONN_MANAGER) and a group socket's protocol messages
     * (GROUP_PROTOCOL: node.c tipc_node_distr_xmit selects by msg_origport, so they share their data's link and a
     * LEAVE never overtakes them), 0 for anything else (name_distr.c, crypto.c); only bit 0 matters
     * (active_links[selector & 1]).
     */
    static int selector(byte[] msg) {
        int user = (msg[0] >> 1) & 0xf;
        return user <= Tipc.CRITICAL_IMPORTANCE || user == Tipc.CONN_MANAGER || user == Tipc.GROUP_PROTOCOL
            ? msg[19] & 1 : 0;
    }

    /** node.c tipc_node_xmit: ENOBUFS from the link (backlog overflow, logged by the link) resets it. */
    private static int overflowed(Node p, Link l, int rc, long now, Outbox out) {
        if (rc == Errno.ENOBUFS) {
            l.fsmFailure();
            p.linkDown(l, now, out);
        }
        return rc;
    }

    /**
     * Sends the name distributor's queued messages: unicast for addressed ones (the bulk: one list for tipc_link_xmit
     * in name_distr.c tipc_named_node_up, so the SYSTEM backlog limit is checked at its first message only, and a
     * node with more bindings than that limit's worth of messages still sends them all); updates on our broadcast link
     * when every node that is up has TIPC_NAMED_BCAST and the mode is not {@link Bcast#MODE_RCAST}, else replicated to
     * every node that is up (name_distr.c / node.c tipc_node_broadcast with rc_dests). jtipc: an update the broadcast
     * link refuses (its backlog bound, {@link Errno#ENOBUFS}) is replicated instead of lost.
     */
    void flushNamed(long now, Outbox out) {
        if (net.distr == null) return;
        DistrMessage dm;
        int inBulkTo = 0; // the peer whose bulk is being sent: link.c tipc_link_xmit checks its first message only
        while ((dm = net.distr.pollOutgoing()) != null) {
            if (dm.destNode() != 0) {
                Node p = find(dm.destNode());
                boolean first = !dm.bulk() || inBulkTo != dm.destNode();
                inBulkTo = dm.bulk() && !dm.lastBulk() ? dm.destNode() : 0;
                if (p != null && p.isUp()) p.sendNamed(dm, first, now, out);
                continue;
            }
            inBulkTo = 0;
            if (namedByBroadcast()) {
                byte[] b = new byte[dm.encodedSize()];
                int size = dm.encode(b, 0);
                if (size != b.length) b = java.util.Arrays.copyOf(b, size);
                if (net.bcast.xmit(b, now, out) != Errno.ENOBUFS) continue;
            }
            for (Node p : nodes.values()) {
                if (p.isUp()) p.sendNamed(dm, true, now, out);
            }
        }
    }

    /** tipc_node_broadcast's choice: no up node lacks TIPC_NAMED_BCAST and the mode is not replicast. */
    private boolean namedByBroadcast() {
        return net.bcast.mode != Bcast.MODE_RCAST && net.bcast.peers() > 0 && net.distr.broadcastUpdates();
    }

    /**
     * node.c tn->capabilities: our capabilities ANDed with every known peer's, computed again only when a peer is
     * added, deleted or changes its capabilities (as tipc_node_create / tipc_node_cleanup do): multicasts read it per
     * message and the table may hold thousands of peers.
     */
    int clusterCapabilities() {
        if (!clusterCapsValid) {
            int c = net.config.capabilities();
            for (Node p : nodes.values()) c &= p.caps;
            clusterCaps = c;
            clusterCapsValid = true;
        }
        return clusterCaps;
    }

    /** A link's backlog has room again (link.c link_prepare_wakeup): its connections and the listener are told. */
    void linkUncongested(Link l) {
        sockets.linkUncongested(l.node.addr);
        net.events.add(() -> net.listener.linkUncongested(l));
    }

    /**
     * True if a message of {@code importance} with link selector {@code selector} (the sending port, see
     * {@link #selector}) to {@code node} would currently get {@link Errno#ELINKCONG}: the link it would go on (node.c
     * tipc_node_xmit: active_links[selector &amp; 1]) has that importance's backlog full. With two active links of equal
     * priority the other link's congestion does not hold this sender back.
     */
    boolean congested(int node, int importance, int selector) {
        Node p = find(node);
        Link l = p == null ? null : p.isUp() ? p.activeLink(selector) : p.link;
        return l != null && l.congested(importance);
    }

    /**
     * Capabilities of a node as sockets see them (node.c tipc_node_get_capabilities): the peer's, else this node's own
     * (TIPC_NODE_CAPABILITIES: also for this node, 0 and an address no node has).
     */
    int capabilities(int addr) {
        Node p = addr == net.ownAddr || addr == 0 ? null : find(addr);
        return p == null ? net.config.capabilities() : p.caps;
    }

    /**
     * node.c tipc_node_get_mtu for connections: the maximum message size of the active link {@code selector} (the
     * socket's port) takes to {@code addr}, bytes; {@link Tipc#MAX_MSG_SIZE} with no such node or no active link.
     */
    int mtu(int addr, int selector) {
        Node p = find(addr);
        Link l = p == null || !p.isUp() ? null : p.activeLink(selector);
        return l == null ? Tipc.MAX_MSG_SIZE : l.mss();
    }

    /**
     * discover.c disc_dupl_alert: another node uses this peer's address on bearer {@code b} (its link is up with a
     * different media address or signature); logged at the 1st, 2nd, 4th, ... time per peer, not per frame.
     */
    private void duplicateAlert(Node n, Bearer b) {
        if (Long.bitCount(++n.duplicateAlerts) == 1) {
            net.log("duplicate address " + Integer.toHexString(n.addr) + " on " + b.config.name() + " ("
                + n.duplicateAlerts + " times)");
        }
    }
}
