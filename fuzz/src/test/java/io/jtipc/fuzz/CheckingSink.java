package io.jtipc.fuzz;

import java.util.regex.Pattern;

import io.jtipc.wire.FieldSink;

/**
 * A {@link FieldSink} that checks what a describer emits, for the fuzz targets: every name is a field name (kernel
 * accessor style, {@code [a-z][a-z0-9_.]*}, optionally indexed {@code name[3]}), every byte range lies inside the
 * array, groups nest and are all closed, text is non-null. It keeps the wire module's default {@code text}, {@code
 * address} and {@code bitmap} implementations, so the String rendering of node ids, MACs, IPs and names runs too.
 * Throws {@link AssertionError} (a finding) on the first violation.
 */
final class CheckingSink implements FieldSink {
    static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*(\\[\\d+])?");

    private int depth;
    private long fields;

    void reset() {
        depth = 0;
        fields = 0;
    }

    /** Fields, texts and byte ranges received since {@link #reset()}. */
    long fields() {
        return fields;
    }

    /** Fails unless every group begun was ended. */
    void assertClosed() {
        if (depth != 0) throw new AssertionError(depth + " group(s) left open by the describer");
    }

    private void name(String name) {
        if (name == null || !NAME.matcher(name).matches()) throw new AssertionError("bad field name: " + name);
        fields++;
    }

    @Override
    public void field(String name, long value, String symbolic) {
        name(name);
    }

    @Override
    public void text(String name, String value) {
        name(name);
        if (value == null) throw new AssertionError(name + ": null text");
    }

    @Override
    public void bytes(String name, byte[] buf, int off, int len) {
        name(name);
        if (buf == null || off < 0 || len < 0 || off > buf.length - len) {
            throw new AssertionError(name + ": bytes [" + off + ", +" + len + ") outside the array of "
                + (buf == null ? "null" : buf.length));
        }
    }

    @Override
    public void beginGroup(String name) {
        name(name);
        depth++;
    }

    @Override
    public void endGroup() {
        if (--depth < 0) throw new AssertionError("endGroup without beginGroup");
    }
}
