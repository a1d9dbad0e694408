package io.jtipc.hostile;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.jtipc.api.LinkInfo;
import io.jtipc.api.LinkListener;
import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcMessage;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcSocket;

/**
 * The honest client: every {@value #PERIOD_MS} ms it sends a numbered RDM message to the target's echo service
 * and waits up to {@value #BOUND_MS} ms for that number to come back; it records the worst round trip, the misses,
 * and every link down of its node. Started before an attack, stopped after it.
 */
final class EchoPinger implements AutoCloseable {
    /** Issue 15: the honest echo stays under 1 s throughout an attack. */
    static final long BOUND_MS = 1000;
    static final long PERIOD_MS = 100;

    private final TipcNode node;
    private final TipcSocket sock;
    private final Thread thread;
    private volatile boolean running = true;
    private final List<String> problems = new ArrayList<>();
    private final List<String> linkDowns = new ArrayList<>();
    private volatile long worstMs;
    private volatile int sent;
    private volatile int answered;

    EchoPinger(TipcNode node) throws Exception {
        this.node = node;
        this.sock = TipcSocket.rdm(node);
        node.addLinkListener(new LinkListener() {
            @Override
            public void linkDown(LinkInfo l) {
                synchronized (linkDowns) {
                    linkDowns.add(l.name());
                }
            }
        });
        thread = new Thread(this::run, "honest-pinger");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        TipcAddress echo = TipcAddress.ofService(TargetJvm.ECHO_TYPE, TargetJvm.ECHO_INSTANCE);
        for (int n = 0; running; n++) {
            long t0 = System.nanoTime();
            try {
                sock.send(echo, ByteBuffer.allocate(8).putLong(n).array());
                sent++;
                boolean back = false;
                while (!back) {
                    long left = BOUND_MS - (System.nanoTime() - t0) / 1_000_000;
                    TipcMessage m = left > 0 ? sock.receive(Duration.ofMillis(left)) : null;
                    if (m == null) break;
                    back = !m.isReturned() && m.payload().length == 8 && ByteBuffer.wrap(m.payload()).getLong() == n;
                }
                long ms = (System.nanoTime() - t0) / 1_000_000;
                worstMs = Math.max(worstMs, ms);
                if (back) {
                    answered++;
                } else {
                    problem("echo " + n + " not back within " + BOUND_MS + " ms");
                }
            } catch (Exception e) {
                if (!running) return;
                problem("echo " + n + ": " + e);
                worstMs = Math.max(worstMs, (System.nanoTime() - t0) / 1_000_000);
            }
            long rest = PERIOD_MS - (System.nanoTime() - t0) / 1_000_000;
            if (rest > 0) {
                try {
                    Thread.sleep(rest);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void problem(String s) {
        synchronized (problems) {
            if (problems.size() < 20) problems.add(s);
        }
    }

    List<String> problems() {
        synchronized (problems) {
            return List.copyOf(problems);
        }
    }

    List<String> linkDowns() {
        synchronized (linkDowns) {
            return List.copyOf(linkDowns);
        }
    }

    long worstMs() {
        return worstMs;
    }

    int sent() {
        return sent;
    }

    int answered() {
        return answered;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(3000);
        sock.close();
    }

    @Override
    public String toString() {
        return "pinger[sent " + sent + ", answered " + answered + ", worst " + worstMs + " ms, problems " + problems()
            + ", link downs " + linkDowns() + "]";
    }
}
