package io.jtipc.bearer.eth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.jtipc.bearer.LabNetns;
import io.jtipc.bearer.LabNetnsExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EthBearerTest {
    static final byte[] MAC_A = EthMedia.parse(LabNetns.MAC_A);
    static final byte[] MAC_B = EthMedia.parse(LabNetns.MAC_B);
    @RegisterExtension
    static final LabNetnsExtension LAB = LabNetnsExtension.perClass(1500);

    record Frame(byte[] src, byte[] bytes) {
    }

    @Test
    void describesItselfAsTheKernelDoes() throws IOException {
        try (EthBearer a = EthBearer.open(LAB.name(), "va")) {
            assertThat(a.name()).isEqualTo("eth:va");
            assertThat(a.interfaceName()).isEqualTo("va");
            assertThat(a.address()).isEqualTo(MAC_A);
            byte[] dst = new byte[8];
            a.address(dst, 2);
            assertThat(Arrays.copyOfRange(dst, 2, 8)).isEqualTo(MAC_A);
            assertThat(a.mtu()).isEqualTo(1500);
            assertThat(a.isUp()).isTrue();
            assertThat(a).hasToString("EthBearer[eth:va 02:00:5e:10:00:0a]");
        }
    }

    @Test
    void receiveThreadDeliversFramesWithSourceMacAndStopsOnClose() throws Exception {
        BlockingQueue<Frame> got = new LinkedBlockingQueue<>();
        AtomicReference<Thread> rx = new AtomicReference<>();
        try (EthBearer a = EthBearer.open(LAB.name(), "va")) {
            EthBearer b = EthBearer.open(LAB.name(), "vb");
            try {
                b.start((src, frame, len) -> {
                    rx.set(Thread.currentThread());
                    got.add(new Frame(src.clone(), Arrays.copyOf(frame, len)));
                }, null);
                byte[] disc = new byte[76];
                disc[0] = 0x5b;
                assertThat(a.broadcast(disc, 0, disc.length)).isTrue();
                byte[] data = new byte[1500];
                Arrays.fill(data, (byte) 0x3c);
                assertThat(a.send(b.address(), data, 0, data.length)).isTrue();

                Frame f1 = got.poll(5, TimeUnit.SECONDS);
                Frame f2 = got.poll(5, TimeUnit.SECONDS);
                assertThat(f1).isNotNull();
                assertThat(f2).isNotNull();
                assertThat(f1.src()).isEqualTo(MAC_A);
                assertThat(f1.bytes()).isEqualTo(disc);
                assertThat(f2.src()).isEqualTo(MAC_A);
                assertThat(f2.bytes()).isEqualTo(data);
                assertThat(rx.get().getName()).isEqualTo("jtipc-eth-rx-vb");
                assertThatThrownBy(() -> b.poll(new byte[10], 0, 10, new byte[6], 0))
                        .isInstanceOf(IllegalStateException.class);
                assertThatThrownBy(() -> b.start((s, f, l) -> { }, null)).isInstanceOf(IllegalStateException.class);
            } finally {
                b.close();
            }
            assertThat(rx.get().isAlive()).isFalse();
            assertThat(b.socket().isOpen()).isFalse();
        }
    }

    @Test
    void aThrowingHandlerDoesNotStopTheBearer() throws Exception {
        BlockingQueue<Integer> got = new LinkedBlockingQueue<>();
        try (EthBearer a = EthBearer.open(LAB.name(), "va"); EthBearer b = EthBearer.open(LAB.name(), "vb")) {
            b.start((src, frame, len) -> {
                if (len == 10) {
                    throw new IllegalStateException("bad frame, as a core might throw");
                }
                got.add(len);
            }, null);
            a.send(MAC_B, new byte[10], 0, 10);
            a.send(MAC_B, new byte[20], 0, 20);
            assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo(20);
            assertThat(b.handlerFailures()).isEqualTo(1);
        }
    }

    @Test
    void eventLoopPollApi() throws Exception {
        try (EthBearer a = EthBearer.open(LAB.name(), "va"); EthBearer b = EthBearer.open(LAB.name(), "vb")) {
            byte[] buf = new byte[2000];
            byte[] src = new byte[6];
            assertThat(a.poll(buf, 0, buf.length, src, 0)).isEqualTo(AfPacketSocket.TIMEOUT);
            byte[] p = "hello over veth".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            b.send(MAC_A, p, 0, p.length);
            assertThat(a.poll(buf, 0, buf.length, src, 2000)).isEqualTo(p.length);
            assertThat(Arrays.copyOf(buf, p.length)).isEqualTo(p);
            assertThat(src).isEqualTo(MAC_B);
            a.wakeup();
            assertThat(a.poll(buf, 0, buf.length, src, 2000)).isEqualTo(AfPacketSocket.WAKEUP);
        }
    }

    /** A link window's burst must fit: the bearer asks for 16 MiB each way (forced as root, past rmem_max). */
    @Test
    void socketBuffersAreRaisedToTheNamedDefault() throws IOException {
        try (EthBearer a = EthBearer.open(LAB.name(), "va")) {
            // getsockopt reports twice the size set (sock_setsockopt); the kernel default is ~208 KiB
            assertThat(a.socket().receiveBufferSize()).isGreaterThanOrEqualTo(io.jtipc.bearer.SocketBuffers.DEFAULT_RECEIVE_BUFFER_BYTES);
            assertThat(a.socket().sendBufferSize()).isGreaterThanOrEqualTo(io.jtipc.bearer.SocketBuffers.DEFAULT_SEND_BUFFER_BYTES);
        }
    }

    @Test
    void refusesLoopbackAndNonTipcSockets() throws IOException {
        assertThatThrownBy(() -> EthBearer.open(LAB.name(), "lo"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("loopback");
        try (AfPacketSocket other = AfPacketSocket.open(LAB.name(), "va", 0x88B5)) {
            assertThatThrownBy(() -> EthBearer.over(other)).hasMessageContaining("needs 0x88ca");
        }
        assertThatThrownBy(() -> EthBearer.open(LAB.name(), "nosuch0"))
                .hasMessageStartingWith("no such interface nosuch0");
    }

    @Test
    void refusesAnMtuBelowTheTipcMinimum() throws IOException {
        LAB.ipIn("link", "add", "name", "vs", "mtu", "99", "type", "veth", "peer", "name", "vt", "mtu", "99");
        try {
            assertThatThrownBy(() -> EthBearer.open(LAB.name(), "vs"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("interface vs has MTU 99, TIPC needs at least 100");
        } finally {
            LAB.ipIn("link", "del", "vs");
        }
    }
}
