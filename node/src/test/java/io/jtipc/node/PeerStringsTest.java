package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.NodeId;
import io.jtipc.wire.PeerText;

/**
 * Issue 15: the interface name a peer sends in RESET/ACTIVATE becomes part of the link name, which the api logs at
 * INFO ("Established link <...>") and the cli prints ("LINK up ..."); it is escaped where it comes off the wire.
 */
class PeerStringsTest {

    @Test
    void aHostileInterfaceNameReachesTheLinkNameEscaped() {
        String[] evil = {"\n[INFO] forged", "\u001b[31mevil\u001b[0m"};
        String[] shown = {"\\x0a[INFO] forged", "\\x1b[31mevil\\x1b[0m"};
        for (int i = 0; i < evil.length; i++) {
            SimNetwork net = new SimNetwork(30 + i);
            SimNode a = net.addNode("alpha", 1, 1);
            // the peer's own bearer is named so: its RESET/ACTIVATE carry the name (up to 15 bytes, NUL-terminated)
            SimNode b = net.addNode(NodeConfig.of(NodeId.parse("beta"), 2, 2),
                BearerConfig.ethernet(evil[i], new byte[] {0x52, 0x54, 0, 0, 0, 2}));
            assertThat(net.runUntil(() -> TwoNodeTest.linkedUp(a, b), 5000)).isTrue();
            Link l = a.core.peer(b.core.ownAddr()).link();
            assertThat(l.peerInterface()).isEqualTo(shown[i]);
            assertThat(l.name()).isEqualTo("alpha:eth0-beta:" + shown[i]);
            assertThat(PeerText.isPrintableAscii(l.name())).isTrue();
            assertThat(PeerText.isPrintableAscii(l.toString())).isTrue();
            assertThat(a.core.log()).allSatisfy(s -> assertThat(PeerText.isPrintableAscii(s)).isTrue());
        }
    }
}
