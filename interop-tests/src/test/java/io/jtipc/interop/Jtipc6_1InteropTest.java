package io.jtipc.interop;

import io.jtipc.lab.KernelVersion;

/** jtipc against Debian bookworm's 6.1 kernel. */
class Jtipc6_1InteropTest extends JtipcKernelInteropTest {
    @Override
    KernelVersion version() {
        return KernelVersion.V6_1;
    }
}
