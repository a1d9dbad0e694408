package io.jtipc.interop.conn;

import io.jtipc.lab.KernelVersion;

/** Issue 6 against Debian trixie's 6.12 kernel. */
class Jtipc6_12ConnInteropTest extends JtipcConnInteropTest {
    @Override
    KernelVersion version() {
        return KernelVersion.V6_12;
    }
}
