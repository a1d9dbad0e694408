package io.jtipc.interop.lab;

import io.jtipc.lab.KernelVersion;

/** Kernel pair self-test of the lab: 6_12 and 6_12 (see {@link KernelPairLabTest}). */
class Kernel6_12PairLabTest extends KernelPairLabTest {
    @Override
    KernelVersion versionA() {
        return KernelVersion.V6_12;
    }

    @Override
    KernelVersion versionB() {
        return KernelVersion.V6_12;
    }
}
