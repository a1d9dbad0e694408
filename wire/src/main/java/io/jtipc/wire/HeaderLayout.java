package io.jtipc.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ObjLongConsumer;
import java.util.function.ToLongFunction;

import io.jtipc.wire.HeaderField.Sym;

/**
 * Which fields make up the header of a message, by user, type, header size and non_seq bit, as
 * the kernel builds and reads them ({@code net/tipc/msg.h}, {@code link.c}, {@code bcast.c},
 * {@code name_distr.c}, {@code group.c}, {@code crypto.c}, {@code discover.c}). For every word
 * present the fields together cover all 32 bits; bits the kernel leaves unused are fields named
 * {@code reserved_w<word>} or {@code reserved_w<word>_<lowbit>}, so non-zero reserved bits are
 * shown and survive {@link TipcCodec#reencode}.
 *
 * <p>Summary of the per-user meanings (w = word, bits high-low):
 * <pre>
 * w0  all: version 31-29, user 28-25, hdr_sz 24-21, non_seq 20,
 *          bit 19 dest_droppable (is_keepalive for LINK_PROTOCOL),
 *          bit 18 src_droppable (ack_required: CONN_MSG; is_rcast: MCAST/GRP_BCAST/GRP_MCAST; nagle_ack: CONN_MANAGER),
 *          is_syn 17, size 16-0
 * w1  data: type, errcode 28-25, reroute_cnt 24-21, lookup_scope 20-19, reserved 18-16, bcast_ack 15-0
 *     CONN_MANAGER: type, errcode 28-25, reserved 24-16, bcast_ack
 *     LINK_PROTOCOL STATE/RESET: type, seq_gap 28-16, bcast_ack; ACTIVATE: reserved 28-17, dest_session_valid 16, dest_session 15-0
 *     NAME_DISTRIBUTOR: type, is_bulk 28, is_last_bulk 27, is_legacy (inverted bit 26), reserved 25-16, bcast_ack
 *     LINK_CONFIG: type, reserved 28, node_capabilities 27-15, node_sig 15-0 (bit 15 shared)
 *     others: type, reserved 28-16, bcast_ack
 * w2  LINK_CONFIG dest_domain; BCAST_PROTOCOL with non_seq: bcgap_after/bcgap_to; others ack 31-16, seqno 15-0
 * w3  prevnode
 * w4  data/CONN_MANAGER/GROUP_PROTOCOL origport; LINK_PROTOCOL last_bcast/next_sent; BCAST_PROTOCOL last_bcast;
 *     MSG_FRAGMENTER/TUNNEL_PROTOCOL fragm_no/nof_fragms; NAME_DISTRIBUTOR named_seqno 15-0; LINK_CONFIG bc_netid;
 *     MSG_CRYPTO key_gen 31-16, key_mode 3-0
 * w5  LINK_CONFIG: media address (w5-w12, see {@link MediaAddress}); LINK_PROTOCOL session 31-16, bc_ack_invalid 14,
 *     peer_stopping 13, redundant_link 12, bearer_id 11-9, linkprio 8-4, net_plane 3-1, probe 0;
 *     non_seq=1: mc_netid; data/CONN_MANAGER/GROUP_PROTOCOL destport; NAME_DISTRIBUTOR/BCAST_PROTOCOL bc_ack_invalid 14;
 *     TUNNEL_PROTOCOL bearer_id 11-9
 * w6  orignode   w7 destnode
 * w8  data nametype; LINK_PROTOCOL bc_gap 9-0
 * w9  data nameinst (namelower for MCAST); LINK_PROTOCOL max_pkt (bytes/4) 31-16, link_tolerance 15-0;
 *     MSG_BUNDLER msgcnt 31-16, importance 2-0; MSG_FRAGMENTER importance 2-0; TUNNEL msgcnt (syncpt for SYNCH) 31-16;
 *     CONN_MANAGER conn_ack/adv_win; GROUP_PROTOCOL grp_bc_syncpt|grp_bc_acked|grp_remitted 31-16, adv_win 15-0;
 *     BCAST_PROTOCOL bcast_tag 31-16
 * w10 MCAST nameupper; group data grp_bc_seqno 31-16, grp_bc_ack_req 0 (grp_evt 1-0 for GRP_MEMBER_EVT)
 * w13 LINK_CONFIG peer_net_hash   w14 LINK_CONFIG sugg_node_addr
 * </pre>
 */
