package io.jtipc.api;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of a {@link TipcNode}: start (bearers, loop, address commit, MXBeans), close, failure, and the state
 * machine NEW -> RUNNING -> DEGRADED -> FAILED or CLOSED with its listeners ({@link TipcNodeStateListener}). Also what
 * a stop must release: the sockets and subscriptions registered on the node and the binding view. Start and close
 * synchronize on the TipcNode (as before the split); logs to TipcNode's logger.
 */
final class NodeLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(TipcNode.class);

    private final TipcNode node;
    private final CoreRunner runner;
    private final BearerLifecycle bearers;
    private final CongestionWaits congestion;
    private final List<BearerSpec> specs;
    private final Path capture;
    private final long captureMaxBytes;
    private final int captureFiles;
    /** Whether {@link #start()} registers the MXBeans ({@link TipcNode.Builder#jmx}). */
    private final boolean jmx;
    /** The MXBeans while running with {@link TipcNode.Builder#jmx} on; closed by {@link #close()}. */
    private volatile NodeMBeans mbeans;
    private final Set<TipcSocket> sockets = ConcurrentHashMap.newKeySet();
    private final Set<TipcSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final Set<TipcConnection> connections = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Integer> committed = new CompletableFuture<>();
    private final List<TipcNodeStateListener> stateListeners = new CopyOnWriteArrayList<>();
    /**
     * Guards every change of {@link #state} (compare-and-set: RUNNING -> DEGRADED -> FAILED or CLOSED, never back) and
     * {@link #notices}. Never held while a listener runs, and the loop only takes it for those short sections.
     */
    private final Object stateLock = new Object();
    /** State changes not yet told to the listeners, in the order they happened (guarded by {@link #stateLock}). */
    private final ArrayDeque<Notice> notices = new ArrayDeque<>();
    /** A thread is telling the listeners now (guarded by {@link #stateLock}): others leave their notice to it. */
    private boolean notifying;
    private volatile TipcNodeState state = TipcNodeState.NEW;
    private volatile Throwable failure;
    /** The binding table as seen from API threads; attached under the core lock when the address is committed. */
    private volatile ConcurrentBindingView bindingView;
    private volatile boolean closed;
    private volatile int address;

    NodeLifecycle(TipcNode node, CoreRunner runner, BearerLifecycle bearers, CongestionWaits congestion,
            List<BearerSpec> specs, Path capture, long captureMaxBytes, int captureFiles, boolean jmx) {
        this.node = node;
        this.runner = runner;
        this.bearers = bearers;
        this.congestion = congestion;
        this.specs = specs;
        this.capture = capture;
        this.captureMaxBytes = captureMaxBytes;
        this.captureFiles = captureFiles;
        this.jmx = jmx;
    }

    /** See {@link TipcNode#start()}. */
    void start() throws IOException {
        synchronized (node) {
            if (runner.loopStarted() || closed) throw new IllegalStateException("node already started");
            try {
                bearers.open(capture, captureMaxBytes, captureFiles, specs);
            } catch (IOException | RuntimeException e) {
                closed = true;
                throw e;
            }
            try {
                runner.markRunning();
                synchronized (stateLock) {
                    if (state == TipcNodeState.NEW) state = TipcNodeState.RUNNING;
                }
                runner.startLoop("jtipc-node-" + node.identity());
                bearers.enableAll();
                try {
                    address = committed.get(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for the node address");
                } catch (ExecutionException | TimeoutException e) {
                    Throwable f = failure;
                    if (f != null) throw failed();
                    throw new TipcException("node address not committed within 10 s", e);
                }
                if (jmx) mbeans = NodeMBeans.register(node);
            } catch (IOException | RuntimeException e) {
                // the loop thread, receive threads and sockets started so far must not outlive a failed start
                close();
                throw e;
            }
        }
    }

    /** The core committed the node address {@code addr} (under the core lock): the binding view opens, start returns. */
    void addressCommitted(int addr) {
        address = addr;
        bindingView = ConcurrentBindingView.attach(node.core().bindingTable());
        LOG.info("Node identity {}, cluster identity {}, address {}", node.identity(), node.clusterId(),
                Integer.toHexString(addr));
        committed.complete(addr);
    }

    /** See {@link TipcNode#close()}. */
    void close() {
        synchronized (node) {
            if (closed && !runner.loopStarted()) return;
            closed = true;
        }
        synchronized (stateLock) {
            if (state != TipcNodeState.FAILED) state = TipcNodeState.CLOSED; // a failure found first stays the state
        }
        NodeMBeans m = mbeans;
        if (m != null) m.close();
        runner.shutdown(now -> node.core().shutdown(now, node.outbox()));
        release();
        bearers.closeTap(); // after the loop's last frames (the shutdown RESETs)
        runner.forgetLoop();
    }

    /** Closes bearers, sockets and views and wakes every waiter; for {@link #close()} and {@link #fail}. */
    private void release() {
        bearers.closeAll();
        for (TipcSocket s : sockets) s.nodeClosed();
        for (TipcSubscription s : subscriptions) s.nodeClosed(); // waiting polls return null at once
        for (TipcConnection c : connections) c.nodeClosed(); // a pending readAsync completes, waiters ask again
        ConcurrentBindingView v = bindingView;
        if (v != null) v.close(); // binding waiters wake and find the node stopped
        runner.clearInbox(); // drops the deferred work left for the loop (API callers never wait in it)
        congestion.nodeStopped();
    }

    Set<TipcSocket> sockets() {
        return sockets;
    }

    Set<TipcConnection> connections() {
        return connections;
    }

    Set<TipcSubscription> subscriptions() {
        return subscriptions;
    }

    TipcNodeState state() {
        return state;
    }

    Throwable failure() {
        return failure;
    }

    boolean isClosed() {
        return closed;
    }

    int address() {
        return address;
    }

    ConcurrentBindingView bindingView() {
        return bindingView;
    }

    List<TipcNodeStateListener> stateListeners() {
        return stateListeners;
    }

    /** The exception blocked and later calls get once the node failed: names the cause. */
    TipcException failed() {
        Throwable f = failure;
        return new TipcException("node " + node.identity() + " failed: " + f, f);
    }

    /** The exception of a call on a node not running: {@link #failed()} once it failed. */
    TipcException notRunning() {
        return failure != null && state == TipcNodeState.FAILED ? failed()
                : new TipcException(TipcError.NONE, "node " + node.identity() + " is not running");
    }

    /**
     * A bearer's receive thread died over {@code cause} and others are left (see {@link BearerLifecycle}): the node
     * becomes DEGRADED (stays so if it was) and a notice is queued for {@link #tellListeners()}.
     *
     * @return false if the node is FAILED or CLOSED already (everything is released: nothing more to do)
     */
    boolean degrade(Throwable cause) {
        synchronized (stateLock) {
            if (state == TipcNodeState.FAILED || state == TipcNodeState.CLOSED) return false;
            if (failure == null) failure = cause;
            if (state == TipcNodeState.RUNNING) state = TipcNodeState.DEGRADED;
            notices.add(new Notice(TipcNodeState.DEGRADED, cause));
        }
        return true;
    }

    /**
     * The node fails over {@code cause} (found in {@code where}): logged at ERROR once, state FAILED, the loop ends,
     * everything is released and every waiter wakes with {@link #failed()}. Safe on any thread, idempotent.
     */
    void fail(String where, Throwable cause) {
        synchronized (stateLock) {
            if (state == TipcNodeState.FAILED || state == TipcNodeState.CLOSED) return;
            failure = cause;
            state = TipcNodeState.FAILED;
            closed = true;
            notices.add(new Notice(TipcNodeState.FAILED, cause));
        }
        runner.halt();
        try {
            LOG.error("node {} failed: {} died; the node is closed", node.identity(), where, cause);
        } catch (Throwable ignored) {
            // after an OutOfMemoryError the logger may fail too; the state below still tells the application
        }
        release();
        NodeMBeans m = mbeans;
        if (m != null) m.close(); // a failed node is closed as by close(): no MBean or JMX thread stays
        bearers.closeTap();
        committed.completeExceptionally(cause); // a start() waiting for the address fails at once, naming it
        runner.poke(); // a loop still waiting for work wakes and ends
        tellListeners();
    }

    /** A state change for the listeners. */
    private record Notice(TipcNodeState state, Throwable cause) {}

    /**
     * Tells the listeners every queued {@link Notice}, in order, one at a time: the thread that queued a notice calls
     * this; if another thread is telling already, that one takes the new notice too (it polls until none is left).
     * So listeners see the changes in the order they were made (never FAILED before DEGRADED), never two at once,
     * and no lock is held while they run.
     */
    void tellListeners() {
        while (true) {
            Notice n;
            synchronized (stateLock) {
                if (notifying) return;
                n = notices.poll();
                if (n == null) return;
                notifying = true;
            }
            try {
                for (TipcNodeStateListener l : stateListeners) {
                    try {
                        l.stateChanged(n.state(), n.cause());
                    } catch (VirtualMachineError e) {
                        throw e;
                    } catch (Throwable e) { // the listener's fault, not the node's
                        LOG.warn("node state listener failed", e);
                    }
                }
            } finally {
                synchronized (stateLock) {
                    notifying = false;
                }
            }
        }
    }
}
