package io.jtipc.interop;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcMessage;
import io.jtipc.api.TipcSocket;

/**
 * The RDM traffic the interop tests share: an echo on a jtipc socket (a thread that sends every message back to
 * its source), a ping-pong with content checks, and the numbered payload pattern (the kernel agent's too).
 */
public final class RdmEcho implements AutoCloseable {
    private final AtomicBoolean run = new AtomicBoolean(true);
    private final AtomicLong echoed = new AtomicLong();
    private final Thread thread;

    private RdmEcho(TipcSocket echo) {
        thread = new Thread(() -> {
            try {
                while (run.get()) {
                    TipcMessage m = echo.receive(Duration.ofMillis(200));
                    if (m == null) continue;
                    echo.send(m.source(), m.payload());
                    echoed.incrementAndGet();
                }
            } catch (Exception e) {
                // the socket was closed: the echo ends
            }
        }, "jtipc-echo-" + echo.port());
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts echoing what {@code echo} receives. */
    public static RdmEcho start(TipcSocket echo) {
        return new RdmEcho(echo);
    }

    /** Messages echoed so far. */
    public long echoed() {
        return echoed.get();
    }

    /** Stops the echo thread (waits up to 2 s for it). */
    @Override
    public void close() throws InterruptedException {
        run.set(false);
        thread.join(2000);
    }

    /** Sends {@code count} messages of {@code size} bytes to {@code to}, one at a time, each echo checked. */
    public static void pingPong(TipcSocket s, TipcAddress to, int count, int size) throws Exception {
        for (int i = 0; i < count; i++) {
            byte[] p = payload(i, size);
            s.send(to, p);
            TipcMessage r = s.receive(Duration.ofSeconds(20));
            check(r != null, "echo " + i + " of " + count + " (" + size + " bytes) missing");
            check(r.errcode() == 0, "echo " + i + " returned with error " + r.errcode());
            check(Arrays.equals(r.payload(), p), "content of echo " + i + " (" + size + " bytes)");
        }
    }

    /** Message {@code seq} of {@code size} bytes: the number big-endian, then the agent's fill pattern. */
    public static byte[] payload(int seq, int size) {
        byte[] b = new byte[size];
        for (int i = 4; i < size; i++) b[i] = (byte) (seq * 13 + i * 7);
        if (size >= 4) ByteBuffer.wrap(b).putInt(seq);
        return b;
    }

    static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError(what);
    }
}
