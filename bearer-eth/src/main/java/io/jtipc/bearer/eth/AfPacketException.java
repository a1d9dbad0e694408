package io.jtipc.bearer.eth;

import io.jtipc.bearer.eth.internal.LibC;
import java.io.IOException;

/**
 * A failed native call of the Ethernet bearer, with a message a person can act on instead of a raw
 * errno.
 *
 * <p>The message names the cause: a missing capability ({@code CAP_NET_RAW} for AF_PACKET sockets,
 * {@code CAP_SYS_ADMIN} for entering a network namespace), an unknown interface or namespace, a
 * down interface, a frame over the MTU. {@link #errno()} keeps the errno for programs;
 * {@link #operation()} names the call that failed ("socket", "bind", "SIOCGIFINDEX", "sendto", ...).
 */
public final class AfPacketException extends IOException {
    private static final long serialVersionUID = 1L;

    // <asm-generic/errno-base.h>, <asm-generic/errno.h>
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int ENXIO = 6;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int ENODEV = 19;
    static final int EINVAL = 22;
    static final int EMSGSIZE = 90;
    static final int EAFNOSUPPORT = 97;
    static final int ENETDOWN = 100;
    static final int ENOBUFS = 105;

    /** The message given for EPERM/EACCES from socket(AF_PACKET, ...). */
    public static final String NEEDS_CAP_NET_RAW =
            "AF_PACKET needs CAP_NET_RAW: run as root or `setcap cap_net_raw+ep` on the java binary";

    private final int errno;
    private final String operation;

    AfPacketException(String operation, int errno, String message) {
        super(message);
        this.errno = errno;
        this.operation = operation;
    }

    /** errno of the failed call (for example 1 = EPERM, 19 = ENODEV), or 0 when none applies. */
    public int errno() {
        return errno;
    }

    /** The native call that failed: "socket", "bind", "SIOCGIFMTU", "sendto", "recvfrom", "setns", ... */
    public String operation() {
        return operation;
    }

    /**
     * Maps an errno of an AF_PACKET socket call to an exception with a clear message.
     *
     * @param operation the call that failed, e.g. "socket", "SIOCGIFINDEX", "sendto"
     * @param errno     errno after the call
     * @param ifname    the interface concerned, or null
     */
    static AfPacketException forSocket(String operation, int errno, String ifname) {
        String where = ifname == null ? "" : " on interface " + ifname;
        String msg;
        switch (errno) {
            case EPERM:
            case EACCES:
                msg = NEEDS_CAP_NET_RAW + " (" + operation + " failed: " + errnoName(errno) + ")";
                break;
            case ENODEV:
            case ENXIO:
                msg = "no such interface " + ifname + " (" + operation + " failed: " + errnoName(errno) + ")";
                break;
            case ENETDOWN:
                msg = "interface " + ifname + " is down (" + operation + " failed: ENETDOWN)";
                break;
            case EAFNOSUPPORT:
                msg = "this kernel has no AF_PACKET support (" + operation + " failed: EAFNOSUPPORT)";
                break;
            case EMSGSIZE:
                msg = "frame larger than the MTU of interface " + ifname + " (" + operation
                        + " failed: EMSGSIZE)";
                break;
            default:
                msg = operation + " failed" + where + ": " + describe(errno);
        }
        return new AfPacketException(operation, errno, msg);
    }

    /** Maps an errno of opening or entering a network namespace to an exception with a clear message. */
    static AfPacketException forNetns(String operation, int errno, String netns, String path) {
        String msg;
        switch (errno) {
            case ENOENT:
                msg = "no such network namespace " + netns + " (" + path
                        + " not found; create it with `ip netns add " + netns + "`)";
                break;
            case EPERM:
            case EACCES:
                msg = "entering network namespace " + netns + " needs CAP_SYS_ADMIN: run as root ("
                        + operation + " " + path + " failed: " + errnoName(errno) + ")";
                break;
            case EINVAL:
                msg = path + " is not a network namespace (" + operation + " failed: EINVAL)";
                break;
            default:
                msg = operation + " " + path + " failed: " + describe(errno);
        }
        return new AfPacketException(operation, errno, msg);
    }

    /** "ENOBUFS (errno 105: No buffer space available)" style text; strerror comes from libc. */
    static String describe(int errno) {
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

    /** Symbolic name of the errno values this package meets, "errno N" for others. */
    static String errnoName(int errno) {
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
