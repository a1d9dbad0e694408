package io.jtipc.wire;

import java.security.GeneralSecurityException;

import javax.crypto.AEADBadTagException;
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
 */
public final class JdkAesGcm implements AesGcm {
    private final SecretKeySpec key;
    private final Cipher cipher;

    /**
     * @throws IllegalArgumentException if {@code len} is not 16, 24 or 32
     * @throws IllegalStateException    if the JDK lacks AES/GCM (it never does on a standard JDK 17)
     */
    public JdkAesGcm(byte[] key, int off, int len) {
        if (len != 16 && len != 24 && len != 32) {
            throw new IllegalArgumentException("AES key must be 16, 24 or 32 bytes, got " + len);
        }
        this.key = new SecretKeySpec(key, off, len, "AES");
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM/NoPadding unavailable", e);
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
        } catch (AEADBadTagException e) {
            return -1;
        } catch (GeneralSecurityException | RuntimeException e) {
            return -1;
        }
    }
}
