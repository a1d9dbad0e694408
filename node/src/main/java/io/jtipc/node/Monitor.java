package io.jtipc.node;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.jtipc.wire.MonitorDomain;
import io.jtipc.wire.Seqno;
import io.jtipc.wire.Tipc;

/**
 * Neighbour monitoring of one bearer ({@code struct tipc_monitor}, net/tipc/monitor.c of Linux 6.1), sans-IO.
 *
 * <p>The peers of the bearer form a circular list in ascending address order starting after this node. This node
 * continuously monitors its own <em>domain</em> (the next {@code dom_size(N) - 1} members of the list, N the peer
 * count including itself, dom_size = ⌈√N⌉ capped at {@link #MAX_DOMAIN}) and the <em>heads</em>: the first up peer
 * after each domain as reported by the peers' own domain records. A peer that is neither is not probed while the
 * link is quiet; its loss is learned from its head's domain record ({@code down_cnt}), which starts probing it, and
 * {@link #MAX_PEER_DOWN_EVENTS} such reports reset its link. Monitoring is active only with more than
 * {@link Net#monThreshold} peers (TIPC_DEF_MON_THRESHOLD 32); below it every peer is monitored (full mesh).
 *
 * <p>Faster than the kernel, same wire (issue 16: a killed node detected by all within the direct-supervision bound,
 * tolerance + 2 node-timer ticks, plus one message latency). The kernel acts on both events below only at the next
 * node-timer tick, which puts the non-monitoring nodes' detection at about 2 × tolerance; jtipc acts at once, at the
 * end of the core call that caused them ({@link Net#post}):
 * <ul>
 * <li><b>Record push.</b> When this node takes a link down and its own domain record changes (a member lost,
 * {@code tipc_mon_peer_down} → {@code mon_update_local_domain}, dom_gen + 1) while monitoring is active, the new
 * record goes at once to every peer of the bearer whose link is up, in one STATE probe each
 * ({@link #pushRecord}). The kernel sends the same record to the same peers at its next tick anyway (every link
 * whose peer has not acked the new generation is probing); the push only moves that round forward, and since it is
 * a probe the peers' replies ack the generation so that round is not repeated at the tick. Bound: at most one STATE
 * per up peer per domain change (changes within one core call share one push), counted in {@link #recordPushes},
 * and at most {@link #PUSH_BURST} pushes at once, then one per {@link #PUSH_REFILL_MS} (a peer flapping its link
 * changes the domain at every flap: each flap cost a STATE to every peer; a change past the bound waits for the
 * ticks, kernel timing, counted in {@link #pushesLeftToTicks}). Idle ticks are unchanged: no domain change, no push.</li>
 * <li><b>Loss confirmed at once.</b> The kernel counts reports of a member's loss in a plain counter
 * ({@code down_cnt}, mon_identify_lost_members): every received record that flips the member's up bit adds one,
 * whoever sent it, so one peer alone can reach {@link #MAX_PEER_DOWN_EVENTS}; the kernel then resets the link at its
 * next tick ({@code tipc_mon_get_state} → {@code state->reset}) unless the member's own record clears the count
 * first. jtipc keeps that tick rule unchanged ({@link #getState}) and in addition remembers up to four distinct
 * reporter addresses per member ({@code Peer.reporters}, cleared whenever down_cnt goes to 0 or the member's link
 * comes back): when a received record makes them four <em>distinct</em> peers, the member's link is failed in the
 * same receive event ({@link #failConfirmed}) through the path a supervision timeout takes (link FSM failure, then
 * the node's link down: failover or reset, node down, bindings withdrawn). Counted in {@link #confirmedLosses}. A
 * single peer, however many records it sends, never triggers it. At the default threshold every monitored cluster
 * has N ≥ 33, so ⌈√N⌉ - 1 ≥ 5 peers hold any member in their domain and four distinct reports are reachable; with
 * a threshold lowered below 16 (⌈√N⌉ - 1 ≤ 3), the loss is confirmed by probing after the first report, as in the
 * kernel (about one tolerance later).</li>
 * <li><b>Suspect probed at once.</b> When a member's down_cnt goes from 0 to 1 (its first report) and our link to
 * it is up, one STATE probe goes to it at the end of the call ({@link #probeSuspects}; at most one per member per
 * suspicion, and at most {@link #MAX_PEER_DOWN_EVENTS} per member per keepalive interval, so a peer flipping a
 * member down and up in its records gets at most four probes a tick out of us where the kernel's tick sends one;
 * counted in {@link #suspectProbes}); the kernel sends it at the link's next tick. A live member answers
 * with its own record, which clears down_cnt ({@link #rcv}) long before four distinct monitors have reported it,
 * so monitors that lost only their own path to it do not make us drop ours. Remaining window: if all four distinct
 * reports arrive within one round trip of the first (before the reply), the link is failed although the member is
 * alive; it comes back up through discovery (the kernel would not reset it when the reply precedes its tick).</li>
 * </ul>
 *
 * <p>Received records are checked as 6.1's tipc_mon_rcv does (the CVE-2022-0435 checks): a record with
 * {@code member_cnt} above 64, or whose {@code len} or byte count is not 16 + 4 × member_cnt, is dropped and counted
 * ({@link #rejectedRecords}). A generation more than {@link #MAX_GEN_JUMP} ahead is applied as the kernel applies
 * any forward step below 2^15 (a peer inactive for long may have moved on by thousands) and counted
 * ({@link #genJumps}). Memory: at most one
 * stored record of 64 members per peer (≈ 300 bytes), one own record, and a peer entry (≈ 100 bytes) per peer of the
 * bearer; a peer's record is replaced, never accumulated. Work per received record: O(64) to decode, apply and
 * compare it, O(log N) to find the peer, plus the role reassignment ({@code mon_assign_roles}) which walks from the
 * sender's head until it meets an unchanged head — O(64) when roles do not change, O(N) at worst as in the kernel.
 *
 * <p>Not thread safe: owned by the node core.
 */
