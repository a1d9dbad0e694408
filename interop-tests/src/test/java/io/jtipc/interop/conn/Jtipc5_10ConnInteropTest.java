package io.jtipc.interop.conn;

import io.jtipc.lab.KernelVersion;

/** Issue 6 against Debian bullseye's 5.10 kernel. */
class Jtipc5_10ConnInteropTest extends JtipcConnInteropTest {
    @Override
    KernelVersion version() {
        return KernelVersion.V5_10;
    }
}
