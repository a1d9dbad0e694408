package io.jtipc.interop;

import io.jtipc.lab.KernelVersion;

/** jtipc group members with kernel group members of Debian trixie's 6.12 kernel. */
class JtipcGroup6_12InteropTest extends JtipcGroupInteropTest {
    @Override
    KernelVersion version() {
        return KernelVersion.V6_12;
    }
}
