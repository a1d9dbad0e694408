package io.jtipc.fuzz;

import java.util.regex.Pattern;

import io.jtipc.wire.Malformation;

/** Assertions shared by the fuzz targets; each throws {@link AssertionError}, which Jazzer reports as a finding. */
final class Checks {
    private Checks() {}

    /** A field path: {@code size}, {@code inner.hdr_sz}, {@code msg[1].size}, {@code seq.lower}. */
    static final Pattern FIELD = Pattern.compile("[a-z][a-z0-9_]*(\\[\\d+])?(\\.[a-z][a-z0-9_]*(\\[\\d+])?)*");

    /** "Decoding is total" (DEVELOPERS.md): OK, or a problem naming a field with a reason. */
    static void precise(String what, Malformation m) {
        if (m == null) throw new AssertionError(what + ": null Malformation");
        if (m.isOk()) return;
        if (m.field() == null || !FIELD.matcher(m.field()).matches()) {
            throw new AssertionError(what + ": malformation without a proper field name: " + m);
        }
        if (m.reason() == null || m.reason().isBlank()) throw new AssertionError(what + ": malformation without reason: " + m);
    }

    static void check(boolean ok, String message) {
        if (!ok) throw new AssertionError(message);
    }

    /** True when this JVM fuzzes (JAZZER_FUZZ set, as the pom's fuzz-* executions do), false in regression mode. */
    static boolean fuzzing() {
        String v = System.getenv("JAZZER_FUZZ");
        if (v == null) v = System.getProperty("JAZZER_FUZZ");
        return v != null && !v.isEmpty() && !v.equals("0") && !v.equalsIgnoreCase("false");
    }
}
