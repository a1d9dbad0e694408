package io.jtipc.node.testkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.BooleanSupplier;

import io.jtipc.node.BearerConfig;
import io.jtipc.node.Delivery;
import io.jtipc.node.NodeConfig;
import io.jtipc.node.NodeCore;
import io.jtipc.node.Outbox;
import io.jtipc.wire.NodeId;

/**
 * A deterministic in-memory Ethernet segment for sans-IO {@link NodeCore}s: a virtual clock (ms), a seeded
 * random source, and configurable loss, reordering, duplication and delay applied to every frame.
 * Reusable by any test: create nodes with {@link #addNode}, then {@link #runFor} / {@link #runUntil}.
 *
 * <p>Several network planes: bearer id {@code i} of every node is attached to plane {@code i} (a node's first bearer,
 * {@link #addNode}, to plane 0; more with {@link #addBearer}). A frame sent on bearer {@code i} reaches only the other
 * nodes' bearer {@code i}. Per plane, {@link #planeCut} drops every frame, sent or on the wire (an interface or cable
 * down), and
 * {@link #planeLoss} / {@link #planeReorder} add loss and reordering to the network-wide {@link #loss} /
 * {@link #reorder}.
 */
public final class SimNetwork {
    /** Frame fate parameters (probabilities 0-1, delays ms). */
    public double loss;
    public double reorder;
    public double duplicate;
    public int delayMin = 1;
    public int delayMax = 1;
    /** Extra delay of a reordered frame, ms. */
    public int reorderDelay = 5;
    /** Frames for which this returns true are dropped (after counting), e.g. to cut one kind of traffic. */
    public java.util.function.BiPredicate<SimNode, byte[]> drop = (n, f) -> false;
    /** Extra delay (ms, added to every copy) of a frame from a node, e.g. to spread what several nodes send at once. */
    public java.util.function.ToIntBiFunction<SimNode, byte[]> extraDelay = (n, f) -> 0;
    /**
     * Sees every copy of a frame on its way from one node to another (after {@link #drop}'s count, before loss), with
     * the media address it was sent to ({@code dest}, null = the broadcast address); true drops that copy.
     */
    public PathFilter path = (from, to, dest, f) -> false;

    /** See {@link #path}. */
    @FunctionalInterface
    public interface PathFilter {
        boolean drop(SimNode from, SimNode to, byte[] dest, byte[] frame);
    }
    /**
     * Deliver every frame from one array that is scribbled over right after {@code onFrame} returns, as a real bearer's
     * receive loop reuses its buffer (frames are valid during the call only): whatever the core keeps without copying
     * shows up corrupted. Off by default.
     */
    public boolean reuseFrameBuffer;
    private final byte[] rxBuf = new byte[70_000];
    /** Planes (bearer ids) whose frames are all dropped. */
    public final boolean[] planeCut = new boolean[MAX_PLANES];
    /** Extra loss and reorder probability per plane (0-1). */
    public final double[] planeLoss = new double[MAX_PLANES];
    public final double[] planeReorder = new double[MAX_PLANES];
    /** Frames sent and lost per plane. */
    public final long[] planeFrames = new long[MAX_PLANES];
    public final long[] planeFramesLost = new long[MAX_PLANES];
    /** Planes (bearer ids per node), as node.c MAX_BEARERS. */
    public static final int MAX_PLANES = 3;

    private final Random rnd;
    private long now;
    private long seq;
    private final List<SimNode> nodes = new ArrayList<>();
    private final PriorityQueue<Ev> queue = new PriorityQueue<>();
    public long framesSent;
    public long framesLost;

    private record Ev(long time, long seq, SimNode dst, int plane, byte[] src, byte[] frame) implements Comparable<Ev> {
        @Override
        public int compareTo(Ev o) {
            return time != o.time ? Long.compare(time, o.time) : Long.compare(seq, o.seq);
        }
    }

    public SimNetwork(long seed) {
        this.rnd = new Random(seed);
    }

    public long now() { return now; }

    public Random random() { return rnd; }

    public List<SimNode> nodes() { return nodes; }

    /** A node of the network. */
    public final class SimNode implements Outbox {
        public final String name;
        public final byte[] mac;
        /** Media address per bearer id ({@link #mac} for bearer 0), null where the node has no bearer. */
        public final byte[][] macs = new byte[MAX_PLANES][];
        public NodeCore core;
        public boolean paused;
        public final List<Delivery> received = new ArrayList<>();
        public final List<byte[]> sentFrames = new ArrayList<>();
        public boolean recordFrames;

        SimNode(String name, byte[] mac) {
            this.name = name;
            this.mac = mac;
            this.macs[0] = mac;
        }

