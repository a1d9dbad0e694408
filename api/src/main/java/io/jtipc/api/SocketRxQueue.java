package io.jtipc.api;

import java.nio.ByteBuffer;
import java.util.Arrays;

import io.jtipc.node.DeliveredMessage;
import io.jtipc.wire.Tipc;

/**
 * The receive queue of one {@link TipcSocket} (the kernel's {@code sk_receive_queue}, net/tipc/socket.c): a ring of
 * reusable entries, each holding its message's addresses and a payload array it keeps for the next message, so that a
 * message costs one copy in (from the core's view, {@link #offer}) and one copy out (into the caller's buffer,
 * {@link #poll(ByteBuffer, TipcMessageInfo)}) and no allocation in steady state (issue 14). The byte limit is the
 * socket's ({@link TipcSocket#receiveLimit}); this class only stores.
 *
 * <p>Memory kept for reuse: at most {@link #SPARE_ENTRIES} free entries, whose payload arrays hold at most
 * {@link #SPARE_BYTES} together (the socket's default receive buffer); a free entry's array that does not fit in that
 * budget takes the place of the oldest spares' arrays (dropped), and one more than 4 times (and more than 4 KiB) larger
 * than the message it just held is dropped, the entry kept without it (so arrays follow the sizes in use). An idle
 * socket holds at most about 2.5 MiB after a burst, and all queues of the process together keep at most
 * {@link #TOTAL_SPARE_BYTES} of spare arrays (beyond that a freed array goes to the garbage collector);
 * {@link #close()} gives a socket's spares back. The ring of entry references grows by doubling and never shrinks
 * while the socket is open (4-8 bytes per message of the deepest queue seen).
 *
 * <p>Thread-safe: one monitor (this object) guards everything; a waiting receiver parks in {@link Object#wait} (no
 * allocation on the Java heap, unlike a {@code Condition}'s node) and a producer notifies only while a receiver waits.
 */
final class SocketRxQueue {
    /**
     * Largest payload array (bytes) an entry keeps for reuse: {@link Tipc#MAX_USER_MSG_SIZE} (66 000, any payload), the
     * total being bounded by {@link #SPARE_BYTES}.
     */
    static final int KEEP_BYTES = Tipc.MAX_USER_MSG_SIZE;
    /** Bytes of the payload arrays of free entries kept for reuse: at most {@link TipcSocket#RECEIVE_BUFFER} (2 MiB). */
    static final long SPARE_BYTES = TipcSocket.RECEIVE_BUFFER;
    /**
     * Free entries kept for reuse at most: 8 192, the most messages an importance-0 queue can hold
     * ({@link TipcSocket#RECEIVE_BUFFER} / {@link TipcSocket#MESSAGE_OVERHEAD}); an entry object is about 56 bytes.
     */
    static final int SPARE_ENTRIES = (int) (TipcSocket.RECEIVE_BUFFER / TipcSocket.MESSAGE_OVERHEAD);
    /**
     * Bytes of spare payload arrays kept by all queues of this process together: 32 MiB (16 sockets' worth of
     * {@link #SPARE_BYTES}); what a peer's burst leaves behind in many sockets is bounded in total, not only per socket.
     */
    static final long TOTAL_SPARE_BYTES = 32L << 20;
    private static final java.util.concurrent.atomic.AtomicLong TOTAL_SPARE = new java.util.concurrent.atomic.AtomicLong();
    private static final byte[] EMPTY = new byte[0];

    /** One queued message. */
    static final class Entry {
        int srcPort, srcNode, msgType, nameType, nameLower, nameUpper, errcode, importance;
        byte[] data = EMPTY;
        int len;
        /**
         * The message's header when it is to be returned if the socket closes with it unread
         * ({@link DeliveredMessage#returnable()}); {@link #hdrLen} 0 otherwise. The array (60 bytes, the largest
         * header) stays with the entry.
         */
        byte[] hdr;
        int hdrLen;
    }

