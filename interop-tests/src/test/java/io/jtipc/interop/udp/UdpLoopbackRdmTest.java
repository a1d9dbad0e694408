package io.jtipc.interop.udp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 5 acceptance on loopback: two jtipc nodes with UDP bearers form a link and pass the RDM scenario
 * ({@link UdpRdmScenario}) over IPv4 replicast (127.0.0.1 / 127.0.0.2) and IPv6 (::1, two ports), without root.
 *
 * <p>Run as root, the scenario runs in a child JVM started by {@code setpriv --reuid=nobody --regid=nogroup
 * --clear-groups --inh-caps=-all --bounding-set=-all}, which must report uid 65534 and {@code CapEff: 0}; the
 * classpath is copied to a world-readable temporary directory first (the Maven repository under /root is not
 * readable by nobody). Run as another user the scenario runs in this JVM, which is then unprivileged already
 * (CapEff checked as well). Without setpriv as root the test is skipped with that reason.
 *
 * <p>Loss: netem cannot act on loopback without root, so in the IPv4 run both bearers drop 2 % of received
 * datagrams on purpose ({@code loss=2}, a RandomLossGenerator injected through UdpBearerConfig.lossGenerator) and the scenario requires retransmissions
 * (a lost ping waits for the next probe to be noticed, so the rate is kept low to keep the test short); the IPv6
 * run is loss-free.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UdpLoopbackRdmTest {
    private Path cpDir;
    private String childCp;
    private boolean root;

    @BeforeAll
    void setUp() throws Exception {
        root = new com.sun.security.auth.module.UnixSystem().getUid() == 0;
        if (!root) return;
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) || Files.isExecutable(Path.of("/bin/setpriv")),
                "running as root and setpriv (util-linux) is absent: cannot prove the scenario runs without root");
        cpDir = Files.createTempDirectory(Path.of("/tmp"), "jtipc-udp-cp-");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String e : cp.split(File.pathSeparator)) {
            Path src = Path.of(e);
            if (!Files.exists(src)) continue;
            Path dst = cpDir.resolve((i++) + "-" + src.getFileName());
            copy(src, dst);
            entries.add(dst.toString());
        }
        try (Stream<Path> all = Files.walk(cpDir)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        childCp = String.join(File.pathSeparator, entries);
    }

    private static void copy(Path src, Path dst) throws IOException {
        if (!Files.isDirectory(src)) {
            Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path d = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(d);
                else Files.copy(p, d, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @AfterAll
    void tearDown() throws IOException {
        if (cpDir == null) return;
        try (Stream<Path> s = Files.walk(cpDir)) {
            for (Path p : s.sorted((x, y) -> y.getNameCount() - x.getNameCount()).toList()) Files.deleteIfExists(p);
        }
    }

    private static int port() {
        return 20000 + new Random().nextInt(30000);
    }

    @Test
    void ipv4ReplicastOn127001And127002() throws Exception {
        int p = port();
        scenario("udp:127.0.0.1:" + p + ",remote=127.0.0.2:" + p + ",loss=2",
                "udp:127.0.0.2:" + p + ",remote=127.0.0.1:" + p + ",loss=2");
    }

    @Test
    void ipv6OnLoopback() throws Exception {
        int p = port();
        scenario("udp:[::1]:" + p + ",remote=[::1]:" + (p + 1), "udp:[::1]:" + (p + 1) + ",remote=[::1]:" + p);
    }

    private void scenario(String a, String b) throws Exception {
        if (!root) {
            String cap = UdpRdmScenario.capEff();
            assertThat(cap).as("unprivileged JVM").isEqualTo("CapEff: 0000000000000000");
            UdpRdmScenario.run(a, b, System.err);
            return;
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--inh-caps=-all",
                "--bounding-set=-all", java, "-Xmx256m", "-Djava.io.tmpdir=/tmp", "-cp", childCp,
                UdpRdmScenario.class.getName(), a, b);
        Path log = Files.createTempFile("jtipc-udp-child", ".log");
        Process pr = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).directory(new File("/tmp")).start();
        boolean done = pr.waitFor(240, TimeUnit.SECONDS);
        if (!done) pr.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        System.err.println("[udp-loopback] child JVM (" + a + " / " + b + "):\n" + out);
        assertThat(done).as("child finished within 240 s").isTrue();
        assertThat(out).as("child runs as nobody without capabilities")
                .contains("uid 65534 CapEff: 0000000000000000");
        assertThat(pr.exitValue()).as(out).isZero();
        assertThat(out.strip()).endsWith("SCENARIO OK");
    }
}