public final class HeaderLayout {
    private HeaderLayout() {}

    private static final java.util.concurrent.atomic.AtomicReferenceArray<HeaderField[]> CACHE =
        new java.util.concurrent.atomic.AtomicReferenceArray<>(1 << 12);

    /** Fields of the header of the wrapped message (cached and thread safe; do not modify the array). */
    public static HeaderField[] of(TipcMsg m) {
        return of(m.user(), m.type(), m.hdrSize(), m.nonSeq() != 0);
    }

    /**
     * Fields for a header of {@code hdrSize} bytes (words beyond 15 are ignored). For LINK_CONFIG
     * with a 60-byte header, words 5-12 (the media address block) are not listed: see
     * {@link MediaAddress}.
     */
    public static HeaderField[] of(int user, int type, int hdrSize, boolean nonSeq) {
        int hw = Math.min(15, hdrSize >>> 2);
        int key = (user & 15) << 8 | (type & 7) << 5 | (hw & 15) << 1 | (nonSeq ? 1 : 0);
        HeaderField[] r = CACHE.get(key);
        if (r == null) {
            r = build(user & 15, type & 7, hw, nonSeq);
            CACHE.set(key, r);
        }
        return r;
    }

    /** True if the LINK_CONFIG header is long enough to carry the media block and w13/w14. */
    static boolean hasMedia(int user, int hdrSize) {
        return user == Tipc.LINK_CONFIG && hdrSize >= Tipc.MAX_H_SIZE;
    }

    private static HeaderField f(String n, int w, int s, int width, Sym sym,
                                 ToLongFunction<TipcMsg> g, ObjLongConsumer<TipcMsg> st) {
        return new HeaderField(n, w, s, width, sym, g, st);
    }

    private static HeaderField bit(String n, int w, int s, ToLongFunction<TipcMsg> g, ObjLongConsumer<TipcMsg> st) {
        return f(n, w, s, 1, Sym.NONE, g, st);
    }

    private static HeaderField u32(String n, int w, Sym sym, ToLongFunction<TipcMsg> g, ObjLongConsumer<TipcMsg> st) {
        return f(n, w, 0, 32, sym, g, st);
    }

    private static HeaderField res(int w, int shift, int width) {
        int mask = width == 32 ? -1 : (1 << width) - 1;
        String n = width == 32 ? "reserved_w" + w : "reserved_w" + w + "_" + shift;
        return f(n, w, shift, width, Sym.NONE, m -> m.bits(w, shift, mask) & 0xffffffffL,
            (m, v) -> m.setBits(w, shift, mask, (int) v));
    }

