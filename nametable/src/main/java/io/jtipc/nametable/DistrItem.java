package io.jtipc.nametable;

import java.util.ArrayList;
import java.util.List;

/**
 * One binding as carried in a NAME_DISTRIBUTOR message (kernel {@code struct distr_item},
 * net/tipc/name_distr.h): 20 bytes, every field big-endian.
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
public record DistrItem(int type, int lower, int upper, int port, int key) {
    /** Encoded size in bytes ({@code ITEM_SIZE}). */
    public static final int SIZE = 20;

    /** The item describing a publication ({@code publ_to_item}). */
    public static DistrItem of(Publication p) {
        return new DistrItem(p.type(), p.lower(), p.upper(), p.port(), p.key());
    }

    /** Writes the 20 bytes at {@code off}. */
    public void encode(byte[] b, int off) {
        TipcSubscr.put(b, off, type, java.nio.ByteOrder.BIG_ENDIAN);
        TipcSubscr.put(b, off + 4, lower, java.nio.ByteOrder.BIG_ENDIAN);
        TipcSubscr.put(b, off + 8, upper, java.nio.ByteOrder.BIG_ENDIAN);
        TipcSubscr.put(b, off + 12, port, java.nio.ByteOrder.BIG_ENDIAN);
        TipcSubscr.put(b, off + 16, key, java.nio.ByteOrder.BIG_ENDIAN);
    }

    /** Reads 20 bytes at {@code off}. @throws IndexOutOfBoundsException if fewer are available */
    public static DistrItem decode(byte[] b, int off) {
        if (off < 0 || b.length - off < SIZE) {
            throw new IndexOutOfBoundsException("distr_item needs 20 bytes at " + off);
        }
        return new DistrItem(TipcSubscr.get(b, off, java.nio.ByteOrder.BIG_ENDIAN),
                TipcSubscr.get(b, off + 4, java.nio.ByteOrder.BIG_ENDIAN),
                TipcSubscr.get(b, off + 8, java.nio.ByteOrder.BIG_ENDIAN),
                TipcSubscr.get(b, off + 12, java.nio.ByteOrder.BIG_ENDIAN),
                TipcSubscr.get(b, off + 16, java.nio.ByteOrder.BIG_ENDIAN));
    }

    /**
     * Decodes a message's data area as the kernel does ({@code tipc_named_rcv}): {@code len / 20} items, a
     * trailing partial item is ignored. Never throws for {@code 0 <= off, len <= b.length - off}.
     */
    public static List<DistrItem> decodeAll(byte[] b, int off, int len) {
        int n = Math.max(0, len) / SIZE;
        List<DistrItem> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(decode(b, off + i * SIZE));
        }
        return out;
    }

    /** Encodes items back to back. */
    public static byte[] encodeAll(List<DistrItem> items) {
        byte[] b = new byte[items.size() * SIZE];
        for (int i = 0; i < items.size(); i++) {
            items.get(i).encode(b, i * SIZE);
        }
        return b;
    }
}
