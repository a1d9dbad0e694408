package io.jtipc.cli;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.LibraryLoader;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/** A test's stand-in for systemd's notify socket: an AF_UNIX datagram socket bound to a path or an abstract name. */
final class NotifySocket implements AutoCloseable {
    public interface Lib {
        int socket(int domain, int type, int protocol);

        int bind(int fd, byte[] addr, int addrlen);

        @ssize_t long recv(int fd, byte[] buf, @size_t long len, int flags);

        int close(int fd);
    }

    private static final Lib LIB = LibraryLoader.create(Lib.class).load("c");
    private static final int MSG_DONTWAIT = 0x40;
    private final int fd;

    /** Binds to {@code name}: a path, or '@' and an abstract name (as NOTIFY_SOCKET spells them). */
    NotifySocket(String name) {
        fd = LIB.socket(SdNotify.AF_UNIX, SdNotify.SOCK_DGRAM | SdNotify.SOCK_CLOEXEC, 0);
        if (fd < 0) throw new IllegalStateException("socket(AF_UNIX, SOCK_DGRAM) failed");
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] sa = new byte[2 + SdNotify.SUN_PATH];
        sa[0] = (byte) SdNotify.AF_UNIX;
        System.arraycopy(n, 0, sa, 2, n.length);
        boolean abstractName = name.startsWith("@");
        if (abstractName) sa[2] = 0;
        if (LIB.bind(fd, sa, 2 + n.length + (abstractName ? 0 : 1)) != 0) {
            LIB.close(fd);
            throw new IllegalStateException("bind " + name + " failed");
        }
    }

    /** The datagrams received within {@code ms} (polled every 20 ms), until {@code enough} of them came. */
    List<String> receive(long ms, int enough) throws InterruptedException {
        List<String> got = new ArrayList<>();
        long end = System.nanoTime() + ms * 1_000_000;
        byte[] buf = new byte[4096];
        while (got.size() < enough && System.nanoTime() < end) {
            long n = LIB.recv(fd, buf, buf.length, MSG_DONTWAIT);
            if (n >= 0) got.add(new String(buf, 0, (int) n, StandardCharsets.UTF_8));
            else Thread.sleep(20);
        }
        return got;
    }

    /** The datagrams queued now (none waited for). */
    List<String> drain() {
        List<String> got = new ArrayList<>();
        byte[] buf = new byte[4096];
        for (long n; (n = LIB.recv(fd, buf, buf.length, MSG_DONTWAIT)) >= 0; ) {
            got.add(new String(buf, 0, (int) n, StandardCharsets.UTF_8));
        }
        return got;
    }

    @Override
    public void close() {
        LIB.close(fd);
    }
}
