package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import io.jtipc.bearer.Media;

/**
 * The send batch glue (issue 14): the core's frames go to {@link Media#queue}, and the runner flushes them
 * ({@link Media#flush}) once each core run is over, after it released the core lock. Node a's UDP media is wrapped in a
 * media that holds every queued frame until its flush (as the Ethernet bearer's {@code sendmmsg} batch does): if a run
 * ended without a flush nothing would leave node a, and every flush is checked to run without the core lock.
 */
class OutboxFlushTest {
    /** Holds queued frames (copies) until {@link #flush}; counts how flushes went. */
    static final class HoldingMedia implements Media {
        final Media m;
        final AtomicReference<TipcNode> node;
        final List<byte[]> held = new ArrayList<>(); // frames and their destinations (null: broadcast), alternating
        final AtomicInteger flushesUnderCoreLock = new AtomicInteger();
        final AtomicInteger queuedUnderNoLock = new AtomicInteger();
        final AtomicInteger largestFlush = new AtomicInteger();
        final AtomicInteger framesFlushed = new AtomicInteger();

        HoldingMedia(Media m, AtomicReference<TipcNode> node) {
            this.m = m;
            this.node = node;
        }

        private boolean coreLockHeld() {
            TipcNode n = node.get();
            return n != null && n.runner.heldByCurrentThread();
        }

        @Override
        public synchronized void queue(byte[] dest, int destOff, byte[] frame, int off, int len) {
            if (!coreLockHeld()) queuedUnderNoLock.incrementAndGet();
            held.add(java.util.Arrays.copyOfRange(dest, destOff, destOff + addressLength()));
            held.add(java.util.Arrays.copyOfRange(frame, off, off + len));
        }

        @Override
        public boolean holdsQueuedFrames() {
            return true;
        }

        @Override
        public synchronized void queueBroadcast(byte[] frame, int off, int len) {
            if (!coreLockHeld()) queuedUnderNoLock.incrementAndGet();
            held.add(null);
            held.add(java.util.Arrays.copyOfRange(frame, off, off + len));
        }

        @Override
        public synchronized int flush() throws IOException {
            if (held.isEmpty()) return 0;
            if (coreLockHeld()) flushesUnderCoreLock.incrementAndGet();
            int frames = held.size() / 2;
            largestFlush.accumulateAndGet(frames, Math::max);
            framesFlushed.addAndGet(frames);
            for (int i = 0; i < held.size(); i += 2) {
                byte[] d = held.get(i), f = held.get(i + 1);
                if (d == null) m.broadcast(f, 0, f.length);
                else m.send(d, 0, f, 0, f.length);
            }
            held.clear();
            return frames;
        }

        synchronized int holding() {
            return held.size() / 2;
        }

        @Override public String name() { return m.name(); }
        @Override public int addressLength() { return m.addressLength(); }
        @Override public byte[] address() { return m.address(); }
        @Override public int mtu() throws IOException { return m.mtu(); }
        @Override public boolean send(byte[] d, int o, byte[] f, int off, int len) throws IOException { return m.send(d, o, f, off, len); }
        @Override public boolean broadcast(byte[] f, int off, int len) throws IOException { return m.broadcast(f, off, len); }
        @Override public int poll(byte[] b, int o, int l, byte[] s, int so, int t) throws IOException { return m.poll(b, o, l, s, so, t); }
        @Override public void wakeup() { m.wakeup(); }
        @Override public void start(FrameHandler h, Consumer<IOException> e) { m.start(h, e); }
        @Override public long handlerFailures() { return m.handlerFailures(); }
        @Override public long receiveErrors() { return m.receiveErrors(); }
        @Override public boolean isOpen() { return m.isOpen(); }
        @Override public void close() { m.close(); }
    }

    @Test
    void framesQueuedByACoreRunLeaveTogetherOnceTheCoreLockIsReleased() throws Exception {
        int port = InterfaceDownTest.freePortOnBoth("127.0.0.1", "127.0.0.2");
        String a1 = "127.0.0.1:" + port, b1 = "127.0.0.2:" + port;
        AtomicReference<TipcNode> ref = new AtomicReference<>();
        AtomicReference<HoldingMedia> media = new AtomicReference<>();
        TipcNode a = TipcNode.builder().identity("jt-flush-a").bearer("udp:" + a1 + ",remote=" + b1)
            .mediaWrapper(m -> {
                HoldingMedia h = new HoldingMedia(m, ref);
                media.set(h);
                return h;
            }).build();
        ref.set(a);
        try (a; TipcNode b = TipcNode.builder().identity("jt-flush-b").bearer("udp:" + b1 + ",remote=" + a1).build()) {
            TwoNodeChecks.startBoth(a, b);
            a.awaitLinkUp(TwoNodeChecks.T); // discovery and link set-up left node a only through flushes
            b.awaitLinkUp(TwoNodeChecks.T);
            HoldingMedia h = media.get();
            try (TipcSocket rx = TipcSocket.rdm(b); TipcSocket tx = TipcSocket.rdm(a)) {
                rx.bind(TipcAddress.ofService(18931, 1));
                a.awaitBinding(x -> x.type() == 18931, TwoNodeChecks.T);
                // 60 000 B = 5 fragments at the UDP MTU of 14 000, released by one run of the core: one flush
                int before = h.largestFlush.get();
                tx.send(TipcAddress.ofService(18931, 1), TwoNodeChecks.pattern(60_000, 1));
                TipcMessage big = rx.receive(TwoNodeChecks.T);
                assertThat(big).isNotNull();
                assertThat(big.payload()).isEqualTo(TwoNodeChecks.pattern(60_000, 1));
                assertThat(h.largestFlush.get()).as("frames of one flush").isGreaterThanOrEqualTo(Math.max(before, 5));
                for (int i = 0; i < 200; i++) {
                    tx.send(TipcAddress.ofService(18931, 1), TwoNodeChecks.pattern(100 + 37 * i, i));
                }
                for (int i = 0; i < 200; i++) {
                    TipcMessage m = rx.receive(TwoNodeChecks.T);
                    assertThat(m).as("message %d", i).isNotNull();
                    assertThat(m.payload()).as("message %d in order", i).isEqualTo(TwoNodeChecks.pattern(100 + 37 * i, i));
                }
            }
        }
        // node a closed (its last run sent the peer-stopping RESET): every frame its UDP socket sent went through a
        // flush, none is left held, no flush held the core lock, no frame was queued outside a core run
        HoldingMedia h = media.get();
        assertThat(h.holding()).as("frames left unsent").isZero();
        assertThat(h.framesFlushed.get()).isEqualTo(((io.jtipc.bearer.udp.UdpBearer) h.m).framesSent()).isGreaterThan(5);
        assertThat(h.flushesUnderCoreLock.get()).as("flushes that held the core lock").isZero();
        assertThat(h.queuedUnderNoLock.get()).as("frames queued outside a core run").isZero();
    }
}
