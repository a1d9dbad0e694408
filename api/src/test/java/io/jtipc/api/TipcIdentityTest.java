package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link TipcIdentity#canonical}: the form a node shows its identity in, whatever the spelling. */
class TipcIdentityTest {
    @Test
    void spellingsOfOneIdentityShareTheirCanonicalForm() {
        assertThat(TipcIdentity.canonical("00112233445566778899AABBCCDDEEFF"))
            .isEqualTo("00112233445566778899aabbccddeeff")
            .isEqualTo(TipcIdentity.canonical("00112233445566778899aabbccddeeff"));
        assertThat(TipcIdentity.canonical("node-a")).isEqualTo("node-a");
        assertThatThrownBy(() -> TipcIdentity.canonical("x".repeat(40))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aGroupMessagesTextIsEscaped() {
        TipcGroupMessage m = new TipcGroupMessage(TipcAddress.ofSocket(1, 2), 0, TipcGroupMessage.Mode.BROADCAST,
            "hi\n\u001b[2J".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(m.payloadText()).isEqualTo("hi\\x0a\\x1b[2J");
    }
}
