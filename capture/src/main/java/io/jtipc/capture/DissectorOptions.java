package io.jtipc.capture;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Options of a {@link TipcCaptureDissector}. Immutable; build with {@link #builder()}.
 */
public final class DissectorOptions {
    /** IANA port of TIPC over UDP (iproute2's default local/remote port). */
    public static final int TIPC_UDP_PORT = 6118;

    private final List<byte[]> keys;
    private final Set<Integer> extraUdpPorts;
    private final long ipReassemblyTimeoutNanos;
    private final int ipReassemblyMaxBytes;

    private DissectorOptions(Builder b) {
        List<byte[]> k = new ArrayList<>();
        for (byte[] key : b.keys) k.add(key.clone());
        this.keys = Collections.unmodifiableList(k);
        this.extraUdpPorts = Collections.unmodifiableSet(new LinkedHashSet<>(b.extraUdpPorts));
        this.ipReassemblyTimeoutNanos = b.ipReassemblyTimeoutNanos;
        this.ipReassemblyMaxBytes = b.ipReassemblyMaxBytes;
    }

    /** Default options: no keys, UDP port 6118 only. */
    public static DissectorOptions defaults() { return builder().build(); }

    public static Builder builder() { return new Builder(); }

    /**
     * Master keys as given to {@code tipc node set key}: AES key (16, 24 or 32 bytes) followed by the
     * 4-byte salt, i.e. 20, 28 or 36 bytes each. Unmodifiable; the arrays are copies owned by the options.
     */
    public List<byte[]> keys() { return keys; }

    /** UDP ports besides 6118 whose payload is taken as TIPC. Unmodifiable. */
    public Set<Integer> extraUdpPorts() { return extraUdpPorts; }

    /** Capture-time limit for completing an IP datagram from fragments, ns (default 30 s, as ipfrag_time). */
    public long ipReassemblyTimeoutNanos() { return ipReassemblyTimeoutNanos; }

    /** Most bytes held for incomplete IP datagrams at once (default 8 MiB); the oldest are dropped beyond. */
    public int ipReassemblyMaxBytes() { return ipReassemblyMaxBytes; }

    /**
     * Parses a key string as {@code tipc node set key} takes it: "0x" and hex digits, or text (iproute2's
     * {@code str2key}), plus 40, 56 or 72 hex digits without "0x"; AES-128/192/256 key + 4-byte salt
     * ({@link io.jtipc.wire.AeadKey#parseKey}).
     *
     * @throws IllegalArgumentException with a message saying what is wrong
     */
    public static byte[] parseKey(String s) {
        return io.jtipc.wire.AeadKey.parseKey(s);
    }

    /** Builder of {@link DissectorOptions}. */
    public static final class Builder {
        private final List<byte[]> keys = new ArrayList<>();
        private final Set<Integer> extraUdpPorts = new LinkedHashSet<>();
        private long ipReassemblyTimeoutNanos = 30_000_000_000L;
        private int ipReassemblyMaxBytes = 8 << 20;

        private Builder() {
        }

        /** Adds a master key (AES key + 4-byte salt: 20, 28 or 36 bytes). */
        public Builder addKey(byte[] keyAndSalt) {
            int n = keyAndSalt.length;
            if (n != 20 && n != 28 && n != 36) {
                throw new IllegalArgumentException("key must be 20, 28 or 36 bytes (AES key + 4-byte salt), got " + n);
            }
            keys.add(keyAndSalt.clone());
            return this;
        }

        /** Adds a UDP port (1..65535) carrying TIPC besides 6118. */
        public Builder addUdpPort(int port) {
            if (port < 1 || port > 65535) throw new IllegalArgumentException("UDP port must be 1..65535, got " + port);
            extraUdpPorts.add(port);
            return this;
        }

        public Builder ipReassemblyTimeoutNanos(long ns) {
            if (ns <= 0) throw new IllegalArgumentException("timeout must be positive");
            ipReassemblyTimeoutNanos = ns;
            return this;
        }

        public Builder ipReassemblyMaxBytes(int bytes) {
            if (bytes < 65536) throw new IllegalArgumentException("need at least 65536 bytes for IP reassembly");
            ipReassemblyMaxBytes = bytes;
            return this;
        }

        public DissectorOptions build() { return new DissectorOptions(this); }
    }
}
