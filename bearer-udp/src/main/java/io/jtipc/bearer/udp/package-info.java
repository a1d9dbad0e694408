/**
 * The UDP bearer's I/O shell: TIPC over IPv4/IPv6 UDP ({@code net/tipc/udp_media.c}) on
 * {@link java.nio.channels.DatagramChannel}, no root needed.
 *
 * <ul>
 * <li>{@link io.jtipc.bearer.udp.UdpBearer}: the UDP {@link io.jtipc.bearer.Media}: open (optionally
 *     inside a network namespace), send to a peer's media address, broadcast (multicast group or
 *     replicast copies), receive by thread, by poll or by a leading thread; with {@code UdpTx} (the
 *     {@code sendmmsg} send batch), {@code UdpRx} (the receive side) and {@code UdpRxBatch} (its
 *     {@code recvmmsg} batch), {@code UdpSockets} (socket set-up),
 *     {@code ReplicastPeers} (peers added/removed/learnt at run time) and the address caches;</li>
 * <li>{@link io.jtipc.bearer.udp.UdpBearerConfig}: local IP[:port], multicast group or replicast
 *     peers and socket options, as {@code tipc bearer enable media udp ...} takes them;</li>
 * <li>{@link io.jtipc.bearer.udp.UdpMedia}: the raw UDP media address ({@code struct udp_media_addr})
 *     and its discovery block (through the wire module's {@link io.jtipc.wire.MediaAddress}),
 *     iproute2's default group rule, MTU constants, parsing;</li>
 * <li>{@link io.jtipc.bearer.udp.UdpBearerException}: errors in plain words with a reason.</li>
 * </ul>
 */
package io.jtipc.bearer.udp;
