package io.jtipc.api;

import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.jtipc.node.Errno;
import io.jtipc.node.Link;
import io.jtipc.node.NodeCore;

/**
 * The waits of the sends that found their link congested ({@code ELINKCONG}, the message queued): a blocking send
 * waits ({@link #awaitUncongested}) or an async one gets a future ({@link #whenUncongested}) for the links it was
 * queued on only, as socket.c keeps {@code tsk->cong_links} per socket and waits in {@code tipc_wait_for_cond} for
 * its own: a send to another, uncongested, peer never waits behind it. The core's uncongested and link-down events
 * ({@link #uncongested}) are counted per peer node under the core lock; the node's stop wakes every waiter
 * ({@link #nodeStopped}). Part of {@link TipcNode}.
 */
final class CongestionWaits {
    private final TipcNode node;
    private final AtomicLong congestionWaits = new AtomicLong();
    /** Monitor of the congestion waits; notified on every uncongested/down event and when the node stops. */
    private final Object congestion = new Object();
    /** Per peer node address: uncongested and link-down events so far (written under the core lock and congestion). */
    private final ConcurrentHashMap<Integer, Long> uncongestedEvents = new ConcurrentHashMap<>();
    /** Bumped when {@link #uncongestedEvents} is cleared: every waiter wakes. */
    private volatile long congestionEpoch;
    private final Queue<AsyncCongestionWait> asyncCongestionWaits = new ConcurrentLinkedQueue<>();

    CongestionWaits(TipcNode node) {
        this.node = node;
    }

    /** A {@link TipcSocket#sendAsync} that got ELINKCONG: its future completes as {@link #awaitUncongested} returns. */
    private record AsyncCongestionWait(TipcNode.CongestionWait cw, CompletableFuture<Void> done) {}

    /** Sends that found a link congested (ELINKCONG) and waited for it to drain. */
    long count() {
        return congestionWaits.get();
    }

    /**
     * Under the core lock, right after a send returned {@link Errno#ELINKCONG}: what it must wait for. A send to a
     * socket address waits for the link to {@code destNode}; a send by name or a multicast, whose node(s) the core's
     * lookup chose, for any link congested at {@code importance} now (the one it was queued on is among them), or for
     * every link while our broadcast link is congested at {@code importance} (a multicast: Bcast wakes them all).
     *
     * @param destNode the destination node, or 0 when the core chose it
     * @param port     the sending port: the link selector, so only the link it sends on counts (node.c active_links)
     */
    TipcNode.CongestionWait congestionWait(int destNode, int importance, int port) {
        int[] nodes;
        if (destNode != 0) {
            nodes = new int[] {destNode};
        } else {
            NodeCore core = node.core();
            // a multicast may wait for the broadcast link, which wakes every peer's waiters when it has room
            boolean bc = core.broadcastLink().congested(importance);
            nodes = core.links().stream().mapToInt(Link::peerAddr).distinct()
                    .filter(n -> core.congested(n, importance, port) || bc).toArray();
        }
        long[] seen = new long[nodes.length];
        for (int i = 0; i < nodes.length; i++) seen[i] = uncongestedEvents.getOrDefault(nodes[i], 0L);
        return new TipcNode.CongestionWait(nodes, seen, congestionEpoch);
    }

    /**
     * Waits, at most {@value TipcNode#CONGESTION_WAIT_MS} ms, until one of the links {@code w} names reports room
     * again or goes down (then the send returns; its message was queued). Other peers' congestion never wakes nor
     * holds it. Returns at once on a thread that holds the core lock (a send from a listener).
     *
     * @throws TipcException the node failed (names the cause), or the thread was interrupted
     */
    void awaitUncongested(TipcNode.CongestionWait w) throws TipcException {
        // inside a core run (a listener's or handler's send) no uncongested event can come while we hold the lock:
        // waiting would stall the node (no frame, no timer) for the whole wait; the message is queued, go on
        if (w.nodes().length == 0 || node.runner.heldByCurrentThread()) return;
        congestionWaits.incrementAndGet();
        long end = System.nanoTime() + TipcNode.CONGESTION_WAIT_MS * 1_000_000L;
        synchronized (congestion) {
            while (node.isRunning() && !changed(w)) {
                long left = end - System.nanoTime();
                if (left <= 0) return;
                try {
                    TimeUnit.NANOSECONDS.timedWait(congestion, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new TipcException("interrupted while the link was congested", e);
                }
            }
        }
        if (node.state() == TipcNodeState.FAILED) throw node.failed();
    }

    private boolean changed(TipcNode.CongestionWait w) {
        if (congestionEpoch != w.epoch()) return true;
        for (int i = 0; i < w.nodes().length; i++) {
            if (uncongestedEvents.getOrDefault(w.nodes()[i], 0L) != w.seen()[i]) return true;
        }
        return false;
    }

    /** The link to {@code peer} has room again or went down: its waiters (only theirs) may go on. Under the core lock. */
    void uncongested(int peer) {
        synchronized (congestion) {
            if (uncongestedEvents.size() >= TipcNode.CONGESTION_PEERS_LIMIT && !uncongestedEvents.containsKey(peer)) {
                uncongestedEvents.clear();
                congestionEpoch++;
            }
            uncongestedEvents.merge(peer, 1L, Long::sum);
            congestion.notifyAll();
        }
        wakeAsyncCongestionWaits();
    }

    /** The node stopped (closed or failed): every waiter wakes (a failed node's with its failure). */
    void nodeStopped() {
        synchronized (congestion) {
            congestionEpoch++;
            congestion.notifyAll();
        }
        wakeAsyncCongestionWaits();
    }

    /**
     * The non-blocking form of {@link #awaitUncongested}: a future completed (on {@link TipcSocket#ASYNC_EXECUTOR},
     * never on the thread holding the core lock) when a link {@code w} names reports room or goes down, after at most
     * {@value TipcNode#CONGESTION_WAIT_MS} ms, or exceptionally when the node fails. Under the core lock, right after
     * {@link #congestionWait}, so no event is missed. The waits are bounded by the callers (TipcSocket: per socket).
     */
    CompletableFuture<Void> whenUncongested(TipcNode.CongestionWait w) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (w.nodes().length == 0) {
            f.complete(null);
            return f;
        }
        congestionWaits.incrementAndGet();
        asyncCongestionWaits.removeIf(a -> a.done().isDone()); // timed out with no event since
        asyncCongestionWaits.add(new AsyncCongestionWait(w, f));
        f.completeOnTimeout(null, TipcNode.CONGESTION_WAIT_MS, TimeUnit.MILLISECONDS);
        return f;
    }

    private void wakeAsyncCongestionWaits() {
        if (asyncCongestionWaits.isEmpty()) return;
        for (Iterator<AsyncCongestionWait> it = asyncCongestionWaits.iterator(); it.hasNext(); ) {
            AsyncCongestionWait a = it.next();
            boolean stopped = !node.isRunning();
            if (!stopped && !a.done().isDone() && !changed(a.cw())) continue;
            it.remove();
            if (a.done().isDone()) continue;
            TipcSocket.ASYNC_EXECUTOR.execute(() -> {
                if (stopped && node.state() == TipcNodeState.FAILED) a.done().completeExceptionally(node.failed());
                else a.done().complete(null);
            });
        }
    }
}
