package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/** msg.c tipc_msg_reverse: what a returned message keeps. */
class MsgReverseTest {
    private static final int OWN = 0x1001001;
    private static final int PEER = 0x1001002;

    private static TipcMsg namedSyn(int dataLen) {
        byte[] b = new byte[Tipc.BASIC_H_SIZE + 8 + dataLen];
        TipcMsg h = new TipcMsg().wrap(b, 0, b.length);
        h.init(PEER, Tipc.CRITICAL_IMPORTANCE, Tipc.TIPC_NAMED_MSG, Tipc.BASIC_H_SIZE + 8, OWN);
        h.setSize(b.length);
        h.setSyn(1);
        h.setOrigport(11);
        h.setDestport(22);
        h.setPrevnode(PEER);
        return h;
    }

    /** "Don't return data along with SYN+, - sender has a clone": a SYN refused with OVERLOAD comes back empty. */
    @Test
    void aSynRefusedForOverloadComesBackWithoutItsData() {
        byte[] r = Msg.reverse(namedSyn(500), Tipc.TIPC_ERR_OVERLOAD, OWN);
        TipcMsg m = new TipcMsg().wrap(r, 0, r.length);
        assertThat(r).hasSize(Tipc.BASIC_H_SIZE + 8);
        assertThat(m.size()).isEqualTo(Tipc.BASIC_H_SIZE + 8);
        assertThat(m.errcode()).isEqualTo(Tipc.TIPC_ERR_OVERLOAD);
        assertThat(m.destport()).isEqualTo(11);
        assertThat(m.destnode()).isEqualTo(PEER);
    }

    /** Any other error keeps up to 1 024 bytes of a SYN's data, as of any message. */
    @Test
    void aSynRefusedForAnotherReasonKeepsItsData() {
        byte[] r = Msg.reverse(namedSyn(500), Tipc.TIPC_ERR_NO_PORT, OWN);
        assertThat(new TipcMsg().wrap(r, 0, r.length).size()).isEqualTo(Tipc.BASIC_H_SIZE + 8 + 500);
        byte[] big = Msg.reverse(namedSyn(3000), Tipc.TIPC_ERR_NO_NAME, OWN);
        assertThat(big).hasSize(Tipc.BASIC_H_SIZE + 8 + Msg.REVERSE_DATA_MAX);
    }
}
