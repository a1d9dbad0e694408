package io.jtipc.testcontainers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Network;

import io.jtipc.lab.KernelVersion;

/** Where a TipcNetwork may be, and that a kernel node is on nothing else. No Docker needed. */
class NetworkRulesTest {
    static final String HEADER = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT";

    @Test
    void routedLinkLocalSubnetsAreExcluded() {
        List<String> routes = List.of(HEADER,
                "eth0\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",  // default: ignored
                "eth0\t0002A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",  // 192.168.2.0/24: not link-local
                "eth1\t0005FEA9\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",  // 169.254.5.0/24
                "eth1\t0A0AFEA9\t00000000\t0005\t0\t0\t0\tFFFFFFFF\t0\t0\t0",  // 169.254.10.10/32
                "eth1\t0010FEA9\t00000000\t0001\t0\t0\t0\t00FCFFFF\t0\t0\t0");  // 169.254.16.0/22
        assertThat(TipcNetwork.routedThirdOctets(routes)).containsExactlyInAnyOrder(5, 10, 16, 17, 18, 19);
        assertThat(TipcNetwork.routedThirdOctets(List.of(HEADER,
                "eth1\t0000FEA9\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0"))).hasSize(256); // 169.254.0.0/16
        assertThat(TipcNetwork.RESERVED_THIRD_OCTETS).contains(169, 170);
    }

    @Test
    void aKernelNodeOffATipcNetworkDoesNotStart() {
        try (TipcKernelContainer k = new TipcKernelContainer(KernelVersion.V6_1, TipcKernelContainer.Mode.QEMU)) {
            assertThatThrownBy(k::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("TipcNetwork");
            assertThat(k.getContainerId()).isNull();
        }
        try (TipcKernelContainer k = new TipcKernelContainer(KernelVersion.V6_1, TipcKernelContainer.Mode.QEMU)
                .withNetwork(Network.SHARED)) {
            assertThatThrownBy(k::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("TipcNetwork");
        }
    }
}
