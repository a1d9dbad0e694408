package io.jtipc.bench;

import io.jtipc.wire.AesGcm;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@link AesGcm} on {@code AES/GCM/NoPadding} of a given JCE provider: the same code as {@link io.jtipc.wire.JdkAesGcm}
 * but for the provider, so that the BouncyCastle JCE provider can be measured on the path the JDK's takes, and for
 * one thing: a failed {@link #open} wipes the output, since BouncyCastle's provider writes plaintext before it checks
 * the tag. Not thread-safe.
 */
public final class JceAesGcm implements AesGcm {
    private final SecretKeySpec key;
    private final Cipher cipher;

    /**
     * @throws IllegalArgumentException if {@code len} is not 16, 24 or 32
     * @throws IllegalStateException    if the provider lacks AES/GCM/NoPadding
     */
    public JceAesGcm(byte[] key, int off, int len, Provider provider) {
        if (len != 16 && len != 24 && len != 32) {
            throw new IllegalArgumentException("AES key must be 16, 24 or 32 bytes, got " + len);
        }
        this.key = new SecretKeySpec(key, off, len, "AES");
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM/NoPadding unavailable from " + provider.getName(), e);
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
            // SunJCE holds the plaintext back until the tag verifies, BouncyCastle's provider does not: wipe what it
            // wrote (AesGcm promises no plaintext on -1)
            Arrays.fill(out, outOff, outOff + Math.max(0, Math.min(len - TAG_SIZE, out.length - outOff)), (byte) 0);
            return -1;
        }
    }
}
