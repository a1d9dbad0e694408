package io.jtipc.bearer.udp;

import static io.jtipc.bearer.udp.TestSupport.sa;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import io.jtipc.bearer.LibC;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * IPv4 datagrams leave with UDP checksum 0, as the kernel's UDP bearer sends them
 * (net/tipc/udp_media.c: udp_conf.use_udp_checksums = false, udp_tunnel_xmit_skb(..., nocheck = true)).
 */
class UdpChecksumTest {

    @Test
    void procNetUdpLineIsMatchedByAddressAndPort() {
        List<String> table = List.of(
                "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops",
                "  193: 0200007F:17E6 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4242 2 0000000000000000 0",
                "  193: 0100007F:17E6 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 777 2 0000000000000000 0",
                "  194: 0100007F:17E7 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 778 2 0000000000000000 0");
        Assumptions.assumeTrue(java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN, "table written for x86");
        assertThat(UdpNoCheck.inodeOf(table, sa("127.0.0.1", 6118))).isEqualTo(777);
        assertThat(UdpNoCheck.inodeOf(table, sa("127.0.0.2", 6118))).isEqualTo(4242);
        assertThat(UdpNoCheck.inodeOf(table, sa("127.0.0.1", 6120))).isEqualTo(-1);
    }

    @Test
    void ipv4BearerSocketHasNoCheckSetIpv6KeepsChecksums() throws Exception {
        // without segmentation offload, which needs checksums (UdpSegmentationOffloadTest)
        try (UdpBearer a = TestSupport.openRetrying(p -> UdpBearerConfig.local(sa("127.0.0.1", p)).replicast().gso(false));
                UdpBearer b = TestSupport.openRetrying(p -> UdpBearerConfig.local(sa("::1", p)).replicast())) {
            assertThat(a.udpChecksumsOff()).isTrue();
            int fd = UdpNoCheck.fdOf(a.localAddress());
            assertThat(fd).isGreaterThan(2);
            assertThat(UdpNoCheck.get(fd)).isEqualTo(1);
            // no don't-fragment bit, as the kernel's tipc_udp_xmit (udp_tunnel_xmit_skb with df 0)
            assertThat(UdpNoCheck.mtuDiscover(fd)).isEqualTo(UdpNoCheck.IP_PMTUDISC_DONT);
            assertThat(b.udpChecksumsOff()).isFalse();
            // a plain channel of ours has them at the socket defaults: the checks read the real options
            try (DatagramChannel c = DatagramChannel.open(java.net.StandardProtocolFamily.INET)) {
                c.bind(new InetSocketAddress("127.0.0.1", 0));
                int cfd = UdpNoCheck.fdOf((InetSocketAddress) c.getLocalAddress());
                assertThat(cfd).isGreaterThan(2).isNotEqualTo(fd);
                assertThat(UdpNoCheck.get(cfd)).isEqualTo(0);
                assertThat(UdpNoCheck.mtuDiscover(cfd)).isNotEqualTo(UdpNoCheck.IP_PMTUDISC_DONT);
            }
        }
    }

