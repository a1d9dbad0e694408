package io.jtipc.nametable;

import io.jtipc.wire.Tipc;

/**
 * One binding of a service range to a socket (kernel {@code struct publication}, net/tipc/name_table.h).
 *
 * <p>All fields are unsigned 32-bit values in Java ints.
 *
 * @param type  service type
 * @param lower lower bound of the service range (inclusive)
 * @param upper upper bound of the service range (inclusive), {@code lower <= upper} unsigned
 * @param scope {@link Tipc#TIPC_CLUSTER_SCOPE} or {@link Tipc#TIPC_NODE_SCOPE}
 * @param port  socket reference ("port id") of the bound socket
 * @param node  node address of the bound socket
 * @param key   publication key; together with the node it identifies the binding within its range
 * @param id    per-service-type insertion counter ({@code publ_cnt++}); orders bindings by age (wraps modulo 2^32)
 */
public record Publication(int type, int lower, int upper, int scope, int port, int node, int key, int id) {

    /** True if this binding's range overlaps {@code [lower, upper]} (unsigned). */
    public boolean overlaps(int lower, int upper) {
        return Integer.compareUnsigned(this.lower, upper) <= 0 && Integer.compareUnsigned(this.upper, lower) >= 0;
    }

    /** Rendered as {@code {type,lower,upper} scope port@node key}, unsigned decimal, node in hex. */
    @Override
    public String toString() {
        return "{" + Integer.toUnsignedString(type) + "," + Integer.toUnsignedString(lower) + ","
                + Integer.toUnsignedString(upper) + "} " + (scope == Tipc.TIPC_NODE_SCOPE ? "node" : "cluster")
                + " " + Integer.toUnsignedString(port) + "@" + Integer.toHexString(node) + " key "
                + Integer.toUnsignedString(key);
    }
}
