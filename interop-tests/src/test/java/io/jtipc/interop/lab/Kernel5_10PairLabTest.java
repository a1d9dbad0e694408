package io.jtipc.interop.lab;

import io.jtipc.lab.KernelVersion;

/** Kernel pair self-test of the lab: 5_10 and 5_10 (see {@link KernelPairLabTest}). */
class Kernel5_10PairLabTest extends KernelPairLabTest {
    @Override
    KernelVersion versionA() {
        return KernelVersion.V5_10;
    }

    @Override
    KernelVersion versionB() {
        return KernelVersion.V5_10;
    }
}
