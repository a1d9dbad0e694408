package io.jtipc.bench;

import io.jtipc.wire.AesGcm;
import io.jtipc.wire.JdkAesGcm;
import io.jtipc.wire.EncryptedFrame;
import io.jtipc.wire.EncryptionHeader;
import io.jtipc.wire.Tipc;
import java.security.Provider;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * AES-256-GCM as TIPC's data path does it (net/tipc/crypto.c tipc_aead_encrypt / tipc_aead_decrypt), through the
 * same {@code wire} code the node ({@code Aead.seal}/{@code open}) and the capture analyser call:
 * {@link EncryptionHeader#iv} (12-byte IV = salt XOR the header's address, then the header's sequence number),
 * {@link EncryptedFrame#seal} (message padded to 4 bytes, AAD = the encryption header, 16-byte tag appended) and
 * {@link EncryptedFrame#open}. {@code size} is the TIPC message (plaintext) length in bytes; the frame is
 * {@code ehdr + size + 16} bytes. {@code ehdr} is 16 (every message but discovery) or 28 (LINK_CONFIG).
 *
 * <p>{@link #seal} takes the next sequence number every operation, so every operation has a fresh IV as on the data
 * path (a GCM cipher refuses the same key and IV twice for encryption, the JDK's and BouncyCastle's alike).
 * {@link #open} opens one frame sealed in set-up (decryption may repeat an IV), deriving the IV from its header each
 * time. Both check the result, so a wrong implementation fails the run.
 *
 * <p>{@code impl}: {@code jdk} = {@link AesGcm#of} ({@link io.jtipc.wire.JdkAesGcm}, SunJCE {@code AES/GCM/NoPadding},
 * what the node and the analyser use); {@code bc} = {@link BcAesGcm}, BouncyCastle's lightweight {@code
 * GCMBlockCipher} over {@code AESEngine} with its default 4 KiB GHASH table; {@code bc64k} = the same with the 64 KiB
 * table; {@code bcjce} = {@link JdkAesGcm} on the BouncyCastle JCE provider. Run with {@code -prof gc} for the
 * allocation per operation ({@code gc.alloc.rate.norm}, B/op).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AesGcmBenchmark {
    /** AES-256 key then the 4-byte salt, as {@code tipc node set key} takes it (36 bytes). */
    static final byte[] MATERIAL = new byte[36];
    /** The sender's TIPC address in the header (cluster key: XORed into the salt). */
    static final int ADDR = 0x01001001;

    static {
        new Random(42).nextBytes(MATERIAL);
    }

    @Param({"jdk", "bc", "bc64k", "bcjce"})
    public String impl;

    @Param({"64", "1400", "66000"})
    public int size;

    @Param({"16"})
    public int ehdr;

    private AesGcm gcm;
    private final byte[] salt = Arrays.copyOfRange(MATERIAL, 32, 36);
    private final byte[] iv = new byte[AesGcm.IV_SIZE];
    private final EncryptionHeader header = new EncryptionHeader();
    private final EncryptionHeader sealedHeader = new EncryptionHeader();
    private byte[] msg;
    private byte[] scratch;
    private byte[] frame;
    private byte[] sealed;
    private int sealedLen;
    private byte[] plain;
    private long seqno;

    /** The implementation named {@code name} for the benchmark's key. */
    static AesGcm create(String name) {
        switch (name) {
            case "jdk": return AesGcm.of(MATERIAL, 0, 32);
            case "bc": return new BcAesGcm(MATERIAL, 0, 32, BcAesGcm.Table.T4K);
            case "bc64k": return new BcAesGcm(MATERIAL, 0, 32, BcAesGcm.Table.T64K);
            case "bcjce": return new JdkAesGcm(MATERIAL, 0, 32, BcProvider.INSTANCE);
            default: throw new IllegalArgumentException("impl " + name);
        }
    }

    /** One BouncyCastle provider object, not registered with {@code Security}. */
    static final class BcProvider {
        static final Provider INSTANCE = new BouncyCastleProvider();
    }

    /**
     * Writes an encryption header as {@code NodeCrypto.buildEhdr} does for a data message (or a LINK_CONFIG one when
     * {@code ehdr} is 28) on a cluster key, with sequence number {@code seq}.
     */
    static void header(EncryptionHeader e, long seq) {
        Arrays.fill(e.buffer(), e.offset(), e.offset() + e.length(), (byte) 0);
        e.setVersion(Tipc.EVERSION).setTxKey(1).setDestined(1).setRxKeyActive(1).setSeqno(seq);
        if (e.length() == Tipc.EHDR_CFG_SIZE) {
            e.setUser(Tipc.LINK_CONFIG);
            Arrays.fill(e.buffer(), e.nodeIdOffset(), e.nodeIdOffset() + 16, (byte) 0x5a);
        } else {
            e.setAddr(ADDR);
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        gcm = create(impl);
        msg = new byte[size];
        new Random(size).nextBytes(msg);
        int flen = EncryptedFrame.frameLength(ehdr, size);
        scratch = new byte[flen];
        frame = new byte[flen];
        plain = new byte[flen];
        // the frame open() opens, sealed by the JDK implementation (the reference)
        sealed = new byte[flen];
        header(sealedHeader.wrap(sealed, 0, ehdr), 1);
        EncryptionHeader.iv(salt, ivAddr(sealedHeader), 1, iv, 0);
        sealedLen = EncryptedFrame.seal(AesGcm.of(MATERIAL, 0, 32), iv, sealed, 0, ehdr, msg, 0, size, scratch);
        sealedHeader.wrap(sealed, 0, sealedLen);
        // and this impl seals the same message with the same IV into the JDK's frame, byte for byte
        seqno = 0;
        header(header.wrap(frame, 0, ehdr), 0);
        seal();
        if (sealedLen != frameLength() || !Arrays.equals(frame, 0, sealedLen, sealed, 0, sealedLen)) {
            throw new IllegalStateException(impl + " seals differently from the JDK");
        }
        // and opens the JDK's frame (after sealing: BouncyCastle refuses to encrypt with the IV it last decrypted with)
        if (open() != ((size + 3) & ~3) || !Arrays.equals(plain, 0, size, msg, 0, size)) {
            throw new IllegalStateException(impl + " does not open the JDK's frame");
        }
    }

    private int frameLength() {
        return EncryptedFrame.frameLength(ehdr, size);
    }

    private static int ivAddr(EncryptionHeader e) {
        return EncryptedFrame.ivAddr(Tipc.CLUSTER_KEY, e, 0);
    }

    /** Encrypts the message into a frame with the next sequence number (a fresh IV). @return the frame length */
    @Benchmark
    public int seal() {
        long s = ++seqno;
        EncryptionHeader e = header.setSeqno(s);
        EncryptionHeader.iv(salt, ivAddr(e), s, iv, 0);
        int n = EncryptedFrame.seal(gcm, iv, frame, 0, ehdr, msg, 0, size, scratch);
        if (n != ehdr + ((size + 3) & ~3) + AesGcm.TAG_SIZE) throw new IllegalStateException("seal " + n);
        return n;
    }

    /** Decrypts and authenticates the frame sealed in set-up. @return the plaintext length */
    @Benchmark
    public int open() {
        EncryptionHeader e = sealedHeader;
        EncryptionHeader.iv(salt, ivAddr(e), e.seqno(), iv, 0);
        int n = EncryptedFrame.open(gcm, iv, sealed, 0, sealedLen, ehdr, plain);
        if (n < 0) throw new IllegalStateException(impl + ": tag did not verify");
        return n;
    }
}
