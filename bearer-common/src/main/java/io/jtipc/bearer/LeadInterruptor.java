package io.jtipc.bearer;

import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.spi.AbstractInterruptibleChannel;

/**
 * Ends a leader's native wait ({@code poll}/{@code epoll_wait} through jnr-ffi, which do not return on
 * {@link Thread#interrupt()}) when its thread is interrupted: the JDK calls {@link #implCloseChannel} (the bearer's
 * wake-up of that wait, e.g. an eventfd write) on the interrupting thread while the leader is between {@link #enter}
 * and {@link #exit}, or at once in {@link #enter} when the flag is already set. An interrupt closes it, so a bearer keeps
 * one per leader and makes a new one when {@link #isOpen()} is false; nothing is allocated per lead otherwise. The
 * interrupt flag stays set for the caller.
 */
public final class LeadInterruptor extends AbstractInterruptibleChannel {
    private final Runnable wake;

    /** @param wake ends the leader's wait; any thread, must not block or throw */
    public LeadInterruptor(Runnable wake) {
        this.wake = wake;
    }

    /** Before the native wait: an interrupt from now on (or one pending) runs {@code wake}. */
    public void enter() {
        begin();
    }

    /** After the native wait (in a finally). */
    public void exit() {
        try {
            end(true);
        } catch (AsynchronousCloseException e) {
            // ClosedByInterruptException: interrupted while waiting; the flag stays set for the caller
        }
    }

    @Override
    protected void implCloseChannel() {
        wake.run();
    }
}
