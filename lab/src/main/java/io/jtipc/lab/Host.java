package io.jtipc.lab;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs host commands for the lab (ip, tcpdump, qemu checks) and for tests that inspect what the lab made:
 * stdout and stderr merged, exit code 127 when the command cannot start, 124 when it outlives its timeout,
 * 130 when interrupted.
 */
public final class Host {
    private Host() {
    }

    /** A finished host command: what ran, its exit code and its merged output. */
    public record Result(List<String> command, int exitCode, String output) {
        /** Exit code 0. */
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs {@code command}, waiting at most {@code timeout} for it to end. */
    public static Result run(Duration timeout, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new Result(command, 127, "cannot start " + command.get(0) + ": " + e.getMessage());
        }
        try (InputStream in = p.getInputStream()) {
            byte[] out = in.readAllBytes();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return new Result(command, 124, new String(out, StandardCharsets.UTF_8) + "\n(timed out)");
            }
            return new Result(command, p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            p.destroyForcibly();
            return new Result(command, 1, "reading output failed: " + e.getMessage());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Result(command, 130, "interrupted");
        }
    }

    /** {@link #run(Duration, List)} with 30 s. */
    public static Result run(String... command) {
        return run(Duration.ofSeconds(30), Arrays.asList(command));
    }

    /** Runs a command and throws a {@link LabException} of the given stage when it fails. */
    static String check(LabException.Stage stage, String what, String... command) {
        Result r = run(command);
        if (!r.ok()) {
            throw new LabException(stage, what + " failed: `" + String.join(" ", command) + "` exited with "
                    + r.exitCode(), r.output());
        }
        return r.output();
    }

    static boolean isRoot() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return uid instanceof Integer i && i == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        List<String> dirs = new ArrayList<>(Arrays.asList(path.split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin"));
        for (String d : dirs) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Why the lab cannot run here, or empty when it can (root, qemu, ip, tcpdump, gcc, ...). */
    static Optional<String> unavailableReason() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return Optional.of("the kernel TIPC lab needs Linux (network namespaces, tap devices)");
        }
        if (!isRoot()) {
            return Optional.of("the kernel TIPC lab needs root (network namespaces, bridge, tap devices); "
                    + "running as " + System.getProperty("user.name") + " — run the lab tests as root (CI does)");
        }
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("qemu-system-x86_64", "ip", "tcpdump", "gcc", "busybox", "cpio", "depmod",
                "modprobe", "apt-get", "dpkg", "bash")) {
            if (!onPath(tool)) {
                missing.add(tool);
            }
        }
        if (!missing.isEmpty()) {
            return Optional.of("the kernel TIPC lab needs host tools that are missing: " + String.join(", ", missing)
                    + " (run bin/setup)");
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            return Optional.of("the kernel TIPC lab needs /dev/net/tun (tap devices)");
        }
        return Optional.empty();
    }

    /** The last {@code lines} lines of a text file, or a note when it cannot be read. */
    static String tail(Path file, int lines) {
        try {
            if (!Files.exists(file)) {
                return "(" + file + " does not exist)";
            }
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8)
                    .replaceAll("\u001b\\[[0-9;?]*[a-zA-Z]", "").replace("\u001bc", "").replace("\r", "");
            String[] all = text.split("\n", -1);
            int from = Math.max(0, all.length - lines);
            return String.join("\n", Arrays.asList(all).subList(from, all.length));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    static String shellQuote(String arg) {
        if (!arg.isEmpty() && arg.matches("[A-Za-z0-9_@%+=:,./-]+")) {
            return arg;
        }
        return "'" + arg.replace("'", "'\\''") + "'";
    }
}