    private Entry[] ring = new Entry[16];
    private int head;
    /** Queued messages; written under the monitor, read without it by {@link #isEmpty()}. */
    private volatile int count;
    /**
     * Free entries, oldest first: reused in turn (FIFO), so that large arrays left by earlier large messages come round
     * and give their share of {@link #SPARE_BYTES} back instead of holding it under a stack of small ones.
     */
    private final java.util.ArrayDeque<Entry> spare = new java.util.ArrayDeque<>();
    /** Free entries without an array, used when {@link #spare} is empty. */
    private final java.util.ArrayDeque<Entry> bare = new java.util.ArrayDeque<>();
    private long spareBytes;
    /** Payload arrays allocated by {@link #offer}, count. */
    private long allocated;
    /** Written under the monitor; volatile for a leading receiver's {@link #ready} check. */
    private volatile boolean closed;
    /**
     * Leads a receive on the node's bearer instead of waiting on this queue ({@link BearerLifecycle#leadReceive},
     * issue 14); null: always wait here.
     */
    interface Leader {
        /** @return frames handled while leading (0 or more), or -1 if this thread could not lead */
        int lead(SocketRxQueue q, long timeoutNanos);
    }

    private volatile Leader leader;
    /**
     * True when this socket sent since its last received message (a request whose answer is awaited): only then does
     * a blocking receive lead ({@link #await}). A receiver of a one-way stream keeps waiting here, so the bearer's
     * receive thread runs the core while the application thread empties the queue, in parallel (leading there halved
     * the one-way rates on the 2-core bench host, bench/RESULTS.md). A hint: plain field, races only cost a lead.
     */
    private boolean answerAwaited;
    /**
     * Threads leading a receive for this queue now (one per bearer at most; under the monitor): counted from the moment
     * a thread holds a bearer's lead lock ({@link #leadStart}), so a thread that could not lead never hides the one
     * that does.
     */
    private int leaders;
    /** The one leading thread when {@link #leaders} is 1 and it is known, else null (under the monitor). */
    private Thread soleLeader;
    /** Wakes every thread leading one of the node's bearers ({@link BearerLifecycle#wakeLeaders}); set on a send. */
    private volatile Runnable leadWake;
    /** Run by a bearer once the calling thread leads it for this queue / before it stops leading (no allocation). */
    private final Runnable leadStart = this::leadStarted, leadEnd = this::leadEnded;
    /** True once a message is queued or the queue is closed: what a leading receiver waits for (no allocation). */
    private final java.util.function.BooleanSupplier ready = () -> count > 0 || closed;
    /** Receivers in {@link Object#wait} on this queue. */
    private int waiters;

    /**
     * Queues a copy of {@code m} (called by the core's hand-over, under the node's core lock).
     *
     * @return false if the queue is closed: nothing queued (a receiver that saw it closed and empty stays right)
     */
    synchronized boolean offer(DeliveredMessage m) {
        if (closed) return false;
        int n = m.dataLength();
        Entry e = !spare.isEmpty() ? takeSpare(n) : !bare.isEmpty() ? bare.pollFirst() : new Entry();
        if (e.data.length < n) {
            e.data = new byte[n];
            allocated++;
        }
        System.arraycopy(m.buffer(), m.dataOffset(), e.data, 0, n);
        e.len = n;
        e.srcPort = m.srcPort();
        e.srcNode = m.srcNode();
        e.msgType = m.msgType();
        e.nameType = m.nameType();
        e.nameLower = m.nameLower();
        e.nameUpper = m.nameUpper();
        e.errcode = m.errcode();
        e.importance = m.importance();
        e.hdrLen = 0;
        if (m.returnable() && m.dataOffset() <= Tipc.MAX_H_SIZE) {
            if (e.hdr == null) e.hdr = new byte[Tipc.MAX_H_SIZE];
            System.arraycopy(m.buffer(), 0, e.hdr, 0, m.dataOffset());
            e.hdrLen = m.dataOffset();
        }
        if (count == ring.length) {
            ring = grow(ring, head, count);
            head = 0;
        }
        ring[(head + count) & (ring.length - 1)] = e;
        count = count + 1;
        if (waiters > 0) notify();
        wakeLeader();
        return true;
    }

    /**
     * Wakes the threads leading a receive for this queue (under the monitor), unless the caller is the only one (it
     * queued the message itself). Every bearer's leader is woken: one leading for another queue returns 0 and looks
     * at its own queue again.
     */
    private void wakeLeader() {
        if (leaders > 0 && soleLeader != Thread.currentThread()) {
            Runnable w = leadWake;
            if (w != null) w.run();
        }
    }

