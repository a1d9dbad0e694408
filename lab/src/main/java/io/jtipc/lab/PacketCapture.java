package io.jtipc.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code tcpdump -i BRIDGE -w FILE} in the lab's namespace: every frame on the segment, kernel nodes'
 * and jtipc nodes' alike. {@link #close()} stops it and flushes the file. Made by {@link Lab#capture}.
 */
public final class PacketCapture implements AutoCloseable {
    private final Path file;
    private final Process tcpdump;
    private final List<String> stderr = new ArrayList<>();

    PacketCapture(Lab lab, Path file) {
        this(lab, file, lab.bridge());
    }

    PacketCapture(Lab lab, Path file, String iface) {
        this.file = file.toAbsolutePath();
        List<String> cmd = List.of("ip", "netns", "exec", lab.netns(), "tcpdump", "-i", iface, "-U", "-B", "65536", "-Z", "root",
                "-s", "0", "-w", this.file.toString());
        try {
            java.nio.file.Files.createDirectories(this.file.getParent());
            tcpdump = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new LabException(LabException.Stage.NETWORK, "cannot start tcpdump: " + e.getMessage(), "");
        }
        CountDownLatch listening = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(tcpdump.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    synchronized (stderr) {
                        stderr.add(l);
                    }
                    if (l.contains("listening on")) {
                        listening.countDown();
                    }
                }
            } catch (IOException ignored) {
                // tcpdump ended
            }
            listening.countDown();
        }, "jtipc-lab-tcpdump");
        t.setDaemon(true);
        t.start();
        try {
            if (!listening.await(10, TimeUnit.SECONDS) || !tcpdump.isAlive()) {
                tcpdump.destroyForcibly();
                throw new LabException(LabException.Stage.NETWORK, "tcpdump on " + iface + " did not start",
                        String.join("\n", output()));
            }
        } catch (InterruptedException e) {
            tcpdump.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new LabException(LabException.Stage.NETWORK, "interrupted starting tcpdump", "");
        }
    }

    /** The pcap file. */
    public Path file() {
        return file;
    }

    /** tcpdump's messages (e.g. "N packets captured"). */
    public List<String> output() {
        synchronized (stderr) {
            return List.copyOf(stderr);
        }
    }

    /** Stops tcpdump (SIGTERM, it flushes) and returns the file. Idempotent. */
    public Path stop() {
        if (tcpdump.isAlive()) {
            tcpdump.destroy();
            try {
                if (!tcpdump.waitFor(5, TimeUnit.SECONDS)) {
                    tcpdump.destroyForcibly();
                    tcpdump.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return file;
    }

    @Override
    public void close() {
        stop();
    }
}
