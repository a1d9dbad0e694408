package io.jtipc.node;

/**
 * An enabled bearer ({@code struct tipc_bearer}, net/tipc/bearer.c): a slot id 0-2, its configuration and
 * its {@link Discoverer}.
 */
public final class Bearer {
    /** MAX_BEARERS. */
    public static final int MAX_BEARERS = 3;

    final int id;
    BearerConfig config;
    final byte[] ownAddr;
    Discoverer disc;
    /** Neighbour monitor of this bearer (tipc_mon_create), made with the bearer's first link; null before. */
    Monitor mon;

    Bearer(int id, BearerConfig config) {
        this.id = id;
        this.config = config;
        this.ownAddr = config.ownAddr();
    }

    /**
     * bearer.c tipc_enable_bearer's checks: the first free slot for a bearer named as {@code cfg}.
     *
     * @throws IllegalStateException if all {@link #MAX_BEARERS} slots are used or a bearer has the same name
     */
    static int freeSlot(Bearer[] bearers, BearerConfig cfg) {
        int id = -1;
        for (int i = 0; i < bearers.length; i++) {
            if (bearers[i] != null && bearers[i].config.name().equals(cfg.name())) {
                throw new IllegalStateException("bearer " + cfg.name() + " already enabled");
            }
            if (bearers[i] == null && id < 0) id = i;
        }
        if (id < 0) throw new IllegalStateException("all " + MAX_BEARERS + " bearer slots in use");
        return id;
    }

    /**
     * bearer.c tipc_enable_bearer's priority rule: a bearer asking for the priority two enabled bearers already have
     * gets one less ("already 2 bearers with priority N", then "trying with adjusted priority"); at priority 0 it is
     * refused ("cannot adjust to lower"). With at most 3 bearers one step is all it can take.
     *
     * @return {@code cfg}, or a copy with the adjusted priority
     * @throws IllegalStateException if the priority is 0 and two bearers have it
     */
    static BearerConfig withFreePriority(Bearer[] bearers, BearerConfig cfg, java.util.function.Consumer<String> log) {
        int same = 0;
        for (Bearer b : bearers) if (b != null && b.config.priority() == cfg.priority()) same++;
        if (same < 2) return cfg;
        log.accept("bearer <" + cfg.name() + ">: already 2 bearers with priority " + cfg.priority()
            + (cfg.priority() == 0 ? ", cannot adjust to lower" : ", enabled with priority " + (cfg.priority() - 1)));
        if (cfg.priority() == 0) {
            throw new IllegalStateException("bearer " + cfg.name() + ": already 2 bearers with priority 0, cannot adjust"
                + " to lower");
        }
        return new BearerConfig(cfg.name(), cfg.media(), cfg.ownAddr(), cfg.mtu(), cfg.priority() - 1, cfg.tolerance(),
            cfg.window(), cfg.domain());
    }

    public int id() { return id; }

    public BearerConfig config() { return config; }

    public Discoverer discoverer() { return disc; }

    /** This bearer's neighbour monitor ({@code tipc link monitor}); null until the bearer has had a link. */
    public Monitor monitor() { return mon; }

    /**
     * tipc_bearer_min_mtu (net/tipc/bearer.c), in bytes: TIPC_MIN_BEARER_MTU = MAX_H_SIZE + INT_H_SIZE (100) plus the
     * bearer's encap_hlen (udp_media.c): 0 Ethernet, 28 UDP/IPv4 (IP 20 + UDP 8), 48 UDP/IPv6 (IP 40 + UDP 8); the
     * family is the proto of the own media address (0x86DD IPv6).
     */
    int minMtu() {
        return minMtu(config.media(), config.ownAddr());
    }

    static int minMtu(MediaType media, byte[] ownAddr) {
        if (media != MediaType.UDP) return 100;
        boolean v6 = (ownAddr[0] & 0xFF) == 0x86 && (ownAddr[1] & 0xFF) == 0xDD;
        return 100 + (v6 ? 48 : 28);
    }
}
