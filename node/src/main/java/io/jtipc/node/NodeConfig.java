package io.jtipc.node;

import java.util.Objects;

import io.jtipc.wire.NodeId;
import io.jtipc.wire.Tipc;

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
 *                     {@link #JTIPC_CAPABILITIES}. Only change it for tests
 * @param crypto       keys and encryption settings ({@link NodeCrypto}), null = none (plaintext, as without
 *                     {@code tipc node set key})
 */
public record NodeConfig(NodeId nodeId, int netId, int random, long seed, int capabilities, CryptoConfig crypto) {
    /**
     * Capabilities jtipc advertises (node.h bit names), each decided by what is really implemented:
     * <ul>
     *   <li>TIPC_SYN_BIT (0x1): YES. Every connect sends its first message with the SYN bit (w0 bit 17), and a
     *       listening socket accepts only SYN messages from peers that advertise this bit ({@link ConnSocket}).</li>
     *   <li>TIPC_BCAST_SYNCH (0x2): YES. The broadcast receive link is initialised only by the peer's
     *       BCAST_PROTOCOL bc-init message, and jtipc sends its own bc-init at link up.</li>
     *   <li>TIPC_BCAST_STATE_NACK (0x4): YES. Broadcast gaps are reported in STATE (w8 bc gap + broadcast
     *       gap-ACK blocks); jtipc never sends legacy BCAST_PROTOCOL NACKs.</li>
     *   <li>TIPC_BLOCK_FLOWCTL (0x8): YES. Connections count 1024-byte blocks, acknowledge consumed blocks in
     *       CONN_ACK (w9 bits 31-16) with the advertised window (w9 bits 15-0) and honour the peer's window; with
     *       peers lacking the bit, the legacy 512-message window ({@link ConnSocket}).</li>
     *   <li>TIPC_BCAST_RCAST (0x10): YES. Multicast arriving as replicated unicast (and on the broadcast
     *       link) is delivered.</li>
     *   <li>TIPC_NODE_ID128 (0x20): YES. 128-bit identity in discovery.</li>
     *   <li>TIPC_LINK_PROTO_SEQNO (0x40): YES. STATE messages carry/check their own counter.</li>
     *   <li>TIPC_MCAST_RBCTL (0x80): YES. A multicast socket switching between broadcast and replicast SYN-marks its
     *       message and sends the SYN twin by the old method ({@link Bcast}, bcast.c tipc_mcast_send_sync); receiving
     *       sockets reorder across a peer's switch ({@link McastFilter}, tipc_mcast_filter_msg).</li>
     *   <li>TIPC_GAP_ACK_BLOCK (0x100): YES. Gap-ACK records are built and honoured.</li>
     *   <li>TIPC_TUNNEL_ENHANCED (0x200): YES. A second link synchs with one 40-byte SYNCH_MSG carrying the synch
     *       point (w9 31-16), and a FAILOVER tunnel fragments packets too large for the tunnel link (w4 fragment
     *       number/count), both ways ({@link LinkTunnel}; link.c tipc_link_tnl_prepare, tipc_link_tnl_rcv); legacy
     *       peers get (and send) the tunnelled duplicates.</li>
     *   <li>TIPC_NAGLE (0x400): YES. STREAM sockets to peers with this bit bundle small writes (up to the link's
     *       MSS) while an acknowledgement is expected, marking the last message ACK_REQUIRED (w0 bit 18) and flushing
     *       on the nagle-ack CONN_ACK; a received ACK_REQUIRED is answered with a nagle-ack CONN_ACK
     *       ({@link ConnSocket}, socket.c tipc_msg_append / tipc_sk_push_backlog). TIPC_NODELAY: {@link NodeCore#setNoDelay}.</li>
     *   <li>TIPC_NAMED_BCAST (0x800): YES. Binding updates received on the broadcast link are sequenced and
     *       applied (the nametable module's NameDistributor); jtipc's own go on its broadcast link ({@link Bcast})
     *       when every peer has this bit.</li>
     * </ul>
     * = 0xFFF, the kernel's TIPC_NODE_CAPABILITIES (node.h of 6.1).
     */
    public static final int JTIPC_CAPABILITIES = Tipc.TIPC_SYN_BIT | Tipc.TIPC_BLOCK_FLOWCTL | Tipc.TIPC_NAGLE
        | Tipc.TIPC_BCAST_SYNCH | Tipc.TIPC_BCAST_STATE_NACK
        | Tipc.TIPC_BCAST_RCAST | Tipc.TIPC_NODE_ID128 | Tipc.TIPC_LINK_PROTO_SEQNO | Tipc.TIPC_GAP_ACK_BLOCK
        | Tipc.TIPC_TUNNEL_ENHANCED | Tipc.TIPC_NAMED_BCAST | Tipc.TIPC_MCAST_RBCTL;

    public NodeConfig {
        Objects.requireNonNull(nodeId, "nodeId");
        if (netId < 1 || netId > 9999) throw new IllegalArgumentException("netId not in 1-9999");
    }

    /** Without encryption. */
    public NodeConfig(NodeId nodeId, int netId, int random, long seed, int capabilities) {
        this(nodeId, netId, random, seed, capabilities, null);
    }

    /** Defaults: net id 4711, the given random and seed, {@link #JTIPC_CAPABILITIES}. */
    public static NodeConfig of(NodeId id, int random, long seed) {
        return new NodeConfig(id, 4711, random, seed, JTIPC_CAPABILITIES);
    }

    public NodeConfig withNetId(int n) {
        return new NodeConfig(nodeId, n, random, seed, capabilities, crypto);
    }

    public NodeConfig withCapabilities(int c) {
        return new NodeConfig(nodeId, netId, random, seed, c, crypto);
    }

    /** The same with keys and encryption settings (null = none). */
    public NodeConfig withCrypto(CryptoConfig c) {
        return new NodeConfig(nodeId, netId, random, seed, capabilities, c);
    }
}
