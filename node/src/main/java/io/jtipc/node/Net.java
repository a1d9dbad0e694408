package io.jtipc.node;

import java.util.ArrayDeque;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import io.jtipc.nametable.BindingTable;
import io.jtipc.nametable.NameDistributor;
import io.jtipc.nametable.TopologySubscriptions;

/**
 * What every part of one node shares (Linux 6.1 net/tipc/core.h {@code struct tipc_net}): the configuration, the own
 * address once committed, the binding table and name distributor (created at the commit, net.c
 * {@code tipc_net_finalize}), the node listener, the diagnostic log, and the queue of deferred work: handler and
 * listener calls that run once the triggering core call has done its processing (the kernel's deferred
 * notifications, node.c {@code tipc_node_write_unlock}, and socket wake-ups). Owned by {@link NodeCore}, which drains
 * the queue; its parts only add to it.
 */
final class Net {
    /** Diagnostic lines kept, oldest dropped first. */
    static final int LOG_LIMIT = 1000;

    final NodeConfig config;
    /** This node's address, 0 until the address trial ends (tn->node_addr). */
    int ownAddr;
    /** tn->mon_threshold: neighbour monitoring is active above this many peers per bearer (count, default 32). */
    int monThreshold = Monitor.DEF_THRESHOLD;
    /** Binding table and name distributor, null until the address is committed (tn->nametbl). */
    BindingTable table;
    NameDistributor distr;
    /** The topology subscriptions (group sockets subscribe to their group's bindings), null until the commit. */
    TopologySubscriptions topology;
    NodeListener listener = new NodeListener() {};
    /** Received frames dropped as malformed or unroutable. */
    long droppedFrames;
    /** Unicast link messages discarded because addressed to another node (node.c tipc_rcv). */
    long foreignFrames;
    /** Socket messages from a peer's links whose previous node (w3) is not that peer, dropped ({@code Node.deliver}). */
    long foreignPrevnode;
    /** Node-wide budgets of what peers can make the links hold (per-link budgets charge these too). */
    final HoldBudget deferredTotal = new HoldBudget(HoldBudget.DEFERRED_TOTAL_BYTES, HoldBudget.DEFERRED_TOTAL_PACKETS, null);
    /** What the per-link deferred reserves of all links hold together (outside {@link #deferredTotal}). */
    final HoldBudget deferredReserve = new HoldBudget(HoldBudget.DEFERRED_RESERVE_TOTAL_BYTES,
        HoldBudget.DEFERRED_RESERVE_TOTAL_PACKETS, null);
    final HoldBudget reasmTotal = new HoldBudget(HoldBudget.REASM_TOTAL_BYTES, HoldBudget.REASM_TOTAL_MESSAGES, null);
    /** Reassemblies holding a buffer, on all links ({@link LinkReassembly#roomFor} evicts the longest stalled). */
    final LinkReassembly.Active reasmActive = new LinkReassembly.Active();
    /** Reassembly arrays kept for reuse by all links, bounded ({@link LinkReassembly#SPARE_TOTAL_BYTES}, issue 14). */
    final io.jtipc.wire.ReassemblySpares reasmSpares = new io.jtipc.wire.ReassemblySpares(
        LinkReassembly.SPARE_TOTAL_BYTES, LinkReassembly.SPARE_TOTAL_ARRAYS);
    /** Messages the group sockets hold deferred ({@link Group#filterMsg}), per peer node and in total. */
    final HoldBudget.PerNode groupDeferred = new HoldBudget.PerNode(Group.DEFERRED_NODE_BYTES, Group.DEFERRED_NODE_MSGS,
        Group.DEFERRED_TOTAL_BYTES, Group.DEFERRED_TOTAL_MSGS);
    final HoldBudget backlogTotal = new HoldBudget(HoldBudget.BACKLOG_TOTAL_BYTES, HoldBudget.BACKLOG_TOTAL_PACKETS, null);
    /** What the per-link backlog reserves of all links hold together (outside {@link #backlogTotal}). */
    final HoldBudget backlogReserve = new HoldBudget(HoldBudget.BACKLOG_RESERVE_TOTAL_BYTES,
        HoldBudget.BACKLOG_RESERVE_TOTAL_PACKETS, null);
    /**
     * The message a link's reassembly returned last ({@code Link.input}, {@code BroadcastLink.input}): a fresh array no
     * one else refers to, which a connection may queue without copying it ({@code ConnSocket.rcv}, clearing this); any
     * other receiver copies.
     */
    byte[] reassembled;

