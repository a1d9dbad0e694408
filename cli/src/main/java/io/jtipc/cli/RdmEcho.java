package io.jtipc.cli;

import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcException;
import io.jtipc.api.TipcMessage;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcSocket;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The RDM echo service of {@code jtipc node --echo}: one thread receives on a socket bound to the service and sends
 * each message back to its source. Replies go out with {@link TipcSocket#trySend}, never waiting: when the link to a
 * message's node is congested (a peer that does not acknowledge, or a slow one), that peer's echo is dropped and
 * counted, so the other clients keep their answers (issue 15; the kernel's echo would block in {@code sendmsg} for
 * everyone, or with {@code MSG_DONTWAIT} get EAGAIN as here). Nothing is queued per peer: RDM offers no delivery
 * guarantee to a client whose link is saturated, and a queue would be memory a hostile peer fills.
 *
 * <p>Output, one line each: {@code ECHO N bytes to <port:node>} per echo; {@code ECHO dropped to <port:node>: link
 * congested} at the first drop for a node; {@code ECHO resumed to node X after N dropped} at its next echo. An echo
 * that fails (EHOSTUNREACH: no link to the node, e.g. a forged origin node) is told the same way, once per node:
 * {@code ECHO failed to <port:node>: MESSAGE}, then {@code ECHO resumed to node X after N failed}. At most
 * {@value #PEERS_LIMIT} nodes are tracked as dropping, and as failing, at once (beyond, they are only counted in
 * {@link #dropped()} and {@link #failed()}).
 */
final class RdmEcho implements Runnable {
    /** Nodes tracked at once for the dropped/resumed lines (a node leaves the set when its echoes pass again). */
    static final int PEERS_LIMIT = 4096;

    private final TipcSocket sock;
    private final PrintWriter out;
    /** Nodes whose echoes are dropped (congested link), and nodes whose echoes fail (this thread only). */
    private final PeerTrouble dropping = new PeerTrouble(PEERS_LIMIT);
    private final PeerTrouble failing = new PeerTrouble(PEERS_LIMIT);
    private final AtomicLong echoed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    RdmEcho(TipcSocket sock, PrintWriter out) {
        this.sock = sock;
        this.out = out;
    }

    /**
     * Binds an RDM socket to {@code at}, prints {@code READY echo <at>} and starts the echo thread (a daemon, ended by
     * interrupting it or closing the node).
     */
    static RdmEcho start(TipcNode node, TipcAddress at, PrintWriter out) throws TipcException {
        TipcSocket sock = TipcSocket.rdm(node);
        try {
            sock.bind(at);
        } catch (TipcException | RuntimeException e) {
            sock.close();
            throw e;
        }
        print(out, "READY echo " + at);
        RdmEcho e = new RdmEcho(sock, out);
        Thread t = new Thread(e, "jtipc-echo");
        t.setDaemon(true);
        e.thread = t;
        t.start();
        return e;
    }

    private volatile Thread thread;

    /** The echo thread. */
    Thread thread() {
        return thread;
    }

    /** Messages echoed. */
    long echoed() {
        return echoed.get();
    }

    /** Echoes dropped because the link to their node was congested. */
    long dropped() {
        return dropped.get();
    }

    /** Echoes that failed (EHOSTUNREACH, ...). */
    long failed() {
        return failed.get();
    }

    @Override
    public void run() {
        try (sock) {
            while (!Thread.currentThread().isInterrupted()) {
                echo(sock.receive());
            }
        } catch (Exception e) {
            // node closed or interrupted
        }
    }

    /** Sends {@code m} back to its source (the echo thread only). */
    void echo(TipcMessage m) {
        if (m.isReturned()) return;
        TipcAddress src = m.source();
        String node = Integer.toHexString(src.node());
        try {
            if (sock.trySend(src, m.payload())) {
                echoed.incrementAndGet();
                long d = dropping.passed(src.node());
                long f = failing.passed(src.node());
                print(out, "ECHO " + m.payload().length + " bytes to " + src);
                if (d > 0) print(out, "ECHO resumed to node " + node + " after " + d + " dropped");
                if (f > 0) print(out, "ECHO resumed to node " + node + " after " + f + " failed");
            } else {
                dropped.incrementAndGet();
                if (dropping.failed(src.node())) print(out, "ECHO dropped to " + src + ": link congested");
            }
        } catch (TipcException e) {
            failed.incrementAndGet();
            if (failing.failed(src.node())) print(out, "ECHO failed to " + src + ": " + e.getMessage());
        }
    }

    private static void print(PrintWriter out, String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
