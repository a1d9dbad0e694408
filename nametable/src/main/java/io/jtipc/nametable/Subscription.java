package io.jtipc.nametable;

import java.util.function.Consumer;

import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcEvent;
import io.jtipc.wire.TipcSubscr;

/**
 * One active topology subscription (kernel {@code struct tipc_subscription}, net/tipc/subscr.h), created
 * by {@link TopologySubscriptions}. Events go synchronously to the sink given at creation.
 *
 * <p>Event rules ({@code tipc_sub_report_overlap}, net/tipc/subscr.c): a binding is reported if its range
 * overlaps the subscribed range; with {@link TipcSubscr#TIPC_SUB_PORTS} every binding change is reported,
 * otherwise only "must" changes: the first binding of an exact service range appearing, or the last one
 * disappearing. The kernel-internal {@link #TIPC_SUB_CLUSTER_SCOPE} / {@link #TIPC_SUB_NODE_SCOPE}
 * bits restrict by binding scope. After the timeout event the subscription is inactive and reports nothing.
 */
public final class Subscription {
    /** Kernel-internal filter bit: report only cluster-scope bindings (net/tipc/topsrv.h TIPC_SUB_CLUSTER_SCOPE). */
    public static final int TIPC_SUB_CLUSTER_SCOPE = 0x20;
    /** Kernel-internal filter bit: report only node-scope bindings (net/tipc/topsrv.h TIPC_SUB_NODE_SCOPE). */
    public static final int TIPC_SUB_NODE_SCOPE = 0x40;
    /** Kernel-internal filter bit: no replay of the existing bindings (net/tipc/topsrv.h TIPC_SUB_NO_STATUS). */
    public static final int TIPC_SUB_NO_STATUS = 0x80;

    private final SubscriptionRequest request;
    private final Consumer<SubscriptionEvent> sink;
    final TopologySubscriptions.Connection owner;
    final long seq;
    long deadline = Long.MAX_VALUE;
    boolean inactive;
    boolean deleted;

    Subscription(SubscriptionRequest request, Consumer<SubscriptionEvent> sink, TopologySubscriptions.Connection owner, long seq) {
        this.request = request;
        this.sink = sink;
        this.owner = owner;
        this.seq = seq;
    }

    /** The request as received (filter included). */
    public SubscriptionRequest request() {
        return request;
    }

    /** Service type subscribed to. */
    public int type() {
        return request.type();
    }

    /** Lower bound subscribed to (unsigned). */
    public int lower() {
        return request.lower();
    }

    /** Upper bound subscribed to (unsigned). */
    public int upper() {
        return request.upper();
    }

    /** Filter bits. */
    public int filter() {
        return request.filter();
    }

    /** Absolute deadline in ms of the caller's clock, or {@link Long#MAX_VALUE} for none. */
    public long deadline() {
        return deadline;
    }

    /** True once the timeout event was sent. */
    public boolean inactive() {
        return inactive;
    }

    /** True once the subscription was removed (timeout, cancel or connection closed). */
    public boolean deleted() {
        return deleted;
    }

    /** Cancels this subscription (as a TIPC_SUB_CANCEL of the same request would). */
    public void cancel() {
        if (!deleted) {
            owner.delete(this);
        }
    }

    void reportOverlap(Publication p, int event, boolean must) {
        if (!p.overlaps(request.lower(), request.upper())) {
            return;
        }
        int filter = request.filter();
        if (!must && (filter & TipcSubscr.TIPC_SUB_PORTS) == 0) {
            return;
        }
        if ((filter & TIPC_SUB_CLUSTER_SCOPE) != 0 && p.scope() == Tipc.TIPC_NODE_SCOPE) {
            return;
        }
        if ((filter & TIPC_SUB_NODE_SCOPE) != 0 && p.scope() != Tipc.TIPC_NODE_SCOPE) {
            return;
        }
        if (inactive) {
            return;
        }
        sink.accept(new SubscriptionEvent(event, p.lower(), p.upper(), p.port(), p.node(), request));
    }

    void sendTimeout() {
        if (inactive) {
            return;
        }
        inactive = true;
        sink.accept(new SubscriptionEvent(TipcEvent.TIPC_SUBSCR_TIMEOUT, request.lower(), request.upper(), 0, 0, request));
    }

    @Override
    public String toString() {
        return "Subscription{" + Integer.toUnsignedString(type()) + "," + Integer.toUnsignedString(lower()) + ","
                + Integer.toUnsignedString(upper()) + " filter 0x" + Integer.toHexString(filter()) + "}";
    }
}
