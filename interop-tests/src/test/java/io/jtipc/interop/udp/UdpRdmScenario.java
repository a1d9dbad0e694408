package io.jtipc.interop.udp;

import io.jtipc.interop.RdmEcho;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import io.jtipc.api.LinkInfo;
import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcMessage;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcSocket;

/**
 * The RDM scenario of issue 5 between two jtipc nodes over UDP bearers, runnable in this JVM or (as {@link #main})
 * in a child JVM started without privileges: link up on both, bindings both ways and withdrawn, RDM echo 1000 x 100 B
 * and 20 x 66000 B (content checked), 10 000 messages in order without loss or duplicate (with {@code loss=PERCENT} in
 * both bearer specs the bearers drop that share of received datagrams and the link must retransmit). Every check throws
 * {@link AssertionError} with what went wrong; {@code main} prints {@code SCENARIO OK} last on success.
 */
public final class UdpRdmScenario {
    static final Duration T = Duration.ofSeconds(30);

    private UdpRdmScenario() {
    }

    /** args: bearer spec of node A, bearer spec of node B. Prints CapEff and the results. */
    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        out.println("uid " + new com.sun.security.auth.module.UnixSystem().getUid() + " " + capEff());
        run(args[0], args[1], out);
        out.println("SCENARIO OK");
        System.exit(0);
    }

    /** The CapEff line of /proc/self/status. */
    static String capEff() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("CapEff:"))
                .findFirst().orElse("CapEff: ?").replaceAll("\\s+", " ");
    }

    static void run(String specA, String specB, PrintStream out) throws Exception {
        try (TipcNode a = TipcNode.builder().identity("udpA").bearer(specA).start();
                TipcNode b = TipcNode.builder().identity("udpB").bearer(specB).start()) {
            LinkInfo la = a.awaitLinkUp(T);
            LinkInfo lb = b.awaitLinkUp(T);
            out.println("links: " + la + " / " + lb);
            check(la.name().startsWith("udpA:") && la.name().contains("-udpB:"), "link name " + la.name());
            check(la.mtu() == lb.mtu(), "mtu " + la.mtu() + " vs " + lb.mtu());

            // bindings both ways, then withdrawn
            try (TipcSocket sa = TipcSocket.rdm(a); TipcSocket sb = TipcSocket.rdm(b)) {
                sa.bind(TipcAddress.ofServiceRange(18890, 10, 20));
                sb.bind(TipcAddress.ofServiceRange(18891, 1, 1));
                var seenByB = b.awaitBinding(x -> x.type() == 18890 && x.lower() == 10 && x.upper() == 20, T);
                var seenByA = a.awaitBinding(x -> x.type() == 18891, T);
                check(seenByB.port() == sa.port(), "port of A's binding on B: " + seenByB);
                check(seenByA.port() == sb.port(), "port of B's binding on A: " + seenByA);
            }
            a.awaitNoBinding(x -> x.type() == 18891, T);
            b.awaitNoBinding(x -> x.type() == 18890, T);
            out.println("bindings exchanged and withdrawn");

            // B echoes
            try (TipcSocket echo = TipcSocket.rdm(b); TipcSocket s = TipcSocket.rdm(a)) {
                echo.bind(TipcAddress.ofService(18892, 1));
                try (RdmEcho echoing = RdmEcho.start(echo)) {
                    a.awaitBinding(x -> x.type() == 18892, T);
                    TipcAddress to = TipcAddress.ofService(18892, 1);
                    RdmEcho.pingPong(s, to, 1000, 100);
                    RdmEcho.pingPong(s, to, 20, 66000);
                    out.println("echo 1000 x 100 B and 20 x 66000 B ok");
                    long t0 = System.nanoTime();
                    inOrder(s, to, 10_000, 48);
                    LinkInfo al = a.links().get(0);
                    out.printf("10000 messages in order in %d ms; A link %s retransmitted %d, B link duplicates %d%n",
                            (System.nanoTime() - t0) / 1_000_000, al, al.retransmitted(), b.links().get(0).duplicates());
                    if (specA.contains("loss=") && specB.contains("loss=")) {
                        check(al.retransmitted() > 0, "no retransmission although both bearers drop datagrams");
                    }
                    check(echoing.echoed() == 11_020, "echoed " + echoing.echoed());
                }
            }
            check(a.links().size() == 1 && a.links().get(0).up(), "A's link still up: " + a.links());
        }
    }

    static void inOrder(TipcSocket s, TipcAddress to, int n, int window) throws Exception {
        int sent = 0;
        int received = 0;
        while (received < n) {
            while (sent < n && sent - received < window) {
                s.send(to, RdmEcho.payload(sent, 100));
                sent++;
            }
            TipcMessage r = s.receive(Duration.ofSeconds(30));
            check(r != null, "echo " + received + " (sent " + sent + ") missing");
            int seq = ByteBuffer.wrap(r.payload()).getInt();
            check(seq == received, "sequence " + seq + ", want " + received + " (in order, no duplicate, no loss)");
            check(Arrays.equals(r.payload(), RdmEcho.payload(seq, 100)), "content of " + seq);
            received++;
        }
        check(s.receive(Duration.ofMillis(500)) == null, "a duplicate after the last");
    }

    static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError(what);
    }
}
