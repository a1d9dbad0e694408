package io.jtipc.bearer.eth;

import java.io.IOException;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The Ethernet bearer's I/O shell: one {@link AfPacketSocket} for ethertype 0x88CA on one interface,
 * moving whole TIPC messages between the wire and the sans-IO protocol core. It holds no protocol
 * state: the core decides what to send where; the bearer sends it and hands every received frame
 * with its source MAC back.
 *
 * <p>Two ways to receive, choose one per bearer:
 * <ul>
 * <li>{@link #start}: a receive thread ({@code jtipc-eth-rx-<ifname>}) calls a {@link FrameHandler}
 *     for every frame;</li>
 * <li>{@link #poll}: the caller's event loop asks for the next frame with a timeout (0 = do not
 *     wait) and uses {@link #wakeup()} to interrupt a wait.</li>
 * </ul>
 * Neither allocates per frame: the handler gets the bearer's own buffers, valid only during the
 * call; copy what you keep.
 *
 * <p>As the kernel ({@code tipc_enable_l2_media}, net/tipc/bearer.c) does, opening refuses the
 * loopback device, an interface that is not Ethernet (ARPHRD_ETHER) and an MTU below
 * {@link #MIN_BEARER_MTU}. Received lengths are Ethernet payload lengths; a short TIPC message
 * arrives padded to 46 bytes on real NICs, so the core takes the message size from the TIPC header.
 */
public final class EthBearer implements AutoCloseable {
    /** TIPC_MIN_BEARER_MTU = MAX_H_SIZE + INT_H_SIZE = 60 + 40 bytes (net/tipc/bearer.h). */
    public static final int MIN_BEARER_MTU = 100;

    /** Receives frames on the bearer's receive thread. */
    @FunctionalInterface
    public interface FrameHandler {
        /**
         * One received frame.
         *
         * @param srcMac 6-byte source MAC (reused for the next frame)
         * @param frame  buffer holding the Ethernet payload, the TIPC message, at index 0 (reused)
         * @param length payload length in bytes
         */
        void onFrame(byte[] srcMac, byte[] frame, int length);
    }

    private static final System.Logger LOG = System.getLogger(EthBearer.class.getName());

    private final AfPacketSocket socket;
    private final byte[] address;
    private volatile Thread rxThread;
    private volatile boolean running;
    private volatile long handlerFailures;
    private volatile long receiveErrors;

    private EthBearer(AfPacketSocket socket) throws IOException {
        this.socket = socket;
        String ifname = socket.interfaceName();
        if ((socket.flags() & AfPacketSocket.IFF_LOOPBACK) != 0) {
            throw new IllegalArgumentException("interface " + ifname
                    + " is a loopback device; TIPC does not run a bearer over loopback");
        }
        int hw = socket.hardwareType();
        if (hw != AfPacketSocket.ARPHRD_ETHER) {
            throw new IllegalArgumentException("interface " + ifname + " is not an Ethernet device (hardware type "
                    + hw + ", want ARPHRD_ETHER 1)");
        }
        int mtu = socket.mtu();
        if (mtu < MIN_BEARER_MTU) {
            throw new IllegalArgumentException("interface " + ifname + " has MTU " + mtu + ", TIPC needs at least "
                    + MIN_BEARER_MTU);
        }
        this.address = socket.macAddress();
    }

    /**
     * Opens the bearer on interface {@code ifname} of the calling thread's network namespace.
     *
     * @throws AfPacketException     "AF_PACKET needs CAP_NET_RAW ...", "no such interface X", ...
     * @throws IllegalArgumentException for loopback, a non-Ethernet device or an MTU below 100
     */
    public static EthBearer open(String ifname) throws IOException {
        return open(null, ifname);
    }

    /**
     * Opens the bearer on interface {@code ifname} inside network namespace {@code netns} (name under
     * /var/run/netns or a path; null = the caller's namespace). See {@link NetNs} for the thread rule.
     *
     * @throws AfPacketException as {@link #open(String)}, or "no such network namespace X", or
     *         entering it needs CAP_SYS_ADMIN
     * @throws IllegalArgumentException as {@link #open(String)}
     */
    public static EthBearer open(String netns, String ifname) throws IOException {
        AfPacketSocket s = AfPacketSocket.open(netns, ifname, EthMedia.ETH_P_TIPC);
        try {
            return new EthBearer(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * A bearer over an already open socket (which must use ethertype 0x88CA); the bearer owns it
     * from now on and closes it.
     */
    public static EthBearer over(AfPacketSocket socket) throws IOException {
        if (socket.ethertype() != EthMedia.ETH_P_TIPC) {
            throw new IllegalArgumentException("socket ethertype is 0x" + Integer.toHexString(socket.ethertype())
                    + ", a TIPC bearer needs 0x88ca");
        }
        return new EthBearer(socket);
    }

    /** Bearer name as the kernel names it: {@code eth:<ifname>}. */
    public String name() {
        return "eth:" + socket.interfaceName();
    }

    /** Interface name. */
    public String interfaceName() {
        return socket.interfaceName();
    }

    /** The bearer's media address: the interface MAC read at open, as a new 6-byte array. */
    public byte[] address() {
        return address.clone();
    }

    /** Writes the bearer's MAC to {@code dst[off..off+5]}. */
    public void address(byte[] dst, int off) {
        System.arraycopy(address, 0, dst, off, EthMedia.MAC_LENGTH);
    }

    /** The interface's current MTU in bytes (read from the device each call): the largest TIPC message sendable. */
    public int mtu() throws IOException {
        return socket.mtu();
    }

    /** True when the interface is up with carrier (IFF_UP and IFF_RUNNING). */
    public boolean isUp() throws IOException {
        int f = socket.flags();
        return (f & AfPacketSocket.IFF_UP) != 0 && (f & AfPacketSocket.IFF_RUNNING) != 0;
    }

    /** The underlying socket (for counters and {@link AfPacketSocket#lastPacketType()}). */
    public AfPacketSocket socket() {
        return socket;
    }

    /**
     * Sends a TIPC message {@code frame[off..off+len)} to {@code destMac} (6 bytes). Never blocks.
     *
     * @return true if sent, false if dropped because the send queue is full (retransmission covers it)
     * @throws AfPacketException for a message over the MTU, a down or vanished interface
     */
    public boolean send(byte[] destMac, byte[] frame, int off, int len) throws IOException {
        return socket.send(destMac, 0, frame, off, len);
    }

    private static final byte[] BROADCAST_MAC = EthMedia.broadcastMac();

    /** Sends to ff:ff:ff:ff:ff:ff, as discovery and the broadcast link do; see {@link #send}. */
    public boolean broadcast(byte[] frame, int off, int len) throws IOException {
        return socket.send(BROADCAST_MAC, 0, frame, off, len);
    }

    /**
     * Event-loop receive: see {@link AfPacketSocket#receive(byte[], int, int, byte[], int, int)}.
     *
     * @return payload length, {@link AfPacketSocket#TIMEOUT} or {@link AfPacketSocket#WAKEUP}
     * @throws IllegalStateException if the receive thread was started
     */
    public int poll(byte[] buf, int off, int len, byte[] srcMac, int timeoutMs) throws IOException {
        if (rxThread != null) {
            throw new IllegalStateException("bearer " + name() + " has a receive thread; poll() is for event loops");
        }
        return socket.receive(buf, off, len, srcMac, 0, timeoutMs);
    }

    /** Makes a waiting {@link #poll} (or the next one) return {@link AfPacketSocket#WAKEUP}. */
    public void wakeup() {
        socket.wakeup();
    }

    /**
     * Starts the receive thread; each frame goes to {@code handler}. An exception from the handler
     * is logged and counted ({@link #handlerFailures()}) and the loop goes on; a receive error
     * (ENETDOWN while the interface is down, ...) goes to {@code onError} (null = log it), is counted
     * ({@link #receiveErrors()}) and the loop goes on after 20 ms.
     *
     * @throws IllegalStateException if already started or closed
     */
    public synchronized void start(FrameHandler handler, Consumer<IOException> onError) {
        Objects.requireNonNull(handler, "handler");
        if (rxThread != null) {
            throw new IllegalStateException("bearer " + name() + " already started");
        }
        if (!socket.isOpen()) {
            throw new IllegalStateException("bearer " + name() + " is closed");
        }
        running = true;
        Thread t = new Thread(() -> receiveLoop(handler, onError), "jtipc-eth-rx-" + socket.interfaceName());
        t.setDaemon(true);
        rxThread = t;
        t.start();
    }

    private void receiveLoop(FrameHandler handler, Consumer<IOException> onError) {
        ReceiveErrorBackoff errors = new ReceiveErrorBackoff(name(), LOG);
        byte[] buf = new byte[AfPacketSocket.MAX_FRAME];
        byte[] src = new byte[EthMedia.MAC_LENGTH];
        while (running) {
            int n;
            try {
                n = socket.receive(buf, 0, buf.length, src, 0, -1);
            } catch (IOException e) {
                if (!running || !socket.isOpen()) {
                    break;
                }
                receiveErrors++;
                try {
                    Thread.sleep(errors.failed(e, onError));
                } catch (InterruptedException ie) {
                    break;
                }
                continue;
            }
            errors.succeeded();
            if (n < 0) {
                continue; // WAKEUP (close sets running = false first) or TIMEOUT
            }
            try {
                handler.onFrame(src, buf, n);
            } catch (RuntimeException e) {
                handlerFailures++;
                LOG.log(System.Logger.Level.WARNING, "frame handler of " + name() + " failed", e);
            }
        }
    }

    /** Handler calls that threw. */
    public long handlerFailures() {
        return handlerFailures;
    }

    /** Receive errors seen by the receive thread. */
    public long receiveErrors() {
        return receiveErrors;
    }

    /**
     * Stops the receive thread (wakes it and waits up to 5 s for it to end, unless called from the
     * handler itself) and closes the socket. Idempotent.
     */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            t = rxThread;
        }
        socket.wakeup();
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        socket.close();
    }

    @Override
    public String toString() {
        return "EthBearer[" + name() + " " + EthMedia.toString(address) + "]";
    }
}
