package io.jtipc.wire;

import java.security.GeneralSecurityException;
import java.security.Provider;
import java.util.Arrays;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@link AesGcm} on the JDK's {@code AES/GCM/NoPadding} (SunJCE). Chosen for the node and the capture analyser: it
 * needs no dependency in {@code wire}, HotSpot intrinsifies AES and GHASH on x86-64 and arm64, and it measured faster
 * than BouncyCastle's lightweight GCM and JCE provider on every size of bench's {@code AesGcmBenchmark} (64, 1 400,
 * 66 000 B, seal and open; 3-4× faster at 64 B and 20-60× from 1 400 B up on x86-64 with AES-NI/CLMUL, bench/RESULTS.md).
 * One {@link Cipher} is kept and re-initialised per operation (a GCM cipher must be re-keyed with a fresh IV each
 * time); that costs ~1 KB of allocation per operation (the JDK's parameter and GHASH objects), BouncyCastle's about
 * 0.7 KB at 64 B but 130 KB at 66 000 B.
 *
 * <p>{@link #JdkAesGcm(byte[], int, int, Provider)} runs the same {@code javax.crypto} code on another JCE provider
 * (bench measures BouncyCastle's that way). Whatever the provider, a failed {@link #open} leaves no plaintext in
 * {@code out}: SunJCE holds it back until the tag verifies, BouncyCastle's provider writes it first, so the written
 * range is zeroed on failure. Not thread-safe.
 */
public final class JdkAesGcm implements AesGcm {
    private final SecretKeySpec key;
    private final Cipher cipher;

    /**
     * @throws IllegalArgumentException if {@code len} is not 16, 24 or 32
     * @throws IllegalStateException    if the JDK lacks AES/GCM (it never does on a standard JDK 17)
     */
    public JdkAesGcm(byte[] key, int off, int len) {
        this(key, off, len, null);
    }

    /**
     * The same on {@code provider}'s {@code AES/GCM/NoPadding} (null = the JDK's default choice).
     *
     * @throws IllegalArgumentException if {@code len} is not 16, 24 or 32
     * @throws IllegalStateException    if the provider lacks AES/GCM/NoPadding
     */
    public JdkAesGcm(byte[] key, int off, int len, Provider provider) {
        if (len != 16 && len != 24 && len != 32) {
            throw new IllegalArgumentException("AES key must be 16, 24 or 32 bytes, got " + len);
        }
        this.key = new SecretKeySpec(key, off, len, "AES");
        try {
            this.cipher = provider == null ? Cipher.getInstance("AES/GCM/NoPadding")
                    : Cipher.getInstance("AES/GCM/NoPadding", provider);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM/NoPadding unavailable"
                    + (provider == null ? "" : " from " + provider.getName()), e);
        }
    }

    @Override
    public int seal(byte[] iv, byte[] aad, int aadOff, int aadLen, byte[] in, int inOff, int len, byte[] out, int outOff) {
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_SIZE * 8, iv, 0, IV_SIZE));
            cipher.updateAAD(aad, aadOff, aadLen);
            return cipher.doFinal(in, inOff, len, out, outOff);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption refused: " + e.getMessage(), e);
        }
    }

    @Override
    public int open(byte[] iv, byte[] aad, int aadOff, int aadLen, byte[] in, int inOff, int len, byte[] out, int outOff) {
        if (len < TAG_SIZE) return -1;
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_SIZE * 8, iv, 0, IV_SIZE));
            cipher.updateAAD(aad, aadOff, aadLen);
            return cipher.doFinal(in, inOff, len, out, outOff);
        } catch (GeneralSecurityException | RuntimeException e) {
            // AEADBadTagException among them; no plaintext may stay behind (see the class comment)
            if (out != null && outOff >= 0 && outOff < out.length) { // bad arguments get -1 too, never an exception
                Arrays.fill(out, outOff, outOff + Math.max(0, Math.min(len - TAG_SIZE, out.length - outOff)), (byte) 0);
            }
            return -1;
        }
    }
}
