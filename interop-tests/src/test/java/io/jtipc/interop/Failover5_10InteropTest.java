package io.jtipc.interop;

import io.jtipc.lab.KernelVersion;

/** Failover and synch between jtipc and Debian's 5.10 kernel over two bridges. */
class Failover5_10InteropTest extends FailoverKernelInteropTest {
    @Override
    KernelVersion version() {
        return KernelVersion.V5_10;
    }

}
