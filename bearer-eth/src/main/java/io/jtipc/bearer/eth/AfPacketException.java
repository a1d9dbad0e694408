package io.jtipc.bearer.eth;

import io.jtipc.bearer.SyscallException;

/**
 * A failed native call of the Ethernet bearer, with a message a person can act on instead of a raw
 * errno.
 *
 * <p>The message names the cause: a missing capability ({@code CAP_NET_RAW} for AF_PACKET sockets,
 * {@code CAP_SYS_ADMIN} for entering a network namespace), an unknown interface or namespace, a
 * down interface, a frame over the MTU. {@link #errno()} keeps the errno for programs;
 * {@link #operation()} names the call that failed ("socket", "bind", "SIOCGIFINDEX", "sendto", ...).
 */
public final class AfPacketException extends SyscallException {
    private static final long serialVersionUID = 1L;

    /** The message given for EPERM/EACCES from socket(AF_PACKET, ...). */
    public static final String NEEDS_CAP_NET_RAW =
            "AF_PACKET needs CAP_NET_RAW: run as root or `setcap cap_net_raw+ep` on the java binary";

    AfPacketException(String operation, int errno, String message) {
        super(operation, errno, message);
    }

    /**
     * The same failure (operation, errno, message) as an AfPacketException: the bearer's open reports
     * a namespace that cannot be entered ({@code NetNs}) as its own failure, as it always has.
     */
    AfPacketException(SyscallException e) {
        super(e.operation(), e.errno(), e.getMessage());
        initCause(e);
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
}
