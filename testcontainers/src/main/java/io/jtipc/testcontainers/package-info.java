/**
 * Testcontainers for TIPC: {@link io.jtipc.testcontainers.TipcKernelContainer} (a Linux kernel TIPC node with the
 * lab's agent, natively or under qemu), {@link io.jtipc.testcontainers.TipcNetwork} (an internal link-local
 * Docker network and the bearer a jtipc node joins it with) and {@link io.jtipc.testcontainers.TipcImages} (the
 * docker/ images, built from Debian packages without a registry).
 */
package io.jtipc.testcontainers;
