package io.jtipc.hostile;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The attacked node: {@code jtipc node --echo TYPE:INSTANCE} (io.jtipc.cli.Main) in a child JVM with
 * {@value #XMX}, on this test's class path, its stdout and stderr (the INFO log) written to files under
 * {@code target/hostile/}. {@link #close} kills it (also on test failure: use try-with-resources).
 */
final class TargetJvm implements AutoCloseable {
    static final String XMX = "-Xmx512m";
    /** The echo service's type and instance. */
    static final int ECHO_TYPE = 4242;
    static final int ECHO_INSTANCE = 1;

    final String identity;
    final Process process;
    final Path out;
    final Path err;

    TargetJvm(String identity, String bearer) throws IOException, InterruptedException {
        this.identity = identity;
        Path dir = Path.of("target", "hostile");
        Files.createDirectories(dir);
        out = dir.resolve(identity + ".out");
        err = dir.resolve(identity + ".err");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, XMX, "-cp", cp, "io.jtipc.cli.Main",
            "node", "--identity", identity, "--bearer", bearer, "--echo", ECHO_TYPE + ":" + ECHO_INSTANCE));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        process = pb.start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!stdout().contains("READY echo")) {
            if (!process.isAlive()) throw new IOException("target exited " + process.exitValue() + ": " + stderr());
            if (System.nanoTime() > end) throw new IOException("target not ready in 30 s: " + stderr());
            Thread.sleep(50);
        }
    }

    long pid() {
        return process.pid();
    }

    String stdout() {
        return read(out);
    }

    String stderr() {
        return read(err);
    }

    /** Every line the node printed (stdout: LINK up/down, ECHO; stderr: the log). */
    List<String> lines() {
        List<String> r = new ArrayList<>(stdout().lines().toList());
        r.addAll(stderr().lines().toList());
        return r;
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? new String(Files.readAllBytes(p), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Heap in use after a full GC, bytes ({@code jcmd PID GC.run}, then {@code GC.heap_info}'s "used" of the heap),
     * or -1 if jcmd could not tell (the child is dead or does not answer in 20 s).
     */
    long heapUsedAfterGc() throws IOException, InterruptedException {
        if (!process.isAlive()) return -1;
        jcmd("GC.run");
        String info = jcmd("GC.heap_info");
        Matcher m = Pattern.compile("total \\d+K, used (\\d+)K").matcher(info);
        return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
    }

    private String jcmd(String what) throws IOException, InterruptedException {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        if (!new File(jcmd).canExecute()) jcmd = "jcmd";
        Process p = new ProcessBuilder(jcmd, Long.toString(pid()), what).redirectErrorStream(true).start();
        byte[] b = p.getInputStream().readAllBytes();
        if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
        return new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(3, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
