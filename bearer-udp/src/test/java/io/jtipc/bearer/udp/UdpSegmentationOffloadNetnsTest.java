package io.jtipc.bearer.udp;

import static io.jtipc.bearer.udp.TestSupport.sa;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.jtipc.bearer.LabNetns;
import io.jtipc.bearer.LabNetnsExtension;

/**
 * Segmentation offload refused on a path it does not fit (issue 14; see {@link UdpSegmentationOffloadTest}), in a
 * namespace of the test's own (root; skipped otherwise).
 */
class UdpSegmentationOffloadNetnsTest {
    /** A namespace with a veth pair of MTU 65535 per test. */
    @RegisterExtension
    final LabNetnsExtension lab = LabNetnsExtension.perTest(65535);

    /**
     * The interface's MTU drops under the bearer's after the open (a path the offload does not fit): the kernel refuses
     * the run (udp_send_skb: a segment over the path MTU), its first frame alone goes (IP fragments it), so the offload
     * goes off and the bearer sets SO_NO_CHECK itself, as the kernel's bearer sends.
     */
    @Test
    void aPathMtuUnderTheSegmentsTurnsItOffAndChecksumsBackToZero() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(UdpSegmentationOffloadTest.kernelAtLeast(5, 0), "kernel before 5.0");
        lab.ipIn("addr", "add", "10.99.0.1/24", "dev", LabNetns.VA);
        try (UdpBearer a = UdpBearer.open(lab.name(), UdpBearerConfig.local(sa("10.99.0.1", 6118)).replicast())) {
            assertThat(a.udpSegmentationOffload()).as("va's MTU 65535 takes 14 028 bytes").isTrue();
            int fd = a.sendBatch().fd();
            assertThat(UdpNoCheck.get(fd)).isZero();
            lab.ipIn("link", "set", LabNetns.VA, "mtu", "1500");
            // a neighbour that never answers ARP: the frames wait in its queue, the sends succeed
            UdpSegmentationOffloadTest.queue(a, UdpMedia.mediaAddr(sa("10.99.0.77", 6118)), 0, 14000, 14000, 9000);
            assertThat(a.flush()).isEqualTo(3);
            assertThat(a.udpSegmentationOffload()).isFalse();
            assertThat(a.sendBatch().gsoSends()).isZero();
            assertThat(UdpNoCheck.get(fd)).as("SO_NO_CHECK set by the bearer").isEqualTo(1);
            assertThat(a.udpChecksumsOff()).isTrue();
            assertThat(a.sendsFailed()).isZero();
        }
    }

}
