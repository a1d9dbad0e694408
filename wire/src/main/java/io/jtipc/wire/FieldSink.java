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
     * A numeric field.
     *
     * @param name kernel accessor name without {@code msg_}
     * @param value unsigned value (u32 fields as 0..2^32-1, 64-bit sequence as is)
     * @param symbolic enum name ("NAME_DISTRIBUTOR", "STATE_MSG"), formatted address, or null
     */
    void field(String name, long value, String symbolic);

    /** A text field: node id string, interface name, algorithm name. */
    void text(String name, String value);

    /** Opaque bytes: payload, raw media address, key material. Do not keep {@code buf}. */
    void bytes(String name, byte[] buf, int off, int len);

    /** Start of a nested structure ("gap_ack_blocks", "gap_ack[0]", "item[3]", "media_addr", "domain_record"). */
    void beginGroup(String name);

    /** End of the innermost open group. */
    void endGroup();
}
