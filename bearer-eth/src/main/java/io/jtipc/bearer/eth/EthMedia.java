package io.jtipc.bearer.eth;

import java.util.Objects;

import io.jtipc.wire.MediaAddress;
import io.jtipc.wire.Tipc;

/**
 * Ethernet media addresses: the 6-byte MAC and its place in the 32-byte media address block of a
 * discovery (LINK_CONFIG) message, as {@code net/tipc/eth_media.c} converts them.
 *
 * <pre>
 * media address block (TIPC_MEDIA_INFO_SIZE = 32 bytes, message words w5..w12, net/tipc/bearer.h)
 *  byte  0   1   2   3     4   5   6   7   8   9   10 ............ 31
 *      +---+---+---+-----+---+---+---+---+---+---+------------------+
 *      | 0 | 0 | 0 | 1   |          MAC (6)      |    zero (22)     |
 *      +---+---+---+-----+---+---+---+---+---+---+------------------+
 *                    ^ TIPC_MEDIA_TYPE_OFFSET = 3, TIPC_MEDIA_TYPE_ETH = 1
 *                        ^ TIPC_MEDIA_ADDR_OFFSET = 4
 * </pre>
 *
 * <p>The block itself is the wire module's {@link MediaAddress} flyweight; this class adds the
 * kernel's Ethernet conversions on top of it. {@link #addrToMsg} is {@code tipc_eth_addr2msg}: the
 * block is zeroed, the type set to {@link Tipc#MEDIA_TYPE_ETH}, the MAC written at byte 4.
 * {@link #msgToAddr} is {@code tipc_eth_msg2addr} + {@code tipc_eth_raw2addr}: the 6 bytes at
 * offset 4 are taken as the MAC; like the kernel, the type byte is not checked (read it with
 * {@link MediaAddress#mediaType()}). The kernel marks a decoded address "broadcast" when it is
 * ff:ff:ff:ff:ff:ff ({@code is_broadcast_ether_addr}) and discovery drops such messages; see
 * {@link #isBroadcast}.
 *
 * <p>MACs are also handled as a {@code long} (48 low bits, first byte most significant) so a table
 * keyed by peer MAC needs no array allocation.
 */
public final class EthMedia {
    private EthMedia() {
    }

    /** ETH_P_TIPC, the TIPC ethertype (include/uapi/linux/if_ether.h); same as {@link Tipc#ETH_P_TIPC}. */
    public static final int ETH_P_TIPC = Tipc.ETH_P_TIPC;
    /** ETH_ALEN: bytes in a MAC. */
    public static final int MAC_LENGTH = 6;
    /** ff:ff:ff:ff:ff:ff as a long (see {@link #toLong}). */
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    /** A new array holding ff:ff:ff:ff:ff:ff, the destination of discovery and broadcast-link frames. */
    public static byte[] broadcastMac() {
        return fromLong(BROADCAST);
    }

    /**
     * Writes the Ethernet media address block ({@code tipc_eth_addr2msg}) into the 32 bytes at
     * {@code block[blockOff]} (message offset {@link Tipc#MEDIA_INFO_OFFSET} in a discovery
     * message): zeroes them, sets the type byte 3 to {@link Tipc#MEDIA_TYPE_ETH} and copies the MAC
     * to bytes 4..9, through {@link MediaAddress}.
     *
     * @throws IndexOutOfBoundsException if either range does not fit its array
     */
    public static void addrToMsg(byte[] mac, int macOff, byte[] block, int blockOff) {
        Objects.checkFromIndexSize(macOff, MAC_LENGTH, mac.length);
        Objects.checkFromIndexSize(blockOff, Tipc.MEDIA_INFO_SIZE, block.length);
        java.util.Arrays.fill(block, blockOff, blockOff + Tipc.MEDIA_INFO_SIZE, (byte) 0);
        new MediaAddress().wrap(block, blockOff).setMediaType(Tipc.MEDIA_TYPE_ETH).setMac(mac, macOff);
    }

