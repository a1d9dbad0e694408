package io.jtipc.cli;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcConnection;
import io.jtipc.api.TipcError;
import io.jtipc.api.TipcException;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcServerSocket;
import io.jtipc.api.TipcSocket;
import io.jtipc.api.TipcSubscription;
import io.jtipc.api.TopologyEvent;
import picocli.CommandLine;

/**
 * The connection and topology actions of {@code jtipc node}: {@code connect TYPE:INSTANCE} and
 * {@code listen TYPE:INSTANCE} pipe standard input to a SEQPACKET (or, with {@code --stream}, STREAM) connection
 * and what comes back to standard output, like tipc-pipe or netcat; {@code subscribe TYPE:LOWER:UPPER} prints
 * topology events; {@code --echo-conn TYPE:INSTANCE} runs a STREAM echo server. Status lines go to standard error,
 * so standard output carries only the connection's bytes.
 */
final class ConnActions {
    /** Data source and sink of connect/listen (replaceable by tests). */
    static volatile InputStream stdin = System.in;
    static volatile PrintStream stdout = System.out;

    private ConnActions() {
    }

    /** One parsed action. */
    interface Step {
        /** Runs it; returns the exit-code contribution (0 ok, 1 failed). */
        int run(TipcNode node, Options o, PrintWriter out, PrintWriter err) throws Exception;

        /** True if it keeps working in the background (the node then stays up as with no action). */
        default boolean background() {
            return false;
        }

        /**
         * True if it writes a connection's bytes to standard output (connect, listen): the node's status lines
         * ({@code NODE ...}, {@code LINK up ...}, action results) then go to standard error, so that standard output
         * carries only the data, as with tipc-pipe or netcat.
         */
        default boolean pipesStdout() {
            return false;
        }
    }

    /** A connect or listen step: its bytes go to standard output. */
    private record PipeStep(Step body) implements Step {
        @Override
        public int run(TipcNode node, Options o, PrintWriter out, PrintWriter err) throws Exception {
            return body.run(node, o, out, err);
        }

        @Override
        public boolean pipesStdout() {
            return true;
        }
    }

    /** Options of NodeCommand the actions use. */
    record Options(boolean stream, double waitSeconds, double timeoutSeconds) {
        TipcConnection.Type type() {
            return stream ? TipcConnection.Type.STREAM : TipcConnection.Type.SEQPACKET;
        }
    }

    /** True for the action names handled here. */
    static boolean handles(String a) {
        return a.equals("connect") || a.equals("listen") || a.equals("subscribe");
    }

