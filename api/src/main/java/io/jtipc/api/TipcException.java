package io.jtipc.api;

import java.io.IOException;

/**
 * A socket or node operation failed. {@link #errno()} is the negative errno the kernel's socket call would have
 * returned (-113 EHOSTUNREACH, -22 EINVAL, -98 EADDRINUSE, -90 EMSGSIZE, ...), 0 when none applies (closed,
 * timeout of an internal command).
 */
public class TipcException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public TipcException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    public TipcException(String message, Throwable cause) {
        super(message, cause);
        this.errno = 0;
    }

    public int errno() {
        return errno;
    }

    /** Symbolic name of a negative errno the core returns. */
    static String errnoName(int rc) {
        switch (rc) {
            case -113: return "EHOSTUNREACH";
            case -80: return "ELINKCONG";
            case -105: return "ENOBUFS";
            case -90: return "EMSGSIZE";
            case -22: return "EINVAL";
            case -98: return "EADDRINUSE";
            case -13: return "EACCES";
            case -107: return "ENOTCONN";
            default: return "errno " + rc;
        }
    }
}
