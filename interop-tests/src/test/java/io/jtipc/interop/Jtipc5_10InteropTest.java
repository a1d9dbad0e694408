package io.jtipc.interop;

import io.jtipc.lab.KernelVersion;

/** jtipc against Debian bullseye's 5.10 kernel. */
class Jtipc5_10InteropTest extends JtipcKernelInteropTest {
    @Override
    KernelVersion version() {
        return KernelVersion.V5_10;
    }
}
