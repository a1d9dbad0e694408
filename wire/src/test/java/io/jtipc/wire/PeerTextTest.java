package io.jtipc.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** Issue 15: peer-chosen strings (if_name, alg_name) are escaped where they come off the wire. */
class PeerTextTest {
    /** An interface name a hostile peer puts into RESET/ACTIVATE: a forged log line (14 bytes of the 16). */
    static final String FORGED_LINE = "\n[INFO] forged";
    /** Terminal escapes: red, then reset (13 bytes). */
    static final String RED = "\u001b[31mevil\u001b[0m";

    @Test
    void printableAsciiIsKeptEverythingElseIsHexAndTheLengthIsBounded() {
        assertThat(PeerText.escape("eth0")).isSameAs("eth0");
        assertThat(PeerText.escape("gcm(aes)")).isEqualTo("gcm(aes)");
        assertThat(PeerText.escape(FORGED_LINE)).isEqualTo("\\x0a[INFO] forged");
        assertThat(PeerText.escape(RED)).isEqualTo("\\x1b[31mevil\\x1b[0m");
        assertThat(PeerText.escape("a\\b\"c'd\u007f\u00e9\u0100\ud83d\ude00"))
            .isEqualTo("a\\x5cb\\x22c\\x27d\\x7f\\xe9\\u0100\\ud83d\\ude00");
        assertThat(PeerText.escape("\r\t\0")).isEqualTo("\\x0d\\x09\\x00");
        assertThat(PeerText.escape(null)).isNull();
        assertThat(PeerText.escape("x".repeat(70))).isEqualTo("x".repeat(64) + "...");
        assertThat(PeerText.escape("\n".repeat(100), 3)).isEqualTo("\\x0a\\x0a\\x0a...");
        assertThat(PeerText.escape("abc", 0)).isEqualTo("...");
        assertThatThrownBy(() -> PeerText.escape("a", -1)).isInstanceOf(IllegalArgumentException.class);
        // the output is printable ASCII and bounded whatever the input
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x300; c++) all.append(c);
        String e = PeerText.escape(all.toString(), 1000);
        assertThat(PeerText.isPrintableAscii(e)).isTrue();
        assertThat(PeerText.escape(all.toString()).length()).isLessThanOrEqualTo(6 * PeerText.MAX_CHARS + 3);
        assertThat(PeerText.isPrintableAscii("a\nb")).isFalse();
    }

    @Test
    void latin1FieldsStopAtTheFirstNulAndAreEscaped() {
        byte[] b = new byte[20];
        byte[] n = FORGED_LINE.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(n, 0, b, 2, n.length);
        assertThat(PeerText.latin1(b, 2, 16)).isEqualTo("\\x0a[INFO] forged");
        b[2 + 5] = 0;
        assertThat(PeerText.latin1(b, 2, 16)).isEqualTo("\\x0a[INF");
        byte[] hi = {(byte) 0xff, (byte) 0x9b, 'x'};
        assertThat(PeerText.latin1(hi, 0, 3)).isEqualTo("\\xff\\x9bx");
        assertThatThrownBy(() -> PeerText.latin1(hi, 2, 5)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    /** A RESET whose interface name carries a forged log line / terminal escapes, as the dissector sees it. */
    static byte[] reset(String ifName) {
        byte[] b = new byte[Tipc.INT_H_SIZE + 16];
        BodiesTest.msg(b, Tipc.LINK_PROTOCOL, Tipc.RESET_MSG, Tipc.INT_H_SIZE, b.length).setPrevnode(0x1001001)
            .setDestnode(0x1001002).setMaxPkt(1500).setLinkTolerance(1500).setSession(7);
        byte[] n = ifName.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(n, 0, b, Tipc.INT_H_SIZE, Math.min(16, n.length));
        return b;
    }

    @Test
    void theDescriberHandsEveryPrinterEscapedInterfaceAndAlgorithmNames() {
        for (String evil : new String[] {FORGED_LINE, RED}) {
            TestUtil.RecordingSink s = BodiesTest.describe(reset(evil));
            assertThat(s.get("if_name")).isEqualTo(PeerText.escape(evil));
            assertThat(PeerText.isPrintableAscii(s.get("if_name"))).isTrue();
        }
        byte[] k = new byte[40 + 36 + 4];
        BodiesTest.msg(k, Tipc.MSG_CRYPTO, Tipc.KEY_DISTR_MSG, 40, k.length).setPrevnode(1).setOrignode(1).setDestnode(2);
        byte[] alg = ("gcm(aes)" + FORGED_LINE + RED).getBytes(StandardCharsets.ISO_8859_1); // 35 bytes: no NUL in 32
        System.arraycopy(alg, 0, k, 40, 32);
        new AeadKey().wrap(k, 40, 40).setKeylen(4);
        TestUtil.RecordingSink s = BodiesTest.describe(k);
        assertThat(s.get("aead_key/alg_name")).isEqualTo("gcm(aes)\\x0a[INFO] forged\\x1b[31mevil\\x1b");
        assertThat(new AeadKey().wrap(k, 40, 40).algName()).isEqualTo(s.get("aead_key/alg_name"));
    }
}
