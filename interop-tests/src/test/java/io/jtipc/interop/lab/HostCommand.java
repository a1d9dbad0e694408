package io.jtipc.interop.lab;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a host command for the lab's self-tests (ip, tcpdump), the way the lab's own host plumbing does:
 * stdout and stderr merged, exit code 127 when it cannot start, 124 when it outlives its timeout.
 */
final class HostCommand {
    private HostCommand() {
    }

    /** A finished host command. */
    record Result(List<String> command, int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    static Result run(Duration timeout, List<String> command) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Result(command, 127, "cannot start " + command.get(0) + ": " + e.getMessage());
        }
        try (InputStream in = p.getInputStream()) {
            String out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return new Result(command, 124, out + "\n(timed out)");
            }
            return new Result(command, p.exitValue(), out);
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
    static Result run(String... command) {
        return run(Duration.ofSeconds(30), Arrays.asList(command));
    }
}
