package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An Error in a bearer's receive thread or in the event loop is never silent (issue 15): logged at ERROR once, the
 * bearer (or the node) closed, the state and the listeners tell the application, blocked calls wake naming the cause.
 * Over UDP on 127.0.0.1/127.0.0.2 with {@link FaultyMedia} injecting an OutOfMemoryError in the receive path.
 */
@Timeout(90)
class NodeFailureTest {
    private final Map<String, FaultyMedia> media = new ConcurrentHashMap<>();
    private final List<String> events = new CopyOnWriteArrayList<>();

    private TipcNode.Builder faulty(String id, String... bearers) {
        TipcNode.Builder b = TipcNode.builder().identity(id);
        for (String s : bearers) b.bearer(s);
        return FaultyMedia.wrapping(b, m -> {
            FaultyMedia f = new FaultyMedia(m);
            media.put(m.name(), f);
            return f;
        });
    }

    /** As {@link #faulty}, each media holding queued frames until a flush ({@link FaultyMedia#FaultyMedia(Media, boolean)}). */
    private TipcNode.Builder faultyHolding(String id, String... bearers) {
        TipcNode.Builder b = TipcNode.builder().identity(id);
        for (String s : bearers) b.bearer(s);
        return FaultyMedia.wrapping(b, m -> {
            FaultyMedia f = new FaultyMedia(m, true);
            media.put(m.name(), f);
            return f;
        });
    }

