package io.jtipc.bearer.udp;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcCodec;

/**
 * The replicast peers of a UDP bearer without multicast ({@code struct udp_replicast} list,
 * {@code tipc_udp_rcast_add} and {@code tipc_udp_rcast_disc}, udp_media.c): the IP:ports every
 * broadcast-class frame is copied to.
 *
 * <p>Peers are configured ({@link #add}, never expire) or learnt from the source of received
 * discovery datagrams ({@link #learnFrom}). Learning is guarded, unlike the kernel's first-byte check:
 * only a datagram that validates as a TIPC frame ({@code TipcCodec.validateFrame}) and is a
 * LINK_CONFIG DSC_REQ/DSC_RESP of the configured net id teaches a peer; at most
 * {@link UdpBearerConfig#maxLearntPeers} are learnt (the rest are counted in {@link #notLearnt()})
 * and a learnt peer silent for {@link UdpBearerConfig#learntPeerExpiryMs} is forgotten
 * ({@link #expire()}, on the configured clock). Whether the sender is a real node is for the core's
 * discovery to decide; this only bounds whom broadcasts are copied to.
 *
 * <p>The list is copy-on-write: {@link #snapshot()} is what a broadcast iterates, so a change made
 * while a broadcast runs takes effect from the next one, and the other peers are not disturbed.
 * Changes are serialised on a lock; reads take none.
 */
final class ReplicastPeers {
    private static final Logger LOG = LoggerFactory.getLogger(UdpBearer.class);

    /** One replicast destination. */
    static final class ReplicastPeer {
        final InetSocketAddress addr;
        /** Its 20-byte raw media address ({@link UdpMedia#mediaAddr}), made once: the batched send's destination. */
        final byte[] media;
        /** Learnt from discovery (counts toward the cap, expires); false for configured peers. */
        final boolean learnt;
        /** Clock ms of the last valid discovery frame from a learnt peer. */
        volatile long lastSeenMs;

        ReplicastPeer(InetSocketAddress addr, boolean learnt, long nowMs) {
            this.addr = addr;
            this.media = UdpMedia.mediaAddr(addr);
            this.learnt = learnt;
            this.lastSeenMs = nowMs;
        }
    }

    private final String bearer;
    private final boolean ipv6;
    private final InetSocketAddress local;
    private final int netId;
    private final int maxLearnt;
    private final long expiryMs;
    private final LongSupplier clockMs;

    private final Object lock = new Object();
    private volatile ReplicastPeer[] peers = new ReplicastPeer[0];
    private volatile long learntCount;
    private volatile long notLearnt;
    private volatile long expired;

    /**
     * @param bearer bearer name for log lines
     * @param ipv6   the bearer's family: peers of the other family are refused
     * @param local  the bearer's own IP:port, never learnt
     * @param cfg    net id, learning cap, expiry and clock
     */
    ReplicastPeers(String bearer, boolean ipv6, InetSocketAddress local, UdpBearerConfig cfg) {
        this.bearer = bearer;
        this.ipv6 = ipv6;
        this.local = local;
        this.netId = cfg.netId();
        this.maxLearnt = cfg.maxLearntPeers();
        this.expiryMs = cfg.learntPeerExpiryMs();
        this.clockMs = cfg.clockMs();
    }

    /** The peers now, for one broadcast (do not change the array). */
    ReplicastPeer[] snapshot() {
        return peers;
    }

    /**
     * Adds a peer ({@code tipc_udp_rcast_add}).
     *
     * @param learnt true when learnt from discovery: then refused (and counted) beyond the cap
     * @return false if it was already a peer, or a learnt one over the cap
     * @throws IllegalArgumentException for a multicast, wildcard, port-0 or other-family address
     */
    boolean add(InetSocketAddress peer, boolean learnt) {
        UdpSockets.checkPeer(ipv6, peer);
        synchronized (lock) {
            ReplicastPeer[] cur = peers;
            int learntNow = 0;
            for (ReplicastPeer p : cur) {
                if (p.addr.equals(peer)) {
                    return false;
                }
                if (p.learnt) {
                    learntNow++;
                }
            }
            if (learnt && learntNow >= maxLearnt) {
                notLearnt++;
                return false;
            }
            ReplicastPeer[] next = Arrays.copyOf(cur, cur.length + 1);
            next[cur.length] = new ReplicastPeer(peer, learnt, learnt ? clockMs.getAsLong() : 0);
            peers = next;
        }
        LOG.debug(bearer + ": new replicast peer " + UdpMedia.format(peer));
        return true;
    }

