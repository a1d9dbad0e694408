/**
 * The media layer both bearers share (bearer-common), below the protocol core and above the
 * Ethernet ({@code io.jtipc.bearer.eth}) and UDP ({@code io.jtipc.bearer.udp}) bearers.
 *
 * <ul>
 * <li>{@link io.jtipc.bearer.Media}: the I/O side of a bearer's media ({@code struct tipc_media}):
 *     send to a raw media address, broadcast, receive by thread or poll, MTU, own address, close;</li>
 * <li>{@link io.jtipc.bearer.ReceiveLoop} and {@link io.jtipc.bearer.ReceiveErrorBackoff}: the
 *     receive thread every media runs, and how it paces and reports failing receives;</li>
 * <li>{@link io.jtipc.bearer.LeadDriver} over a {@link io.jtipc.bearer.LeadSource}: the leader receive both bearers
 *     offer ({@link io.jtipc.bearer.Leadable}: a blocking application receive reads the socket itself), with
 *     {@link io.jtipc.bearer.ReceiveLock} (the receive lock a leader and the receive thread share) and
 *     {@link io.jtipc.bearer.LeadFaults} (how a leader reports failures);</li>
 * <li>{@link io.jtipc.bearer.NetNs}: create sockets inside a named network namespace from a JVM
 *     running in another one (the thread rule is explained there);</li>
 * <li>{@link io.jtipc.bearer.LibC}: the libc calls the bearers need, through jnr-ffi, and
 *     {@link io.jtipc.bearer.SyscallException}, a failed call in words;</li>
 * <li>{@link io.jtipc.bearer.LossGenerator}: receive-side fault injection for tests
 *     ({@link io.jtipc.bearer.RandomLossGenerator}).</li>
 * </ul>
 */
package io.jtipc.bearer;
