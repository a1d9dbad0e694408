package io.jtipc.interop;

import io.jtipc.lab.KernelVersion;

/** A keyed 6.1 kernel (the cluster master key) and jtipc nodes with the same key, a wrong one and none. */
class Keyed6_1InteropTest extends KeyedKernelInteropTest {
    @Override
    KernelVersion version() {
        return KernelVersion.V6_1;
    }

    @Override
    boolean masterKey() {
        return true;
    }

    @Override
    boolean heavyOnEthernet() {
        return true;
    }
}
