package io.jtipc.nametable;

/**
 * Bounds on the bindings a {@link NameDistributor} lets into its {@link BindingTable}, in count and in estimated
 * heap bytes ({@link BindingTable#bytes(int)}: {@link BindingTable#PUBLICATION_BYTES} per binding plus the range,
 * service and per-node structures it creates).
 *
 * <p>The kernel bounds only its own publications ({@code TIPC_MAX_PUBL} = 65 535, net/tipc/subscr.h, checked in
 * {@code tipc_nametbl_publish}) and accepts any number from peers. jtipc departs from that: a peer's
 * PUBLICATION item that would take that peer, or all peers together, over their bound is dropped (not
 * inserted), counted per peer ({@link NameDistributor#droppedOverLimit(int)}) and logged once per peer per
 * episode; the link stays up and the peer's withdrawals keep working. Each remote bound is far above what
 * an honest node publishes: a kernel node can hold at most 65 535 bindings of its own.
 *
 * @param peerCount  most bindings of one peer node (count), default {@value #DEFAULT_PEER_COUNT}
 * @param peerBytes  most estimated bytes of one peer node's bindings, default {@value #DEFAULT_PEER_BYTES} (40 MiB)
 * @param totalCount most bindings of all peer nodes together (count), default {@value #DEFAULT_TOTAL_COUNT}
 * @param totalBytes most estimated bytes of all peer nodes' bindings together, default {@value #DEFAULT_TOTAL_BYTES}
 *                   (128 MiB)
 * @param localCount most bindings of this node's own sockets (count), default {@value #DEFAULT_LOCAL_COUNT}
 *                   (the kernel's {@code TIPC_MAX_PUBL}); beyond it a bind fails as in the kernel
 *                   ({@code tipc_sk_publish} returns -EINVAL)
 * @param localBytes most estimated bytes of this node's own bindings, default {@value #DEFAULT_LOCAL_BYTES} (40 MiB)
 */
public record BindingLimits(int peerCount, long peerBytes, int totalCount, long totalBytes, int localCount,
        long localBytes) {
    /** Default {@link #peerCount()}: {@code TIPC_MAX_PUBL}, the most a conforming (kernel) node can publish. */
    public static final int DEFAULT_PEER_COUNT = 65_535;
    /**
     * Default {@link #peerBytes()}: 40 MiB, i.e. 65 535 bindings at 640 bytes: enough for a kernel node's maximum
     * with every binding on a range of its own (560 bytes each); a peer giving every binding a service type of its
     * own (784 bytes each) is stopped after about 53 000.
     */
    public static final long DEFAULT_PEER_BYTES = 40L << 20;
    /** Default {@link #totalCount()}: 262 144 bindings of all peers together (e.g. 256 nodes with 1 024 each). */
    public static final int DEFAULT_TOTAL_COUNT = 262_144;
    /** Default {@link #totalBytes()}: 128 MiB for the bindings of all peers together. */
    public static final long DEFAULT_TOTAL_BYTES = 128L << 20;
    /** Default {@link #localCount()}: {@code TIPC_MAX_PUBL} (net/tipc/subscr.h). */
    public static final int DEFAULT_LOCAL_COUNT = NameDistributor.TIPC_MAX_PUBL;
    /** Default {@link #localBytes()}: 40 MiB. */
    public static final long DEFAULT_LOCAL_BYTES = 40L << 20;

    /** All defaults. */
    public static final BindingLimits DEFAULT = new BindingLimits(DEFAULT_PEER_COUNT, DEFAULT_PEER_BYTES,
            DEFAULT_TOTAL_COUNT, DEFAULT_TOTAL_BYTES, DEFAULT_LOCAL_COUNT, DEFAULT_LOCAL_BYTES);

    /** @throws IllegalArgumentException if a bound is negative */
    public BindingLimits {
        if (peerCount < 0 || peerBytes < 0 || totalCount < 0 || totalBytes < 0 || localCount < 0 || localBytes < 0) {
            throw new IllegalArgumentException("negative binding limit");
        }
    }

    /** True if {@code count} bindings of {@code bytes} are within 3/4 of both given bounds: an episode is over. */
    static boolean wellUnder(int count, long bytes, int maxCount, long maxBytes) {
        return count <= maxCount / 4 * 3 && bytes <= maxBytes / 4 * 3;
    }
}
