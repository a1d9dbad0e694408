package io.jtipc.nametable;

import java.util.ArrayList;
import java.util.List;

/**
 * One publication as carried in a NAME_DISTRIBUTOR message (kernel {@code struct distr_item},
 * net/tipc/name_distr.h, filled by {@code publ_to_item}): a value; the wire module's {@link io.jtipc.wire.DistrItem}
 * is the flyweight over the same 20 bytes, every field big-endian.
 *
 * <pre>
 *  offset  size  field
 *   0       4    type
 *   4       4    lower
 *   8       4    upper
 *  12       4    port   (socket reference)
 *  16       4    key
 * </pre>
 *
 * The publishing node is not in the item: it is the message's originating node (header word 6).
 */
public record PublicationItem(int type, int lower, int upper, int port, int key) {
    /** Encoded size in bytes ({@code ITEM_SIZE}). */
    public static final int SIZE = io.jtipc.wire.DistrItem.SIZE;

    /** The item describing a publication ({@code publ_to_item}). */
    public static PublicationItem of(Publication p) {
        return new PublicationItem(p.type(), p.lower(), p.upper(), p.port(), p.key());
    }

    /** Writes the 20 bytes at {@code off} through the wire flyweight. */
    public void encode(byte[] b, int off) {
        new io.jtipc.wire.DistrItem().wrap(b, off).setType(type).setLower(lower).setUpper(upper).setPort(port).setKey(key);
    }

    /** Reads 20 bytes at {@code off}. @throws IndexOutOfBoundsException if fewer are available */
    public static PublicationItem decode(byte[] b, int off) {
        if (off < 0 || b.length - off < SIZE) {
            throw new IndexOutOfBoundsException("distr_item needs 20 bytes at " + off);
        }
        io.jtipc.wire.DistrItem w = new io.jtipc.wire.DistrItem().wrap(b, off);
        return new PublicationItem(w.type(), w.lower(), w.upper(), w.port(), w.key());
    }

    /**
     * Decodes a message's data area as the kernel does ({@code tipc_named_rcv}): {@code len / 20} items, a
     * trailing partial item is ignored. Never throws for {@code 0 <= off, len <= b.length - off}.
     */
    public static List<PublicationItem> decodeAll(byte[] b, int off, int len) {
        int n = Math.max(0, len) / SIZE;
        List<PublicationItem> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(decode(b, off + i * SIZE));
        }
        return out;
    }

    /** Encodes items back to back. */
    public static byte[] encodeAll(List<PublicationItem> items) {
        byte[] b = new byte[items.size() * SIZE];
        for (int i = 0; i < items.size(); i++) {
            items.get(i).encode(b, i * SIZE);
        }
        return b;
    }
}
