package io.jtipc.interop;

import io.jtipc.lab.KernelVersion;

/** A 6.1 kernel and a jtipc node with per-node keys ({@code tipc node set key K nodeid ID}), no master key. */
class PerNodeKeyed6_1InteropTest extends PerNodeKeyedKernelInteropTest {
    @Override
    KernelVersion version() {
        return KernelVersion.V6_1;
    }
}