    private static void startBoth(TipcNode a, TipcNode b) throws Exception {
        CompletableFuture<Void> sa = CompletableFuture.runAsync(() -> {
            try {
                a.start();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        b.start();
        sa.get(30, TimeUnit.SECONDS);
    }

    private static void await(String what, BooleanSupplier c) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("not within 20 s: " + what);
            Thread.sleep(20);
        }
    }

    private static long upLinks(TipcNode n) {
        try {
            return n.links().stream().filter(LinkInfo::up).count();
        } catch (TipcException e) {
            return -1;
        }
    }

    /** Copies System.err (where slf4j-simple writes) while open. */
    static final class Stderr implements AutoCloseable {
        private final PrintStream old = System.err;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        Stderr() {
            OutputStream tee = new OutputStream() {
                @Override
                public synchronized void write(int b) {
                    buf.write(b);
                    old.write(b);
                }

                @Override
                public synchronized void write(byte[] b, int off, int len) {
                    buf.write(b, off, len);
                    old.write(b, off, len);
                }
            };
            System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
        }

        /** Lines logged at ERROR by the logger whose name ends with {@code logger}. */
        List<String> errors(String logger) {
            return lines(logger).stream().filter(l -> l.contains(" ERROR ")).toList();
        }

        /** Lines logged by the logger whose name contains {@code logger}. */
        List<String> lines(String logger) {
            String s;
            synchronized (this) {
                s = buf.toString(StandardCharsets.UTF_8);
            }
            return s.lines().filter(l -> l.contains(" " + logger + " - ") || l.contains("." + logger + " - ")).toList();
        }

        @Override
        public void close() {
            System.setErr(old);
        }
    }

    @Test
    void aDeadReceiveThreadDegradesTheNodeWhichRunsOnItsOtherBearer() throws Exception {
        int p = 20000 + ThreadLocalRandom.current().nextInt(20000);
        try (TipcNode a = faulty("jt-deg-a", "udp:127.0.0.1:" + p + ",remote=127.0.0.2:" + p + ",name=a1",
                "udp:127.0.0.1:" + (p + 1) + ",remote=127.0.0.2:" + (p + 1) + ",name=a2").build();
             TipcNode b = TipcNode.builder().identity("jt-deg-b").bearer("udp:127.0.0.2:" + p + ",remote=127.0.0.1:" + p
                     + ",name=b1").bearer("udp:127.0.0.2:" + (p + 1) + ",remote=127.0.0.1:" + (p + 1) + ",name=b2").build();
             Stderr err = new Stderr()) {
            startBoth(a, b);
            await("two links up", () -> upLinks(a) == 2 && upLinks(b) == 2);
            a.addStateListener((st, cause) -> {
                throw new AssertionError("a listener's own failure: logged, the node and the next listener go on");
            });
            a.addStateListener((st, cause) -> events.add(st + " " + cause));
            assertThat(a.state()).isEqualTo(TipcNodeState.RUNNING);
            assertThat(a.failure()).isNull();
            TipcGroup g1 = TipcGroup.join(a, 18902, 1, TipcSocket.Scope.NODE, 0);
            TipcGroup g2 = TipcGroup.join(a, 18902, 2, TipcSocket.Scope.NODE, 0);

            media.get("udp:a1").poison();
            await("DEGRADED", () -> a.state() == TipcNodeState.DEGRADED);
            assertThat(a.failure()).isInstanceOf(OutOfMemoryError.class).hasMessageContaining("injected");
            await("the listener told", () -> !events.isEmpty());
            assertThat(events).containsExactly("DEGRADED java.lang.OutOfMemoryError: Java heap space (injected by FaultyMedia)");
            // the bearer was disabled with a peer-stopping RESET: b's link over it goes down at once, the other stays
            await("b's link over b1 down", () -> upLinks(b) == 1);
            assertThat(a.links()).singleElement().satisfies(l -> {
                assertThat(l.bearer()).isEqualTo("udp:a2");
                assertThat(l.up()).isTrue();
            });
            // the node works on: a message over the other bearer
            try (TipcSocket rx = TipcSocket.rdm(b); TipcSocket tx = TipcSocket.rdm(a)) {
                rx.bind(TipcAddress.ofService(18901, 1));
                a.awaitBinding(x -> x.type() == 18901, TwoNodeChecks.T);
                tx.send(TipcAddress.ofService(18901, 1), new byte[] {4, 2});
                assertThat(rx.receive(TwoNodeChecks.T).payload()).containsExactly(4, 2);
            }
            // and so do its group members (they took DEGRADED for closed)
            g1.send(g2.address(), new byte[] {7});
            assertThat(g2.receive(TwoNodeChecks.T).payload()).containsExactly(7);
            g1.close();
            g2.close();
            assertThat(a.isRunning()).isTrue();
            assertThat(a.state()).isEqualTo(TipcNodeState.DEGRADED);
            assertThat(err.errors("TipcNode")).as("logged once").singleElement().asString().contains("udp:a1")
                    .contains("receive thread died");
        }
    }

    @Test
    void aSecondDeadBearerIsDisabledAndReportedTooAndTheThirdFailsTheNode() throws Exception {
        int p = 20000 + ThreadLocalRandom.current().nextInt(20000);
        // a peer has at most two links to a node (node.c tipc_node_check_dest): a1 and a2 go to b, a3 to c
        String[] as = new String[3];
        for (int i = 0; i < 3; i++) {
            String peer = i < 2 ? "127.0.0.2" : "127.0.0.3";
            as[i] = "udp:127.0.0.1:" + (p + i) + ",remote=" + peer + ":" + (p + i) + ",name=a" + (i + 1);
        }
        try (TipcNode a = faulty("jt-deg3-a", as).build();
             TipcNode b = TipcNode.builder().identity("jt-deg3-b").bearer("udp:127.0.0.2:" + p + ",remote=127.0.0.1:" + p
                     + ",name=b1").bearer("udp:127.0.0.2:" + (p + 1) + ",remote=127.0.0.1:" + (p + 1) + ",name=b2").build();
             TipcNode c = TipcNode.builder().identity("jt-deg3-c").bearer("udp:127.0.0.3:" + (p + 2) + ",remote=127.0.0.1:"
                     + (p + 2) + ",name=c3").build();
             Stderr err = new Stderr()) {
            startBoth(a, b);
            c.start();
            await("three links up", () -> upLinks(a) == 3 && upLinks(b) == 2 && upLinks(c) == 1);
            a.addStateListener((st, cause) -> events.add(st.toString()));

            media.get("udp:a1").poison();
            await("DEGRADED", () -> events.size() == 1);
            assertThat(a.state()).isEqualTo(TipcNodeState.DEGRADED);
            await("a1 disabled", () -> {
                try {
                    return a.links().stream().noneMatch(l -> l.bearer().equals("udp:a1"));
                } catch (TipcException e) {
                    return false;
                }
            });

            // the node is DEGRADED already: the second dead bearer must still be disabled, closed and reported
            media.get("udp:a2").poison();
            await("the second death reported", () -> events.size() == 2);
            assertThat(a.state()).isEqualTo(TipcNodeState.DEGRADED);
            await("a2 disabled in the core", () -> {
                try {
                    return a.links().stream().noneMatch(l -> l.bearer().equals("udp:a2"));
                } catch (TipcException e) {
                    return false;
                }
            });
            assertThat(a.links()).singleElement().satisfies(l -> {
                assertThat(l.bearer()).isEqualTo("udp:a3");
                assertThat(l.up()).isTrue();
            });
            await("b's links over b1 and b2 down", () -> upLinks(b) == 0);
            assertThat(err.errors("TipcNode")).as("each death logged once").hasSize(2);
            assertThat(a.isRunning()).isTrue();

            // the third was the last live bearer
            media.get("udp:a3").poison();
            await("FAILED", () -> a.state() == TipcNodeState.FAILED);
            await("the listener told", () -> events.size() == 3);
            assertThat(events).containsExactly("DEGRADED", "DEGRADED", "FAILED");
            assertThat(a.isRunning()).isFalse();
        }
    }

    @Test
    void listenersAreToldOneChangeAtATimeInOrder() throws Exception {
        int p = 20000 + ThreadLocalRandom.current().nextInt(20000);
        try (TipcNode a = faulty("jt-ord-a", "udp:127.0.0.1:" + p + ",remote=127.0.0.2:" + p + ",name=a1",
                "udp:127.0.0.1:" + (p + 1) + ",remote=127.0.0.2:" + (p + 1) + ",name=a2").build();
             TipcNode b = TipcNode.builder().identity("jt-ord-b").bearer("udp:127.0.0.2:" + p + ",remote=127.0.0.1:" + p
                     + ",name=b1").bearer("udp:127.0.0.2:" + (p + 1) + ",remote=127.0.0.1:" + (p + 1) + ",name=b2").build();
             Stderr err = new Stderr()) {
            startBoth(a, b);
            await("two links up", () -> upLinks(a) == 2);
            a.addStateListener((st, cause) -> {
                events.add("begin " + st);
                if (st == TipcNodeState.DEGRADED) {
                    // still telling DEGRADED when the loop fails: FAILED must wait for this call to end
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (a.state() != TipcNodeState.FAILED && System.nanoTime() < end) Thread.onSpinWait();
                    // the node is FAILED now; give a FAILED call on another thread (the old, unordered way) 2 s to
                    // begin while this one still runs
                    end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                    while (!events.contains("begin FAILED") && System.nanoTime() < end) Thread.onSpinWait();
                }
                events.add("end " + st);
            });
            media.get("udp:a1").poison();
            await("DEGRADED being told", () -> events.contains("begin DEGRADED"));
            a.later(() -> {
                throw new OutOfMemoryError("injected in the event loop");
            });
            await("FAILED told", () -> events.size() == 4);
            assertThat(events).containsExactly("begin DEGRADED", "end DEGRADED", "begin FAILED", "end FAILED");
            a.close();
            assertThat(a.state()).isEqualTo(TipcNodeState.FAILED);
        }
    }

    /**
     * An Error where the event loop sends the frames of a timer run (the outbox flush, after the core lock is released,
     * outside the core call's own guard) fails the node: before, it ended the loop thread with the node still RUNNING
     * and its timers stopped.
     */
    @Test
    void anErrorInTheEventLoopsFlushFailsTheNode() throws Exception {
        int p = 20000 + ThreadLocalRandom.current().nextInt(20000);
        try (TipcNode a = faultyHolding("jt-flush-a", "udp:127.0.0.1:" + p + ",remote=127.0.0.2:" + p + ",name=a1")
                 .build();
             TipcNode b = TipcNode.builder().identity("jt-flush-b").bearer("udp:127.0.0.2:" + p + ",remote=127.0.0.1:"
                     + p + ",name=b1").build();
             Stderr err = new Stderr()) {
            startBoth(a, b);
            await("link up", () -> upLinks(a) == 1);
            a.addStateListener((st, cause) -> events.add(st + " " + cause.getClass().getSimpleName()));
            CompletableFuture<Thread> loop = new CompletableFuture<>();
            a.later(() -> loop.complete(Thread.currentThread()));
            // the loop's next flush with frames (a link timer's STATE at the latest) throws
            media.get("udp:a1").errorOnFlushOf(loop.get(10, TimeUnit.SECONDS));
            await("FAILED", () -> a.state() == TipcNodeState.FAILED);
            await("the listener told", () -> !events.isEmpty());
            assertThat(events).containsExactly("FAILED OutOfMemoryError");
            assertThat(a.isRunning()).isFalse();
            assertThatThrownBy(a::links).isInstanceOf(TipcException.class).hasMessageContaining("OutOfMemoryError");
            assertThat(err.errors("TipcNode")).as("logged once").hasSize(1);
        }
    }

    @Test
    void theLastBearersDeadReceiveThreadFailsTheNodeAndWakesBlockedCalls() throws Exception {
        int p = 20000 + ThreadLocalRandom.current().nextInt(20000);
        try (TipcNode a = faulty("jt-fail-a", "udp:127.0.0.1:" + p + ",remote=127.0.0.2:" + p + ",name=a1").build();
             TipcNode b = TipcNode.builder().identity("jt-fail-b").bearer("udp:127.0.0.2:" + p + ",remote=127.0.0.1:" + p
                     + ",name=b1").build();
             Stderr err = new Stderr()) {
            startBoth(a, b);
            await("link up", () -> upLinks(a) == 1);
            a.addStateListener((st, cause) -> events.add(st + " " + cause.getClass().getSimpleName()));
            TipcSocket s = TipcSocket.rdm(a);
            CompletableFuture<TipcMessage> blocked = CompletableFuture.supplyAsync(() -> {
                try {
                    return s.receive();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(100);
            media.get("udp:a1").poison();
            await("FAILED", () -> a.state() == TipcNodeState.FAILED);
            await("the listener told", () -> !events.isEmpty());
            assertThat(events).containsExactly("FAILED OutOfMemoryError");
            assertThat(a.isRunning()).isFalse();
            assertThatThrownBy(() -> blocked.get(10, TimeUnit.SECONDS)).rootCause().isInstanceOf(OutOfMemoryError.class);
            assertThatThrownBy(blocked::join).hasCauseInstanceOf(RuntimeException.class)
                    .hasMessageContaining("jt-fail-a failed: java.lang.OutOfMemoryError");
            assertThatThrownBy(a::links).isInstanceOf(TipcException.class)
                    .hasMessageContaining("failed: java.lang.OutOfMemoryError").hasCauseInstanceOf(OutOfMemoryError.class);
            assertThatThrownBy(() -> s.send(TipcAddress.ofService(1000, 1), new byte[1]))
                    .hasMessageContaining("OutOfMemoryError");
            a.close();
            assertThat(a.state()).as("close() keeps the failure").isEqualTo(TipcNodeState.FAILED);
            assertThat(err.errors("TipcNode")).as("logged once").singleElement().asString().contains("udp:a1");
            // the peer notices: no more traffic from a, its link times out (UDP tolerance 1.5 s)
            await("b's link down", () -> upLinks(b) == 0);
        }
    }

    @Test
    void anErrorInTheEventLoopFailsTheNodeAndWakesQueuedCommands() throws Exception {
        int p = 20000 + ThreadLocalRandom.current().nextInt(20000);
        try (Stderr err = new Stderr();
             TipcNode a = TipcNode.builder().identity("jt-loop").bearer("udp:127.0.0.1:" + p + ",remote=127.0.0.3:" + p)
                     .start()) {
            a.addStateListener((st, cause) -> events.add(st + " " + cause.getMessage()));
            java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
            a.later(() -> {
                running.countDown();
                // the command below waits for the core lock this run holds (bounded wait: the test's own timeout does
                // the rest)
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (a.queuedCommands() == 0 && System.nanoTime() < end) Thread.onSpinWait();
                throw new OutOfMemoryError("injected in the event loop");
            });
            // issue 14: commands no longer queue in the loop's inbox behind this task, they wait for the core lock; so
            // the command is issued once the task holds the lock
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Object> queued = CompletableFuture.supplyAsync(() -> {
                try {
                    return a.links();
                } catch (TipcException e) {
                    return e;
                }
            });
            Object r = queued.get(10, TimeUnit.SECONDS);
            assertThat(r).isInstanceOfSatisfying(TipcException.class, e -> assertThat(e)
                    .hasMessage("node jt-loop failed: java.lang.OutOfMemoryError: injected in the event loop"));
            await("FAILED", () -> a.state() == TipcNodeState.FAILED);
            await("the listener told", () -> !events.isEmpty());
            assertThat(events).containsExactly("FAILED injected in the event loop");
            assertThat(err.errors("TipcNode")).singleElement().asString().contains("the event loop died");
            assertThatThrownBy(() -> TipcSocket.rdm(a)).hasMessageContaining("injected in the event loop");
        }
    }
}
