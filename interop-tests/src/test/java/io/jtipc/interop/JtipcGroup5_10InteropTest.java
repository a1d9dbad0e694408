package io.jtipc.interop;

import io.jtipc.lab.KernelVersion;

/** jtipc group members with kernel group members of Debian bullseye's 5.10 kernel. */
class JtipcGroup5_10InteropTest extends JtipcGroupInteropTest {
    @Override
    KernelVersion version() {
        return KernelVersion.V5_10;
    }
}
