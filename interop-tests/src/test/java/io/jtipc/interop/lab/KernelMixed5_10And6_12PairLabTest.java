package io.jtipc.interop.lab;

import io.jtipc.lab.KernelVersion;

/** Kernel pair self-test of the lab: 5_10 and 6_12 (see {@link KernelPairLabTest}). */
class KernelMixed5_10And6_12PairLabTest extends KernelPairLabTest {
    @Override
    KernelVersion versionA() {
        return KernelVersion.V5_10;
    }

    @Override
    KernelVersion versionB() {
        return KernelVersion.V6_12;
    }
}
