package io.jtipc.capture;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** MediaEndpoint text, NodeDirectory identities and labels, option parsing. */
class ValuesTest {

    @Test
    void endpointsPrintLikeTheUsualTools() {
        assertThat(MediaEndpoint.ethernet(new byte[] {0, 0x52, 0x54, 0, 0, 0, 0x0a}, 1)).hasToString("52:54:00:00:00:0a");
        assertThat(MediaEndpoint.udp4(new byte[] {(byte) 169, (byte) 254, 10, 1}, 0, 6118)).hasToString("169.254.10.1:6118");
        byte[] v6 = new byte[16];
        v6[0] = (byte) 0xfe;
        v6[1] = (byte) 0x80;
        v6[15] = 1;
        assertThat(MediaEndpoint.udp6(v6, 0, 6118)).hasToString("[fe80::1]:6118");
        byte[] v6b = new byte[16];
        v6b[1] = 1;
        v6b[15] = 2;
        v6b[7] = 3;
        assertThat(MediaEndpoint.udp6(v6b, 0, 1)).hasToString("[1:0:0:3::2]:1");
        assertThat(MediaEndpoint.udp6(new byte[16], 0, 9)).hasToString("[::]:9");
        assertThat(MediaEndpoint.ethernet(new byte[] {-1, -1, -1, -1, -1, -1}, 0).isBroadcastOrMulticast()).isTrue();
        assertThat(MediaEndpoint.udp4(new byte[] {(byte) 228, 0, 18, 103}, 0, 6118).isBroadcastOrMulticast()).isTrue();
        assertThat(MediaEndpoint.udp4(new byte[] {10, 0, 0, 1}, 0, 6118).isBroadcastOrMulticast()).isFalse();
        assertThat(MediaEndpoint.udp4(new byte[] {10, 0, 0, 1}, 0, 6118))
                .isEqualTo(MediaEndpoint.udp4(new byte[] {10, 0, 0, 1}, 0, 6118))
                .isNotEqualTo(MediaEndpoint.udp4(new byte[] {10, 0, 0, 1}, 0, 6119))
                .hasSameHashCodeAs(MediaEndpoint.udp4(new byte[] {10, 0, 0, 1}, 0, 6118));
    }

    @Test
    void nodeDirectoryLearnsIdentitiesAndEndpoints() {
        NodeDirectory n = new NodeDirectory();
        byte[] id = Arrays.copyOf("srv-node".getBytes(), 16);
        n.learn(0x1d1d1248, id, 0);
        assertThat(n.idString(0x1d1d1248)).isEqualTo("srv-node");
        assertThat(n.label(0x1d1d1248)).isEqualTo("srv-node/1d1d1248");
        assertThat(n.label(0x1234)).isEqualTo("1234");
        assertThat(n.label(0)).isEqualTo("?");
        assertThat(n.idString(5)).isNull();
        byte[] bin = new byte[16];
        bin[0] = 1;
        bin[1] = (byte) 0xab;
        n.learn(7, bin, 0);
        assertThat(n.idString(7)).isEqualTo("01ab"); // hex, trailing zero digits stripped
        assertThat(n.nodeId(7)).isEqualTo(bin);
        MediaEndpoint e = MediaEndpoint.udp4(new byte[] {10, 0, 0, 1}, 0, 6118);
        n.learnEndpoint(e, 7);
        n.learnEndpoint(MediaEndpoint.udp4(new byte[] {(byte) 228, 0, 0, 1}, 0, 6118), 7); // multicast: ignored
        assertThat(n.addressOf(e)).isEqualTo(7);
        assertThat(n.addressOf(MediaEndpoint.udp4(new byte[] {(byte) 228, 0, 0, 1}, 0, 6118))).isZero();
        assertThat(n.addresses()).containsExactly(0x1d1d1248, 7);
        assertThat(NodeDirectory.hash(0x0d030d48)).isEqualTo("d030d48");
    }

    @Test
    void keysParseOrSayWhy() {
        byte[] k = DissectorOptions.parseKey(" 0x0123456789abcdef0123456789abcdef11223344 ");
        assertThat(k).hasSize(20);
        assertThat(k[0]).isEqualTo((byte) 0x01);
        assertThat(k[19]).isEqualTo((byte) 0x44);
        assertThat(DissectorOptions.parseKey(CaptureFiles.SAMPLE_KEY)).hasSize(36);
        assertThatThrownBy(() -> DissectorOptions.parseKey("0x")).hasMessageContaining("empty");
        assertThatThrownBy(() -> DissectorOptions.parseKey("abc")).hasMessageContaining("got 3 bytes of text");
        assertThatThrownBy(() -> DissectorOptions.parseKey("0123456789abcdef0123456789abcdef1122334g"))
                .hasMessageContaining("non-hex character at position 39");
        // no character of the key in the message, not even the bad one
        assertThatThrownBy(() -> DissectorOptions.parseKey("0123456789abcdef0123456789abcdef112233!4"))
                .hasMessageContaining("position 38").hasMessageNotContaining("!");
        assertThatThrownBy(() -> DissectorOptions.parseKey("00112233")).hasMessageContaining("got 8 bytes of text");
        assertThatThrownBy(() -> DissectorOptions.builder().addUdpPort(0)).hasMessageContaining("1..65535");
        assertThatThrownBy(() -> DissectorOptions.builder().addKey(new byte[16])).hasMessageContaining("20, 28 or 36");
        DissectorOptions o = DissectorOptions.builder().addUdpPort(7000).addKey(k).build();
        assertThat(o.extraUdpPorts()).containsExactly(7000);
        k[0] = 9; // options keep their own copy
        assertThat(o.keys().get(0)[0]).isEqualTo((byte) 1);
    }
}