    private static HeaderField[] build(int user, int type, int hw, boolean nonSeq) {
        List<HeaderField> l = new ArrayList<>();
        boolean data = user <= Tipc.CRITICAL_IMPORTANCE;
        boolean media = hasMedia(user, hw * 4);
        for (int w = 0; w < hw; w++) {
            switch (w) {
                case 0: word0(l, user, type, data); break;
                case 1: word1(l, user, type, data); break;
                case 2:
                    if (user == Tipc.LINK_CONFIG) {
                        l.add(u32("dest_domain", 2, Sym.ADDR, m -> m.destDomain() & 0xffffffffL, (m, v) -> m.setDestDomain((int) v)));
                    } else if (user == Tipc.BCAST_PROTOCOL && nonSeq) {
                        l.add(f("bcgap_after", 2, 16, 16, Sym.NONE, TipcMsg::bcgapAfter, (m, v) -> m.setBcgapAfter((int) v)));
                        l.add(f("bcgap_to", 2, 0, 16, Sym.NONE, TipcMsg::bcgapTo, (m, v) -> m.setBcgapTo((int) v)));
                    } else {
                        l.add(f("ack", 2, 16, 16, Sym.NONE, TipcMsg::ack, (m, v) -> m.setAck((int) v)));
                        l.add(f("seqno", 2, 0, 16, Sym.NONE, TipcMsg::seqno, (m, v) -> m.setSeqno((int) v)));
                    }
                    break;
                case 3:
                    l.add(u32("prevnode", 3, Sym.ADDR, m -> m.prevnode() & 0xffffffffL, (m, v) -> m.setPrevnode((int) v)));
                    break;
                case 4: word4(l, user, data); break;
                case 5: word5(l, user, nonSeq, data, media); break;
                case 6:
                    if (!media) l.add(u32("orignode", 6, Sym.ADDR, m -> m.word(6) & 0xffffffffL, (m, v) -> m.setOrignode((int) v)));
                    break;
                case 7:
                    if (!media) l.add(u32("destnode", 7, Sym.ADDR, m -> m.destnode() & 0xffffffffL, (m, v) -> m.setDestnode((int) v)));
                    break;
                case 8:
                    if (media) break;
                    if (data) {
                        l.add(u32("nametype", 8, Sym.NONE, m -> m.nametype() & 0xffffffffL, (m, v) -> m.setNametype((int) v)));
                    } else if (user == Tipc.LINK_PROTOCOL) {
                        l.add(res(8, 10, 22));
                        l.add(f("bc_gap", 8, 0, 10, Sym.NONE, TipcMsg::bcGap, (m, v) -> m.setBcGap((int) v)));
                    } else {
                        l.add(res(8, 0, 32));
                    }
                    break;
                case 9: if (!media) word9(l, user, type, data); break;
                case 10:
                    if (media) break;
                    if (data && type >= Tipc.TIPC_GRP_MEMBER_EVT) {
                        l.add(f("grp_bc_seqno", 10, 16, 16, Sym.NONE, TipcMsg::grpBcSeqno, (m, v) -> m.setGrpBcSeqno((int) v)));
                        if (type == Tipc.TIPC_GRP_MEMBER_EVT) {
                            l.add(res(10, 2, 14));
                            l.add(f("grp_evt", 10, 0, 2, Sym.NONE, TipcMsg::grpEvt, (m, v) -> m.setGrpEvt((int) v)));
                        } else {
                            l.add(res(10, 1, 15));
                            l.add(bit("grp_bc_ack_req", 10, 0, TipcMsg::grpBcAckReq, (m, v) -> m.setGrpBcAckReq((int) v)));
                        }
                    } else if (data) {
                        l.add(u32("nameupper", 10, Sym.NONE, m -> m.nameupper() & 0xffffffffL, (m, v) -> m.setNameupper((int) v)));
                    } else {
                        l.add(res(10, 0, 32));
                    }
                    break;
                case 13:
                    if (media) {
                        l.add(u32("peer_net_hash", 13, Sym.NONE, m -> m.peerNetHash() & 0xffffffffL, (m, v) -> m.setPeerNetHash((int) v)));
                    } else {
                        l.add(res(13, 0, 32));
                    }
                    break;
                case 14:
                    if (media) {
                        l.add(u32("sugg_node_addr", 14, Sym.ADDR, m -> m.suggNodeAddr() & 0xffffffffL, (m, v) -> m.setSuggNodeAddr((int) v)));
                    } else {
                        l.add(res(14, 0, 32));
                    }
                    break;
                default: // 11, 12
                    if (!media) l.add(res(w, 0, 32));
                    break;
            }
        }
        return l.toArray(new HeaderField[0]);
    }

    private static void word0(List<HeaderField> l, int user, int type, boolean data) {
        l.add(f("version", 0, 29, 3, Sym.NONE, TipcMsg::version, (m, v) -> m.setVersion((int) v)));
        l.add(f("user", 0, 25, 4, Sym.USER, TipcMsg::user, (m, v) -> m.setUser((int) v)));
        l.add(f("hdr_sz", 0, 21, 4, Sym.NONE, TipcMsg::hdrSize, (m, v) -> m.setHdrSize((int) v)));
        l.add(bit("non_seq", 0, 20, TipcMsg::nonSeq, (m, v) -> m.setNonSeq((int) v)));
        if (user == Tipc.LINK_PROTOCOL) {
            l.add(bit("is_keepalive", 0, 19, TipcMsg::isKeepalive, (m, v) -> m.setIsKeepalive((int) v)));
        } else {
            l.add(bit("dest_droppable", 0, 19, TipcMsg::destDroppable, (m, v) -> m.setDestDroppable((int) v)));
        }
        if (data && type == Tipc.TIPC_CONN_MSG) {
            l.add(bit("ack_required", 0, 18, TipcMsg::ackRequired, (m, v) -> m.setAckRequired((int) v)));
        } else if (data && (type == Tipc.TIPC_MCAST_MSG || type == Tipc.TIPC_GRP_BCAST_MSG || type == Tipc.TIPC_GRP_MCAST_MSG)) {
            l.add(bit("is_rcast", 0, 18, TipcMsg::isRcast, (m, v) -> m.setIsRcast((int) v)));
        } else if (user == Tipc.CONN_MANAGER) {
            l.add(bit("nagle_ack", 0, 18, TipcMsg::nagleAck, (m, v) -> m.setNagleAck((int) v)));
        } else {
            l.add(bit("src_droppable", 0, 18, TipcMsg::srcDroppable, (m, v) -> m.setSrcDroppable((int) v)));
        }
        l.add(bit("is_syn", 0, 17, TipcMsg::isSyn, (m, v) -> m.setSyn((int) v)));
        l.add(f("size", 0, 0, 17, Sym.NONE, TipcMsg::size, (m, v) -> m.setSize((int) v)));
    }

