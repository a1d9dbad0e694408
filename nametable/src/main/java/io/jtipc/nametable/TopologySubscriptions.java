package io.jtipc.nametable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;

import io.jtipc.wire.TipcSubscr;

/**
 * The subscription side of the topology service (kernel net/tipc/subscr.c, topsrv.c), sans-IO and
 * single-threaded: the same thread that changes the {@link BindingTable} calls this. No clock inside: every
 * call that needs time takes {@code nowMs} (any monotonic millisecond clock); {@link #nextDeadline()} says
 * when to call {@link #onTimer(long)}.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>A request with both {@link TipcSubscr#TIPC_SUB_PORTS} and {@link TipcSubscr#TIPC_SUB_SERVICE}, or with
 *       {@code lower > upper}, is rejected; so is any request beyond {@link #TIPC_MAX_SUBSCR}
 *       subscriptions on the node. The kernel then closes the subscriber's connection
 *       ({@code tipc_conn_rcv_sub}).</li>
 *   <li>A request with {@link TipcSubscr#TIPC_SUB_CANCEL} deletes this connection's subscriptions equal to it
 *       with the cancel bit cleared (kernel: memcmp of the struct); no event, never rejected.</li>
 *   <li>On subscribe, existing matching bindings are reported at once (see {@link BindingTable}), then every
 *       change live, with no gap and no duplicate (same thread).</li>
 *   <li>Timeout {@code t} ms (unsigned) fires at {@code now + t}: one SUBSCR_TIMEOUT event carrying the
 *       subscribed range, port 0, node 0; then the subscription is deleted. {@link TipcSubscr#TIPC_WAIT_FOREVER}
 *       never fires.</li>
 * </ul>
 */
public final class TopologySubscriptions {
    /** Most topology subscriptions on this node (net/tipc/subscr.h TIPC_MAX_SUBSCR). */
    public static final int TIPC_MAX_SUBSCR = 65535;

    private final BindingTable table;
    private final TreeSet<Subscription> timers = new TreeSet<>((a, b) -> {
        int c = Long.compare(a.deadline, b.deadline);
        return c != 0 ? c : Long.compare(a.seq, b.seq);
    });
    private int count;
    private long seq;

    public TopologySubscriptions(BindingTable table) {
        this.table = table;
    }

    /** The table the subscriptions watch. */
    public BindingTable table() {
        return table;
    }

    /** Opens a subscriber connection whose events go to {@code sink} (synchronously, on this thread). */
    public Connection connect(Consumer<SubscriptionEvent> sink) {
        return new Connection(sink);
    }

    /**
     * Convenience: a new connection with one subscription.
     *
     * @param filter    filter bits
     * @param type      service type
     * @param lower     lower bound (unsigned)
     * @param upper     upper bound (unsigned)
     * @param timeoutMs timeout in ms (unsigned), {@link TipcSubscr#TIPC_WAIT_FOREVER} for none
     * @param nowMs     current time, ms
     * @param sink      receives the replay events (before this returns) then live events
     * @return the subscription, or null if rejected
     */
    public Subscription subscribe(int filter, int type, int lower, int upper, int timeoutMs, long nowMs,
                                  Consumer<SubscriptionEvent> sink) {
        return connect(sink).subscribe(SubscriptionRequest.of(type, lower, upper, timeoutMs, filter, 0L), nowMs);
    }

    /** Number of live subscriptions on this node. */
    public int count() {
        return count;
    }

    /** Earliest pending timeout (ms, caller's clock), or {@link Long#MAX_VALUE} if none. */
    public long nextDeadline() {
        return timers.isEmpty() ? Long.MAX_VALUE : timers.first().deadline;
    }

    /**
     * Fires every timeout due at {@code nowMs} (deadline {@code <= nowMs}), earliest first.
     *
     * @return the number of subscriptions that timed out
     */
    public int onTimer(long nowMs) {
        int n = 0;
        while (!timers.isEmpty() && timers.first().deadline <= nowMs) {
            Subscription s = timers.pollFirst();
            s.deadline = Long.MAX_VALUE;
            s.sendTimeout();
            n++;
            // topsrv.c: after delivering a TIMEOUT event the connection deletes the subscription (tipc_conn_delete_sub
            // with it, which takes the first identical one: the same unless the connection has twins, whose order
            // of deletion nobody can tell apart)
            s.owner.delete(s);
        }
        return n;
    }

