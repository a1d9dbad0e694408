package io.jtipc.lab;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A Linux kernel line the lab can boot, and the Debian suite whose {@code linux-image-cloud-amd64}
 * provides it: 5.10 (bullseye), 6.1 (bookworm, the project's baseline), 6.12 (trixie).
 */
public enum KernelVersion {
    V5_10("5.10", "bullseye"),
    V6_1("6.1", "bookworm"),
    V6_12("6.12", "trixie");

    private final String label;
    private final String suite;

    KernelVersion(String label, String suite) {
        this.label = label;
        this.suite = suite;
    }

    /** The kernel line, e.g. {@code "6.1"}. */
    public String label() {
        return label;
    }

    /** The Debian suite whose cloud kernel is this line, e.g. {@code "bookworm"}. */
    public String debianSuite() {
        return suite;
    }

    /**
     * Parses {@code "5.10"}, {@code "6.1"}, {@code "6.12"}, a suite name ({@code "bookworm"}) or the
     * constant name ({@code "V6_1"}).
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static KernelVersion parse(String text) {
        String t = text.trim();
        for (KernelVersion v : values()) {
            if (v.label.equals(t) || v.suite.equalsIgnoreCase(t) || v.name().equalsIgnoreCase(t)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown kernel version '" + text + "': expected one of "
                + Arrays.stream(values()).map(v -> v.label + " (" + v.suite + ")").collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return label;
    }
}
