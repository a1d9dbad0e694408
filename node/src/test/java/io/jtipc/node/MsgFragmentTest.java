package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * {@link Msg#fragment(TipcMsg, byte[], int, byte[], int, int, int, int, int, int, int, byte[])} with the message in two
 * pieces (a header and the caller's data, issue 14: the data copied once, straight into the fragments): the fragments
 * are byte for byte those of the same message in one array, whatever the split, including a header longer than a
 * fragment's payload, and their payloads joined give the message back.
 */
class MsgFragmentTest {

    @Test
    void twoPiecesFragmentAsOne() {
        Random r = new Random(5);
        int[][] cases = {
            {66_000, 1460, Tipc.SHORT_H_SIZE}, {66_000, 14_000, Tipc.NAMED_H_SIZE}, {60_000, 1460, Tipc.BASIC_H_SIZE},
            {1461, 1460, Tipc.SHORT_H_SIZE}, {5000, 60, Tipc.NAMED_H_SIZE}, {300, 41, Tipc.MCAST_H_SIZE},
            {5000, 70, Tipc.MCAST_H_SIZE}, {3000, 50, Tipc.SHORT_H_SIZE}, // the header ends inside a later fragment
        };
        for (int[] c : cases) {
            int len = c[0], mss = c[1], hlen = c[2];
            byte[] msg = new byte[len];
            r.nextBytes(msg);
            TipcMsg h = new TipcMsg().wrap(msg, 0, len);
            Msg.init(h, 0x1001, Tipc.HIGH_IMPORTANCE, Tipc.TIPC_CONN_MSG, hlen, 0x2002);
            h.setSize(len);
            byte[] hdr = Arrays.copyOf(msg, hlen + 3); // a header array longer than the header, as a reused one is
            int off = 7;
            byte[] data = new byte[off + len - hlen + 5];
            System.arraycopy(msg, hlen, data, off, len - hlen);
            byte[][] whole = Msg.fragment(msg, mss, 0x1001, 0x2002);
            assertThat(whole.length).isEqualTo(Msg.fragments(len, mss));
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            TipcMsg scratch = new TipcMsg();
            for (int no = 1; no <= whole.length; no++) {
                byte[] out = new byte[mss + 9];
                int n = Msg.fragment(scratch, hdr, hlen, data, off, len, Tipc.HIGH_IMPORTANCE, no, mss, 0x1001, 0x2002,
                    out);
                assertThat(Arrays.copyOf(out, n)).as("len %d mss %d hlen %d fragment %d", len, mss, hlen, no)
                    .isEqualTo(whole[no - 1]);
                joined.write(out, Tipc.INT_H_SIZE, n - Tipc.INT_H_SIZE);
            }
            assertThat(joined.toByteArray()).isEqualTo(msg);
        }
    }
}