    /**
     * Reads the MAC out of a media address block ({@code tipc_eth_msg2addr}): copies the 6 bytes at
     * {@link MediaAddress#macOffset()} to {@code mac[macOff ..]}. Any bytes are accepted, as in the
     * kernel; the caller decides what a broadcast or wrong-type block means.
     *
     * @throws IndexOutOfBoundsException if the block's first 10 bytes or the MAC do not fit
     */
    public static void msgToAddr(byte[] block, int blockOff, byte[] mac, int macOff) {
        Objects.checkFromIndexSize(blockOff, 4 + MAC_LENGTH, block.length);
        Objects.checkFromIndexSize(macOff, MAC_LENGTH, mac.length);
        System.arraycopy(block, new MediaAddress().wrap(block, blockOff).macOffset(), mac, macOff, MAC_LENGTH);
    }

    /** The MAC in a media address block as a long ({@link #msgToAddr(byte[], int, byte[], int)} without an array). */
    public static long msgToAddr(byte[] block, int blockOff) {
        Objects.checkFromIndexSize(blockOff, 4 + MAC_LENGTH, block.length);
        return toLong(block, new MediaAddress().wrap(block, blockOff).macOffset());
    }

    /** True for ff:ff:ff:ff:ff:ff ({@code is_broadcast_ether_addr}). */
    public static boolean isBroadcast(byte[] mac, int off) {
        return toLong(mac, off) == BROADCAST;
    }

    /** True when the group bit (bit 0 of the first byte) is set: multicast, broadcast included. */
    public static boolean isMulticast(byte[] mac, int off) {
        return (mac[off] & 1) != 0;
    }

    /** The 6 bytes at {@code mac[off..off+5]} as a long, first byte in bits 47-40. */
    public static long toLong(byte[] mac, int off) {
        Objects.checkFromIndexSize(off, MAC_LENGTH, mac.length);
        long v = 0;
        for (int i = 0; i < MAC_LENGTH; i++) {
            v = (v << 8) | (mac[off + i] & 0xFF);
        }
        return v;
    }

    /** Writes the low 48 bits of {@code mac} to {@code dst[off..off+5]}, first byte from bits 47-40. */
    public static void fromLong(long mac, byte[] dst, int off) {
        Objects.checkFromIndexSize(off, MAC_LENGTH, dst.length);
        for (int i = MAC_LENGTH - 1; i >= 0; i--) {
            dst[off + i] = (byte) mac;
            mac >>>= 8;
        }
    }

    /** A new 6-byte array for the low 48 bits of {@code mac}. */
    public static byte[] fromLong(long mac) {
        byte[] b = new byte[MAC_LENGTH];
        fromLong(mac, b, 0);
        return b;
    }

    /** "aa:bb:cc:dd:ee:ff", lower-case hex as the kernel prints it ({@code %pM}, tipc_eth_addr2str). */
    public static String toString(byte[] mac, int off) {
        Objects.checkFromIndexSize(off, MAC_LENGTH, mac.length);
        StringBuilder sb = new StringBuilder(17);
        for (int i = 0; i < MAC_LENGTH; i++) {
            if (i > 0) {
                sb.append(':');
            }
            int b = mac[off + i] & 0xFF;
            sb.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }

    /** {@link #toString(byte[], int)} of a 6-byte array. */
    public static String toString(byte[] mac) {
        if (mac.length != MAC_LENGTH) {
            throw new IllegalArgumentException("a MAC has 6 bytes, got " + mac.length);
        }
        return toString(mac, 0);
    }

    /**
     * Parses "aa:bb:cc:dd:ee:ff" (':' or '-' separated, either case, two hex digits per byte).
     *
     * @throws IllegalArgumentException naming the problem if {@code text} is not such a MAC
     */
    public static byte[] parse(String text) {
        if (text == null || text.length() != 17) {
            throw new IllegalArgumentException("not a MAC address (want aa:bb:cc:dd:ee:ff): " + text);
        }
        byte[] mac = new byte[MAC_LENGTH];
        for (int i = 0; i < MAC_LENGTH; i++) {
            int p = i * 3;
            int hi = Character.digit(text.charAt(p), 16);
            int lo = Character.digit(text.charAt(p + 1), 16);
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException("not a MAC address, bad hex digit at index "
                        + (hi < 0 ? p : p + 1) + ": " + text);
            }
            if (i < MAC_LENGTH - 1) {
                char sep = text.charAt(p + 2);
                if (sep != ':' && sep != '-') {
                    throw new IllegalArgumentException("not a MAC address, bad separator at index " + (p + 2) + ": " + text);
                }
            }
            mac[i] = (byte) (hi << 4 | lo);
        }
        return mac;
    }
}
