package io.jtipc.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Counts the inputs one fuzz target ran, so each target's JVM can say how much it fuzzed (surefire's console and
 * {@code target/fuzz-reports/<target>.txt}) and fail if fuzzing mode ran nothing beyond its seeds (a silently
 * skipped @FuzzTest).
 */
final class Runs {
    private final String target;
    private long runs;
    private long started = System.nanoTime();

    Runs(String target) {
        this.target = target;
    }

    void count() {
        if (runs++ == 0) started = System.nanoTime();
    }

    long runs() {
        return runs;
    }

    /**
     * Prints and records the count; in fuzzing mode fails unless more inputs ran than the {@code seeds} given, i.e.
     * the fuzzer really generated inputs.
     */
    void report(int seeds) {
        double s = (System.nanoTime() - started) / 1e9;
        String line = String.format("fuzz target %s: %d inputs in %.1f s (%s mode, %d seeds)%n", target, runs, s,
            Checks.fuzzing() ? "fuzzing" : "regression", seeds);
        System.out.print(line);
        try {
            Path dir = Path.of("target", "fuzz-reports");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(target + (Checks.fuzzing() ? "" : "-regression") + ".txt"), line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (Checks.fuzzing() && runs <= seeds) {
            throw new AssertionError("fuzz target " + target + " ran only " + runs + " inputs for " + seeds
                + " seeds: the fuzzer did not run");
        }
    }
}
