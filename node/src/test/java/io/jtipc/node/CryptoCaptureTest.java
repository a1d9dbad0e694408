package io.jtipc.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jtipc.wire.AeadKey;
import io.jtipc.wire.EncryptionHeader;
import io.jtipc.wire.NodeId;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcCodec;
import io.jtipc.wire.TipcMsg;

/**
 * The node's AES-GCM path against kernel-encrypted frames: samples/udpcrypto-6.1.pcap, two Linux 6.1.192 nodes with
 * the master key below (samples/README.md). Every encrypted UDP payload that is not an IP fragment is decrypted with
 * {@link NodeCrypto#open}, its encryption header rebuilt by {@link NodeCrypto#buildEhdr} from the plaintext, and the
 * plaintext re-encrypted by {@link NodeCrypto#seal} under the same key and seqno: the bytes must be the kernel's.
 */
class CryptoCaptureTest {
    static final String KEY = "0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef11223344";

    /** UDP payloads (port 6118) of the capture's unfragmented IPv4 datagrams. */
    static List<byte[]> payloads() throws IOException {
        Path p = Path.of("../samples/udpcrypto-6.1.pcap");
        if (!Files.exists(p)) p = Path.of("samples/udpcrypto-6.1.pcap");
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(0)).isEqualTo(0xa1b2c3d4);
        List<byte[]> out = new ArrayList<>();
        int pos = 24;
        while (pos + 16 <= b.limit()) {
            int cl = b.getInt(pos + 8);
            byte[] f = Arrays.copyOfRange(b.array(), pos + 16, pos + 16 + cl);
            pos += 16 + cl;
            if (cl < 14 + 20 + 8 || (f[12] & 0xff) != 0x08 || f[13] != 0) continue;
            ByteBuffer ip = ByteBuffer.wrap(f, 14, cl - 14).order(ByteOrder.BIG_ENDIAN);
            int ihl = (f[14] & 0xf) * 4;
            if (f[14 + 9] != 17 || (ip.getShort(14 + 6) & 0x3fff) != 0) continue;
            int udp = 14 + ihl;
            int sport = ((f[udp] & 0xff) << 8) | (f[udp + 1] & 0xff), dport = ((f[udp + 2] & 0xff) << 8) | (f[udp + 3] & 0xff);
            if (sport != 6118 && dport != 6118) continue;
            int ulen = ((f[udp + 4] & 0xff) << 8) | (f[udp + 5] & 0xff);
            out.add(Arrays.copyOfRange(f, udp + 8, udp + ulen));
        }
        return out;
    }

    @Test
    void decryptsRebuildsAndReencryptsEveryKernelFrameBitExactly() throws IOException {
        byte[] key = AeadKey.parseKey(KEY);
        Aead master = Aead.of(key, Tipc.CLUSTER_KEY);
        byte[] plain = new byte[70_000], scratch = new byte[70_000], iv = new byte[12];
        int n = 0, discovery = 0, state = 0;
        for (byte[] f : payloads()) {
            if (!EncryptionHeader.isEncrypted(f, 0, f.length)) continue;
            EncryptionHeader kh = new EncryptionHeader().wrap(f, 0, f.length);
            assertThat(kh.validate().isOk()).isTrue();
            int pl = master.open(f, 0, f.length, 0, plain, iv);
            assertThat(pl).as("frame %d decrypts", n).isEqualTo(f.length - kh.headerSize() - 16);
            assertThat(TipcCodec.validateFrame(plain, 0, pl).isOk()).isTrue();
            TipcMsg m = new TipcMsg().wrap(plain, 0, pl);
            assertThat(pl).isEqualTo((m.size() + 3) & ~3);
            if (m.user() == Tipc.LINK_CONFIG) discovery++;
            if (m.user() == Tipc.LINK_PROTOCOL && m.type() == Tipc.STATE_MSG) state++;

            // the header as tipc_ehdr_build makes it, from the plaintext and the sender's key state
            byte[] frame = new byte[f.length];
            int hs = kh.headerSize();
            Crypto r = null;
            if (kh.destined() != 0) {
                r = new Crypto(0x1001, 0, 0);
                r.active = kh.rxKeyActive();
                r.nokey = kh.rxNokey() != 0;
            }
            NodeId own = m.user() == Tipc.LINK_CONFIG ? NodeId.of(f, kh.nodeIdOffset()) : NodeId.parse("unused");
            EncryptionHeader ours = new EncryptionHeader().wrap(frame, 0, hs);
            NodeCrypto.buildEhdr(ours, m, kh.txKey(), kh.seqno(), r, kh.masterKey() != 0, own);
            assertThat(Arrays.copyOf(frame, hs)).as("ehdr of frame %d", n).isEqualTo(Arrays.copyOf(f, hs));

            // same key, same seqno, same (padded) plaintext: the kernel's bytes
            int len = master.seal(ours, 0, plain, 0, pl, scratch, iv);
            assertThat(len).isEqualTo(f.length);
            assertThat(frame).as("re-encrypted frame %d", n).isEqualTo(f);
            n++;
        }
        assertThat(n).isEqualTo(549);
        assertThat(discovery).isPositive();
        assertThat(state).isPositive();
    }

    /**
     * Linux 5.10's cluster/master-key IV prefix is salt XOR the header's address bytes as they are on the wire
     * ({@code salt ^= ehdr->addr}, before the 5.11 sparse fix), checked here with the JDK's cipher directly: every
     * frame of the sample sealed in the legacy form opens with that IV, and not with 6.1's.
     */
    @Test
    void theLegacyIvFormXorsTheRawAddressBytes() throws Exception {
        byte[] key = AeadKey.parseKey(KEY);
        Aead master = Aead.of(key, Tipc.CLUSTER_KEY);
        byte[] plain = new byte[70_000], scratch = new byte[70_000], iv = new byte[12];
        javax.crypto.Cipher c = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
        javax.crypto.spec.SecretKeySpec k = new javax.crypto.spec.SecretKeySpec(key, 0, 32, "AES");
        int n = 0;
        for (byte[] f : payloads()) {
            if (!EncryptionHeader.isEncrypted(f, 0, f.length) || n >= 40) continue;
            int pl = master.open(f, 0, f.length, 0, plain, iv);
            EncryptionHeader kh = new EncryptionHeader().wrap(f, 0, f.length);
            int hs = kh.headerSize();
            byte[] frame = Arrays.copyOf(f, f.length);
            EncryptionHeader ours = new EncryptionHeader().wrap(frame, 0, hs);
            assertThat(master.seal(ours, 0, plain, 0, pl, scratch, iv, true)).isEqualTo(f.length);
            byte[] want = new byte[12];
            for (int i = 0; i < 4; i++) want[i] = (byte) (key[32 + i] ^ frame[12 + i]);
            System.arraycopy(frame, 4, want, 4, 8);
            c.init(javax.crypto.Cipher.DECRYPT_MODE, k, new javax.crypto.spec.GCMParameterSpec(128, want));
            c.updateAAD(frame, 0, hs);
            byte[] opened = c.doFinal(frame, hs, frame.length - hs);
            assertThat(opened).isEqualTo(Arrays.copyOf(plain, pl));
            assertThat(master.open(frame, 0, frame.length, 0, plain, iv)).as("6.1's IV form").isEqualTo(-1);
            n++;
        }
        assertThat(n).isEqualTo(40);
    }

    @Test
    void aWrongKeyOrAFlippedBitFailsAuthentication() throws IOException {
        byte[] key = AeadKey.parseKey(KEY);
        byte[] other = key.clone();
        other[0] ^= 1;
        Aead right = Aead.of(key, Tipc.CLUSTER_KEY), wrong = Aead.of(other, Tipc.CLUSTER_KEY);
        byte[] plain = new byte[70_000], iv = new byte[12];
        byte[] f = payloads().stream().filter(x -> EncryptionHeader.isEncrypted(x, 0, x.length)).findFirst().orElseThrow();
        assertThat(right.open(f, 0, f.length, 0, plain, iv)).isPositive();
        assertThat(wrong.open(f, 0, f.length, 0, plain, iv)).isEqualTo(-1);
        for (int i : new int[] {1, 10, 20, f.length - 1}) {
            byte[] g = f.clone();
            g[i] ^= 0x40;
            assertThat(right.open(g, 0, g.length, 0, plain, iv)).as("bit flipped at %d", i).isEqualTo(-1);
        }
    }

    @Test
    void perNodeKeysXorTheDestinationIntoTheIvOnlyWhenDestined() {
        byte[] key = AeadKey.parseKey(KEY);
        Aead a = Aead.of(key, Tipc.PER_NODE_KEY);
        byte[] msg = new byte[40];
        TipcMsg m = new TipcMsg().wrap(msg, 0, 40);
        Msg.init(m, 0x1001001, Tipc.NAME_DISTRIBUTOR, 0, 40, 0x1001002);
        byte[] frame = new byte[80], scratch = new byte[80], plain = new byte[80], iv = new byte[12];
        EncryptionHeader e = new EncryptionHeader().wrap(frame, 0, 16);
        NodeCrypto.buildEhdr(e, m, 1, 7, new Crypto(0x1001002, 0, 0), false, NodeId.parse("x"));
        int len = a.seal(e, 0x1001002, msg, 0, 40, scratch, iv);
        assertThat(a.open(frame, 0, len, 0x1001002, plain, iv)).isEqualTo(40);
        assertThat(Arrays.copyOf(plain, 40)).isEqualTo(msg);
        assertThat(a.open(frame, 0, len, 0x1001003, plain, iv)).isEqualTo(-1);
        e.setDestined(0); // AAD changes too: must fail however the IV is formed
        assertThat(a.open(frame, 0, len, 0x1001002, plain, iv)).isEqualTo(-1);
    }

    @Test
    void aNodeWithTheMasterKeyTakesTheKernelsEncryptedDiscoveryAndAnswersEncrypted() throws IOException {
        byte[] key = AeadKey.parseKey(KEY);
        Aead master = Aead.of(key, Tipc.CLUSTER_KEY);
        byte[] plain = new byte[70_000], iv = new byte[12];
        List<byte[]> disc = new ArrayList<>();
        for (byte[] f : payloads()) {
            if (EncryptionHeader.isEncrypted(f, 0, f.length) && new EncryptionHeader().wrap(f, 0, f.length).user() == Tipc.LINK_CONFIG) {
                disc.add(f);
            }
        }
        assertThat(disc).isNotEmpty();
        // our UDP address: the kernel's own (struct udp_media_addr in its discovery, w6-w10) with another IPv4 host
        int pl = master.open(disc.get(0), 0, disc.get(0).length, 0, plain, iv);
        assertThat(pl).isPositive();
        TipcMsg kernel = new TipcMsg().wrap(plain, 0, pl);
        byte[] own = Arrays.copyOfRange(plain, Tipc.MEDIA_INFO_OFFSET + 4, Tipc.MEDIA_INFO_OFFSET + 24);
        own[7] = 99;
        List<byte[]> sent = new ArrayList<>();
        NodeCore core = new NodeCore(NodeConfig.of(NodeId.parse("jtipc-probe"), 5, 5)
            .withCrypto(CryptoConfig.of(null, NodeKey.master(KEY))));
        Outbox out = (id, dest, buf, off, len) -> sent.add(Arrays.copyOfRange(buf, off, off + len));
        core.enableBearer(0, new BearerConfig("udp:u1", MediaType.UDP, own, 14000, 10, 1500, 50, 0), out);
        for (long t = 0; t <= 2_000; t += 100) if (core.nextDeadline() <= t) core.onTimer(t, out);
        assertThat(core.addressCommitted()).isTrue();
        for (byte[] f : disc) core.onFrame(2_000, 0, null, f, 0, f.length, out);
        assertThat(core.crypto().undecryptable()).isZero();
        assertThat(core.peer(kernel.prevnode())).isNotNull();
        assertThat(core.peer(kernel.prevnode()).id()).isEqualTo(NodeId.of(disc.get(0), 12));
        // everything we sent, the answers to the kernel included, is encrypted and opens with the master key
        assertThat(sent).isNotEmpty().allMatch(f -> EncryptionHeader.isEncrypted(f, 0, f.length)
            && master.open(f, 0, f.length, 0, new byte[f.length], new byte[12]) > 0);
    }
}
