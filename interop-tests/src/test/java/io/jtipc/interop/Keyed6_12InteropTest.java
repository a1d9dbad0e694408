package io.jtipc.interop;

import io.jtipc.lab.KernelVersion;

/** A keyed 6.12 kernel (the cluster master key) and jtipc nodes with the same key, a wrong one and none. */
class Keyed6_12InteropTest extends KeyedKernelInteropTest {
    @Override
    KernelVersion version() {
        return KernelVersion.V6_12;
    }

    @Override
    boolean masterKey() {
        return true;
    }

    @Override
    boolean heavyOnEthernet() {
        return false;
    }
}
