package io.jtipc.node;

import static io.jtipc.node.TwoNodeTest.linkedUp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * The recycled buffers of issue 14 ({@link PktPool}, the socket table's reused build array, fragments built in pooled
 * packets): a packet's array goes back to the pool only once the peer acknowledged it, so a packet still in the
 * transmit queue (retransmitted after a loss) keeps its own bytes, whatever is built, bundled or fragmented meanwhile
 * and whatever the application does with its array after the send returns.
 */
class PktPoolTest {

    @Test
    void sizeClassesAndBounds() {
        PktPool pool = new PktPool();
        assertThat(PktPool.classBytes(1)).isEqualTo(128);
        assertThat(PktPool.classBytes(128)).isEqualTo(128);
        assertThat(PktPool.classBytes(129)).isEqualTo(256);
        assertThat(PktPool.classBytes(1500)).isEqualTo(2048);
        assertThat(PktPool.capacity(PktPool.MAX_CLASS_BYTES + 1)).isEqualTo(PktPool.MAX_CLASS_BYTES + 1);
        byte[] b = pool.buffer(100);
        assertThat(b).hasSize(128);
        pool.giveBuffer(b);
        assertThat(pool.idleBytes()).isEqualTo(128);
        assertThat(pool.buffer(90)).isSameAs(b);
        assertThat(pool.reused).isEqualTo(1);
        pool.giveBuffer(new byte[100]); // not a class length: never pooled
        pool.giveBuffer(new byte[PktPool.MAX_CLASS_BYTES * 2]);
        assertThat(pool.idleBytes()).isZero();
        Pkt p = pool.copyOf(new byte[] {1, 2, 3}, 1, 2);
        assertThat(p.len).isEqualTo(2);
        assertThat(p.buf[0]).isEqualTo((byte) 2);
        p.retrCnt = 3;
        pool.give(p);
        assertThat(p.buf).isNull(); // a stale reference fails fast
        Pkt q = pool.copyOf(new byte[] {9}, 0, 1);
        assertThat(q.retrCnt).isZero();
        // issue 14 (0 B per message): the packet object is recycled too, with every field reset; between its give-back
        // and its next use a stale reference still fails fast (buf null)
        assertThat(q).isSameAs(p);
        assertThat(q.buf).isNotNull();
        q.ackers = 5;
        q.nxtRetr = 7;
        q.retrStamp = 9;
        q.owed = new java.util.BitSet();
        pool.give(q);
        assertThat(q.buf).isNull();
        Pkt r = pool.copyOf(new byte[] {8}, 0, 1);
        assertThat(r.ackers).isZero();
        assertThat(r.nxtRetr).isZero();
        assertThat(r.retrStamp).isZero();
        assertThat(r.retrCnt).isZero();
        assertThat(r.owed).isNull();
        assertThat(r.buf[0]).isEqualTo((byte) 8);
        // idle packet objects are bounded
        java.util.List<Pkt> many = new java.util.ArrayList<>();
        for (int i = 0; i < PktPool.MAX_IDLE_PKTS + 10; i++) many.add(pool.copyOf(new byte[] {1}, 0, 1));
        for (Pkt x : many) pool.give(x);
        assertThat(pool.idlePackets()).isEqualTo(PktPool.MAX_IDLE_PKTS);
        // idle bytes are bounded
        for (int i = 0; i < 100; i++) pool.giveBuffer(new byte[PktPool.MAX_CLASS_BYTES]);
        assertThat(pool.idleBytes()).isLessThanOrEqualTo(PktPool.MAX_IDLE_BYTES);
    }

    private static SimNetwork pair(long seed) {
        SimNetwork net = new SimNetwork(seed);
        SimNode a = net.addNode("alpha", 1, 0x11112222);
        SimNode b = net.addNode("beta", 2, 0x33334444);
        assertThat(net.runUntil(() -> linkedUp(a, b), 5000)).isTrue();
        return net;
    }

