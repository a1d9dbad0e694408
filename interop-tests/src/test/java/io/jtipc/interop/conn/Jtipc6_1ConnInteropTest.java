package io.jtipc.interop.conn;

import io.jtipc.lab.KernelVersion;

/** Issue 6 against Debian bookworm's 6.1 kernel (the baseline). */
class Jtipc6_1ConnInteropTest extends JtipcConnInteropTest {
    @Override
    KernelVersion version() {
        return KernelVersion.V6_1;
    }
}
