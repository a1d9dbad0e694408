package io.jtipc.api;

import io.jtipc.wire.NodeId;

/** Node identities as text: the form a node shows, so that two spellings of one identity compare equal. */
public final class TipcIdentity {
    private TipcIdentity() {}

    /**
     * The identity {@code text} as a node shows it ({@link TipcNode#identity()}, iproute2's {@code tipc node list}):
     * parsed as {@code tipc node set identity} does (iproute2 {@code str2nodeid}: up to 16 characters as text, else 32
     * hex digits) and written back as the kernel does ({@code tipc_nodeid2string}, net/tipc/addr.c): printable text
     * as it is, anything else in lower-case hex. {@code 00112233445566778899AABBCCDDEEFF} becomes
     * {@code 00112233445566778899aabbccddeeff}.
     *
     * @throws IllegalArgumentException if {@code text} is no identity (too long, not hex where hex is needed)
     */
    public static String canonical(String text) {
        return NodeId.parse(text).toString();
    }
}
