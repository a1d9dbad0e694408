package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.jtipc.node.Errno;

/** The api's error codes are exactly the core's errno vocabulary, by name and value. */
class TipcErrorTest {
    @Test
    void everyCoreErrnoHasItsNamedConstant() throws Exception {
        Map<String, Integer> core = new HashMap<>();
        for (Field f : Errno.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) core.put(f.getName(), f.getInt(null));
        }
        assertThat(core).isNotEmpty();
        Map<String, Integer> api = new HashMap<>();
        for (TipcError e : TipcError.values()) {
            if (e != TipcError.NONE) api.put(e.name(), e.errno());
        }
        assertThat(api).isEqualTo(core);
        core.forEach((name, v) -> assertThat(TipcError.ofErrno(v).name()).isEqualTo(name));
    }

    @Test
    void noneIsZeroAndUnknownValuesAreRefused() {
        assertThat(TipcError.ofErrno(0)).isSameAs(TipcError.NONE);
        assertThat(TipcError.EHOSTUNREACH.errno()).isEqualTo(-113);
        assertThatThrownBy(() -> TipcError.ofErrno(-9999)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCoreErrnoBecomesItsConstantAndAnUnknownOneKeepsItsNumber() {
        TipcException known = TipcException.of(-113, "send");
        assertThat(known.error()).isSameAs(TipcError.EHOSTUNREACH);
        assertThat(known).hasMessage("send: EHOSTUNREACH");
        TipcException unknown = TipcException.of(-9999, "send");
        assertThat(unknown.error()).isSameAs(TipcError.NONE);
        assertThat(unknown).hasMessage("send: errno -9999");
    }

    @Test
    void exceptionCarriesTheConstantAndItsNumber() {
        TipcException e = TipcException.of(Errno.EHOSTUNREACH, "send to {18888, 17}");
        assertThat(e.error()).isSameAs(TipcError.EHOSTUNREACH);
        assertThat(e.errno()).isEqualTo(-113);
        assertThat(e).hasMessage("send to {18888, 17}: EHOSTUNREACH");
        assertThat(new TipcException("closed", null).error()).isSameAs(TipcError.NONE);
    }
}
