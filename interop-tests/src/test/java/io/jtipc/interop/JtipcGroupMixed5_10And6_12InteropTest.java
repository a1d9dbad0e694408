package io.jtipc.interop;

import java.util.List;

import io.jtipc.lab.KernelVersion;

/**
 * jtipc group members in a mixed cluster of a 5.10 and a 6.12 kernel node: the kernel members of each test are spread
 * over both (the second receiving member, the second flood sender and the crashing member on 6.12, the others on 5.10).
 */
class JtipcGroupMixed5_10And6_12InteropTest extends JtipcGroupInteropTest {
    @Override
    KernelVersion version() {
        return KernelVersion.V5_10;
    }

    @Override
    List<KernelVersion> moreVersions() {
        return List.of(KernelVersion.V6_12);
    }
}
