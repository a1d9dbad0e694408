package io.jtipc.cli;

import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcException;
import io.jtipc.api.TipcGroup;
import io.jtipc.api.TipcGroupMessage;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcSocket;
import java.io.InterruptedIOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The group member of {@code jtipc node --group TYPE:MEMBER}: joins group TYPE as member MEMBER (cluster scope, member
 * events on) and, on one thread, prints every event and message and echoes unicast/anycast messages to their sender.
 *
 * <p>Output, one line each: {@code MEMBER joined M node N port P} / {@code MEMBER left M node N port P} (M the member's
 * instance, N its node address in hex, P its port, unsigned), {@code GOT <text>} per message (UTF-8, escaped as
 * {@link io.jtipc.api.TipcMessage#payloadText()}: a peer's newline or ESC reaches no console). An echo that finds no
 * window within {@link #ECHO_TIMEOUT} (the sender does not read) or fails is dropped and counted, printed once per
 * node as {@code ECHO dropped to <port:node>: MESSAGE}, then {@code ECHO resumed to node X after N dropped} at its
 * next echo (at most {@value RdmEcho#PEERS_LIMIT} nodes tracked at once).
 */
final class GroupAgent implements Runnable {
    /** How long one echo may wait for the sender's window, ms. */
    static final Duration ECHO_TIMEOUT = Duration.ofSeconds(2);
    /** How long one broadcast of {@code group-bcast} may wait for the members' windows, ms. */
    static final Duration BCAST_TIMEOUT = Duration.ofSeconds(30);

    private final TipcGroup group;
    private final PrintWriter out;
    private final AtomicLong echoDrops = new AtomicLong();
    /** Nodes whose echoes are dropped (this thread only). */
    private final PeerTrouble dropping = new PeerTrouble(RdmEcho.PEERS_LIMIT);
    private Thread thread;

    private GroupAgent(TipcGroup group, PrintWriter out) {
        this.group = group;
        this.out = out;
    }

    /** Joins {@code at} = {TYPE, MEMBER} and starts the receiving thread (a daemon). */
    static GroupAgent start(TipcNode node, TipcAddress at, PrintWriter out) throws TipcException {
        TipcGroup g = TipcGroup.join(node, at.type(), at.instance(), TipcSocket.Scope.CLUSTER, TipcGroup.MEMBER_EVENTS);
        GroupAgent a = new GroupAgent(g, out);
        synchronized (out) {
            out.println("GROUP " + Integer.toUnsignedString(at.type()) + " member " + Integer.toUnsignedString(at.instance())
                + " joined as " + g.address());
            out.flush();
        }
        a.thread = new Thread(a, "jtipc-group");
        a.thread.setDaemon(true);
        a.thread.start();
        return a;
    }

    TipcGroup group() {
        return group;
    }

    /** Echoes that found no window in time. */
    long echoDrops() {
        return echoDrops.get();
    }

    @Override
    public void run() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                TipcGroupMessage m = group.receive(Duration.ofMillis(500));
                if (m == null) continue;
                String line;
                if (m.isEvent()) {
                    line = "MEMBER " + (m.mode() == TipcGroupMessage.Mode.MEMBER_JOINED ? "joined " : "left ")
                        + Integer.toUnsignedString(m.senderInstance()) + " node " + Integer.toHexString(m.sender().node())
                        + " port " + Integer.toUnsignedString(m.sender().port());
                } else {
                    // a peer chose these bytes: escaped (no newline, no ESC reaches the console)
                    line = "GOT " + m.payloadText();
                }
                synchronized (out) {
                    out.println(line);
                    out.flush();
                }
                if (m.mode() == TipcGroupMessage.Mode.UNICAST) {
                    int node = m.sender().node();
                    String told = null;
                    try {
                        group.send(m.sender(), m.payload(), ECHO_TIMEOUT);
                        long n = dropping.passed(node);
                        if (n > 0) told = "ECHO resumed to node " + Integer.toHexString(node) + " after " + n + " dropped";
                    } catch (TipcException e) {
                        echoDrops.incrementAndGet();
                        if (dropping.failed(node)) told = "ECHO dropped to " + m.sender() + ": " + e.getMessage();
                    }
                    if (told != null) {
                        synchronized (out) {
                            out.println(told);
                            out.flush();
                        }
                    }
                }
            }
        } catch (InterruptedIOException e) {
            // stopping
        } catch (TipcException e) {
            // group or node closed: the thread ends
        }
    }

    /** Stops the thread and leaves the group. */
    void stop() {
        if (thread != null) thread.interrupt();
        group.close();
    }

    /** {@code group-bcast COUNT TEXT}: broadcasts {@code TEXT 0} ... {@code TEXT COUNT-1}, each waiting up to {@code timeout}. */
    int broadcast(int count, String text, Duration timeout, PrintWriter err) throws InterruptedIOException {
        for (int i = 0; i < count; i++) {
            try {
                group.broadcast((text + " " + i).getBytes(StandardCharsets.UTF_8), timeout);
            } catch (TipcException e) {
                err.println("jtipc: group-bcast " + i + ": " + e.getMessage());
                return 1;
            }
        }
        synchronized (out) {
            out.println("GROUP-BCAST sent " + count);
            out.flush();
        }
        return 0;
    }
}
