package io.jtipc.api;

import java.io.IOException;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import io.jtipc.bearer.Media;
import io.jtipc.bearer.SyscallException;
import io.jtipc.wire.TipcMsg;

/**
 * Test-only fault injection around a real media (a test kit, never published: api's {@code src/testkit/java}, compiled with api's and the cli's tests):
 * <ul>
 * <li>{@link #poison()}: the next received frame makes the frame handler throw an {@link OutOfMemoryError} on the
 *     media's receive thread, as an allocation in the receive path would when the heap is exhausted;</li>
 * <li>{@link #freezeAcks()}: from now on every unicast frame this node sends carries the link acknowledge it sent
 *     last before the call: a peer that links, keeps its link alive, but never acknowledges again, so the other
 *     side's link to it stays congested (the hostile peer of issue 15);</li>
 * <li>{@link #netDown(boolean)}: while set, the media behaves as an AF_PACKET socket on an interface that is down:
 *     every send throws ENETDOWN, nothing is received (issue 12);</li>
 * <li>{@link #FaultyMedia(Media, boolean)} with {@code holdQueued}: {@link #queue} holds copies of the frames until
 *     {@link #flush()}, as the Ethernet bearer's send batch does (a flush on a down interface throws ENETDOWN and drops
 *     them); {@link #pauseFlushOf(Thread)}: that thread's next flush that sent frames waits, after sending them and
 *     before it returns, until {@link #resumeFlush()} (a flush preempted while the interface goes down);
 *     {@link #errorOnFlushOf(Thread)}: that thread's next flush with frames throws an {@link OutOfMemoryError}.</li>
 * </ul>
 */
public final class FaultyMedia implements Media {
    private final Media inner;
    private volatile boolean poisoned;
    private volatile boolean frozen;
    private volatile int lastAck = -1;
    private volatile int frozenAck;
    private volatile boolean down;
    private volatile boolean refuse;
    private final java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
    /** Frames handed to {@link #send} or {@link #broadcast}, whatever became of them. */
    public final java.util.concurrent.atomic.AtomicLong framesOut = new java.util.concurrent.atomic.AtomicLong();

    private final boolean holdQueued;
    /** Frames {@link #queue} holds, each {dest or null for broadcast, frame}; guarded by itself. */
    private final java.util.ArrayDeque<byte[][]> held = new java.util.ArrayDeque<>();
    private volatile Thread pauseThread;
    private volatile Thread errorThread;
    private final java.util.concurrent.CountDownLatch paused = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.CountDownLatch resume = new java.util.concurrent.CountDownLatch(1);

    public FaultyMedia(Media inner) {
        this(inner, false);
    }

    /** With {@code holdQueued}, {@link #queue} holds frames until {@link #flush()} (see the class comment). */
    public FaultyMedia(Media inner, boolean holdQueued) {
        this.inner = inner;
        this.holdQueued = holdQueued;
    }

    /** {@code t}'s next flush that sends frames pauses after sending them, until {@link #resumeFlush()}. Once. */
    public void pauseFlushOf(Thread t) {
        pauseThread = t;
    }

    /**
     * {@code t}'s next flush that has frames to send throws an {@link OutOfMemoryError} instead (the frames are
     * dropped), as an allocation in the send path would when the heap is exhausted. Once.
     */
    public void errorOnFlushOf(Thread t) {
        errorThread = t;
    }

