package io.jtipc.node;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The timers of a node's connection sockets: each {@link ConnSocket}'s probe, SYN retry and connect deadline (its
 * {@link ConnSocket#nextDeadline()}), which the kernel keeps in one {@code sk_timer} per socket (socket.c
 * tipc_sk_timeout, sk_reset_timer). Here one heap for all: a change that brings a socket's deadline earlier adds an
 * entry (O(log n)); a later one leaves the entry, which finds the socket's real deadline when it comes due and
 * re-arms it. So no per-message path scans the connections, however many there are (a peer sending OVERLOAD rejects
 * to a connecting socket moves its SYN retry each time). Entries of closed sockets and superseded ones are skipped
 * when they come up; the heap is rebuilt when they outnumber the live ones. Core thread only.
 */
final class ConnTimers {
    /** An entry: socket {@code c} is due at {@code due} (ms) if that is still its {@link ConnSocket#timerDue}. */
    private record Entry(long due, ConnSocket c) {}

    private final PriorityQueue<Entry> heap = new PriorityQueue<>((x, y) -> Long.compare(x.due, y.due));
    private final Collection<ConnSocket> conns;

    /** @param conns the node's connection sockets (read when the heap is rebuilt) */
    ConnTimers(Collection<ConnSocket> conns) {
        this.conns = conns;
    }

    /** Socket {@code c}'s deadlines changed ({@link ConnSocket#nextDeadline()}). */
    void changed(ConnSocket c) {
        long d = c.nextDeadline();
        if (c.closed || d >= c.timerDue) return; // a later deadline: the earlier entry re-arms it when it comes due
        c.timerDue = d;
        heap.add(new Entry(d, c));
        if (heap.size() > 2 * conns.size() + 64) rebuild();
    }

    /** A socket was closed: its entries are stale; rebuilt when they outnumber the live ones (nothing held for long). */
    void removed() {
        if (heap.size() > 2 * conns.size() + 64) rebuild();
    }

    /** Earliest deadline, ms (Long.MAX_VALUE if none). */
    long next() {
        Entry e;
        while ((e = heap.peek()) != null && stale(e)) heap.poll();
        return e == null ? Long.MAX_VALUE : e.due;
    }

    /** socket.c tipc_sk_timeout of every connection due at {@code now}; the others are re-armed at their deadline. */
    void expire(long now, Outbox out) {
        List<ConnSocket> due = null;
        Entry e;
        while ((e = heap.peek()) != null && e.due <= now) {
            heap.poll();
            if (stale(e)) continue;
            e.c.timerDue = Long.MAX_VALUE;
            if (due == null) due = new ArrayList<>();
            due.add(e.c);
        }
        if (due == null) return;
        for (ConnSocket c : due) {
            if (!c.closed && c.nextDeadline() <= now) c.timeout(now, out);
            changed(c); // its next deadline (or the one it had moved to meanwhile)
        }
    }

    /** Entries in the heap, live and stale (at most twice the connections + 64 after a change). */
    int entries() {
        return heap.size();
    }

    private static boolean stale(Entry e) {
        return e.c.closed || e.c.timerDue != e.due;
    }

    /** Only the live entries again: one per socket with a deadline. */
    private void rebuild() {
        heap.clear();
        for (ConnSocket c : conns) {
            c.timerDue = Long.MAX_VALUE;
            long d = c.nextDeadline();
            if (!c.closed && d != Long.MAX_VALUE) {
                c.timerDue = d;
                heap.add(new Entry(d, c));
            }
        }
    }
}
