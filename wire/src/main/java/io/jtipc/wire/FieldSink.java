package io.jtipc.wire;

/**
 * Receives the fields of a message in wire order, as emitted by {@link TipcDescriber}.
 *
 * <p>Field names are the kernel accessor names without the {@code msg_} prefix, in snake_case
 * ({@code hdr_sz}, {@code bcast_ack}, {@code nametype} ...). Reserved bit ranges are emitted as
 * {@code reserved_w<word>_<lowbit>} so that a non-zero reserved bit is visible.
 */
public interface FieldSink {
    /**
     * How the bytes of a {@link #text(String, TextKind, byte[], int, int)} field read as text.
     * {@link #format} gives the String; a sink that writes bytes can render them without one.
     */
    enum TextKind {
        /** 16-byte node identity, {@link NodeId#toString} (tipc_nodeid2string). */
        NODE_ID,
        /**
         * NUL-padded Latin-1 name (interface name, algorithm name): the bytes before the first NUL, escaped by
         * {@link PeerText#latin1} (a peer chooses them: no control character reaches a printer).
         */
        LATIN1,
        /** 6-byte MAC, "52:54:00:00:00:0a". */
        MAC,
        /** IPv4 (4 bytes, dotted) or IPv6 (16 bytes, 8 hex groups, no compression). */
        IP;

        /** The text of {@code buf[off..off+len)} for this kind. */
        public String format(byte[] buf, int off, int len) {
            switch (this) {
                case NODE_ID: return NodeId.toString(buf, off);
                case LATIN1: return PeerText.latin1(buf, off, len);
                case MAC: {
                    StringBuilder sb = new StringBuilder(17);
                    for (int i = 0; i < len; i++) {
                        if (i > 0) sb.append(':');
                        sb.append(Bytes.hex(buf, off + i, 1));
                    }
                    return sb.toString();
                }
                default: {
                    StringBuilder sb = new StringBuilder(39);
                    if (len == 4) {
                        for (int i = 0; i < 4; i++) {
                            if (i > 0) sb.append('.');
                            sb.append(buf[off + i] & 0xff);
                        }
                    } else {
                        for (int i = 0; i < len / 2; i++) {
                            if (i > 0) sb.append(':');
                            sb.append(Integer.toHexString(Bytes.getShort(buf, off + 2 * i)));
                        }
                    }
                    return sb.toString();
                }
            }
        }
    }

    /**
     * A numeric field.
     *
     * @param name kernel accessor name without {@code msg_}
     * @param value unsigned value (u32 fields as 0..2^32-1, 64-bit sequence as is)
     * @param symbolic enum name ("NAME_DISTRIBUTOR", "STATE_MSG"), formatted address, or null
     */
    void field(String name, long value, String symbolic);

    /** A text field: node id string, interface name, algorithm name. */
    void text(String name, String value);

    /**
     * A text field given as the bytes it is read from ({@code kind} says how). The default calls
     * {@link #text(String, String)} with {@link TextKind#format}; a sink that can render the bytes
     * itself overrides this and allocates nothing.
     */
    default void text(String name, TextKind kind, byte[] buf, int off, int len) {
        text(name, kind.format(buf, off, len));
    }

    /**
     * A 32-bit node address field (prevnode, orignode, destnode, dest_domain, sugg_node_addr,
     * monitor members). The default calls {@link #field} with the address in lower-case hex as the
     * kernel prints it ({@link TipcAddr#toHex}) as symbolic text; a sink that formats the number itself
     * overrides this and allocates nothing.
     */
    default void address(String name, int addr) {
        field(name, addr & 0xffffffffL, TipcAddr.toHex(addr));
    }

    /**
     * A bit-map field whose symbolic text is its value in hex with "0x" (up_map). The default calls
     * {@link #field} with that text; overriding it avoids the String.
     */
    default void bitmap(String name, long value) {
        field(name, value, "0x" + Long.toHexString(value));
    }

    /** Opaque bytes: payload, raw media address, key material. Do not keep {@code buf}. */
    void bytes(String name, byte[] buf, int off, int len);

    /** Start of a nested structure ("gap_ack_blocks", "gap_ack[0]", "item[3]", "media_addr", "domain_record"). */
    void beginGroup(String name);

    /** End of the innermost open group. */
    void endGroup();
}
