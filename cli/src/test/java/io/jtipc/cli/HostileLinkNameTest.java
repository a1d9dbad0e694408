package io.jtipc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Issue 15: a peer whose bearer (interface) name carries a forged log line and a terminal escape, over UDP on
 * 127.0.0.1 / 127.0.0.2: {@code jtipc node}'s "LINK up" line and {@code links} table show it escaped.
 */
class HostileLinkNameTest {

    @Test
    void linkUpAndLinksOutputShowTheInterfaceNameEscaped() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a = "127.0.0.1:" + port;
        String b = "127.0.0.2:" + port;
        // 14 bytes (the RESET carries at most 15): ESC[31m then a newline and a forged log line
        String evil = "a\u001b[31m\n[INFO]x";
        CompletableFuture<MainTest.Result> peer = CompletableFuture.supplyAsync(() -> MainTest.run("node", "--identity",
                "cli-evil", "--bearer", "udp:" + a + ",remote=" + b + ",name=" + evil, "--for", "10"));
        MainTest.Result r = MainTest.run("node", "--identity", "cli-victim", "--bearer",
                "udp:" + b + ",remote=" + a + ",name=ub", "--wait-link", "15", "links");
        assertThat(r.code()).as(r.err()).isZero();
        String shown = "a\\x1b[31m\\x0a[INFO]x";
        assertThat(r.out()).contains("LINK up cli-victim:ub-cli-evil:" + shown)
                .contains("cli-victim:ub-cli-evil:" + shown + ": up");
        for (String s : new String[] {r.out(), r.err()}) {
            assertThat(s.chars().filter(c -> c != '\n' && (c < 0x20 || c == 0x7f)).count()).as(s).isZero();
            assertThat(s.lines()).noneMatch(l -> l.startsWith("[INFO]x"));
        }
        peer.get(30, TimeUnit.SECONDS);
    }
}
