/**
 * The kernel TIPC lab: real Linux TIPC nodes (Debian's 5.10, 6.1 and 6.12 cloud kernels under
 * {@code qemu-system-x86_64 -accel tcg}) on a bridge in a network namespace the lab creates, for
 * interop tests, captures and demos. Needs root; the host kernel needs no TIPC.
 *
 * <ul>
 *   <li>{@link io.jtipc.lab.Lab}: the namespace and bridge; boots {@link io.jtipc.lab.KernelNode}s,
 *       adds {@link io.jtipc.lab.Veth} ports for jtipc nodes, runs host processes or a JVM in the
 *       namespace ({@link io.jtipc.lab.NetnsProcess}: {@code startInNetns}, {@code startJava}), captures
 *       ({@link io.jtipc.lab.PacketCapture});
 *       {@code close()} (also from a shutdown hook) leaves nothing behind.</li>
 *   <li>{@link io.jtipc.lab.KernelNode}: {@code exec}, {@code tipc(...)}, {@code startAgent(...)} (the
 *       guest's {@code tipc-agent}: RDM / SEQPACKET / STREAM echo and ping, publish, subscribe,
 *       group), {@code impair(netem)}, {@code kill()}, {@code reboot()}, console log.</li>
 *   <li>{@link io.jtipc.lab.LabImages}: kernel download and initramfs build, cached
 *       ({@code $JTIPC_LAB_CACHE} or {@code ~/.cache/jtipc-lab}).</li>
 *   <li>Failures are {@link io.jtipc.lab.LabException}s naming the stage (download, boot, module
 *       load, link timeout, ...) with the guest console attached.</li>
 * </ul>
 *
 * <p>This module needs nothing but the JDK. Its use in JUnit 5 tests ({@code LabExtension}: one lab per test
 * class, tests skipped with the reason where the lab cannot run; {@code CaptureCheck}: a capture dissected by
 * jtipc's capture module must be clean) is the module {@code lab-junit}, package {@code io.jtipc.lab.junit}.
 *
 * <p>The guest recipe (agent C source, /init, module list, image build script) lives in the
 * repository's {@code docker/peer/} and ships in this jar as resources {@code io/jtipc/lab/peer/}.
 */
package io.jtipc.lab;