public final class Monitor {
    /** MAX_MON_DOMAIN: maximum members in a domain record (count); a record is at most 16 + 4 × 64 = 272 bytes. */
    public static final int MAX_DOMAIN = MonitorDomain.MAX_MEMBERS;
    /** TIPC_DEF_MON_THRESHOLD: monitoring is active above this many peers (count, including self). */
    public static final int DEF_THRESHOLD = 32;
    /**
     * Upper bound of the configurable threshold (count of peers): TIPC_CLUSTER_SIZE, 4 095 (uapi tipc.h; monitor.c
     * tipc_nl_monitor_set_threshold refuses more with EINVAL).
     */
    public static final int MAX_THRESHOLD = 4095;
    /** MAX_PEER_DOWN_EVENTS: reports of a peer's loss by its head after which its link is reset (count). */
    static final int MAX_PEER_DOWN_EVENTS = 4;
    /** MON_TIMEOUT: period of the domain-size re-check (mon_timeout), ms; the kernel adds up to 65 s of jitter. */
    static final long MON_TIMEOUT = 120_000;
    /**
     * A received generation more than this ahead of the last one applied (16-bit serial arithmetic) is counted
     * ({@link #genJumps}) and applied, as the kernel does: a peer that ran below the activation threshold sent no
     * records while its generation rose with every change of its domain, so a large step is legitimate.
     */
    public static final int MAX_GEN_JUMP = 1024;

    /** struct tipc_peer: one peer (or self) and its latest domain record. */
    static final class Peer {
        final int addr;
        Peer prev, next;
        /** The peer's domain record (members, up_map, gen), or null. */
        int[] members;
        int memberCnt;
        long upMap;
        int gen;
        int applied;
        /** down_cnt: reports of this peer's loss, counted as monitor.c counts them (one reporter may count twice). */
        int downCnt;
        /**
         * jtipc: the distinct peers (addresses) that reported this peer lost since {@link #downCnt} was last 0, at
         * most {@link #MAX_PEER_DOWN_EVENTS}; only these arm the fast path ({@link #failConfirmed}). 16 bytes.
         */
        final int[] reporters = new int[MAX_PEER_DOWN_EVENTS];
        int reporterCnt;
        /** jtipc: the immediate STATE probe of this suspicion was queued ({@link #suspectProbes}); cleared with it. */
        boolean probed;
        /**
         * jtipc: start (ms) of the current keepalive interval of immediate probes to this peer, and how many went in
         * it (not cleared with the suspicion): at most {@link #MAX_PEER_DOWN_EVENTS} per interval, however often a
         * peer's records flip it down and up.
         */
        long probeWindowStart = Long.MIN_VALUE / 2;
        int probesInWindow;
        boolean up, head, local;

