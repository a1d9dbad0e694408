package io.jtipc.interop.ops;

import io.jtipc.lab.KernelVersion;

/** Issue 17's lab proof against Debian bookworm's 6.1 kernel (the baseline; the only version run, for CI time). */
class Operate6_1InteropTest extends OperateKernelInteropTest {
    @Override
    KernelVersion version() {
        return KernelVersion.V6_1;
    }
}
