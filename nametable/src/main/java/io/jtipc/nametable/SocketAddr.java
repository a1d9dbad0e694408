package io.jtipc.nametable;

/**
 * A socket address (kernel {@code struct tipc_socket_addr}, include/uapi/linux/tipc.h): port ("ref") and node.
 *
 * @param port socket reference, unsigned 32 bits; 0 means "not resolved here" (see
 *             {@link BindingTable#lookupAnycast(int, int, int)})
 * @param node node address, unsigned 32 bits
 */
public record SocketAddr(int port, int node) {
}
