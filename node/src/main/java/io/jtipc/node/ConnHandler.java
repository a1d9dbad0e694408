package io.jtipc.node;

/**
 * Events of one connection-oriented (SEQPACKET/STREAM) socket, the sans-IO counterpart of the wake-ups of
 * socket.c ({@code sk_data_ready}, {@code sk_write_space}, {@code sk_state_change}). Called on the core's thread
 * after the triggering frame/timer/call was processed, so a handler may call back into {@link NodeCore}
 * ({@link NodeCore#recv}, {@link NodeCore#send}, {@link NodeCore#accept}, ...).
 */
public interface ConnHandler {
    /** A connect() completed: the peer's ACK (or first data message) arrived (tipc_sk_finish_conn). */
    default void connected(int port) {}

    /**
     * Something to read: data, the peer's FIN/abort (recv then returns 0 or ECONNRESET), or, on a listening
     * socket, a connection request to {@link NodeCore#accept}.
     */
    default void readable(int port) {}

    /** The connection's send window (CONN_ACK) or the link's backlog opened again: {@link NodeCore#send} may proceed. */
    default void writable(int port) {}

    /**
     * The connection failed without a message to read: connect refused ({@link Errno#ECONNREFUSED}) or timed
     * out ({@link Errno#ETIMEDOUT}), or probing aborted it ({@link Errno#ECONNABORTED}).
     */
    default void failed(int port, int errno) {}
}
