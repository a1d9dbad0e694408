package io.jtipc.bench;

import io.jtipc.wire.AesGcm;
import java.util.Arrays;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.modes.gcm.GCMMultiplier;
import org.bouncycastle.crypto.modes.gcm.Tables4kGCMMultiplier;
import org.bouncycastle.crypto.modes.gcm.Tables64kGCMMultiplier;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * {@link AesGcm} on BouncyCastle's lightweight API ({@code GCMBlockCipher.newInstance(AESEngine.newInstance(), m)}),
 * the implementation the design card named, kept in bench for the JMH comparison with the JDK's {@link
 * io.jtipc.wire.JdkAesGcm} (bench/RESULTS.md: the JDK's is faster on every size, so the node and the analyser use it).
 *
 * <p>The AES key schedule and the GHASH table are computed once, in the constructor; each operation re-initialises
 * the cipher with a null key (BC keeps the key) and the operation's IV, then feeds the AAD by {@code
 * processAADBytes} (no copy into {@link AEADParameters}). BC refuses to encrypt with the IV of the cipher's previous
 * operation, a decryption's included (the JDK only after an encryption with that key and IV): harmless on the data
 * path, where a node's TX IVs (its own address or the destination's in the salt) and RX IVs (the sender's) differ,
 * but a test that opens a frame and then seals with the same IV meets it. BC releases plaintext before the tag is checked, so {@link #open} wipes what it wrote when the tag fails
 * (the interface promises no plaintext then). Not thread-safe.
 */
public final class BcAesGcm implements AesGcm {
    /** GHASH multiplier table: BC's default (4 KiB per key) or the 64 KiB one. */
    public enum Table { T4K, T64K }

    private final GCMModeCipher gcm;
    private final Table table;

    /**
     * @throws IllegalArgumentException if {@code len} is not 16, 24 or 32
     */
    public BcAesGcm(byte[] key, int off, int len, Table table) {
        if (len != 16 && len != 24 && len != 32) {
            throw new IllegalArgumentException("AES key must be 16, 24 or 32 bytes, got " + len);
        }
        this.table = table;
        GCMMultiplier m = table == Table.T64K ? new Tables64kGCMMultiplier() : new Tables4kGCMMultiplier();
        this.gcm = GCMBlockCipher.newInstance(AESEngine.newInstance(), m);
        // keys the cipher once (key schedule, H and its table); the zero IV of this first init is never used to encrypt
        gcm.init(false, new AEADParameters(new KeyParameter(key, off, len), TAG_SIZE * 8, new byte[IV_SIZE]));
    }

    /** The multiplier table in use. */
    public Table table() {
        return table;
    }

    @Override
    public int seal(byte[] iv, byte[] aad, int aadOff, int aadLen, byte[] in, int inOff, int len, byte[] out, int outOff) {
        try {
            gcm.init(true, new AEADParameters(null, TAG_SIZE * 8, ivOf(iv)));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("AES-GCM encryption refused: " + e.getMessage(), e);
        }
        gcm.processAADBytes(aad, aadOff, aadLen);
        int n = gcm.processBytes(in, inOff, len, out, outOff);
        try {
            return n + gcm.doFinal(out, outOff + n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("AES-GCM encryption failed: " + e.getMessage(), e); // not on encryption
        }
    }

    @Override
    public int open(byte[] iv, byte[] aad, int aadOff, int aadLen, byte[] in, int inOff, int len, byte[] out, int outOff) {
        if (len < TAG_SIZE) return -1;
        int n = 0;
        try {
            gcm.init(false, new AEADParameters(null, TAG_SIZE * 8, ivOf(iv)));
            gcm.processAADBytes(aad, aadOff, aadLen);
            n = gcm.processBytes(in, inOff, len, out, outOff);
            return n + gcm.doFinal(out, outOff + n);
        } catch (InvalidCipherTextException | RuntimeException e) {
            Arrays.fill(out, outOff, outOff + Math.max(0, Math.min(len - TAG_SIZE, out.length - outOff)), (byte) 0);
            return -1;
        }
    }

    private static byte[] ivOf(byte[] iv) {
        // AEADParameters keeps the array it is given and GCMBlockCipher copies it: pass exactly 12 bytes
        return iv.length == IV_SIZE ? iv : Arrays.copyOf(iv, IV_SIZE);
    }
}
