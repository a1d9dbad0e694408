package io.jtipc.interop;

import io.jtipc.lab.KernelVersion;

/** jtipc group members with kernel group members of Debian bookworm's 6.1 kernel. */
class JtipcGroup6_1InteropTest extends JtipcGroupInteropTest {
    @Override
    KernelVersion version() {
        return KernelVersion.V6_1;
    }
}
