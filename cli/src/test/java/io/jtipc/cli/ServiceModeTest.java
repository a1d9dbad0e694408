package io.jtipc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jtipc.api.LinkInfo;
import io.jtipc.api.LinkListener;
import io.jtipc.api.TipcNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jtipc node} as a service, in a child JVM on UDP loopback linked with an in-test node: it prints its READY
 * line, answers a control command on its {@code --control} socket, and on SIGTERM ({@link Process#destroy()})
 * closes gracefully: the in-test node sees the link down within 1 s (the bound; the UDP link tolerance is
 * 1.5 s, so only the peer-stopping RESET can make it) and the process exits 0.
 */
class ServiceModeTest {

    @Test
    void sigtermResetsTheLinkAtOnceAndExitsZero(@TempDir Path dir) throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a = "127.0.0.1:" + port;
        String b = "127.0.0.2:" + port;
        Path ctl = dir.resolve("svc.ctl");
        try (TipcNode peer = TipcNode.builder().identity("svc-peer").bearer("udp:" + a + ",remote=" + b + ",name=sp").start()) {
            CountDownLatch down = new CountDownLatch(1);
            AtomicLong downAt = new AtomicLong();
            peer.addLinkListener(new LinkListener() {
                @Override
                public void linkDown(LinkInfo l) {
                    downAt.compareAndSet(0, System.nanoTime());
                    down.countDown();
                }
            });
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            // stderr to a file: Process.destroy() closes the pipes, so what the child prints while it stops would be lost
            Path errFile = dir.resolve("stderr.txt");
            // run as systemd runs a Type=notify unit with WatchdogSec=: READY=1 once up, then WATCHDOG=1 every half
            // of WATCHDOG_USEC while the node's core answers, STOPPING=1 at SIGTERM and no ping after it
            NotifySocket systemd = new NotifySocket(dir.resolve("notify").toString());
            ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.jtipc.cli.Main", "node",
                    "--identity", "svc-child", "--bearer", "udp:" + b + ",remote=" + a + ",name=sc", "--control", ctl.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(errFile.toFile());
            pb.environment().put("NOTIFY_SOCKET", dir.resolve("notify").toString());
            pb.environment().put("WATCHDOG_USEC", "400000");
            pb.environment().remove("WATCHDOG_PID");
            Process p;
            try {
                p = pb.start();
            } catch (java.io.IOException e) {
                systemd.close();
                throw e;
            }
            try {
                long end = System.nanoTime() + 60_000_000_000L;
                while (!Files.readString(errFile).contains("READY ") && System.nanoTime() < end && p.isAlive()) Thread.sleep(50);
                List<String> err = Files.readAllLines(errFile);
                assertThat(err).as("READY line").anySatisfy(l -> assertThat(l)
                        .matches("READY identity svc-child address [0-9a-f]+ cluster 4711 control " + ctl));
                assertThat(Files.exists(ctl)).isTrue();
                assertThat(systemd.receive(10_000, 1)).singleElement().asString()
                        .matches("READY=1\nSTATUS=identity svc-child address [0-9a-f]+ cluster 4711");
                peer.awaitLinkUp(Duration.ofSeconds(20));
                assertThat(systemd.receive(10_000, 2)).as("watchdog pings").containsExactly("WATCHDOG=1", "WATCHDOG=1");
                // the peer's link is up; the child's end comes up on its own (ACTIVATE or traffic): ask until it has
                MainTest.Result r = MainTest.run("--node", ctl.toString(), "link", "list");
                long linkEnd = System.nanoTime() + 20_000_000_000L;
                while (r.code() == 0 && !r.out().contains("svc-child:sc-svc-peer:sp: up\n") && System.nanoTime() < linkEnd) {
                    Thread.sleep(50);
                    r = MainTest.run("--node", ctl.toString(), "link", "list");
                }
                assertThat(r.code()).as(r.err()).isZero();
                assertThat(r.out()).contains("broadcast-link: up\n").contains("svc-child:sc-svc-peer:sp: up\n");

                long t0 = System.nanoTime();
                p.destroy(); // SIGTERM
                assertThat(down.await(5, TimeUnit.SECONDS)).as("link down at the peer").isTrue();
                long ms = (downAt.get() - t0) / 1_000_000;
                assertThat(ms).as("link down after SIGTERM, ms; stderr %s", Files.readAllLines(errFile)).isLessThan(1000);
                assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
                err = Files.readAllLines(errFile);
                assertThat(p.exitValue()).as("exit code; stderr %s", err).isZero();
                assertThat(err).anySatisfy(l -> assertThat(l).contains("SIGTERM: stopping"))
                        .anySatisfy(l -> assertThat(l).isEqualTo("jtipc node: stopped"));
                assertThat(Files.exists(ctl)).as("control socket removed").isFalse();
                List<String> last = systemd.drain();
                assertThat(last).as("after the pings, STOPPING=1 and nothing after it").endsWith("STOPPING=1");
                assertThat(last.subList(0, last.size() - 1)).allSatisfy(x -> assertThat(x).isEqualTo("WATCHDOG=1"));
            } finally {
                p.destroyForcibly();
                systemd.close();
            }
        }
    }

    @Test
    void anExplicitControlPathInUseIsAFailure(@TempDir Path dir) throws Exception {
        Path ctl = dir.resolve("busy.ctl");
        try (io.jtipc.cli.control.ControlServer s = io.jtipc.cli.control.ControlServer.start(ctl,
                args -> io.jtipc.cli.control.ControlServer.Reply.ok(""))) {
            int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
            MainTest.Result r = MainTest.run("node", "--identity", "svc-busy", "--bearer", "udp:127.0.0.1:" + port,
                    "--control", ctl.toString());
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).contains("in use by a running node");
        }
    }

    /** SIGTERM while the node waits for its first link (no peer): the wait ends with the node's close, exit 0. */
    @org.junit.jupiter.api.RepeatedTest(6)
    void sigtermDuringWaitLinkExitsZero(@TempDir Path dir) throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path errFile = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.jtipc.cli.Main", "node",
                "--identity", "svc-lonely", "--bearer", "udp:127.0.0.1:" + port + ",remote=127.0.0.2:" + port + ",name=sl",
                "--wait-link", "120", "--control", "none")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(errFile.toFile()).start();
        try {
            long end = System.nanoTime() + 60_000_000_000L;
            while (!Files.readString(errFile).contains("READY ") && System.nanoTime() < end && p.isAlive()) Thread.sleep(50);
            assertThat(Files.readString(errFile)).contains("READY ");
            Thread.sleep(300 + ThreadLocalRandom.current().nextInt(50)); // into awaitLinkUp, at any point of its 50 ms poll
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            List<String> err = Files.readAllLines(errFile);
            assertThat(p.exitValue()).as("exit code; stderr %s", err).isZero();
            assertThat(err).anySatisfy(l -> assertThat(l).contains("SIGTERM: stopping"))
                    .noneSatisfy(l -> assertThat(l).contains("no link came up"));
        } finally {
            p.destroyForcibly();
        }
    }
}
