package io.jtipc.api;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jtipc.node.Link;
import io.jtipc.node.Node;
import io.jtipc.node.NodeListener;

/**
 * The core's events as a {@link TipcNode} shows them (under the core lock, on the thread that ran the core): the
 * address commit ends the start, link up/down are logged at INFO with the kernel's link names and told to the
 * {@link LinkListener}s, link down and uncongested wake the sends waiting for that peer's link. Logs to TipcNode's
 * logger, as before the split.
 */
final class CoreEvents implements NodeListener {
    private static final Logger LOG = LoggerFactory.getLogger(TipcNode.class);

    private final TipcNode node;
    private final NodeLifecycle life;
    private final CongestionWaits congestion;
    /** The link listeners ({@link TipcNode#addLinkListener}). */
    final List<LinkListener> listeners = new CopyOnWriteArrayList<>();

    CoreEvents(TipcNode node, NodeLifecycle life, CongestionWaits congestion) {
        this.node = node;
        this.life = life;
        this.congestion = congestion;
    }

    @Override
    public void addressCommitted(int addr) {
        life.addressCommitted(addr);
    }

    @Override
    public void linkUp(Link l) {
        LinkInfo i = node.views.info(l);
        LOG.info("Established link <{}> on network plane {}", i.name(), (char) ('A' + l.bearerId()));
        for (LinkListener x : listeners) {
            try {
                x.linkUp(i);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) { // an AssertionError, a LinkageError: the listener's fault, not the core's
                LOG.warn("link listener failed", e);
            }
        }
    }

    @Override
    public void linkDown(Link l) {
        LinkInfo i = node.views.info(l);
        LOG.info("Lost link <{}> on network plane {}", i.name(), (char) ('A' + l.bearerId()));
        congestion.uncongested(l.peerAddr());
        for (LinkListener x : listeners) {
            try {
                x.linkDown(i);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) { // an AssertionError, a LinkageError: the listener's fault, not the core's
                LOG.warn("link listener failed", e);
            }
        }
    }

    @Override
    public void nodeUp(Node p) {
        LOG.debug("node {} ({}) up", Integer.toHexString(p.addr()), p.id());
    }

    @Override
    public void nodeDown(Node p) {
        LOG.info("Node {} ({}) down: its bindings are withdrawn", Integer.toHexString(p.addr()), p.id());
    }

    @Override
    public void linkUncongested(Link l) {
        congestion.uncongested(l.peerAddr());
    }
}
