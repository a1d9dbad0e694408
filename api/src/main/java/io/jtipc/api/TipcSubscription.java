package io.jtipc.api;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.jtipc.nametable.Subscription;
import io.jtipc.nametable.TipcConstants;
import io.jtipc.nametable.TopologyEvent;

/**
 * A topology subscription on a {@link TipcNode} (net/tipc/subscr.c semantics): the bindings of a service range,
 * reported as the kernel's {@code struct tipc_event} would describe them: first one PUBLISHED per matching binding
 * already known (TIPC_SUB_PORTS; with TIPC_SUB_SERVICE only the first binding of each exact range), then every
 * change, then one TIMEOUT. Registration runs on the node's event loop, so the replay and the live changes form
 * one sequence with no gap and no duplicate however the table changes meanwhile.
 * Node up/down: subscribe to {0, 0, ~0} (node-state bindings); link up/down: {2, 0, ~0}.
 */
public final class TipcSubscription implements AutoCloseable {
    /** Filters. */
    public enum Filter {
        PORTS(TipcConstants.SUB_PORTS), SERVICE(TipcConstants.SUB_SERVICE);

        final int value;

        Filter(int v) {
            this.value = v;
        }
    }

    private static final TopologyEvent END = new TopologyEvent(0, 0, 0, 0, 0, null);

    private final TipcNode node;
    private final LinkedBlockingQueue<TopologyEvent> q = new LinkedBlockingQueue<>();
    private volatile Subscription sub;
    private volatile boolean closed;

    private TipcSubscription(TipcNode node) {
        this.node = node;
    }

    /**
     * Subscribes to {@code range} (a service or service range).
     *
     * @param timeout null for none (TIPC_WAIT_FOREVER)
     * @throws TipcException EINVAL for a socket address or a rejected request
     */
    public static TipcSubscription open(TipcNode node, TipcAddress range, Filter filter, Duration timeout)
            throws TipcException {
        if (range.kind() == TipcAddress.Kind.SOCKET) {
            throw new TipcException(-22, "subscribe needs a service or range, not " + range);
        }
        int t = timeout == null ? TipcConstants.WAIT_FOREVER
            : (int) Math.min(0xFFFFFFFEL, Math.max(0, timeout.toMillis()));
        TipcSubscription s = new TipcSubscription(node);
        s.sub = node.call(now -> node.core().subscribe(now, filter.value, range.type(), range.lower(), range.upper(),
            t, e -> s.q.offer(e)));
        if (s.sub == null) throw new TipcException(-22, "subscription to " + range + " rejected");
        return s;
    }

    /**
     * Next event, waiting at most {@code timeout}.
     *
     * @return the event, or null if none arrived in time or the subscription is closed
     */
    public TopologyEvent poll(Duration timeout) throws InterruptedIOException {
        try {
            TopologyEvent e = q.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (e == END) {
                q.offer(END);
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
        try {
            node.call(now -> {
                sub.cancel();
                return null;
            });
        } catch (TipcException e) {
            // node closed
        }
    }
}
