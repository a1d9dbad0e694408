package io.jtipc.fuzz;

import static io.jtipc.fuzz.Checks.check;
import static io.jtipc.fuzz.Checks.precise;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.jtipc.wire.AeadKey;
import io.jtipc.wire.BundleCursor;
import io.jtipc.wire.EncryptionHeader;
import io.jtipc.wire.GapAckBlocks;
import io.jtipc.wire.Malformation;
import io.jtipc.wire.MediaAddress;
import io.jtipc.wire.MonitorDomain;
import io.jtipc.wire.NodeId;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcCodec;
import io.jtipc.wire.TipcDescriber;
import io.jtipc.wire.TipcEvent;
import io.jtipc.wire.TipcMsg;
import io.jtipc.wire.TipcSubscr;

/**
 * Fuzz target for the wire decoders: the input is one frame payload as a bearer hands it to the node, or as the
 * dissector finds it in a capture. Decoding must be total (DEVELOPERS.md): a message or a precise error naming the
 * field, never an exception; and what decodes must re-encode to the same bytes.
 *
 * <p>Checked per input:
 * <ul>
 *   <li>{@link TipcCodec#validateFrame}, {@link TipcCodec#validate} and {@link TipcCodec.Validator} agree, and a
 *       problem names a field ({@link Checks#precise});</li>
 *   <li>{@link TipcDescriber#describeFrame} emits well-formed fields ({@link CheckingSink}) and returns what
 *       {@code validate} returns for a plaintext message;</li>
 *   <li>a message that validates re-encodes field by field ({@link TipcCodec#reencode}) to its own bytes;</li>
 *   <li>{@link BundleCursor} yields inner messages that lie inside the bundle and pass validateFrame;</li>
 *   <li>{@link TipcCodec#innerOffset}/{@link TipcCodec#innerLength} stay inside the message;</li>
 *   <li>the body flyweights (gap-ACK record, monitor domain, AEAD key, media address, topology structs, node id)
 *       and {@link EncryptionHeader} decode without exceptions and re-encode what validates.</li>
 * </ul>
 * Seeds: every kind of message of samples/eth-6.1.pcap and the encrypted payloads of samples/udpcrypto-6.1.pcap.
 */
class WireFuzzTest {
    private static final Runs RUNS = new Runs("wire");
    private static final CheckingSink SINK = new CheckingSink();
    private static final TipcCodec.Validator VALIDATOR = new TipcCodec.Validator();

    static List<byte[]> seedList() {
        List<byte[]> seeds = new ArrayList<>(Captures.diverse(Captures.ethMessages(), 80));
        List<byte[]> enc = Captures.encryptedPayloads();
        // one encrypted payload per encryption-header user (discovery with the 28-byte header, STATE, data)
        for (int user : new int[] {Tipc.LINK_CONFIG, Tipc.LINK_PROTOCOL, 0}) {
            enc.stream().filter(p -> new EncryptionHeader().wrap(p, 0, p.length).user() == user).findFirst()
                .ifPresent(seeds::add);
        }
        return seeds;
    }

    static Stream<Arguments> seeds() {
        return seedList().stream().map(b -> Arguments.of(Named.of(describe(b), b)));
    }

    static String describe(byte[] b) {
        if (EncryptionHeader.isEncrypted(b, 0, b.length)) return "encrypted " + b.length + " B";
        TipcMsg m = new TipcMsg().wrap(b, 0, b.length);
        return Tipc.userName(m.user()) + " type " + m.type() + ", " + b.length + " B";
    }

    @MethodSource("seeds")
    @FuzzTest
    void message(byte[] data) {
        RUNS.count();
        decode(data);
    }

    @AfterAll
    static void report() {
        RUNS.report(seedList().size());
    }