        Peer(int addr) {
            this.addr = addr;
            prev = this;
            next = this;
        }

        /** The suspicion ends (down_cnt = 0, or the peer's link came back): reporters and probe flag cleared. */
        void clearSuspicion() {
            downCnt = 0;
            reporterCnt = 0;
            probed = false;
        }

        /**
         * Notes {@code addr} as a reporter of this peer's loss if it is new and there is room.
         *
         * @return true if this made {@link #MAX_PEER_DOWN_EVENTS} distinct reporters
         */
        boolean addReporter(int addr) {
            for (int i = 0; i < reporterCnt; i++) if (reporters[i] == addr) return false;
            if (reporterCnt == reporters.length) return false;
            reporters[reporterCnt++] = addr;
            return reporterCnt == MAX_PEER_DOWN_EVENTS;
        }
    }

    /** struct tipc_mon_state: one link's view of the monitor (per link, reset with the link). */
    static final class State {
        int listGen, peerGen, ackedGen;
        /** jtipc: the own generation last sent in full on this link ({@link #prep}), -1 if none; spares a push. */
        int sentGen = -1;
        boolean probing, monitoring, reset, synched;

        void clear() {
            listGen = peerGen = ackedGen = 0;
            sentGen = -1;
            probing = monitoring = reset = synched = false;
        }
    }

    private final Net net;
    /** The node table whose links {@link #pushRecord} and {@link #failConfirmed} act on; null in unit tests. */
    private final NodeTable nodes;
    final int bearerId;
    private final Peer self;
    /** The peers by unsigned address (O(log N) lookup and ordered insertion), self included. */
    private final TreeMap<Long, Peer> peers = new TreeMap<>();
    int peerCnt = 1;
    int listGen, domGen;
    /** Own outgoing record, wire form (mon->cache). */
    private final byte[] cache = new byte[MonitorDomain.HEADER + 4 * MAX_DOMAIN];
    private final MonitorDomain cacheView = new MonitorDomain();
    private final MonitorDomain rcvView = new MonitorDomain();
    private long nextCheck = -1;
    /** Counters: records applied, records rejected as malformed, records applied after a generation jump. */
    long appliedRecords, rejectedRecords, genJumps;
    /**
     * STATE messages sent by {@link #pushRecord} (count), links failed at once by {@link #failConfirmed}, and STATE
     * probes sent at once to a member on its first loss report ({@link #probeSuspects}).
     */
    long recordPushes, confirmedLosses, suspectProbes;
    /** A record push is due ({@link #peerDown} changed the own domain), and the deferred work is posted. */
    private boolean pushDue, posted;
    /** jtipc bound on record pushes: at most this many at once (token bucket; see the class doc). */
    static final int PUSH_BURST = 8;
    /** jtipc bound on record pushes: one more allowed per this many ms, ms. */
    static final long PUSH_REFILL_MS = 1_000;
    /** Pushes allowed now ({@link #PUSH_BURST} at most) and when the bucket was last refilled, ms. */
    private int pushTokens = PUSH_BURST;
    private long pushRefilledAt = Long.MIN_VALUE;
    /** Domain changes whose push the bound left to the links' ticks (count). */
    private long pushesLeftToTicks;
    /**
     * Members whose down_cnt reached {@link #MAX_PEER_DOWN_EVENTS} in a received record, to be failed at the end of
     * the call: at most {@link #MAX_DOMAIN} (one record's members; a further one waits for its link's tick).
     */
    private final int[] confirmed = new int[MAX_DOMAIN];
    private int confirmedCnt;
    /**
     * Members whose down_cnt went from 0 to 1 in this call, to be probed at its end ({@link #probeSuspects}): at most
     * {@link #MAX_DOMAIN} per call (one record's members; a further one is probed by its link's tick, as the kernel).
     */
    private final int[] suspects = new int[MAX_DOMAIN];
    private int suspectCnt;

