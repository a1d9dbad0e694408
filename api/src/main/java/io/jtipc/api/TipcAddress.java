package io.jtipc.api;

/**
 * A TIPC address as {@code struct sockaddr_tipc} holds it (include/uapi/linux/tipc.h): a service address
 * {type, instance} (TIPC_SERVICE_ADDR), a service range {type, lower, upper} (TIPC_SERVICE_RANGE, used to
 * bind and to multicast) or a socket address {port, node} (TIPC_SOCKET_ADDR). All numbers are unsigned 32-bit
 * values kept in an {@code int}.
 *
 * <p>A {@link java.net.SocketAddress}, as junixsocket-tipc's {@code AFTIPCSocketAddress} is, so code written against
 * {@code SocketAddress} can hold one. Immutable; {@link java.io.Serializable} through a serialization proxy: the
 * stream holds the kind and the five numbers, and reading it back goes through {@link #ofService},
 * {@link #ofServiceRange} or {@link #ofSocket}, so a stream cannot create an address those factories refuse
 * (e.g. lower &gt; upper); such a stream fails with {@link java.io.InvalidObjectException}.
 */
public final class TipcAddress extends java.net.SocketAddress {
    private static final long serialVersionUID = 1L;

    /** The address family variants (tipc.h TIPC_SERVICE_RANGE = 1, TIPC_SERVICE_ADDR = 2, TIPC_SOCKET_ADDR = 3). */
    public enum Kind {
        /** A service type and an instance range lower..upper (struct tipc_service_range). */
        SERVICE_RANGE,
        /** A service type and one instance (struct tipc_service_addr). */
        SERVICE,
        /** A socket: port reference and node address (struct tipc_socket_addr). */
        SOCKET
    }

    /** Which variant this is (a stream carries a {@code Form} instead of these fields). */
    private final Kind kind;
    /** Service type; 0 for a socket address. */
    private final int type;
    /** Lowest instance (the instance of a service address); 0 for a socket address. */
    private final int lower;
    /** Highest instance (= lower for a service address); 0 for a socket address. */
    private final int upper;
    /** Port reference of a socket address, else 0. */
    private final int port;
    /** Node address of a socket address, else 0. */
    private final int node;

    private TipcAddress(Kind kind, int type, int lower, int upper, int port, int node) {
        this.kind = kind;
        this.type = type;
        this.lower = lower;
        this.upper = upper;
        this.port = port;
        this.node = node;
    }

    /** A service address {type, instance}: anycast send target, or a single-instance binding. */
    public static TipcAddress ofService(int type, int instance) {
        return new TipcAddress(Kind.SERVICE, type, instance, instance, 0, 0);
    }

    /**
     * A service range {type, lower, upper}: a binding or a multicast target.
     *
     * @throws IllegalArgumentException if lower &gt; upper (unsigned)
     */
    public static TipcAddress ofServiceRange(int type, int lower, int upper) {
        if (Integer.compareUnsigned(lower, upper) > 0) {
            throw new IllegalArgumentException("lower " + Integer.toUnsignedString(lower) + " > upper "
                    + Integer.toUnsignedString(upper));
        }
        return new TipcAddress(Kind.SERVICE_RANGE, type, lower, upper, 0, 0);
    }

    /** A socket address {port, node} (node = the 32-bit node address, e.g. {@link TipcNode#address()}). */
    public static TipcAddress ofSocket(int port, int node) {
        return new TipcAddress(Kind.SOCKET, 0, 0, 0, port, node);
    }

    /**
     * Parses {@code TYPE:INSTANCE}, {@code TYPE:LOWER:UPPER} (decimal or 0x hex) or {@code PORT@NODE}
     * (node in hex as {@code tipc} prints it, with or without 0x).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static TipcAddress parse(String s) {
        try {
            int at = s.indexOf('@');
            if (at > 0) {
                String n = s.substring(at + 1);
                if (n.startsWith("0x") || n.startsWith("0X")) n = n.substring(2);
                int node;
                try {
                    node = Integer.parseUnsignedInt(n, 16);
                } catch (NumberFormatException e) {
                    throw new NumberFormatException("node '" + n + "' is not a 32-bit address in hex");
                }
                return ofSocket(num(s.substring(0, at)), node);
            }
            String[] p = s.split(":");
            if (p.length == 2) return ofService(num(p[0]), num(p[1]));
            if (p.length == 3) return ofServiceRange(num(p[0]), num(p[1]), num(p[2]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad TIPC address '" + s + "': " + e.getMessage());
        }
        throw new IllegalArgumentException("bad TIPC address '" + s + "': want TYPE:INSTANCE, TYPE:LOWER:UPPER or PORT@NODE");
    }

    private static int num(String t) {
        t = t.trim();
        try {
            if (t.startsWith("0x") || t.startsWith("0X")) return Integer.parseUnsignedInt(t.substring(2), 16);
            return Integer.parseUnsignedInt(t);
        } catch (NumberFormatException e) {
            throw new NumberFormatException("'" + t + "' is not a number from 0 to 4294967295 (decimal or 0x hex)");
        }
    }

    /** Which of the three address forms this is (uapi tipc.h: service, service range or socket address). */
    public Kind kind() { return kind; }

