package io.jtipc.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;

/** The fixed-size flyweights refuse a buffer too short for them with an error naming the struct, not a raw index. */
class WrapBoundsTest {

    @Test
    void shortBuffersAreNamed() {
        assertThatThrownBy(() -> new DistrItem().wrap(new byte[DistrItem.SIZE + 3], 4))
            .isInstanceOf(IndexOutOfBoundsException.class)
            .hasMessage("distr_item: 20 bytes needed at offset 4, buffer of 23 bytes");
        assertThatThrownBy(() -> new TipcSubscr().wrap(new byte[27], 0, ByteOrder.BIG_ENDIAN))
            .hasMessageStartingWith("tipc_subscr: 28 bytes");
        assertThatThrownBy(() -> new TipcEvent().wrap(new byte[60], 13, ByteOrder.LITTLE_ENDIAN))
            .hasMessageStartingWith("tipc_event: 48 bytes needed at offset 13");
        assertThatThrownBy(() -> NodeId.of(new byte[20], 5)).hasMessageStartingWith("node identity: 16 bytes");
        assertThatThrownBy(() -> new DistrItem().wrap(new byte[40], -1)).hasMessageContaining("offset -1");
    }

    @Test
    void exactFitsAreTaken() {
        byte[] b = new byte[64];
        b[63] = 7;
        assertThat(new DistrItem().wrap(b, 64 - DistrItem.SIZE)).isNotNull();
        assertThat(new TipcSubscr().wrap(b, 64 - TipcSubscr.SIZE, ByteOrder.BIG_ENDIAN)).isNotNull();
        assertThat(new TipcEvent().wrap(b, 64 - TipcEvent.SIZE, ByteOrder.BIG_ENDIAN)).isNotNull();
        assertThat(NodeId.of(b, 48).bytes()[15]).isEqualTo((byte) 7);
    }
}
