package io.jtipc.bearer;

import java.io.IOException;

/**
 * A failed Linux system call of a bearer (through {@link LibC}), with a message a person can act on
 * instead of a raw errno. {@link #errno()} keeps the errno for programs; {@link #operation()} names
 * the call that failed ("socket", "bind", "sendto", "open", "setns", ...).
 *
 * <p>{@link NetNs} throws it as is; the Ethernet bearer's {@code AfPacketException} extends it.
 * {@link #errnoName} and {@link #describe} turn an errno into words for such messages.
 */
public class SyscallException extends IOException {
    private static final long serialVersionUID = 1L;

    // errno values the bearers meet, <asm-generic/errno-base.h> and <asm-generic/errno.h>
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int ENXIO = 6;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int EMSGSIZE = 90;
    public static final int EAFNOSUPPORT = 97;
    public static final int ENETDOWN = 100;
    public static final int ENOBUFS = 105;

    private final int errno;
    private final String operation;

    /**
     * @param operation the call that failed
     * @param errno     errno after the call, or 0 when none applies
     * @param message   the whole message, in words
     */
    public SyscallException(String operation, int errno, String message) {
        super(message);
        this.errno = errno;
        this.operation = operation;
    }

    /** errno of the failed call (for example 1 = EPERM, 19 = ENODEV), or 0 when none applies. */
    public int errno() {
        return errno;
    }

    /** The call that failed: "socket", "bind", "SIOCGIFMTU", "sendto", "recvfrom", "open", "setns", ... */
    public String operation() {
        return operation;
    }

    /**
     * "ENOBUFS (errno 105): No buffer space available" style text for errnos with a name here,
     * "errno 12: Cannot allocate memory" for others; the text is libc's {@code strerror}.
     */
    public static String describe(int errno) {
        String text;
        try {
            text = LibC.Native.libc().strerror(errno);
        } catch (LinkageError | RuntimeException e) {
            text = null;
        }
        String name = errnoName(errno);
        return (name.startsWith("errno") ? name : name + " (errno " + errno + ")")
                + (text == null ? "" : ": " + text);
    }

    /** Symbolic name of the errno values the bearers meet, "errno N" for others. */
    public static String errnoName(int errno) {
        switch (errno) {
            case EPERM: return "EPERM";
            case ENOENT: return "ENOENT";
            case EINTR: return "EINTR";
            case ENXIO: return "ENXIO";
            case EBADF: return "EBADF";
            case EAGAIN: return "EAGAIN";
            case EACCES: return "EACCES";
            case ENODEV: return "ENODEV";
            case EINVAL: return "EINVAL";
            case EMSGSIZE: return "EMSGSIZE";
            case EAFNOSUPPORT: return "EAFNOSUPPORT";
            case ENETDOWN: return "ENETDOWN";
            case ENOBUFS: return "ENOBUFS";
            default: return "errno " + errno;
        }
    }
}