    private static HeaderField bcastAck() {
        return f("bcast_ack", 1, 0, 16, Sym.NONE, TipcMsg::bcastAck, (m, v) -> m.setBcastAck((int) v));
    }

    private static void word1(List<HeaderField> l, int user, int type, boolean data) {
        l.add(f("type", 1, 29, 3, Sym.TYPE, TipcMsg::type, (m, v) -> m.setType((int) v)));
        if (data) {
            l.add(f("errcode", 1, 25, 4, Sym.ERRCODE, TipcMsg::errcode, (m, v) -> m.setErrcode((int) v)));
            l.add(f("reroute_cnt", 1, 21, 4, Sym.NONE, TipcMsg::rerouteCnt, (m, v) -> m.setRerouteCnt((int) v)));
            l.add(f("lookup_scope", 1, 19, 2, Sym.SCOPE, TipcMsg::lookupScope, (m, v) -> m.setLookupScope((int) v)));
            l.add(res(1, 16, 3));
            l.add(bcastAck());
        } else if (user == Tipc.CONN_MANAGER) {
            l.add(f("errcode", 1, 25, 4, Sym.ERRCODE, TipcMsg::errcode, (m, v) -> m.setErrcode((int) v)));
            l.add(res(1, 16, 9));
            l.add(bcastAck());
        } else if (user == Tipc.LINK_PROTOCOL && type == Tipc.ACTIVATE_MSG) {
            l.add(res(1, 17, 12));
            l.add(bit("dest_session_valid", 1, 16, TipcMsg::destSessionValid, (m, v) -> m.setDestSessionValid((int) v)));
            l.add(f("dest_session", 1, 0, 16, Sym.NONE, TipcMsg::destSession, (m, v) -> m.setDestSession((int) v)));
        } else if (user == Tipc.LINK_PROTOCOL) {
            l.add(f("seq_gap", 1, 16, 13, Sym.NONE, TipcMsg::seqGap, (m, v) -> m.setSeqGap((int) v)));
            l.add(bcastAck());
        } else if (user == Tipc.NAME_DISTRIBUTOR) {
            l.add(bit("is_bulk", 1, 28, TipcMsg::isBulk, (m, v) -> m.setIsBulk((int) v)));
            l.add(bit("is_last_bulk", 1, 27, TipcMsg::isLastBulk, (m, v) -> m.setIsLastBulk((int) v)));
            l.add(bit("is_legacy", 1, 26, TipcMsg::isLegacy, (m, v) -> m.setLegacy((int) v)));
            l.add(res(1, 16, 10));
            l.add(bcastAck());
        } else if (user == Tipc.LINK_CONFIG) {
            l.add(res(1, 28, 1));
            // kernel writes the signature first, then the capabilities over bit 15
            l.add(f("node_sig", 1, 0, 16, Sym.NONE, TipcMsg::nodeSig, (m, v) -> m.setNodeSig((int) v)));
            l.add(f("node_capabilities", 1, 15, 13, Sym.CAPS, TipcMsg::nodeCapabilities, (m, v) -> m.setNodeCapabilities((int) v)));
        } else {
            l.add(res(1, 16, 13));
            l.add(bcastAck());
        }
    }

