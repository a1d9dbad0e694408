package io.jtipc.node;

/**
 * A core call named a socket port that is not open (any more): {@link NodeCore}'s socket operations throw it before
 * they change anything. Between threads it is the race of close(2) with a call already on its way (the kernel's file
 * reference keeps the socket until such a call returns); the api turns it into a TipcException "socket closed".
 */
public final class NoSuchSocketException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final int port;

    NoSuchSocketException(String what, int port) {
        super("no " + what + " with port " + Integer.toUnsignedString(port));
        this.port = port;
    }

    /** The port asked for. */
    public int port() {
        return port;
    }
}
