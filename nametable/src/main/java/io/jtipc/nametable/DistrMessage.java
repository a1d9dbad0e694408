package io.jtipc.nametable;

import java.util.ArrayList;
import java.util.List;

import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * A NAME_DISTRIBUTOR message (user 11, 40-byte header) as plain values: the header fields that name
 * distribution uses, and the items. {@link #fromWire(TipcMsg)} and {@link #encode(byte[], int)} convert from/to
 * bytes with the wire module's {@link TipcMsg} / {@link io.jtipc.wire.DistrItem} flyweights.
 *
 * @param msgType      {@link Tipc#PUBLICATION} 0 or {@link Tipc#WITHDRAWAL} 1 (w1 bits 31-29)
 * @param origNode     originating node = publishing node of every item (w6)
 * @param destNode     destination node (w7); 0 for an update meant for every peer: send it once on the
 *                     broadcast link, or a copy with w7 = peer on each unicast link ("replicast"), see
 *                     {@link NameDistributor#broadcastUpdates()}
 * @param bulk         w1 bit 28: part of a bulk sent at node up
 * @param lastBulk     w1 bit 27: last message of that bulk
 * @param nonLegacy    w1 bit 26: set by 5.10+ senders; legacy messages are applied without sequencing
 * @param namedSeqno   w4 bits 15-0: named sequence number (unsigned 16 bits); 0 in bulk messages except the last
 * @param bcAckInvalid w5 bit 14: set in bulk messages (sent on a unicast link before the broadcast link is synced)
 * @param items        the bindings
 */
public record DistrMessage(int msgType, int origNode, int destNode, boolean bulk, boolean lastBulk,
                           boolean nonLegacy, int namedSeqno, boolean bcAckInvalid, List<PublicationItem> items) {
    public DistrMessage {
        items = List.copyOf(items);
        namedSeqno &= 0xFFFF;
    }

    /** Message data size in bytes ({@code items * 20}). */
    public int dataSize() {
        return items.size() * PublicationItem.SIZE;
    }

    /** Encoded size in bytes: 40-byte header plus the items. */
    public int encodedSize() {
        return Tipc.INT_H_SIZE + dataSize();
    }

    /**
     * Reads a NAME_DISTRIBUTOR message. The message should have passed {@link TipcMsg#validate()} (so that its
     * size is trustworthy); the data area holds {@code data size / 20} items, a trailing partial item is ignored
     * as by the kernel.
     *
     * @throws IllegalArgumentException if the message's user is not NAME_DISTRIBUTOR (11)
     */
    public static DistrMessage fromWire(TipcMsg m) {
        if (m.user() != Tipc.NAME_DISTRIBUTOR) {
            throw new IllegalArgumentException("user " + m.user() + " is not NAME_DISTRIBUTOR");
        }
        io.jtipc.wire.DistrItem it = new io.jtipc.wire.DistrItem();
        int n = io.jtipc.wire.DistrItem.count(m);
        List<PublicationItem> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            it.wrap(m, i);
            items.add(new PublicationItem(it.type(), it.lower(), it.upper(), it.port(), it.key()));
        }
        return new DistrMessage(m.type(), m.orignode(), m.destnode(), m.isBulk() != 0, m.isLastBulk() != 0,
                m.isLegacy() == 0, m.namedSeqno(), m.bcAckInvalid() != 0, items);
    }

    /**
     * Writes the message as {@code named_prepare_buf}/{@code tipc_msg_init} builds it: version 2, user 11,
     * 40-byte header, size, type, prevnode (w3) = orignode (w6) = {@link #origNode()}, destnode (w7), the
     * bulk/last-bulk/non-legacy bits, named seqno, bc-ack-invalid, then the items. The link-level fields (w1
     * broadcast ack, w2 ack/seqno) are left 0 for the link to fill.
     *
     * @return bytes written ({@link #encodedSize()})
     * @throws IndexOutOfBoundsException if {@code buf} is too small
     */
    public int encode(byte[] buf, int off) {
        int size = encodedSize();
        if (off < 0 || buf.length - off < size) {
            throw new IndexOutOfBoundsException("need " + size + " bytes at " + off);
        }
        java.util.Arrays.fill(buf, off, off + Tipc.INT_H_SIZE, (byte) 0);
        TipcMsg m = new TipcMsg().wrap(buf, off, size);
        m.setVersion(Tipc.VERSION).setUser(Tipc.NAME_DISTRIBUTOR).setHdrSize(Tipc.INT_H_SIZE).setSize(size)
                .setType(msgType).setPrevnode(origNode).setOrignode(origNode).setDestnode(destNode)
                .setIsBulk(bulk ? 1 : 0).setIsLastBulk(lastBulk ? 1 : 0).setLegacy(nonLegacy ? 0 : 1)
                .setNamedSeqno(namedSeqno).setBcAckInvalid(bcAckInvalid ? 1 : 0);
        for (int i = 0; i < items.size(); i++) {
            items.get(i).encode(buf, off + Tipc.INT_H_SIZE + i * PublicationItem.SIZE);
        }
        return size;
    }
}
