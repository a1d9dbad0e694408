package io.jtipc.api;

import java.nio.ByteBuffer;

import io.jtipc.node.Errno;
import io.jtipc.wire.Tipc;

/**
 * One connectionless send in the core ({@link TipcSocket#send(TipcAddress, byte[], int, int)}), or a run of them
 * ({@link TipcSocket#send(TipcAddress, ByteBuffer[], int, int)}), reused by its thread (issue 14: no lambda or array
 * allocated per message; the result is an errno or 0, boxed from the Integer cache). A run stops after
 * {@link #RUN_MAX} messages, at the first message the link queued as congested ({@link Errno#ELINKCONG}: that message
 * counts as sent) or at one refused (any other error: it does not count); {@link #next} is then the first message not
 * sent. A sent buffer's position is moved to its limit at once.
 */
final class SendOp implements java.util.function.LongFunction<Integer> {
    /** Messages of a vector sent in one run of the core at most (a bearer's send batch: 64 frames per sendmmsg). */
    static final int RUN_MAX = 64;

    TipcSocket sock;
    TipcAddress dest;
    byte[] data;
    int off, len;
    /** A run: {@code srcs[next, end)} still to send (null for a single message). */
    ByteBuffer[] srcs;
    int next, end;
    /** Where a run's direct buffer is copied (at most 66 000 bytes; kept per thread). */
    private byte[] copy = new byte[0];
    TipcNode.CongestionWait wait;

    /** Each thread's op (in use while its {@code sock} is set). */
    private static final ThreadLocal<SendOp> OPS = ThreadLocal.withInitial(SendOp::new);

    /** Bytes of the calling thread's copy array for direct buffers (tests: it never grows past 66 000). */
    static int copyLength() {
        return OPS.get().copy.length;
    }

    /**
     * This thread's op for a send of {@code sock} to {@code dest} (a fresh one for a send from a handler run inside this
     * thread's send). A send is a request: the next blocking receive may read the bearer itself (issue 14).
     */
    static SendOp of(TipcSocket sock, TipcAddress dest) {
        SendOp op = OPS.get();
        if (op.sock != null) op = new SendOp();
        op.sock = sock;
        op.dest = dest;
        sock.rx.sent(sock.node);
        return op;
    }

    /** {@link TipcSocket#send(TipcAddress, ByteBuffer[], int, int)}, its range checked. */
    static int sendAll(TipcSocket sock, TipcAddress dest, ByteBuffer[] srcs, int offset, int count)
            throws TipcException {
        int end = offset + count;
        for (int i = offset; i < end; i++) {
            if (srcs[i] == null) throw new NullPointerException("srcs[" + i + "] is null");
        }
        int next = offset;
        while (next < end) {
            try {
                sock.checkOpen();
                SendOp op = of(sock, dest);
                op.srcs = srcs;
                op.next = next;
                op.end = end;
                int rc;
                TipcNode.CongestionWait wait;
                try {
                    rc = sock.node.call(op);
                } finally {
                    next = op.next;
                    wait = op.wait;
                    op.clear();
                }
                if (rc == Errno.ELINKCONG) {
                    // inside a core run (a handler's send) no uncongested event can come: stop with what was queued
                    if (sock.node.runner.heldByCurrentThread()) return next - offset;
                    sock.node.awaitUncongested(wait);
                } else if (rc != 0) {
                    if (next > offset) return next - offset;
                    throw TipcException.of(rc, "send to " + dest);
                }
            } catch (TipcException e) {
                if (next > offset) return next - offset; // as sendmmsg: the count of what was sent
                throw e;
            }
        }
        return count;
    }

    @Override
    public Integer apply(long now) {
        if (srcs == null) return congested(sock.transmit(now, dest, data, off, len));
        int stop = Math.min(end, next + RUN_MAX);
        while (next < stop) {
            ByteBuffer b = srcs[next];
            int n = b.remaining();
            int r;
            if (b.hasArray()) {
                r = sock.transmit(now, dest, b.array(), b.arrayOffset() + b.position(), n);
            } else {
                if (n > Tipc.MAX_USER_MSG_SIZE) return Errno.EMSGSIZE; // before the scratch array grows
                if (copy.length < n) copy = new byte[n];
                b.get(b.position(), copy, 0, n);
                r = sock.transmit(now, dest, copy, 0, n);
            }
            if (r != 0 && r != Errno.ELINKCONG) return r;
            b.position(b.limit()); // sent: queued, even when the link is now congested
            next++;
            if (r != 0) return congested(r);
        }
        return 0;
    }

    /** Counted under the core lock, so no uncongested event between the send and this snapshot is missed. */
    private int congested(int r) {
        if (r == Errno.ELINKCONG) {
            wait = sock.node.congestionWait(dest.kind() == TipcAddress.Kind.SOCKET ? dest.node() : 0, sock.importance(),
                sock.port());
        }
        return r;
    }

    void clear() {
        sock = null;
        dest = null;
        data = null;
        srcs = null;
        wait = null;
    }
}
