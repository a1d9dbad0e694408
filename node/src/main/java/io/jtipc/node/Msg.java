package io.jtipc.node;

import java.util.Arrays;

import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * Building messages (Linux 6.1 net/tipc/msg.c): header initialisation ({@code tipc_msg_init}), fragmentation to a
 * link's maximum segment size ({@code tipc_msg_build} / {@code tipc_msg_fragment}) and the rejected copy returned to a
 * sender ({@code tipc_msg_reverse}) and bundling into a backlogged packet ({@code tipc_msg_try_bundle},
 * {@code tipc_msg_bundle}; which packet may take more is the {@link Link}'s choice). Stateless: the own node address
 * is a parameter, as in the kernel.
 */
final class Msg {
    /** msg.c tipc_msg_reverse: payload bytes a returned message keeps at most. */
    static final int REVERSE_DATA_MAX = 1024;

    /** {@link #bundle} results: not bundled; appended to an existing bundle; target wrapped into a new bundle first. */
    static final int BUNDLE_NONE = 0, BUNDLE_APPENDED = 1, BUNDLE_NEW = 2;

    private Msg() {
    }

    /**
     * msg.c tipc_msg_try_bundle + tipc_msg_bundle: appends {@code msg[0, len)} to the backlogged packet {@code t},
     * 4-byte aligned with zero padding. A {@code t} that is not yet a MSG_BUNDLER is first moved behind a new 40-byte
     * MSG_BUNDLER header (importance of the inner message, msgcnt 1); its buffer grows to {@code mss} bytes.
     * The caller has checked that {@code msg} may be bundled at all (not a fragment, tunnel or broadcast protocol
     * message, and small enough).
     *
     * @param scratch a flyweight the call may rewrap
     * @param mss     the link's maximum message size, bytes: a bundle never grows past it
     * @param dnode   the destination node address (of a new bundle's header; its prevnode is the inner message's)
     * @return {@link #BUNDLE_NONE} if it does not fit (the bundle's content unchanged; its buffer may have grown to
     *         {@code mss}), {@link #BUNDLE_APPENDED}, or
     *         {@link #BUNDLE_NEW}
     */
    static int bundle(TipcMsg scratch, Pkt t, byte[] msg, int len, int mss, int dnode) {
        return bundle(scratch, t, msg, len, mss, dnode, null);
    }

    /**
     * msg.c tipc_msg_try_bundle's test: message {@code m} may go into a bundle on a link of maximum message size
     * {@code mss} (bytes): not a fragment, tunnel or broadcast protocol message, and small enough to share a bundle.
     * jtipc also keeps MSG_CRYPTO out of bundles (the kernel would bundle it): no receiver, kernel or jtipc, takes a
     * bundled KEY_DISTR (link.c tipc_data_input: the decrypted mark is not on a bundle's extracted messages).
     */
    static boolean bundleable(TipcMsg m, int mss) {
        int u = m.user();
        if (u == Tipc.MSG_FRAGMENTER || u == Tipc.TUNNEL_PROTOCOL || u == Tipc.BCAST_PROTOCOL || u == Tipc.MSG_CRYPTO) {
            return false;
        }
        return mss > Tipc.INT_H_SIZE + m.size();
    }

    /**
     * {@link #bundle(TipcMsg, Pkt, byte[], int, int, int)} taking a grown buffer from {@code pool} (of length
     * {@link PktPool#capacity}{@code (mss)}) and giving the outgrown one back to it; a null pool allocates exactly
     * {@code mss} bytes.
     */
    static int bundle(TipcMsg scratch, Pkt t, byte[] msg, int len, int mss, int dnode, PktPool pool) {
        int result = BUNDLE_APPENDED;
        scratch.wrap(t.buf, 0, t.len);
        if (scratch.user() != Tipc.MSG_BUNDLER) {
            int tsz = scratch.size();
            if (mss < align4(Tipc.INT_H_SIZE + tsz) + len) return BUNDLE_NONE;
            byte[] nb = pool == null ? new byte[mss] : pool.buffer(mss);
            System.arraycopy(t.buf, 0, nb, Tipc.INT_H_SIZE, tsz);
            // the inner message's prevnode (w3) and importance (w0 bits 28-25), read before the outer header is written
            TipcMsg inner = scratch.wrap(nb, Tipc.INT_H_SIZE, tsz);
            int prev = inner.prevnode(), imp = inner.importance();
            TipcMsg outer = scratch.wrap(nb, 0, mss);
            init(outer, prev, Tipc.MSG_BUNDLER, 0, Tipc.INT_H_SIZE, dnode);
            outer.setImportance(imp);
            outer.setSize(Tipc.INT_H_SIZE + tsz);
            outer.setMsgcnt(1);
            if (pool != null) pool.giveBuffer(t.buf);
            t.buf = nb;
            t.len = Tipc.INT_H_SIZE + tsz;
            result = BUNDLE_NEW;
        } else if (t.buf.length < mss) {
            if (pool == null) {
                t.buf = Arrays.copyOf(t.buf, mss);
            } else {
                byte[] nb = pool.buffer(mss);
                System.arraycopy(t.buf, 0, nb, 0, t.len);
                pool.giveBuffer(t.buf);
                t.buf = nb;
            }
        }
        scratch.wrap(t.buf, 0, t.buf.length);
        int bsz = scratch.size();
        int start = align4(bsz);
        if (start + len > mss) return BUNDLE_NONE; // only an existing bundle can be this full
        System.arraycopy(msg, 0, t.buf, start, len);
        Arrays.fill(t.buf, bsz, start, (byte) 0);
        scratch.setSize(start + len);
        scratch.setMsgcnt(scratch.msgcnt() + 1);
        t.len = start + len;
        return result;
    }

    /** {@code v} rounded up to a multiple of 4 (msg.h align()). */
    static int align4(int v) {
        return (v + 3) & ~3;
    }

    /**
     * msg.c tipc_msg_init: zero-fills {@code hsize} header bytes and sets version, user, header size, size =
     * {@code hsize}, type and the previous node; for long headers also the originating and destination node.
     *
     * @param own   the originating node address (32 bits), 0 while the address trial runs
     * @param hsize header size, bytes (24, 32, 40, 44 or 60)
     * @param dnode destination node address
     */
    static void init(TipcMsg h, int own, int user, int type, int hsize, int dnode) {
        Arrays.fill(h.buffer(), h.offset(), h.offset() + hsize, (byte) 0);
        h.setVersion(Tipc.VERSION).setUser(user).setHdrSize(hsize).setSize(hsize);
        h.setPrevnode(own);
        h.setType(type);
        if (hsize > Tipc.SHORT_H_SIZE) {
            h.setOrignode(own);
            h.setDestnode(dnode);
        }
    }

    /**
     * Splits a message longer than {@code mss} into MSG_FRAGMENTER messages (40-byte header, FIRST_FRAGMENT,
     * FRAGMENT..., LAST_FRAGMENT, fragment numbers from 1, {@code mss - 40} payload bytes each, the importance of the
     * original): msg.c tipc_msg_build's fragmenting branch.
     *
     * @param mss the link's maximum message size, bytes ({@link Link#mss()})
     * @return the fragments in sending order
     */
    static byte[][] fragment(byte[] msg, int mss, int own, int destNode) {
        TipcMsg scratch = new TipcMsg();
        int imp = scratch.wrap(msg, 0, msg.length).importance();
        byte[][] frags = new byte[fragments(msg.length, mss)][];
        for (int no = 1; no <= frags.length; no++) {
            byte[] f = new byte[fragmentLength(msg.length, mss, no)];
            fragment(scratch, msg, msg.length, msg, 0, msg.length, imp, no, mss, own, destNode, f);
            frags[no - 1] = f;
        }
        return frags;
    }

    /** How many fragments {@link #fragment} makes of a {@code len}-byte message for a link of MSS {@code mss}. */
    static int fragments(int len, int mss) {
        int chunk = mss - Tipc.INT_H_SIZE;
        return (len + chunk - 1) / chunk;
    }

    /** Length of fragment {@code no} (1 .. {@link #fragments}) of a {@code len}-byte message, bytes (header + part). */
    static int fragmentLength(int len, int mss, int no) {
        return Math.min(mss, Tipc.INT_H_SIZE + len - (no - 1) * (mss - Tipc.INT_H_SIZE));
    }

    /**
     * Fragment {@code no} (1 .. {@link #fragments}) of a {@code len}-byte message written into {@code out[0, result)}:
     * the allocation-free form of {@link #fragment(byte[], int, int, int)} (the caller gives a fresh or reused
     * {@code out} of at least {@link #fragmentLength} bytes for each fragment in turn). The message is given in two
     * pieces, as socket.c hands tipc_msg_build a header and the user's data: its first {@code hlen} bytes are
     * {@code hdr[0, hlen)}, the rest {@code data[off, off + len - hlen)}; each fragment copies its share of each
     * straight into {@code out}.
     *
     * @param imp the original message's importance
     * @return the fragment's length, bytes (header + payload)
     */
    static int fragment(TipcMsg scratch, byte[] hdr, int hlen, byte[] data, int off, int len, int imp, int no, int mss,
                        int own, int destNode, byte[] out) {
        int chunk = mss - Tipc.INT_H_SIZE;
        int pos = (no - 1) * chunk;
        int n = Math.min(chunk, len - pos);
        int flen = Tipc.INT_H_SIZE + n;
        TipcMsg h = scratch.wrap(out, 0, flen);
        int type = pos == 0 ? Tipc.FIRST_FRAGMENT : pos + n >= len ? Tipc.LAST_FRAGMENT : Tipc.FRAGMENT;
        init(h, own, Tipc.MSG_FRAGMENTER, type, Tipc.INT_H_SIZE, destNode);
        h.setSize(flen);
        h.setFragmNo(no);
        h.setImportance(imp);
        int fromHdr = Math.max(0, Math.min(n, hlen - pos));
        if (fromHdr > 0) System.arraycopy(hdr, pos, out, Tipc.INT_H_SIZE, fromHdr);
        if (n > fromHdr) {
            System.arraycopy(data, off + pos + fromHdr - hlen, out, Tipc.INT_H_SIZE + fromHdr, n - fromHdr);
        }
        return flen;
    }

    /**
     * msg.c tipc_msg_reverse: the copy of {@code h} returned to its sender with error {@code err}: a 24-byte header
     * grows to 32, at most {@link #REVERSE_DATA_MAX} payload bytes are kept (none of a SYN refused with OVERLOAD: its
     * sender keeps a copy), ports swapped, the destination is the previous node and this node the origin.
     *
     * @return the returned message, or null when it is not returned (dest-droppable, or already an error message)
     */
    static byte[] reverse(TipcMsg h, int err, int own) {
        if (h.destDroppable() != 0 || h.errcode() != 0) return null;
        int hs = h.hdrSize();
        int nhs = hs == Tipc.SHORT_H_SIZE ? Tipc.BASIC_H_SIZE : hs;
        int dlen = h.isSyn() != 0 && err == Tipc.TIPC_ERR_OVERLOAD ? 0 : Math.min(h.dataSize(), REVERSE_DATA_MAX);
        byte[] b = new byte[nhs + dlen];
        System.arraycopy(h.buffer(), h.offset(), b, 0, Math.min(hs, nhs));
        System.arraycopy(h.buffer(), h.offset() + hs, b, nhs, dlen);
        TipcMsg r = new TipcMsg().wrap(b, 0, b.length);
        r.setHdrSize(nhs);
        r.setSize(nhs + dlen);
        r.setErrcode(err);
        r.setNonSeq(0);
        r.setOrigport(h.destport());
        r.setDestport(h.origport());
        r.setDestnode(h.prevnode());
        r.setPrevnode(own);
        r.setOrignode(own);
        return b;
    }
}