    private static void word4(List<HeaderField> l, int user, boolean data) {
        if (data || user == Tipc.CONN_MANAGER || user == Tipc.GROUP_PROTOCOL) {
            l.add(u32("origport", 4, Sym.NONE, m -> m.origport() & 0xffffffffL, (m, v) -> m.setOrigport((int) v)));
        } else if (user == Tipc.LINK_PROTOCOL) {
            l.add(f("last_bcast", 4, 16, 16, Sym.NONE, TipcMsg::lastBcast, (m, v) -> m.setLastBcast((int) v)));
            l.add(f("next_sent", 4, 0, 16, Sym.NONE, TipcMsg::nextSent, (m, v) -> m.setNextSent((int) v)));
        } else if (user == Tipc.BCAST_PROTOCOL) {
            l.add(f("last_bcast", 4, 16, 16, Sym.NONE, TipcMsg::lastBcast, (m, v) -> m.setLastBcast((int) v)));
            l.add(res(4, 0, 16));
        } else if (user == Tipc.MSG_FRAGMENTER || user == Tipc.TUNNEL_PROTOCOL) {
            l.add(f("fragm_no", 4, 16, 16, Sym.NONE, TipcMsg::fragmNo, (m, v) -> m.setFragmNo((int) v)));
            l.add(f("nof_fragms", 4, 0, 16, Sym.NONE, TipcMsg::nofFragms, (m, v) -> m.setNofFragms((int) v)));
        } else if (user == Tipc.NAME_DISTRIBUTOR) {
            l.add(res(4, 16, 16));
            l.add(f("named_seqno", 4, 0, 16, Sym.NONE, TipcMsg::namedSeqno, (m, v) -> m.setNamedSeqno((int) v)));
        } else if (user == Tipc.LINK_CONFIG) {
            l.add(u32("bc_netid", 4, Sym.NONE, m -> m.bcNetid() & 0xffffffffL, (m, v) -> m.setBcNetid((int) v)));
        } else if (user == Tipc.MSG_CRYPTO) {
            l.add(f("key_gen", 4, 16, 16, Sym.NONE, TipcMsg::keyGen, (m, v) -> m.setKeyGen((int) v)));
            l.add(res(4, 4, 12));
            l.add(f("key_mode", 4, 0, 4, Sym.NONE, TipcMsg::keyMode, (m, v) -> m.setKeyMode((int) v)));
        } else {
            l.add(res(4, 0, 32));
        }
    }

    private static void word5(List<HeaderField> l, int user, boolean nonSeq, boolean data, boolean media) {
        if (media) return;
        if (user == Tipc.LINK_PROTOCOL) {
            l.add(f("session", 5, 16, 16, Sym.NONE, TipcMsg::session, (m, v) -> m.setSession((int) v)));
            l.add(res(5, 15, 1));
            l.add(bit("bc_ack_invalid", 5, 14, TipcMsg::bcAckInvalid, (m, v) -> m.setBcAckInvalid((int) v)));
            l.add(bit("peer_stopping", 5, 13, TipcMsg::peerStopping, (m, v) -> m.setPeerStopping((int) v)));
            l.add(bit("redundant_link", 5, 12, TipcMsg::redundantLink, (m, v) -> m.setRedundantLink((int) v)));
            l.add(f("bearer_id", 5, 9, 3, Sym.NONE, TipcMsg::bearerId, (m, v) -> m.setBearerId((int) v)));
            l.add(f("linkprio", 5, 4, 5, Sym.NONE, TipcMsg::linkprio, (m, v) -> m.setLinkprio((int) v)));
            l.add(f("net_plane", 5, 1, 3, Sym.PLANE, TipcMsg::netPlane, (m, v) -> m.setNetPlane((int) v)));
            l.add(bit("probe", 5, 0, TipcMsg::probe, (m, v) -> m.setProbe((int) v)));
        } else if (nonSeq && user != Tipc.LINK_CONFIG) {
            l.add(u32("mc_netid", 5, Sym.NONE, m -> m.mcNetid() & 0xffffffffL, (m, v) -> m.setMcNetid((int) v)));
        } else if (data || user == Tipc.CONN_MANAGER || user == Tipc.GROUP_PROTOCOL) {
            l.add(u32("destport", 5, Sym.NONE, m -> m.destport() & 0xffffffffL, (m, v) -> m.setDestport((int) v)));
        } else if (user == Tipc.NAME_DISTRIBUTOR || user == Tipc.BCAST_PROTOCOL) {
            l.add(res(5, 15, 17));
            l.add(bit("bc_ack_invalid", 5, 14, TipcMsg::bcAckInvalid, (m, v) -> m.setBcAckInvalid((int) v)));
            l.add(res(5, 0, 14));
        } else if (user == Tipc.TUNNEL_PROTOCOL) {
            l.add(res(5, 12, 20));
            l.add(f("bearer_id", 5, 9, 3, Sym.NONE, TipcMsg::bearerId, (m, v) -> m.setBearerId((int) v)));
            l.add(res(5, 0, 9));
        } else {
            l.add(res(5, 0, 32));
        }
    }

