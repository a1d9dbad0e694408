package io.jtipc.bench;

import io.jtipc.wire.FieldSink;
import io.jtipc.wire.HeaderField;
import io.jtipc.wire.HeaderLayout;
import io.jtipc.wire.Malformation;
import io.jtipc.wire.TipcCodec;
import io.jtipc.wire.TipcDescriber;
import io.jtipc.wire.TipcMsg;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Header decoding on real kernel frames: every TIPC message of samples/eth-6.1.pcap (1 183 frames:
 * discovery, link protocol, data, fragments, name distribution, group protocol), one message per
 * operation, cycling through them in capture order.
 *
 * <ul>
 *   <li>{@link #readAllHeaderFields}: wrap the flyweight and read every field of the header layout of
 *       that user/type/size through its kernel-named getter;</li>
 *   <li>{@link #describeToNoOpSink}: {@link TipcDescriber#describe} (header and body fields) into a sink
 *       that only folds the values into a checksum, taking addresses, bit maps and texts as numbers and
 *       bytes (FieldSink's String-free overrides);</li>
 *   <li>{@link #describeToStringSink}: the same with a sink that keeps FieldSink's defaults (address hex,
 *       node id, MAC and IP texts as Strings);</li>
 *   <li>{@link #validate}: {@link TipcCodec#validate}, framing and body structure;</li>
 *   <li>{@link #wrapAndReadCommonFields}: the handful of getters a link layer reads per packet.</li>
 * </ul>
 * Run with {@code -prof gc} to see the allocation per operation ({@code gc.alloc.rate.norm}, B/op).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HeaderDecodeBenchmark {

    private byte[] data;
    private int[] offsets;
    private int[] lengths;
    private int count;
    private int next;
    private final TipcMsg msg = new TipcMsg();
    private final ChecksumSink sink = new ChecksumSink();

    /** Folds every field into a checksum; keeps no reference to anything. */
    static class ChecksumSink implements FieldSink {
        long sum;

        @Override public void field(String name, long value, String symbolic) {
            sum = sum * 31 + value;
        }

        @Override public void text(String name, String value) {
            sum = sum * 31 + value.length();
        }

        @Override public void bytes(String name, byte[] buf, int off, int len) {
            sum = sum * 31 + len;
        }

        @Override public void beginGroup(String name) {
            sum++;
        }

        @Override public void endGroup() {
            sum--;
        }
    }

    /** As {@link ChecksumSink}, and takes addresses, bit maps and byte-rendered texts as numbers/bytes. */
    static final class NoOpSink extends ChecksumSink {
        @Override public void text(String name, TextKind kind, byte[] buf, int off, int len) {
            sum = sum * 31 + len;
        }

        @Override public void address(String name, int addr) {
            sum = sum * 31 + addr;
        }

        @Override public void bitmap(String name, long value) {
            sum = sum * 31 + value;
        }
    }

    @Setup
    public void load() throws IOException {
        byte[] pcap;
        try (InputStream in = HeaderDecodeBenchmark.class.getResourceAsStream("/samples/eth-6.1.pcap")) {
            if (in == null) throw new IOException("samples/eth-6.1.pcap missing from the benchmark jar");
            pcap = in.readAllBytes();
        }
        ByteBuffer bb = ByteBuffer.wrap(pcap).order(ByteOrder.LITTLE_ENDIAN);
        if (bb.getInt(0) != 0xa1b2c3d4) throw new IOException("expected a little-endian microsecond pcap");
        data = new byte[pcap.length];
        offsets = new int[pcap.length / 40];
        lengths = new int[offsets.length];
        int pos = 24;
        int out = 0;
        while (pos + 16 <= pcap.length) {
            int cap = bb.getInt(pos + 8);
            int d = pos + 16;
            if (d + cap > pcap.length) break;
            boolean tipc = cap >= 14 + 24 && ((pcap[d + 12] & 0xff) << 8 | (pcap[d + 13] & 0xff)) == 0x88CA;
            if (tipc) {
                int size = ByteBuffer.wrap(pcap, d + 14, 4).getInt() & 0x1ffff;
                int len = Math.min(size, cap - 14);
                System.arraycopy(pcap, d + 14, data, out, len);
                offsets[count] = out;
                lengths[count] = len;
                count++;
                out += (len + 7) & ~7;
            }
            pos = d + cap;
        }
        if (count == 0) throw new IOException("no TIPC frames in the sample");
    }

    private int nextIndex() {
        int i = next;
        next = i + 1 == count ? 0 : i + 1;
        return i;
    }

    @Benchmark
    public long readAllHeaderFields() {
        int i = nextIndex();
        TipcMsg m = msg.wrap(data, offsets[i], lengths[i]);
        long sum = 0;
        for (HeaderField f : HeaderLayout.of(m)) {
            sum = sum * 31 + f.get(m);
        }
        return sum;
    }

    @Benchmark
    public long describeToNoOpSink() {
        int i = nextIndex();
        Malformation r = TipcDescriber.describe(data, offsets[i], lengths[i], noOp);
        return noOp.sum + (r.isOk() ? 0 : 1);
    }

    private final NoOpSink noOp = new NoOpSink();

    /** A sink that takes the default String forms (address hex, node id and MAC texts). */
    @Benchmark
    public long describeToStringSink() {
        int i = nextIndex();
        Malformation r = TipcDescriber.describe(data, offsets[i], lengths[i], sink);
        return sink.sum + (r.isOk() ? 0 : 1);
    }

    /** {@link TipcCodec#validate}: framing and body structure. */
    @Benchmark
    public long validate() {
        int i = nextIndex();
        return TipcCodec.validate(data, offsets[i], lengths[i]).isOk() ? 1 : 0;
    }

    @Benchmark
    public long wrapAndReadCommonFields() {
        int i = nextIndex();
        TipcMsg m = msg.wrap(data, offsets[i], lengths[i]);
        return m.user() + m.type() + m.hdrSize() + m.size() + m.seqno() + m.ack() + m.bcastAck()
                + (long) m.prevnode() + m.orignode() + m.destnode() + m.nonSeq();
    }
}
