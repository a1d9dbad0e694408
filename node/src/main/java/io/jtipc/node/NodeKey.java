package io.jtipc.node;

import java.util.Objects;

import io.jtipc.wire.AeadKey;
import io.jtipc.wire.NodeId;

/**
 * One key as {@code tipc node set key} takes it (node.c {@code __tipc_nl_node_set_key}): the material (AES key of 16,
 * 24 or 32 bytes followed by the 4-byte salt) and where it goes:
 * <ul>
 *   <li>{@link #cluster}: the node's TX key in cluster mode ({@code CLUSTER_KEY}), used by every node for TX and RX,
 *       distributed to the peers in KEY_DISTR;</li>
 *   <li>{@link #master}: the cluster master key (slot 0, {@code … master}), never distributed;</li>
 *   <li>{@link #perNode}: a per-node key ({@code … nodeid ID}, {@code PER_NODE_KEY}): this node's own TX key if
 *       {@code nodeId} is the own id, else the RX key of that peer.</li>
 * </ul>
 * {@link #toString} never shows the material; {@link #material()} returns a copy.
 */
public final class NodeKey {
    /** Where the key goes. */
    public enum Kind { CLUSTER, MASTER, PER_NODE }

    private final byte[] material;
    private final Kind kind;
    private final NodeId nodeId;

    private NodeKey(byte[] material, Kind kind, NodeId nodeId) {
        int n = Objects.requireNonNull(material, "material").length;
        if (n != 20 && n != 28 && n != 36) {
            throw new IllegalArgumentException("key must be 20, 28 or 36 bytes (AES key + 4-byte salt), got " + n);
        }
        this.material = material.clone();
        this.kind = kind;
        this.nodeId = nodeId;
    }

    /** A cluster key from the string form ({@link AeadKey#parseKey}). @throws IllegalArgumentException if malformed */
    public static NodeKey cluster(String hex) { return new NodeKey(AeadKey.parseKey(hex), Kind.CLUSTER, null); }

    /** The cluster master key from the string form. @throws IllegalArgumentException if malformed */
    public static NodeKey master(String hex) { return new NodeKey(AeadKey.parseKey(hex), Kind.MASTER, null); }

    /** A per-node key of node {@code id} from the string form. @throws IllegalArgumentException if malformed */
    public static NodeKey perNode(String hex, NodeId id) {
        return new NodeKey(AeadKey.parseKey(hex), Kind.PER_NODE, Objects.requireNonNull(id, "nodeId"));
    }

    /** A key from raw material (20, 28 or 36 bytes, copied). @throws IllegalArgumentException for another length */
    public static NodeKey of(byte[] material, Kind kind, NodeId nodeId) {
        if (kind == Kind.PER_NODE) Objects.requireNonNull(nodeId, "nodeId");
        return new NodeKey(material, Objects.requireNonNull(kind, "kind"), kind == Kind.PER_NODE ? nodeId : null);
    }

    public byte[] material() { return material.clone(); }
    public Kind kind() { return kind; }
    /** The node whose key this is (PER_NODE only), else null. */
    public NodeId nodeId() { return nodeId; }

    @Override
    public String toString() {
        return "NodeKey[" + kind + (nodeId != null ? " " + nodeId : "") + ", " + material.length + " bytes]";
    }
}
