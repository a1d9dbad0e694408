package io.jtipc.bearer.eth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;

import io.jtipc.wire.MediaAddress;
import io.jtipc.wire.Tipc;
import org.junit.jupiter.api.Test;

class EthMediaTest {
    private static final byte[] MAC = {0x52, 0x54, 0x00, (byte) 0xab, (byte) 0xcd, (byte) 0xef};

    @Test
    void addrToMsgWritesTheKernelLayoutAndZeroesTheRest() {
        byte[] block = new byte[40];
        Arrays.fill(block, (byte) 0x77);
        EthMedia.addrToMsg(MAC, 0, block, 4);
        assertThat(Arrays.copyOfRange(block, 0, 4)).containsOnly(0x77);
        assertThat(Arrays.copyOfRange(block, 4, 36)).containsExactly(
                0, 0, 0, 1, 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        assertThat(Arrays.copyOfRange(block, 36, 40)).containsOnly(0x77);
        assertThat(new MediaAddress().wrap(block, 4).mediaType()).isEqualTo(Tipc.MEDIA_TYPE_ETH);
    }

    @Test
    void msgToAddrReadsBytesFourToNineWhateverTheTypeByte() {
        byte[] block = new byte[32];
        block[3] = 3; // a UDP type byte: the Ethernet decoder does not check it, as in the kernel
        System.arraycopy(MAC, 0, block, 4, 6);
        byte[] out = new byte[8];
        EthMedia.msgToAddr(block, 0, out, 2);
        assertThat(Arrays.copyOfRange(out, 2, 8)).isEqualTo(MAC);
        assertThat(EthMedia.msgToAddr(block, 0)).isEqualTo(0x525400abcdefL);
        assertThat(new MediaAddress().wrap(block, 0).mediaType()).isEqualTo(3);
    }

    @Test
    void boundsAreChecked() {
        assertThatThrownBy(() -> EthMedia.addrToMsg(MAC, 1, new byte[32], 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> EthMedia.addrToMsg(MAC, 0, new byte[32], 1))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> EthMedia.msgToAddr(new byte[9], 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(EthMedia.msgToAddr(new byte[10], 0)).isZero();
    }

    @Test
    void longConversionRoundTrips() {
        assertThat(EthMedia.toLong(MAC, 0)).isEqualTo(0x525400abcdefL);
        assertThat(EthMedia.fromLong(0x525400abcdefL)).isEqualTo(MAC);
        byte[] dst = new byte[7];
        EthMedia.fromLong(0xffff_0102_0304_0506L, dst, 1);
        assertThat(dst).containsExactly(0, 1, 2, 3, 4, 5, 6);
        assertThat(EthMedia.broadcastMac()).containsOnly(0xff);
        assertThat(EthMedia.toLong(EthMedia.broadcastMac(), 0)).isEqualTo(EthMedia.BROADCAST);
    }

    @Test
    void broadcastAndMulticast() {
        assertThat(EthMedia.isBroadcast(EthMedia.broadcastMac(), 0)).isTrue();
        assertThat(EthMedia.isMulticast(EthMedia.broadcastMac(), 0)).isTrue();
        assertThat(EthMedia.isBroadcast(MAC, 0)).isFalse();
        assertThat(EthMedia.isMulticast(MAC, 0)).isFalse();
        byte[] mcast = EthMedia.parse("01:00:5e:00:00:01");
        assertThat(EthMedia.isMulticast(mcast, 0)).isTrue();
        assertThat(EthMedia.isBroadcast(mcast, 0)).isFalse();
        assertThat(EthMedia.isBroadcast(EthMedia.parse("ff:ff:ff:ff:ff:fe"), 0)).isFalse();
    }

    @Test
    void textFormAsTheKernelPrintsIt() {
        assertThat(EthMedia.toString(MAC)).isEqualTo("52:54:00:ab:cd:ef");
        assertThat(EthMedia.parse("52:54:00:AB:cd:EF")).isEqualTo(MAC);
        assertThat(EthMedia.parse("52-54-00-ab-cd-ef")).isEqualTo(MAC);
        assertThatThrownBy(() -> EthMedia.parse("52:54:00:ab:cd")).hasMessageContaining("not a MAC");
        assertThatThrownBy(() -> EthMedia.parse("52:54:00:ab:cd:eg")).hasMessageContaining("bad hex digit at index 16");
        assertThatThrownBy(() -> EthMedia.parse("52:54:00.ab:cd:ef")).hasMessageContaining("bad separator at index 8");
        assertThatThrownBy(() -> EthMedia.parse(null)).hasMessageContaining("not a MAC");
        assertThatThrownBy(() -> EthMedia.toString(new byte[5])).hasMessageContaining("6 bytes");
    }

    /** Every discovery frame a 6.1 kernel sent in samples/eth-6.1.pcap: block = addrToMsg(source MAC). */
    @Test
    void kernelDiscoveryFramesCarryTheirSourceMacInTheMediaBlock() throws Exception {
        List<byte[]> frames = PcapFrames.read(PcapFrames.sample("eth-6.1.pcap"));
        int seen = 0;
        for (byte[] f : frames) {
            if (PcapFrames.ethertype(f) != EthMedia.ETH_P_TIPC || PcapFrames.tipcUser(f) != 13) {
                continue; // 13 = LINK_CONFIG (discovery), net/tipc/msg.h
            }
            int blockOff = 14 + Tipc.MEDIA_INFO_OFFSET; // Ethernet header, then w5
            byte[] src = Arrays.copyOfRange(f, 6, 12);
            assertThat(EthMedia.msgToAddr(f, blockOff)).isEqualTo(EthMedia.toLong(src, 0));
            assertThat(new MediaAddress().wrap(f, blockOff).mediaType()).isEqualTo(Tipc.MEDIA_TYPE_ETH);
            byte[] built = new byte[Tipc.MEDIA_INFO_SIZE];
            EthMedia.addrToMsg(src, 0, built, 0);
            assertThat(built).isEqualTo(Arrays.copyOfRange(f, blockOff, blockOff + Tipc.MEDIA_INFO_SIZE));
            seen++;
        }
        assertThat(seen).as("discovery frames in the capture").isGreaterThan(1);
    }
}
