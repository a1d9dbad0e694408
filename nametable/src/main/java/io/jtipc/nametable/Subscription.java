package io.jtipc.nametable;

import java.util.function.Consumer;

/**
 * One active topology subscription (kernel {@code struct tipc_subscription}, net/tipc/subscr.h), created
 * by {@link TopologySubscriptions}. Events go synchronously to the sink given at creation.
 *
 * <p>Event rules ({@code tipc_sub_report_overlap}, net/tipc/subscr.c): a binding is reported if its range
 * overlaps the subscribed range; with {@link TipcConstants#SUB_PORTS} every binding change is reported,
 * otherwise only "must" changes: the first binding of an exact service range appearing, or the last one
 * disappearing. The kernel-internal {@link TipcConstants#SUB_CLUSTER_SCOPE} / {@link TipcConstants#SUB_NODE_SCOPE}
 * bits restrict by binding scope. After the timeout event the subscription is inactive and reports nothing.
 */
public final class Subscription {
    private final TipcSubscr request;
    private final Consumer<TopologyEvent> sink;
    final TopologySubscriptions.Connection owner;
    final long seq;
    long deadline = Long.MAX_VALUE;
    boolean inactive;
    boolean deleted;

    Subscription(TipcSubscr request, Consumer<TopologyEvent> sink, TopologySubscriptions.Connection owner, long seq) {
        this.request = request;
        this.sink = sink;
        this.owner = owner;
        this.seq = seq;
    }

    /** The request as received (filter included). */
    public TipcSubscr request() {
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
        if (!must && (filter & TipcConstants.SUB_PORTS) == 0) {
            return;
        }
        if ((filter & TipcConstants.SUB_CLUSTER_SCOPE) != 0 && p.scope() == TipcConstants.NODE_SCOPE) {
            return;
        }
        if ((filter & TipcConstants.SUB_NODE_SCOPE) != 0 && p.scope() != TipcConstants.NODE_SCOPE) {
            return;
        }
        if (inactive) {
            return;
        }
        sink.accept(new TopologyEvent(event, p.lower(), p.upper(), p.port(), p.node(), request));
    }

    void sendTimeout() {
        if (inactive) {
            return;
        }
        inactive = true;
        sink.accept(new TopologyEvent(TipcConstants.SUBSCR_TIMEOUT, request.lower(), request.upper(), 0, 0, request));
    }

    @Override
    public String toString() {
        return "Subscription{" + Integer.toUnsignedString(type()) + "," + Integer.toUnsignedString(lower()) + ","
                + Integer.toUnsignedString(upper()) + " filter 0x" + Integer.toHexString(filter()) + "}";
    }
}
