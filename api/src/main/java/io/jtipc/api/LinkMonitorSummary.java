package io.jtipc.api;

import java.util.ArrayList;
import java.util.List;

import io.jtipc.node.Bearer;
import io.jtipc.node.Link;
import io.jtipc.node.LinkSettings;
import io.jtipc.node.Monitor;
import io.jtipc.node.NodeCore;

/**
 * One bearer's neighbour monitor (Linux 6.1 monitor.c), as {@code tipc link monitor summary} and
 * {@code tipc link monitor list} show it.
 *
 * @param bearer the bearer's name
 * @param selfAddress this node's address (the start of the monitor's ring)
 * @param peerCount peers on the bearer, this node included (the kernel's cluster_size)
 * @param threshold monitoring is active above this many peers (default 32, TIPC_DEF_MON_THRESHOLD)
 * @param active true when peerCount exceeds threshold (domain records are sent)
 * @param monitored up peers this node continuously monitors (domain members and heads: every up peer while no
 *        domain records are applied)
 * @param listGeneration the kernel's list_gen (16 bits), changed at each role reassignment
 * @param domainGeneration the own domain record's generation (16 bits)
 * @param appliedRecords peers' domain records applied
 * @param rejectedRecords records rejected as malformed (len, member_cnt above 64, truncated)
 * @param genJumps records applied although their generation was more than {@link Monitor#MAX_GEN_JUMP} ahead (a
 *                 peer back from below the threshold; the kernel applies them too)
 * @param recordBytes size of the own domain record sent in STATE messages while active, bytes: 16 + 4 × (dom_size - 1),
 *                    dom_size = ⌈√peerCount⌉ capped at 64 (monitor.c dom_rec_len); 0 while inactive
 * @param probesSent probe STATE messages sent so far on this bearer's links (count, since each link was created): in an
 *                   idle cluster about one per monitored peer per node timer tick (tolerance / 4)
 * @param peers the ring in order, starting after this node and ending with it
 * @param recordPushes STATE probes that pushed this node's changed domain record to every up peer at once when it lost
 *                     a domain member (jtipc, issue 16: the kernel sends it at the next tick; at most one per up peer
 *                     per domain change, none while the cluster is idle)
 * @param confirmedLosses links failed at once because four distinct peers' records reported their peer lost (jtipc;
 *                        the kernel counts MAX_PEER_DOWN_EVENTS = 4 reports whoever sent them and fails the link at
 *                        its next tick unless the peer's own record clears the count first)
 */
public record LinkMonitorSummary(String bearer, int selfAddress, int peerCount, int threshold, boolean active,
                                 int monitored, int listGeneration, int domainGeneration, long appliedRecords,
                                 long rejectedRecords, long genJumps, int recordBytes, long probesSent,
                                 List<Peer> peers, long recordPushes, long confirmedLosses) {

    /**
     * One entry of the ring ({@code tipc link monitor list}).
     *
     * @param address the peer's node address
     * @param up the link to it is up
     * @param head it heads a domain this node monitors
     * @param local it is in this node's own domain
     * @param applied how many members of its last record match the ring after it
     * @param downCount reports of its loss by its head (4 reset its link)
     * @param domainGeneration generation of its last record applied
     * @param upMap its last record's up_map (bit i: member i up)
     * @param members its last record's members (at most 64)
     */
    public record Peer(int address, boolean up, boolean head, boolean local, int applied, int downCount,
                       int domainGeneration, long upMap, List<Integer> members) {
        /** Copies {@code members} (an unmodifiable list). @throws NullPointerException if it is null */
        public Peer {
            members = List.copyOf(members);
        }

        /** Monitored directly: a local domain member or a head. */
        public boolean monitored() { return local || head; }
    }

    /** Copies {@code peers} (an unmodifiable list). @throws NullPointerException if it is null */
    public LinkMonitorSummary {
        peers = List.copyOf(peers);
    }

    /** Snapshots of every bearer with a monitor (bearers that never had a link have none). On the loop thread. */
    static List<LinkMonitorSummary> of(NodeCore core) {
        List<LinkMonitorSummary> r = new ArrayList<>();
        for (int i = 0; i < Bearer.MAX_BEARERS; i++) {
            Bearer b = core.bearer(i);
            Monitor m = b == null ? null : b.monitor();
            if (m == null) continue;
            List<Peer> ps = new ArrayList<>();
            for (Monitor.PeerView v : m.peers()) {
                List<Integer> mem = new ArrayList<>(v.members().length);
                for (int a : v.members()) mem.add(a);
                ps.add(new Peer(v.addr(), v.up(), v.head(), v.local(), v.applied(), v.downCount(), v.domainGen(),
                    v.upMap(), mem));
            }
            long probes = 0;
            for (Link l : core.links()) if (l.bearerId() == i) probes += l.sentProbes();
            r.add(new LinkMonitorSummary(b.config().name(), m.selfAddress(), m.peerCount(), LinkSettings.monitorThreshold(core),
                m.isActive(), m.monitoredCount(), m.listGeneration(), m.domainGeneration(), m.appliedRecords(),
                m.rejectedRecords(), m.genJumps(), m.ownRecordBytes(), probes, ps, m.recordPushes(), m.confirmedLosses()));
        }
        return r;
    }

    /** The kernel's summary line: "bearer NAME node ADDR cluster_size N algorithm overlapping-ring status S ...". */
    @Override
    public String toString() {
        return "bearer " + bearer + " node " + Integer.toHexString(selfAddress) + " cluster_size " + peerCount
            + " algorithm overlapping-ring status " + (active ? "active" : "inactive") + " monitor_threshold "
            + threshold + " monitored " + monitored + " rejected_records " + (rejectedRecords);
    }
}
