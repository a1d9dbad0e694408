package io.jtipc.bench;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcConnection;
import io.jtipc.api.TipcMessageInfo;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcServerSocket;
import io.jtipc.api.TipcSocket;

/**
 * End-to-end messaging benchmark between two JVMs on this host (issue 14; {@code bench/run.sh node}, and in
 * {@code --quick} form by {@code NodeBenchTest}): two jtipc nodes linked over UDP loopback next to Java TCP and raw
 * UDP with the same sizes, in one run.
 *
 * <p><b>Processes.</b> This JVM (the "client") starts a second JVM (the "peer", same class path, {@code --peer})
 * and drives it with one line per command on the peer's stdin/stdout. jtipc: node A here ({@code udp:127.0.0.1:P,
 * remote=127.0.0.2:P}), node B in the peer (the reverse), linked for the whole run. TCP: {@code 127.0.0.1}, a
 * listening socket in the peer per test. Raw UDP: a {@link DatagramSocket} per side.
 *
 * <p><b>Tests</b> (every message numbered at byte 0 and checked by its receiver: the next number expected, else
 * lost or reordered counted; a jtipc message returned to its sender is counted as returned):
 * <ul>
 * <li>{@code oneway SIZE}: COUNT messages of SIZE bytes client → peer. jtipc RDM: at most {@code window}
 *     unacknowledged messages, {@code window} = half the receiver's buffer ({@link TipcSocket#RECEIVE_BUFFER} / 2 /
 *     (SIZE + {@link TipcSocket#MESSAGE_OVERHEAD})), the peer acknowledges every window / 4 (as {@code jtipc node ping}
 *     and {@link EncryptedThroughput}); TCP: one {@code write} per message, TCP's own flow control. The time runs
 *     from the first send to the peer's final acknowledgement.</li>
 * <li>{@code rtt 64}: COUNT ping-pongs of 64 B, one at a time; median and 99th percentile of the round trip.
 *     TCP with TCP_NODELAY; raw UDP resends the next number after a 1 s timeout (counted lost).</li>
 * <li>{@code stream BYTES}: jtipc STREAM connection vs TCP, BYTES in 64 KiB writes, each chunk numbered; MB/s.</li>
 * </ul>
 *
 * <p><b>Costs</b>, measured in each JVM around its part of a test and summed over both: process CPU time
 * ({@code OperatingSystemMXBean.getProcessCpuTime}), context switches (voluntary + nonvoluntary over
 * {@code /proc/self/task/}{@code *}{@code /status}; threads that ended in between are not counted) and bytes
 * allocated ({@code com.sun.management.ThreadMXBean.getThreadAllocatedBytes} summed over live threads), each divided
 * by the messages (round trips count two messages; stream: 64 KiB chunks). Rounds: every test runs ROUNDS times
 * (order client transports rotate), the figures printed are medians over the rounds.
 *
 * <p>Arguments: {@code [--quick] [--rounds N] [--seconds S] [--mtu BYTES]}: {@code --quick} = small counts, one round
 * (the unit test); {@code --mtu} = both jtipc nodes' UDP bearer MTU ({@code mtu=BYTES} in their bearer specs, as
 * {@code tipc bearer set mtu}; default the kernel's 14000), printed with the link MTU above the tables;
 * {@code --seconds} bounds each RDM and raw UDP test (the sender stops early and reports the count it reached; default
 * 20); TCP and the streams are bounded by their count (and {@code STALL} without progress).
 * Exit code 1 if a check failed (lost or reordered on TCP or jtipc, a count mismatch, a stall).
 *
 * <p>Diagnosis only (system properties of both JVMs, e.g. through {@code JAVA_TOOL_OPTIONS}; off by default, the
 * figures above never use them): {@code -Dnodebench.diag=true} prints, per jtipc RDM test, each node's link counters
 * (window, packets, STATE messages, retransmissions, congestion waits) and the client's time in {@code send} and in
 * the window waits to stderr; {@code -Dnodebench.window=N} and {@code -Dnodebench.ackDiv=D} replace the one-way
 * window and the acknowledgement interval (window / D); {@code -Dnodebench.linkWindow=N} sets the client's link
 * window as {@code tipc link set window N} would (a configuration, bench/RESULTS.md "What paces 1 000 B over veth");
 * {@code -Dnodebench.sendBatch=N} (N > 1) has the jtipc one-way sender pass up to N messages per call
 * ({@code TipcSocket.send(TipcAddress, ByteBuffer[], int, int)}, as the C blaster's {@code sendmmsg} of 64).
 */
public final class NodeBench {
    /** {@code -Dnodebench.sendBatch}: messages per send call of the jtipc one-way sender (1: one per call). */
    static final int SEND_BATCH = Integer.getInteger("nodebench.sendBatch", 1);
    /** Numbering header of each message: 4-byte kind, 4-byte sequence number. */
    static final int HEAD = 8;
    static final int DATA = 0, END = 1, ACK = 2;
    /** No progress for this long fails the test. */
    static final Duration STALL = Duration.ofSeconds(20);
    /** Stream chunk, bytes. */
    static final int CHUNK = 64 * 1024;
    /** jtipc service the peer's stream server listens on. */
    static final int STREAM_TYPE = 0x4e42;

