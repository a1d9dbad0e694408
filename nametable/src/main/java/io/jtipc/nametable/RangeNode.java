package io.jtipc.nametable;

import java.util.HashMap;
import java.util.Map;

/** One service range: a tree node of its service's range tree and the heads of its binding lists. */
final class RangeNode {
    final int lower;
    final int upper;
    final long seq;
    // AVL tree node, augmented
    RangeNode left;
    RangeNode right;
    int height = 1;
    /** Largest upper bound (unsigned, as long) in this subtree. */
    long max;
    /** Largest upper bound among ranges with local bindings in this subtree, -1 if none. */
    long maxLocal = -1;
    // lists
    BindingEntry allHead;
    BindingEntry allTail;
    BindingEntry localHead;
    BindingEntry localTail;
    int localCount;
    BindingEntry ageHead;
    BindingEntry ageTail;
    /** Labels giving all_publ order: head insertions count down, moves to the tail count up. */
    long labelLo;
    long labelHi;
    final Map<Integer, BindingNodeGroup> groups = new HashMap<>(2);

    RangeNode(int lower, int upper, long seq) {
        this.lower = lower;
        this.upper = upper;
        this.seq = seq;
        this.max = u(upper);
    }

    /** {@code v} as an unsigned 32-bit value. */
    static long u(int v) {
        return v & 0xFFFFFFFFL;
    }
}
