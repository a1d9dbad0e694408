package io.jtipc.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcConnection;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcServerSocket;
import io.jtipc.api.TipcSocket;
import io.jtipc.lab.ExecResult;
import io.jtipc.lab.GuestJob;
import io.jtipc.lab.KernelNode;

/**
 * The traffic the keyed-kernel lab tests run between a kernel node and a linked jtipc node (whatever the keys):
 * bindings both ways, RDM echo both ways, a SEQPACKET and a STREAM connection. Shared by {@link KeyedKernelInteropTest}
 * and {@link PerNodeKeyedKernelInteropTest}.
 */
final class KeyedTraffic {
    static final Duration T = Duration.ofSeconds(60);

    private KeyedTraffic() {
    }

    /** The kernel's publication in jtipc's table, jtipc's in the kernel's, both withdrawn. */
    static void bindings(KernelNode k, TipcNode node, int type) throws Exception {
        try (GuestJob pub = k.startAgent("publish", String.valueOf(type), "5", "7").awaitReady(T);
             TipcSocket s = TipcSocket.rdm(node)) {
            var b = node.awaitBinding(x -> x.type() == type && x.lower() == 5 && x.upper() == 7, T);
            assertThat(b.nodeName()).isEqualTo(k.name());
            s.bind(TipcAddress.ofServiceRange(type + 1, 10, 20));
            Pattern want = Pattern.compile("(?m)^" + (type + 1) + "\\s+10\\s+20\\s+cluster\\s+"
                    + Integer.toUnsignedString(s.port()) + "\\s");
            awaitGuest(() -> want.matcher(k.tipc("nametable", "show").output()).find(), "jtipc binding in the guest");
        }
        awaitGuest(() -> !k.tipc("nametable", "show").output().contains((type + 1) + " "), "jtipc binding withdrawn");
        node.awaitNoBinding(x -> x.type() == type, T);
    }

    /** Kernel pings a jtipc echo and jtipc pings a kernel echo: 1000 x 100 B and 20 x 66000 B, content checked. */
    static void rdmEchoBothWays(KernelNode k, TipcNode node, int type) throws Exception {
        try (TipcSocket echo = TipcSocket.rdm(node)) {
            echo.bind(TipcAddress.ofService(type, 1));
            try (RdmEcho echoing = RdmEcho.start(echo)) {
                awaitGuest(() -> k.tipc("nametable", "show").output().contains(type + " "), "jtipc echo in the guest");
                ExecResult small = k.agent(Duration.ofSeconds(240), "rdm-ping", String.valueOf(type), "1", "1000", "100",
                        "10000");
                assertThat(small.lines()).as(small.toString()).contains("DONE sent 1000 ok 1000");
                ExecResult big = k.agent(Duration.ofSeconds(240), "rdm-ping", String.valueOf(type), "1", "20", "66000",
                        "10000");
                assertThat(big.lines()).as(big.toString()).contains("DONE sent 20 ok 20");
                assertThat(echoing.echoed()).isEqualTo(1020);
            }
        }
        try (GuestJob echo = k.startAgent("rdm-echo", String.valueOf(type + 1), "1").awaitReady(T);
             TipcSocket s = TipcSocket.rdm(node)) {
            node.awaitBinding(x -> x.type() == type + 1, T);
            RdmEcho.pingPong(s, TipcAddress.ofService(type + 1, 1), 1000, 100);
            RdmEcho.pingPong(s, TipcAddress.ofService(type + 1, 1), 20, 66000);
        }
    }

    /**
     * A SEQPACKET connection from a kernel client to a jtipc echo server and a STREAM one from a jtipc client to a
     * kernel echo server, {@code bytes} each way each, content checked.
     */
    static void connections(String label, KernelNode k, TipcNode node, int type, int bytes) throws Exception {
        long t0 = System.nanoTime();
        try (TipcServerSocket ls = TipcServerSocket.listen(node, TipcAddress.ofService(type, 1),
                TipcConnection.Type.SEQPACKET, TipcSocket.Scope.CLUSTER)) {
            AtomicLong echoed = new AtomicLong();
            ConnTraffic.echoServer(ls, echoed);
            int size = 65536;
            int count = bytes / size;
            ExecResult r = k.agent(Duration.ofSeconds(600), "conn-ping", "seqpacket", String.valueOf(type), "1",
                    String.valueOf(count), String.valueOf(size), "20000");
            assertThat(r.lines()).as(r.toString()).contains("DONE sent " + count + " ok " + count);
            assertThat(echoed.get()).isEqualTo((long) count * size);
        }
        long t1 = System.nanoTime();
        try (GuestJob echo = k.startAgent("conn-echo", "stream", String.valueOf(type + 1), "1").awaitReady(T)) {
            node.awaitBinding(x -> x.type() == type + 1, T);
            byte[] data = new byte[bytes];
            new Random(type).nextBytes(data);
            try (TipcConnection c = TipcConnection.connect(node, TipcAddress.ofService(type + 1, 1),
                    TipcConnection.Type.STREAM, T)) {
                ConnTraffic.roundTrip(c, data, 200_000, Duration.ofSeconds(600));
            }
        }
        System.err.printf("[jtipc-keyed] %s %s: seqpacket kernel->jtipc %d bytes each way in %d ms, stream jtipc->kernel"
                + " in %d ms%n", label, node.links().get(0).name(), bytes, (t1 - t0) / 1_000_000,
                (System.nanoTime() - t1) / 1_000_000);
    }

    interface Check {
        boolean ok() throws Exception;
    }

    /** Polls {@code c} every 200 ms until it holds; AssertionError after {@link #T}. */
    static void awaitGuest(Check c, String what) throws Exception {
        long end = System.nanoTime() + T.toNanos();
        while (!c.ok()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(200);
        }
    }
}
