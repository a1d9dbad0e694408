package io.jtipc.capture.filter;

import io.jtipc.wire.MediaAddress;
import io.jtipc.wire.Tipc;
import java.util.Collections;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The field paths a {@link FieldRecord} can hold, and the groups (JSON objects) they are in ({@code malformed},
 * {@code warning}, {@code ehdr}, {@code sender}): what a display filter or {@code -T fields -e} may name.
 * A name outside it is a usage error rather than a filter that silently never matches.
 *
 * <p>Built once from the describers themselves, not from a hand-kept list: the capture context keys, plus
 * every path the wire layer emits for synthetic messages of every user (0-15), type (0-7), header size,
 * non-sequenced bit and a set of body lengths and contents (zeros, ones and seeded random bytes), and the
 * encryption header of every user. Reserved bit ranges ({@code reserved_w<word>_<bit>}) are accepted
 * for any word and bit, as the wire layer names them by position.
 */
public final class FieldCatalog {
    private static final Pattern RESERVED = Pattern.compile("(.*\\.)?reserved_w\\d{1,2}_\\d{1,2}");
    /** Keys of the capture context ({@code --json} writes them before the wire fields). */
    private static final String[] CONTEXT = {
        "frame", "time", "src", "dst", "origin", "depth", "encrypted", "decrypted", "sender.addr", "sender.id",
        "receiver.addr", "receiver.id", "malformed.field", "malformed.reason", "warning.field", "warning.reason", "ciphertext_len", "ciphertext",
        "ciphertext_len", "ciphertext_truncated", "tag",
    };
    private static final int[] HEADER_SIZES = {24, 28, 32, 36, 40, 44, 48, 60};
    private static final int[] BODY_SIZES = {0, 8, 20, 40, 64, 200, 600};

    private static volatile Set<String> names;

    private FieldCatalog() {
    }

    /** True if {@code path} names a field some record can have. */
    public static boolean isKnown(String path) {
        return names().contains(path) || RESERVED.matcher(path).matches();
    }

    /** Every known path, sorted (reserved ranges not listed). */
    public static Set<String> names() {
        Set<String> n = names;
        if (n == null) names = n = Collections.unmodifiableSet(build());
        return n;
    }

    private static Set<String> build() {
        TreeSet<String> s = new TreeSet<>();
        for (String c : CONTEXT) addWithGroups(s, c);
        SplittableRandom rnd = new SplittableRandom(18);
        byte[] b = new byte[60 + 600];
        for (int user = 0; user < 16; user++) {
            for (int type = 0; type < 8; type++) {
                for (int hs : HEADER_SIZES) {
                    for (int nonSeq = 0; nonSeq < 2; nonSeq++) {
                        for (int body : BODY_SIZES) {
                            for (int fill = 0; fill < 4; fill++) {
                                for (int i = 0; i < b.length; i++) {
                                    b[i] = (byte) (fill == 0 ? 0 : fill == 1 ? 0xff : fill == 2 ? 1 : rnd.nextInt(256));
                                }
                                int size = hs + body;
                                int w0 = (2 << 29) | (user << 25) | ((hs / 4) << 21) | (nonSeq << 20) | size;
                                put(b, 0, w0);
                                b[4] = (byte) ((type << 5) | (b[4] & 0x1f));
                                add(s, FieldRecord.ofWire(b, 0, size, false));
                            }
                        }
                    }
                }
            }
        }
        for (int user = 0; user < 16; user++) {
            for (int len : new int[] {16, 28, 60}) {
                for (int fill = 0; fill < 3; fill++) {
                    for (int i = 0; i < len; i++) b[i] = (byte) (fill == 0 ? 0 : fill == 1 ? 0xff : rnd.nextInt(256));
                    b[0] = (byte) (0xe0 | (user << 1) | (b[0] & 1));
                    add(s, FieldRecord.ofWire(b, 0, len, true));
                }
            }
        }
        addShapes(s, b);
        return s;
    }

    /**
     * Messages random bytes do not make, each field of which a record can have: discovery with a UDP media address
     * (IPv4 and IPv6; udp_media.c struct udp_media_addr), a STATE with unicast and broadcast gap-ACK blocks (link.c
     * struct tipc_gap_ack_blks) followed by a domain record (monitor.c struct tipc_mon_domain).
     */
    private static void addShapes(Set<String> s, byte[] b) {
        for (int proto : new int[] {MediaAddress.UDP_PROTO_IPV4, MediaAddress.UDP_PROTO_IPV6}) {
            java.util.Arrays.fill(b, (byte) 0);
            put(b, 0, (2 << 29) | (Tipc.LINK_CONFIG << 25) | (15 << 21) | 60); // discovery: MAX_H_SIZE (discover.c)
            new MediaAddress().wrap(b, Tipc.MEDIA_INFO_OFFSET).setMediaType(Tipc.MEDIA_TYPE_UDP).setUdpProto(proto)
                .setUdpPort(6118);
            add(s, FieldRecord.ofWire(b, 0, 60, false));
        }
        java.util.Arrays.fill(b, (byte) 0);
        int gap = 4 + 2 * 4, dom = 16 + 4;
        put(b, 0, (2 << 29) | (Tipc.LINK_PROTOCOL << 25) | (10 << 21) | (40 + gap + dom));
        put(b, 40, (gap << 16) | (1 << 8) | 1); // len, ugack_cnt 1, bgack_cnt 1
        put(b, 44, (5 << 16) | 1); // broadcast block: ack 5, gap 1
        put(b, 48, (9 << 16) | 2); // unicast block: ack 9, gap 2
        put(b, 52, (dom << 16) | 1); // len, gen 1
        put(b, 56, 1); // ack_gen 0, member_cnt 1
        put(b, 64, 1); // up_map bit 0
        put(b, 68, 0x1002); // the member
        add(s, FieldRecord.ofWire(b, 0, 40 + gap + dom, false));
    }

    private static void add(Set<String> s, FieldRecord r) {
        for (FieldRecord.Value v : r.values()) addWithGroups(s, v.path());
    }

    /** {@code path} and the groups it is in ("gap_ack_blocks.gap_ack.ack" adds "gap_ack_blocks.gap_ack" too). */
    private static void addWithGroups(Set<String> s, String path) {
        s.add(path);
        for (int i = path.lastIndexOf('.'); i > 0; i = path.lastIndexOf('.', i - 1)) s.add(path.substring(0, i));
    }

    private static void put(byte[] b, int p, int v) {
        b[p] = (byte) (v >>> 24);
        b[p + 1] = (byte) (v >>> 16);
        b[p + 2] = (byte) (v >>> 8);
        b[p + 3] = (byte) v;
    }
}
