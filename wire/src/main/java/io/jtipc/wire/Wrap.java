package io.jtipc.wire;

/**
 * The bounds check of the fixed-size flyweights' {@code wrap} (distr_item, tipc_subscr, tipc_event, node identity): a
 * short buffer is named, not an index.
 */
final class Wrap {
    private Wrap() { }

    /**
     * @throws IndexOutOfBoundsException "{@code what}: N bytes needed at offset O, buffer of L bytes" if
     *         {@code buf[off, off + size)} is not inside {@code buf}
     */
    static void check(String what, byte[] buf, int off, int size) {
        if (off < 0 || off > buf.length - size) {
            throw new IndexOutOfBoundsException(what + ": " + size + " bytes needed at offset " + off + ", buffer of "
                + buf.length + " bytes");
        }
    }
}
