package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.jtipc.wire.NodeId;

/** bearer.c tipc_enable_bearer: a third bearer with the priority of two enabled ones gets one less. */
class BearerPriorityTest {
    private static final Outbox NONE = (bearerId, dest, buf, off, len) -> { };

    private static BearerConfig eth(String ifName, int last, int prio) {
        BearerConfig c = BearerConfig.ethernet(ifName, new byte[] {0x52, 0x54, 0, 0, 0, (byte) last});
        return new BearerConfig(c.name(), c.media(), c.ownAddr(), c.mtu(), prio, c.tolerance(), c.window(), c.domain());
    }

    @Test
    void aThirdBearerOfTheSamePriorityGetsOneLess() {
        NodeCore core = new NodeCore(NodeConfig.of(NodeId.parse("prio"), 7, 7));
        assertThat(core.enableBearer(0, eth("e0", 1, 10), NONE)).isZero();
        assertThat(core.enableBearer(0, eth("e1", 2, 10), NONE)).isEqualTo(1);
        assertThat(core.enableBearer(0, eth("e2", 3, 10), NONE)).isEqualTo(2);
        assertThat(core.bearer(0).config().priority()).isEqualTo(10);
        assertThat(core.bearer(1).config().priority()).isEqualTo(10);
        assertThat(core.bearer(2).config().priority()).isEqualTo(9);
        assertThat(core.log()).anySatisfy(l -> assertThat(l).contains("already 2 bearers with priority 10"));
        // one of the pair gone: the priority is free again for the next bearer
        assertThat(core.disableBearer(0, 1, NONE)).isTrue();
        assertThat(core.enableBearer(0, eth("e3", 4, 10), NONE)).isEqualTo(1);
        assertThat(core.bearer(1).config().priority()).isEqualTo(10);
    }

    @Test
    void atPriorityZeroTheThirdIsRefused() {
        NodeCore core = new NodeCore(NodeConfig.of(NodeId.parse("prio0"), 7, 7));
        core.enableBearer(0, eth("e0", 1, 0), NONE);
        core.enableBearer(0, eth("e1", 2, 0), NONE);
        assertThatThrownBy(() -> core.enableBearer(0, eth("e2", 3, 0), NONE))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot adjust to lower");
        assertThat(core.bearer(2)).isNull();
        assertThat(core.enableBearer(0, eth("e2", 3, 1), NONE)).isEqualTo(2);
    }

    /**
     * A bearer the shell resets (interface down or changed: tipc_reset_bearer keeps the bearer) is enabled again with
     * its priority as it was, even when priority settings left three bearers at one priority, which the kernel allows.
     */
    @Test
    void aResetBearerKeepsItsPriority() {
        NodeCore core = new NodeCore(NodeConfig.of(NodeId.parse("prio-r"), 7, 7));
        core.enableBearer(0, eth("e0", 1, 10), NONE);
        core.enableBearer(0, eth("e1", 2, 10), NONE);
        core.enableBearer(0, eth("e2", 3, 10), NONE);
        assertThat(LinkSettings.setBearerPriority(core, 2, 10)).isZero();
        BearerConfig c = core.bearer(2).config();
        assertThat(core.disableBearer(0, 2, NONE)).isTrue();
        assertThat(core.reenableBearer(0, c, NONE)).isEqualTo(2);
        assertThat(core.bearer(2).config().priority()).isEqualTo(10);
        BearerConfig z = eth("z", 4, 0);
        NodeCore core0 = new NodeCore(NodeConfig.of(NodeId.parse("prio-z"), 7, 7));
        core0.enableBearer(0, eth("e0", 1, 0), NONE);
        core0.enableBearer(0, eth("e1", 2, 1), NONE);
        assertThat(LinkSettings.setBearerPriority(core0, 1, 0)).isZero();
        core0.reenableBearer(0, z, NONE);
        assertThat(core0.bearer(2).config().priority()).as("no refusal at 0 either").isZero();
    }
}
