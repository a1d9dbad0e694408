package io.jtipc.lab;

import java.util.List;

/**
 * What a command run in a guest produced.
 *
 * @param node     the guest's name
 * @param command  the shell command line
 * @param exitCode exit status; 128 + signal when killed (137 after a timeout)
 * @param timedOut the command ran past its timeout and was killed
 * @param lines    stdout and stderr, merged, line by line
 */
public record ExecResult(String node, String command, int exitCode, boolean timedOut, List<String> lines) {

    public ExecResult {
        lines = List.copyOf(lines);
    }

    /** Exit status 0 and no timeout. */
    public boolean ok() {
        return exitCode == 0 && !timedOut;
    }

    /** The output joined with newlines. */
    public String output() {
        return String.join("\n", lines);
    }

    /**
     * Returns this result if {@link #ok()}.
     *
     * @throws LabException (stage EXEC) with the command's output otherwise
     */
    public ExecResult requireOk() {
        if (!ok()) {
            throw new LabException(LabException.Stage.EXEC, node + ": `" + command + "` "
                    + (timedOut ? "timed out" : "exited with " + exitCode), "output:\n" + output());
        }
        return this;
    }

    @Override
    public String toString() {
        return node + "$ " + command + " -> " + (timedOut ? "timeout" : exitCode) + "\n" + output();
    }
}