    Monitor(Net net, int bearerId) {
        this(net, bearerId, null);
    }

    Monitor(Net net, int bearerId, NodeTable nodes) {
        this.net = net;
        this.nodes = nodes;
        this.bearerId = bearerId;
        self = new Peer(net.ownAddr);
        self.up = true;
        self.head = true;
        self.members = new int[MAX_DOMAIN];
        peers.put(key(self.addr), self);
        cacheView.wrap(cache, 0, cache.length).setLen(MonitorDomain.HEADER);
    }

    private static long key(int addr) { return addr & 0xffffffffL; }

    /** dom_size(): ⌈√peers⌉ capped at {@link #MAX_DOMAIN}; own domain = dom_size - 1 members. */
    static int domSize(int peers) {
        int i = 0;
        while (i * i < peers) i++;
        return Math.min(i, MAX_DOMAIN);
    }

    /** tipc_mon_is_active: more than the threshold peers (count including self). */
    boolean active() { return peerCnt > net.monThreshold; }

    private static boolean upBit(long map, int i) { return (map >>> i & 1) != 0; }

    private Peer head(Peer p) {
        while (!p.head) p = p.prev;
        return p;
    }

    /** mon_identify_lost_members: members the peer reported up before and down now (or dropped) are suspected. */
    private void identifyLost(Peer peer, int[] befMembers, long befUpMap, int appliedBef) {
        Peer member = peer;
        for (int i = 0; i < appliedBef; i++) {
            member = member.next;
            if (!member.up || !upBit(befUpMap, i)) continue;
            if (member.local) continue; // loss of a local member is detected by our own probing
            if (peer.applied == 0 || peer.applied < i) {
                boolean first = member.downCnt == 0;
                member.clearSuspicion();
                member.downCnt = 1;
                member.addReporter(peer.addr);
                if (first) suspect(member);
                continue;
            }
            if (upBit(peer.upMap, i)) continue;
            if (member.downCnt == 0) suspect(member);
            member.downCnt = Math.min(member.downCnt + 1, 255);
            if (member.addReporter(peer.addr) && confirmedCnt < confirmed.length) {
                confirmed[confirmedCnt++] = member.addr;
                schedule();
            }
        }
    }

    /** jtipc: queues the one immediate STATE probe of a member's new suspicion (bounded by {@link #suspects}). */
    private void suspect(Peer member) {
        if (member.probed || nodes == null || suspectCnt == suspects.length) return;
        member.probed = true;
        suspects[suspectCnt++] = member.addr;
        schedule();
    }

    /** mon_apply_domain: how many of the peer's reported members match the list following it. */
    private void applyDomain(Peer peer) {
        if (peer.members == null || !peer.up) return;
        peer.applied = 0;
        Peer member = peer.next;
        for (int i = 0; i < peer.memberCnt; i++) {
            if (peer.members[i] != member.addr) return;
            peer.applied++;
            member = member.next;
        }
    }

    /** mon_update_local_domain: recompute the own record; a new generation if anything changed. */
    private void updateLocalDomain() {
        long prevUp = self.upMap;
        int cnt = domSize(peerCnt) - 1;
        self.applied = cnt;
        boolean diff = self.memberCnt != cnt;
        self.memberCnt = cnt;
        Peer p = self;
        for (int i = 0; i < cnt; i++) {
            p = p.next;
            diff |= self.members[i] != p.addr;
            self.members[i] = p.addr;
            self.upMap = p.up ? self.upMap | 1L << i : self.upMap & ~(1L << i);
            cacheView.setMember(i, p.addr);
        }
        diff |= self.upMap != prevUp;
        if (!diff) return;
        domGen = (domGen + 1) & 0xffff;
        self.gen = domGen;
        cacheView.setLen(MonitorDomain.HEADER + 4 * cnt).setGen(domGen).setMemberCnt(cnt).setUpMap(self.upMap);
        applyDomain(self);
    }

