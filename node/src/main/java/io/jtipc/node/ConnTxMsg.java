package io.jtipc.node;

import io.jtipc.wire.TipcMsg;

/**
 * A connection message being built in a {@link ConnSocket}'s send queue, Nagle's (the kernel's {@code sk_write_queue}
 * of an established socket, socket.c): a 24-byte header and data in {@link #buf}, {@link #size} bytes of it used.
 * One spare is kept per node ({@code SocketTable.connSpare}) so a stream reuses it.
 */
final class ConnTxMsg {
    final byte[] buf;
    int size;

    ConnTxMsg(int capacity) {
        buf = new byte[capacity];
    }

    TipcMsg msg() {
        return new TipcMsg().wrap(buf, 0, buf.length);
    }
}
