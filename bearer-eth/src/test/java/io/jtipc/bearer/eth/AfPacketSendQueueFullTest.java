package io.jtipc.bearer.eth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.jtipc.bearer.LabNetns;
import io.jtipc.bearer.LabNetnsExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A full send queue, made deterministic: va's root qdisc is a token bucket ({@code tbf}) whose bucket holds just over
 * two 1000-byte frames (2100 bytes, two frames of 1014 on the wire) and whose rate (100 bit/s) lets the next one leave
 * only ~75 s later ({@code tc} reports the latency), so frames 1-2 leave at once,
 * the following ones wait in the qdisc, and what does not fit is refused: by the qdisc once its byte limit is reached
 * (NET_XMIT_DROP, {@code sendmmsg} fails with ENOBUFS), or by the socket once the frames waiting in the qdisc hold its
 * whole send buffer ({@code sock_alloc_send_pskb} with MSG_DONTWAIT: EAGAIN). Nothing depends on timing as long as
 * the test thread is not stalled for 75 s between two system calls. IPv6 is off in the namespace, so no kernel frame
 * (DAD, router solicitation, MLD) takes a place in the queue. Each test gets its own namespace (root and {@code tc}
 * needed; skipped with the reason otherwise).
 */
class AfPacketSendQueueFullTest {
    static final int FRAME = 1000;
    static final int FRAMES = 8;
    static final byte[] MAC_B = EthMedia.parse(LabNetns.MAC_B);

    @RegisterExtension
    final LabNetnsExtension lab = LabNetnsExtension.perTest(1500);
    AfPacketSocket a;
    AfPacketSocket b;
    final byte[] buf = new byte[AfPacketSocket.MAX_FRAME];
    final byte[] src = new byte[6];

    @BeforeEach
    void openSocketsWithoutIpv6() throws IOException {
        if (Files.isDirectory(Path.of("/proc/sys/net/ipv6"))) { // else there is no IPv6 to send anything
            // /proc/sys/net is the reading process's namespace: the shell run inside lab's sees lab's settings
            LabNetns.ip("netns", "exec", lab.name(), "sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6"
                    + " && echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6");
        }
        a = AfPacketSocket.open(lab.name(), LabNetns.VA, EthMedia.ETH_P_TIPC);
        b = AfPacketSocket.open(lab.name(), LabNetns.VB, EthMedia.ETH_P_TIPC);
    }

    @AfterEach
    void closeSockets() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    /**
     * Gives va a tbf root qdisc: a bucket of 2100 bytes (two frames of 1014, the third needs ~75 s more of tokens),
     * rate 100 bit/s, {@code limit} bytes queued. Skips the test when {@code tc} or the tbf qdisc is missing.
     */
    private void tbf(int limitBytes) {
        try {
            LabNetns.ip("netns", "exec", lab.name(), "tc", "qdisc", "replace", "dev", LabNetns.VA, "root", "tbf",
                    "rate", "100bit", "burst", "2100", "limit", Integer.toString(limitBytes));
        } catch (IOException e) {
            assumeTrue(false, "needs `tc` (iproute2) and the tbf qdisc (sch_tbf) to make a queue that fills: " + e);
        }
    }

    /** The drop count of va's root qdisc ({@code tc -s qdisc show}). */
    private long qdiscDrops() throws IOException {
        String out = LabNetns.ip("netns", "exec", lab.name(), "tc", "-s", "qdisc", "show", "dev", LabNetns.VA, "root");
        Matcher m = Pattern.compile("dropped (\\d+)").matcher(out);
        assertThat(m.find()).as("tc -s output: %s", out).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** Queues FRAMES frames numbered in their first byte, flushes once, and returns what flush returned. */
    private int queueAndFlush() throws IOException {
        byte[] p = new byte[FRAME];
        for (int i = 0; i < FRAMES; i++) {
            Arrays.fill(p, (byte) i);
            a.queue(MAC_B, 0, p, 0, p.length);
        }
        return a.flush();
    }

    /** The two frames the bucket let through arrive, in order and intact: the batch was sent, not dropped whole. */
    private void firstTwoArrive() throws IOException {
        for (int i = 0; i < 2; i++) {
            assertThat(b.receive(buf, src, 2000)).as("frame %d", i).isEqualTo(FRAME);
            assertThat(buf[0]).isEqualTo((byte) i);
            assertThat(buf[FRAME - 1]).isEqualTo((byte) i);
        }
    }

    @Test
    void aQdiscThatRefusesDropsTheRestOfTheBatchAtOnceAndCountsIt() throws IOException {
        tbf(3000); // two frames wait in the qdisc (2028 bytes), a third would pass the limit
        long calls = a.sendSyscalls();
        assertThat(queueAndFlush()).as("two sent, two queued in the qdisc").isEqualTo(4);
        assertThat(a.framesSent()).isEqualTo(4);
        assertThat(a.sendDropped()).as("frame 5 and the rest of the batch").isEqualTo(FRAMES - 4);
        assertThat(a.queued()).isZero();
        // the first sendmmsg returns 4 (the kernel keeps frame 5's ENOBUFS to itself after frames were sent); the
        // second, from frame 5, fails with ENOBUFS and ends the batch: no call per remaining frame
        assertThat(a.sendSyscalls() - calls).as("sendmmsg calls").isEqualTo(2);
        assertThat(qdiscDrops()).as("frame 5, refused by each sendmmsg").isEqualTo(2);
        firstTwoArrive();

        // a single send into the full queue is refused as a lost frame, not an error
        byte[] p = new byte[FRAME];
        assertThat(a.send(MAC_B, p, 0, p.length)).isFalse();
        assertThat(a.framesSent()).isEqualTo(4);
        assertThat(a.sendSyscalls() - calls).isEqualTo(3);
        assertThat(a.flush()).isZero();
    }

    @Test
    void aFullSendBufferDropsTheRestOfTheBatchAtOnceAndCountsIt() throws IOException {
        tbf(100_000); // the qdisc would take every frame: the socket's send buffer is what runs full
        int sndbuf = a.setSendBufferSize(1); // the kernel's minimum (SOCK_MIN_SNDBUF), about two frames' truesize
        assertThat(sndbuf).isLessThan(FRAMES * FRAME);
        long calls = a.sendSyscalls();
        int sent = queueAndFlush();
        // frames 1-2 left (their memory is freed); frames waiting in the qdisc stay charged to the socket until the
        // next one finds the buffer full (how many fit depends on the kernel's skb truesize: at least one)
        assertThat(sent).as("sent").isBetween(3, FRAMES - 1);
        assertThat(a.framesSent()).isEqualTo(sent);
        assertThat(a.sendDropped()).as("the refused frame and the rest of the batch").isEqualTo(FRAMES - sent);
        assertThat(a.sendSyscalls() - calls).as("sendmmsg calls").isEqualTo(2);
        assertThat(qdiscDrops()).as("refused by the socket (EAGAIN), not by the qdisc").isZero();
        firstTwoArrive();
    }
}
