package io.jtipc.node;

import io.jtipc.nametable.BindingTable;
import io.jtipc.nametable.NameDistributor;
import io.jtipc.nametable.TopologySubscriptions;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcCodec;
import io.jtipc.wire.TipcMsg;

/**
 * The receive path below {@link NodeCore}'s façade (Linux 6.1 node.c tipc_rcv): decryption, frame validation, then
 * discovery messages to their bearer's {@link Discoverer} and everything else to the {@link NodeTable}; and the
 * address commit that discovery triggers (net.c tipc_net_finalize). Runs inside a core call ({@link NodeCore#enter});
 * single-threaded like the core.
 */
final class FrameIntake {
    private final Net net;
    private final NodeTable nodes;
    private final SocketTable sockets;
    private final Discoverer.Trial trial;
    private final Bearer[] bearers;
    private final TipcMsg m = new TipcMsg();
    /** The topology server, null until the address is committed. */
    TopologyServer topsrv;

    FrameIntake(Net net, NodeTable nodes, SocketTable sockets, Discoverer.Trial trial, Bearer[] bearers) {
        this.net = net;
        this.nodes = nodes;
        this.sockets = sockets;
        this.trial = trial;
        this.bearers = bearers;
    }

    /**
     * One received frame, as {@link NodeCore#onFrame}: a frame on no enabled bearer, out of {@code buf}'s bounds,
     * failing decryption or validation is dropped and counted in {@link Net#droppedFrames}.
     */
    void rcv(long now, int bearerId, byte[] src, byte[] buf, int off, int len, Outbox out) {
        Bearer b = bearerId >= 0 && bearerId < bearers.length ? bearers[bearerId] : null;
        int pl = b == null || buf == null || off < 0 || len < 0 || off + len > buf.length ? NodeCrypto.DROP
            : net.crypto.rcv(now, buf, off, len); // node.c tipc_rcv: decryption first (crypto.c tipc_crypto_rcv)
        if (pl >= 0) {
            buf = net.crypto.plain();
            off = 0;
            len = pl;
        }
        if (pl == NodeCrypto.DROP || !TipcCodec.validateFrame(buf, off, len).isOk()) {
            net.droppedFrames++;
            return;
        }
        m.wrap(buf, off, len);
        if (m.nonSeq() != 0 && m.user() == Tipc.LINK_CONFIG) {
            int size = m.size();
            if (b.disc.admit(now, src, buf, off, size) && b.disc.rcv(now, buf, off, size, out) == Discoverer.COMMIT) {
                commitAddress(now, out);
                b.disc.rcv(now, buf, off, size, out);
            }
            return;
        }
        nodes.rcv(now, bearerId, m, buf, off, len, out);
    }

    /**
     * net.c tipc_net_finalize: commits the trial address, publishes the node-state binding, opens the topology
     * server ({@link Net#topology}, {@link #topsrv}). Does nothing once an address is committed.
     */
    void commitAddress(long now, Outbox out) {
        if (net.ownAddr != 0 || trial.addr == 0) return; // 0 is no address: nothing is opened for it
        net.ownAddr = trial.addr;
        net.table = new BindingTable(net.ownAddr);
        net.distr = new NameDistributor(net.table, net::log);
        net.distr.publishNodeState();
        nodes.flushNamed(now, out);
        TopologySubscriptions topology = net.topology = new TopologySubscriptions(net.table);
        topsrv = new TopologyServer(net, sockets, topology, now, out);
        int a = net.ownAddr;
        net.events.add(() -> net.listener.addressCommitted(a));
    }
}
