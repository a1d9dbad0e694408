package io.jtipc.cli.pcap;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * The command's standard output, remembering whether it was closed by the reader ({@code jtipc pcap big.pcap |
 * head -1}): a write that fails (EPIPE from the file descriptor, or a {@link PrintStream} whose
 * {@link PrintStream#checkError()} turned true) marks it {@link #closed()} and throws, so the dissection stops
 * at once and the command exits 0 without a "Broken pipe" message, as tshark does.
 */
final class StdoutSink extends OutputStream {
    private final OutputStream out;
    private final PrintStream ps;
    private boolean closed;

    /** @param out a raw stream (file descriptor 1) or a PrintStream (checked after each write) */
    StdoutSink(OutputStream out) {
        this.out = out;
        this.ps = out instanceof PrintStream p ? p : null;
    }

    /** True once a write or flush failed: the reader has gone away. */
    boolean closed() { return closed; }

    @Override public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override public void write(byte[] b, int off, int len) throws IOException {
        if (closed) throw new IOException("standard output is closed");
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            closed = true;
            throw e;
        }
        check();
    }

    @Override public void flush() throws IOException {
        if (closed) throw new IOException("standard output is closed");
        try {
            out.flush();
        } catch (IOException e) {
            closed = true;
            throw e;
        }
        check();
    }

    private void check() throws IOException {
        if (ps != null && ps.checkError()) {
            closed = true;
            throw new IOException("standard output is closed");
        }
    }
}
