package io.jtipc.interop;

import io.jtipc.lab.KernelVersion;

/** A keyed 5.10 kernel (a cluster key) and jtipc nodes with the same key, a wrong one and none. */
class Keyed5_10InteropTest extends KeyedKernelInteropTest {
    @Override
    KernelVersion version() {
        return KernelVersion.V5_10;
    }

    @Override
    boolean masterKey() {
        return false;
    }

    @Override
    boolean heavyOnEthernet() {
        return false;
    }
}