    /** mon_update_neighbors: re-apply the records of the dom_size peers preceding (and including) {@code p}. */
    private void updateNeighbors(Peer p) {
        int dz = domSize(peerCnt);
        for (int i = 0; i < dz; i++) {
            applyDomain(p);
            p = p.prev;
        }
    }

    /** mon_assign_roles: walk from {@code head}, marking domain members and the next heads. */
    private void assignRoles(Peer head) {
        Peer p = head.next;
        int i = 0;
        for (; p != self; p = p.next) {
            p.local = false;
            if (i++ < head.applied) {
                p.head = false;
                if (head == self) p.local = true;
                continue;
            }
            if (!p.up) continue;
            if (p.head) break;
            head = p;
            head.head = true;
            i = 0;
        }
        listGen = (listGen + 1) & 0xffff;
    }

    /** tipc_mon_peer_up (from the node's TIPC_NOTIFY_LINK_UP): adds the peer if new and marks it up. */
    void peerUp(int addr) {
        Peer p = peers.get(key(addr));
        if (p == null) p = add(addr);
        p.up = true;
        p.reporterCnt = 0; // jtipc: a new link needs four new distinct reports for the fast path (down_cnt kept)
        p.probed = false;
        Peer h = head(p);
        if (h == self) updateLocalDomain();
        assignRoles(h);
    }

    /** tipc_mon_add_peer: insert into the circular list in ascending order after self (O(log N)). */
    private Peer add(int addr) {
        Peer p = new Peer(addr);
        Map.Entry<Long, Peer> e = peers.higherEntry(key(addr));
        Peer cur = e != null ? e.getValue() : peers.firstEntry().getValue();
        // insert before cur: cur is the smallest address above addr (wrapping), so the order stays circular
        p.prev = cur.prev;
        p.next = cur;
        cur.prev.next = p;
        cur.prev = p;
        peers.put(key(addr), p);
        peerCnt++;
        updateNeighbors(p);
        return p;
    }

    /**
     * tipc_mon_peer_down (TIPC_NOTIFY_LINK_DOWN): the peer's record is dropped; a head's members are suspected. If the
     * own record changes while monitoring is active, it is pushed to every up peer at the end of the call.
     */
    void peerDown(int addr) {
        Peer p = peers.get(key(addr));
        if (p == null || p == self) return;
        int appliedBef = p.applied;
        int[] bef = p.members;
        long befUp = p.upMap;
        p.applied = 0;
        p.members = null;
        p.memberCnt = 0;
        if (p.head && bef != null) identifyLost(p, bef, befUp, appliedBef);
        p.up = false;
        p.head = false;
        p.local = false;
        p.clearSuspicion();
        Peer h = head(p);
        if (h == self) {
            int gen = domGen;
            updateLocalDomain();
            if (gen != domGen && active()) {
                pushDue = true;
                schedule();
            }
        }
        assignRoles(h);
    }

    /** Posts {@link #runDeferred} once (the end of the current core call), if there is a node table to act on. */
    private void schedule() {
        if (posted || nodes == null) return;
        posted = true;
        net.post(this::runDeferred);
    }

    /** The deferred work of this call: confirmed losses first (their own records may change), then the push. */
    private void runDeferred(long now, Outbox out) {
        posted = false;
        if (out == null) return; // not inside a core call: the links' ticks do it (kernel timing)
        failConfirmed(now, out);
        probeSuspects(now, out);
        if (pushDue) {
            if (takePushToken(now)) {
                pushRecord(out);
            } else {
                pushDue = false;
                pushesLeftToTicks++;
            }
        }
    }

