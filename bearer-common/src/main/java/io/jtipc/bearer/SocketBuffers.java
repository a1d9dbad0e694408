package io.jtipc.bearer;

import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel socket buffer sizes the bearers ask for, and the one-time log line when the kernel grants less.
 *
 * <p>Why: a TIPC link may have up to {@code TIPC_MAX_LINK_WIN} = 8 191 packets in flight (net/tipc/link.c,
 * the window the kernel negotiates up to), and a peer sends a whole window back to back. The kernel's
 * default socket receive buffer ({@code net.core.rmem_default}, 208 KiB here) holds about 150 full
 * Ethernet frames once skb overhead is counted; every frame beyond it is dropped by the kernel
 * ({@code sk_rmem_schedule} fails, PACKET_STATISTICS tp_drops / UDP RcvbufErrors) and comes back as a
 * link retransmission. Measured on a veth pair (issue 14): 14 % retransmissions during a stream with the
 * default buffer, 0 with 16 MiB. The kernel's own TIPC bearer has no such socket (frames go straight from
 * the driver to {@code tipc_rcv}), so this is a user-space cost the bearer shells pay to match it.
 *
 * <p>How: the bearer requests {@link #DEFAULT_RECEIVE_BUFFER_BYTES} and {@link #DEFAULT_SEND_BUFFER_BYTES}
 * with {@code SO_RCVBUFFORCE}/{@code SO_SNDBUFFORCE} when it can (CAP_NET_ADMIN: not limited by
 * {@code net.core.rmem_max}/{@code wmem_max}), else plain {@code SO_RCVBUF}/{@code SO_SNDBUF}, which the
 * kernel caps at rmem_max/wmem_max. The kernel stores twice the value asked (sock_setsockopt: the other half
 * is bookkeeping) and {@code getsockopt} reports the doubled value; a grant is "short" when the reported
 * value is below the bytes requested. A short grant is logged once per process (WARNING-free: INFO), naming
 * the sysctl to raise; the bearer works either way, with more retransmissions under bursts.
 */
public final class SocketBuffers {
    /** Receive buffer a bearer socket requests by default: 16 MiB (16 777 216 bytes, ~11 000 frames of 1 500 B). */
    public static final int DEFAULT_RECEIVE_BUFFER_BYTES = 16 << 20;
    /** Send buffer a bearer socket requests by default: 16 MiB (16 777 216 bytes). */
    public static final int DEFAULT_SEND_BUFFER_BYTES = 16 << 20;

    private static final Logger LOG = LoggerFactory.getLogger(SocketBuffers.class);
    private static final AtomicBoolean LOGGED_SHORT = new AtomicBoolean();

    private SocketBuffers() {
    }

    /**
     * Logs (once per process, INFO; later ones at DEBUG) that {@code socket}'s {@code which} buffer ("receive"
     * or "send") was granted {@code granted} bytes (as getsockopt reports it) for {@code requested} asked.
     * Does nothing when {@code granted >= requested}.
     *
     * @return true when the grant was short
     */
    public static boolean checkGrant(String socket, String which, int requested, int granted) {
        if (granted >= requested) {
            return false;
        }
        String sysctl = "receive".equals(which) ? "net.core.rmem_max" : "net.core.wmem_max";
        String m = socket + ": the kernel granted a " + which + " buffer of " + granted + " bytes for "
                + requested + " requested (capped by " + sysctl + "; SO_" + ("receive".equals(which) ? "RCV" : "SND")
                + "BUFFORCE needs CAP_NET_ADMIN): bursts beyond it are dropped and retransmitted by the link";
        if (LOGGED_SHORT.compareAndSet(false, true)) {
            LOG.info(m);
        } else {
            LOG.debug(m);
        }
        return true;
    }
}