    /**
     * The socket sends a message on {@code node}: its next blocking receive may lead that node's bearer (see
     * {@link #answerAwaited}; the {@link Leader} is set on the first send).
     */
    void sent(TipcNode node) {
        if (leader == null) {
            leadWake = node.bearerSet::wakeLeaders;
            leader = node.bearerSet::leadReceive;
        }
        if (!answerAwaited) answerAwaited = true;
    }

    /**
     * Runs when the calling thread has taken a bearer's lead lock for this queue, before its first look at
     * {@link #ready()}: a message queued after that look wakes it ({@link #wakeLeader}).
     */
    Runnable leadStart() {
        return leadStart;
    }

    /** Runs before the thread that ran {@link #leadStart()} releases the bearer's lead lock. */
    Runnable leadEnd() {
        return leadEnd;
    }

    private synchronized void leadStarted() {
        leaders++;
        soleLeader = leaders == 1 ? Thread.currentThread() : null;
    }

    private synchronized void leadEnded() {
        leaders--;
        soleLeader = null; // with one left it is not known which: woken on every message, harmless
    }

    /** True once a message is queued or the queue is closed (read without the monitor). */
    java.util.function.BooleanSupplier ready() {
        return ready;
    }

    private static Entry[] grow(Entry[] r, int head, int count) {
        Entry[] n = new Entry[r.length * 2];
        for (int i = 0; i < count; i++) n[i] = r[(head + i) & (r.length - 1)];
        return n;
    }

    /**
     * The oldest spare entry, or the newest if the oldest's array is too small for {@code n} bytes and the newest's is
     * not, nor so large that {@link #recycle} would drop it after this message (which would trade a small allocation
     * for a large one): after a change of message size the arrays of the new size are recycled at the tail, and taking them there
     * spares a new array per message while the old size's arrays wait at the head (bench/RESULTS.md, one way 60 000 B
     * over veth after 1 000 B: about one new 60 000-byte array per message before).
     */
    private Entry takeSpare(int n) {
        int last = spare.peekLast().data.length;
        boolean tail = spare.peekFirst().data.length < n && last >= n && !tooLarge(last, n);
        return unspare(tail ? spare.pollLast() : spare.pollFirst());
    }

    /** Takes {@code e}'s array out of the spare budgets. */
    private Entry unspare(Entry e) {
        spareBytes -= e.data.length;
        TOTAL_SPARE.addAndGet(-e.data.length);
        return e;
    }

    private Entry dequeue() {
        Entry e = ring[head];
        ring[head] = null;
        head = (head + 1) & (ring.length - 1);
        if (count == 1) head = 0;
        count = count - 1;
        return e;
    }

    private void recycle(Entry e) {
        if (closed) return; // a closed socket keeps nothing for reuse
        int n = e.data.length;
        boolean keep = n <= KEEP_BYTES && n <= SPARE_BYTES && !tooLarge(n, e.len)
                && spare.size() + bare.size() < SPARE_ENTRIES;
        if (keep && TOTAL_SPARE.addAndGet(n) > TOTAL_SPARE_BYTES) { // reserved first: no eviction for nothing
            TOTAL_SPARE.addAndGet(-n);
            keep = false;
        }
        if (keep) {
            // the array just used is kept in preference to the oldest spares: they lose theirs until it fits this
            // socket's budget (each evicted array was kept once, so this costs O(1) amortised), so arrays follow the
            // sizes in use
            while (spareBytes + n > SPARE_BYTES && !spare.isEmpty()) evictOldest();
            spare.addLast(e);
            spareBytes += n; // TOTAL_SPARE holds it already
        } else {
            e.data = EMPTY;
            if (spare.size() + bare.size() < SPARE_ENTRIES) bare.addLast(e);
        }
    }

    /** True when an array of {@code arrayLen} bytes is more than 4 times (and more than 4 KiB) a message of {@code len}. */
    private static boolean tooLarge(int arrayLen, int len) {
        return arrayLen > 4096 && arrayLen > 4L * len;
    }

    /** Drops the oldest spare entry's array (the entry is kept without it). */
    private void evictOldest() {
        Entry o = unspare(spare.pollFirst());
        o.data = EMPTY;
        bare.addLast(o);
    }