    /** Takes one push from the bucket, refilled at one per {@link #PUSH_REFILL_MS}; false if it is empty. */
    private boolean takePushToken(long now) {
        if (pushRefilledAt == Long.MIN_VALUE) pushRefilledAt = now;
        long refill = (now - pushRefilledAt) / PUSH_REFILL_MS;
        if (refill > 0) {
            pushTokens = (int) Math.min(PUSH_BURST, pushTokens + refill);
            pushRefilledAt += refill * PUSH_REFILL_MS;
        }
        if (pushTokens == 0) return false;
        pushTokens--;
        return true;
    }

    /**
     * jtipc: sends one STATE probe to each member first reported lost in this call whose link on this bearer is up
     * and which is still suspected, so that its reply (its own record, {@link #rcv}) ends the suspicion before more
     * reports arrive; the kernel probes it at the link's next tick. At most one per member per suspicion, counted in
     * {@link #suspectProbes}, and at most {@link #MAX_PEER_DOWN_EVENTS} per member per keepalive interval of its node
     * ({@link Peer#probesInWindow}): enough for four suspicions (the most the fast path can need before its tick).
     * The link's monitor state is marked probing, as tipc_mon_get_state would at the tick, so that the reply clears
     * down_cnt even when it carries no newer generation.
     */
    void probeSuspects(long now, Outbox out) {
        if (!active()) suspectCnt = 0;
        while (suspectCnt > 0) {
            int addr = suspects[--suspectCnt];
            Peer p = peers.get(key(addr));
            Node n = nodes.find(addr);
            Link l = n == null ? null : n.link(bearerId);
            if (p == null || p.downCnt == 0 || l == null || !l.isUp()) continue;
            l.monState.probing = true; // the tick probes it anyway while it is suspected
            if (now - p.probeWindowStart >= n.keepaliveIntv) {
                p.probeWindowStart = now;
                p.probesInWindow = 0;
            }
            if (p.probesInWindow == MAX_PEER_DOWN_EVENTS) continue;
            p.probesInWindow++;
            if (l.buildProto(Tipc.STATE_MSG, true, false, 0, out) > 0) suspectProbes++;
        }
    }

    /**
     * Fails the link of each member four distinct peers reported lost ({@link #MAX_PEER_DOWN_EVENTS}), as its tick would
     * (link.c tipc_link_timeout: mstate->reset → LINK_FAILURE_EVT), without waiting for it. A member confirmed in
     * the meantime (a record of its own reset down_cnt and its reporters) or whose link is no longer up is skipped.
     */
    void failConfirmed(long now, Outbox out) {
        if (!active()) confirmedCnt = 0; // as tipc_mon_get_state: no reset while monitoring is inactive
        while (confirmedCnt > 0) {
            int addr = confirmed[--confirmedCnt];
            Peer p = peers.get(key(addr));
            Node n = nodes.find(addr);
            Link l = n == null ? null : n.link(bearerId);
            if (p == null || p.reporterCnt < MAX_PEER_DOWN_EVENTS || l == null || !l.isUp()) continue;
            l.logReset("peer reported lost by " + p.reporterCnt + " distinct peers' domain records (monitor, at once)");
            confirmedLosses++;
            if ((l.fsmFailure() & Link.LINK_DOWN_EVT) != 0) n.linkDown(l, now, out);
        }
    }

    /**
     * Sends the own (changed) record at once in a STATE probe to every peer whose link on this bearer is up, has not
     * acked the current generation and was not sent it yet (a link whose tick ran later in the same timer call did
     * that already); {@link #recordPushes} counts them. At most one per up peer per call.
     */
    void pushRecord(Outbox out) {
        pushDue = false;
        if (!active()) return;
        for (Node n : nodes.all()) {
            Link l = n.link(bearerId);
            if (l == null || !l.isUp() || l.monState.ackedGen == domGen || l.monState.sentGen == domGen) continue;
            if (l.buildProto(Tipc.STATE_MSG, true, false, 0, out) > 0) recordPushes++;
        }
    }

