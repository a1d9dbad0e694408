package io.jtipc.node;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;

import io.jtipc.wire.TipcMsg;

/**
 * The receiving side of the multicast method switch (TIPC_MCAST_RBCTL; Linux 6.1 bcast.c
 * {@code tipc_mcast_filter_msg}, called per socket from socket.c {@code tipc_sk_filter_rcv}): a sender switching
 * between broadcast and replicast marks its first message by the new method SYN (w0 bit 17) and sends a SYN-marked
 * twin without data (errcode TIPC_ERR_NO_PORT, the other is_rcast value) by the old method. A socket holds the
 * messages of a sender (orignode, origport) that arrive by the new method until the twin has arrived by the old one,
 * so its messages are delivered in sending order across the switch; of the twin pair only the one with data is
 * delivered.
 *
 * <p>Bounded (the kernel's deferred queue is not): at most {@link #MAX_HELD} messages and {@link #MAX_HELD_BYTES}
 * bytes per socket, and {@link #TOTAL_HELD} / {@link #TOTAL_HELD_BYTES} over all the sockets of a node
 * ({@link Total}); a message beyond either releases everything this socket holds first, in arrival order (order across that switch
 * is then not guaranteed, as with a peer without MCAST_RBCTL), and the late other half of a SYN pair released so is
 * not held (a twin is dropped). The held messages are also indexed by sender, so a message finds its sender's held
 * ones (the kernel walks its whole deferred queue) in constant time. Not thread safe: owned by the socket table.
 */
final class McastFilter {
    /** Messages one socket holds while it waits for a SYN twin, count. */
    static final int MAX_HELD = 1024;
    /** Bytes one socket holds while it waits for a SYN twin (each message counted by its size). */
    static final long MAX_HELD_BYTES = 4L << 20;
    /** Messages all sockets of a node hold while they wait for SYN twins, count. */
    static final int TOTAL_HELD = 8192;
    /** Bytes all sockets of a node hold while they wait for SYN twins. */
    static final long TOTAL_HELD_BYTES = 16L << 20;

    /** What the filters of one node hold together (owned by its socket table; core thread only). */
    static final class Total {
        int count;
        long bytes;
    }

    private final Total total;

    /** A filter counted in {@code total} (the node's). */
    McastFilter(Total total) {
        this.total = total;
    }

    /** A filter with a total of its own (tests). */
    McastFilter() {
        this(new Total());
    }

    /** Gives back what this filter holds to the node's total (its socket closes); the held messages are dropped. */
    void release() {
        total.count -= defq.size();
        total.bytes -= bytes;
        defq.clear();
        bySender.clear();
        bytes = 0;
    }

    /**
     * Senders (orignode &lt;&lt; 32 | origport) whose SYN-marked message an overflow released unpaired: the other of
     * the pair, arriving late, is dropped (twin) or delivered (data) instead of being held. At most {@link #MAX_HELD}
     * entries (oldest forgotten first).
     */
    private final java.util.LinkedHashSet<Long> releasedSyn = new java.util.LinkedHashSet<>();
    /** The held messages in arrival order (arrays hash by identity: each entry is one held message). */
    private final LinkedHashSet<byte[]> defq = new LinkedHashSet<>();
    /** The same by sender (orignode &lt;&lt; 32 | origport), each in arrival order; a sender with none has no entry. */
    private final HashMap<Long, ArrayDeque<byte[]>> bySender = new HashMap<>();
    private long bytes;
    /** Messages released unordered because the bounds were reached. */
    long overflows;

    /** Messages held now. */
    int held() { return defq.size(); }

