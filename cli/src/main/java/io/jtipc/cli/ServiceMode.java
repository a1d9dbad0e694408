package io.jtipc.cli;

import io.jtipc.api.TipcNode;
import io.jtipc.cli.control.ControlCommands;
import io.jtipc.cli.control.ControlPaths;
import io.jtipc.cli.control.ControlServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code jtipc node} as a service: SIGTERM and SIGINT stop it gracefully (the node closes: every up link sends a
 * RESET with the peer-stopping bit, so peers report the link down at once instead of after their tolerance, as the
 * kernel's tipc_node_stop does), a JVM shutdown hook closes the node on any other orderly exit, and the control
 * socket ({@link ControlServer}) serves {@code jtipc link|bearer|nametable|node list|socket|peer} commands.
 *
 * <p>The signals are taken with {@code sun.misc.Signal} (module jdk.unsupported, no native code) so that the node
 * closes on the main thread and the process exits 0; where that is not available only the shutdown hook closes the
 * node (exit status 143 or 130). The previous handlers are restored by {@link #close()}.
 */
final class ServiceMode implements AutoCloseable {
    /** The value of {@code --control} that turns the control socket off. */
    static final String NO_CONTROL = "none";

    /** An explicit {@code --control} path that cannot be used (in use by a live node, not a socket, ...). */
    static final class ControlUnavailableException extends IOException {
        ControlUnavailableException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** The running services a signal stops (several in one JVM when tests run nodes in-process). */
    private static final List<ServiceMode> ACTIVE = new ArrayList<>();
    /** The JVM's handlers before the first service took the signals; restored when the last one closes. */
    private static final List<Object[]> PREVIOUS = new ArrayList<>();

    private CountDownLatch stop;
    private Thread main;
    private TipcNode node;
    private final Thread hook;
    private final ControlServer control;
    private volatile String signal;
    /** Run by the signal handler before it closes the node (the service tells systemd it is stopping). */
    private volatile Runnable onSignal;

    private ServiceMode(Thread hook, ControlServer control) {
        this.hook = hook;
        this.control = control;
    }

    /**
     * Takes SIGTERM/SIGINT (each counts {@code stop} down and interrupts {@code main}), adds the shutdown hook and
     * opens the control socket: {@code controlOption} a path, {@link #NO_CONTROL}, or null for the identity's default
     * path (a default path in use by another node is reported on {@code err} and the node runs without control).
     *
     * @throws ControlUnavailableException an explicit control path cannot be used
     * @throws IOException the default directory cannot be found (the user id is unknown)
     */
    static ServiceMode start(TipcNode node, String controlOption, CountDownLatch stop, Thread main,
                             PrintWriter err) throws IOException {
        ControlServer control = null;
        if (!NO_CONTROL.equals(controlOption)) {
            ControlCommands commands = new ControlCommands(node);
            // the default path is named by the identity as node list shows it, as 'jtipc --node ID' looks for it
            Path path = controlOption != null ? Path.of(controlOption) : ControlPaths.defaultPath(String.valueOf(node.identity()));
            try {
                if (controlOption == null) ControlPaths.ensurePrivate(path.getParent());
                control = ControlServer.start(path, commands::execute);
            } catch (IOException e) {
                if (controlOption != null) throw new ControlUnavailableException(e);
                synchronized (err) {
                    err.println("jtipc node: no control socket: " + e.getMessage());
                    err.flush();
                }
            }
        }
        Thread hook = new Thread(node::close, "jtipc-node-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        ServiceMode s = new ServiceMode(hook, control);
        s.stop = stop;
        s.main = main;
        s.node = node;
        synchronized (ACTIVE) {
            if (ACTIVE.isEmpty()) takeSignals();
            ACTIVE.add(s);
        }
        return s;
    }

    /** Installs the SIGTERM/SIGINT handler that stops every active service (called with ACTIVE locked). */
    private static void takeSignals() {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal sig = new sun.misc.Signal(name);
                sun.misc.SignalHandler old = sun.misc.Signal.handle(sig, x -> {
                    List<ServiceMode> all;
                    synchronized (ACTIVE) {
                        all = List.copyOf(ACTIVE);
                    }
                    for (ServiceMode m : all) {
                        m.signal = "SIG" + name;
                        Runnable r = m.onSignal;
                        try {
                            if (r != null) r.run();
                        } finally {
                            // the RESETs leave now, not after the main thread has unwound its actions
                            m.node.close();
                            m.stop.countDown();
                            m.main.interrupt();
                        }
                    }
                });
                PREVIOUS.add(new Object[] {sig, old});
            } catch (IllegalArgumentException | LinkageError e) {
                // the JVM keeps this signal (e.g. -Xrs): the shutdown hook still closes the node
            }
        }
    }

    /** {@code r} runs in the SIGTERM/SIGINT handler before the node is closed. */
    void onSignal(Runnable r) {
        this.onSignal = r;
    }

    /** The control socket's path, or null without one. */
    Path controlPath() {
        return control == null ? null : control.path();
    }

    /** "SIGTERM" or "SIGINT" once one arrived, else null. */
    String signal() {
        return signal;
    }

    /** Closes the control socket, restores the signal handlers and removes the hook (the node is closed next). */
    @Override
    public void close() {
        if (control != null) control.close();
        synchronized (ACTIVE) {
            if (ACTIVE.remove(this) && ACTIVE.isEmpty()) {
                for (Object[] p : PREVIOUS) sun.misc.Signal.handle((sun.misc.Signal) p[0], (sun.misc.SignalHandler) p[1]);
                PREVIOUS.clear();
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (closing twice is harmless)
        }
    }
}
