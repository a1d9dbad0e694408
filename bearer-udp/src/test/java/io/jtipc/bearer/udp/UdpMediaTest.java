package io.jtipc.bearer.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;

import io.jtipc.wire.MediaAddress;
import io.jtipc.wire.Tipc;

class UdpMediaTest {

    @Test
    void ipv4GroupFollowsIproute2() throws Exception {
        assertThat(UdpMedia.multicastGroup(4711, false)).isEqualTo(InetAddress.getByName("228.0.18.103"));
        assertThat(UdpMedia.multicastGroup(0, false)).isEqualTo(InetAddress.getByName("228.0.0.0"));
        assertThat(UdpMedia.multicastGroup(1, false)).isEqualTo(InetAddress.getByName("228.0.0.1"));
        assertThat(UdpMedia.multicastGroup(256, false)).isEqualTo(InetAddress.getByName("228.0.1.0"));
        assertThat(UdpMedia.multicastGroup(65535, false)).isEqualTo(InetAddress.getByName("228.0.255.255"));
        // only bits 15-0 count: (netid >> 8) & 0xFF, netid & 0xFF
        assertThat(UdpMedia.multicastGroup(0x12345678, false)).isEqualTo(InetAddress.getByName("228.0.86.120"));
        assertThat(UdpMedia.multicastGroup(-1, false)).isEqualTo(InetAddress.getByName("228.0.255.255"));
        assertThat(UdpMedia.defaultGroup(4711, false)).isEqualTo(new InetSocketAddress("228.0.18.103", 6118));
    }