    /** Removes a peer. @return false if it was not a peer */
    boolean remove(InetSocketAddress peer) {
        synchronized (lock) {
            ReplicastPeer[] cur = peers;
            for (int i = 0; i < cur.length; i++) {
                if (cur[i].addr.equals(peer)) {
                    ReplicastPeer[] next = new ReplicastPeer[cur.length - 1];
                    System.arraycopy(cur, 0, next, 0, i);
                    System.arraycopy(cur, i + 1, next, i, cur.length - i - 1);
                    peers = next;
                    return true;
                }
            }
        }
        return false;
    }

    /** The peers' IP:ports in the order added. */
    List<InetSocketAddress> addresses() {
        ReplicastPeer[] cur = peers;
        List<InetSocketAddress> l = new ArrayList<>(cur.length);
        for (ReplicastPeer p : cur) {
            l.add(p.addr);
        }
        return l;
    }

    /**
     * Removes learnt peers that sent no valid discovery frame for the expiry time; called before
     * each replicast broadcast and before learning a new peer.
     *
     * @return how many were removed
     */
    int expire() {
        long now = clockMs.getAsLong();
        ReplicastPeer[] cur = peers;
        boolean any = false;
        for (ReplicastPeer p : cur) {
            if (p.learnt && now - p.lastSeenMs > expiryMs) {
                any = true;
                break;
            }
        }
        if (!any) {
            return 0;
        }
        int removed = 0;
        synchronized (lock) {
            cur = peers;
            List<ReplicastPeer> keep = new ArrayList<>(cur.length);
            for (ReplicastPeer p : cur) {
                if (p.learnt && now - p.lastSeenMs > expiryMs) {
                    removed++;
                    LOG.info(bearer + ": forgetting learnt replicast peer "
                            + UdpMedia.format(p.addr) + ": no discovery for " + (now - p.lastSeenMs) + " ms");
                } else {
                    keep.add(p);
                }
            }
            peers = keep.toArray(new ReplicastPeer[0]);
            expired += removed; // under the lock: the event loop and the receive thread both expire
        }
        return removed;
    }

    /**
     * {@code tipc_udp_rcast_disc}: if {@code buf[off..off+len)}, received from {@code src}, is a
     * valid discovery frame of our net id ({@link #isOwnDiscovery}), an unknown unicast source is
     * added as a learnt peer (within the cap) and a learnt peer's expiry is refreshed. Allocates
     * nothing for other datagrams.
     */
    void learnFrom(byte[] buf, int off, int len, InetSocketAddress src) {
        if (!isOwnDiscovery(buf, off, len)) {
            return;
        }
        for (ReplicastPeer p : peers) {
            if (p.addr.equals(src)) {
                if (p.learnt) {
                    p.lastSeenMs = clockMs.getAsLong();
                }
                return;
            }
        }
        if (src.equals(local) || src.getPort() == 0 || src.getAddress().isMulticastAddress()) {
            return;
        }
        expire();
        try {
            if (add(src, true)) {
                learntCount++;
                LOG.info(bearer + ": learnt replicast peer " + UdpMedia.format(src)
                        + " from its discovery");
            }
        } catch (RuntimeException e) {
            LOG.debug(bearer + ": not learning " + src + ": " + e.getMessage());
        }
    }

    /**
     * True if {@code buf[off..off+len)} frames as a valid TIPC message (TipcCodec.validateFrame) and
     * is a LINK_CONFIG DSC_REQ/DSC_RESP for this bearer's net id (w4, msg_bc_netid): the only
     * datagrams that may teach a replicast peer. Allocates nothing.
     */
    private boolean isOwnDiscovery(byte[] buf, int off, int len) {
        if (len < Tipc.MIN_H_SIZE || ((buf[off] >> 1) & 0xF) != Tipc.LINK_CONFIG) {
            return false; // cheap pre-check: most datagrams are not discovery
        }
        if (!TipcCodec.validateFrame(buf, off, len).isOk()) {
            return false;
        }
        int type = (buf[off + 4] >> 5) & 7;
        if (type != Tipc.DSC_REQ_MSG && type != Tipc.DSC_RESP_MSG) {
            return false;
        }
        int w4 = (buf[off + 16] & 0xFF) << 24 | (buf[off + 17] & 0xFF) << 16 | (buf[off + 18] & 0xFF) << 8
                | (buf[off + 19] & 0xFF);
        return w4 == netId;
    }

    /** Peers learnt from discovery so far. */
    long learnt() {
        return learntCount;
    }

    /** Valid discovery frames from new sources not learnt because the cap was reached. */
    long notLearnt() {
        return notLearnt;
    }

    /** Learnt peers removed because they were silent for the expiry time. */
    long expired() {
        return expired;
    }
}
