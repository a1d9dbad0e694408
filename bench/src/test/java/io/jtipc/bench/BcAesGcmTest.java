package io.jtipc.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jtipc.wire.AesGcm;
import io.jtipc.wire.JdkAesGcm;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's other {@link AesGcm} implementations are the same function as the JDK's the node uses: same
 * ciphertext and tag for the same key, IV and AAD, each opens the other's, a wrong tag or AAD is refused with no
 * plaintext left behind, and an IV repeated for encryption is refused.
 */
class BcAesGcmTest {
    static final byte[] KEY = new byte[32];
    static final byte[] IV = new byte[12];
    static final byte[] AAD = new byte[16];

    static {
        Random r = new Random(7);
        r.nextBytes(KEY);
        r.nextBytes(IV);
        r.nextBytes(AAD);
    }

    static AesGcm[] others() {
        return new AesGcm[] {new BcAesGcm(KEY, 0, 32, BcAesGcm.Table.T4K), new BcAesGcm(KEY, 0, 32, BcAesGcm.Table.T64K),
            new JdkAesGcm(KEY, 0, 32, AesGcmBenchmark.BcProvider.INSTANCE)};
    }

    @Test
    void sealsLikeTheJdkAndOpensItsFrames() {
        for (int len : new int[] {0, 4, 64, 1400, 66000}) {
            byte[] msg = new byte[len];
            new Random(len).nextBytes(msg);
            byte[] ref = new byte[len + 16];
            assertThat(AesGcm.of(KEY, 0, 32).seal(IV, AAD, 0, 16, msg, 0, len, ref, 0)).isEqualTo(len + 16);
            for (AesGcm g : others()) {
                byte[] ct = new byte[len + 16];
                assertThat(g.seal(IV, AAD, 0, 16, msg, 0, len, ct, 0)).as(g + " " + len).isEqualTo(len + 16);
                assertThat(ct).as(g + " " + len).isEqualTo(ref);
                byte[] pt = new byte[len];
                assertThat(g.open(IV, AAD, 0, 16, ref, 0, len + 16, pt, 0)).isEqualTo(len);
                assertThat(pt).isEqualTo(msg);
                assertThat(AesGcm.of(KEY, 0, 32).open(IV, AAD, 0, 16, ct, 0, len + 16, pt, 0)).isEqualTo(len);
            }
        }
    }

    @Test
    void wrongTagOrAadIsRefusedAndNoPlaintextIsLeft() {
        byte[] msg = new byte[1400];
        Arrays.fill(msg, (byte) 0x33);
        byte[] ct = new byte[1416];
        AesGcm.of(KEY, 0, 32).seal(IV, AAD, 0, 16, msg, 0, 1400, ct, 0);
        for (AesGcm g : others()) {
            byte[] bad = ct.clone();
            bad[1410] ^= 1; // in the tag
            byte[] pt = new byte[1400];
            assertThat(g.open(IV, AAD, 0, 16, bad, 0, 1416, pt, 0)).as(g.toString()).isEqualTo(-1);
            assertThat(pt).as("no unauthenticated plaintext left, " + g).containsOnly((byte) 0);
            byte[] aad = AAD.clone();
            aad[3] ^= 1;
            assertThat(g.open(IV, aad, 0, 16, ct, 0, 1416, pt, 0)).isEqualTo(-1);
            assertThat(pt).containsOnly((byte) 0);
            assertThat(g.open(IV, AAD, 0, 16, ct, 0, 15, pt, 0)).isEqualTo(-1);
        }
    }

    @Test
    void sameIvTwiceForEncryptionIsRefused() {
        for (AesGcm g : others()) {
            byte[] out = new byte[80];
            g.seal(IV, AAD, 0, 16, new byte[64], 0, 64, out, 0);
            assertThatThrownBy(() -> g.seal(IV, AAD, 0, 16, new byte[64], 0, 64, out, 0))
                .isInstanceOf(IllegalStateException.class);
        }
    }
}