    /** Service type (0 for socket addresses). */
    public int type() { return type; }

    /** Instance of a service address, lower bound of a range. */
    public int instance() { return lower; }

    /** Lower bound of a service range (u32; the instance of a service address, 0 for a socket address). */
    public int lower() { return lower; }

    /** Upper bound of a service range (u32; the instance of a service address, 0 for a socket address). */
    public int upper() { return upper; }

    /** Port of a socket address (0 otherwise). */
    public int port() { return port; }

    /** Node address of a socket address (0 otherwise). */
    public int node() { return node; }

    @Override
    public boolean equals(Object o) {
        return o instanceof TipcAddress a && a.kind == kind && a.type == type && a.lower == lower && a.upper == upper
                && a.port == port && a.node == node;
    }

    @Override
    public int hashCode() {
        return ((kind.ordinal() * 31 + type) * 31 + lower) * 31 + upper + 17 * port + 131 * node;
    }

    /** Serialization writes a {@link Form} in place of the address (the serialization proxy pattern). */
    private Object writeReplace() {
        return new Form(kind.ordinal(), type, lower, upper, port, node);
    }

    /**
     * An address is never read directly, only through its {@link Form}: a crafted stream is refused.
     *
     * @throws java.io.InvalidObjectException always: an address is read through its serialized form
     */
    private void readObject(java.io.ObjectInputStream in) throws java.io.InvalidObjectException {
        throw new java.io.InvalidObjectException("TipcAddress is read through its serialized form only");
    }

    /**
     * The serialized form of a {@link TipcAddress}: {@code kind} (the {@link Kind} ordinal: 0 SERVICE_RANGE, 1 SERVICE,
     * 2 SOCKET) and the unsigned 32-bit numbers; unused numbers are 0. Read back through the factories.
     */
    static final class Form implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final int kind;
        private final int type;
        private final int lower;
        private final int upper;
        private final int port;
        private final int node;

        Form(int kind, int type, int lower, int upper, int port, int node) {
            this.kind = kind;
            this.type = type;
            this.lower = lower;
            this.upper = upper;
            this.port = port;
            this.node = node;
        }

        private Object readResolve() throws java.io.ObjectStreamException {
            try {
                TipcAddress a = switch (kind) {
                    case 0 -> ofServiceRange(type, lower, upper);
                    case 1 -> ofService(type, lower);
                    case 2 -> ofSocket(port, node);
                    default -> throw new IllegalArgumentException("unknown kind " + kind);
                };
                if (!a.equals(new TipcAddress(a.kind, type, lower, upper, port, node))) {
                    throw new IllegalArgumentException("numbers a " + a.kind + " address does not have");
                }
                return a;
            } catch (IllegalArgumentException e) {
                throw new java.io.InvalidObjectException("bad serialized TipcAddress: " + e.getMessage());
            }
        }
    }

    /** {@code {type, instance}}, {@code {type, lower, upper}} or {@code <node:port>} (hex node), as the kernel's logs write them. */
    @Override
    public String toString() {
        switch (kind) {
            case SERVICE:
                return "{" + Integer.toUnsignedString(type) + ", " + Integer.toUnsignedString(lower) + "}";
            case SERVICE_RANGE:
                return "{" + Integer.toUnsignedString(type) + ", " + Integer.toUnsignedString(lower) + ", "
                        + Integer.toUnsignedString(upper) + "}";
            default:
                return "<" + Integer.toHexString(node) + ":" + Integer.toUnsignedString(port) + ">";
        }
    }
}
