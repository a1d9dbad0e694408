package io.jtipc.wire;

import java.util.Objects;

/**
 * Result of validating bytes: either {@link #OK} or a problem naming the field and why.
 *
 * <p>Example: field {@code "hdr_sz"}, reason {@code "header size 20 < 24"}; field {@code "size"},
 * reason {@code "msg_size 1500 > 1200 bytes available"}. Field names follow the kernel accessor
 * names without {@code msg_} (see {@link FieldSink}).
 */
public final class Malformation {
    /** The single "no problem" value. */
    public static final Malformation OK = new Malformation(null, null);

    private final String field;
    private final String reason;

    private Malformation(String field, String reason) {
        this.field = field;
        this.reason = reason;
    }

    /** A problem with {@code field}; reason is a human readable sentence fragment. */
    public static Malformation of(String field, String reason) {
        return new Malformation(Objects.requireNonNull(field), Objects.requireNonNull(reason));
    }

    public boolean isOk() {
        return field == null;
    }

    /** Field name, null for OK. */
    public String field() {
        return field;
    }

    /** Reason, null for OK. */
    public String reason() {
        return reason;
    }

    /** Returns {@code this} if not OK, else {@code other}: keep the first problem found. */
    public Malformation or(Malformation other) {
        return isOk() ? other : this;
    }

    @Override
    public String toString() {
        return isOk() ? "OK" : field + ": " + reason;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Malformation && Objects.equals(field, ((Malformation) o).field)
            && Objects.equals(reason, ((Malformation) o).reason);
    }

    @Override
    public int hashCode() {
        return Objects.hash(field, reason);
    }
}
