package io.jtipc.api;

import io.jtipc.nametable.BindingTable;
import io.jtipc.nametable.Publication;
import io.jtipc.node.ConnSocket;
import io.jtipc.node.Errno;
import io.jtipc.node.Link;
import io.jtipc.node.Node;
import io.jtipc.node.NodeCore;
import io.jtipc.node.NodeKey;
import io.jtipc.wire.NodeId;
import io.jtipc.wire.Tipc;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The run-time operations of iproute2's {@code tipc} that {@link TipcNode} offers beyond its views: link statistics
 * reset, socket list, node list, peer removal and the run-time keys ({@code tipc node set key}). Each runs under the node's core lock ({@link TipcNode#call}); kept
 * apart so that TipcNode stays the lifecycle and the I/O.
 */
final class NodeAdmin {
    private final TipcNode node;
    /** Counter baselines of {@code tipc link stat reset}; read and written under the core lock only. */
    final LinkStatsBaseline stats = new LinkStatsBaseline();

    NodeAdmin(TipcNode node) {
        this.node = node;
    }

    /** See {@link TipcNode#resetLinkStats}. */
    void resetLinkStats(String linkName) throws TipcException {
        boolean found = node.call(now -> {
            boolean any = false;
            for (Link l : node.core().links()) {
                if (linkName != null && !l.name().equals(linkName)) continue;
                stats.reset(l, node.views.info(l));
                any = true;
            }
            return any || linkName == null;
        });
        if (!found) throw new TipcException(TipcError.EINVAL, "link stat reset: no link " + linkName);
    }

    /** See {@link TipcNode#sockets}. */
    List<SocketInfo> sockets() throws TipcException {
        return node.call(now -> {
            NodeCore core = node.core();
            int own = core.ownAddr();
            BindingTable t = core.bindingTable();
            List<Publication> pubs = t == null ? List.of() : t.publicationsOfNode(own);
            List<SocketInfo> r = new ArrayList<>();
            for (int port : core.ports()) {
                List<Binding> bs = new ArrayList<>();
                for (Publication p : pubs) {
                    if (p.port() != port) continue;
                    String scope = p.scope() == Tipc.TIPC_NODE_SCOPE ? "node" : "cluster";
                    bs.add(new Binding(p.type(), p.lower(), p.upper(), scope, p.port(), p.node(), node.identity().toString()));
                }
                ConnSocket c = core.connSocket(port);
                boolean conn = c != null && c.state() == ConnSocket.State.ESTABLISHED;
                r.add(new SocketInfo(port, bs, conn, conn ? c.peerNode() : 0, conn ? c.peerPort() : 0,
                    conn && c.named() ? Integer.toUnsignedLong(c.connType()) : -1, conn && c.named() ? c.connInstance() : 0));
            }
            return r;
        });
    }

    /** See {@link TipcNode#nodes}. */
    List<PeerInfo> nodes() throws TipcException {
        return node.call(now -> {
            NodeCore core = node.core();
            List<PeerInfo> r = new ArrayList<>();
            r.add(new PeerInfo(core.ownAddr(), node.identity().toString(), true, true));
            for (Node p : core.peers()) {
                r.add(new PeerInfo(p.addr(), p.id() == null ? "" : p.id().toString(), p.isUp(), false));
            }
            r.sort((a, b) -> Integer.compareUnsigned(a.address(), b.address()));
            return r;
        });
    }

    /** See {@link TipcNode#removePeer}. */
    void removePeer(int address) throws TipcException {
        int rc = node.call(now -> node.core().removePeer(address));
        if (rc == Errno.ENOTSUPP) {
            throw new TipcException(TipcError.ENOTSUPP, "peer remove: can't remove own address "
                + Integer.toHexString(address));
        }
        if (rc == Errno.ENXIO) {
            throw new TipcException(TipcError.ENXIO, "peer remove: no peer node " + Integer.toHexString(address));
        }
        if (rc == Errno.EBUSY) {
            throw new TipcException(TipcError.EBUSY, "peer remove: node " + Integer.toHexString(address)
                + " is not down");
        }
    }

    /** See {@link TipcNode#setKey}. */
    void setKey(String key, String kind) throws TipcException {
        NodeKey k = "cluster".equals(kind) ? NodeKey.cluster(key) : "master".equals(kind) ? NodeKey.master(key)
            : NodeKey.perNode(key, NodeId.parse(Objects.requireNonNull(kind, "kind")));
        int rc = node.call(now -> node.core().crypto().setKey(now, k, node.outbox()));
        if (rc < 0) throw new TipcException(TipcError.NONE, "no key slot free for the new key (EBUSY)");
    }

    /** See {@link TipcNode#setRekeying}. */
    void setRekeying(long minutes) throws TipcException {
        if (minutes < 0 || minutes > 0xffff_ffffL) {
            throw new IllegalArgumentException("rekeying interval " + minutes + " minutes: 0 (never) to 4294967295");
        }
        // ~0U is TIPC_REKEYING_NOW (crypto.c tipc_crypto_rekeying_sched); the core keeps an int interval: other u32
        // minutes past 2^31 - 1 (4 085 years) are the same as never in practice
        int m = minutes == 0xffff_ffffL ? -1 : (int) Math.min(minutes, Integer.MAX_VALUE);
        node.call(now -> {
            node.core().crypto().setRekeying(now, m);
            return 0;
        });
    }

    /** See {@link TipcNode#flushKeys}. */
    void flushKeys() throws TipcException {
        node.call(now -> {
            node.core().crypto().flush(now);
            return 0;
        });
    }

    /** See {@link TipcNode#rekeyNow}. */
    void rekeyNow() throws TipcException {
        node.call(now -> {
            node.core().crypto().setRekeying(now, -1);
            return 0;
        });
    }
}
