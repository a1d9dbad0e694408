package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.SocketAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Issue 18: {@link TipcAddress} is a {@link SocketAddress}, and serializes without letting a stream break its rules. */
class TipcAddressSerialTest {

    private static byte[] write(Object o) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(b)) {
            out.writeObject(o);
        }
        return b.toByteArray();
    }

    private static Object read(byte[] b) throws Exception {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b))) {
            return in.readObject();
        }
    }

    @Test
    void isASocketAddress() {
        SocketAddress a = TipcAddress.ofService(18888, 17);
        assertThat(a).isInstanceOf(TipcAddress.class).hasToString("{18888, 17}");
    }

    @Test
    void everyKindSurvivesARoundTrip() throws Exception {
        for (TipcAddress a : List.of(TipcAddress.ofService(18888, 17), TipcAddress.ofService(-1, -2),
                TipcAddress.ofServiceRange(18888, 0, 100), TipcAddress.ofServiceRange(1, 5, -1),
                TipcAddress.ofSocket(0x80000001, 0x1d1d1248))) {
            Object back = read(write(a));
            assertThat(back).isEqualTo(a).isNotSameAs(a);
            assertThat(((TipcAddress) back).kind()).isEqualTo(a.kind());
            assertThat(back.hashCode()).isEqualTo(a.hashCode());
        }
    }

    @Test
    void aStreamCannotMakeAnAddressTheFactoriesRefuse() throws Exception {
        // a range with lower > upper, a service with lower != upper, a socket address with a type, an unknown kind
        for (TipcAddress.Form bad : List.of(new TipcAddress.Form(0, 1, 10, 5, 0, 0), new TipcAddress.Form(1, 1, 2, 3, 0, 0),
                new TipcAddress.Form(2, 7, 0, 0, 1, 2), new TipcAddress.Form(9, 1, 1, 1, 0, 0))) {
            byte[] stream = write(bad);
            assertThatThrownBy(() -> read(stream)).isInstanceOf(InvalidObjectException.class)
                .hasMessageContaining("bad serialized TipcAddress");
        }
    }
}
