package io.jtipc.fuzz;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The input format of the targets that take several frames per input: records of
 * {@code [control: 1 byte][length: 2 bytes big-endian][length bytes of frame]}, the last frame cut short by the end
 * of the input. What the control byte means is the target's (time to advance, a key, a fix-up to apply). Seeds are
 * built with {@link Builder}, so a seed is a sequence of real frames the fuzzer then mutates, splits and splices.
 */
final class Frames {
    private Frames() {}

    /** One record: the control byte (0-255) and the frame. */
    record Frame(int control, byte[] bytes) {}

    /** Most records taken from one input: bounds the work per input (a finding must replay quickly). */
    static final int MAX_FRAMES = 256;

    static List<Frame> split(byte[] data) {
        List<Frame> out = new ArrayList<>();
        int p = 0;
        while (p < data.length && out.size() < MAX_FRAMES) {
            int control = data[p++] & 0xff;
            int len = 0;
            if (p < data.length) len = (data[p++] & 0xff) << 8;
            if (p < data.length) len |= data[p++] & 0xff;
            int n = Math.min(len, data.length - p);
            out.add(new Frame(control, Arrays.copyOfRange(data, p, p + n)));
            p += n;
        }
        return out;
    }

    /** Builds an input (a seed) from frames. */
    static final class Builder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Builder add(int control, byte[] frame) {
            int len = Math.min(frame.length, 0xffff);
            out.write(control);
            out.write(len >>> 8);
            out.write(len);
            out.write(frame, 0, len);
            return this;
        }

        byte[] build() {
            return out.toByteArray();
        }
    }
}