    @Test
    void ipv6GroupIsTheDecimalNetIdParsedAsHex() throws Exception {
        assertThat(UdpMedia.multicastGroup(4711, true)).isEqualTo(InetAddress.getByName("ff02::4711"));
        assertThat(UdpMedia.multicastGroup(1, true)).isEqualTo(InetAddress.getByName("ff02::1"));
        assertThat(UdpMedia.multicastGroup(0, true)).isEqualTo(InetAddress.getByName("ff02::"));
        assertThat(UdpMedia.multicastGroup(9999, true)).isEqualTo(InetAddress.getByName("ff02::9999"));
        assertThatThrownBy(() -> UdpMedia.multicastGroup(10000, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ff02::10000 is not an IPv6 address");
        assertThatThrownBy(() -> UdpMedia.multicastGroup(-1, true)).hasMessageContaining("4294967295");
    }

    @Test
    void ipv4MediaAddressRoundTripsThroughWire() {
        InetSocketAddress a = new InetSocketAddress("169.254.10.1", 6118);
        byte[] msg = new byte[20 + 32 + 4];
        java.util.Arrays.fill(msg, (byte) 0x5a);
        UdpMedia.addrToMsg(a, msg, Tipc.MEDIA_INFO_OFFSET);
        // the kernel's layout, byte by byte
        byte[] want = new byte[32];
        want[3] = 3;
        want[4] = 0x08;
        want[5] = 0x00;
        want[6] = (byte) (6118 >> 8);
        want[7] = (byte) 6118;
        want[8] = (byte) 169;
        want[9] = (byte) 254;
        want[10] = 10;
        want[11] = 1;
        assertThat(java.util.Arrays.copyOfRange(msg, 20, 52)).isEqualTo(want);
        assertThat(msg[19]).isEqualTo((byte) 0x5a);
        assertThat(msg[52]).isEqualTo((byte) 0x5a);
        MediaAddress m = new MediaAddress().wrap(msg, Tipc.MEDIA_INFO_OFFSET);
        assertThat(m.mediaType()).isEqualTo(Tipc.MEDIA_TYPE_UDP);
        assertThat(m.udpProto()).isEqualTo(MediaAddress.UDP_PROTO_IPV4);
        assertThat(m.udpPort()).isEqualTo(6118);
        assertThat(m.ipString()).isEqualTo("169.254.10.1");
        assertThat(m.reservedRanges()).containsExactly(0, 3, 12, 32);
        assertThat(UdpMedia.problem(msg, 20)).isNull();
        assertThat(UdpMedia.msgToAddr(msg, 20)).isEqualTo(a);
        assertThat(UdpMedia.toString(msg, 20)).isEqualTo("169.254.10.1:6118");
        assertThat(UdpMedia.isMulticast(msg, 20)).isFalse();
        // wire's reencode gives the same bytes back
        byte[] copy = new byte[32];
        MediaAddress.reencode(m, new MediaAddress().wrap(copy, 0));
        assertThat(copy).isEqualTo(want);
    }

    @Test
    void ipv6MediaAddressRoundTripsThroughWire() throws Exception {
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("fd00::1:2"), 40000);
        byte[] b = UdpMedia.addrToMsg(a);
        MediaAddress m = new MediaAddress().wrap(b, 0);
        assertThat(m.mediaType()).isEqualTo(3);
        assertThat(m.udpProto()).isEqualTo(0x86DD);
        assertThat(m.udpPort()).isEqualTo(40000);
        assertThat(m.ipString()).isEqualTo("fd00:0:0:0:0:0:1:2");
        assertThat(java.util.Arrays.copyOfRange(b, 8, 24)).isEqualTo(InetAddress.getByName("fd00::1:2").getAddress());
        assertThat(java.util.Arrays.copyOfRange(b, 24, 32)).containsOnly(0);
        assertThat(UdpMedia.msgToAddr(b, 0)).isEqualTo(a);
        assertThat(UdpMedia.toString(b, 0)).isEqualTo("fd00:0000:0000:0000:0000:0000:0001:0002:40000");
        // a block built with wire's setters decodes the same way
        byte[] w = new byte[32];
        new MediaAddress().wrap(w, 0).setMediaType(Tipc.MEDIA_TYPE_UDP).setUdpProto(MediaAddress.UDP_PROTO_IPV6)
                .setUdpPort(40000).setIp(InetAddress.getByName("fd00::1:2").getAddress(), 0, 16);
        assertThat(w).isEqualTo(b);
    }

    @Test
    void rawMediaAddressIsTheBlockWithoutItsTypeWord() throws Exception {
        // struct udp_media_addr (tipc_media_addr.value) = block bytes 4..23; converted once each way
        for (InetSocketAddress a : new InetSocketAddress[] {new InetSocketAddress("169.254.10.1", 6118),
                new InetSocketAddress(InetAddress.getByName("fd00::1:2"), 40000)}) {
            byte[] raw = UdpMedia.mediaAddr(a);
            assertThat(raw).hasSize(UdpMedia.UDP_ADDR_SIZE);
            byte[] block = UdpMedia.addrToMsg(a);
            assertThat(raw).isEqualTo(java.util.Arrays.copyOfRange(block, 4, 24));
            assertThat(UdpMedia.addrToMsg(raw)).isEqualTo(block);
            assertThat(UdpMedia.mediaAddrProblem(raw, 0)).isNull();
            assertThat(UdpMedia.socketAddress(raw, 0)).isEqualTo(a);
            byte[] at = new byte[30];
            UdpMedia.mediaAddr(a, at, 7);
            assertThat(UdpMedia.socketAddress(at, 7)).isEqualTo(a);
        }
        // a link-local IPv6 destination is scoped by index; the raw address carries no scope
        java.net.NetworkInterface lo = java.net.NetworkInterface.getByName("lo");
        byte[] ll = UdpMedia.mediaAddr(new InetSocketAddress(InetAddress.getByName("fe80::1"), 1));
        if (lo != null) {
            assertThat(((java.net.Inet6Address) UdpMedia.socketAddress(ll, 0, lo).getAddress()).getScopeId())
                    .isEqualTo(lo.getIndex());
        }
        byte[] bad = new byte[UdpMedia.UDP_ADDR_SIZE];
        bad[0] = 0x12;
        assertThat(UdpMedia.mediaAddrProblem(bad, 0)).contains("proto 0x1200");
        assertThat(UdpMedia.socketAddress(bad, 0)).isNull();
    }

    @Test
    void badBlocksAreReportedNotThrown() {
        byte[] eth = new byte[32];
        eth[3] = Tipc.MEDIA_TYPE_ETH;
        assertThat(UdpMedia.problem(eth, 0)).isEqualTo("media type 1 is not UDP (3)");
        assertThat(UdpMedia.msgToAddr(eth, 0)).isNull();
        assertThat(UdpMedia.toString(eth, 0)).isEqualTo("invalid UDP media address");
        byte[] badProto = new byte[32];
        badProto[3] = 3;
        badProto[4] = 0x12;
        assertThat(UdpMedia.problem(badProto, 0)).contains("proto 0x1200");
        assertThat(UdpMedia.msgToAddr(badProto, 0)).isNull();
        for (int seed = 0; seed < 2000; seed++) {
            byte[] r = new byte[32];
            new java.util.Random(seed).nextBytes(r);
            UdpMedia.problem(r, 0);
            UdpMedia.msgToAddr(r, 0);
            UdpMedia.toString(r, 0);
            UdpMedia.isMulticast(r, 0);
        }
    }

    @Test
    void multicastBlocksAreRecognised() throws Exception {
        assertThat(UdpMedia.isMulticast(UdpMedia.addrToMsg(UdpMedia.defaultGroup(4711, false)), 0)).isTrue();
        assertThat(UdpMedia.isMulticast(UdpMedia.addrToMsg(UdpMedia.defaultGroup(4711, true)), 0)).isTrue();
        assertThat(UdpMedia.isMulticast(UdpMedia.addrToMsg(new InetSocketAddress("223.255.255.255", 1)), 0)).isFalse();
        assertThat(UdpMedia.isMulticast(UdpMedia.addrToMsg(new InetSocketAddress("240.0.0.0", 1)), 0)).isFalse();
        assertThat(UdpMedia.isMulticast(UdpMedia.addrToMsg(new InetSocketAddress("::1", 1)), 0)).isFalse();
    }

    @Test
    void parsesNumericIpAndPort() throws Exception {
        assertThat(UdpMedia.parse("10.0.0.1", 6118)).isEqualTo(new InetSocketAddress("10.0.0.1", 6118));
        assertThat(UdpMedia.parse("10.0.0.1:7000", 6118)).isEqualTo(new InetSocketAddress("10.0.0.1", 7000));
        assertThat(UdpMedia.parse("::1", 6118)).isEqualTo(new InetSocketAddress("::1", 6118));
        assertThat(UdpMedia.parse("[::1]:7000", 6118)).isEqualTo(new InetSocketAddress("::1", 7000));
        assertThat(UdpMedia.parse("[fd00::5]", 6118)).isEqualTo(new InetSocketAddress("fd00::5", 6118));
        assertThat(UdpMedia.format(new InetSocketAddress("::1", 7000))).isEqualTo("[0:0:0:0:0:0:0:1]:7000");
        assertThat(UdpMedia.format(new InetSocketAddress("10.0.0.1", 7000))).isEqualTo("10.0.0.1:7000");
        assertThatThrownBy(() -> UdpMedia.parse("example.org", 1)).hasMessageContaining("names are not looked up");
        assertThatThrownBy(() -> UdpMedia.parse("10.0.0.256", 1)).hasMessageContaining("not an IPv4 address");
        assertThatThrownBy(() -> UdpMedia.parse("10.0.0.1:70000", 1)).hasMessageContaining("bad UDP port '70000'");
        assertThatThrownBy(() -> UdpMedia.parse("10.0.0.1:x", 1)).hasMessageContaining("bad UDP port 'x'");
        assertThatThrownBy(() -> UdpMedia.parse("[::1", 1)).hasMessageContaining("missing ']'");
        assertThatThrownBy(() -> UdpMedia.parse("fe80::zz", 1)).hasMessageContaining("not an IPv6 address");
        assertThatThrownBy(() -> UdpMedia.parse(" ", 1)).hasMessageContaining("missing IP address");
    }

    @Test
    void kernelConstants() {
        assertThat(UdpMedia.DEFAULT_PORT).isEqualTo(6118);
        assertThat(UdpMedia.IPV4_MTU).isEqualTo(14000);
        assertThat(UdpMedia.IPV6_MTU).isEqualTo(1280);
        assertThat(UdpMedia.MIN_MTU).isEqualTo(128);
        assertThat(UdpMedia.BLOCK_SIZE).isEqualTo(MediaAddress.SIZE);
    }
}
