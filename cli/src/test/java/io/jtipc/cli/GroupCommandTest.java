package io.jtipc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** {@code jtipc node --group TYPE:MEMBER} and {@code group-bcast} in-process: two members over UDP on loopback. */
class GroupCommandTest {

    @Test
    void twoMembersSeeEachOtherAndTheBroadcastsThenLeft() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a = "127.0.0.1:" + port;
        String b = "127.0.0.2:" + port;
        CompletableFuture<MainTest.Result> first = CompletableFuture.supplyAsync(() -> MainTest.run("node", "--identity",
            "cli-grp-a", "--bearer", "udp:" + a + ",remote=" + b, "--group", "18900:1", "--for", "14"));
        MainTest.Result r = MainTest.run("node", "--identity", "cli-grp-b", "--bearer", "udp:" + b + ",remote=" + a,
            "--group", "18900:2", "--wait-link", "15", "sleep", "3", "group-bcast", "5", "hello");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("MEMBER joined 1 node [0-9a-f]+ port \\d+").contains("GROUP-BCAST sent 5");
        MainTest.Result e = first.get(40, TimeUnit.SECONDS);
        assertThat(e.code()).as(e.err()).isZero();
        String out = e.out();
        assertThat(out).containsPattern("MEMBER joined 2 node [0-9a-f]+ port \\d+");
        int joined = out.indexOf("MEMBER joined 2");
        int prev = joined;
        for (int i = 0; i < 5; i++) {
            int at = out.indexOf("GOT hello " + i + "\n");
            assertThat(at).as("GOT hello %d after the previous line", i).isGreaterThan(prev);
            prev = at;
        }
        assertThat(out.indexOf("MEMBER left 2")).as("LEFT after the last message").isGreaterThan(prev);
    }

    @Test
    void aMembersTextIsPrintedEscaped() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a = "127.0.0.1:" + port;
        String b = "127.0.0.2:" + port;
        CompletableFuture<MainTest.Result> first = CompletableFuture.supplyAsync(() -> MainTest.run("node", "--identity",
            "cli-grp-esc-a", "--bearer", "udp:" + a + ",remote=" + b, "--group", "18901:1", "--for", "14"));
        // a newline to forge a line, an ESC sequence to rewrite the terminal
        MainTest.Result r = MainTest.run("node", "--identity", "cli-grp-esc-b", "--bearer", "udp:" + b + ",remote=" + a,
            "--group", "18901:2", "--wait-link", "15", "sleep", "3", "group-bcast", "1", "hi\nGOT forged\u001b[2J");
        assertThat(r.code()).as(r.err()).isZero();
        MainTest.Result e = first.get(40, TimeUnit.SECONDS);
        assertThat(e.code()).as(e.err()).isZero();
        assertThat(e.out()).contains("GOT hi\\x0aGOT forged\\x1b[2J 0\n").doesNotContain("\u001b");
        assertThat(e.lines()).noneMatch(l -> l.startsWith("GOT forged"));
    }

    @Test
    void groupBcastNeedsAGroup() {
        MainTest.Result r = MainTest.run("node", "--identity", "x", "--bearer", "udp:127.0.0.1:1", "group-bcast", "3", "x");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("group-bcast needs --group");
        r = MainTest.run("node", "--identity", "x", "--bearer", "udp:127.0.0.1:1", "--group", "18900", "links");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("bad TIPC address '18900'");
    }
}
