package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

/** A start that fails after the event loop and the first bearer's receive thread are running releases everything. */
class FailedStartTest {
    private static List<String> jtipcThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith("jtipc-"))
                .toList();
    }

    @Test
    void failedEnableBearerLeavesNoThreadOrSocket() throws Exception {
        List<String> before = jtipcThreads();
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        // two UDP bearers with the same name: both sockets open, the loop starts, bearer 1 starts receiving, then
        // enabling bearer 2 fails in the core ("already enabled")
        TipcNode n = TipcNode.builder().identity("jt-fail")
                .bearer("udp:127.0.0.1:" + port + ",name=dup")
                .bearer("udp:127.0.0.1:" + (port + 1) + ",name=dup")
                .build();
        assertThatThrownBy(n::start).hasMessageContaining("already enabled");
        long deadline = System.currentTimeMillis() + 5000;
        while (!jtipcThreads().equals(before) && System.currentTimeMillis() < deadline) Thread.sleep(20);
        assertThat(jtipcThreads()).containsExactlyInAnyOrderElementsOf(before);
        // the second UDP socket was closed: a new node binds its address again
        try (TipcNode again = TipcNode.builder().identity("jt-fail2")
                .bearer("udp:127.0.0.1:" + (port + 1) + ",name=b")
                .build()) {
            again.start();
            assertThat(again.address()).isNotZero();
        }
        assertThatThrownBy(n::start).isInstanceOf(IllegalStateException.class);
        n.close();
    }
}
