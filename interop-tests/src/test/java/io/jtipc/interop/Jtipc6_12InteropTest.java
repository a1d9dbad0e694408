package io.jtipc.interop;

import io.jtipc.lab.KernelVersion;

/** jtipc against Debian trixie's 6.12 kernel. */
class Jtipc6_12InteropTest extends JtipcKernelInteropTest {
    @Override
    KernelVersion version() {
        return KernelVersion.V6_12;
    }
}
