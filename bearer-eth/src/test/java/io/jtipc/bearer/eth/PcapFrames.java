package io.jtipc.bearer.eth;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Minimal classic-pcap reader for the golden captures in samples/ (Ethernet link type only). */
final class PcapFrames {
    private PcapFrames() {
    }

    static Path sample(String name) {
        Path p = Path.of("..", "samples", name);
        if (!Files.exists(p)) {
            p = Path.of("samples", name);
        }
        return p;
    }

    /** Every captured frame (full Ethernet frame bytes). */
    static List<byte[]> read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        int magic = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) {
            b.order(ByteOrder.LITTLE_ENDIAN);
        } else {
            b.order(ByteOrder.BIG_ENDIAN);
            magic = b.getInt(0);
            if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
                throw new IOException(file + " is not a classic pcap file");
            }
        }
        int linkType = b.getInt(20);
        if (linkType != 1) {
            throw new IOException(file + " has link type " + linkType + ", not Ethernet");
        }
        List<byte[]> frames = new ArrayList<>();
        int pos = 24;
        while (pos + 16 <= b.limit()) {
            int incl = b.getInt(pos + 8);
            int start = pos + 16;
            if (incl < 0 || start + incl > b.limit()) {
                throw new IOException(file + ": truncated record at " + pos);
            }
            frames.add(Arrays.copyOfRange(b.array(), start, start + incl));
            pos = start + incl;
        }
        return frames;
    }

    /** Ethertype of an Ethernet II frame. */
    static int ethertype(byte[] frame) {
        return (frame[12] & 0xFF) << 8 | (frame[13] & 0xFF);
    }

    /** TIPC user (w0 bits 28-25, net/tipc/msg.h) of the TIPC message following a 14-byte header. */
    static int tipcUser(byte[] frame) {
        return (frame[14] & 0xFF) >> 1 & 0xF;
    }
}
