package io.jtipc.node;

import java.util.Arrays;

import io.jtipc.wire.MediaAddress;
import io.jtipc.wire.Tipc;

/**
 * A bearer media type ({@code struct tipc_media}, net/tipc/bearer.h): how a raw media address is
 * written into / read from the 32-byte media address block of discovery messages
 * ({@code addr2msg}/{@code msg2addr} in eth_media.c, udp_media.c) and which addresses are
 * broadcast/multicast (such discovery messages are rejected, discover.c {@code tipc_disc_rcv}).
 *
 * <p>Raw address shapes: Ethernet = 6-byte MAC; UDP = 20-byte {@code struct udp_media_addr}
 * (proto BE16, port BE16, 16-byte IP union: IPv4 in the first 4 bytes).
 */
public enum MediaType {
    /** eth_media.c: type 1, MAC in block bytes 4-9; default MTU 1500, tolerance 1500 ms, window 50/8191. */
    ETH(Tipc.MEDIA_TYPE_ETH, 6, 1500, 8191),
    /** udp_media.c: type 3, struct udp_media_addr in block bytes 4-23; MTU 14000 (IPv4), window 50/50. */
    UDP(Tipc.MEDIA_TYPE_UDP, 20, 14000, 50);

    private final int type;
    private final int addrLen;
    private final int defaultMtu;
    private final int maxWindow;

    MediaType(int type, int addrLen, int defaultMtu, int maxWindow) {
        this.type = type;
        this.addrLen = addrLen;
        this.defaultMtu = defaultMtu;
        this.maxWindow = maxWindow;
    }

    /** Media type byte (block byte 3), bearer.h TIPC_MEDIA_TYPE_*. */
    public int type() { return type; }

    /** Raw address length in bytes. */
    public int addrLen() { return addrLen; }

    /** Default bearer MTU, bytes. */
    public int defaultMtu() { return defaultMtu; }

    /**
     * Media maximum link window, packets (eth_media.c/udp_media.c {@code max_win}): the default of a new bearer's
     * window, which the bearer's own setting replaces (bearer.c).
     */
    public int maxWindow() { return maxWindow; }

    /** Writes {@code addr} as a 32-byte media block at {@code off} (zeroing the block first). */
    public void addrToMsg(byte[] addr, byte[] buf, int off) {
        Arrays.fill(buf, off, off + Tipc.MEDIA_INFO_SIZE, (byte) 0);
        buf[off + 3] = (byte) type;
        System.arraycopy(addr, 0, buf, off + 4, addrLen);
    }

    /**
     * Reads the raw address from the block at {@code off}; null if the block's type byte is not this
     * media's (the kernel's msg2addr would read garbage; we reject).
     */
    public byte[] msgToAddr(byte[] buf, int off) {
        MediaAddress m = new MediaAddress().wrap(buf, off);
        if (m.mediaType() != type) return null;
        return Arrays.copyOfRange(buf, off + 4, off + 4 + addrLen);
    }

    /** True if the address is a broadcast/multicast address (Ethernet group bit; IPv4 224/4, IPv6 ff00::/8). */
    public boolean isBroadcast(byte[] addr) {
        if (this == ETH) return (addr[0] & 1) != 0;
        int proto = ((addr[0] & 0xff) << 8) | (addr[1] & 0xff);
        if (proto == MediaAddress.UDP_PROTO_IPV4) return (addr[4] & 0xf0) == 0xe0;
        return (addr[4] & 0xff) == 0xff;
    }
}
