package io.jtipc.api;

/**
 * One node of the cluster as {@code tipc node list} shows it (node.c tipc_nl_node_dump / __tipc_nl_add_node).
 *
 * @param address  the node's 32-bit address ("hash" in {@code tipc node list})
 * @param identity the node's identity string ("" while unknown)
 * @param up       true when the node is up (a link to it is up; this node itself is always up)
 * @param self     true for this node
 */
public record PeerInfo(int address, String identity, boolean up, boolean self) {
}
