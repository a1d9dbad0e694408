package io.jtipc.capture.pcap;

import java.io.IOException;
import java.io.InputStream;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a regular file through memory maps of up to 1 GiB each, so its bytes reach the caller with one copy
 * (page cache to the caller's array) instead of two (read(2) into a temporary buffer, then into the array).
 * The length is fixed when the file is opened: bytes appended later are not read. A fault while reading (the
 * file truncated underneath) is reported as an IOException.
 */
public final class MappedFileInputStream extends InputStream {
    private static final long CHUNK = 1L << 30;
    private final FileChannel ch;
    private final long size;
    private long mappedEnd;
    private MappedByteBuffer cur;

    private MappedFileInputStream(FileChannel ch) throws IOException {
        this.ch = ch;
        this.size = ch.size();
    }

    /** Opens {@code file} (which must be a regular file). */
    public static MappedFileInputStream open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new MappedFileInputStream(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private boolean ensure() throws IOException {
        if (cur != null && cur.hasRemaining()) return true;
        if (mappedEnd >= size) return false;
        long n = Math.min(CHUNK, size - mappedEnd);
        cur = ch.map(FileChannel.MapMode.READ_ONLY, mappedEnd, n);
        mappedEnd += n;
        return true;
    }

    @Override public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        if (!ensure()) return -1;
        int n = Math.min(len, cur.remaining());
        try {
            cur.get(b, off, n);
        } catch (InternalError e) { // SIGBUS: the mapped file shrank while being read
            throw new IOException("file changed while being read: " + e.getMessage(), e);
        }
        return n;
    }

    @Override public void close() throws IOException {
        cur = null;
        ch.close();
    }
}
