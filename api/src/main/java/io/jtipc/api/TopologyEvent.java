package io.jtipc.api;

/**
 * One event of a {@link TipcSubscription}: what the kernel's topology server reports in a {@code struct tipc_event}
 * (include/uapi/linux/tipc.h, net/tipc/subscr.c {@code tipc_sub_send_event}).
 *
 * @param kind  what happened
 * @param range the binding's service range {type, found_lower, found_upper}, not clipped to the subscribed range;
 *              for {@link Kind#TIMEOUT} the subscribed range
 * @param port  the bound socket's port (0 for {@link Kind#TIMEOUT})
 * @param node  the bound socket's 32-bit node address (0 for {@link Kind#TIMEOUT})
 */
public record TopologyEvent(Kind kind, TipcAddress range, int port, int node) {
    /** Event kinds (uapi tipc.h TIPC_PUBLISHED 1, TIPC_WITHDRAWN 2, TIPC_SUBSCR_TIMEOUT 3). */
    public enum Kind {
        /** A matching binding appeared (TIPC_PUBLISHED). */
        PUBLISHED,
        /** A matching binding disappeared (TIPC_WITHDRAWN). */
        WITHDRAWN,
        /** The subscription's timeout expired; no event follows (TIPC_SUBSCR_TIMEOUT). */
        TIMEOUT
    }

    /** Checks the references. @throws NullPointerException if {@code kind} or {@code range} is null */
    public TopologyEvent {
        java.util.Objects.requireNonNull(kind, "kind");
        java.util.Objects.requireNonNull(range, "range");
    }

    /** Lower bound of {@link #range()} (found_lower). */
    public int foundLower() {
        return range.lower();
    }

    /** Upper bound of {@link #range()} (found_upper). */
    public int foundUpper() {
        return range.upper();
    }

    /** The bound socket's address {port, node}. */
    public TipcAddress socket() {
        return TipcAddress.ofSocket(port, node);
    }

    /** e.g. {@code PUBLISHED {18888, 0, 100} <1001:2797883188>}, addresses as {@link TipcAddress} writes them. */
    @Override
    public String toString() {
        return kind + " " + range + (kind == Kind.TIMEOUT ? "" : " " + socket());
    }
}
