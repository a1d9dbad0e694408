package io.jtipc.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class KernelArgsTest {
    @Test
    void everyGuestGetsVirtioNetWithoutTxNapiUnlessItSetsAnOption() {
        assertThat(KernelNode.withDefaultArgs(List.of())).containsExactly("jtipc.modopt=virtio_net:napi_tx=0");
        assertThat(KernelNode.withDefaultArgs(List.of("jtipc.modopt=tipc:x=1")))
                .containsExactly("jtipc.modopt=tipc:x=1", "jtipc.modopt=virtio_net:napi_tx=0");
        assertThat(KernelNode.withDefaultArgs(List.of("jtipc.modopt=virtio_net:napi_tx=1")))
                .containsExactly("jtipc.modopt=virtio_net:napi_tx=1");
    }
}
