package io.jtipc.bench;

import io.jtipc.node.DeliveredMessage;
import io.jtipc.node.Delivery;
import io.jtipc.node.Errno;
import io.jtipc.node.MessageHandler;
import io.jtipc.node.SocketType;
import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The protocol core's data path with no I/O at all (issue 14: what a message costs inside jtipc itself, free of the
 * scheduler noise of the two-JVM NodeBench): two node cores linked on node's in-memory {@link SimNetwork} (Ethernet
 * bearer, MTU 1 500, 1 ms per hop in simulated time, no loss), one RDM message of {@code size} bytes from alpha's
 * socket to beta's per operation; the operation ends when beta's socket has it, so building, fragmenting, the link
 * queues, the acknowledgements and the reassembly are all in it. Beta's socket counts the message without copying it.
 * The in-memory network copies each frame once (as a bearer copies into its native buffer) and allocates an event per
 * frame: the same in every build, so compare builds in one run rather than reading absolute figures. Run with
 * {@code -prof gc} for the bytes allocated per operation (the network's events included).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CoreSendBenchmark {

    /** Message size, bytes: within one frame (64, 1 000) or fragmented (60 000: 42 fragments at MTU 1 500). */
    @Param({"64", "1000", "60000"})
    public int size;

    private SimNetwork net;
    private SimNode alpha;
    private int from;
    private int toNode;
    private int toPort;
    private byte[] data;
    private long received;

    @Setup
    public void setUp() {
        net = new SimNetwork(1);
        alpha = net.addNode("alpha", 1, 0x11112222);
        SimNode beta = net.addNode("beta", 2, 0x33334444);
        if (!net.runUntil(() -> up(alpha) && up(beta), 10_000)) throw new IllegalStateException("the link did not come up");
        toPort = beta.core.openSocket(SocketType.RDM, new MessageHandler() {
            @Override
            public boolean onMessage(Delivery d) {
                received++;
                return true;
            }

            @Override
            public boolean onMessage(DeliveredMessage m) {
                received++;
                return true;
            }
        });
        toNode = beta.core.ownAddr();
        from = alpha.core.openSocket(SocketType.RDM, d -> true);
        data = new byte[size];
    }

    private static boolean up(SimNode n) {
        return !n.core.links().isEmpty() && n.core.links().get(0).isUp();
    }

    /** One message sent and delivered; returns the count so far. */
    @Benchmark
    public long rdmMessage() {
        long want = received + 1;
        int rc = alpha.core.sendToPort(net.now(), from, toNode, toPort, data, 0, size, alpha);
        if (rc != 0 && rc != Errno.ELINKCONG) throw new IllegalStateException("send failed: " + rc);
        if (!net.runUntil(() -> received >= want, net.now() + 10_000)) throw new IllegalStateException("not delivered");
        return received;
    }
}
