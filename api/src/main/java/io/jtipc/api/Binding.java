package io.jtipc.api;

/**
 * One entry of the binding table (kernel {@code struct publication}, net/tipc/name_table.h).
 *
 * @param type     service type
 * @param lower    lower instance
 * @param upper    upper instance
 * @param scope    "cluster" or "node"
 * @param port     bound socket's port
 * @param node     node address of the socket
 * @param nodeName node identity string, as {@code tipc nametable show} prints it
 */
public record Binding(int type, int lower, int upper, String scope, int port, int node, String nodeName) {
    /** This binding as a service range address. */
    public TipcAddress range() {
        return TipcAddress.ofServiceRange(type, lower, upper);
    }

    /** The bound socket's address. */
    public TipcAddress socket() {
        return TipcAddress.ofSocket(port, node);
    }
}