    /** Waits up to {@code ms} for the flush armed by {@link #pauseFlushOf} to pause; true if it did. */
    public boolean awaitPaused(long ms) throws InterruptedException {
        return paused.await(ms, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Lets the paused flush return. */
    public void resumeFlush() {
        resume.countDown();
    }

    @Override
    public boolean holdsQueuedFrames() {
        return holdQueued;
    }

    @Override
    public void queue(byte[] dest, int destOff, byte[] frame, int off, int len) throws IOException {
        if (!holdQueued) {
            send(dest, destOff, frame, off, len);
            return;
        }
        framesOut.incrementAndGet();
        byte[] d = Arrays.copyOfRange(dest, destOff, destOff + inner.addressLength());
        synchronized (held) {
            held.add(new byte[][] {d, Arrays.copyOfRange(frame, off, off + len)});
        }
    }

    @Override
    public void queueBroadcast(byte[] frame, int off, int len) throws IOException {
        if (!holdQueued) {
            broadcast(frame, off, len);
            return;
        }
        framesOut.incrementAndGet();
        synchronized (held) {
            held.add(new byte[][] {null, Arrays.copyOfRange(frame, off, off + len)});
        }
    }

    /** Sends the held frames in order (one flush at a time); on a down interface drops them and throws ENETDOWN. */
    @Override
    public int flush() throws IOException {
        if (!holdQueued) return 0;
        int sent = 0;
        synchronized (held) {
            if (held.isEmpty()) return 0;
            if (errorThread == Thread.currentThread()) {
                errorThread = null;
                held.clear();
                throw new OutOfMemoryError("injected by FaultyMedia in a flush");
            }
            if (down) {
                held.clear();
                checkUp();
            }
            for (byte[][] f; (f = held.poll()) != null; ) {
                if (f[0] == null ? inner.broadcast(f[1], 0, f[1].length) : sendNow(f[0], 0, f[1], 0, f[1].length)) sent++;
            }
        }
        if (sent > 0 && pauseThread == Thread.currentThread()) {
            pauseThread = null;
            paused.countDown();
            try {
                resume.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return sent;
    }

    /** Builds {@code b} with every bearer's media wrapped by {@code w} (the package-private hook of the builder). */
    public static TipcNode.Builder wrapping(TipcNode.Builder b, UnaryOperator<Media> w) {
        return b.mediaWrapper(w);
    }

    /** The next received frame throws OutOfMemoryError in the frame handler. */
    public void poison() {
        poisoned = true;
    }

    /** Takes the "interface" down (sends throw ENETDOWN, received frames are dropped) or up again. */
    public void netDown(boolean on) {
        down = on;
    }

    private void checkUp() throws IOException {
        if (down) {
            throw new SyscallException("sendto", SyscallException.ENETDOWN, "interface " + inner.name()
                + " is down (sendto failed: ENETDOWN; injected by FaultyMedia)");
        }
    }

    /** From now on, sent unicast frames carry the last acknowledge sent so far. */
    public void freezeAcks() {
        frozenAck = lastAck;
        frozen = true;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public int addressLength() {
        return inner.addressLength();
    }

    @Override
    public byte[] address() {
        return inner.address();
    }

    @Override
    public int mtu() throws IOException {
        return inner.mtu();
    }

    @Override
    public boolean send(byte[] dest, int destOff, byte[] frame, int off, int len) throws IOException {
        framesOut.incrementAndGet();
        checkUp();
        return sendNow(dest, destOff, frame, off, len);
    }

    private boolean sendNow(byte[] dest, int destOff, byte[] frame, int off, int len) throws IOException {
        if (refuse) {
            refused.incrementAndGet(); // as a full send queue: the frame is lost, counted in framesNotSent
            return false;
        }
        if (len >= 24) {
            TipcMsg h = new TipcMsg().wrap(frame, off, len);
            if (!frozen) {
                lastAck = h.ack();
            } else if (frozenAck >= 0) {
                byte[] c = Arrays.copyOfRange(frame, off, off + len); // the link keeps the original for retransmission
                new TipcMsg().wrap(c, 0, len).setAck(frozenAck);
                return inner.send(dest, destOff, c, 0, len);
            }
        }
        return inner.send(dest, destOff, frame, off, len);
    }

    @Override
    public boolean broadcast(byte[] frame, int off, int len) throws IOException {
        framesOut.incrementAndGet();
        checkUp();
        return inner.broadcast(frame, off, len);
    }

    @Override
    public int poll(byte[] buf, int off, int len, byte[] src, int srcOff, int timeoutMs) throws IOException {
        return inner.poll(buf, off, len, src, srcOff, timeoutMs);
    }

    @Override
    public void wakeup() {
        inner.wakeup();
    }

    @Override
    public void start(FrameHandler handler, Consumer<IOException> onError) {
        inner.start((src, frame, length) -> {
            if (poisoned) {
                throw new OutOfMemoryError("Java heap space (injected by FaultyMedia)");
            }
            if (down) return;
            handler.onFrame(src, frame, length);
        }, onError);
    }

    @Override
    public long handlerFailures() {
        return inner.handlerFailures();
    }

    @Override
    public long receiveErrors() {
        return inner.receiveErrors();
    }

    /** Unicast sends refuse every frame (lost and counted in {@link #framesNotSent}, as a full send queue), or not. */
    public void refuseSends(boolean on) {
        refuse = on;
    }

    /** The inner media's count plus the frames {@link #refuseSends} refused. */
    @Override
    public long framesNotSent() {
        return inner.framesNotSent() + refused.get();
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    @Override
    public void close() {
        inner.close();
    }
}
