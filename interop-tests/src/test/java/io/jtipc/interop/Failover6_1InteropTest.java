package io.jtipc.interop;

import io.jtipc.lab.KernelVersion;

/** Failover and synch between jtipc and Debian's 6.1 kernel over two bridges. */
class Failover6_1InteropTest extends FailoverKernelInteropTest {
    @Override
    KernelVersion version() {
        return KernelVersion.V6_1;
    }
}