    /** One test of the plan: what, which size, how many. */
    record Test(String kind, int size, long count) {
        String label() {
            return switch (kind) {
                case "oneway" -> "one way " + size + " B";
                case "rtt" -> size + " B round trip";
                default -> "stream " + (count * CHUNK / 1_000_000) + " MB";
            };
        }
    }

    /** One side's costs over a test: CPU ns, context switches, bytes allocated. */
    record Cost(long cpuNs, long ctx, long alloc) {
        Cost minus(Cost o) { return new Cost(cpuNs - o.cpuNs, ctx - o.ctx, alloc - o.alloc); }
        Cost plus(Cost o) { return new Cost(cpuNs + o.cpuNs, ctx + o.ctx, alloc + o.alloc); }
        static Cost parse(String[] f, int i) { return new Cost(Long.parseLong(f[i]), Long.parseLong(f[i + 1]), Long.parseLong(f[i + 2])); }
        String format() { return cpuNs + " " + ctx + " " + alloc; }
    }

    /** A test's result for one transport and round. */
    record Result(String transport, Test test, long messages, long nanos, double rttMedianUs, double rttP99Us,
                  long lost, long reordered, long returned, Cost cost) {
        double msgPerSec() { return messages * 1e9 / nanos; }
        double mbPerSec() { return messages * (double) (test.kind.equals("stream") ? CHUNK : test.size) * 1e3 / nanos; }
        long costMessages() { return test.kind.equals("rtt") ? 2 * messages : messages; }
    }

    // ------------------------------------------------------------------------------------------------ costs

    /**
     * {@link #cost()} for the start of a test: the context switches (read from /proc, which allocates some 16 KB per
     * thread) first, then the allocated bytes, so that neither end's /proc reading is counted as the test's allocation.
     */
    static Cost costStart() {
        long ctx = contextSwitches();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        var tm = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long alloc = 0;
        for (long a : tm.getThreadAllocatedBytes(tm.getAllThreadIds())) alloc += Math.max(0, a);
        return new Cost(os.getProcessCpuTime(), ctx, alloc);
    }

    static Cost cost() {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        var tm = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long alloc = 0;
        for (long a : tm.getThreadAllocatedBytes(tm.getAllThreadIds())) alloc += Math.max(0, a);
        return new Cost(os.getProcessCpuTime(), contextSwitches(), alloc);
    }