    /** Payload arrays allocated by {@link #offer} (no spare's array fitted), count (for tests and diagnostics). */
    synchronized long allocated() {
        return allocated;
    }

    /** Spare payload bytes kept by all queues of the process (for tests and diagnostics). */
    static long totalSpareBytes() {
        return TOTAL_SPARE.get();
    }

    /** True if no message is queued (a hint when read without the monitor). */
    boolean isEmpty() {
        return count == 0;
    }

    /** Queued messages. */
    synchronized int size() {
        return count;
    }

    /**
     * Copies the oldest message's payload into {@code dst} (at most {@code dst.remaining()} bytes) and its addresses
     * into {@code info}, then drops it.
     *
     * @return the payload's full length in bytes; -1 if none is queued; -2 if none is and the queue is closed
     */
    synchronized int poll(ByteBuffer dst, TipcMessageInfo info) {
        if (count == 0) return closed ? -2 : -1;
        Entry e = dequeue();
        answerAwaited = false;
        int n = Math.min(e.len, dst.remaining());
        dst.put(e.data, 0, n);
        info.srcPort = e.srcPort;
        info.srcNode = e.srcNode;
        info.msgType = e.msgType;
        info.nameType = e.nameType;
        info.nameLower = e.nameLower;
        info.nameUpper = e.nameUpper;
        info.errcode = e.errcode;
        info.importance = e.importance;
        info.length = e.len;
        info.copied = n;
        info.filled = true;
        recycle(e);
        return e.len;
    }

    /** The oldest message as a new {@link TipcMessage} (dropped from the queue), or null if none is queued. */
    synchronized TipcMessage pollMessage() {
        if (count == 0) return null;
        Entry e = dequeue();
        answerAwaited = false;
        byte[] p;
        if (e.data.length == e.len) {
            p = e.data; // the message gets the array itself (one array per message either way, no copy)
            e.data = EMPTY;
        } else {
            p = Arrays.copyOf(e.data, e.len);
        }
        TipcAddress dest = null;
        if (e.msgType == Tipc.TIPC_NAMED_MSG) {
            dest = TipcAddress.ofService(e.nameType, e.nameLower);
        } else if (e.msgType == Tipc.TIPC_MCAST_MSG) {
            dest = Integer.compareUnsigned(e.nameLower, e.nameUpper) <= 0
                    ? TipcAddress.ofServiceRange(e.nameType, e.nameLower, e.nameUpper)
                    : TipcAddress.ofService(e.nameType, e.nameLower);
        }
        TipcMessage m = new TipcMessage(TipcAddress.ofSocket(e.srcPort, e.srcNode), dest, p, e.errcode, e.importance);
        recycle(e);
        return m;
    }

    /**
     * Nanoseconds a blocking receive that finds the queue empty keeps checking it, yielding the processor in between
     * ({@link Thread#yield}), before it waits on the queue: system property {@code jtipc.receiveSpinNanos}, default 0
     * (wait at once, as the kernel's blocking recvmsg, socket.c tipc_wait_for_rcvmsg), at most 1 000 000 (1 ms). A
     * message that arrives within this time is taken without the futex wait and wake-up on either side: on the 2-core
     * bench host 20 000 cut the 64 B round trip over UDP loopback from 29-34 to 22-25 µs median, but the yielding
     * receivers cost the one-way tests up to 3x their rate (bench/RESULTS.md, issue 14), hence off by default. A
     * socket with SO_BUSY_POLL polls this way first.
     */
    static final long RECEIVE_SPIN_NANOS = Math.max(0, Math.min(1_000_000, Long.getLong("jtipc.receiveSpinNanos", 0)));

    /**
     * {@link #poll(ByteBuffer, TipcMessageInfo)}, waiting up to {@code timeoutNanos} (negative: no limit) for a message.
     *
     * @return the payload's full length; -1 on time-out; -2 if none is queued and the queue is closed
     * @throws InterruptedException interrupted while waiting
     */
    int receive(ByteBuffer dst, TipcMessageInfo info, long timeoutNanos) throws InterruptedException {
        long end = System.nanoTime() + timeoutNanos;
        while (true) {
            int len = poll(dst, info);
            if (len != -1) return len;
            long left = timeoutNanos < 0 ? -1 : end - System.nanoTime();
            if (timeoutNanos >= 0 && left <= 0) return -1;
            await(left, RECEIVE_SPIN_NANOS);
        }
    }

