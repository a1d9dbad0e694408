package io.jtipc.bearer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link NetNs#runIn}: a caller interrupted while the task runs gets InterruptedIOException, and what the task then
 * returns (a socket, say) is closed, not leaked. The namespace entered is this process's own ({@code /proc/self/ns/net}:
 * setns needs CAP_SYS_ADMIN, so the test is skipped without it).
 */
@Timeout(20)
class NetNsInterruptTest {
    private static final String OWN = "/proc/self/ns/net";

    @Test
    void theResultOfAnAbandonedTaskIsClosed() throws Exception {
        boolean canEnter;
        try {
            canEnter = NetNs.runIn(OWN, () -> true);
        } catch (IOException e) {
            canEnter = false;
        }
        assumeThat(canEnter).as("setns permitted (root)").isTrue();

        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                NetNs.runIn(OWN, () -> {
                    started.countDown();
                    release.await();
                    return (AutoCloseable) closed::countDown;
                });
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        caller.start();
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        caller.interrupt();
        caller.join(5000);
        assertThat(thrown.get()).isInstanceOf(InterruptedIOException.class);
        assertThat(closed.getCount()).as("not closed while the task runs").isEqualTo(1);
        release.countDown();
        assertThat(closed.await(5, TimeUnit.SECONDS)).as("closed once the abandoned task returned it").isTrue();
    }
}
