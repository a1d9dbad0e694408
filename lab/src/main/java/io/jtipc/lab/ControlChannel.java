package io.jtipc.lab;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The host side of a guest's control port (virtio-serial port "ctl", a unix socket on the host).
 * Speaks the line protocol of {@code tipc-agent serve}: requests {@code RUN id timeout_ms cmd},
 * {@code KILL id sig}, {@code PING id}; replies {@code @@HELLO}, {@code @@O id line},
 * {@code @@TIMEOUT id}, {@code @@END id rc}, {@code @@PONG id}, {@code @@ERR id msg}.
 */
final class ControlChannel implements AutoCloseable {
    private final String nodeName;
    private final SocketChannel channel;
    private final Map<String, GuestJob> jobs = new ConcurrentHashMap<>();
    private final CountDownLatch hello = new CountDownLatch(1);
    private final AtomicLong ids = new AtomicLong();
    private final Thread reader;
    private volatile String kernelRelease;
    private volatile boolean closed;
    private volatile String brokenReason;

    private ControlChannel(String nodeName, SocketChannel channel) {
        this.nodeName = nodeName;
        this.channel = channel;
        this.reader = new Thread(this::readLoop, "jtipc-lab-ctl-" + nodeName);
        this.reader.setDaemon(true);
    }

    /** Connects to the socket qemu listens on; retries while qemu creates it. */
    static ControlChannel connect(String nodeName, Path socket, long deadlineNanos, Process qemu) throws IOException {
        IOException last = null;
        while (System.nanoTime() < deadlineNanos && qemu.isAlive()) {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
                ControlChannel c = new ControlChannel(nodeName, ch);
                c.reader.start();
                return c;
            } catch (IOException e) {
                ch.close();
                last = e;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
        throw last != null ? last : new IOException("qemu exited before its control socket accepted a connection");
    }

    /** Pings until the guest's server answers with its HELLO; false if none came in time. */
    boolean awaitHello(long deadlineNanos, Process qemu) throws IOException {
        try {
            while (System.nanoTime() < deadlineNanos && qemu.isAlive() && brokenReason == null) {
                send("PING 0");
                if (hello.await(1, TimeUnit.SECONDS)) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return hello.getCount() == 0;
    }

    String kernelRelease() {
        return kernelRelease;
    }

    String brokenReason() {
        return brokenReason;
    }

    GuestJob start(KernelNode node, String command, long timeoutMs) {
        if (command.indexOf('\n') >= 0 || command.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a guest command is one line: " + command);
        }
        if (brokenReason != null) {
            throw new LabException(LabException.Stage.CONTROL, nodeName + ": control channel is down (" + brokenReason
                    + "), cannot run `" + command + "`", node.consoleTail(40));
        }
        String id = "j" + ids.incrementAndGet();
        GuestJob job = new GuestJob(node, id, command);
        jobs.put(id, job);
        String down = brokenReason;
        if (down != null) {
            jobs.remove(id);
            job.end(-1, down);
            return job;
        }
        try {
            send("RUN " + id + " " + Math.max(0, timeoutMs) + " " + command);
        } catch (IOException e) {
            jobs.remove(id);
            throw new LabException(LabException.Stage.CONTROL, nodeName + ": cannot send `" + command + "`: " + e.getMessage(),
                    node.consoleTail(40));
        }
        return job;
    }

    void kill(String id, int signal) {
        try {
            send("KILL " + id + " " + signal);
        } catch (IOException e) {
            // the channel is gone: the job ends with the channel
        }
    }

    private void send(String line) throws IOException {
        ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        synchronized (channel) {
            while (b.hasRemaining()) {
                channel.write(b);
            }
        }
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocate(16384);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            while (true) {
                buf.clear();
                int n = channel.read(buf);
                if (n < 0) {
                    break;
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    byte c = buf.get();
                    if (c == '\n') {
                        dispatch(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                    } else {
                        line.write(c);
                    }
                }
            }
            broken("the guest closed the control channel (qemu exited?)");
        } catch (IOException e) {
            broken(closed ? "closed" : "control channel read failed: " + e.getMessage());
        }
    }

    private void dispatch(String l) {
        if (l.startsWith("@@O ")) {
            int sp = l.indexOf(' ', 4);
            String id = sp < 0 ? l.substring(4) : l.substring(4, sp);
            GuestJob j = jobs.get(id);
            if (j != null) {
                j.line(sp < 0 ? "" : l.substring(sp + 1));
            }
        } else if (l.startsWith("@@END ")) {
            String[] f = l.split(" ");
            GuestJob j = f.length >= 3 ? jobs.remove(f[1]) : null;
            if (j != null) {
                int rc;
                try {
                    rc = Integer.parseInt(f[2]);
                } catch (NumberFormatException e) {
                    rc = -1;
                }
                j.end(rc, null);
            }
        } else if (l.startsWith("@@TIMEOUT ")) {
            GuestJob j = jobs.get(l.substring(10).trim());
            if (j != null) {
                j.markTimedOut();
            }
        } else if (l.startsWith("@@ERR ")) {
            String[] f = l.split(" ", 3);
            GuestJob j = f.length >= 2 ? jobs.remove(f[1]) : null;
            if (j != null) {
                j.end(-1, "the guest refused the request: " + (f.length > 2 ? f[2] : ""));
            }
        } else if (l.startsWith("@@HELLO")) {
            kernelRelease = l.length() > 8 ? l.substring(8).trim() : "";
            hello.countDown();
        }
        // @@PONG and anything else: nothing to do
    }

    private void broken(String reason) {
        brokenReason = reason;
        for (GuestJob j : jobs.values()) {
            j.end(-1, reason);
        }
        jobs.clear();
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
        broken("closed");
    }
}
