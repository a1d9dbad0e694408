package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AddressAndSpecTest {
    @Test
    void addressesParseAndPrint() {
        assertThat(TipcAddress.parse("18888:17")).isEqualTo(TipcAddress.ofService(18888, 17));
        assertThat(TipcAddress.parse("0x10:1:0xffffffff")).isEqualTo(TipcAddress.ofServiceRange(16, 1, -1));
        assertThat(TipcAddress.parse("2797883188@6e310000")).isEqualTo(TipcAddress.ofSocket((int) 2797883188L, 0x6e310000));
        assertThat(TipcAddress.parse("5@0x1001")).isEqualTo(TipcAddress.ofSocket(5, 0x1001));
        assertThat(TipcAddress.ofService(18888, 17).toString()).isEqualTo("{18888, 17}");
        assertThat(TipcAddress.ofServiceRange(1, 0, -1).toString()).isEqualTo("{1, 0, 4294967295}");
        assertThat(TipcAddress.ofSocket(-1, 0x6e310000).toString()).isEqualTo("<6e310000:4294967295>");
        assertThat(TipcAddress.ofService(1, 2)).isNotEqualTo(TipcAddress.ofServiceRange(1, 2, 2));
        assertThatThrownBy(() -> TipcAddress.parse("1")).hasMessageContaining("want TYPE:INSTANCE");
        assertThatThrownBy(() -> TipcAddress.parse("a:b")).hasMessage("bad TIPC address 'a:b': 'a' is not a number from 0 to "
            + "4294967295 (decimal or 0x hex)");
        assertThatThrownBy(() -> TipcAddress.parse("7@zz")).hasMessage("bad TIPC address '7@zz': node 'zz' is not a 32-bit "
            + "address in hex");
        assertThatThrownBy(() -> TipcAddress.parse("1:4294967296")).hasMessageContaining("'4294967296' is not a number");
        assertThatThrownBy(() -> TipcAddress.ofServiceRange(1, 5, 4)).hasMessageContaining("lower 5 > upper 4");
    }

    @Test
    void bearerSpecs() {
        BearerSpec e = BearerSpec.parse("eth:eth1", "ns1");
        assertThat(e.kind()).isEqualTo(BearerSpec.Kind.ETH);
        assertThat(e.iface()).isEqualTo("eth1");
        assertThat(e.netns()).isEqualTo("ns1");
        assertThat(e.toString()).isEqualTo("eth:eth1 (netns ns1)");
        BearerSpec u = BearerSpec.parse("udp:10.0.0.1,remote=10.0.0.2:7000,remote=10.0.0.3,name=u1", null);
        assertThat(u.kind()).isEqualTo(BearerSpec.Kind.UDP);
        assertThat(u.toString()).isEqualTo("udp:10.0.0.1:6118,remote=10.0.0.2:7000,remote=10.0.0.3:6118");
        assertThat(u.udpConfig(4711).isReplicast()).isTrue();
        assertThat(u.udpConfig(4711).peers()).hasSize(2);
        assertThat(u.udpConfig(4711).name()).isEqualTo("u1");
        assertThat(BearerSpec.parse("udp:[::1]:6000", null).udpConfig(4711).isReplicast()).isFalse();
        assertThatThrownBy(() -> BearerSpec.parse("eth:", null)).hasMessageContaining("want eth:IFACE");
        assertThatThrownBy(() -> BearerSpec.parse("eth:abcdefghijklmnop", null)).hasMessageContaining("at most 15");
        assertThatThrownBy(() -> BearerSpec.parse("udp:10.0.0.1,foo=1", null)).hasMessageContaining("bad UDP bearer option 'foo=1'");
        assertThatThrownBy(() -> BearerSpec.parse("ib:x", null)).hasMessageContaining("bad bearer 'ib:x'");
        // the interface part of a UDP bearer name: 1-15 characters, as the kernel's bearer_name_validate (ASCII, no NUL)
        assertThat(BearerSpec.parse("udp:10.0.0.1,name=abcdefghijklmno", null).udpConfig(4711).name())
            .isEqualTo("abcdefghijklmno");
        assertThat(BearerSpec.parse("udp:10.0.0.1,name=a\u001b[31m", null).udpConfig(4711).name()).isEqualTo("a\u001b[31m");
        for (String bad : new String[] {"", "abcdefghijklmnop", "a\u0000b", "\u00e9t\u00e9", "a\u001b[31mbcdefghijkl"}) {
            assertThatThrownBy(() -> BearerSpec.parse("udp:10.0.0.1,name=" + bad, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 15 ASCII characters")
                .hasMessageNotContaining("\u001b").hasMessageNotContaining("\u0000");
        }
        assertThatThrownBy(() -> TipcNode.builder().identity("x").bearer("eth:a").bearer("eth:b").bearer("eth:c")
                .bearer("eth:d").build()).hasMessageContaining("at most 3");
        assertThatThrownBy(() -> TipcNode.builder().identity("x").clusterId(0)).hasMessageContaining("1-9999");
    }
}
