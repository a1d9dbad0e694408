package io.jtipc.bearer;

import java.util.function.BooleanSupplier;

/**
 * A {@link Media} capability, leader receive (issue 14, a leader/follower receive): an application thread about to
 * wait for a message reads the media's frames itself and hands each to a handler on its own thread (the node's core
 * runs there), so a frame's arrival wakes the thread that wants its message instead of the receive thread, which
 * would then have to wake the application. The receive thread goes on receiving too; one receive lock, held by
 * either from reading a frame until its handler returned, makes them take turns without reordering frames. Both
 * bearers implement it ({@code UdpBearer}, {@code EthBearer}); a media wrapped by a test does not, and is not led.
 */
public interface Leadable {
    /**
     * Leads: hands what is queued to {@code handler}, and when nothing was and {@code done} is still false waits
     * once, up to {@code timeoutMs} (0: does not wait; negative: no limit) or until {@link #wakeLeader()}, an
     * interrupt (the flag stays set) or close, then hands over what came; stops reading as soon as {@code done}, and
     * once it handed something over, when {@code timeoutMs} has passed since the call or the thread is interrupted
     * (frames already read are handed over first, in order; so a stream of other frames cannot hold it past its
     * time by more than a batch). A handler exception is counted and the next frame handed over; a receive error is
     * reported to the media's error handler, counted, and pauses leading briefly ({@link LeadFaults}).
     * {@code started} runs once this thread holds the lead, before the first look at {@code done} (so whatever makes
     * {@code done} true after it can {@link #wakeLeader()} this thread); {@code ended} runs before the lead is given
     * up, only if {@code started} ran. Either may be null.
     *
     * @return frames handed to {@code handler} (0 if none came in time), or -1 when this thread cannot lead: another
     *         thread leads, the receive thread is not running or (UDP in exclusive mode) is handing frames over, the
     *         media is closed, leading pauses after a receive error, or an earlier lead failed on an unexpected
     *         exception (leading then stays off for good; the receive thread goes on receiving)
     */
    int lead(Media.FrameHandler handler, BooleanSupplier done, long timeoutMs, Runnable started, Runnable ended);

    /**
     * Makes a {@link #lead} that waits return; any thread, allocates nothing. Nothing when no thread leads (no
     * wakeup is kept for a later lead).
     */
    void wakeLeader();
}
