package io.jtipc.cli;

import java.util.HashMap;
import java.util.Map;

/**
 * Failed echoes told once per peer node: a node's first failure is printed, the following ones only counted until an
 * echo to that node passes again, so a peer that makes every echo fail (a congested link, a forged origin node) costs
 * one line, not one per message. At most {@code limit} nodes are tracked at once (a node leaves when its echoes pass
 * again); beyond, failures are only counted by the caller. One thread only.
 */
final class PeerTrouble {
    /** Per node address: failures since its first. */
    private final Map<Integer, Long> nodes = new HashMap<>();
    private final int limit;

    PeerTrouble(int limit) {
        this.limit = limit;
    }

    /** Counts a failure of an echo to {@code node}; true if it is the node's first, to be printed. */
    boolean failed(int node) {
        Long n = nodes.get(node);
        if (n != null) {
            nodes.put(node, n + 1);
            return false;
        }
        if (nodes.size() >= limit) return false;
        nodes.put(node, 1L);
        return true;
    }

    /** An echo to {@code node} passed: the failures counted since its first (the node is forgotten), or 0. */
    long passed(int node) {
        Long n = nodes.remove(node);
        return n == null ? 0 : n;
    }

    /** Nodes tracked now. */
    int size() {
        return nodes.size();
    }
}