    /**
     * The bearer's socket buffers are the named 16 MiB default: as root forced past net.core.rmem_max/wmem_max
     * (SO_RCVBUFFORCE), otherwise at least what plain SO_RCVBUF grants a channel asking the same.
     */
    @Test
    void socketBuffersAreRaisedToTheNamedDefault() throws Exception {
        try (UdpBearer a = TestSupport.openRetrying(p -> UdpBearerConfig.local(sa("127.0.0.1", p)).replicast());
                DatagramChannel plain = DatagramChannel.open(java.net.StandardProtocolFamily.INET)) {
            int fd = UdpNoCheck.fdOf(a.localAddress());
            Pointer v = Memory.allocateDirect(LibC.Native.runtime(), 4);
            Pointer l = Memory.allocateDirect(LibC.Native.runtime(), 4);
            l.putInt(0, 4);
            assertThat(LibC.Native.libc().getsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, v, l)).isZero();
            int rcv = v.getInt(0);
            l.putInt(0, 4);
            assertThat(LibC.Native.libc().getsockopt(fd, LibC.SOL_SOCKET, LibC.SO_SNDBUF, v, l)).isZero();
            int snd = v.getInt(0);
            if (LibC.Native.libc().geteuid() == 0) {
                assertThat(rcv).isGreaterThanOrEqualTo(io.jtipc.bearer.SocketBuffers.DEFAULT_RECEIVE_BUFFER_BYTES);
                assertThat(snd).isGreaterThanOrEqualTo(io.jtipc.bearer.SocketBuffers.DEFAULT_SEND_BUFFER_BYTES);
            } else {
                plain.setOption(java.net.StandardSocketOptions.SO_RCVBUF, io.jtipc.bearer.SocketBuffers.DEFAULT_RECEIVE_BUFFER_BYTES);
                assertThat(rcv).isGreaterThanOrEqualTo(plain.getOption(java.net.StandardSocketOptions.SO_RCVBUF));
            }
        }
    }

    /**
     * As root: a raw IPv4 socket (SOCK_RAW, IPPROTO_UDP) sees the UDP headers of looped-back datagrams. The
     * bearer's carry checksum 0; a plain DatagramChannel's do not (on lo the field holds at least the
     * pseudo-header sum, as the checksum is left to the "hardware").
     */
    @Test
    void checksumFieldOnTheWireIsZeroForTheBearerOnly() throws Exception {
        LibC libc = LibC.Native.libc();
        Assumptions.assumeTrue(libc.geteuid() == 0, "needs root (CAP_NET_RAW) for a raw socket");
        int raw = libc.socket(2 /* AF_INET */, 3 /* SOCK_RAW */ | LibC.SOCK_CLOEXEC, 17 /* IPPROTO_UDP */);
        assertThat(raw).as("raw socket, errno " + LibC.Native.errno()).isGreaterThanOrEqualTo(0);
        // without segmentation offload (on by default on loopback), which needs checksums
        try (UdpBearer a = TestSupport.openRetrying(p -> UdpBearerConfig.local(sa("127.0.0.4", p)).replicast().gso(false));
                UdpBearer b = TestSupport.openRetrying(p -> UdpBearerConfig.local(sa("127.0.0.5", p)).replicast());
                DatagramChannel plain = DatagramChannel.open(java.net.StandardProtocolFamily.INET)) {
            plain.bind(new InetSocketAddress("127.0.0.4", 0));
            int plainPort = ((InetSocketAddress) plain.getLocalAddress()).getPort();
            byte[] f = new byte[300];
            Arrays.fill(f, (byte) 0x5a);
            for (int i = 0; i < 3; i++) {
                assertThat(a.send(b.address(), 0, f, 0, f.length)).isTrue();
                plain.send(ByteBuffer.wrap(f), b.localAddress());
            }
            Pointer buf = Memory.allocateDirect(LibC.Native.runtime(), 2048);
            List<Integer> bearerSums = new ArrayList<>();
            List<Integer> plainSums = new ArrayList<>();
            long end = System.nanoTime() + 5_000_000_000L;
            while ((bearerSums.size() < 3 || plainSums.size() < 3) && System.nanoTime() < end) {
                long n = libc.recvfrom(raw, buf, 2048, LibC.MSG_DONTWAIT, null, null);
                if (n < 0) {
                    Thread.sleep(5);
                    continue;
                }
                int ihl = (buf.getByte(0) & 0x0f) * 4;
                int dst = buf.getByte(16) & 0xff;
                int srcPort = (buf.getByte(ihl) & 0xff) << 8 | buf.getByte(ihl + 1) & 0xff;
                int dstPort = (buf.getByte(ihl + 2) & 0xff) << 8 | buf.getByte(ihl + 3) & 0xff;
                int sum = (buf.getByte(ihl + 6) & 0xff) << 8 | buf.getByte(ihl + 7) & 0xff;
                if (dst != 127 || dstPort != b.localAddress().getPort()) continue;
                if (srcPort == a.localAddress().getPort()) bearerSums.add(sum);
                if (srcPort == plainPort) plainSums.add(sum);
            }
            assertThat(bearerSums).as("UDP checksums of the bearer's datagrams").hasSize(3).containsOnly(0);
            assertThat(plainSums).as("UDP checksums of a plain socket's datagrams").hasSize(3).doesNotContain(0);
        } finally {
            libc.close(raw);
        }
    }
}
