package io.jtipc.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jtipc.wire.AeadKey;
import io.jtipc.wire.AesGcm;
import io.jtipc.wire.EncryptedFrame;
import io.jtipc.wire.EncryptionHeader;
import io.jtipc.wire.Tipc;

/**
 * A key given to the analyser ({@code jtipc pcap --key}) may be a per-node key ({@code tipc node set key K nodeid ID}):
 * its frames use the per-node IV form (crypto.c tipc_aead_encrypt: salt XOR the destination address when destined,
 * else the bare salt), not the cluster/master form (salt XOR the sender address). Both must open.
 */
class TipcDecryptorPerNodeTest {
    static final String KEY = "0xfedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210aabbccdd";
    static final int SENDER = 0x6c706861, DEST = 0x62657461;

    /** A 16-byte-header frame of {@code msg} under {@code material} in per-node form, destined or not. */
    static byte[] perNodeFrame(byte[] material, byte[] msg, boolean destined, long seqno) {
        byte[] frame = new byte[Tipc.EHDR_SIZE + msg.length + Tipc.AES_GCM_TAG_SIZE];
        EncryptionHeader e = new EncryptionHeader().wrap(frame, 0, Tipc.EHDR_SIZE);
        e.setVersion(Tipc.EVERSION).setUser(Tipc.LOW_IMPORTANCE).setDestined(destined ? 1 : 0)
            .setTxKey(1).setSeqno(seqno).setAddr(SENDER);
        byte[] iv = new byte[12];
        EncryptionHeader.iv(Arrays.copyOfRange(material, material.length - 4, material.length), destined ? DEST : 0,
            seqno, iv, 0);
        AesGcm gcm = AesGcm.of(material, 0, material.length - 4);
        EncryptedFrame.seal(gcm, iv, frame, 0, Tipc.EHDR_SIZE, msg, 0, msg.length, new byte[msg.length]);
        return frame;
    }

    @Test
    void aUserKeyOpensPerNodeFramesDestinedAndNot() {
        byte[] material = AeadKey.parseKey(KEY);
        byte[] msg = new byte[64];
        for (int i = 0; i < msg.length; i++) msg[i] = (byte) (i * 7);
        TipcDecryptor d = new TipcDecryptor(List.of(material));
        for (boolean destined : new boolean[] {false, true}) {
            byte[] f = perNodeFrame(material, msg, destined, destined ? 9 : 8);
            int n = d.decrypt(f, 0, f.length, Tipc.EHDR_SIZE, List.of(SENDER, DEST));
            assertThat(n).as("destined " + destined).isEqualTo(msg.length);
            assertThat(Arrays.copyOf(d.output(), n)).isEqualTo(msg);
        }
        // another key does not
        TipcDecryptor other = new TipcDecryptor(List.of(AeadKey.parseKey(KEY.replace("aabbccdd", "aabbccde"))));
        byte[] f = perNodeFrame(material, msg, false, 10);
        assertThat(other.decrypt(f, 0, f.length, Tipc.EHDR_SIZE, List.of(SENDER, DEST))).isEqualTo(-1);
    }

    /**
     * A session key learnt from KEY_DISTR opens the peer's destined frames although no discovery named the destination
     * yet (a capture started between two discovery rounds): the destination has sent an encrypted frame (its address is
     * in the clear in the encryption header). Without any frame of the destination it cannot open.
     */
    @Test
    void aLearntSessionKeyOpensOnceTheDestinationHasSentAnything() {
        byte[] material = AeadKey.parseKey(KEY);
        byte[] msg = new byte[64];
        for (int i = 0; i < msg.length; i++) msg[i] = (byte) (i * 3);
        TipcDecryptor d = new TipcDecryptor(List.of());
        d.learn(SENDER, material, Tipc.PER_NODE_KEY);
        byte[] f = perNodeFrame(material, msg, true, 21);
        assertThat(d.decrypt(f, 0, f.length, Tipc.EHDR_SIZE, List.of())).as("destination unknown").isEqualTo(-1);
        // the destination's own frame, under a key we do not have (its session key): only its address counts
        byte[] fromDest = new byte[Tipc.EHDR_SIZE + 24 + Tipc.AES_GCM_TAG_SIZE];
        new EncryptionHeader().wrap(fromDest, 0, Tipc.EHDR_SIZE).setVersion(Tipc.EVERSION).setUser(Tipc.LOW_IMPORTANCE)
            .setDestined(1).setTxKey(2).setSeqno(5).setAddr(DEST);
        assertThat(d.decrypt(fromDest, 0, fromDest.length, Tipc.EHDR_SIZE, List.of())).isEqualTo(-1);
        for (long seqno = 22; seqno < 25; seqno++) {
            f = perNodeFrame(material, msg, true, seqno);
            int n = d.decrypt(f, 0, f.length, Tipc.EHDR_SIZE, List.of());
            assertThat(n).as("seqno " + seqno).isEqualTo(msg.length);
            assertThat(Arrays.copyOf(d.output(), n)).isEqualTo(msg);
        }
    }
}
