package io.jtipc.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Totality: random bytes, truncated frames, lying sizes and bit flips of real frames never make
 * validate/describe/reencode/cursors throw; whenever the framing is valid, reencode reproduces the
 * input byte for byte (the layouts account for every bit).
 */
class GarbageTest {

    /** A sink that checks the ranges it is given and the group nesting. */
    static final class CheckingSink implements FieldSink {
        int depth;
        int events;
        @Override public void field(String name, long value, String symbolic) { assertThat(name).isNotEmpty(); events++; }
        @Override public void text(String name, String value) { assertThat(value).isNotNull(); events++; }
        @Override public void bytes(String name, byte[] buf, int off, int len) {
            assertThat(off).as(name).isGreaterThanOrEqualTo(0);
            assertThat(len).as(name).isGreaterThanOrEqualTo(0);
            assertThat(off + len).as(name).isLessThanOrEqualTo(buf.length);
            events++;
        }
        @Override public void beginGroup(String name) { depth++; }
        @Override public void endGroup() { depth--; assertThat(depth).isGreaterThanOrEqualTo(0); }
    }

    private static final TipcCodec.Validator VALIDATOR = new TipcCodec.Validator();

    static void exercise(byte[] b, int off, int len) {
        Malformation frame = TipcCodec.validateFrame(b, off, len);
        Malformation full = TipcCodec.validate(b, off, len);
        assertThat(full).isNotNull();
        // the reusable validator (one per dissector thread) says exactly what the static entry point says
        assertThat(VALIDATOR.validate(b, off, len)).isEqualTo(full);
        if (!frame.isOk()) assertThat(full).isEqualTo(frame);
        CheckingSink s = new CheckingSink();
        Malformation d = TipcDescriber.describe(b, off, len, s);
        assertThat(d).isEqualTo(full);
        assertThat(s.depth).isZero();
        byte[] dst = new byte[Math.max(len, 1) + 8];
        int n = TipcCodec.reencode(b, off, len, dst, 8);
        if (frame.isOk()) {
            assertThat(n).isEqualTo(new TipcMsg().wrap(b, off, len).size());
            assertThat(Arrays.copyOfRange(dst, 8, 8 + n)).isEqualTo(Arrays.copyOfRange(b, off, off + n));
        } else {
            assertThat(n).isEqualTo(-1);
        }
        BundleCursor c = new BundleCursor().wrap(b, off, len);
        int guard = 0;
        while (c.next()) {
            assertThat(c.offset() + c.length()).isLessThanOrEqualTo(off + len);
            assertThat(++guard).isLessThan(70000);
        }
        assertThat(c.malformation()).isNotNull();
        EncryptionHeader e = new EncryptionHeader().wrap(b, off, len);
        Malformation em = e.validate();
        CheckingSink es = new CheckingSink();
        assertThat(e.describe(es)).isEqualTo(em);
        int en = EncryptionHeader.reencode(b, off, len, new byte[len + 1], 1);
        assertThat(en).isEqualTo(em.isOk() ? len : -1);
    }

    static void randomHeader(Random r, byte[] b) {
        r.nextBytes(b);
        if (b.length < 4) return;
        int user = r.nextInt(16);
        int[] sizes = {24, 32, 40, 44, 60, r.nextInt(16) * 4};
        int hs = sizes[r.nextInt(sizes.length)];
        int size = r.nextInt(4) == 0 ? r.nextInt(0x20000) : Math.min(b.length, hs + r.nextInt(Math.max(1, b.length - hs + 1)));
        int version = r.nextInt(8) == 0 ? r.nextInt(8) : 2;
        int w0 = (version << 29) | (user << 25) | ((hs >>> 2) << 21) | (r.nextInt(16) << 17) | (size & 0x1ffff);
        Bytes.putInt(b, 0, w0);
        if (user == Tipc.MSG_BUNDLER && b.length > hs + 4 && r.nextBoolean()) {
            // plant a plausible inner header
            int isz = 24 + r.nextInt(Math.max(1, b.length - hs - 24 + 8));
            Bytes.putInt(b, hs, (2 << 29) | (24 >>> 2 << 21) | isz);
        }
        if (user == Tipc.LINK_PROTOCOL && b.length > hs + 4 && r.nextBoolean()) {
            Bytes.putShort(b, hs, 4 + 4 * r.nextInt(4));
        }
    }

    @Test
    void randomBytesNeverThrow() {
        Random r = new Random(0x7141c);
        for (int i = 0; i < 20000; i++) {
            byte[] b = new byte[r.nextInt(200)];
            if (r.nextInt(3) > 0) randomHeader(r, b); else r.nextBytes(b);
            exercise(b, 0, b.length);
            if (b.length > 3) exercise(b, 2, b.length - 3);
        }
    }

    @Test
    void truncationsLiesAndBitFlipsOfRealFramesNeverThrow() throws Exception {
        List<TestUtil.Frame> frames = TestUtil.hexResource("eth-6.1-excerpt.hex");
        Random r = new Random(42);
        for (TestUtil.Frame f : frames) {
            byte[] m = f.bytes();
            int size = Math.min(m.length, 400);
            for (int cut = 0; cut <= size; cut += 1 + cut / 8) {
                exercise(m, 0, cut);
            }
            for (int k = 0; k < 150; k++) {
                byte[] x = Arrays.copyOf(m, m.length);
                int flips = 1 + r.nextInt(4);
                for (int j = 0; j < flips; j++) {
                    int pos = r.nextInt(Math.min(x.length, 120));
                    x[pos] ^= (byte) (1 << r.nextInt(8));
                }
                exercise(x, 0, x.length);
            }
            // lying size field
            byte[] lie = m.clone();
            new TipcMsg().wrap(lie, 0, lie.length).setSize(lie.length + 100);
            assertThat(TipcCodec.validate(lie, 0, lie.length).field()).isEqualTo("size");
            exercise(lie, 0, lie.length);
        }
        for (TestUtil.Frame f : TestUtil.hexResource("udpcrypto-6.1-excerpt.hex")) {
            byte[] m = f.bytes();
            for (int cut = 0; cut <= Math.min(m.length, 80); cut++) exercise(m, 0, cut);
        }
    }

    @Test
    void fragmentAssemblerSurvivesGarbage() {
        Random r = new Random(7);
        FragmentAssembler<Integer> asm = new FragmentAssembler<>(3);
        for (int i = 0; i < 5000; i++) {
            byte[] b = new byte[r.nextInt(120)];
            randomHeader(r, b);
            if (b.length >= 4 && r.nextBoolean()) {
                Bytes.putInt(b, 0, (Bytes.getInt(b, 0) & ~(0xf << 25)) | (Tipc.MSG_FRAGMENTER << 25));
            }
            FragmentAssembler.Result res = asm.append(r.nextInt(5), b, 0, b.length);
            assertThat(res.malformation()).isNotNull();
            assertThat(asm.inProgress()).isLessThanOrEqualTo(3);
        }
    }

    @Test
    void badOffsetsAreReportedNotThrown() {
        byte[] b = new byte[10];
        assertThat(TipcCodec.validate(b, 8, 5).field()).isEqualTo("buffer");
        assertThat(TipcCodec.validate(null, 0, 0).field()).isEqualTo("buffer");
        assertThat(TipcDescriber.describe(b, -1, 3, new CheckingSink()).field()).isEqualTo("buffer");
        assertThat(TipcCodec.reencode(b, 8, 5, new byte[10], 0)).isEqualTo(-1);
        assertThat(new EncryptionHeader().wrap(b, 8, 5).validate().field()).isEqualTo("buffer");
    }
}
