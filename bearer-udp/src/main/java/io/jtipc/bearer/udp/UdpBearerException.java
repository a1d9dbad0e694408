package io.jtipc.bearer.udp;

import java.io.IOException;

/**
 * A UDP bearer problem in plain words ("127.0.0.9 is not an address of this host", "UDP port 6118
 * on 10.0.0.1 is already in use", "cannot join multicast group ..."), with a {@link Reason} for
 * programs. The message never needs the stack trace to be understood; the JDK exception that caused
 * it, if any, is kept as the cause.
 */
public final class UdpBearerException extends IOException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Reason {
        /** The local IP is not an address of this host (EADDRNOTAVAIL; the kernel's -ENODEV from {@code __ip_dev_find}). */
        ADDRESS_NOT_LOCAL,
        /** The local UDP port is taken on that address (EADDRINUSE). */
        PORT_IN_USE,
        /** Multicast could not be set up: group socket, join, interface options. */
        MULTICAST_SETUP,
        /** The interface's MTU is too small for TIPC ({@code tipc_mtu_bad}). */
        MTU_TOO_SMALL,
        /** A frame does not fit one UDP datagram. */
        FRAME_TOO_LARGE,
        /** A send failed (network unreachable, no route, interface gone, ...). */
        SEND_FAILED,
        /** The bearer's socket could not be created or configured otherwise. */
        SOCKET,
        /** The bearer is closed. */
        CLOSED
    }

    private final Reason reason;

    public UdpBearerException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public UdpBearerException(Reason reason, String message) {
        this(reason, message, null);
    }

    /** What went wrong, for programs. */
    public Reason reason() {
        return reason;
    }
}