    /** tipc_mon_remove_peer (link deleted): the peer leaves the list; at or below the threshold all records go. */
    void removePeer(int addr) {
        Peer p = peers.get(key(addr));
        if (p == null || p == self) return;
        Peer prev = p.prev;
        prev.next = p.next;
        p.next.prev = prev;
        peers.remove(key(addr));
        peerCnt--;
        Peer h = head(prev);
        if (h == self) updateLocalDomain();
        updateNeighbors(prev);
        if (!active()) {
            for (Peer x = self.next; x != self; x = x.next) {
                x.members = null;
                x.memberCnt = 0;
                x.applied = 0;
            }
        }
        assignRoles(h);
    }

    /**
     * tipc_mon_rcv: a domain record received in a STATE message from {@code addr}.
     *
     * @param dlen bytes after the gap-ACK record; 0 = no record (only ends a probe wait)
     */
    void rcv(byte[] buf, int off, int dlen, int addr, State st) {
        boolean probing = st.probing;
        st.probing = false;
        if (dlen <= 0) return;
        MonitorDomain d = rcvView.wrap(buf, off, dlen);
        int cnt = dlen >= MonitorDomain.HEADER ? d.memberCnt() : -1;
        int need = MonitorDomain.HEADER + 4 * cnt;
        if (cnt < 0 || cnt > MAX_DOMAIN || d.len() != need || dlen != need) {
            rejectedRecords++;
            return;
        }
        int gen = d.gen();
        int acked = d.ackGen();
        if (!st.synched) {
            st.peerGen = (gen - 1) & 0xffff;
            st.ackedGen = acked;
            st.synched = true;
        }
        if (Seqno.more(acked, st.ackedGen)) st.ackedGen = acked;
        int jump = (gen - st.peerGen) & 0xffff;
        boolean newer = Seqno.more(gen, st.peerGen); // monitor.c: more(new_gen, peer_gen), a jump of 1 to 0x8000
        if (jump > MAX_GEN_JUMP && newer) genJumps++; // applied below, as the kernel does
        if (!newer && !probing) return;
        Peer p = peers.get(key(addr));
        if (p == null || !p.up || p == self) return;
        p.clearSuspicion(); // the peer is confirmed: stop any probing of it
        if (!newer) return;
        st.peerGen = gen;
        int[] bef = p.members;
        long befUp = p.upMap;
        int appliedBef = p.applied;
        int[] m = new int[cnt];
        for (int i = 0; i < cnt; i++) m[i] = d.member(i);
        p.members = m;
        p.memberCnt = cnt;
        p.upMap = d.upMap();
        p.gen = gen;
        appliedRecords++;
        applyDomain(p);
        if (bef != null) identifyLost(p, bef, befUp, appliedBef);
        assignRoles(head(p));
    }

    /**
     * tipc_mon_prep: writes the own record for a STATE message to the peer of {@code st}: nothing when monitoring is
     * inactive, a 16-byte header acking the peer when the peer has our generation, else the full record.
     *
     * @return the bytes written at {@code off} (0, 16 or up to 272)
     */
    int prep(byte[] b, int off, State st) {
        if (!active()) return 0;
        MonitorDomain d = rcvView.wrap(b, off, b.length - off);
        if (st.ackedGen == domGen) {
            d.setLen(MonitorDomain.HEADER).setGen(domGen).setAckGen(st.peerGen).setMemberCnt(0).setUpMap(0);
            return MonitorDomain.HEADER;
        }
        int len = cacheView.len();
        System.arraycopy(cache, 0, b, off, len);
        st.sentGen = domGen;
        d.setAckGen(st.peerGen);
        return len;
    }

    /**
     * tipc_mon_get_state: probing (own record unacked while active, or peer suspected), reset (suspected
     * {@link #MAX_PEER_DOWN_EVENTS} times), monitoring (domain member or head).
     */
    void getState(int addr, State st) {
        if (!active()) { // as the kernel: below the threshold every peer is monitored, none probed for a record
            st.probing = false;
            st.monitoring = true;
            return;
        }
        if (!st.probing && st.listGen == listGen && st.ackedGen == domGen) return;
        Peer p = peers.get(key(addr));
        if (p == null) return;
        st.probing = st.ackedGen != domGen || p.downCnt != 0;
        st.reset |= p.downCnt >= MAX_PEER_DOWN_EVENTS;
        st.monitoring = p.local || p.head;
        st.listGen = listGen;
    }

