package io.jtipc.node;

import static io.jtipc.node.TwoNodeTest.linkedUp;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.Tipc;

/**
 * Issue 15 review: the node-wide hold budgets filled by other (hostile) links must not lock an honest link out.
 * Alpha (the victim) and beta (honest) link up on a {@link SimNetwork}; the node-wide totals of alpha are filled as
 * other links would fill them.
 */
class HoldFairnessTest {
    static final int SVC = 5151;

    final SimNetwork net = new SimNetwork(16);
    final SimNode a = net.addNode("alpha", 1, 0x11112222);
    final SimNode b = net.addNode("beta", 2, 0x33334444);

    HoldFairnessTest() {
        assertThat(net.runUntil(() -> linkedUp(a, b), 10_000)).isTrue();
        net.runFor(500);
    }

    static Net netOf(NodeCore core) throws ReflectiveOperationException {
        Field f = NodeCore.class.getDeclaredField("net");
        f.setAccessible(true);
        return (Net) f.get(core);
    }

    Link linkAB() { return a.core.peer(b.core.ownAddr()).link(); }

    @Test
    void aFullNodeReassemblyTotalDelaysAnHonestFragmentedMessageButDoesNotResetItsLink() throws Exception {
        int pa = a.core.openSocket(SocketType.RDM, a.received::add);
        a.core.bind(net.now(), pa, Tipc.TIPC_CLUSTER_SCOPE, SVC, 0, 0, a);
        net.runFor(200);
        // other links (e.g. 500 linked peers that never finish a message) hold all but 1000 bytes of the total
        HoldBudget total = netOf(a.core).reasmTotal;
        long others = total.maxBytes - total.bytes() - 1000;
        assertThat(total.take(others, 500)).isTrue();

        byte[] msg = new byte[20_000];
        for (int i = 0; i < msg.length; i++) msg[i] = (byte) (i * 7);
        int pb = b.core.openSocket(SocketType.RDM, d -> true);
        assertThat(b.core.sendToName(net.now(), pb, SVC, 0, 0, msg, 0, msg.length, b)).isZero();
        net.runFor(300);
        Link l = linkAB();
        assertThat(a.received).isEmpty();
        assertThat(l.isUp()).isTrue();
        assertThat(l.holdStats().reassemblyErrors()).isZero();
        assertThat(l.holdStats().resets()).isZero();

        total.give(others, 500); // the other links are reset or finish: the honest message is resent and arrives
        assertThat(net.runUntil(() -> !a.received.isEmpty(), net.now() + 5000)).isTrue();
        assertThat(a.received.get(0).data()).isEqualTo(msg);
        assertThat(l.isUp()).isTrue();
        assertThat(l.holdStats().resets()).isZero();
        assertThat(l.holdStats().reassemblyErrors()).isZero();
        assertThat(total.bytes()).isZero();
    }
}
