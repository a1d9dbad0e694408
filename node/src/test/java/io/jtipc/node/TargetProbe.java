package io.jtipc.node;

import java.util.List;

import io.jtipc.nametable.NameDistributor;

/**
 * What the hostile-peer suites read from the attacked {@link NodeCore}, and the bounds they hold it to, in one place
 * (issue 15). Everything is read through state the node has on main (queues, the binding table, the in-memory log),
 * so the suites fail on the unfixed node for the reason the issue gives and pass once the budgets hold, whatever the
 * getters the fix branches add are called. If a fix stores the queues differently, adjust the readers here.
 */
public final class TargetProbe {
    /**
     * Most bytes the suites accept a target to hold in one link's deferred (out-of-order) queue: 16 MiB. The unfixed
     * node holds the whole 8 191-packet window (~540 MB with 64 KB packets, issue 15); any byte budget that keeps two
     * attackers under a 512 MiB heap is well below this.
     */
    public static final long MAX_DEFERRED_BYTES_PER_LINK = 16L << 20;

    /**
     * Most bindings the suites accept from one peer: the kernel's own cap on a node's publications
     * (subscr.h TIPC_MAX_PUBL, 65 535). The unfixed node accepts 196 200 and more (issue 15).
     */
    public static final int MAX_BINDINGS_PER_PEER = NameDistributor.TIPC_MAX_PUBL;

    /**
     * Most times one attack may show in the target's log during one suite run (a rate-limited line: "once", with
     * slack for the minute boundary and one line per link reset).
     */
    public static final int MAX_LOG_LINES_PER_ATTACK = 5;

    private TargetProbe() {
    }

    /** Bytes held in the deferred (out-of-order) queue of {@code l} ({@link LinkHoldStats#deferredBytes()}). */
    public static long deferredBytes(Link l) {
        return l.holdStats().deferredBytes();
    }

    /** Bytes held in the deferred queues of every link of {@code target}: unicast links and peers' broadcast links. */
    public static long deferredBytes(NodeCore target) {
        long n = 0;
        for (Link l : target.links()) n += deferredBytes(l);
        for (Node p : target.peers()) n += p.broadcastLink().deferredBytes();
        return n;
    }

    /** Bindings {@code target}'s table holds for node {@code peer}. */
    public static int bindingsOf(NodeCore target, int peer) {
        return target.bindingTable().publicationsOfNode(peer).size();
    }

    /**
     * Binding items the target refused: duplicates and malformed items ({@code rejectedItems}), held-back overflow
     * ({@code droppedOverflow}) and publications over the per-peer or total binding limits ({@code droppedOverLimit}).
     */
    public static long refusedBindings(NodeCore target) {
        return target.nameDistributor().rejectedItems() + target.nameDistributor().droppedOverflow()
                + target.nameDistributor().droppedOverLimit();
    }

    /** Peers (nodes) the target keeps. */
    public static int peers(NodeCore target) {
        return target.peers().size();
    }

    /** The target's diagnostic lines (Net.log, what reaches the logger) containing {@code needle}, case-insensitive. */
    public static List<String> logLines(NodeCore target, String needle) {
        String n = needle.toLowerCase(java.util.Locale.ROOT);
        return target.log().stream().filter(s -> s.toLowerCase(java.util.Locale.ROOT).contains(n)).toList();
    }
}