    /**
     * {@link #pollMessage()}, waiting up to {@code timeoutNanos} (negative: no limit) for a message.
     *
     * @return the message, or null on time-out or when the queue is closed and empty
     * @throws InterruptedException interrupted while waiting
     */
    TipcMessage receiveMessage(long timeoutNanos) throws InterruptedException {
        long end = System.nanoTime() + timeoutNanos;
        while (true) {
            TipcMessage m = pollMessage();
            if (m != null) return m;
            // closed: nothing is queued after close, so one more look sees all there will ever be
            if (closed()) return pollMessage();
            long left = timeoutNanos < 0 ? -1 : end - System.nanoTime();
            if (timeoutNanos >= 0 && left <= 0) return null;
            await(left, RECEIVE_SPIN_NANOS);
        }
    }

    /**
     * True once {@link #close()} ran (messages queued before may still be read, unless {@link #drainReturnable} emptied
     * the queue, as a socket's close does).
     */
    synchronized boolean closed() {
        return closed;
    }

    /**
     * Waits until a message is queued, the queue is closed, or {@code timeoutNanos} passed (negative: no limit). First
     * checks again for at most {@code spinNanos}, yielding the processor in between (no futex wait and wake-up when
     * a message comes soon), then waits on the monitor.
     *
     * @return true if a message is queued or the queue is closed, false on time-out
     * @throws InterruptedException interrupted while waiting
     */
    boolean await(long timeoutNanos, long spinNanos) throws InterruptedException {
        if (count > 0) return true;
        long start = System.nanoTime();
        if (spinNanos > 0) {
            long spinEnd = start + (timeoutNanos >= 0 ? Math.min(spinNanos, timeoutNanos) : spinNanos);
            // yield, not onSpinWait: on a small machine the thread that will queue the message (a bearer's receive
            // thread) needs this core; measured (bench/RESULTS.md) busy-spinning doubled the round trip, yielding cut it
            while (count == 0 && System.nanoTime() - spinEnd < 0) Thread.yield();
            if (count > 0) return true;
        }
        Leader l = leader;
        if (l != null && answerAwaited && !closed) {
            long left = timeoutNanos < 0 ? -1 : timeoutNanos - (System.nanoTime() - start);
            if (timeoutNanos >= 0 && left <= 0) return false;
            if (l.lead(this, left) >= 0) {
                if (Thread.interrupted()) throw new InterruptedException();
                return true; // the caller looks at the queue and the time again
            }
        }
        synchronized (this) {
            while (count == 0 && !closed) {
                long waitMs;
                if (timeoutNanos < 0) {
                    waitMs = 0;
                } else {
                    long left = timeoutNanos - (System.nanoTime() - start);
                    if (left <= 0) return false;
                    waitMs = Math.max(1, (left + 999_999) / 1_000_000);
                }
                waiters++;
                try {
                    wait(waitMs);
                } finally {
                    waiters--;
                }
            }
            return true;
        }
    }

    /**
     * Empties the queue, returning the messages whose senders want them back if unread (each its header followed by
     * at most {@code maxData} payload bytes; socket.c tsk_rej_rx_queue at close). Allocates: a close-time call only.
     */
    synchronized java.util.List<byte[]> drainReturnable(int maxData) {
        java.util.List<byte[]> r = new java.util.ArrayList<>();
        while (count > 0) {
            Entry e = dequeue();
            if (e.hdrLen == 0) continue;
            int n = Math.min(e.len, maxData);
            byte[] m = Arrays.copyOf(e.hdr, e.hdrLen + n);
            System.arraycopy(e.data, 0, m, e.hdrLen, n);
            r.add(m);
        }
        return r;
    }

    /**
     * No more messages will be queued ({@link #offer} refuses); waiting receivers wake up; the spare entries and their
     * arrays are given back (queued messages stay readable).
     */
    synchronized void close() {
        closed = true;
        TOTAL_SPARE.addAndGet(-spareBytes);
        spareBytes = 0;
        spare.clear();
        bare.clear();
        notifyAll();
        wakeLeader();
    }
}
