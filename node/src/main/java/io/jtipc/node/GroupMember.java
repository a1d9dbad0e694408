package io.jtipc.node;

import java.util.ArrayList;

/**
 * One other member of a {@link Group} as a group socket sees it (Linux 6.1 net/tipc/group.c {@code struct tipc_member}):
 * its socket address {node, port}, its member instance, its state, the flow-control windows both ways and the
 * broadcast sequence state of what it sends to us. All window and sequence fields are 16-bit (u16 in group.c) and kept
 * masked to 16 bits here.
 */
final class GroupMember {
    /** group.c enum mbr_state, in the kernel's order. */
    enum State { MBR_JOINING, MBR_PUBLISHED, MBR_JOINED, MBR_PENDING, MBR_ACTIVE, MBR_RECLAIMING, MBR_REMITTED, MBR_LEAVING }

    final int node;
    final int port;
    /** The member's instance (its binding {type, instance, instance}); 0 until its binding is seen. */
    int instance;
    State state;
    /** Receive window we advertised to it and it has not used yet, blocks of 1024 bytes (u16). */
    int advertised;
    /** Send window it advertised to us and we have not used yet, blocks (u16). */
    int window;
    /** Next broadcast seqno expected from it (u16). */
    int bcRcvNxt;
    /** Its broadcast seqno at its JOIN or LEAVE: the synch point of our JOINED/LEFT event for it (u16). */
    int bcSyncpt;
    /** Our last broadcast it acknowledged (u16). */
    int bcAcked;
    /** Its messages waiting for earlier broadcasts (group.c deferredq), ordered by broadcast seqno. */
    final ArrayList<byte[]> deferredq = new ArrayList<>();
    /** Bytes held in {@link #deferredq}; bounded by {@link Group#DEFERRED_LIMIT_BYTES}. */
    int deferredBytes;
    /**
     * An arc of bc seqnos (u16) holding every message in {@link #deferredq}: from {@code deferredMin} forward to
     * {@code deferredMax}, shorter than half the sequence space, so that the 16-bit serial order is total on it. A
     * broadcast at or after {@code deferredMax} and less than half the space after {@code deferredMin} is later than
     * or equal to every queued one: it goes to the tail without a walk ({@link Group}'s sortMsg). Bounds left by
     * removed messages stay (the arc still holds the rest). {@link #deferredWalk}: the queue spans more than that (a
     * peer's doing), so every broadcast walks until the queue is empty again.
     */
    int deferredMin;
    int deferredMax;
    boolean deferredWalk;
    /**
     * Its LEFT event was made (at its LEAVE, or at once when its node went down): a repeated LEAVE makes no other
     * (jtipc: group.c queues one per LEAVE, so a peer repeating LEAVE would grow the queue by events, which are never
     * refused). Its node going down still makes the immediate one, as group.c does.
     */
    boolean leftQueued;
    /**
     * jtipc: created by its JOIN and its binding not seen yet; counted against {@code Group.MAX_JOINING} (and per node)
     * until the binding comes or the member is deleted, whatever its state: a JOIN then a LEAVE must not free the count.
     */
    boolean unbound;
    /**
     * jtipc: its binding was withdrawn while its node was up and its LEFT event is not delivered yet; counted against
     * {@code Group.MAX_LINGERING} (and per node) until the member is deleted.
     */
    boolean lingering;

    GroupMember(int node, int port, int instance, State state) {
        this.node = node;
        this.port = port;
        this.instance = instance;
        this.state = state;
    }

    /** The members' tree key of group.c: node in the high 32 bits, port in the low 32 (compared unsigned). */
    static long key(int node, int port) {
        return (long) node << 32 | (port & 0xFFFFFFFFL);
    }

    @Override
    public String toString() {
        return "Member[" + Integer.toHexString(node) + ":" + Integer.toUnsignedString(port) + " inst " + instance + " "
            + state + " win " + window + " adv " + advertised + "]";
    }
}
