package io.jtipc.node;

import java.util.Objects;

import io.jtipc.wire.NodeId;

/**
 * Node-wide configuration ({@code struct tipc_net}, net/tipc/core.h).
 *
 * @param nodeId       128-bit node identity ({@code tipc_own_id}); the 32-bit address is derived from it by
 *                     the address trial (discover.c, node.c {@code tipc_node_try_addr})
 * @param netId        cluster (network) id, 1-9999, default 4711 ({@code tn->net_id})
 * @param random       the node's random number ({@code tn->random}): low 16 bits = discovery signature, also
 *                     the peer-net hash (w13) and the XOR key of address suggestions
 * @param seed         seed of the core's own pseudo random generator (link sessions, port numbers)
 * @param capabilities capability bits advertised in discovery (w1 bits 27-15); normally
 *                     {@link NodeCore#JTIPC_CAPABILITIES}. Only change it for tests
 */
public record NodeConfig(NodeId nodeId, int netId, int random, long seed, int capabilities) {
    public NodeConfig {
        Objects.requireNonNull(nodeId, "nodeId");
        if (netId < 1 || netId > 9999) throw new IllegalArgumentException("netId not in 1-9999");
    }

    /** Defaults: net id 4711, the given random and seed, {@link NodeCore#JTIPC_CAPABILITIES}. */
    public static NodeConfig of(NodeId id, int random, long seed) {
        return new NodeConfig(id, 4711, random, seed, NodeCore.JTIPC_CAPABILITIES);
    }

    public NodeConfig withNetId(int n) {
        return new NodeConfig(nodeId, n, random, seed, capabilities);
    }

    public NodeConfig withCapabilities(int c) {
        return new NodeConfig(nodeId, netId, random, seed, c);
    }
}
