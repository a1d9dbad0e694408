package io.jtipc.interop.udp;

import io.jtipc.lab.KernelVersion;

/** UDP bearer interop against Debian's 6.12 kernel. */
class UdpKernel6_12InteropTest extends UdpKernelInteropTest {
    @Override
    KernelVersion version() {
        return KernelVersion.V6_12;
    }
}
