package io.jtipc.api;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.jtipc.nametable.BindingChange;
import io.jtipc.nametable.BindingTable;
import io.jtipc.nametable.Publication;
import io.jtipc.node.Errno;
import io.jtipc.node.Link;
import io.jtipc.node.LinkSettings;
import io.jtipc.node.LinkTunnelStats;
import io.jtipc.node.Node;
import io.jtipc.node.NodeCore;
import io.jtipc.wire.Tipc;

/**
 * The views of {@link TipcNode} and the link/bearer settings of {@code tipc link|bearer set}: link snapshots
 * ({@code tipc link list|stat show}), link monitors, the binding table ({@code tipc nametable show}) and the waits on
 * them (a link up, a binding present or gone). Each snapshot and setting runs under the node's core lock
 * ({@link TipcNode#call}); the waits call them from the API thread. The public methods of TipcNode document each.
 */
final class NodeViews {
    private final TipcNode node;

    NodeViews(TipcNode node) {
        this.node = node;
    }

    /** A snapshot of link {@code l}. Under the core lock. */
    LinkInfo info(Link l) {
        NodeCore core = node.core();
        Node p = core.peer(l.peerAddr());
        var b = core.bearer(l.bearerId());
        var h = l.holdStats();
        var t = LinkTunnelStats.of(l);
        return new LinkInfo(l.name(), l.state().name(), l.isUp(), l.peerAddr(), p == null || p.id() == null ? "" : p.id().toString(),
                b == null ? "" : b.config().name(), l.mtu(), l.tolerance(), l.window(), l.sndNxt(), l.rcvNxt(),
                l.transmitQueueLength(), l.backlogLength(), l.deferredLength(), l.retransmitted(), l.duplicates(),
                l.sentStates(), l.sentPackets(), l.receivedPackets(), l.sentNacks(), h.deferredBytes(),
                h.deferredDropped(), h.reassemblyErrors(), h.backlogOverflows(), h.resets(), h.lastResetReason(),
                p == null ? 0 : p.socketOverloads(), t.synchSent(), t.synchReceived(), t.failoverSent(),
                t.failoverReceived());
    }

    /** See {@link TipcNode#links()}. */
    List<LinkInfo> links(LinkStatsBaseline stats) throws TipcException {
        return node.call(now -> {
            List<LinkInfo> r = new ArrayList<>();
            for (Link l : node.core().links()) r.add(stats.apply(l, info(l)));
            r.sort((a, c) -> a.name().compareTo(c.name()));
            return r;
        });
    }

    /** See {@link TipcNode#setLink}. */
    void setLink(String linkName, LinkProperty property, int value) throws TipcException {
        int rc = node.call(now -> {
            if (TipcNode.BROADCAST_LINK.equals(linkName)) return node.core().broadcastLink().set(switch (property) {
                case WINDOW -> 0; case BROADCAST -> 1; case BROADCAST_RATIO -> 2; default -> -1; }, value);
            for (Link l : node.core().links()) {
                if (!l.name().equals(linkName)) continue;
                return switch (property) {
                    case TOLERANCE -> LinkSettings.setTolerance(l, value, node.outbox());
                    case PRIORITY -> LinkSettings.setPriority(l, value, node.outbox());
                    case WINDOW -> LinkSettings.setWindow(l, value);
                    default -> Errno.EINVAL; // broadcast-link properties
                };
            }
            return Errno.EINVAL;
        });
        if (rc != 0) {
            throw new TipcException(TipcError.EINVAL, "link set " + property.name().toLowerCase() + " " + value
                + ": no link " + linkName + " or value out of range");
        }
    }

    /** See {@link TipcNode#setBearer}. */
    void setBearer(String bearerName, LinkProperty property, int value) throws TipcException {
        int rc = node.call(now -> {
            NodeCore core = node.core();
            for (int id = 0; id < 3; id++) {
                var b = core.bearer(id);
                if (b == null || !b.config().name().equals(bearerName)) continue;
                return switch (property) {
                    case TOLERANCE -> LinkSettings.setBearerTolerance(core, id, value, node.outbox());
                    case PRIORITY -> LinkSettings.setBearerPriority(core, id, value);
                    case WINDOW -> LinkSettings.setBearerWindow(core, id, value);
                    default -> Errno.EINVAL;
                };
            }
            return Errno.EINVAL;
        });
        if (rc != 0) {
            throw new TipcException(TipcError.EINVAL, "bearer set " + property.name().toLowerCase() + " " + value
                + ": no bearer " + bearerName + " or value out of range");
        }
    }

    /** See {@link TipcNode#linkMonitors}. */
    List<LinkMonitorSummary> linkMonitors() throws TipcException {
        return node.call(now -> LinkMonitorSummary.of(node.core()));
    }

