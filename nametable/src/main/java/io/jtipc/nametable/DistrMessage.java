package io.jtipc.nametable;

import java.util.List;

/**
 * A NAME_DISTRIBUTOR message (user 11, 40-byte header) as plain values: the header fields that name
 * distribution uses, and the items. Byte encoding of the header is the wire module's job; the items' 20-byte
 * encoding is {@link DistrItem}.
 *
 * @param msgType      {@link TipcConstants#PUBLICATION} 0 or {@link TipcConstants#WITHDRAWAL} 1 (w1 bits 31-29)
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
                           boolean nonLegacy, int namedSeqno, boolean bcAckInvalid, List<DistrItem> items) {
    public DistrMessage {
        items = List.copyOf(items);
        namedSeqno &= 0xFFFF;
    }

    /** Message data size in bytes ({@code items * 20}). */
    public int dataSize() {
        return items.size() * DistrItem.SIZE;
    }
}
