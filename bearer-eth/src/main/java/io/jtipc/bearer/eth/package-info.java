/**
 * The Ethernet bearer: raw TIPC frames (ethertype 0x88CA) over a Linux interface through an
 * {@code AF_PACKET} socket bound with jnr-ffi, no JNI code of ours.
 *
 * <ul>
 * <li>{@link io.jtipc.bearer.eth.AfPacketSocket}: the socket (SOCK_DGRAM, why is explained there),
 *     interface MAC/MTU/flags, non-blocking allocation-free send and receive with a timeout; its send side is
 *     {@code AfPacketTx} (the {@code sendmmsg} batch), its receive side {@code AfPacketRx} (the {@code recvmmsg}
 *     batch, the receive thread's and a leader's waits), both over {@code MmsgLayout}.</li>
 * <li>{@link io.jtipc.bearer.eth.EthMedia}: MAC helpers and the kernel's eth_media.c conversions
 *     over the wire module's {@link io.jtipc.wire.MediaAddress} block.</li>
 * <li>{@link io.jtipc.bearer.eth.EthBearer}: the Ethernet {@link io.jtipc.bearer.Media}, the thin
 *     shell the protocol core drives: send, broadcast, receive thread or event-loop poll, mtu,
 *     address, close.</li>
 * <li>{@link io.jtipc.bearer.eth.AfPacketException}: failures with an actionable message
 *     (missing CAP_NET_RAW, unknown interface, interface down, frame over the MTU, ...).</li>
 * </ul>
 *
 * Privileges: an AF_PACKET socket needs CAP_NET_RAW (root, or {@code setcap cap_net_raw+ep} on the
 * java binary); entering a network namespace ({@link io.jtipc.bearer.NetNs}, bearer-common)
 * needs CAP_SYS_ADMIN.
 */
package io.jtipc.bearer.eth;