    /**
     * One multicast message {@code msg} (a private copy, TIPC_MCAST_MSG) for the socket.
     *
     * @param own this node's address: own messages are never held
     * @return the messages to deliver now, in order (possibly none, possibly the held ones too)
     */
    List<byte[]> filter(byte[] msg, int own) {
        TipcMsg hdr = new TipcMsg().wrap(msg, 0, msg.length);
        if (hdr.isSyn() == 0 && defq.isEmpty()) return List.of(msg);
        int node = hdr.orignode();
        if (node == own) return List.of(msg);
        int port = hdr.origport();
        TipcMsg th = new TipcMsg();
        ArrayDeque<byte[]> mine = bySender.get(key(node, port));
        byte[] twin = mine == null ? null : mine.peekFirst(); // the first held message of this sender
        if (twin == null) {
            if (hdr.isSyn() == 0) return List.of(msg);
            if (releasedSyn.remove(key(node, port))) return hdr.dataSize() != 0 ? List.of(msg) : List.of();
            return hold(msg);
        }
        th.wrap(twin, 0, twin.length);
        if (hdr.isSyn() == 0) {
            // the old method's stream goes on until its twin arrives; the new method's waits
            if (hdr.isRcast() != th.isRcast()) return List.of(msg);
            return hold(msg);
        }
        if (hdr.isRcast() == th.isRcast()) return hold(msg);
        // the matching twin: deliver the one with data, then what the new method sent after it
        unhold(mine.pollFirst());
        List<byte[]> dl = new ArrayList<>();
        dl.add(hdr.dataSize() != 0 ? msg : twin);
        for (byte[] d; (d = mine.peekFirst()) != null && th.wrap(d, 0, d.length).isSyn() == 0;) {
            unhold(mine.pollFirst());
            dl.add(d);
        }
        if (mine.isEmpty()) bySender.remove(key(node, port));
        return dl;
    }

    /**
     * Node {@code node} went down (node.c node_lost_contact): its SYN twins will never come, so what this filter holds
     * of its senders is released, in arrival order (the messages arrived whole and in order after their switch; what
     * the old method still had in flight is lost with the node, as a lost node's unicasts are), and its senders'
     * entries of unpaired released SYNs are forgotten: after the node is back, its next switch pairs afresh. jtipc:
     * the kernel's deferred queue keeps them until another message of the sender arrives.
     *
     * @return the released messages (twins included: the caller delivers only those without an error code)
     */
    List<byte[]> nodeDown(int node) {
        releasedSyn.removeIf(k -> (int) (k >>> 32) == node);
        if (defq.isEmpty()) return List.of();
        List<byte[]> dl = new ArrayList<>();
        TipcMsg th = new TipcMsg();
        for (Iterator<byte[]> it = defq.iterator(); it.hasNext();) {
            byte[] d = it.next();
            if (th.wrap(d, 0, d.length).orignode() != node) continue;
            it.remove();
            bytes -= d.length;
            total.count--;
            total.bytes -= d.length;
            dl.add(d);
        }
        bySender.keySet().removeIf(k -> (int) (k >>> 32) == node);
        return dl;
    }

    private List<byte[]> hold(byte[] msg) {
        if (defq.size() >= MAX_HELD || bytes + msg.length > MAX_HELD_BYTES
                || total.count >= TOTAL_HELD || total.bytes + msg.length > TOTAL_HELD_BYTES) {
            overflows++;
            TipcMsg th = new TipcMsg();
            List<byte[]> all = new ArrayList<>(defq);
            all.add(msg);
            for (byte[] d : all) {
                th.wrap(d, 0, d.length);
                if (th.isSyn() == 0) continue;
                if (releasedSyn.size() >= MAX_HELD) releasedSyn.remove(releasedSyn.iterator().next());
                releasedSyn.add(key(th.orignode(), th.origport()));
            }
            release();
            return all;
        }
        defq.add(msg);
        TipcMsg h = new TipcMsg().wrap(msg, 0, msg.length);
        bySender.computeIfAbsent(key(h.orignode(), h.origport()), k -> new ArrayDeque<>()).addLast(msg);
        bytes += msg.length;
        total.count++;
        total.bytes += msg.length;
        return List.of();
    }

    private static long key(int node, int port) {
        return ((long) node << 32) | (port & 0xffffffffL);
    }

    /** Takes {@code d} (already out of its sender's queue) out of the arrival order and the counts. */
    private void unhold(byte[] d) {
        defq.remove(d);
        bytes -= d.length;
        total.count--;
        total.bytes -= d.length;
    }
}