    /** mon_timeout, from the node timer: every {@link #MON_TIMEOUT} ms the own domain is resized to the peer count. */
    void tick(long now) {
        if (nextCheck < 0) nextCheck = now + MON_TIMEOUT;
        if (now < nextCheck) return;
        nextCheck = now + MON_TIMEOUT;
        if (domSize(peerCnt) - 1 != self.applied) {
            updateLocalDomain();
            assignRoles(self);
        }
    }

    // ------------------------------------------------------------------ introspection (tipc link monitor)

    /** Peers on this bearer, self included (count). */
    public int peerCount() { return peerCnt; }

    /** The node's threshold: monitoring is active above this many peers (count). */
    public int threshold() { return net.monThreshold; }

    /** This node's address (the list's start). */
    public int selfAddress() { return self.addr; }

    /** True when monitoring is active (more than the threshold peers). */
    public boolean isActive() { return active(); }

    /** Own domain generation and list generation (16-bit). */
    public int domainGeneration() { return domGen; }

    public int listGeneration() { return listGen; }

    /**
     * Size of the own domain record as sent in STATE messages while active, bytes: 16 + 4 × (dom_size - 1) with
     * dom_size = ⌈√peers⌉ capped at {@link #MAX_DOMAIN} (monitor.c dom_rec_len); 0 while inactive (no record sent).
     */
    public int ownRecordBytes() { return active() ? cacheView.len() : 0; }

    /** Records applied, rejected as malformed, applied after a generation jump above {@link #MAX_GEN_JUMP}. */
    public long appliedRecords() { return appliedRecords; }

    public long rejectedRecords() { return rejectedRecords; }

    public long genJumps() { return genJumps; }

    /**
     * STATE probes that pushed a changed own record to the up peers at once (count; at most one per up peer per
     * domain change, none while the cluster is idle).
     */
    public long recordPushes() { return recordPushes; }

    /** Domain changes whose push {@link #PUSH_BURST} / {@link #PUSH_REFILL_MS} left to the links' ticks (count). */
    public long pushesLeftToTicks() { return pushesLeftToTicks; }

    /** Links failed in the receive path because four distinct peers' records reported their peer lost (count). */
    public long confirmedLosses() { return confirmedLosses; }

    /**
     * STATE probes sent at once to a member on its first loss report (count): at most one per member per suspicion;
     * a live member's reply ends the suspicion, so at most one per loss report received (a report is one applied
     * record flipping the member's up bit).
     */
    public long suspectProbes() { return suspectProbes; }

    /** One peer as {@code tipc link monitor list} shows it. */
    public record PeerView(int addr, boolean up, boolean head, boolean local, int applied, int downCount,
                           int domainGen, long upMap, int[] members) { }

    /** The list in monitor order, starting after self (O(N), for the management interface only). */
    public List<PeerView> peers() {
        List<PeerView> r = new ArrayList<>(peerCnt);
        for (Peer p = self.next; ; p = p.next) {
            boolean dom = p.members != null; // monitor.c __tipc_nl_add_monitor_peer: DOMGEN, UPMAP only with a domain
            int[] m = dom ? java.util.Arrays.copyOf(p.members, p.memberCnt) : new int[0];
            r.add(new PeerView(p.addr, p.up, p.head, p.local, p.applied, p.downCnt, dom ? p.gen : 0, dom ? p.upMap : 0,
                m));
            if (p == self) break;
        }
        return r;
    }

    /**
     * Up peers this node continuously monitors (its domain members and the heads, what {@link #getState} tells the
     * links), count; with no records applied (below the threshold) that is every up peer.
     */
    public int monitoredCount() {
        int n = 0;
        for (Peer p = self.next; p != self; p = p.next) if (p.up && (p.local || p.head)) n++;
        return n;
    }
}
