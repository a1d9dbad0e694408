package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jtipc.node.NodeCore;

/**
 * The core's diagnostic lines reach SLF4J (logger {@value TipcNode#CORE_LOGGER}) at INFO from the running node,
 * rate-limited per kind (issue 15: link reset reasons used to stay in the core's memory). The lines are added through
 * the core's package-private {@code log(String)}, as its parts do.
 */
@Timeout(60)
class CoreLogToLoggerTest {
    @Test
    void coreLinesAreLoggedAtInfoOncePerKind() throws Exception {
        int p = 20000 + ThreadLocalRandom.current().nextInt(20000);
        Method log = NodeCore.class.getDeclaredMethod("log", String.class);
        log.setAccessible(true);
        try (NodeFailureTest.Stderr err = new NodeFailureTest.Stderr();
             TipcNode a = TipcNode.builder().identity("jt-corelog").bearer("udp:127.0.0.1:" + p + ",remote=127.0.0.3:" + p)
                     .start()) {
            a.call(now -> {
                try {
                    for (int i = 0; i < 5; i++) log.invoke(a.core(), "link x:u1-y:u1: test reset reason, counter " + (100 + i));
                    log.invoke(a.core(), "peer table full (4096), discovery from 1001234 ignored");
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
                return null;
            });
            a.links(); // one more loop turn: the lines above are forwarded after the batch that added them
            long end = System.nanoTime() + 5_000_000_000L;
            List<String> lines = err.lines(TipcNode.CORE_LOGGER);
            while (lines.size() < 2 && System.nanoTime() < end) {
                Thread.sleep(20);
                lines = err.lines(TipcNode.CORE_LOGGER);
            }
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).contains(" INFO ").endsWith("link x:u1-y:u1: test reset reason, counter 100");
            assertThat(lines.get(1)).contains(" INFO ").endsWith("peer table full (4096), discovery from 1001234 ignored");
        }
    }
}
