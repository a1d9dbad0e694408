package io.jtipc.interop;

import java.time.Duration;

import io.jtipc.lab.KernelVersion;

/** jtipc against Debian trixie's 6.12 kernel; idle period shortened to 15 s (the 60 s run is on 6.1). */
class Jtipc6_12InteropTest extends JtipcKernelInteropTest {
    @Override
    KernelVersion version() {
        return KernelVersion.V6_12;
    }

    @Override
    Duration idlePeriod() {
        return Duration.ofSeconds(15);
    }
}
