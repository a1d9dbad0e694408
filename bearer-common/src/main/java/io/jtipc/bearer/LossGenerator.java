package io.jtipc.bearer;

/**
 * Decides whether a received frame is dropped on purpose before it reaches the handler or poll:
 * fault injection for tests, what netem loss does on a real interface (loopback cannot have it
 * without root). The shape of Aeron's {@code LossGenerator}. A media asks it once per received
 * frame, on its receiving thread; {@link #NONE}, the default, drops nothing.
 */
@FunctionalInterface
public interface LossGenerator {
    /** Drops nothing. */
    LossGenerator NONE = (frame, off, length) -> false;

    /**
     * @param frame  the received frame, {@code frame[off..off+length)}; not to be kept or changed
     * @return true to drop it (the media counts it)
     */
    boolean shouldDrop(byte[] frame, int off, int length);
}