    static void decode(byte[] data) {
        int len = data.length;
        Malformation frame = TipcCodec.validateFrame(data, 0, len);
        precise("validateFrame", frame);
        Malformation full = TipcCodec.validate(data, 0, len);
        precise("validate", full);
        check(full.equals(VALIDATOR.validate(data, 0, len)), "Validator disagrees with validate: " + full);
        check(frame.isOk() || full.equals(frame), "validate " + full + " but validateFrame " + frame);

        SINK.reset();
        Malformation described = TipcDescriber.describeFrame(data, 0, len, SINK);
        SINK.assertClosed();
        precise("describeFrame", described);
        boolean encrypted = EncryptionHeader.isEncrypted(data, 0, len);
        if (!encrypted) {
            check(described.equals(full), "describe returned " + described + " but validate " + full);
        }

        TipcMsg m = new TipcMsg().wrap(data, 0, len);
        check(m.toString() != null, "toString");
        if (frame.isOk()) {
            int size = m.size();
            int inner = TipcCodec.innerOffset(data, 0, len);
            int innerLen = TipcCodec.innerLength(data, 0, len);
            check(inner == m.hdrSize() && innerLen == size - m.hdrSize() && inner + innerLen <= len,
                "inner message [" + inner + ", +" + innerLen + ") outside " + size + " bytes");
            if (full.isOk()) {
                byte[] copy = new byte[size];
                int n = TipcCodec.reencode(data, 0, len, copy, 0);
                check(n == size, "reencode returned " + n + " for a valid message of " + size + " bytes");
                check(Arrays.equals(copy, 0, size, data, 0, size),
                    "reencode changed the message: " + m + " -> " + new TipcMsg().wrap(copy, 0, size));
            }
            if (m.user() == Tipc.MSG_BUNDLER) bundle(data, size);
            body(m, data);
        }
        if (encrypted) encryption(data);
        structs(data);
    }

    private static void bundle(byte[] data, int size) {
        BundleCursor c = new BundleCursor().wrap(data, 0, data.length);
        int n = 0;
        while (c.next()) {
            check(c.offset() >= Tipc.MIN_H_SIZE && c.length() >= Tipc.MIN_H_SIZE && c.offset() + c.length() <= size,
                "bundled message [" + c.offset() + ", +" + c.length() + ") outside the bundle of " + size);
            check(TipcCodec.validateFrame(data, c.offset(), c.length()).isOk(), "bundled message not valid");
            check(++n <= size / Tipc.MIN_H_SIZE, "more bundled messages than fit");
        }
        precise("bundle", c.malformation());
    }

    private static void body(TipcMsg m, byte[] data) {
        int d = m.hdrSize();
        int ds = m.size() - d;
        if (ds >= GapAckBlocks.HEADER) {
            GapAckBlocks g = new GapAckBlocks().wrap(data, d, ds);
            Malformation gm = g.validate();
            precise("gap_ack_blocks", gm);
            if (gm.isOk()) {
                for (int i = 0; i < g.blockCount(); i++) {
                    g.ack(i);
                    g.gap(i);
                }
                int rest = ds - g.len();
                if (rest > 0) {
                    MonitorDomain dom = new MonitorDomain().wrap(data, d + g.len(), rest);
                    Malformation dm = dom.validate();
                    precise("domain_record", dm);
                    if (dm.isOk()) {
                        for (int i = 0; i < dom.memberCnt(); i++) dom.member(i);
                        dom.upMap();
                    }
                }
            }
        }
        AeadKey k = new AeadKey().wrap(data, d, ds);
        check(k.algName() != null, "algName");
        precise("aead_key", k.validate());
        if (m.hdrSize() >= Tipc.MEDIA_INFO_OFFSET + MediaAddress.SIZE) {
            MediaAddress a = new MediaAddress().wrap(data, m.mediaAddrOffset());
            SINK.reset();
            a.describe(SINK);
            SINK.assertClosed();
            a.macString();
            a.ipString();
            a.reservedRanges();
        }
        if (ds >= Tipc.NODE_ID_LEN) {
            check(NodeId.toString(data, d) != null, "node id");
            NodeId.hash(data, d);
        }
    }

    private static void encryption(byte[] data) {
        EncryptionHeader e = new EncryptionHeader().wrap(data, 0, data.length);
        Malformation em = e.validate();
        precise("ehdr", em);
        if (em.isOk()) {
            check(e.ciphertextLength() > 0 && e.tagOffset() + Tipc.AES_GCM_TAG_SIZE == data.length,
                "ciphertext/tag outside the frame");
            byte[] copy = new byte[data.length];
            check(EncryptionHeader.reencode(data, 0, data.length, copy, 0) == data.length, "ehdr reencode size");
            check(Arrays.equals(copy, data), "ehdr reencode changed the header");
        }
    }

    /** The topology service structs a local subscriber sends (TipcSubscr, TipcEvent), in both byte orders. */
    private static void structs(byte[] data) {
        for (ByteOrder kernel : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            if (data.length >= TipcSubscr.SIZE) {
                TipcSubscr s = new TipcSubscr().wrap(data, 0, TipcSubscr.detectOrder(data, 0, kernel));
                precise("tipc_subscr", s.validate());
                SINK.reset();
                s.describe(SINK);
            }
            if (data.length >= TipcEvent.SIZE) {
                TipcEvent ev = new TipcEvent().wrap(data, 0, TipcEvent.detectOrder(data, 0, kernel));
                SINK.reset();
                ev.describe(SINK);
                SINK.assertClosed();
            }
        }
    }
}