    /** See {@link TipcNode#setMonitorThreshold}. */
    void setMonitorThreshold(int n) throws TipcException {
        if (node.call(now -> LinkSettings.setMonitorThreshold(node.core(), n)) != 0) {
            throw new TipcException(TipcError.EINVAL, "link monitor set threshold " + n + ": out of range");
        }
    }

    /** See {@link TipcNode#linkList}. */
    String linkList() throws TipcException {
        StringBuilder sb = new StringBuilder("broadcast-link: up\n");
        for (LinkInfo l : node.links()) sb.append(l).append('\n');
        return sb.toString();
    }

    /** See {@link TipcNode#awaitLink}. */
    LinkInfo awaitLink(Predicate<LinkInfo> p, Duration timeout) throws TipcException, InterruptedIOException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<LinkInfo> ls = node.links();
            for (LinkInfo l : ls) if (p.test(l)) return l;
            if (System.nanoTime() >= end) throw new TipcException(TipcError.NONE, "no matching link within " + timeout + "; links " + ls);
            sleep(50);
        }
    }

    private static void sleep(long ms) throws InterruptedIOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException();
        }
    }

    /** A node address as {@code tipc} prints it: the node's identity string if known, else the address in hex. */
    private String nodeName(int addr) {
        NodeCore core = node.core();
        if (addr == core.ownAddr()) return node.identity().toString();
        Node p = core.peer(addr);
        if (p != null && p.id() != null) return p.id().toString();
        return Integer.toHexString(addr);
    }

    /** See {@link TipcNode#bindings()}. */
    List<Binding> bindings() throws TipcException {
        return node.call(now -> {
            BindingTable t = node.core().bindingTable();
            List<Binding> r = new ArrayList<>();
            if (t == null) return r;
            for (Publication p : t.publications()) {
                String scope = p.scope() == Tipc.TIPC_NODE_SCOPE ? "node" : p.scope() == Tipc.TIPC_CLUSTER_SCOPE
                        ? "cluster" : "zone";
                r.add(new Binding(p.type(), p.lower(), p.upper(), scope, p.port(), p.node(), nodeName(p.node())));
            }
            return r;
        });
    }

    /** See {@link TipcNode#nametableShow()}. */
    String nametableShow() throws TipcException {
        return node.call(now -> {
            BindingTable t = node.core().bindingTable();
            return t == null ? "" : t.format(this::nodeName);
        });
    }

    /** See {@link TipcNode#awaitBinding}. */
    Binding awaitBinding(Predicate<Binding> p, Duration timeout) throws TipcException, InterruptedIOException {
        Binding[] found = new Binding[1];
        awaitBindings(bs -> {
            for (Binding b : bs) {
                if (p.test(b)) {
                    found[0] = b;
                    return true;
                }
            }
            return false;
        }, timeout, "no matching binding within " + timeout);
        return found[0];
    }

    /** See {@link TipcNode#awaitNoBinding}. */
    void awaitNoBinding(Predicate<Binding> p, Duration timeout) throws TipcException, InterruptedIOException {
        awaitBindings(bs -> bs.stream().noneMatch(p), timeout, "binding still present after " + timeout);
    }

    /**
     * Tests {@link #bindings()} until {@code done} holds, sleeping in between until the table changes. The change
     * feed is opened before the first test: every change after that test wakes the waiter (the view delivers each
     * change after its registration, see {@link ConcurrentBindingView}), so none is missed.
     */
    private void awaitBindings(Predicate<List<Binding>> done, Duration timeout, String failure)
            throws TipcException, InterruptedIOException {
        long end = System.nanoTime() + timeout.toNanos();
        ConcurrentBindingView v = node.life.bindingView();
        if (v == null || !node.isRunning()) {
            throw new TipcException(TipcError.NONE, "node " + node.identity() + " is not running");
        }
        ConcurrentBindingView.Feed f = v.openAll(TipcNode.BINDING_FEED_CAPACITY);
        try {
            while (!done.test(bindings())) {
                long left = end - System.nanoTime();
                if (left <= 0) throw new TipcException(TipcError.NONE, failure);
                try {
                    // null: timed out (tested once more above) or the node closed (bindings() then throws)
                    BindingChange c = f.take(left, TimeUnit.NANOSECONDS);
                    while (c != null) c = f.poll(); // one test covers every change pending now
                } catch (IllegalStateException overflow) {
                    // more than the capacity of changes since the last test: test again on a fresh feed
                    f.close();
                    f = v.openAll(TipcNode.BINDING_FEED_CAPACITY);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a binding");
        } finally {
            f.close();
        }
    }
}
