package io.jtipc.cli.pcap;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class LineTest {
    private static String u32(int v) { return new Line().u32(v).toString(); }

    @Test void unsignedDecimalsMatchLongToString() {
        int[] edges = {0, 1, 9, 10, 99, 100, 999_999_999, 1_000_000_000, Integer.MAX_VALUE, Integer.MIN_VALUE,
            -1, -2, (int) 3_000_000_000L, (int) 2_999_999_999L, (int) 4_000_000_000L, (int) 4_000_000_009L};
        for (int v : edges) assertThat(u32(v)).isEqualTo(Long.toString(v & 0xffffffffL));
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 20_000; i++) {
            int v = r.nextInt();
            assertThat(u32(v)).isEqualTo(Long.toString(v & 0xffffffffL));
        }
    }

    @Test void fixedWidthDigitsKeepLeadingZeros() {
        assertThat(new Line().fixed(0, 6).toString()).isEqualTo("000000");
        assertThat(new Line().fixed(7, 6).toString()).isEqualTo("000007");
        assertThat(new Line().fixed(123456, 6).toString()).isEqualTo("123456");
        assertThat(new Line().fixed(12345, 5).toString()).isEqualTo("12345");
        assertThat(new Line().fixed(5, 9).toString()).isEqualTo("000000005");
    }

    @Test void incrementMatchesPaddedFormatting() {
        for (long v = 0; v < 1_001_000; v = v == 2_000 ? 99_000 : v == 101_000 ? 998_000 : v + 1) {
            String want = String.format("%6d", v + 1);
            byte[] t = new byte[24];
            byte[] s = String.format("%6d", v).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(s, 0, t, 0, s.length);
            if (PlainPrinter.increment(t, s.length)) {
                assertThat(new String(t, 0, s.length, StandardCharsets.US_ASCII)).isEqualTo(want);
            } else {
                assertThat(want).hasSize(s.length + 1); // 999999 -> 1000000: one more column, formatted again
            }
        }
    }
}
