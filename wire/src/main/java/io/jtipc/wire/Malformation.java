package io.jtipc.wire;

import java.util.Objects;

/**
 * Result of validating bytes: either {@link #OK} or a problem naming the field and why.
 *
 * <p>Example: field {@code "hdr_sz"}, reason {@code "header size 20 < 24"}; field {@code "size"},
 * reason {@code "msg_size 1500 > 1200 bytes available"}. Field names follow the kernel accessor
 * names without {@code msg_} (see {@link FieldSink}).
 *
 * <p>Two severities. An error ({@link #of}) is something the kernel (the specification, Linux 6.1)
 * refuses: it drops the message, or the part named. A warning ({@link #warning}, {@link #isWarning()})
 * is a departure from what the kernel itself sends that the kernel accepts: it processes the message and
 * ignores the odd part, and the reason says what it does with it. These are the warnings the wire layer
 * finds:
 * <ul>
 *   <li>{@code gap_ack_blocks}: a STATE's gap ACK record whose len (bytes) is neither
 *       4 + 4 &times; (ugack_cnt + bgack_cnt) nor 4 + 4 &times; ugack_cnt but fits the data area: the
 *       blocks are ignored and the monitor record is still read at data + len
 *       ({@code net/tipc/link.c tipc_get_gap_ack_blks}, {@code tipc_link_proto_rcv});
 *       see {@link GapAckBlocks#validate()};</li>
 *   <li>{@code domain_record.*}: a STATE's neighbour-monitor domain record that fails the kernel's checks
 *       (member count, len): the record is ignored, the STATE processed ({@code net/tipc/monitor.c
 *       tipc_mon_rcv});</li>
 *   <li>{@code data} of a NAME_DISTRIBUTOR message whose size is not a multiple of 20 bytes: the
 *       whole 20-byte items are applied, the trailing bytes ignored
 *       ({@code net/tipc/name_distr.c tipc_named_rcv});</li>
 *   <li>{@code msgcnt} of a MSG_BUNDLER that differs from the messages it holds, and {@code data}: 4 to 23
 *       bytes after its last message: the bundle is walked by the inner sizes alone, msgcnt is not read and
 *       fewer than 24 remaining bytes end the walk ({@code net/tipc/msg.c tipc_msg_extract});
 *       see {@link BundleCursor}.</li>
 * </ul>
 * A warning is not {@link #isOk() OK}: code that asks {@code isOk()} whether to use a structure keeps
 * refusing it (the kernel ignores the structure too), and the single-result entry points
 * ({@link TipcCodec#validate}, {@link TipcDescriber#describe(byte[], int, int, FieldSink)}) return the first
 * finding of either severity, as before warnings existed. Callers that keep the two apart use the overloads
 * that take a warning consumer ({@link TipcCodec.Validator#validate(byte[], int, int, java.util.function.Consumer)},
 * {@link TipcDescriber#describe(byte[], int, int, FieldSink, java.util.function.Consumer)}); a single result
 * is one finding, an error ahead of any warning.
 */
public final class Malformation {
    /** The single "no problem" value. */
    public static final Malformation OK = new Malformation(null, null, false);

    private final String field;
    private final String reason;
    private final boolean warning;

    private Malformation(String field, String reason, boolean warning) {
        this.field = field;
        this.reason = reason;
        this.warning = warning;
    }

    /** A problem with {@code field} that the kernel refuses; reason is a human readable sentence fragment. */
    public static Malformation of(String field, String reason) {
        return new Malformation(Objects.requireNonNull(field), Objects.requireNonNull(reason), false);
    }

    /**
     * A finding about {@code field} that the kernel accepts (see the class comment); {@code reason} says what is
     * odd and what the kernel does with it, e.g. {@code "msgcnt 3 but 2 messages in bundle: the kernel extracts
     * by inner sizes and ignores msgcnt"}.
     */
    public static Malformation warning(String field, String reason) {
        return new Malformation(Objects.requireNonNull(field), Objects.requireNonNull(reason), true);
    }

    /** True for {@link #OK} only: a warning is not OK (see the class comment). */
    public boolean isOk() {
        return field == null;
    }

    /** True for a finding the kernel accepts ({@link #warning}); false for OK and for errors. */
    public boolean isWarning() {
        return warning;
    }

    /** Field name, null for OK. */
    public String field() {
        return field;
    }

    /** Reason, null for OK. */
    public String reason() {
        return reason;
    }

    /** Returns {@code this} if not OK, else {@code other}: keep the first problem found. */
    public Malformation or(Malformation other) {
        return isOk() ? other : this;
    }

    @Override
    public String toString() {
        return isOk() ? "OK" : warning ? "warning " + field + ": " + reason : field + ": " + reason;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Malformation && Objects.equals(field, ((Malformation) o).field)
            && Objects.equals(reason, ((Malformation) o).reason) && warning == ((Malformation) o).warning;
    }

    @Override
    public int hashCode() {
        return Objects.hash(field, reason, warning);
    }
}