    /**
     * Parses the action at {@code i} (its name) with its argument; returns the index of its last word.
     */
    static int parse(CommandLine cl, List<String> actions, int i, Consumer<Step> sink) {
        String a = actions.get(i);
        if (i + 1 >= actions.size()) {
            throw new CommandLine.ParameterException(cl, a + " needs " + (a.equals("subscribe") ? "TYPE:LOWER:UPPER"
                : "TYPE:INSTANCE"));
        }
        TipcAddress at;
        try {
            at = TipcAddress.parse(actions.get(i + 1));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        switch (a) {
            case "connect" -> {
                if (at.kind() == TipcAddress.Kind.SERVICE_RANGE) {
                    throw new CommandLine.ParameterException(cl, "connect takes TYPE:INSTANCE or a socket address");
                }
                sink.accept(new PipeStep((node, o, out, err) -> connect(node, at, o, err)));
            }
            case "listen" -> {
                if (at.kind() == TipcAddress.Kind.SOCKET) {
                    throw new CommandLine.ParameterException(cl, "listen takes TYPE:INSTANCE");
                }
                sink.accept(new PipeStep((node, o, out, err) -> listen(node, at, o, err)));
            }
            default -> {
                if (at.kind() == TipcAddress.Kind.SOCKET) {
                    throw new CommandLine.ParameterException(cl, "subscribe takes TYPE:LOWER:UPPER or TYPE:INSTANCE");
                }
                sink.accept(new Step() {
                    @Override
                    public int run(TipcNode node, Options o, PrintWriter out, PrintWriter err) throws Exception {
                        return subscribe(node, at, out);
                    }

                    @Override
                    public boolean background() {
                        return true;
                    }
                });
            }
        }
        return i + 1;
    }

    private static Duration dur(double s) {
        return Duration.ofMillis((long) (s * 1000));
    }

    static int connect(TipcNode node, TipcAddress at, Options o, PrintWriter err) throws Exception {
        if (at.kind() == TipcAddress.Kind.SERVICE && o.waitSeconds() > 0) {
            // wait for the service to appear (a topology subscription, as tipc-pipe does)
            try (TipcSubscription s = TipcSubscription.open(node, TipcAddress.ofService(at.type(), at.instance()),
                    TipcSubscription.Filter.SERVICE, dur(o.waitSeconds()))) {
                TopologyEvent e = s.poll(dur(o.waitSeconds()));
                if (e == null || e.kind() != TopologyEvent.Kind.PUBLISHED) {
                    err.println("jtipc: " + at + " did not appear within " + o.waitSeconds() + " s");
                    return 1;
                }
            }
        }
        try (TipcConnection c = TipcConnection.connect(node, at, o.type(), Duration.ofSeconds(8))) {
            err.println("CONNECTED " + o.type() + " to " + at + " peer " + c.peer());
            err.flush();
            return pipe(c, o, err);
        } catch (TipcException e) {
            err.println("jtipc: " + e.getMessage());
            return 1;
        }
    }

    static int listen(TipcNode node, TipcAddress at, Options o, PrintWriter err) throws Exception {
        try (TipcServerSocket ls = TipcServerSocket.listen(node, at, o.type(), TipcSocket.Scope.CLUSTER)) {
            err.println("LISTENING " + o.type() + " on " + at);
            err.flush();
            try (TipcConnection c = ls.accept()) {
                err.println("ACCEPTED from " + c.peer());
                err.flush();
                return pipe(c, o, err);
            }
        } catch (TipcException e) {
            err.println("jtipc: " + e.getMessage());
            return 1;
        }
    }

    /**
     * stdin → connection (a thread), connection → stdout (this thread) until the peer ends the connection, or, once
     * stdin is exhausted, until nothing has come back for --timeout seconds.
     */
    static int pipe(TipcConnection c, Options o, PrintWriter err) throws Exception {
        InputStream in = stdin;
        PrintStream sink = stdout;
        int msgMax = o.stream() ? 65536 : 66000;
        boolean[] inDone = {false};
        Thread writer = new Thread(() -> {
            byte[] buf = new byte[msgMax];
            try {
                int n;
                while ((n = in.read(buf)) > 0) c.write(buf, 0, n);
            } catch (Exception e) {
                // connection ended
            } finally {
                synchronized (inDone) {
                    inDone[0] = true;
                }
            }
        }, "jtipc-pipe-in");
        writer.setDaemon(true);
        writer.start();
        byte[] buf = new byte[66000];
        int rc = 0;
        while (true) {
            int n;
            try {
                n = c.read(buf, 0, buf.length, dur(Math.max(0.2, o.timeoutSeconds())));
            } catch (TipcException e) {
                err.println("jtipc: connection " + e.getMessage());
                rc = e.error() == TipcError.ECONNRESET ? 0 : 1;
                break;
            }
            if (n < 0) break;
            if (n > 0) {
                sink.write(buf, 0, n);
                sink.flush();
            } else {
                synchronized (inDone) {
                    if (inDone[0]) break;
                }
            }
        }
        err.println("CLOSED");
        err.flush();
        return rc;
    }

    /** The uapi name of an event kind, as the kernel's tipc_event.event values are called. */
    static String eventName(TopologyEvent.Kind k) {
        return switch (k) {
            case PUBLISHED -> "TIPC_PUBLISHED";
            case WITHDRAWN -> "TIPC_WITHDRAWN";
            case TIMEOUT -> "TIPC_SUBSCR_TIMEOUT";
        };
    }

    /** Prints one line per struct tipc_event field set, in a background thread. */
    static int subscribe(TipcNode node, TipcAddress at, PrintWriter out) throws Exception {
        TipcSubscription s = TipcSubscription.open(node, at, TipcSubscription.Filter.PORTS, null);
        out.println("SUBSCRIBED {" + Integer.toUnsignedString(at.type()) + "," + Integer.toUnsignedString(at.lower())
            + "," + Integer.toUnsignedString(at.upper()) + "} filter TIPC_SUB_PORTS timeout TIPC_WAIT_FOREVER");
        out.flush();
        Thread t = new Thread(() -> {
            try (s) {
                while (!Thread.currentThread().isInterrupted()) {
                    TopologyEvent e = s.poll(Duration.ofSeconds(1));
                    if (e == null) continue;
                    synchronized (out) {
                        out.println(eventName(e.kind()) + " found " + Integer.toUnsignedString(e.foundLower()) + "-"
                            + Integer.toUnsignedString(e.foundUpper()) + " port.ref "
                            + Integer.toUnsignedString(e.port()) + " port.node " + String.format("%08x", e.node())
                            + " s.seq {" + Integer.toUnsignedString(at.type()) + "," + Integer.toUnsignedString(at.lower())
                            + "," + Integer.toUnsignedString(at.upper()) + "}");
                        out.flush();
                    }
                }
            } catch (Exception e) {
                // node closed
            }
        }, "jtipc-subscribe");
        t.setDaemon(true);
        t.start();
        return 0;
    }

    /**
     * Most connections {@code --echo-conn} serves at once: each takes a platform thread and a 66 000-byte buffer, so
     * a peer opening connections without end would otherwise exhaust the JVM's threads (an OutOfMemoryError "unable
     * to create native thread", which ended the echo service). A connection accepted beyond it is closed at once.
     */
    static final int ECHO_CONN_MAX = 64;

    /**
     * --echo-conn: a STREAM listener; every accepted connection's bytes are echoed back (one thread each, at most
     * {@link #ECHO_CONN_MAX} at once). Connections beyond the limit are closed at once: the first of an episode
     * (until a slot frees) prints {@code ECHO-CONN refused: N connections open}, its end {@code ECHO-CONN accepting
     * again (K refused)}. A thread that cannot be started closes its connection ({@code ECHO-CONN refused: cannot
     * start a thread}, once per episode likewise).
     */
    static Thread startEchoConn(TipcNode node, TipcAddress at, PrintWriter out) throws Exception {
        TipcServerSocket ls = TipcServerSocket.listen(node, at, TipcConnection.Type.STREAM, TipcSocket.Scope.CLUSTER);
        out.println("READY echo-conn " + at);
        out.flush();
        EchoSlots slots = new EchoSlots(out);
        Thread t = new Thread(() -> {
            try (ls) {
                while (!Thread.currentThread().isInterrupted()) {
                    TipcConnection c = ls.accept(Duration.ofSeconds(1));
                    if (c == null) continue;
                    if (!slots.take()) {
                        c.close();
                        continue;
                    }
                    Thread w;
                    try {
                        w = new Thread(() -> {
                            long total = 0;
                            try (c) {
                                byte[] buf = new byte[66000];
                                int n;
                                while ((n = c.read(buf)) > 0) {
                                    c.write(buf, 0, n);
                                    total += n;
                                }
                            } catch (Exception e) {
                                // reset by the client's close()
                            } finally {
                                slots.release();
                            }
                            synchronized (out) {
                                out.println("ECHO-CONN " + total + " bytes");
                                out.flush();
                            }
                        }, "jtipc-echo-conn");
                        w.setDaemon(true);
                        w.start();
                        slots.started();
                    } catch (OutOfMemoryError e) {
                        // "unable to create native thread": this connection is dropped, the service goes on
                        c.close();
                        slots.startFailed();
                    }
                }
            } catch (Exception e) {
                // node closed or interrupted
            }
        }, "jtipc-echo-conn-accept");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The open connections of one --echo-conn service and the refusals of the current episodes. */
    static final class EchoSlots {
        private final PrintWriter out;
        private int open;
        private long refusedFull;
        private long failedStarts;

        EchoSlots(PrintWriter out) {
            this.out = out;
        }

        /** True and one more open if below {@link #ECHO_CONN_MAX}; else counts a refusal (the first printed). */
        synchronized boolean take() {
            if (open < ECHO_CONN_MAX) {
                open++;
                return true;
            }
            if (refusedFull++ == 0) print("ECHO-CONN refused: " + open + " connections open");
            return false;
        }

        /** A connection ended: one fewer open; ends an episode of refusals for the limit. */
        synchronized void release() {
            open--;
            if (refusedFull == 0) return;
            print("ECHO-CONN accepting again (" + refusedFull + " refused)");
            refusedFull = 0;
        }

        /** A connection's thread started: ends an episode of failed starts. */
        synchronized void started() {
            if (failedStarts == 0) return;
            print("ECHO-CONN threads start again (" + failedStarts + " refused)");
            failedStarts = 0;
        }

        /** Its thread could not be started: the connection taken is closed and refused (the first printed). */
        synchronized void startFailed() {
            open--;
            if (failedStarts++ == 0) print("ECHO-CONN refused: cannot start a thread (" + open + " connections open)");
        }

        private void print(String line) {
            synchronized (out) {
                out.println(line);
                out.flush();
            }
        }
    }
}
