/**
 * Byte-exact flyweight codecs for every TIPC message a Linux 6.1/6.12 node sends
 * ({@code net/tipc/msg.h} and friends). No dependencies.
 *
 * <h2>Entry points</h2>
 * <ul>
 *   <li>{@link io.jtipc.wire.TipcMsg}: header flyweight, {@code wrap(buf, off, len)}, getters and
 *       setters named after the kernel's {@code msg_*} accessors (camelCase), allocation free.</li>
 *   <li>{@link io.jtipc.wire.TipcCodec}: {@code validateFrame} (tipc_msg_validate), {@code validate}
 *       (framing + body structure), {@code reencode} (field-by-field copy proving every bit is
 *       accounted for), {@code innerOffset/innerLength}.</li>
 *   <li>{@link io.jtipc.wire.TipcDescriber#describe}: every header and body field to a
 *       {@link io.jtipc.wire.FieldSink}; never recurses into carried messages.</li>
 *   <li>{@link io.jtipc.wire.HeaderLayout}/{@link io.jtipc.wire.HeaderField}: which fields a header has
 *       per user/type/size, with word/bit positions.</li>
 *   <li>Bodies: {@link io.jtipc.wire.MediaAddress} (discovery media block), {@link io.jtipc.wire.GapAckBlocks}
 *       and {@link io.jtipc.wire.MonitorDomain} (STATE data), {@link io.jtipc.wire.DistrItem}
 *       (NAME_DISTRIBUTOR), {@link io.jtipc.wire.AeadKey} (MSG_CRYPTO KEY_DISTR).</li>
 *   <li>Carried messages: {@link io.jtipc.wire.BundleCursor} (MSG_BUNDLER),
 *       {@link io.jtipc.wire.FragmentAssembler} (MSG_FRAGMENTER, tipc_buf_append),
 *       {@link io.jtipc.wire.TipcCodec#innerOffset} (TUNNEL_PROTOCOL).</li>
 *   <li>{@link io.jtipc.wire.EncryptionHeader}: struct tipc_ehdr (16 or 28 bytes, version 7).</li>
 *   <li>{@link io.jtipc.wire.TipcSubscr}, {@link io.jtipc.wire.TipcEvent}: topology service structs
 *       (subscriber's byte order).</li>
 *   <li>{@link io.jtipc.wire.NodeId}, {@link io.jtipc.wire.TipcAddr}, {@link io.jtipc.wire.Seqno},
 *       {@link io.jtipc.wire.Tipc} (constants and names), {@link io.jtipc.wire.Malformation}.</li>
 * </ul>
 * Units: sizes in bytes, sequence numbers 16-bit modulo 65536 (64-bit in the encryption header),
 * times in ms. Decoding never throws on any byte sequence; unknown users/types/values are kept and
 * reported as unknown.
 */
package io.jtipc.wire;
