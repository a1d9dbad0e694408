package io.jtipc.nametable;

import java.util.List;

/**
 * Destination nodes of a multicast (kernel {@code struct tipc_nlist}, net/tipc/bcast.h), as filled by
 * {@code tipc_nametbl_lookup_mcast_nodes}.
 *
 * @param local  true if this node itself has a matching binding
 * @param remote other nodes with a matching binding, each once, in kernel list order (last found first)
 */
public record McastNodes(boolean local, List<Integer> remote) {
    public McastNodes {
        remote = List.copyOf(remote);
    }
}
