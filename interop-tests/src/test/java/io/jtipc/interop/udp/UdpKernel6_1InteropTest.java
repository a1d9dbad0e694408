package io.jtipc.interop.udp;

import io.jtipc.lab.KernelVersion;

/** UDP bearer interop against Debian's 6.1 kernel. */
class UdpKernel6_1InteropTest extends UdpKernelInteropTest {
    @Override
    KernelVersion version() {
        return KernelVersion.V6_1;
    }
}
