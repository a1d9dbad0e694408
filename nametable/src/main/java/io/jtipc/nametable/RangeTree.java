package io.jtipc.nametable;

import static io.jtipc.nametable.RangeNode.u;

import java.util.function.Predicate;

/**
 * AVL tree of service ranges with the kernel's order and the max-upper augmentation
 * ({@code RB_DECLARE_CALLBACKS_MAX}, name_table.c), plus the same maximum restricted to ranges with local
 * bindings. Height O(log r); every operation is recursive to that depth.
 */
final class RangeTree {
    private RangeTree() {
    }

    /** Kernel order: lower ascending (unsigned), equal lower newest (higher seq) first. */
    static int compare(RangeNode a, RangeNode b) {
        int c = Integer.compareUnsigned(a.lower, b.lower);
        return c != 0 ? c : Long.compare(b.seq, a.seq);
    }

    static RangeNode insert(VisitCounter c, RangeNode n, RangeNode r) {
        if (n == null) {
            update(r);
            return r;
        }
        c.visits++;
        if (compare(r, n) < 0) {
            n.left = insert(c, n.left, r);
        } else {
            n.right = insert(c, n.right, r);
        }
        return balance(n);
    }

    static RangeNode delete(VisitCounter c, RangeNode n, RangeNode r) {
        if (n == null) {
            return null;
        }
        c.visits++;
        if (n == r) {
            if (n.left == null) {
                return n.right;
            }
            if (n.right == null) {
                return n.left;
            }
            RangeNode m = n.right;
            while (m.left != null) {
                c.visits++;
                m = m.left;
            }
            m.right = deleteMin(c, n.right);
            m.left = n.left;
            return balance(m);
        }
        if (compare(r, n) < 0) {
            n.left = delete(c, n.left, r);
        } else {
            n.right = delete(c, n.right, r);
        }
        return balance(n);
    }

    private static RangeNode deleteMin(VisitCounter c, RangeNode n) {
        c.visits++;
        if (n.left == null) {
            return n.right;
        }
        n.left = deleteMin(c, n.left);
        return balance(n);
    }

    /** Recomputes the augmentation on the path to {@code r} after its local bindings changed. */
    static RangeNode touch(VisitCounter c, RangeNode n, RangeNode r) {
        if (n == null) {
            return null;
        }
        c.visits++;
        if (n != r) {
            if (compare(r, n) < 0) {
                touch(c, n.left, r);
            } else {
                touch(c, n.right, r);
            }
        }
        update(n);
        return n;
    }

    /**
     * Visits, in tree order, the ranges overlapping {@code [start, end]} (unsigned values as longs), only those
     * with local bindings if {@code localOnly}, until the visitor returns true ({@code service_range_foreach_match}).
     * Each node looked at counts one visit in {@code c}, as does each node an insert, delete or touch passes.
     *
     * @return true if the visitor stopped the walk
     */
    static boolean walk(VisitCounter c, RangeNode n, long start, long end, boolean localOnly, Predicate<RangeNode> v) {
        if (n == null) {
            return false;
        }
        c.visits++;
        if ((localOnly ? n.maxLocal : n.max) < start) {
            return false;
        }
        if (walk(c, n.left, start, end, localOnly, v)) {
            return true;
        }
        if (u(n.lower) > end) {
            return false; // every later range starts after end
        }
        if (u(n.upper) >= start && (!localOnly || n.localCount > 0) && v.test(n)) {
            return true;
        }
        return walk(c, n.right, start, end, localOnly, v);
    }

    private static int height(RangeNode n) {
        return n == null ? 0 : n.height;
    }

    private static void update(RangeNode n) {
        n.height = 1 + Math.max(height(n.left), height(n.right));
        long m = u(n.upper);
        long ml = n.localCount > 0 ? u(n.upper) : -1;
        if (n.left != null) {
            m = Math.max(m, n.left.max);
            ml = Math.max(ml, n.left.maxLocal);
        }
        if (n.right != null) {
            m = Math.max(m, n.right.max);
            ml = Math.max(ml, n.right.maxLocal);
        }
        n.max = m;
        n.maxLocal = ml;
    }

    private static RangeNode balance(RangeNode n) {
        update(n);
        int bf = height(n.left) - height(n.right);
        if (bf > 1) {
            if (height(n.left.left) < height(n.left.right)) {
                n.left = rotateLeft(n.left);
            }
            return rotateRight(n);
        }
        if (bf < -1) {
            if (height(n.right.right) < height(n.right.left)) {
                n.right = rotateRight(n.right);
            }
            return rotateLeft(n);
        }
        return n;
    }

    private static RangeNode rotateRight(RangeNode n) {
        RangeNode l = n.left;
        n.left = l.right;
        l.right = n;
        update(n);
        update(l);
        return l;
    }

    private static RangeNode rotateLeft(RangeNode n) {
        RangeNode r = n.right;
        n.right = r.left;
        r.left = n;
        update(n);
        update(r);
        return r;
    }
}
