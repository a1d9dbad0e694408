package io.jtipc.node;

import java.util.List;
import java.util.Objects;

/**
 * Encryption settings of a node (Linux 6.1 net/tipc/crypto.c, {@code tipc node set key}, sysctl
 * {@code net.tipc.key_exchange_enabled}).
 *
 * @param keys            keys set at start, in order (as successive {@code tipc node set key} commands)
 * @param rekeyingMinutes automatic rekeying interval, minutes ({@code rekeying_intv}; the kernel's default 1440 =
 *                        one day; 0 = never). A new key needs {@code entropy}
 * @param strict          jtipc's stricter mode (the kernel has none): once a key is set, plaintext frames are dropped
 *                        and counted ({@link NodeCrypto#plaintextDropped()}). Off by default: 6.1 accepts them
 * @param keyExchange     sysctl {@code key_exchange_enabled} (default true): send KEY_DISTR messages and take those
 *                        received (link.c tipc_data_input)
 * @param entropy         fills arrays with secure random bytes (e.g. {@code SecureRandom::nextBytes}) for the session
 *                        keys of rekeying; the sans-IO core has no randomness source of its own fit for keys. Null:
 *                        no rekeying
 */
public record CryptoConfig(List<NodeKey> keys, int rekeyingMinutes, boolean strict, boolean keyExchange,
                           KeySource entropy) {
    /** Source of key bytes. */
    @FunctionalInterface
    public interface KeySource {
        void nextBytes(byte[] b);
    }

    public CryptoConfig {
        keys = List.copyOf(Objects.requireNonNull(keys, "keys"));
        if (rekeyingMinutes < 0) throw new IllegalArgumentException("rekeying interval < 0");
    }

    /** The given keys with the kernel's defaults: rekeying every 1440 minutes, not strict, key exchange on. */
    public static CryptoConfig of(KeySource entropy, NodeKey... keys) {
        return new CryptoConfig(List.of(keys), NodeCrypto.REKEYING_INTV_DEF, false, true, entropy);
    }

    public CryptoConfig withStrict(boolean s) {
        return new CryptoConfig(keys, rekeyingMinutes, s, keyExchange, entropy);
    }

    public CryptoConfig withRekeying(int minutes) {
        return new CryptoConfig(keys, minutes, strict, keyExchange, entropy);
    }
}
