package io.jtipc.api;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.jtipc.nametable.Subscription;
import io.jtipc.nametable.SubscriptionEvent;
import io.jtipc.wire.TipcEvent;
import io.jtipc.wire.TipcSubscr;

/**
 * A topology subscription on a {@link TipcNode} (net/tipc/subscr.c semantics): the bindings of a service range,
 * reported as the kernel's {@code struct tipc_event} would describe them: first one PUBLISHED per matching binding
 * already known (TIPC_SUB_PORTS; with TIPC_SUB_SERVICE only the first binding of each exact range), then every
 * change, then one TIMEOUT. Registration runs on the node's event loop, so the replay and the live changes form
 * one sequence with no gap and no duplicate however the table changes meanwhile.
 * Node up/down: subscribe to {0, 0, ~0} (node-state bindings); link up/down: {2, 0, ~0}.
 */
public final class TipcSubscription implements AutoCloseable {
    /** Filters (uapi tipc.h TIPC_SUB_PORTS, TIPC_SUB_SERVICE). */
    public enum Filter {
        /** An event for every matching binding published or withdrawn. */
        PORTS(TipcSubscr.TIPC_SUB_PORTS),
        /** An event for the first binding of each exact range appearing and the last one disappearing. */
        SERVICE(TipcSubscr.TIPC_SUB_SERVICE);

        final int value;

        Filter(int v) {
            this.value = v;
        }
    }

    /**
     * Unread events kept before the subscription is closed for overflow (48-byte tipc_event each, 3 MiB). A bound of
     * jtipc's, as every queue a peer's activity can fill: the kernel's topology server queues a slow subscriber's
     * events as long as memory lasts (topsrv.c tipc_conn_send_to_sock waits for write space).
     */
    public static final int EVENT_QUEUE_LIMIT = 65_536;

    /** Queued after the last event (closed or overflowed); compared by identity. */
    private static final TopologyEvent END = new TopologyEvent(TopologyEvent.Kind.TIMEOUT,
        TipcAddress.ofServiceRange(0, 0, 0), 0, 0);

    private final TipcNode node;
    private final LinkedBlockingQueue<TopologyEvent> q = new LinkedBlockingQueue<>();
    private volatile Subscription sub;
    private volatile boolean closed;
    private volatile boolean overflowed;
    private final int limit;

    private TipcSubscription(TipcNode node, int limit) {
        this.node = node;
        this.limit = limit;
    }

    /**
     * Subscribes to {@code range} (a service or service range).
     *
     * @param timeout null for none (TIPC_WAIT_FOREVER)
     * @throws TipcException EINVAL for a socket address or a rejected request
     */
    public static TipcSubscription open(TipcNode node, TipcAddress range, Filter filter, Duration timeout)
            throws TipcException {
        return open(node, range, filter, timeout, EVENT_QUEUE_LIMIT);
    }

    /** {@link #open(TipcNode, TipcAddress, Filter, Duration)} with another event queue limit (tests). */
    static TipcSubscription open(TipcNode node, TipcAddress range, Filter filter, Duration timeout, int limit)
            throws TipcException {
        if (range.kind() == TipcAddress.Kind.SOCKET) {
            throw new TipcException(TipcError.EINVAL, "subscribe needs a service or range, not " + range);
        }
        int t = timeout == null ? TipcSubscr.TIPC_WAIT_FOREVER
            : (int) Math.min(0xFFFFFFFEL, Math.max(0, timeout.toMillis()));
        TipcSubscription s = new TipcSubscription(node, limit);
        s.sub = node.call(now -> {
            Subscription su = node.core().subscribe(now, filter.value, range.type(), range.lower(), range.upper(),
                t, s::event);
            if (su != null && s.overflowed) su.cancel(); // the replay alone overflowed the queue
            return su;
        });
        if (s.sub == null) throw new TipcException(TipcError.EINVAL, "subscription to " + range + " rejected");
        node.registered(s);
        if (node.life.isClosed()) s.nodeClosed(); // closed between the subscribe and the registration
        return s;
    }

    /** The node closed: a waiting {@link #poll} returns null at once, as after {@link #close()}. */
    void nodeClosed() {
        closed = true;
        q.offer(END);
    }

    /** Called under the node's core lock by the core. */
    private void event(SubscriptionEvent e) {
        if (closed || overflowed) return;
        if (q.size() >= limit) {
            // the reader fell too far behind: drop the subscription (cancelled after this callback returns)
            overflowed = true;
            q.offer(END);
            node.later(() -> {
                Subscription su = sub;
                if (su != null) su.cancel();
            });
            return;
        }
        q.offer(toApi(e));
    }

    /** The api's form of a core event: the range is the binding's (or, on timeout, the subscribed one). */
    private static TopologyEvent toApi(SubscriptionEvent e) {
        TopologyEvent.Kind k = switch (e.event()) {
            case TipcEvent.TIPC_PUBLISHED -> TopologyEvent.Kind.PUBLISHED;
            case TipcEvent.TIPC_WITHDRAWN -> TopologyEvent.Kind.WITHDRAWN;
            case TipcEvent.TIPC_SUBSCR_TIMEOUT -> TopologyEvent.Kind.TIMEOUT;
            default -> throw new IllegalStateException("topology event " + e.event());
        };
        return new TopologyEvent(k, TipcAddress.ofServiceRange(e.subscription().type(), e.foundLower(),
            e.foundUpper()), e.port(), e.node());
    }

    /** The core's subscription (tests). */
    Subscription coreSubscription() {
        return sub;
    }

    /** True when the subscription was closed because {@link #EVENT_QUEUE_LIMIT} events were left unread. */
    public boolean overflowed() {
        return overflowed;
    }

    /**
     * Next event, waiting at most {@code timeout}.
     *
     * @return the event, or null if none arrived in time or the subscription (or its node) is closed
     * @throws TipcException (ENOBUFS) once the events queued before an overflow are read: the subscription was
     *                       closed because {@link #EVENT_QUEUE_LIMIT} events were left unread; later events are lost
     * @throws InterruptedIOException if the thread is interrupted while waiting (its interrupt flag stays set)
     */
    public TopologyEvent poll(Duration timeout) throws InterruptedIOException, TipcException {
        try {
            TopologyEvent e = q.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (e == END) {
                q.offer(END);
                if (overflowed && !closed) {
                    throw new TipcException(TipcError.ENOBUFS, "topology subscription closed: more than " + limit
                        + " events left unread (overflow, ENOBUFS)");
                }
                return null;
            }
            return e;
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    /** Cancels the subscription (as TIPC_SUB_CANCEL). Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        q.offer(END);
        node.unregistered(this);
        try {
            node.callForClose(now -> {
                sub.cancel();
                return null;
            });
        } catch (TipcException e) {
            // node closed
        }
    }
}
