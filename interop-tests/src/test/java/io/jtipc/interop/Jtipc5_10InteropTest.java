package io.jtipc.interop;

import java.time.Duration;

import io.jtipc.lab.KernelVersion;

/** jtipc against Debian bullseye's 5.10 kernel; idle period shortened to 15 s (the 60 s run is on 6.1). */
class Jtipc5_10InteropTest extends JtipcKernelInteropTest {
    @Override
    KernelVersion version() {
        return KernelVersion.V5_10;
    }

    @Override
    Duration idlePeriod() {
        return Duration.ofSeconds(15);
    }
}
