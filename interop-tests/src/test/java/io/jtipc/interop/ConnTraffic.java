package io.jtipc.interop;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.jtipc.api.TipcConnection;
import io.jtipc.api.TipcServerSocket;

/**
 * The connection traffic the interop tests share: a jtipc echo server (every accepted connection echoed until the
 * client goes) and a client round trip that writes a buffer in chunks while a reader thread collects the echo.
 */
public final class ConnTraffic {
    private ConnTraffic() {
    }

    /** Echoes every connection {@code ls} accepts (one thread each) and counts the bytes echoed; ends with {@code ls}. */
    public static Thread echoServer(TipcServerSocket ls, AtomicLong echoed) {
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    TipcConnection c = ls.accept();
                    Thread w = new Thread(() -> {
                        try (c) {
                            byte[] buf = new byte[66000];
                            int n;
                            while ((n = c.read(buf, 0, 66000)) > 0) {
                                c.write(buf, 0, n);
                                echoed.addAndGet(n);
                            }
                        } catch (Exception e) {
                            // reset by the client's close
                        }
                    });
                    w.setDaemon(true);
                    w.start();
                }
            } catch (Exception e) {
                // listener closed
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Writes {@code data} on {@code c} in {@code chunk}-byte writes while a reader collects what comes back, and
     * requires the echo to be {@code data} exactly.
     *
     * @throws AssertionError if the echo is short, differs, or the reader failed
     */
    public static void roundTrip(TipcConnection c, byte[] data, int chunk, Duration timeout) throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        AtomicReference<Exception> readErr = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            byte[] buf = new byte[66000];
            try {
                while (got.size() < data.length) {
                    int n = c.read(buf);
                    if (n < 0) break;
                    got.write(buf, 0, n);
                }
            } catch (Exception e) {
                readErr.set(e);
            }
        });
        reader.start();
        for (int off = 0; off < data.length; off += chunk) {
            c.write(data, off, Math.min(chunk, data.length - off));
        }
        reader.join(timeout.toMillis());
        if (readErr.get() != null) throw new AssertionError("reading the echo", readErr.get());
        if (got.size() != data.length) {
            throw new AssertionError("echo of " + data.length + " bytes: got " + got.size());
        }
        if (!Arrays.equals(got.toByteArray(), data)) throw new AssertionError("echo content differs");
    }
}
