package io.jtipc.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** wrap + getters + validateFrame + BundleCursor allocate nothing on the hot path. */
class AllocationTest {
    @Test
    void hotPathDoesNotAllocate() {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(mx instanceof com.sun.management.ThreadMXBean, "HotSpot allocation counter");
        com.sun.management.ThreadMXBean hs = (com.sun.management.ThreadMXBean) mx;
        Assumptions.assumeTrue(hs.isThreadAllocatedMemorySupported() && hs.isThreadAllocatedMemoryEnabled());
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

    private static long run(TipcMsg m, byte[] b) {
        m.wrap(b, 0, b.length);
        long s = m.user() + m.type() + m.hdrSize() + m.size() + m.prevnode() + m.bcNetid() + m.nodeCapabilities()
            + m.seqno() + m.ack() + m.bcastAck() + m.orignode() + m.destnode() + m.nametype() + m.nameinst();
        if (TipcCodec.validateFrame(b, 0, b.length).isOk()) s++;
        return s;
    }
}