    /** One subscriber connection (kernel {@code struct tipc_conn} of the topology server). */
    public final class Connection {
        private final Consumer<SubscriptionEvent> sink;
        /** Oldest first, so that adding and deleting one costs O(1) (a timeout deletes them oldest first). */
        private final LinkedHashSet<Subscription> subs = new LinkedHashSet<>();
        private boolean closed;

        Connection(Consumer<SubscriptionEvent> sink) {
            this.sink = sink;
        }

        /**
         * Handles one received request: cancel if it has {@link TipcSubscr#TIPC_SUB_CANCEL}, otherwise subscribe.
         *
         * @return false if the request was rejected (the kernel closes the connection; call {@link #close()})
         */
        public boolean receive(SubscriptionRequest s, long nowMs) {
            if ((s.filter() & TipcSubscr.TIPC_SUB_CANCEL) != 0) {
                cancel(s);
                return true;
            }
            return subscribe(s, nowMs) != null;
        }

        /**
         * Creates a subscription (kernel {@code tipc_sub_subscribe}); replay events are delivered before this
         * returns.
         *
         * @return the subscription, or null if rejected (illegal filter/range, limit, connection closed)
         */
        public Subscription subscribe(SubscriptionRequest s, long nowMs) {
            if (closed || count >= TIPC_MAX_SUBSCR) {
                return null;
            }
            int filter = s.filter();
            if (((filter & TipcSubscr.TIPC_SUB_PORTS) != 0 && (filter & TipcSubscr.TIPC_SUB_SERVICE) != 0)
                    || Integer.compareUnsigned(s.lower(), s.upper()) > 0) {
                return null;
            }
            Subscription sub = new Subscription(s, sink, this, seq++);
            subs.add(sub);
            count++;
            table.attach(sub);
            if (s.timeout() != TipcSubscr.TIPC_WAIT_FOREVER && !sub.deleted) {
                sub.deadline = nowMs + Integer.toUnsignedLong(s.timeout());
                timers.add(sub);
            }
            return sub;
        }

        /**
         * Cancels (topsrv.c tipc_conn_rcv_sub, tipc_conn_delete_sub): the cancel bit is cleared in the request's own
         * byte order, then the newest subscription of this connection whose 28 bytes as received equal the result
         * (memcmp) is deleted - one, even if the connection made several identical ones.
         *
         * @return number deleted, 0 or 1
         */
        public int cancel(SubscriptionRequest s) {
            byte[] want = new byte[SubscriptionRequest.SIZE];
            TipcSubscr w = new TipcSubscr();
            s.withFilter(s.filter() & ~TipcSubscr.TIPC_SUB_CANCEL).encode(want, 0, w);
            byte[] have = new byte[SubscriptionRequest.SIZE];
            for (Subscription sub : subscriptions()) { // newest first, as the kernel's list_add; one flyweight for all
                sub.request().encode(have, 0, w);
                if (Arrays.equals(want, have)) {
                    delete(sub);
                    return 1;
                }
            }
            return 0;
        }

        /** Closes the connection, deleting all its subscriptions (no events). */
        public void close() {
            for (Subscription s : new ArrayList<>(subs)) {
                delete(s);
            }
            closed = true;
        }

        /** Live subscriptions of this connection. */
        public int size() {
            return subs.size();
        }

        /** Live subscriptions of this connection, newest first. */
        public List<Subscription> subscriptions() {
            List<Subscription> l = new ArrayList<>(subs);
            Collections.reverse(l);
            return Collections.unmodifiableList(l);
        }

        void delete(Subscription sub) {
            if (sub.deleted) {
                return;
            }
            sub.deleted = true;
            table.detach(sub);
            timers.remove(sub);
            sub.deadline = Long.MAX_VALUE;
            subs.remove(sub);
            count--;
        }
    }
}
