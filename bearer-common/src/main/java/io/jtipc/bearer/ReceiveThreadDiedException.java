package io.jtipc.bearer;

import java.io.IOException;

/**
 * What a {@link ReceiveLoop} hands to its error handler when an unexpected {@link Throwable} that is neither an
 * {@link IOException} nor a {@link RuntimeException} (an {@link OutOfMemoryError}, a {@link StackOverflowError}, any
 * other {@link Error}) escaped the media's receive or the frame handler. The receive thread has ended: the bearer
 * receives nothing any more, and its user must close it (and tell its own user) rather than run deaf. The
 * {@link #getCause() cause} is the throwable itself. Unlike a receive error it is reported at once and exactly once,
 * never paced by {@link ReceiveErrorBackoff}.
 */
public final class ReceiveThreadDiedException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String bearer;

    /** @param bearer the bearer's name ("udp:u1"); @param cause what ended the receive thread */
    public ReceiveThreadDiedException(String bearer, Throwable cause) {
        super("receive thread of " + bearer + " died: " + cause, cause);
        this.bearer = bearer;
    }

    /** The bearer's name, e.g. {@code udp:u1}. */
    public String bearer() {
        return bearer;
    }
}
