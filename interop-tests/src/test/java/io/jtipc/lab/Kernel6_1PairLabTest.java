package io.jtipc.lab;

/** Kernel pair self-test of the lab: 6_1 and 6_1 (see {@link KernelPairLabTest}). */
class Kernel6_1PairLabTest extends KernelPairLabTest {
    @Override
    KernelVersion versionA() {
        return KernelVersion.V6_1;
    }

    @Override
    KernelVersion versionB() {
        return KernelVersion.V6_1;
    }
}
