package io.jtipc.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** wrap + getters + validateFrame + BundleCursor allocate nothing on the hot path. */
class AllocationTest {
    @Test
    void hotPathDoesNotAllocate() {
        com.sun.management.ThreadMXBean hs = allocationCounter();
        byte[] b = BodiesTest.discovery(Tipc.DSC_REQ_MSG);
        TipcMsg m = new TipcMsg();
        long sink = 0;
        for (int i = 0; i < 20000; i++) sink += run(m, b); // warm up
        long tid = Thread.currentThread().getId();
        long before = hs.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 200000; i++) sink += run(m, b);
        long after = hs.getThreadAllocatedBytes(tid);
        assertThat(sink).isNotZero();
        // 200000 iterations: anything per-iteration would be megabytes
        assertThat(after - before).isLessThan(64 * 1024);
    }

    /** describe (header and body, discovery message with media block and node id) into a sink that
     *  overrides FieldSink's String-building defaults, and validate, allocate nothing. */
    @Test
    void describeIntoAStringFreeSinkDoesNotAllocate() {
        com.sun.management.ThreadMXBean hs = allocationCounter();
        byte[] b = BodiesTest.discovery(Tipc.DSC_REQ_MSG);
        long[] sum = new long[1];
        FieldSink sink = new FieldSink() {
            @Override public void field(String name, long value, String symbolic) { sum[0] += value; }
            @Override public void text(String name, String value) { sum[0] += value.length(); }
            @Override public void text(String name, TextKind kind, byte[] buf, int off, int len) { sum[0] += len; }
            @Override public void address(String name, int addr) { sum[0] += addr; }
            @Override public void bitmap(String name, long value) { sum[0] += value; }
            @Override public void bytes(String name, byte[] buf, int off, int len) { sum[0] += len; }
            @Override public void beginGroup(String name) { sum[0]++; }
            @Override public void endGroup() { sum[0]--; }
        };
        TipcCodec.Validator validator = new TipcCodec.Validator();
        for (int i = 0; i < 20000; i++) {
            TipcDescriber.describe(b, 0, b.length, sink);
            TipcCodec.validate(b, 0, b.length);
            validator.validate(b, 0, b.length);
        }
        long tid = Thread.currentThread().getId();
        long before = hs.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 100000; i++) {
            if (!TipcDescriber.describe(b, 0, b.length, sink).isOk()) sum[0]++;
            if (!TipcCodec.validate(b, 0, b.length).isOk()) sum[0]++;
            if (!validator.validate(b, 0, b.length).isOk()) sum[0]++;
        }
        long after = hs.getThreadAllocatedBytes(tid);
        assertThat(sum[0]).isNotZero();
        assertThat(after - before).isLessThan(64 * 1024);
    }

    /** HotSpot's per-thread allocation counter (the test is skipped without it). */
    private static com.sun.management.ThreadMXBean allocationCounter() {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(mx instanceof com.sun.management.ThreadMXBean, "HotSpot allocation counter");
        com.sun.management.ThreadMXBean hs = (com.sun.management.ThreadMXBean) mx;
        Assumptions.assumeTrue(hs.isThreadAllocatedMemorySupported() && hs.isThreadAllocatedMemoryEnabled());
        return hs;
    }

    private static long run(TipcMsg m, byte[] b) {
        m.wrap(b, 0, b.length);
        long s = m.user() + m.type() + m.hdrSize() + m.size() + m.prevnode() + m.bcNetid() + m.nodeCapabilities()
            + m.seqno() + m.ack() + m.bcastAck() + m.orignode() + m.destnode() + m.nametype() + m.nameinst();
        if (TipcCodec.validateFrame(b, 0, b.length).isOk()) s++;
        return s;
    }
}
