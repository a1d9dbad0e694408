package io.jtipc.api;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;

/**
 * The event loop's received frames, one FIFO lane per sender (bearer + media source address), served round-robin:
 * a frame from one peer waits behind at most one frame of each other sender, not behind everything a flooding peer
 * got queued first. Measured (issue 15, binding flood over UDP loopback on a loaded 2-core machine): with one FIFO an
 * honest echo waited behind ~40 queued 14 KB bulk frames of ~690 publications each, 20-90 ms apiece, up to ~1 s.
 *
 * <p>Order within a lane is arrival order (a link sees its frames in the order the bearer received them). Frames of
 * different senders may be handled in another order than they arrived: they belong to different links, whose order
 * relative to each other the network does not keep either (the kernel's per-CPU softirq queues do not). Loop thread
 * only. Holds only frames already counted against {@link TipcNode#INBOX_FRAME_LIMIT} (no bound of its own).
 */
final class SourceLanes {
    private final HashMap<Object, Lane> lanes = new HashMap<>();
    /** Lanes holding frames, in serving order. */
    private final ArrayDeque<Lane> ready = new ArrayDeque<>();

    private static final class Lane {
        final Object key;
        final ArrayDeque<BearerIo.Rx> frames = new ArrayDeque<>();

        Lane(Object key) {
            this.key = key;
        }
    }

    private record Key(BearerIo bearer, ByteBuffer src) {}

    /** Appends {@code rx} to its sender's lane. */
    void add(BearerIo.Rx rx) {
        Object key = new Key(rx.bearer(), rx.src() == null ? null : ByteBuffer.wrap(rx.src()));
        Lane l = lanes.get(key);
        if (l == null) {
            l = new Lane(key);
            lanes.put(key, l);
        }
        if (l.frames.isEmpty()) ready.add(l);
        l.frames.add(rx);
    }

    /** The next frame round-robin over the senders, or null if none is held. */
    BearerIo.Rx poll() {
        Lane l = ready.poll();
        if (l == null) return null;
        BearerIo.Rx rx = l.frames.poll();
        if (l.frames.isEmpty()) {
            lanes.remove(l.key);
        } else {
            ready.add(l);
        }
        return rx;
    }

    boolean isEmpty() {
        return ready.isEmpty();
    }
}
