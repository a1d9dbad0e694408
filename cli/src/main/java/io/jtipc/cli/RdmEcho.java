package io.jtipc.cli;

import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcException;
import io.jtipc.api.TipcMessage;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcSocket;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
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
 * congested} at the first drop for a node; {@code ECHO resumed to node X after N dropped} at its next echo. At most
 * {@value #PEERS_LIMIT} nodes are tracked as dropping at once (beyond, drops are only counted in {@link #dropped()}).
 */
final class RdmEcho implements Runnable {
    /** Nodes tracked at once for the dropped/resumed lines (a node leaves the set when its echoes pass again). */
    static final int PEERS_LIMIT = 4096;

    private final TipcSocket sock;
    private final PrintWriter out;
    /** Per node address: echoes dropped since its first drop (this thread only). */
    private final Map<Integer, Long> dropping = new HashMap<>();
    private final AtomicLong echoed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    private RdmEcho(TipcSocket sock, PrintWriter out) {
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

    @Override
    public void run() {
        try (sock) {
            while (!Thread.currentThread().isInterrupted()) {
                TipcMessage m = sock.receive();
                if (m.isReturned()) continue;
                TipcAddress src = m.source();
                try {
                    if (sock.trySend(src, m.payload())) {
                        echoed.incrementAndGet();
                        Long n = dropping.remove(src.node());
                        print(out, "ECHO " + m.payload().length + " bytes to " + src);
                        if (n != null) {
                            print(out, "ECHO resumed to node " + Integer.toHexString(src.node()) + " after " + n + " dropped");
                        }
                    } else {
                        dropped.incrementAndGet();
                        Long n = dropping.get(src.node());
                        if (n != null) {
                            dropping.put(src.node(), n + 1);
                        } else if (dropping.size() < PEERS_LIMIT) {
                            dropping.put(src.node(), 1L);
                            print(out, "ECHO dropped to " + src + ": link congested");
                        }
                    }
                } catch (TipcException e) {
                    print(out, "ECHO failed to " + src + ": " + e.getMessage());
                }
            }
        } catch (Exception e) {
            // node closed or interrupted
        }
    }

    private static void print(PrintWriter out, String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
