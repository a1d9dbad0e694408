package io.jtipc.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** {@link AeadKey#parseKey} reads every key string iproute2's {@code tipc node set key} reads (tipc/misc.c str2key). */
class AeadKeyParseTest {
    private static final String HEX40 = "0123456789abcdef0123456789abcdef11223344";

    @Test
    void hexWithThePrefixAsIproute2() {
        assertThat(AeadKey.parseKey("0x" + HEX40)).isEqualTo(HexFormat.of().parseHex(HEX40));
        assertThat(AeadKey.parseKey("0x" + HEX40.toUpperCase())).isEqualTo(HexFormat.of().parseHex(HEX40));
        // str2key compares "0x" only: "0X" and 18 hex digits is a 20-byte text key there, and here
        String upper = "0X" + HEX40.substring(0, 18);
        assertThat(AeadKey.parseKey(upper)).isEqualTo(upper.getBytes(StandardCharsets.US_ASCII));
        // jtipc's extension: "0X" and exactly 40 digits (a 42-byte text key the kernel would refuse)
        assertThat(AeadKey.parseKey("0X" + HEX40)).isEqualTo(HexFormat.of().parseHex(HEX40));
        // an odd digit count: the first digit alone is the first byte ("%1hhx" then "%2hhx")
        byte[] odd = AeadKey.parseKey("0x" + "f" + HEX40.substring(2));
        assertThat(odd).hasSize(20);
        assertThat(odd[0]).isEqualTo((byte) 0x0f);
        assertThat(odd[1]).isEqualTo((byte) 0x23);
        assertThat(odd[19]).isEqualTo((byte) 0x44);
    }

    @Test
    void textKeysAsIproute2() {
        String k20 = "this_is_a_key16salt!";
        assertThat(AeadKey.parseKey(k20)).isEqualTo(k20.getBytes(StandardCharsets.US_ASCII));
        String k36 = "0123456789abcdef0123456789abcdef1122"; // 36 hex-looking characters without 0x: text (32 B key + salt)
        assertThat(AeadKey.parseKey(k36)).isEqualTo(k36.getBytes(StandardCharsets.US_ASCII));
        String k28 = "0xnot-hex-so-a-28-byte-key!!"; // "0x" not followed by hex only: the whole string is the key
        assertThat(AeadKey.parseKey(k28)).hasSize(28).isEqualTo(k28.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void hexWithoutThePrefixAtTheThreeKeyLengths() {
        assertThat(AeadKey.parseKey(" " + HEX40 + "\n")).isEqualTo(HexFormat.of().parseHex(HEX40));
        assertThat(AeadKey.parseKey(HEX40 + "0123456789abcdef")).hasSize(28);
        assertThat(AeadKey.parseKey(HEX40 + "0123456789abcdef0123456789abcdef")).hasSize(36);
    }

    @Test
    void refusalsSayWhyWithoutTheKey() {
        assertThatThrownBy(() -> AeadKey.parseKey(null)).hasMessageContaining("missing");
        assertThatThrownBy(() -> AeadKey.parseKey("  ")).hasMessageContaining("empty");
        assertThatThrownBy(() -> AeadKey.parseKey("0x")).hasMessageContaining("empty");
        assertThatThrownBy(() -> AeadKey.parseKey("0x1234")).hasMessageContaining("16, 24 or 32 bytes").hasMessageContaining("4 hex digits");
        assertThatThrownBy(() -> AeadKey.parseKey("short text key")).hasMessageContaining("14 bytes of text")
                .hasMessageNotContaining("short");
        assertThatThrownBy(() -> AeadKey.parseKey("0x" + HEX40.substring(0, 39) + "z"))
                .hasMessageContaining("non-hex character at position 41").hasMessageNotContaining("z");
        assertThatThrownBy(() -> AeadKey.parseKey("#" + HEX40.substring(1)))
                .hasMessageContaining("non-hex character at position 0").hasMessageNotContaining("#");
    }
}
