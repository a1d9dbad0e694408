package io.jtipc.capture.filter;

/**
 * A display filter that cannot be used: a syntax error or a field name no record has. The message says
 * what is wrong; {@link #position()} is where (0-based character offset into the filter text).
 */
public final class FilterSyntaxException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final int position;

    FilterSyntaxException(String message, int position) {
        super(message);
        this.position = position;
    }

    /** 0-based offset of the offending character in the filter text (its length when the text ended early). */
    public int position() { return position; }
}
