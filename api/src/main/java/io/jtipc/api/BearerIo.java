package io.jtipc.api;

import java.io.IOException;
import java.util.Arrays;
import java.util.function.Consumer;

import io.jtipc.bearer.eth.EthBearer;
import io.jtipc.bearer.udp.UdpBearer;
import io.jtipc.node.BearerConfig;
import io.jtipc.node.MediaType;
import io.jtipc.wire.Tipc;

/** The I/O side of one bearer as the event loop sees it: send raw media addresses, deliver received frames. */
abstract class BearerIo implements AutoCloseable {
    /** A received frame handed to the loop: private copies. */
    record Rx(BearerIo bearer, byte[] src, byte[] frame) {}

    int coreId = -1;

    /** Core configuration (name, media, own raw address, MTU). */
    abstract BearerConfig config() throws IOException;

    /** Sends to a raw media address (6-byte MAC / 20-byte udp_media_addr), or to the broadcast address when null. */
    abstract void send(byte[] dest, byte[] buf, int off, int len) throws IOException;

    /** Starts the receive thread; each frame is copied and given to {@code sink}. */
    abstract void start(Consumer<Rx> sink, Consumer<IOException> onError);

    @Override
    public abstract void close();

    static final class Eth extends BearerIo {
        final EthBearer b;

        Eth(EthBearer b) {
            this.b = b;
        }

        @Override
        BearerConfig config() throws IOException {
            return BearerConfig.ethernet(b.interfaceName(), b.address()).withMtu(b.mtu());
        }

        @Override
        void send(byte[] dest, byte[] buf, int off, int len) throws IOException {
            if (dest == null) b.broadcast(buf, off, len);
            else b.send(dest, buf, off, len);
        }

        @Override
        void start(Consumer<Rx> sink, Consumer<IOException> onError) {
            b.start((src, frame, len) -> sink.accept(new Rx(this, src.clone(), Arrays.copyOf(frame, len))), onError);
        }

        @Override
        public void close() {
            b.close();
        }

        @Override
        public String toString() {
            return b.name();
        }
    }

    static final class Udp extends BearerIo {
        final UdpBearer b;
        private final byte[] block = new byte[Tipc.MEDIA_INFO_SIZE];

        Udp(UdpBearer b) {
            this.b = b;
        }

        @Override
        BearerConfig config() {
            byte[] raw = Arrays.copyOfRange(b.address(), 4, 4 + MediaType.UDP.addrLen());
            // kernel UDP defaults: priority 10, tolerance 1500 ms, window 50 (udp_media.c)
            String n = b.name().startsWith("udp:") ? b.name() : "udp:" + b.name();
            return new BearerConfig(n, MediaType.UDP, raw, b.mtu(), 10, 1500, MediaType.UDP.maxWindow(), 0);
        }

        @Override
        void send(byte[] dest, byte[] buf, int off, int len) throws IOException {
            if (dest == null) {
                b.broadcast(buf, off, len);
            } else {
                MediaType.UDP.addrToMsg(dest, block, 0);
                b.send(block, 0, buf, off, len);
            }
        }

        @Override
        void start(Consumer<Rx> sink, Consumer<IOException> onError) {
            b.start((src, frame, len) -> {
                byte[] raw = Arrays.copyOfRange(src, 4, 4 + MediaType.UDP.addrLen());
                sink.accept(new Rx(this, raw, Arrays.copyOf(frame, len)));
            }, onError);
        }

        @Override
        public void close() {
            b.close();
        }

        @Override
        public String toString() {
            return "udp:" + b.name();
        }
    }
}
