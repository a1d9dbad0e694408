package io.jtipc.interop.udp;

import io.jtipc.lab.KernelVersion;

/** UDP bearer interop against Debian's 5.10 kernel. */
class UdpKernel5_10InteropTest extends UdpKernelInteropTest {
    @Override
    KernelVersion version() {
        return KernelVersion.V5_10;
    }
}
