package io.jtipc.bearer.eth;

import static io.jtipc.bearer.eth.AfPacketSocket.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import java.util.Random;

import io.jtipc.bearer.LabNetns;
import io.jtipc.bearer.LabNetnsExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link AfPacketTx}'s flush of a batch holding one frame ({@code sendto} instead of a {@code sendmmsg} of one): the
 * same frame, to the queued destination, the same counters and errors as a batch. Real frames over a veth pair inside
 * a network namespace this test creates and deletes; needs root, skipped with the reason otherwise.
 */
class AfPacketTxTest {
    static final int MTU = 2000;
    static final byte[] MAC_A = EthMedia.parse(LabNetns.MAC_A);
    static final byte[] MAC_B = EthMedia.parse(LabNetns.MAC_B);
    static final byte[] BCAST = EthMedia.broadcastMac();

    @RegisterExtension
    static final LabNetnsExtension LAB = LabNetnsExtension.perClass(MTU);

    AfPacketSocket a;
    AfPacketSocket b;
    final byte[] buf = new byte[AfPacketSocket.MAX_FRAME];
    final byte[] src = new byte[6];
    final Random random = new Random(1032);

    @BeforeEach
    void openSockets() throws IOException {
        a = AfPacketSocket.open(LAB.name(), LabNetns.VA, EthMedia.ETH_P_TIPC);
        b = AfPacketSocket.open(LAB.name(), LabNetns.VB, EthMedia.ETH_P_TIPC);
    }

    @AfterEach
    void closeSockets() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    @Test
    void oneQueuedFrameGoesOutIntactToItsDestinationInOneSystemCall() throws IOException {
        for (int round = 0; round < 3; round++) { // the two batches take turns: each one's slot 0 is used
            byte[] p = new byte[1032];
            random.nextBytes(p);
            long calls = a.sendSyscalls(), frames = a.framesSent();
            a.queue(round == 1 ? BCAST : MAC_B, 0, p, 0, p.length);
            assertThat(a.flush()).as("round %d: frames reported", round).isEqualTo(1);
            assertThat(a.sendSyscalls() - calls).as("round %d: one sendto", round).isEqualTo(1);
            assertThat(a.framesSent() - frames).isEqualTo(1);
            assertThat(b.receive(buf, src, 2000)).as("round %d", round).isEqualTo(p.length);
            assertThat(Arrays.copyOf(buf, p.length)).isEqualTo(p);
            assertThat(src).isEqualTo(MAC_A);
        }
        assertThat(b.receive(buf, src, 0)).isEqualTo(TIMEOUT);
        assertThat(a.sendDropped()).isZero();
    }

    @Test
    void oneFrameOverTheMtuIsDroppedAndNamesSendtoWhileABatchNamesSendmmsg() throws IOException {
        byte[] big = new byte[MTU + 1];
        a.queue(MAC_B, 0, big, 0, big.length);
        assertThatThrownBy(() -> a.flush())
                .isInstanceOf(AfPacketException.class)
                .hasMessageContaining("frame of " + (MTU + 1) + " bytes is larger than the MTU of interface va")
                .hasMessageContaining("(sendto failed: EMSGSIZE)");
        assertThat(a.sendDropped()).isEqualTo(1);
        assertThat(a.queued()).isZero();
        byte[] ok = new byte[100];
        a.queue(MAC_B, 0, ok, 0, ok.length);
        a.queue(MAC_B, 0, big, 0, big.length);
        assertThatThrownBy(() -> a.flush())
                .isInstanceOf(AfPacketException.class)
                .hasMessageContaining("(sendmmsg failed: EMSGSIZE)");
        assertThat(a.sendDropped()).isEqualTo(2);
        assertThat(a.flush()).as("the good frame of the failed batch, reported now").isEqualTo(1);
        assertThat(b.receive(buf, src, 2000)).isEqualTo(100);
        assertThat(b.receive(buf, src, 0)).isEqualTo(TIMEOUT);
    }
}