    /** Voluntary + nonvoluntary context switches of every live thread of this process (/proc/self/task/N/status). */
    static long contextSwitches() {
        long sum = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path t : ds) {
                try {
                    for (String l : Files.readAllLines(t.resolve("status"))) {
                        if (l.startsWith("voluntary_ctxt_switches:") || l.startsWith("nonvoluntary_ctxt_switches:")) {
                            sum += Long.parseLong(l.substring(l.indexOf(':') + 1).trim());
                        }
                    }
                } catch (IOException | NumberFormatException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return sum;
    }

    // ------------------------------------------------------------------------------------------------ peer side

    /** The peer JVM: serves commands from stdin, answers on stdout (its only use of stdout). */
    static void peer() throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err); // logs of libraries never mix with the answers
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        TipcNode node = null;
        TipcSocket rdm = null;
        TipcServerSocket streamServer = null;
        String line;
        while ((line = in.readLine()) != null) {
            String[] f = line.split(" ");
            try {
                switch (f[0]) {
                    case "JTIPC" -> {
                        int port = Integer.parseInt(f[1]);
                        String bearer = f.length > 2 ? f[2] : "udp:127.0.0.2:" + port + ",remote=127.0.0.1:" + port;
                        node = TipcNode.builder().identity("nodebench-b").bearer(bearer).build();
                        node.start();
                        node.awaitLinkUp(Duration.ofSeconds(30));
                        rdm = TipcSocket.rdm(node);
                        rdm.setDestDroppable(false);
                        streamServer = TipcServerSocket.listen(node, TipcAddress.ofService(STREAM_TYPE, 1),
                            TipcConnection.Type.STREAM, TipcSocket.Scope.CLUSTER);
                        out.println("JTIPC " + node.address() + " " + rdm.port());
                    }
                    case "RUN" -> {
                        Test t = new Test(f[2], Integer.parseInt(f[3]), Long.parseLong(f[4]));
                        out.println(serve(f[1], t, rdm, streamServer, out));
                        if (DIAG && node != null && f[1].equals("jtipc")) System.err.println("diag peer after " + t.label() + ": " + linkDiag(node));
                    }
                    case "QUIT" -> {
                        if (node != null) node.close();
                        out.println("BYE");
                        return;
                    }
                    default -> out.println("ERR unknown command " + f[0]);
                }
            } catch (Exception e) {
                e.printStackTrace();
                out.println("ERR " + String.valueOf(e).replace('\n', ' '));
            }
        }
    }

    /** Serves one test as the receiving/echoing side; returns the DONE line: received lost reordered cost. */
    static String serve(String transport, Test t, TipcSocket rdm, TipcServerSocket streamServer, PrintStream out)
            throws Exception {
        Checker c = new Checker();
        Cost c0;
        switch (transport) {
            case "tcp" -> {
                try (ServerSocket ss = new ServerSocket()) {
                    ss.bind(new InetSocketAddress("127.0.0.1", 0));
                    out.println("READY " + ss.getLocalPort());
                    try (Socket s = ss.accept()) {
                        s.setTcpNoDelay(true);
                        s.setSoTimeout((int) STALL.toMillis());
                        c0 = costStart();
                        DataInputStream din = new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 16));
                        OutputStream os = s.getOutputStream();
                        int len = t.kind.equals("stream") ? CHUNK : t.size;
                        byte[] b = new byte[len];
                        long n = din.readLong(); // how many the client sent (bounded by time), first
                        for (long i = 0; i < n; i++) {
                            din.readFully(b);
                            c.check(ByteBuffer.wrap(b).getInt(4));
                            if (t.kind.equals("rtt")) os.write(b);
                        }
                        os.write(1);
                        os.flush();
                        din.read(); // the client's close
                    }
                }
            }
            case "udp" -> {
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                    s.setSoTimeout((int) STALL.toMillis());
                    out.println("READY " + s.getLocalPort());
                    c0 = costStart();
                    byte[] b = new byte[65536];
                    DatagramPacket p = new DatagramPacket(b, b.length);
                    while (true) {
                        p.setData(b);
                        s.receive(p);
                        ByteBuffer bb = ByteBuffer.wrap(b, 0, p.getLength());
                        if (bb.getInt(0) == END) {
                            c.expectTotal(bb.getInt(4));
                            s.send(p);
                            break;
                        }
                        c.checkDatagram(bb.getInt(4));
                        s.send(p);
                    }
                }
            }
            case "jtipc" -> {
                if (t.kind.equals("stream")) {
                    out.println("READY 0");
                    try (TipcConnection conn = streamServer.accept(STALL)) {
                        c0 = costStart();
                        byte[] b = new byte[CHUNK];
                        byte[] head = new byte[8];
                        readFully(conn, head);
                        long n = ByteBuffer.wrap(head).getLong(0);
                        for (long i = 0; i < n; i++) {
                            readFully(conn, b);
                            c.check(ByteBuffer.wrap(b).getInt(4));
                        }
                        conn.write(new byte[] {1});
                        try {
                            conn.read(new byte[1], 0, 1, STALL); // until the client closes
                        } catch (IOException e) {
                            // closed by the client: done
                        }
                    }
                } else {
                    out.println("READY 0");
                    c0 = costStart();
                    int ackEvery = Math.max(1, window(t.size) / Integer.getInteger("nodebench.ackDiv", 4));
                    byte[] ack = new byte[HEAD];
                    ByteBuffer ab = ByteBuffer.wrap(ack);
                    // the receive-into-a-buffer API: one buffer and one info for the whole test, nothing per message
                    ByteBuffer b = ByteBuffer.allocate(Math.max(HEAD, t.size));
                    TipcMessageInfo info = new TipcMessageInfo();
                    boolean rtt = t.kind.equals("rtt");
                    while (true) {
                        b.clear();
                        if (rdm.receive(b, info, STALL) < 0) {
                            throw new IllegalStateException("nothing received for " + STALL.toSeconds() + " s");
                        }
                        if (info.isReturned()) throw new IllegalStateException("an acknowledgement came back, error " + info.errcode());
                        if (info.truncated()) throw new IllegalStateException("a message of " + info.length() + " B");
                        int kind = b.getInt(0), n = b.getInt(4);
                        if (kind == END) {
                            c.expectTotal(n);
                            ab.putInt(0, ACK).putInt(4, n + 1);
                            rdm.send(info.source(), ack);
                            break;
                        }
                        c.check(n);
                        if (rtt) {
                            rdm.send(info.source(), b.array(), 0, info.copied());
                        } else if (c.received % ackEvery == 0) {
                            ab.putInt(0, ACK).putInt(4, (int) c.received);
                            rdm.send(info.source(), ack);
                        }
                    }
                }
            }
            default -> throw new IllegalArgumentException(transport);
        }
        Cost used = cost().minus(c0);
        return "DONE " + c.received + " " + c.lost + " " + c.reordered + " " + used.format();
    }

    private static void readFully(TipcConnection conn, byte[] b) throws Exception {
        int off = 0;
        while (off < b.length) {
            int n = conn.read(b, off, b.length - off, STALL);
            if (n < 0) throw new IOException("stream ended after " + off + " of " + b.length + " bytes");
            if (n == 0) throw new IOException("nothing read for " + STALL.toSeconds() + " s");
            off += n;
        }
    }

    /** Numbered-message checker: the next number expected. */
    static final class Checker {
        long next, received, lost, reordered;

        void check(long n) {
            received++;
            if (n == next) {
                next++;
            } else if (n > next) {
                lost += n - next;
                next = n + 1;
            } else {
                reordered++;
            }
        }

        /** A raw-UDP echo may see a resent number again after a lost reply: not counted as reordered. */
        void checkDatagram(long n) {
            if (n < next) {
                received++;
                return;
            }
            check(n);
        }

        void expectTotal(long total) {
            if (total > next) lost += total - next;
        }
    }

    /** {@code -Dnodebench.diag=true}: per jtipc test, link and harness counters on stderr (diagnosis only). */
    static final boolean DIAG = Boolean.getBoolean("nodebench.diag");
    static long diagSendNs, diagSlowSends, diagWindowWaits, diagWindowWaitNs;

    /** The node's first link and congestion counters, one line (DIAG). */
    static String linkDiag(TipcNode node) {
        try {
            var l = node.links().get(0);
            return "win=" + l.window() + " txq=" + l.transmitQueue() + " backlog=" + l.backlog() + " pktsSent="
                + l.packetsSent() + " pktsRcvd=" + l.packetsReceived() + " states=" + l.statesSent() + " retr="
                + l.retransmitted() + " nacks=" + l.nacksSent() + " dups=" + l.duplicates() + " congWaits="
                + node.congestionWaits();
        } catch (Exception e) {
            return "diag: " + e;
        }
    }

    static int window(int size) {
        int w = Integer.getInteger("nodebench.window", 0);
        if (w > 0) return w;
        return (int) Math.max(1, Math.min(4096, TipcSocket.RECEIVE_BUFFER / 2 / (size + TipcSocket.MESSAGE_OVERHEAD)));
    }

    // ------------------------------------------------------------------------------------------------ client side

    /** The peer process and its command lines. */
    static final class Peer implements AutoCloseable {
        final Process process;
        final BufferedReader in;
        final PrintStream out;

        Peer() throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> cmd = new ArrayList<>(List.of(java, "-Xss1m"));
            // -Dnodebench.peerJvmArgs="..." extra JVM options for the peer, split on spaces, e.g. a JFR recording (then
            // add -Xlog:jfr+startup=error: the peer's stdout carries the answers)
            String extra = System.getProperty("nodebench.peerJvmArgs", "").trim();
            if (!extra.isEmpty()) cmd.addAll(List.of(extra.split(" +")));
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), NodeBench.class.getName(), "--peer"));
            process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            out = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        }

        void send(String line) {
            out.println(line);
        }

        String[] expect(String word) throws IOException {
            String l = in.readLine();
            if (l == null) throw new IOException("the peer JVM ended (exit " + waitExit() + ")");
            String[] f = l.split(" ");
            if (!f[0].equals(word)) throw new IOException("peer answered '" + l + "', expected " + word);
            return f;
        }

        private String waitExit() {
            try {
                return process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "?";
            } catch (InterruptedException e) {
                return "?";
            }
        }

        @Override
        public void close() {
            try {
                send("QUIT");
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
            } catch (InterruptedException e) {
                process.destroyForcibly();
            }
        }
    }

    /** The client's jtipc side: node A, an RDM socket, the peer's RDM address. */
    static final class Jtipc implements AutoCloseable {
        TipcNode node;
        TipcSocket rdm;
        TipcAddress peerRdm;
        int peerNode;

        void start(Peer peer) throws Exception {
            int port = freeUdpPort();
            String b = bearerB != null ? bearerB : udpMtu > 0 ? "udp:127.0.0.2:" + port + ",remote=127.0.0.1:" + port : null;
            peer.send("JTIPC " + port + (b == null ? "" : " " + withMtu(b)));
            String bearer = withMtu(bearerA != null ? bearerA : "udp:127.0.0.1:" + port + ",remote=127.0.0.2:" + port);
            node = TipcNode.builder().identity("nodebench-a").bearer(bearer).build();
            node.start();
            node.awaitLinkUp(Duration.ofSeconds(30));
            String[] f = peer.expect("JTIPC");
            peerNode = Integer.parseInt(f[1]);
            peerRdm = TipcAddress.ofSocket(Integer.parseInt(f[2]), peerNode);
            rdm = TipcSocket.rdm(node);
            rdm.setDestDroppable(false);
            var li = node.awaitLinkUp(Duration.ofSeconds(30));
            linkMtu = li.mtu();
            int lw = Integer.getInteger("nodebench.linkWindow", 0);
            if (lw > 0) node.setLink(li.name(), io.jtipc.api.LinkProperty.WINDOW, lw);
        }

        @Override
        public void close() {
            if (rdm != null) rdm.close();
            if (node != null) node.close();
        }
    }

    static int freeUdpPort() throws IOException {
        for (int i = 0; i < 100; i++) {
            int p = 20000 + ThreadLocalRandom.current().nextInt(20000);
            try (DatagramSocket a = new DatagramSocket(new InetSocketAddress("127.0.0.1", p));
                 DatagramSocket b = new DatagramSocket(new InetSocketAddress("127.0.0.2", p))) {
                return p;
            } catch (IOException e) {
                // taken: next
            }
        }
        throw new IOException("no free UDP port on 127.0.0.1/127.0.0.2");
    }

    /** Runs test {@code t} over {@code transport}: the client part here, the serving part in the peer. */
    static Result run(Peer peer, Jtipc jt, String transport, Test t, double seconds) throws Exception {
        peer.send("RUN " + transport + " " + t.kind + " " + t.size + " " + t.count);
        int port = Integer.parseInt(peer.expect("READY")[1]);
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        Cost c0 = costStart();
        long t0 = System.nanoTime();
        long[] rtts = t.kind.equals("rtt") ? new long[(int) t.count] : null;
        long sent;
        long returned = 0;
        long clientLost = 0;
        switch (transport) {
            case "tcp" -> sent = tcpClient(port, t, deadline, rtts);
            case "udp" -> {
                long[] r = udpClient(port, t, deadline, rtts);
                sent = r[0];
                clientLost = r[1];
            }
            case "jtipc" -> {
                if (t.kind.equals("stream")) {
                    sent = jtipcStream(jt, t, deadline);
                } else {
                    if (DIAG) {
                        System.err.println("diag client before " + t.label() + ": " + linkDiag(jt.node));
                        diagSendNs = diagSlowSends = diagWindowWaits = diagWindowWaitNs = 0;
                    }
                    long[] r = jtipcRdm(jt, t, deadline, rtts);
                    sent = r[0];
                    returned = r[1];
                    if (DIAG) {
                        System.err.printf(Locale.ROOT, "diag client after %s: %s; sends %d: %.2f us each, %d over 20 us;"
                            + " window waits %d, %.1f ms in all%n", t.label(), linkDiag(jt.node), r[0],
                            diagSendNs / 1e3 / Math.max(1, r[0]), diagSlowSends, diagWindowWaits, diagWindowWaitNs / 1e6);
                    }
                }
            }
            default -> throw new IllegalArgumentException(transport);
        }
        long t1 = System.nanoTime();
        Cost used = cost().minus(c0);
        String[] f = peer.expect("DONE");
        long received = Long.parseLong(f[1]);
        long lost = Long.parseLong(f[2]) + clientLost;
        long reordered = Long.parseLong(f[3]);
        Cost total = used.plus(Cost.parse(f, 4));
        if (!transport.equals("udp") && (received != sent || lost != 0 || reordered != 0 || returned != 0)) {
            throw new IllegalStateException(transport + " " + t.label() + ": sent " + sent + ", received " + received
                + ", lost " + lost + ", reordered " + reordered + ", returned " + returned);
        }
        double med = Double.NaN, p99 = Double.NaN;
        if (rtts != null) {
            long[] v = Arrays.copyOf(rtts, (int) sent);
            Arrays.sort(v);
            if (v.length > 0) {
                med = v[v.length / 2] / 1e3;
                p99 = v[Math.min(v.length - 1, (int) Math.ceil(v.length * 0.99) - 1)] / 1e3;
            }
        }
        return new Result(transport, t, sent, t1 - t0, med, p99, lost, reordered, returned, total);
    }

    private static long tcpClient(int port, Test t, long deadline, long[] rtts) throws IOException {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress("127.0.0.1", port));
            s.setSoTimeout((int) STALL.toMillis());
            OutputStream os = s.getOutputStream();
            DataInputStream din = new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 16));
            int len = t.kind.equals("stream") ? CHUNK : t.size;
            byte[] b = new byte[len];
            ByteBuffer bb = ByteBuffer.wrap(b);
            // the count goes first, so it is bounded by time in advance: messages per second of the first 1/8 s
            long n = t.count;
            os.write(ByteBuffer.allocate(8).putLong(0, n).array());
            long i = 0;
            for (; i < n; i++) {
                bb.putInt(0, DATA).putInt(4, (int) i);
                long s0 = System.nanoTime();
                os.write(b);
                if (rtts != null) {
                    din.readFully(b);
                    rtts[(int) i] = System.nanoTime() - s0;
                    if (bb.getInt(4) != (int) i) throw new IOException("echo " + bb.getInt(4) + " for " + i);
                }
            }
            if (din.read() != 1) throw new IOException("no final acknowledgement");
            return i;
        }
    }

    private static long[] udpClient(int port, Test t, long deadline, long[] rtts) throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            s.setSoTimeout(1000);
            InetSocketAddress dst = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port);
            byte[] b = new byte[t.size];
            byte[] r = new byte[65536];
            ByteBuffer bb = ByteBuffer.wrap(b);
            DatagramPacket out = new DatagramPacket(b, b.length, dst);
            DatagramPacket in = new DatagramPacket(r, r.length);
            long i = 0, lost = 0;
            for (; i < t.count && System.nanoTime() < deadline; i++) {
                bb.putInt(0, DATA).putInt(4, (int) i);
                long s0 = System.nanoTime();
                s.send(out);
                while (true) {
                    in.setData(r);
                    try {
                        s.receive(in);
                    } catch (SocketTimeoutException e) {
                        lost++;
                        break;
                    }
                    if (ByteBuffer.wrap(r).getInt(4) == (int) i) break; // a late echo of an earlier one: skip it
                }
                rtts[(int) i] = System.nanoTime() - s0;
            }
            bb.putInt(0, END).putInt(4, (int) i);
            for (int k = 0; k < 5; k++) { // the end marker, until echoed
                s.send(out);
                try {
                    in.setData(r);
                    s.receive(in);
                    if (ByteBuffer.wrap(r).getInt(0) == END) break;
                } catch (SocketTimeoutException e) {
                    // again
                }
            }
            return new long[] {i, lost};
        }
    }

    /** RDM one way (windowed) or ping-pong; returns {sent, returned}. */
    private static long[] jtipcRdm(Jtipc jt, Test t, long deadline, long[] rtts) throws Exception {
        byte[] m = new byte[t.size];
        ByteBuffer mb = ByteBuffer.wrap(m);
        // echoes and acknowledgements are received into one buffer with one info (nothing allocated per message)
        ByteBuffer rb = ByteBuffer.allocate(Math.max(HEAD, t.size));
        TipcMessageInfo info = new TipcMessageInfo();
        long returned = 0;
        int sent = 0;
        if (rtts != null) {
            for (; sent < t.count && System.nanoTime() < deadline; sent++) {
                mb.putInt(0, DATA).putInt(4, sent);
                long s0 = System.nanoTime();
                jt.rdm.send(jt.peerRdm, m);
                rb.clear();
                if (jt.rdm.receive(rb, info, STALL) < 0) {
                    throw new IllegalStateException("no echo of " + sent + " in " + STALL.toSeconds() + " s");
                }
                if (info.isReturned()) {
                    returned++;
                } else if (rb.getInt(4) != sent) {
                    throw new IllegalStateException("echo " + rb.getInt(4) + " for " + sent);
                }
                rtts[sent] = System.nanoTime() - s0;
            }
        } else {
            int window = window(t.size);
            int acked = 0;
            ByteBuffer[] batch = new ByteBuffer[Math.max(1, SEND_BATCH)];
            for (int i = 0; i < batch.length; i++) batch[i] = ByteBuffer.allocate(t.size);
            while (sent < t.count && System.nanoTime() < deadline) {
                while (SEND_BATCH > 1 && sent - acked < window && sent < t.count) {
                    int k = (int) Math.min(SEND_BATCH, Math.min(window - (sent - acked), t.count - sent));
                    for (int i = 0; i < k; i++) batch[i].clear().putInt(0, DATA).putInt(4, sent + i);
                    int r = jt.rdm.send(jt.peerRdm, batch, 0, k);
                    if (r < k) throw new IllegalStateException("send of " + k + " messages stopped after " + r);
                    sent += k;
                }
                while (sent - acked < window && sent < t.count) {
                    mb.putInt(0, DATA).putInt(4, sent);
                    if (DIAG) {
                        long d0 = System.nanoTime();
                        jt.rdm.send(jt.peerRdm, m);
                        long d = System.nanoTime() - d0;
                        diagSendNs += d;
                        if (d > 20_000) diagSlowSends++;
                    } else {
                        jt.rdm.send(jt.peerRdm, m);
                    }
                    sent++;
                }
                rb.clear();
                boolean full = sent - acked >= window;
                long d0 = DIAG && full ? System.nanoTime() : 0;
                int n = jt.rdm.receive(rb, info, full ? STALL : Duration.ZERO);
                if (DIAG && full) {
                    diagWindowWaits++;
                    diagWindowWaitNs += System.nanoTime() - d0;
                }
                while (n >= 0) {
                    if (info.isReturned()) {
                        returned++;
                    } else {
                        acked = Math.max(acked, rb.getInt(4));
                    }
                    rb.clear();
                    n = jt.rdm.tryReceive(rb, info);
                }
            }
        }
        mb.putInt(0, END).putInt(4, sent);
        jt.rdm.send(jt.peerRdm, m, 0, HEAD);
        while (true) {
            rb.clear();
            if (jt.rdm.receive(rb, info, STALL) < 0) {
                throw new IllegalStateException("no final acknowledgement in " + STALL.toSeconds() + " s");
            }
            if (info.isReturned()) {
                returned++;
                continue;
            }
            if (rb.getInt(0) == ACK && rb.getInt(4) == sent + 1) break;
        }
        return new long[] {sent, returned};
    }

    private static long jtipcStream(Jtipc jt, Test t, long deadline) throws Exception {
        try (TipcConnection c = TipcConnection.connect(jt.node, TipcAddress.ofService(STREAM_TYPE, 1),
                TipcConnection.Type.STREAM, Duration.ofSeconds(10))) {
            byte[] b = new byte[CHUNK];
            ByteBuffer bb = ByteBuffer.wrap(b);
            c.write(ByteBuffer.allocate(8).putLong(0, t.count).array());
            for (long i = 0; i < t.count; i++) {
                bb.putInt(0, DATA).putInt(4, (int) i);
                c.write(b);
            }
            byte[] one = new byte[1];
            if (c.read(one, 0, 1, STALL) != 1 || one[0] != 1) throw new IOException("no final acknowledgement");
            return t.count;
        }
    }

    // ------------------------------------------------------------------------------------------------ plan, report

    static List<Test> plan(boolean quick) {
        int k = quick ? 1 : 100;
        return List.of(
            new Test("oneway", 64, 3_000L * k),
            new Test("oneway", 1000, 2_000L * k),
            new Test("oneway", 60000, 40L * k),
            new Test("rtt", 64, quick ? 300 : 20_000),
            new Test("stream", 0, quick ? 32 : 3052)); // 3 052 x 64 KiB = 200 MB
    }

    static List<String> transports(Test t) {
        if (jtipcOnly) return List.of("jtipc");
        return switch (t.kind) {
            case "rtt" -> List.of("jtipc", "tcp", "udp");
            default -> List.of("jtipc", "tcp");
        };
    }

    static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (a.length == 0) return Double.NaN;
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    /**
     * {@code --only KIND[,KIND]}: only the tests of these kinds (oneway, rtt, stream) or kind and size (oneway60000,
     * rtt64) after the warm-up; null = all.
     */
    static volatile String only;
    /**
     * {@code --bearer-a SPEC --bearer-b SPEC}: the jtipc nodes' bearers instead of the UDP loopback pair (e.g.
     * {@code eth:vb0} and {@code eth:vb1} on a veth pair, {@code bench/run.sh veth}); no spaces in SPEC. Null = UDP.
     */
    static volatile String bearerA, bearerB;
    /** {@code --mtu BYTES}: both jtipc nodes' UDP bearer MTU ({@code mtu=} in their specs); 0 = the default (14000). */
    static volatile int udpMtu;
    /** The jtipc link's MTU once up (bytes; the smaller of both bearers'), for the report header. */
    static volatile int linkMtu;

    /** {@code spec} with {@code ,mtu=}{@link #udpMtu} appended when that is set and the spec is a UDP one. */
    static String withMtu(String spec) {
        if (udpMtu <= 0) return spec;
        if (!spec.startsWith("udp:")) throw new IllegalArgumentException("--mtu is for UDP bearers, not " + spec);
        return spec + ",mtu=" + udpMtu;
    }

    /** {@code --no-reference}: jtipc only (no Java TCP / raw UDP rows), for runs whose reference is elsewhere. */
    static volatile boolean jtipcOnly;

    /** Runs the whole plan; returns every result (rounds × tests × transports) and prints the tables to {@code out}. */
    public static List<Result> runAll(boolean quick, int rounds, double seconds, PrintStream out) throws Exception {
        List<Result> all = new ArrayList<>();
        try (Peer peer = new Peer(); Jtipc jt = new Jtipc()) {
            jt.start(peer);
            // warm-up: one quick pass of everything, results dropped
            if (!quick) {
                for (Test t : plan(true)) for (String tr : transports(t)) run(peer, jt, tr, t, seconds);
            }
            for (int round = 0; round < rounds; round++) {
                for (Test t : plan(quick)) {
                    if (only != null && !List.of(only.split(",")).contains(t.kind)
                        && !List.of(only.split(",")).contains(t.kind + t.size)) continue;
                    List<String> trs = new ArrayList<>(transports(t));
                    java.util.Collections.rotate(trs, round); // no transport always first
                    for (String tr : trs) {
                        Result r = run(peer, jt, tr, t, seconds);
                        all.add(r);
                        System.err.printf(Locale.ROOT, "nodebench: round %d %s %s: %d msgs in %.3f s%n", round + 1, tr,
                            t.label(), r.messages, r.nanos / 1e9);
                    }
                }
            }
        }
        print(all, rounds, out);
        return all;
    }

    static void print(List<Result> all, int rounds, PrintStream out) {
        Map<String, List<Result>> rows = new LinkedHashMap<>();
        for (Result r : all) rows.computeIfAbsent(r.test.label() + "|" + r.transport, k -> new ArrayList<>()).add(r);
        out.printf(Locale.ROOT, "jtipc bearers: %s, UDP bearer MTU %s, link MTU %d bytes.%n", bearerA == null ? "UDP loopback"
            : bearerA + " / " + bearerB, udpMtu > 0 ? udpMtu + " bytes (--mtu)" : "default", linkMtu);
        out.printf(Locale.ROOT, "Medians of %d round(s); costs summed over both JVMs, per message (round trip = 2 messages; stream: per 64 KiB chunk).%n%n", rounds);
        out.println("| test | transport | messages | msg/s | MB/s | RTT median µs | RTT p99 µs | CPU s per M msg | ctx switches/msg | B allocated/msg | lost/reordered/returned |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        Map<String, Double> fig = new LinkedHashMap<>();
        for (var e : rows.entrySet()) {
            List<Result> rs = e.getValue();
            Result f = rs.get(0);
            double msgs = median(rs.stream().map(r -> (double) r.messages).toList());
            double rate = median(rs.stream().map(Result::msgPerSec).toList());
            double mb = median(rs.stream().map(Result::mbPerSec).toList());
            double med = median(rs.stream().map(r -> r.rttMedianUs).toList());
            double p99 = median(rs.stream().map(r -> r.rttP99Us).toList());
            double cpu = median(rs.stream().map(r -> r.cost.cpuNs / 1e9 / r.costMessages() * 1e6).toList());
            double ctx = median(rs.stream().map(r -> (double) r.cost.ctx / r.costMessages()).toList());
            double alloc = median(rs.stream().map(r -> (double) r.cost.alloc / r.costMessages()).toList());
            long lost = rs.stream().mapToLong(r -> r.lost).sum(), reo = rs.stream().mapToLong(r -> r.reordered).sum();
            long ret = rs.stream().mapToLong(r -> r.returned).sum();
            out.printf(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.1f | %s | %s | %.2f | %.3f | %.0f | %d/%d/%d |%n", f.test.label(),
                f.transport, msgs, rate, mb, Double.isNaN(med) ? "" : String.format(Locale.ROOT, "%.1f", med),
                Double.isNaN(p99) ? "" : String.format(Locale.ROOT, "%.1f", p99), cpu, ctx, alloc, lost, reo, ret);
            fig.put(e.getKey() + "|rate", f.test.kind.equals("oneway") && f.test.size < 10_000 ? rate : mb);
            fig.put(e.getKey() + "|rtt", med);
        }
        out.println();
        out.println("| two nodes, " + (bearerA == null ? "UDP loopback" : bearerA + " / " + bearerB)
            + " | jtipc | Java TCP | raw UDP | jtipc / TCP |");
        out.println("|---|---|---|---|---|");
        for (Test t : plan(true)) {
            String l = t.label().startsWith("stream") ? "stream" : t.label();
            String key = rows.keySet().stream().filter(k -> k.startsWith(l)).findFirst().map(k -> k.substring(0, k.indexOf('|'))).orElse(null);
            if (key == null) continue;
            boolean rtt = t.kind.equals("rtt");
            String unit = rtt ? "µs median" : t.kind.equals("oneway") && t.size < 10_000 ? "msg/s" : "MB/s";
            String what = rtt ? "|rtt" : "|rate";
            Double j = fig.get(key + "|jtipc" + what), tc = fig.get(key + "|tcp" + what), u = fig.get(key + "|udp" + what);
            out.printf(Locale.ROOT, "| %s (%s) | %s | %s | %s | %s |%n", key, unit, fmt(j), fmt(tc), fmt(u),
                j == null || tc == null ? "" : String.format(Locale.ROOT, "%.2f", j / tc));
        }
    }

    private static String fmt(Double d) {
        if (d == null || d.isNaN()) return "";
        return d >= 100 ? String.format(Locale.ROOT, "%.0f", d) : String.format(Locale.ROOT, "%.1f", d);
    }

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        if (args.length > 0 && args[0].equals("--peer")) {
            peer();
            System.exit(0);
        }
        boolean quick = false;
        int rounds = 3;
        double seconds = 20;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--only" -> only = args[++i];
                case "--bearer-a" -> bearerA = args[++i];
                case "--bearer-b" -> bearerB = args[++i];
                case "--no-reference" -> jtipcOnly = true;
                case "--mtu" -> udpMtu = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: NodeBench [--quick] [--rounds N] [--seconds S] [--only oneway|oneway60000|rtt|stream[,...]]"
                        + " [--mtu BYTES] [--bearer-a SPEC --bearer-b SPEC] [--no-reference]");
                    System.exit(2);
                }
            }
        }
        if (quick) rounds = 1;
        AtomicReference<Throwable> failed = new AtomicReference<>();
        try {
            runAll(quick, rounds, seconds, System.out);
        } catch (Exception e) {
            failed.set(e);
            e.printStackTrace();
        }
        System.exit(failed.get() == null ? 0 : 1);
    }
}
