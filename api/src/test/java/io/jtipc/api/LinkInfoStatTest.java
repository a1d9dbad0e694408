package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link LinkInfo#statShow()}: the {@code tipc link stat show} layout plus the hostile-input counters. */
class LinkInfoStatTest {
    static LinkInfo info(long resets, String reason) {
        return new LinkInfo("1001001:eth0-1001002:eth0", "ESTABLISHED", true, 0x1001002, "beta", "eth:eth0", 1500,
                1500, 50, 7, 9, 1, 2, 3, 4, 5, 6, 70, 80, 10, 180_000, 11, 12, 13, resets, reason, 14, 15, 16, 17, 18);
    }

    @Test
    void printsTheKernelsLayoutAndEveryHostileInputCounter() {
        String s = info(1, "peer reset (RESET, session 3)").statShow();
        assertThat(s).isEqualTo("""
                Link <1001001:eth0-1001002:eth0>
                  ACTIVE  MTU:1500  Tolerance:1500 ms  Window:50 packets
                  RX packets:80 dups:5
                  TX packets:70 states:6 naks:10 retrans:4
                  Queues transmit:1 backlog:2 deferred:3 (180000 bytes)
                  Limits deferred-dropped:11 reassembly-errors:12 backlog-overflows:13 peer-socket-overloads:14 resets:1
                  Tunnel synch-sent:15 synch-rcvd:16 failover-sent:17 failover-rcvd:18
                  Last reset: peer reset (RESET, session 3)
                """);
        assertThat(info(0, "").statShow()).doesNotContain("Last reset").endsWith("failover-rcvd:18\n");
    }
}
