package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lock order of the bearer operations: {@link TipcNode#addBearer} and {@link TipcNode#removeBearer} held the node's
 * monitor while they waited for the core lock, and {@link TipcNode#close()} takes that monitor; so a listener running
 * under the core lock (a {@link LinkListener}) that closed the node or added a bearer while another thread's bearer
 * operation was waiting for the core lock waited for the monitor until that operation gave up after
 * {@link TipcNode#CALL_WAIT_MS} ms ("the node's core was busy for 30 s"). Now neither waits: the bearer operations
 * hold no lock while they wait for the core.
 */
@Timeout(120)
class BearerAdminLockOrderTest {
    private static void await(String what, BooleanSupplier c) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!c.getAsBoolean()) {
            assertThat(System.nanoTime() < end).as(what).isTrue();
            Thread.sleep(1);
        }
    }

    private static int port() {
        return 20000 + ThreadLocalRandom.current().nextInt(20000);
    }

    private static TipcNode node(String id) throws Exception {
        int p = port();
        // no JMX: no refresh thread waiting for the core too
        return TipcNode.builder().identity(id).bearer("udp:127.0.0.1:" + p + ",remote=127.0.0.3:" + p).jmx(false)
                .start();
    }

    /** Runs {@code r} on a new thread; what it threw (or null) lands in {@code result}. */
    private static Thread spawn(String name, ThrowingRunnable r, AtomicReference<Throwable> result) {
        Thread t = new Thread(() -> {
            try {
                r.run();
            } catch (Throwable e) {
                result.set(e);
            }
        }, name);
        t.start();
        return t;
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void closeUnderTheCoreLockDoesNotWaitForARemovalWaitingForTheCore() throws Exception {
        TipcNode a = node("jt-lock-close");
        try {
            String name = a.bearerNames().get(0);
            AtomicReference<Throwable> removal = new AtomicReference<>();
            Thread[] remover = new Thread[1];
            AtomicReference<Throwable> inListener = new AtomicReference<>();
            a.call(now -> { // what a LinkListener's thread holds
                try {
                    remover[0] = spawn("test-remove", () -> a.removeBearer(name), removal);
                    // in tryLock for the core lock (the loop thread may be queued for it too: no count of the queue)
                    await("the removal waits for the core lock",
                            () -> remover[0].getState() == Thread.State.TIMED_WAITING && a.queuedCommands() >= 1);
                    a.close(); // waited CALL_WAIT_MS for the remover's monitor before the fix
                } catch (Throwable e) {
                    inListener.set(e);
                }
                return null;
            });
            assertThat(inListener.get()).isNull();
            remover[0].join(10_000);
            assertThat(remover[0].isAlive()).isFalse();
            // before the fix: "the node's core was busy for 30 s" (it timed out while close() waited for it)
            assertThat(removal.get()).isInstanceOf(TipcException.class).hasMessageContaining("is not running");
            assertThat(a.state()).isEqualTo(TipcNodeState.CLOSED);
        } finally {
            a.close();
        }
    }

    @Test
    void addBearerUnderTheCoreLockDoesNotWaitForARemovalWaitingForTheCore() throws Exception {
        TipcNode a = node("jt-lock-add");
        try {
            String first = a.bearerNames().get(0);
            int p = port();
            AtomicReference<Throwable> removal = new AtomicReference<>();
            Thread[] remover = new Thread[1];
            String[] added = new String[1];
            AtomicReference<Throwable> inListener = new AtomicReference<>();
            a.call(now -> {
                try {
                    remover[0] = spawn("test-remove", () -> a.removeBearer(first), removal);
                    // in tryLock for the core lock (the loop thread may be queued for it too: no count of the queue)
                    await("the removal waits for the core lock",
                            () -> remover[0].getState() == Thread.State.TIMED_WAITING && a.queuedCommands() >= 1);
                    // before the fix: waited CALL_WAIT_MS for the remover's monitor, then the remover failed
                    added[0] = a.addBearer("udp:127.0.0.2:" + p + ",remote=127.0.0.3:" + p);
                } catch (Throwable e) {
                    inListener.set(e);
                }
                return null;
            });
            assertThat(inListener.get()).isNull();
            remover[0].join(10_000);
            assertThat(remover[0].isAlive()).isFalse();
            assertThat(removal.get()).as("the removal ran once the core was free").isNull();
            assertThat(a.bearerNames()).containsExactly(added[0]);
        } finally {
            a.close();
        }
    }
}
