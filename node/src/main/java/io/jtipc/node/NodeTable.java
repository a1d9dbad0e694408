package io.jtipc.node;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
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
    /** jtipc limit on known peers (memory bound against discovery floods; the kernel has none). */
    static final int MAX_PEERS = 4096;

    /** node.c NODE_CLEANUP_AFTER: a peer not up for this long is deleted with its link, ms. */
    static final int NODE_CLEANUP_AFTER = 300_000;

    private final Net net;
    private final Map<Integer, Node> nodes = new HashMap<>();
    /** The socket layer messages are delivered to (node.c → socket.c tipc_sk_rcv); set once by the owner. */
    SocketTable sockets;
    /** Source of the random 16-bit session numbers of new links (node.c tipc_node_check_dest: get_random_bytes). */
    IntSupplier sessionSource;

    NodeTable(Net net, IntSupplier sessionSource) {
        this.net = net;
        this.sessionSource = sessionSource;
        net.crypto.nodes = this;
    }

    Node find(int addr) {
        return nodes.get(addr);
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
            Node p = nodes.get(h.prevnode());
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
        Node p = nodes.get(h.prevnode());
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
        Node n = nodes.get(addr);
        if (n != null) {
            if (Arrays.equals(n.id.bytes(), id)) return 0;
            return suggestAddr(addr, trialAddr, random);
        }
        for (Node p : nodes.values()) {
            if (Arrays.equals(p.id.bytes(), id)) return p.addr;
        }
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
        Node n = nodes.get(addr);
        if (n == null) {
            // a peer known under another address (it rebooted and re-hashed): forget the old entry if down
            for (Node p : new ArrayList<>(nodes.values())) {
                if (p.id.equals(peerId) && !p.isUp()) nodes.remove(p.addr);
            }
            if (nodes.size() >= MAX_PEERS) {
                net.log("peer table full (" + MAX_PEERS + "), discovery from " + Integer.toHexString(addr) + " ignored");
                return false;
            }
            n = new Node(this, net, addr, peerId, caps);
            n.deleteAt = now + NODE_CLEANUP_AFTER;
            nodes.put(addr, n);
        } else {
            if (!n.id.equals(peerId)) {
                if (n.isUp()) {
                    net.log("duplicate node address " + Integer.toHexString(addr) + " used by " + peerId);
                    return false;
                }
                n.id = peerId;
            }
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
            net.log("duplicate address " + Integer.toHexString(addr) + " on " + b.config.name());
        } else if (signMatch) {
            acceptAddr = respond = reset = true;
        } else if (addrMatch && linkUp) {
            n.signature = signature;
        } else if (addrMatch) {
            n.signature = signature;
            respond = true;
        } else if (linkUp) {
            net.log("duplicate address " + Integer.toHexString(addr) + " on " + b.config.name());
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
            n.links[b.id] = l;
            n.linkCnt++;
            n.updateLink();
            n.calculateTimer(l);
            if (n.linkCnt == 1) n.timerDue = now + n.keepaliveIntv;
        }
        l.maddr = maddr;
        if (reset && !l.isReset()) n.linkDown(l, now, out);
        return respond;
    }

    // ====================================================================== timers, bearers

    /** Earliest node timer, ms (Long.MAX_VALUE if none). */
    long nextDeadline() {
        long d = Long.MAX_VALUE;
        for (Node p : nodes.values()) d = Math.min(d, p.timerDue);
        return Math.min(d, net.crypto.nextDeadline());
    }

    /** tipc_node_timeout of every node that is due; nodes not up for NODE_CLEANUP_AFTER are deleted (tipc_node_cleanup). */
    void timeout(long now, Outbox out) {
        for (Node p : new ArrayList<>(nodes.values())) {
            if (p.timerDue <= now && !p.timeout(now, out)) nodes.remove(p.addr);
        }
        if (net.crypto.nextDeadline() <= now) net.crypto.timeout(now, out);
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
            n.linkCnt--;
            n.updateLink();
            if (n.linkCnt == 0) n.timerDue = Long.MAX_VALUE;
        }
    }

    /** Every link stopped (RESET with the peer-stopping bit) and every node timer disarmed (tipc_node_stop). */
    void stop(long now, Outbox out) {
        for (Node n : new ArrayList<>(nodes.values())) {
            for (Link l : n.links) if (l != null) n.stopLink(l, now, out);
            n.timerDue = Long.MAX_VALUE;
        }
    }

    // ====================================================================== sending

    /**
     * node.c tipc_node_xmit to another node: the node's active link, fragmenting to the link MSS (msg.c tipc_msg_build).
     *
     * @return 0, {@link Errno#EHOSTUNREACH} (no node or not up), or the first fragment's {@link Link#xmit} result
     *         ({@link Errno#ELINKCONG}, ...)
     */
    int xmit(byte[] msg, int destNode, long now, Outbox out) {
        Node p = nodes.get(destNode);
        if (p == null || !p.isUp() || p.link == null) return Errno.EHOSTUNREACH;
        Link l = p.link;
        int mss = l.mss();
        if (msg.length <= mss) return l.xmit(msg, msg.length, now, out);
        int rc = 0;
        byte[][] frags = Msg.fragment(msg, mss, net.ownAddr, destNode);
        for (int i = 0; i < frags.length; i++) {
            int r = l.xmit(frags[i], frags[i].length, now, out);
            if (i == 0) rc = r;
            l.sentFragmented++;
        }
        return rc;
    }

    /**
     * Sends the name distributor's queued messages: unicast for addressed ones, replicated to every node that is up
     * for updates (name_distr.c tipc_node_broadcast: jtipc replicates, it has no broadcast link of its own).
     */
    void flushNamed(long now, Outbox out) {
        if (net.distr == null) return;
        DistrMessage dm;
        while ((dm = net.distr.pollOutgoing()) != null) {
            if (dm.destNode() != 0) {
                Node p = nodes.get(dm.destNode());
                if (p != null && p.isUp()) p.sendNamed(dm, now, out);
            } else {
                for (Node p : nodes.values()) {
                    if (p.isUp()) p.sendNamed(dm, now, out);
                }
            }
        }
    }

    /** A link's backlog has room again (link.c link_prepare_wakeup): its connections and the listener are told. */
    void linkUncongested(Link l) {
        sockets.linkUncongested(l.node.addr);
        net.events.add(() -> net.listener.linkUncongested(l));
    }

    /** True if sending at {@code importance} to {@code node} would currently get {@link Errno#ELINKCONG}. */
    boolean congested(int node, int importance) {
        Node p = nodes.get(node);
        return p != null && p.link != null && p.link.congested(importance);
    }

    /** Capabilities of a node as sockets see them (node.c tipc_node_get_capabilities): own, peer's, or 0. */
    int capabilities(int addr) {
        if (addr == net.ownAddr) return net.config.capabilities();
        Node p = nodes.get(addr);
        return p == null ? 0 : p.caps;
    }

    /** node.c tipc_node_get_mtu for connections: the link's maximum message size to {@code addr}. */
    int mtu(int addr) {
        Node p = nodes.get(addr);
        return p == null || p.link == null ? Tipc.MAX_MSG_SIZE : p.link.mss();
    }
}
