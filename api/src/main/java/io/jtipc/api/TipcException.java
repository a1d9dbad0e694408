package io.jtipc.api;

import java.io.IOException;

/**
 * A socket or node operation failed. {@link #error()} says why: the errno the kernel's socket call would have
 * returned ({@link TipcError#EHOSTUNREACH}, {@link TipcError#EINVAL}, {@link TipcError#EADDRINUSE},
 * {@link TipcError#EMSGSIZE}, ...), or {@link TipcError#NONE} when none applies (closed, timeout of an internal
 * command).
 */
public class TipcException extends IOException {
    private static final long serialVersionUID = 1L;
    /** Why the operation failed (serialized). */
    private final TipcError error;

    /**
     * @param error   the errno this stands for, {@link TipcError#NONE} if none applies
     * @param message what failed
     * @throws NullPointerException if {@code error} is null
     */
    public TipcException(TipcError error, String message) {
        super(message);
        this.error = java.util.Objects.requireNonNull(error, "error");
    }

    /** An exception with no errno ({@link TipcError#NONE}) caused by {@code cause}. */
    public TipcException(String message, Throwable cause) {
        super(message, cause);
        this.error = TipcError.NONE;
    }

    /** Why the operation failed. */
    public TipcError error() {
        return error;
    }

    /** {@link #error()} as the kernel's negated errno (-113 EHOSTUNREACH, ...), 0 for {@link TipcError#NONE}. */
    public int errno() {
        return error.errno();
    }

    /**
     * The exception for a negative errno {@code rc} the protocol core returned: message {@code "what: NAME"}; an errno
     * {@link TipcError} does not name (none today, {@code TipcErrorTest} pins the set) gives {@link TipcError#NONE}
     * with message {@code "what: errno N"} rather than hiding the failure behind another exception.
     */
    static TipcException of(int rc, String what) {
        TipcError e = TipcError.find(rc);
        return e == null || e == TipcError.NONE ? new TipcException(TipcError.NONE, what + ": errno " + rc)
            : new TipcException(e, what + ": " + e.name());
    }
}
