package io.jtipc.bearer;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * The I/O side of a bearer's media: what the kernel's {@code struct tipc_media} does with
 * {@code send_msg}, {@code enable_media} and the receive hook (net/tipc/bearer.h), for one open
 * bearer. Implemented by the Ethernet bearer ({@code io.jtipc.bearer.eth.EthBearer}, AF_PACKET) and
 * the UDP bearer ({@code io.jtipc.bearer.udp.UdpBearer}); each opens itself on an interface or a
 * local address with its own factory. A media holds no protocol state: the sans-IO core decides
 * what goes where, the media sends it and hands every received frame, with its source, back.
 *
 * <h2>Media addresses</h2>
 * Every address here is a raw media address, the value of the kernel's {@code struct
 * tipc_media_addr}: {@link #addressLength()} bytes, a 6-byte MAC for Ethernet, the 20-byte
 * {@code struct udp_media_addr} (proto, port, IP; network order) for UDP. It is what the core keeps
 * per peer and what discovery writes into, and reads out of, the 32-byte media address block
 * ({@code addr2msg}/{@code msg2addr}, done by the core). The media converts it to its own
 * destination form (sockaddr) once, on send, and its sources to it once, on receive.
 *
 * <h2>Receiving two ways, choose one per media</h2>
 * <ul>
 * <li>{@link #start}: a receive thread ({@link ReceiveLoop}) calls a {@link FrameHandler} for every
 *     frame, the hand-off to the protocol core;</li>
 * <li>{@link #poll}: the caller's event loop asks for the next frame with a timeout (0 = do not
 *     wait) and interrupts a wait with {@link #wakeup()}.</li>
 * </ul>
 * Neither allocates per frame: a handler gets the media's own buffers, valid during the call only.
 * Sending is thread-safe.
 */
public interface Media extends AutoCloseable {
    /** {@link #poll} result: the timeout passed without a frame. */
    int TIMEOUT = -1;
    /** {@link #poll} result: {@link #wakeup()} or {@link #close()} interrupted the wait. */
    int WAKEUP = -2;

    /** Receives frames on the media's receive thread: the hand-off to the protocol core. */
    @FunctionalInterface
    interface FrameHandler {
        /**
         * One received frame.
         *
         * @param src    the raw media address of the sender, {@link #addressLength()} bytes (reused)
         * @param frame  buffer holding the TIPC message at index 0 (reused)
         * @param length bytes received; may exceed the TIPC message size (Ethernet pads short frames)
         */
        void onFrame(byte[] src, byte[] frame, int length);
    }

    /** Bearer name as the kernel names it: {@code eth:<ifname>}, {@code udp:<name>}. */
    String name();

    /** Length of this media's raw addresses in bytes: 6 Ethernet, 20 UDP. */
    int addressLength();

    /** This bearer's own raw media address (what its discovery advertises), as a new array. */
    byte[] address();

    /** The bearer MTU in bytes: the largest TIPC message the link should hand to {@link #send}. */
    int mtu() throws IOException;

    /**
     * Sends the TIPC message {@code frame[off..off+len)} to the raw media address at
     * {@code dest[destOff..destOff+addressLength())}. Never blocks; allocates nothing once the
     * destination is known.
     *
     * @return true if sent, false if dropped because the send queue is full (the link retransmits)
     * @throws IOException in words: frame too large, interface down, closed, ...
     * @throws IllegalArgumentException if the address is not one of this media
     */
    boolean send(byte[] dest, int destOff, byte[] frame, int off, int len) throws IOException;

    /** {@link #send(byte[], int, byte[], int, int)} with the address at {@code dest[0..]}. */
    default boolean send(byte[] dest, byte[] frame, int off, int len) throws IOException {
        return send(dest, 0, frame, off, len);
    }

    /**
     * Sends to the media's broadcast address, as discovery and the broadcast link do (Ethernet
     * ff:ff:ff:ff:ff:ff; UDP the multicast group, or a copy to each replicast peer).
     *
     * @return true if sent (every copy), false if dropped because a send queue was full
     */
    boolean broadcast(byte[] frame, int off, int len) throws IOException;

    /**
     * Queues the TIPC message {@code frame[off..off+len)} for {@code dest[destOff..destOff+addressLength())} until the
     * next {@link #flush()}, so that what one run of the protocol core sends leaves in one system call per media
     * ({@code sendmmsg}, issue 14). The arrays may be reused as soon as this returns. The default sends at once
     * ({@link #send}): a media without a batch needs no {@code flush}. Never blocks; allocates nothing.
     *
     * @throws IOException as {@link #send}; for a batching media also the error of earlier queued frames when a full
     *         batch had to be sent by this call
     */
    default void queue(byte[] dest, int destOff, byte[] frame, int off, int len) throws IOException {
        send(dest, destOff, frame, off, len);
    }

    /**
     * True when {@link #queue} holds frames until {@link #flush()} (the Ethernet bearer's {@code sendmmsg} batch); false
     * (the default) when it sends at once, so a {@code queue} that returned normally has sent its frame.
     */
    default boolean holdsQueuedFrames() {
        return false;
    }

    /** {@link #queue} to the media's broadcast address; the default sends at once ({@link #broadcast}). */
    default void queueBroadcast(byte[] frame, int off, int len) throws IOException {
        broadcast(frame, off, len);
    }

    /**
     * Sends every frame {@link #queue}/{@link #queueBroadcast} hold, in the order queued; a frame refused because the
     * send queue is full is dropped (the link retransmits it). Nothing for a media that sends at once (the default).
     *
     * @return frames handed to the kernel since the last flush that returned normally (count): by this call, or by a
     *         {@link #queue} that had to send a full batch; each frame counted by one flush only (0 for a media that
     *         sends at once, or when another thread's flush took them)
     * @throws IOException as {@link #send}: the first error when frames failed (the batch is empty afterwards)
     */
    default int flush() throws IOException {
        return 0;
    }

    /**
     * Event-loop receive: copies the next frame to {@code buf[off..off+len)} and its sender's raw
     * media address to {@code src[srcOff..]}.
     *
     * @param timeoutMs 0 = do not wait, negative = wait until a frame or {@link #wakeup()}, else ms
     * @return bytes received, {@link #TIMEOUT}, or {@link #WAKEUP}
     * @throws IllegalStateException if the receive thread was started
     */
    int poll(byte[] buf, int off, int len, byte[] src, int srcOff, int timeoutMs) throws IOException;

    /** {@link #poll(byte[], int, int, byte[], int, int)} with the source written to {@code src[0..]}. */
    default int poll(byte[] buf, int off, int len, byte[] src, int timeoutMs) throws IOException {
        return poll(buf, off, len, src, 0, timeoutMs);
    }

    /** Makes a waiting {@link #poll} (or the next one) return {@link #WAKEUP}; any thread. */
    void wakeup();

    /**
     * Starts the receive thread: each frame goes to {@code handler}; a handler exception is logged
     * and counted ({@link #handlerFailures()}), a receive error goes to {@code onError} (null = log
     * it), is counted ({@link #receiveErrors()}) and the loop goes on after a pause
     * ({@link ReceiveErrorBackoff}). Any other throwable (an {@link OutOfMemoryError}, ...) ends the
     * thread: it is logged at ERROR and handed to {@code onError} once as a
     * {@link ReceiveThreadDiedException}; the bearer then receives nothing more and should be closed.
     *
     * @throws IllegalStateException if already started or closed
     */
    void start(FrameHandler handler, Consumer<IOException> onError);

    /** Handler calls that threw. */
    long handlerFailures();

    /** Receive errors seen by the receive thread. */
    long receiveErrors();

    /**
     * Frames this media did not get onto the wire since it opened (count): refused by a full send queue or failed by
     * the kernel's send (AF_PACKET {@code sendmmsg} EAGAIN/ENOBUFS, a UDP {@code sendmmsg}/{@code send} error). They
     * are dropped, as the kernel's bearers drop what the device refuses ({@code tipc_l2_send_msg},
     * {@code tipc_udp_xmit}); the link retransmits them. 0 for a media that counts none (the default).
     */
    default long framesNotSent() {
        return 0;
    }

    /** True until {@link #close()}. */
    boolean isOpen();

    /**
     * Stops the receive thread (wakes it and waits for it, unless called from the handler itself)
     * and releases the sockets. Idempotent.
     */
    @Override
    void close();
}
