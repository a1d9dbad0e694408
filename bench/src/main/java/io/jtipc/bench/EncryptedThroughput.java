package io.jtipc.bench;

import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcException;
import io.jtipc.api.TipcMessage;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcSocket;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Encrypted vs plaintext RDM throughput between two jtipc nodes over UDP loopback (issue 11's benchmark; run by
 * {@code bench/run.sh crypto}, never by the tests).
 *
 * <p>One JVM holds two pairs of nodes, each pair linked over UDP loopback ({@code udp:127.0.0.1:P,remote=127.0.0.2:P}
 * and back; replicast, no multicast): pair "plain" with no key, pair "aes" with the same cluster key on both nodes
 * (AES-256-GCM, {@code tipc node set key} form). Both pairs stay up for the whole run and the rounds alternate
 * between them (the order flips every round), so machine load hits both alike and the ratio is taken within one run.
 *
 * <p>A round: a sender RDM socket on node A sends numbered messages of SIZE bytes for SECONDS to a receiver RDM socket
 * on node B (socket address {port, node}); bytes 0-3 say data/end, 4-7 the round, 8-11 the message number, the rest
 * is a fixed random template. The receiver checks every message (the next number expected: nothing lost, duplicated
 * or reordered; the whole body equal to the template) and acknowledges every {@code window / 4} messages. The sender
 * keeps at most {@code window} messages unacknowledged, {@code window} = half the receiver's buffer
 * ({@link TipcSocket#RECEIVE_BUFFER} / 2 / (SIZE + {@link TipcSocket#MESSAGE_OVERHEAD})), so the receiver never
 * overflows and never returns a message with TIPC_ERR_OVERLOAD, as {@code jtipc node ping} keeps a window; the link's
 * own congestion makes {@link TipcSocket#send} wait, like a blocking sendmsg. After SECONDS the sender sends an end
 * message with the count; the receiver checks the count and acknowledges it; the round's time runs from the first
 * send to that last acknowledgement. A returned message, a wrong number, a bad body or a wrong count fails the run.
 *
 * <p>Output: a Markdown table of medians over the rounds (msg/s, MB/s of payload, process CPU time per message, i.e.
 * both nodes and both threads) and the ratio encrypted / plaintext per size; exit code 1 if a check failed.
 * Arguments: {@code [--sizes 64,1000,60000] [--rounds 7] [--seconds 3] [--warmup 2]} (warm-up: seconds of untimed
 * traffic per pair and size before the rounds).
 */
public final class EncryptedThroughput {
    /** Cluster key for the "aes" pair: AES-256 key and 4-byte salt, hex, as {@code tipc node set key} takes it. */
    static final String KEY = "0x" + "6a7469706320626e63682061657320323536206b657920666f722062656e6368" + "53414c54";
    /** Time to wait for a message before declaring the run broken, ms. */
    static final Duration STALL = Duration.ofSeconds(20);
    /** A send taking longer than this gets the threads dumped ({@link #watchdog}). */
    static final Duration SLOW_SEND = Duration.ofSeconds(5);
    static final int DATA = 0, END = 1, ACK = 2;
    /** Bytes of the numbering header at the start of each message. */
    static final int HEAD = 12;

    /** Two linked nodes and the sockets of one direction. */
    static final class Pair implements AutoCloseable {
        final String name;
        final TipcNode a;
        final TipcNode b;
        final TipcSocket tx;
        final TipcSocket rx;

        Pair(String name, String key, int port) throws IOException, InterruptedException {
            this.name = name;
            String a1 = "127.0.0.1:" + port, b1 = "127.0.0.2:" + port;
            TipcNode.Builder ba = TipcNode.builder().identity("bench-" + name + "-a").bearer("udp:" + a1 + ",remote=" + b1);
            TipcNode.Builder bb = TipcNode.builder().identity("bench-" + name + "-b").bearer("udp:" + b1 + ",remote=" + a1);
            if (key != null) {
                ba.key(key);
                bb.key(key);
            }
            a = ba.build();
            b = bb.build();
            AtomicReference<Exception> failed = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    a.start();
                } catch (Exception e) {
                    failed.set(e);
                }
            });
            t.start();
            b.start(); // the address trials (~1 s each) run side by side
            t.join();
            if (failed.get() != null) throw new IOException("node A of " + name + ": " + failed.get(), failed.get());
            a.awaitLinkUp(Duration.ofSeconds(15));
            b.awaitLinkUp(Duration.ofSeconds(15));
            tx = TipcSocket.rdm(a);
            rx = TipcSocket.rdm(b);
            tx.setDestDroppable(false); // an overflow would come back as a returned message, counted as a failure
            rx.setDestDroppable(false);
        }

        @Override
        public void close() {
            tx.close();
            rx.close();
            a.close();
            b.close();
        }
    }

    /** One round's figures. */
    record Round(long messages, long nanos, long cpuNanos) {
        double msgPerSec() { return messages * 1e9 / nanos; }
    }

    /** When the sender's current {@link TipcSocket#send} started (System.nanoTime), 0 when not in one. */
    private static volatile long sendStarted;

    /**
     * Prints every thread's stack once when a send has taken more than {@code SLOW_SEND} (a stalled event loop or a
     * link that stays congested), while the nodes are still running: the figures of such a round are not kept, the
     * dump says where it hung.
     */
    private static void watchdog() {
        long dumped = 0;
        while (true) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            long s = sendStarted;
            if (s != 0 && s != dumped && System.nanoTime() - s > SLOW_SEND.toNanos()) {
                dumped = s;
                System.err.println("bench: a send has been waiting for " + SLOW_SEND.toSeconds() + " s; threads:");
                dumpThreads();
            }
        }
    }

    static void dumpThreads() {
        for (var t : Thread.getAllStackTraces().entrySet()) {
            System.err.println("thread " + t.getKey().getName() + " " + t.getKey().getState());
            for (StackTraceElement f : t.getValue()) System.err.println("    at " + f);
        }
    }

    private static int window(int size) {
        return (int) Math.max(1, Math.min(4096, TipcSocket.RECEIVE_BUFFER / 2 / (size + TipcSocket.MESSAGE_OVERHEAD)));
    }

    /**
     * Runs one round on {@code p}: {@code seconds} of numbered messages A → B, checked on B.
     *
     * @throws IllegalStateException on any check failing (lost, reordered, corrupt, returned, stalled)
     */
    static Round round(Pair p, int round, int size, double seconds, byte[] template) throws Exception {
        try {
            return roundChecked(p, round, size, seconds, template);
        } catch (IllegalStateException | TipcException e) {
            // where every thread is (a stalled event loop, a sender waiting for room on a link), nodes still open
            System.err.println("bench: " + p.name + " round " + round + " failed: " + e.getMessage() + "; threads:");
            dumpThreads();
            throw e;
        }
    }

    private static Round roundChecked(Pair p, int round, int size, double seconds, byte[] template) throws Exception {
        int window = window(size);
        int ackEvery = Math.max(1, window / 4);
        TipcAddress dest = TipcAddress.ofSocket(p.rx.port(), p.b.address());
        AtomicReference<Throwable> rxFailure = new AtomicReference<>();
        Thread receiver = new Thread(() -> {
            try {
                receive(p, round, size, ackEvery, template);
            } catch (Throwable e) {
                rxFailure.set(e);
            }
        }, "bench-rx-" + p.name);
        receiver.start();
        byte[] m = template.clone();
        ByteBuffer mb = ByteBuffer.wrap(m);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        int sent = 0, acked = 0;
        try {
            while (System.nanoTime() < end) {
                while (sent - acked < window && System.nanoTime() < end) {
                    mb.putInt(0, DATA).putInt(4, round).putInt(8, sent);
                    sendStarted = System.nanoTime();
                    p.tx.send(dest, m);
                    sendStarted = 0;
                    sent++;
                }
                acked = Math.max(acked, takeAck(p, round, sent, Duration.ZERO, acked));
                if (sent - acked >= window) acked = Math.max(acked, takeAck(p, round, sent, STALL, acked));
            }
            mb.putInt(0, END).putInt(4, round).putInt(8, sent);
            p.tx.send(dest, m, 0, HEAD);
            while (acked < sent + 1) acked = Math.max(acked, takeAck(p, round, sent, STALL, acked));
        } finally {
            receiver.join(STALL.toMillis());
        }
        long t1 = System.nanoTime();
        long cpu1 = os.getProcessCpuTime();
        if (rxFailure.get() != null) throw new IllegalStateException(p.name + " receiver: " + rxFailure.get(), rxFailure.get());
        if (receiver.isAlive()) throw new IllegalStateException(p.name + " receiver stalled");
        return new Round(sent, t1 - t0, cpu1 - cpu0);
    }

    /**
     * Waits up to {@code wait} for one acknowledgement (ZERO: only takes one already there) and returns the count it
     * acknowledges ({@code sent + 1} for the end message), or {@code acked} if none came (then fails when a wait was
     * asked for).
     */
    private static int takeAck(Pair p, int round, int sent, Duration wait, int acked) throws Exception {
        TipcMessage r = p.tx.receive(wait);
        if (r == null) {
            if (wait.isZero()) return acked;
            throw new IllegalStateException(p.name + ": no acknowledgement for " + wait.toSeconds() + " s (sent " + sent
                + ", acknowledged " + acked + ")");
        }
        ByteBuffer b = ByteBuffer.wrap(r.payload());
        if (r.isReturned()) {
            throw new IllegalStateException(p.name + ": message " + (b.remaining() >= HEAD ? b.getInt(8) : -1)
                + " returned, error " + r.errcode());
        }
        if (b.remaining() < HEAD || b.getInt(0) != ACK || b.getInt(4) != round) throw new IllegalStateException(p.name + ": bad ack");
        return b.getInt(8);
    }

    /** The receiver of one round: checks every message, acknowledges every {@code ackEvery} and the end. */
    private static void receive(Pair p, int round, int size, int ackEvery, byte[] template) throws Exception {
        byte[] ack = new byte[HEAD];
        ByteBuffer ab = ByteBuffer.wrap(ack);
        int next = 0;
        while (true) {
            TipcMessage r = p.rx.receive(STALL);
            if (r == null) throw new IllegalStateException("nothing received for " + STALL.toSeconds() + " s, expected " + next);
            byte[] d = r.payload();
            ByteBuffer b = ByteBuffer.wrap(d);
            if (r.isReturned() || d.length < HEAD || b.getInt(4) != round) throw new IllegalStateException("stray message");
            int kind = b.getInt(0), n = b.getInt(8);
            if (kind == END) {
                if (n != next) throw new IllegalStateException("end says " + n + " sent, " + next + " received");
                ab.putInt(0, ACK).putInt(4, round).putInt(8, n + 1);
                p.rx.send(r.source(), ack);
                return;
            }
            if (n != next) throw new IllegalStateException("message " + n + " where " + next + " was expected");
            if (d.length != size || !Arrays.equals(d, HEAD, size, template, HEAD, size)) {
                throw new IllegalStateException("message " + n + ": body differs (" + d.length + " bytes)");
            }
            next++;
            if (next % ackEvery == 0) {
                ab.putInt(0, ACK).putInt(4, round).putInt(8, next);
                p.rx.send(r.source(), ack);
            }
        }
    }

    static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        int[] sizes = {64, 1000, 60000};
        int rounds = 7;
        double seconds = 3, warmup = 2;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--sizes": sizes = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray(); break;
                case "--rounds": rounds = Integer.parseInt(args[++i]); break;
                case "--seconds": seconds = Double.parseDouble(args[++i]); break;
                case "--warmup": warmup = Double.parseDouble(args[++i]); break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]
                    + " (want [--sizes 64,1000,60000] [--rounds 7] [--seconds 3] [--warmup 2])");
            }
        }
        for (int s : sizes) if (s < HEAD || s > 66000) throw new IllegalArgumentException("size not in 12-66000: " + s);
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        Thread dog = new Thread(EncryptedThroughput::watchdog, "bench-watchdog");
        dog.setDaemon(true);
        dog.start();
        try (Pair plain = new Pair("plain", null, port); Pair aes = new Pair("aes", KEY, port + 1)) {
            Pair[] pairs = {plain, aes};
            int id = 0;
            StringBuilder table = new StringBuilder();
            table.append("| size B | mode | msg/s median (min–max) | MB/s median | CPU µs/msg median | encrypted/plain msg/s |\n");
            table.append("|---|---|---|---|---|---|\n");
            for (int size : sizes) {
                byte[] template = new byte[size];
                new Random(size).nextBytes(template);
                for (Pair p : pairs) round(p, id++, size, warmup, template);
                List<List<Double>> rate = List.of(new ArrayList<>(), new ArrayList<>());
                List<List<Double>> cpu = List.of(new ArrayList<>(), new ArrayList<>());
                for (int r = 0; r < rounds; r++) {
                    for (int k = 0; k < 2; k++) {
                        int which = (r % 2 == 0) ? k : 1 - k; // plain first in even rounds, aes first in odd ones
                        Round res = round(pairs[which], id++, size, seconds, template);
                        rate.get(which).add(res.msgPerSec());
                        cpu.get(which).add(res.cpuNanos() / 1e3 / res.messages());
                        System.err.printf("bench: crypto size %d round %d %s: %d msgs in %.2f s, %.0f msg/s%n", size, r + 1,
                            pairs[which].name, res.messages(), res.nanos() / 1e9, res.msgPerSec());
                    }
                }
                double plainRate = median(rate.get(0));
                for (int k = 0; k < 2; k++) {
                    List<Double> v = rate.get(k);
                    double med = median(v);
                    table.append(String.format("| %d | %s | %.0f (%.0f–%.0f) | %.2f | %.1f | %s |%n", size,
                        k == 0 ? "plaintext" : "AES-256-GCM", med, v.stream().mapToDouble(x -> x).min().orElse(0),
                        v.stream().mapToDouble(x -> x).max().orElse(0), med * size / 1e6, median(cpu.get(k)),
                        k == 0 ? "" : String.format("**%.2f**", med / plainRate)));
                }
            }
            long undecryptable = plain.a.undecryptableFrames() + plain.b.undecryptableFrames()
                + aes.a.undecryptableFrames() + aes.b.undecryptableFrames();
            System.out.print(table);
            System.out.printf("%nUndecryptable frames (all four nodes): %d; window: %s messages; %d rounds of %.1f s per mode"
                + " and size after %.1f s of warm-up each.%n", undecryptable,
                Arrays.stream(sizes).mapToObj(s -> s + " B → " + window(s)).reduce((x, y) -> x + ", " + y).orElse(""),
                rounds, seconds, warmup);
            if (undecryptable != 0) throw new IllegalStateException("undecryptable frames: " + undecryptable);
        } catch (IllegalStateException | TipcException e) {
            System.err.println("bench: crypto FAILED: " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
        }
    }
}