    private static void word9(List<HeaderField> l, int user, int type, boolean data) {
        if (data) {
            if (type == Tipc.TIPC_MCAST_MSG) {
                l.add(u32("namelower", 9, Sym.NONE, m -> m.namelower() & 0xffffffffL, (m, v) -> m.setNamelower((int) v)));
            } else {
                l.add(u32("nameinst", 9, Sym.NONE, m -> m.nameinst() & 0xffffffffL, (m, v) -> m.setNameinst((int) v)));
            }
            return;
        }
        switch (user) {
            case Tipc.LINK_PROTOCOL:
                l.add(f("max_pkt", 9, 16, 16, Sym.NONE, TipcMsg::maxPkt, (m, v) -> m.setMaxPkt((int) v)));
                l.add(f("link_tolerance", 9, 0, 16, Sym.NONE, TipcMsg::linkTolerance, (m, v) -> m.setLinkTolerance((int) v)));
                break;
            case Tipc.MSG_BUNDLER:
                l.add(f("msgcnt", 9, 16, 16, Sym.NONE, TipcMsg::msgcnt, (m, v) -> m.setMsgcnt((int) v)));
                l.add(res(9, 3, 13));
                l.add(f("importance", 9, 0, 3, Sym.NONE, TipcMsg::importance, (m, v) -> m.setImportance((int) v)));
                break;
            case Tipc.MSG_FRAGMENTER:
                l.add(res(9, 3, 29));
                l.add(f("importance", 9, 0, 3, Sym.NONE, TipcMsg::importance, (m, v) -> m.setImportance((int) v)));
                break;
            case Tipc.TUNNEL_PROTOCOL:
                if (type == Tipc.SYNCH_MSG) {
                    l.add(f("syncpt", 9, 16, 16, Sym.NONE, TipcMsg::syncpt, (m, v) -> m.setSyncpt((int) v)));
                } else {
                    l.add(f("msgcnt", 9, 16, 16, Sym.NONE, TipcMsg::msgcnt, (m, v) -> m.setMsgcnt((int) v)));
                }
                l.add(res(9, 0, 16));
                break;
            case Tipc.CONN_MANAGER:
                l.add(f("conn_ack", 9, 16, 16, Sym.NONE, TipcMsg::connAck, (m, v) -> m.setConnAck((int) v)));
                l.add(f("adv_win", 9, 0, 16, Sym.NONE, TipcMsg::advWin, (m, v) -> m.setAdvWin((int) v)));
                break;
            case Tipc.GROUP_PROTOCOL:
                if (type == Tipc.GRP_JOIN_MSG || type == Tipc.GRP_LEAVE_MSG) {
                    l.add(f("grp_bc_syncpt", 9, 16, 16, Sym.NONE, TipcMsg::grpBcSyncpt, (m, v) -> m.setGrpBcSyncpt((int) v)));
                } else if (type == Tipc.GRP_ACK_MSG) {
                    l.add(f("grp_bc_acked", 9, 16, 16, Sym.NONE, TipcMsg::grpBcAcked, (m, v) -> m.setGrpBcAcked((int) v)));
                } else if (type == Tipc.GRP_REMIT_MSG) {
                    l.add(f("grp_remitted", 9, 16, 16, Sym.NONE, TipcMsg::grpRemitted, (m, v) -> m.setGrpRemitted((int) v)));
                } else {
                    l.add(res(9, 16, 16));
                }
                l.add(f("adv_win", 9, 0, 16, Sym.NONE, TipcMsg::advWin, (m, v) -> m.setAdvWin((int) v)));
                break;
            case Tipc.BCAST_PROTOCOL:
                l.add(f("bcast_tag", 9, 16, 16, Sym.NONE, TipcMsg::bcastTag, (m, v) -> m.setBcastTag((int) v)));
                l.add(res(9, 0, 16));
                break;
            default:
                l.add(res(9, 0, 32));
        }
    }
}