    /**
     * One application array, rewritten after every send; sizes mixing bundled (64 B), plain (1 000 B) and fragmented
     * (5 000 B) messages; 10 % of the frames lost and some reordered, so packets sit in the transmit queue and are
     * retransmitted while later messages reuse the build array and recycled packet arrays. Every
     * message must arrive exactly as sent: a packet recycled before its acknowledgement would be retransmitted with
     * another message's bytes (as a mutation that gives packets back when sent shows).
     */
    @Test
    void retransmittedPacketsKeepTheirBytesWhileArraysAreReused() {
        SimNetwork net = pair(21);
        net.reuseFrameBuffer = true;
        net.loss = 0.10;
        net.reorder = 0.05;
        net.delayMin = 1;
        net.delayMax = 3;
        SimNode a = net.nodes().get(0);
        SimNode b = net.nodes().get(1);
        int sp = b.core.openSocket(SocketType.RDM, b.received::add);
        assertThat(b.core.bind(net.now(), sp, Tipc.TIPC_CLUSTER_SCOPE, 3000, 0, 9, b)).isZero();
        assertThat(net.runUntil(() -> !a.core.bindingTable().publications(3000, 0, 9).isEmpty(), net.now() + 5000))
            .isTrue();
        int cp = a.core.openSocket(SocketType.RDM, a.received::add);
        int[] sizes = {64, 64, 64, 1000, 64, 5000, 64, 64, 300};
        int n = 3000;
        Random r = new Random(7);
        byte[] app = new byte[5000]; // the one array the application sends from, overwritten every time
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int w = 0; a.core.congested(b.core.ownAddr(), 0, cp); w++) {
                assertThat(w).as("link congested for 10 simulated s at message %d", i).isLessThan(10_000);
                net.runFor(1);
            }
            int size = sizes[i % sizes.length];
            r.nextBytes(app);
            ByteBuffer.wrap(app).putInt(0, i);
            sent.add(Arrays.copyOf(app, size));
            assertThat(a.core.sendToName(net.now(), cp, 3000, i % 10, 0, app, 0, size, a)).isIn(0, Errno.ELINKCONG);
            Arrays.fill(app, (byte) 0x5a); // the application reuses its array at once
            if (i % 25 == 24) net.runFor(1);
        }
        assertThat(net.runUntil(() -> b.received.size() >= n, net.now() + 120_000)).isTrue();
        net.runFor(500);
        assertThat(b.received).hasSize(n);
        for (int i = 0; i < n; i++) assertThat(b.received.get(i).data()).as("message %d", i).isEqualTo(sent.get(i));
        Link l = a.core.links().get(0);
        assertThat(l.retransmitted).as("retransmissions").isPositive();
        assertThat(l.sentFragmented).isPositive();
        assertThat(l.net.pool.reused).as("arrays reused from the pool").isGreaterThan(n / 2);
    }

    /**
     * Issue 14 (STREAM's copies): a fragment is built in the pooled packet the link keeps, so the transmit queue and
     * the backlog hold the very packets the fragments were built in; a packet the link refuses (its backlog bound:
     * ENOBUFS, the caller then resets the link) goes back to the pool.
     */
    @Test
    void fragmentsAreBuiltInThePacketsTheLinkKeeps() {
        SimNetwork net = pair(41);
        SimNode a = net.nodes().get(0);
        SimNode b = net.nodes().get(1);
        b.paused = true; // beta acknowledges nothing from now on: the window fills, then the backlog
        Link l = a.core.links().get(0);
        PktPool pool = l.net.pool;
        Outbox none = (bid, dest, buf, off, len) -> { };
        byte[] frame = new byte[l.mss()];
        TipcMsg h = new TipcMsg().wrap(frame, 0, frame.length);
        Msg.init(h, a.core.ownAddr(), Tipc.MSG_FRAGMENTER, Tipc.FRAGMENT, Tipc.INT_H_SIZE, b.core.ownAddr());
        h.setSize(frame.length);
        int rc = 0;
        boolean inTransmq = false, inBacklog = false;
        for (int i = 0; i < 20_000 && rc != Errno.ENOBUFS; i++) {
            Pkt f = pool.take(frame.length);
            System.arraycopy(frame, 0, f.buf, 0, frame.length);
            int idle = pool.idlePackets();
            rc = l.xmit(f.buf, f.len, net.now(), none, true, f);
            if (rc == Errno.ENOBUFS) {
                assertThat(f.buf).as("the refused packet is back in the pool").isNull();
                assertThat(pool.idlePackets()).isEqualTo(idle + 1);
            } else if (l.backlogq.isEmpty()) {
                inTransmq |= l.transmq.peekLast() == f;
            } else {
                inBacklog |= l.backlogq.peekLast() == f;
            }
        }
        assertThat(rc).isEqualTo(Errno.ENOBUFS);
        assertThat(inTransmq).as("sent without a copy").isTrue();
        assertThat(inBacklog).as("queued without a copy").isTrue();
    }

    /**
     * Review of issue 14: with the data fragmented straight from the caller's array, a range past its end must throw
     * before the first fragment is queued (a partial fragment chain would stick in the peer's reassembly), on a
     * connection as on RDM.
     */
    @Test
    void aBadDataRangeThrowsBeforeAnyFragmentIsQueued() {
        SimNetwork net = pair(43);
        SimNode a = net.nodes().get(0);
        SimNode b = net.nodes().get(1);
        Link l = a.core.links().get(0);
        int pa = a.core.openSocket(SocketType.RDM, d -> true);
        int dest = b.core.ownAddr();
        assertThatThrownBy(() -> a.core.sendToPort(net.now(), pa, dest, 1234, new byte[30_000], 0, 60_000, a))
            .isInstanceOf(IndexOutOfBoundsException.class);
        ConnTest.Endpoint[] pair = ConnTest.connectPair(net, a, b, SocketType.SEQPACKET, 4100);
        long sent = l.sentPkts;
        assertThatThrownBy(() -> a.core.send(net.now(), pair[0].port, new byte[30_000], 10, 30_000, a))
            .isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(l.sentFragmented).isZero();
        assertThat(l.sentPkts).isEqualTo(sent);
    }

    /**
     * A bundle outgrowing its array takes a pooled one and gives the old one back; the messages in it stay intact and
     * the new bundle's header carries the inner message's importance and prevnode.
     */
    @Test
    void bundleGrowsIntoAPooledArray() {
        PktPool pool = new PktPool();
        byte[] first = new byte[Tipc.BASIC_H_SIZE + 10];
        TipcMsg h = new TipcMsg().wrap(first, 0, first.length);
        Msg.init(h, 0x1001, Tipc.HIGH_IMPORTANCE, Tipc.TIPC_DIRECT_MSG, Tipc.BASIC_H_SIZE, 0x2002);
        h.setSize(first.length);
        Pkt t = pool.copyOf(first, 0, first.length);
        byte[] old = t.buf;
        assertThat(Msg.bundle(new TipcMsg(), t, first, first.length, 1458, 0x2002, pool)).isEqualTo(Msg.BUNDLE_NEW);
        assertThat(t.buf).hasSize(PktPool.capacity(1458)).isNotSameAs(old);
        assertThat(pool.idleBytes()).isEqualTo(old.length); // the outgrown array is back in the pool
        TipcMsg outer = new TipcMsg().wrap(t.buf, 0, t.len);
        assertThat(outer.user()).isEqualTo(Tipc.MSG_BUNDLER);
        assertThat(outer.importance()).isEqualTo(Tipc.HIGH_IMPORTANCE);
        assertThat(outer.prevnode()).isEqualTo(0x1001);
        assertThat(outer.msgcnt()).isEqualTo(2);
        assertThat(Arrays.copyOfRange(t.buf, Tipc.INT_H_SIZE, Tipc.INT_H_SIZE + first.length)).isEqualTo(first);
    }

    /**
     * Connections (issue 14): the sender builds each message in the array of the last one sent, the receiver queues a
     * reassembled message without copying it (only that one: any other view, such as the bearer's reused receive
     * buffer, is copied). Frames come from one array scribbled over after each call ({@link SimNetwork#reuseFrameBuffer});
     * 66 000-byte writes are fragmented; loss makes the link retransmit. Both directions must arrive exactly.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = SocketType.class, names = {"SEQPACKET", "STREAM"})
    void connectionDataSurvivesReusedArraysBothWays(SocketType type) {
        SimNetwork net = pair(31);
        net.reuseFrameBuffer = true;
        net.loss = 0.03;
        net.reorder = 0.02;
        SimNode a = net.nodes().get(0);
        SimNode b = net.nodes().get(1);
        ConnTest.Endpoint[] pair = ConnTest.connectPair(net, a, b, type, 4000);
        ConnTest.Endpoint cli = pair[0], srv = pair[1];
        int len = 3 * 1024 * 1024;
        cli.toSend = ConnTest.pattern(len, 3);
        srv.toSend = ConnTest.pattern(len, 4);
        cli.chunk = 66000;
        srv.chunk = 1000;
        cli.reading = false; // read between frames, not inside the delivering call: queued data must outlive it
        srv.reading = false;
        cli.pump();
        srv.pump();
        assertThat(net.runUntil(() -> {
            cli.drain();
            srv.drain();
            return cli.got.size() == len && srv.got.size() == len;
        }, net.now() + 600_000)).isTrue();
        assertThat(srv.got.toByteArray()).isEqualTo(cli.toSend);
        assertThat(cli.got.toByteArray()).isEqualTo(srv.toSend);
        assertThat(a.core.links().get(0).retransmitted).isPositive();
    }
}
