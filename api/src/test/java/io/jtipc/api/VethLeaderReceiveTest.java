package io.jtipc.api;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jtipc.bearer.eth.EthBearer;

/**
 * Issue 14, the leader receive over Ethernet: {@link LeaderReceiveTest}'s echo between two nodes on a veth pair in a
 * network namespace this test creates (root only; skipped otherwise): every answer arrives in order, some frames are
 * read by the waiting threads themselves ({@link EthBearer#lead}), and the round trips allocate nothing per message.
 */
@Timeout(120)
class VethLeaderReceiveTest {
    static final String NS = "jtipc-lead-" + ProcessHandle.current().pid();
    private static TipcNode a;
    private static TipcNode b;

    @BeforeAll
    static void start() throws Exception {
        VethTwoNodeTest.createNamespaceNamed(NS);
        a = TipcNode.builder().identity("jt-elead-a").netns(NS).bearer("eth:va").build();
        b = TipcNode.builder().identity("jt-elead-b").netns(NS).bearer("eth:vb").build();
        TwoNodeChecks.startBoth(a, b);
        a.awaitLinkUp(TwoNodeChecks.T);
        b.awaitLinkUp(TwoNodeChecks.T);
    }

    @AfterAll
    static void stop() throws Exception {
        if (a != null) a.close();
        if (b != null) b.close();
        VethTwoNodeTest.removeNamespaceNamed(NS);
    }

    @Test
    void echoesAreReadByTheWaitingThreadsInOrderAndAllocateNothing() throws Exception {
        LeaderReceiveTest.echoesLedInOrderWithoutAllocation(a, b, "VethLeaderReceiveTest");
    }
}
