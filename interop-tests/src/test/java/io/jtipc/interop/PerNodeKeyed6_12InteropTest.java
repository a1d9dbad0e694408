package io.jtipc.interop;

import io.jtipc.lab.KernelVersion;

/** A 6.12 kernel and a jtipc node with per-node keys ({@code tipc node set key K nodeid ID}), no master key. */
class PerNodeKeyed6_12InteropTest extends PerNodeKeyedKernelInteropTest {
    @Override
    KernelVersion version() {
        return KernelVersion.V6_12;
    }
}
