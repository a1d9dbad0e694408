package io.jtipc.node;

import java.util.Objects;

/**
 * Configuration of one bearer ({@code struct tipc_bearer}, net/tipc/bearer.c). Defaults are the kernel's
 * (bearer.c, eth_media.c): priority 10, tolerance 1500 ms, window 50 growing up to the bearer maximum (the media
 * default), MTU of the media.
 *
 * @param name      bearer name, e.g. "eth:eth0" (the part after ':' is the interface name sent in
 *                  RESET/ACTIVATE, at most 15 characters)
 * @param media     media type
 * @param ownAddr   this node's raw media address on the bearer (see {@link MediaType})
 * @param mtu       bearer MTU in bytes (advertised in RESET/ACTIVATE w9), at least 100
 * @param priority  link priority 0-31
 * @param tolerance link tolerance in ms, 50-30000
 * @param window    maximum link send window in packets (50-8191; the media's default is 8191 Ethernet, 50 UDP,
 *                  which does not cap a larger value, as the kernel's bearer max_win); the congestion window starts
 *                  at min(50, this)
 * @param domain    discovery domain, 0 = any node
 */
public record BearerConfig(String name, MediaType media, byte[] ownAddr, int mtu, int priority, int tolerance,
                           int window, int domain) {
    public BearerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(media, "media");
        Objects.requireNonNull(ownAddr, "ownAddr");
        if (ownAddr.length != media.addrLen()) {
            throw new IllegalArgumentException("media address must be " + media.addrLen() + " bytes");
        }
        if (mtu < 100) throw new IllegalArgumentException("mtu " + mtu + " < 100 (TIPC_MIN_BEARER_MTU)");
        if (priority < 0 || priority > 31) throw new IllegalArgumentException("priority not in 0-31");
        if (tolerance < 50 || tolerance > 30000) throw new IllegalArgumentException("tolerance not in 50-30000 ms");
        if (window < 50 || window > 8191) throw new IllegalArgumentException("window not in 50-8191");
        ownAddr = ownAddr.clone();
    }

    /** Ethernet bearer "eth:ifName" with kernel defaults (MTU 1500, priority 10, tolerance 1500 ms, window 50-8191). */
    public static BearerConfig ethernet(String ifName, byte[] mac) {
        return new BearerConfig("eth:" + ifName, MediaType.ETH, mac, 1500, 10, 1500, 8191, 0);
    }

    public BearerConfig withMtu(int m) {
        return new BearerConfig(name, media, ownAddr, m, priority, tolerance, window, domain);
    }

    public BearerConfig withTolerance(int t) {
        return new BearerConfig(name, media, ownAddr, mtu, priority, t, window, domain);
    }

    public BearerConfig withWindow(int w) {
        return new BearerConfig(name, media, ownAddr, mtu, priority, tolerance, w, domain);
    }

    /** Interface name: the part of {@link #name} after the first ':'. */
    public String ifName() {
        int i = name.indexOf(':');
        return i < 0 ? name : name.substring(i + 1);
    }

    @Override
    public byte[] ownAddr() {
        return ownAddr.clone();
    }
}
