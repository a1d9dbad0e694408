package io.jtipc.cli.pcap;

import io.jtipc.wire.EncryptionHeader;
import io.jtipc.wire.FieldSink;

/**
 * Fields of the encryption header (struct tipc_ehdr, net/tipc/crypto.h) through the wire layer's
 * {@link EncryptionHeader} flyweight. Given only the header (a decrypted frame) it emits the header
 * fields; given the whole encrypted frame it adds "ciphertext" and "tag".
 */
final class Ehdr {
    private static final ThreadLocal<EncryptionHeader> FLY = ThreadLocal.withInitial(EncryptionHeader::new);

    private Ehdr() {
    }

    static void describe(byte[] e, int off, int len, FieldSink s) {
        FLY.get().wrap(e, off, len).describe(s);
    }
}
