package io.jtipc.bearer.eth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicReference;

import io.jtipc.bearer.LibC;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.Test;

/** errno to message mapping, and the real EPERM of socket(AF_PACKET) without CAP_NET_RAW. */
class AfPacketExceptionTest {
    static final int CAP_NET_RAW = 13; // include/uapi/linux/capability.h
    static final int LINUX_CAPABILITY_VERSION_3 = 0x20080522;

    @Test
    void permissionErrorsNameCapNetRaw() {
        for (int errno : new int[] {1, 13}) {
            AfPacketException e = AfPacketException.forSocket("socket", errno, "eth0");
            assertThat(e.getMessage())
                    .startsWith("AF_PACKET needs CAP_NET_RAW: run as root or `setcap cap_net_raw+ep` on the java binary")
                    .contains(errno == 1 ? "EPERM" : "EACCES");
            assertThat(e.errno()).isEqualTo(errno);
            assertThat(e.operation()).isEqualTo("socket");
        }
    }

    @Test
    void otherErrnosGetPlainWords() {
        assertThat(AfPacketException.forSocket("SIOCGIFINDEX", 19, "eth9").getMessage())
                .isEqualTo("no such interface eth9 (SIOCGIFINDEX failed: ENODEV)");
        assertThat(AfPacketException.forSocket("sendto", 6, "eth9").getMessage()).startsWith("no such interface eth9");
        assertThat(AfPacketException.forSocket("recvfrom", 100, "eth1").getMessage())
                .isEqualTo("interface eth1 is down (recvfrom failed: ENETDOWN)");
        assertThat(AfPacketException.forSocket("socket", 97, null).getMessage()).contains("no AF_PACKET support");
        assertThat(AfPacketException.forSocket("sendto", 90, "eth1").getMessage()).contains("larger than the MTU");
        // anything else: operation, interface, errno name and number, strerror text from libc
        assertThat(AfPacketException.forSocket("sendto", 105, "eth1").getMessage())
                .isEqualTo("sendto failed on interface eth1: ENOBUFS (errno 105): No buffer space available");
        assertThat(AfPacketException.forSocket("poll", 12, null).getMessage())
                .isEqualTo("poll failed: errno 12: Cannot allocate memory");
    }

    /**
     * Capabilities are per thread on Linux: a thread of our own drops CAP_NET_RAW from its effective
     * set (when the process has it, e.g. as root) and then opens a socket, which the kernel refuses
     * with EPERM. Without the capability to begin with the open fails the same way, so this runs
     * as root and as any user.
     */
    @Test
    void openingWithoutCapNetRawFailsWithTheCapabilityInTheMessage() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                dropEffectiveCapability(CAP_NET_RAW);
                AfPacketSocket s = AfPacketSocket.open("lo");
                s.close();
            } catch (Throwable e) {
                thrown.set(e);
            }
        }, "no-cap-net-raw");
        t.start();
        t.join();
        assertThat(thrown.get())
                .isInstanceOf(AfPacketException.class)
                .hasMessageStartingWith(AfPacketException.NEEDS_CAP_NET_RAW)
                .hasMessageContaining("socket failed: EPERM");
        assertThat(((AfPacketException) thrown.get()).errno()).isEqualTo(1);
    }

    /** capget/capset on the calling thread only (pid 0 = this thread); clears one bit of the effective set. */
    static void dropEffectiveCapability(int cap) {
        LibC libc = LibC.Native.libc();
        jnr.ffi.Runtime rt = LibC.Native.runtime();
        Pointer header = Memory.allocateDirect(rt, 8, true);
        Pointer data = Memory.allocateDirect(rt, 24, true); // 2 x {effective, permitted, inheritable}
        header.putInt(0, LINUX_CAPABILITY_VERSION_3);
        header.putInt(4, 0);
        if (libc.capget(header, data) != 0) {
            throw new IllegalStateException("capget failed: errno " + LibC.Native.errno());
        }
        int word = cap / 32;
        int bit = 1 << (cap % 32);
        int eff = data.getInt(word * 12L);
        if ((eff & bit) == 0) {
            return;
        }
        data.putInt(word * 12L, eff & ~bit);
        if (libc.capset(header, data) != 0) {
            throw new IllegalStateException("capset failed: errno " + LibC.Native.errno());
        }
    }
}