        @Override
        public void send(int bearerId, byte[] dest, byte[] buf, int off, int len) {
            if (paused) return;
            byte[] f = Arrays.copyOfRange(buf, off, off + len);
            if (recordFrames) sentFrames.add(f);
            for (SimNode n : nodes) {
                if (n == this || bearerId >= MAX_PLANES || n.macs[bearerId] == null) continue;
                if (dest != null && !Arrays.equals(dest, n.macs[bearerId])) continue;
                transmit(this, n, bearerId, dest, f);
            }
        }

        /** Replaces the core by a fresh one with the same identity (a reboot) and enables its bearer 0 now. */
        public void reboot(NodeConfig cfg) {
            for (int i = 1; i < MAX_PLANES; i++) macs[i] = null;
            core = new NodeCore(cfg);
            core.enableBearer(now, BearerConfig.ethernet("eth0", mac), this);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private void transmit(SimNode from, SimNode to, int plane, byte[] dest, byte[] f) {
        framesSent++;
        planeFrames[plane]++;
        if (planeCut[plane] || drop.test(from, f) || path.drop(from, to, dest, f) || rnd.nextDouble() < loss
            || (planeLoss[plane] > 0 && rnd.nextDouble() < planeLoss[plane])) {
            framesLost++;
            planeFramesLost[plane]++;
            return;
        }
        int copies = rnd.nextDouble() < duplicate ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            long d = delayMin + (delayMax > delayMin ? rnd.nextInt(delayMax - delayMin + 1) : 0);
            d += extraDelay.applyAsInt(from, f);
            if (rnd.nextDouble() < reorder || (planeReorder[plane] > 0 && rnd.nextDouble() < planeReorder[plane])) {
                d += 1 + rnd.nextInt(reorderDelay);
            }
            queue.add(new Ev(now + d, seq++, to, plane, from.macs[plane], f));
        }
    }

    /** Adds a node with id text {@code name}, random {@code random}, a MAC ending in {@code index}, bearer "eth0". */
    public SimNode addNode(String name, int index, int random) {
        byte[] mac = {0x52, 0x54, 0, 0, (byte) (index >> 8), (byte) index};
        return addNode(NodeConfig.of(NodeId.parse(name), random, random * 31L + index), mac);
    }

    public SimNode addNode(NodeConfig cfg, byte[] mac) {
        return addNode(cfg, BearerConfig.ethernet("eth0", mac));
    }

    /** Adds a node whose single bearer is {@code bearer} (its own address is the node's MAC on this medium). */
    public SimNode addNode(NodeConfig cfg, BearerConfig bearer) {
        SimNode n = new SimNode(cfg.nodeId().toString(), bearer.ownAddr());
        nodes.add(n);
        n.core = new NodeCore(cfg);
        n.core.enableBearer(now, bearer, n);
        return n;
    }

    /**
     * Enables {@code bearer} on {@code n} now; it is attached to the plane of the bearer id it gets (its own address is
     * the node's media address on that plane).
     *
     * @return the bearer id
     */
    public int addBearer(SimNode n, BearerConfig bearer) {
        int id = n.core.enableBearer(now, bearer, n);
        if (id >= 0) n.macs[id] = bearer.ownAddr();
        return id;
    }

    /** Advances the clock to {@code until}, delivering frames and firing timers in time order. */
    public void runFor(long ms) {
        runUntil(() -> false, now + ms);
    }

    /**
     * Runs until {@code cond} holds (checked after every step) or the clock reaches {@code limit}.
     *
     * @return whether {@code cond} held
     */
    public boolean runUntil(BooleanSupplier cond, long limit) {
        if (cond.getAsBoolean()) return true;
        while (true) {
            long next = Long.MAX_VALUE;
            Ev e = queue.peek();
            if (e != null) next = e.time;
            for (SimNode n : nodes) if (!n.paused) next = Math.min(next, n.core.nextDeadline());
            if (next > limit) {
                now = Math.max(now, limit);
                return cond.getAsBoolean();
            }
            now = Math.max(now, next);
            if (e != null && e.time <= now) {
                queue.poll();
                if (planeCut[e.plane]) {
                    // a plane cut also loses the frames on the wire
                    framesLost++;
                    planeFramesLost[e.plane]++;
                } else if (!e.dst.paused) {
                    if (reuseFrameBuffer && e.frame.length <= rxBuf.length) {
                        System.arraycopy(e.frame, 0, rxBuf, 0, e.frame.length);
                        e.dst.core.onFrame(now, e.plane, e.src, rxBuf, 0, e.frame.length, e.dst);
                        java.util.Arrays.fill(rxBuf, (byte) 0xEE);
                    } else {
                        e.dst.core.onFrame(now, e.plane, e.src, e.frame, 0, e.frame.length, e.dst);
                    }
                }
            } else {
                for (SimNode n : nodes) {
                    if (!n.paused && n.core.nextDeadline() <= now) n.core.onTimer(now, n);
                }
            }
            if (cond.getAsBoolean()) return true;
        }
    }

    /** Frames in flight. */
    public int inFlight() {
        return queue.size();
    }
}
