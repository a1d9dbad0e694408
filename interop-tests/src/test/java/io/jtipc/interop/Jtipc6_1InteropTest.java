package io.jtipc.interop;

import java.time.Duration;

import io.jtipc.lab.KernelVersion;

/** jtipc against Debian bookworm's 6.1 kernel (the baseline): the full 60 s idle period of the acceptance. */
class Jtipc6_1InteropTest extends JtipcKernelInteropTest {
    @Override
    KernelVersion version() {
        return KernelVersion.V6_1;
    }

    @Override
    Duration idlePeriod() {
        return Duration.ofSeconds(60);
    }
}
