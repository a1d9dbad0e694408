package io.jtipc.hostile;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;

import io.jtipc.bearer.udp.UdpMedia;
import io.jtipc.node.BearerConfig;
import io.jtipc.node.Link;
import io.jtipc.node.MediaType;
import io.jtipc.node.NodeConfig;
import io.jtipc.node.NodeCore;
import io.jtipc.node.Outbox;
import io.jtipc.wire.NodeId;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * A hostile TIPC peer on UDP loopback: a real {@link NodeCore} (so it discovers and links like any kernel or jtipc
 * node) driven by one thread over a plain {@link DatagramSocket}, plus raw sends for the attacks
 * ({@link io.jtipc.node.HostileKit} builds the frames). Every core access goes through {@link #withCore}, under one
 * lock, so attack code may read the link state and inject while the driver runs the core's timers.
 *
 * <p>Traffic only to 127.0.0.0/8: the constructor refuses any other address.
 */
final class UdpAttacker implements AutoCloseable, Outbox {
    final String identity;
    final InetSocketAddress self;
    final InetSocketAddress target;
    final byte[] maddr;
    private final DatagramSocket socket;
    private final NodeCore core;
    private final Thread driver;
    private final long t0 = System.nanoTime();
    private volatile boolean running = true;
    /** Received frames for which this returns true are not given to the core (e.g. a peer that never acks). */
    volatile Predicate<TipcMsg> deafTo = m -> false;
    final AtomicLong framesIn = new AtomicLong();
    final AtomicLong framesOut = new AtomicLong();

    /**
     * @param ifName the interface name its RESET/ACTIVATE announce (the part after "udp:" of the bearer name)
     */
    UdpAttacker(String identity, InetSocketAddress self, InetSocketAddress target, int netId, String ifName)
        throws IOException {
        if (!self.getAddress().isLoopbackAddress() || !target.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("hostile traffic only on loopback");
        }
        this.identity = identity;
        this.self = self;
        this.target = target;
        this.maddr = UdpMedia.mediaAddr(self);
        this.socket = new DatagramSocket(self);
        socket.setReceiveBufferSize(4 << 20);
        socket.setSendBufferSize(4 << 20);
        socket.setSoTimeout(5);
        int random = identity.hashCode() | 0x10000;
        this.core = new NodeCore(NodeConfig.of(NodeId.parse(identity), random, random).withNetId(netId));
        BearerConfig bc = new BearerConfig("udp:" + ifName, MediaType.UDP, maddr, UdpMedia.IPV4_MTU, 10, 1500, 50, 0);
        synchronized (this) {
            core.enableBearer(now(), bc, this);
        }
        driver = new Thread(this::drive, "attacker-" + identity);
        driver.setDaemon(true);
        driver.start();
    }

    long now() {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** Runs {@code f} on the core, excluding the driver; {@code f} gets the current time through {@link #now()}. */
    synchronized <T> T withCore(Function<NodeCore, T> f) {
        return f.apply(core);
    }

    /** This attacker's 32-bit node address (0 before its trial ends). */
    int address() {
        return withCore(NodeCore::ownAddr);
    }

    /** Its link to the target, if up (read it only inside {@link #withCore}). */
    Link link(NodeCore c, int targetAddr) {
        Link l = io.jtipc.node.HostileKit.linkTo(c, targetAddr);
        return l != null && l.isUp() ? l : null;
    }

    /** Waits up to {@code ms} for a link to {@code targetAddr} to be up. */
    boolean awaitLink(int targetAddr, long ms) throws InterruptedException {
        long end = System.nanoTime() + ms * 1_000_000;
        while (System.nanoTime() < end) {
            if (withCore(c -> link(c, targetAddr) != null)) return true;
            Thread.sleep(20);
        }
        return false;
    }

    /** The target's address as this attacker's core knows it, 0 if no peer yet. */
    int targetAddress() {
        return withCore(c -> c.peers().stream().findFirst().map(n -> n.addr()).orElse(0));
    }

    private void drive() {
        byte[] buf = new byte[65536];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        TipcMsg h = new TipcMsg();
        while (running) {
            try {
                p.setLength(buf.length);
                socket.receive(p);
                framesIn.incrementAndGet();
                h.wrap(buf, 0, p.getLength());
                if (p.getLength() >= Tipc.SHORT_H_SIZE && deafTo.test(h)) continue;
                synchronized (this) {
                    core.onFrame(now(), 0, null, buf, 0, p.getLength(), this);
                }
            } catch (SocketTimeoutException e) {
                // timers below
            } catch (IOException e) {
                if (!running) return;
            } catch (RuntimeException e) {
                // the core never throws on input; keep the attacker alive regardless
            }
            synchronized (this) {
                long now = now();
                if (core.nextDeadline() <= now) core.onTimer(now, this);
            }
        }
    }

    /** The core's output: to {@code dest} (a 20-byte UDP media address), or to the target for a "broadcast". */
    @Override
    public void send(int bearerId, byte[] dest, byte[] buf, int off, int len) {
        InetSocketAddress to = dest == null ? target : decode(dest);
        if (to == null || !to.getAddress().isLoopbackAddress()) return;
        sendTo(to, buf, off, len);
    }

    /** A raw datagram to the target. */
    void sendRaw(byte[] frame) {
        sendTo(target, frame, 0, frame.length);
    }

    private void sendTo(InetSocketAddress to, byte[] buf, int off, int len) {
        try {
            socket.send(new DatagramPacket(buf, off, len, to));
            framesOut.incrementAndGet();
        } catch (IOException e) {
            // loopback buffer full or closing: an attacker does not care
        }
    }

    private static InetSocketAddress decode(byte[] a) {
        if (a.length < 8 || (a[0] & 0xff) != 0x08 || a[1] != 0) return null;
        int port = (a[2] & 0xff) << 8 | (a[3] & 0xff);
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {a[4], a[5], a[6], a[7]}), port);
        } catch (IOException e) {
            return null;
        }
    }

    /** Stops like a node that goes away: RESET with the peer-stopping bit on every link, then closes the socket. */
    void shutdown() {
        synchronized (this) {
            core.shutdown(now(), this);
        }
    }

    @Override
    public void close() {
        running = false;
        socket.close();
        try {
            driver.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return identity + "@" + self.getAddress().getHostAddress() + ":" + self.getPort();
    }
}