    /**
     * After a frame's messages were delivered: the last reassembled message, if no connection took it (every other
     * receiver copied it), goes back to {@link #reasmSpares} for the next reassembly of its size (issue 14).
     */
    void recycleReassembled() {
        if (reassembled != null) reasmSpares.give(reassembled);
        reassembled = null;
    }
    /** Recycled packet buffers of the links' transmit and backlog queues (issue 14: nothing allocated per message). */
    final PktPool pool = new PktPool();
    /** Deferred work, run in order by the outermost core call before it returns. */
    final ArrayDeque<Runnable> events = new ArrayDeque<>();
    /** Time and outbox of the outermost call while its deferred work runs, else -1/null. */
    long deferredNow = -1;
    Outbox deferredOut;
    private final ArrayDeque<String> log = new ArrayDeque<>();
    /** Encryption (crypto.c): every frame leaves through {@link #xmit}. */
    final NodeCrypto crypto;
    /** This node's own broadcast link (bcast.c tipc_bc_base, tn->bcl). */
    final Bcast bcast;

    Net(NodeConfig config) {
        this.config = config;
        this.crypto = new NodeCrypto(this);
        this.bcast = new Bcast(this);
    }

    /** The last diagnostic line, "" if none. */
    String lastLog() {
        return log.isEmpty() ? "" : log.peekLast();
    }

    /**
     * bearer.c tipc_bearer_xmit: one frame to the media, encrypted first once a TX key exists (crypto.c
     * tipc_crypto_xmit). {@code dnode}: the destination node ({@code __dnode}), null for discovery.
     */
    void xmit(Outbox out, int bearerId, byte[] dest, byte[] buf, int off, int len, Node dnode) {
        if (crypto.working()) crypto.xmit(out, bearerId, dest, buf, off, len, dnode);
        else out.send(bearerId, dest, buf, off, len);
    }

    /**
     * Runs, at the end of the outermost core call, the work it deferred: the sockets' local deliveries, then the
     * queued handler and listener calls, in order, until none is left (they may queue more; bounded against a
     * handler that requeues itself forever). {@link #post}ed work sees this call's {@code now} and {@code out}.
     */
    void runDeferred(long now, Outbox out, SocketTable sockets) {
        deferredNow = now;
        deferredOut = out;
        try {
            for (int guard = 0; (sockets.hasLocal() || !events.isEmpty()) && guard < 1_000_000; guard++) {
                if (!sockets.rcvLocal(now, out)) events.pollFirst().run();
            }
        } finally {
            deferredNow = -1;
            deferredOut = null;
        }
    }

    /** Runs {@code r} with the outermost call's time and outbox once the current call's processing is done. */
    void post(BiConsumer<Long, Outbox> r) {
        events.add(() -> r.accept(deferredNow, deferredOut));
    }

    /** Lines ever added by {@link #log(String)}: the sequence number of the next one. */
    private long logCount;

    /** Adds a diagnostic line (kernel pr_warn equivalents). */
    void log(String s) {
        if (log.size() >= LOG_LIMIT) log.pollFirst();
        log.add(s);
        logCount++;
    }

    /**
     * Gives {@code sink} the lines added after the first {@code seen} ever added, oldest first (those still kept: at
     * most {@link #LOG_LIMIT}), and returns the new count to pass next time. O(1) when there is none.
     */
    long logSince(long seen, Consumer<String> sink) {
        long fresh = Math.min(logCount - seen, log.size());
        if (fresh <= 0) return logCount;
        var it = log.descendingIterator();
        String[] l = new String[(int) fresh];
        for (int i = l.length - 1; i >= 0; i--) l[i] = it.next();
        for (String x : l) sink.accept(x);
        return logCount;
    }

    List<String> log() {
        return List.copyOf(log);
    }
}
