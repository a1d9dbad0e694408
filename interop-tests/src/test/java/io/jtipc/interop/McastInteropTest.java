package io.jtipc.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import io.jtipc.api.TipcAddress;
import io.jtipc.api.TipcMessage;
import io.jtipc.api.TipcNode;
import io.jtipc.api.TipcSocket;
import io.jtipc.lab.ExecResult;
import io.jtipc.lab.KernelNode;
import io.jtipc.lab.KernelVersion;
import io.jtipc.lab.Lab;
import io.jtipc.lab.Veth;
import io.jtipc.lab.junit.LabExtension;

/**
 * A kernel's service-range multicast reaches jtipc (jtipc advertises TIPC_BCAST_RCAST): a 6.1 kernel node and a
 * jtipc node on a lab veth; the kernel agent's {@code mcast-send} sends N messages to a range jtipc RDM sockets are
 * bound in; every socket gets every message, in order, content checked. Both of the kernel's transmit methods
 * (bcast.c tipc_bcast_select_xmit_method) are forced with {@code tipc link set broadcast}: REPLICAST (copies on
 * the unicast link) and BROADCAST (the broadcast link); the guest's broadcast-link TX counter proves which one ran.
 */
@ExtendWith(LabExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class McastInteropTest {
    static final Duration T = Duration.ofSeconds(60);
    static final int COUNT = 200;
    static final int SIZE = 1000;

    /**
     * Forced replicast puts at most one packet on the guest's broadcast link: the SYN-marked twin of the first message
     * (bcast.c tipc_mcast_send_sync). The agent's new socket starts with the broadcast method, the forced replicast
     * switches it, and since TIPC_MCAST_RBCTL is in the cluster's capabilities (jtipc advertises it, issue 16) the
     * twin goes by the old method; the 200 messages themselves go by replicast.
     */
    static final String REPLICAST_BC = "replicast: at most the SYN twin on the broadcast link";

    Lab lab;
    KernelNode k;
    Veth veth;
    TipcNode node;

    @BeforeAll
    void start(Lab lab) throws Exception {
        this.lab = lab;
        veth = lab.addVeth("jt0");
        k = lab.boot(KernelVersion.V6_1);
        k.setIdentity(k.name()).enableEthBearer();
        node = TipcNode.builder().identity("jtipc1").netns(veth.netns()).bearer("eth:" + veth.name()).start();
        node.awaitLinkUp(T);
        k.awaitUpLinks(1, T);
    }

    @AfterAll
    void stop() {
        if (node != null) node.close();
        if (lab != null) System.err.println("[jtipc-mcast] " + lab + " workdir " + lab.workDir());
    }

    @Test
    @Order(1)
    void replicastReachesOneSocket() throws Exception {
        long bc = multicast("REPLICAST", 19000, 1);
        assertThat(bc).as(REPLICAST_BC).isLessThanOrEqualTo(1);
    }

    @Test
    @Order(2)
    void replicastReachesEverySocketInTheRange() throws Exception {
        long bc = multicast("REPLICAST", 19001, 2);
        assertThat(bc).as(REPLICAST_BC).isLessThanOrEqualTo(1);
    }

    @Test
    @Order(3)
    void broadcastLinkReachesOneSocket() throws Exception {
        long bc = multicast("BROADCAST", 19002, 1);
        assertThat(bc).as("broadcast: the broadcast link carried the messages").isGreaterThanOrEqualTo(COUNT);
    }

    @Test
    @Order(4)
    void broadcastLinkReachesEverySocketInTheRange() throws Exception {
        long bc = multicast("BROADCAST", 19003, 2);
        assertThat(bc).as("broadcast: the broadcast link carried the messages").isGreaterThanOrEqualTo(COUNT);
    }

    /**
     * Binds {@code sockets} jtipc RDM sockets in ranges covering {@code type} 10..20 (one 10..20, one 15..30, ...),
     * lets the kernel multicast COUNT messages to {@code type} 12..17 with the method forced, checks every socket got
     * them all; returns how many packets the guest's broadcast link sent meanwhile.
     */
    private long multicast(String method, int type, int sockets) throws Exception {
        k.tipc("link", "set", "broadcast", method);
        List<TipcSocket> socks = new ArrayList<>();
        try {
            for (int i = 0; i < sockets; i++) {
                TipcSocket s = TipcSocket.rdm(node);
                socks.add(s);
                s.bind(TipcAddress.ofServiceRange(type, 10 + 5 * i, 20 + 10 * i));
            }
            JtipcKernelInteropTest.awaitGuest(() -> countBindings(type) == sockets, "jtipc bindings in the guest");
            long bcBefore = broadcastTx();
            ExecResult r = k.agent(Duration.ofSeconds(120), "mcast-send", Integer.toString(type), "12", "17",
                    Integer.toString(COUNT), Integer.toString(SIZE), "10000");
            assertThat(r.lines()).as(r.toString()).contains("MCAST sent " + COUNT);
            for (TipcSocket s : socks) {
                for (int i = 0; i < COUNT; i++) {
                    TipcMessage m = s.receive(Duration.ofSeconds(20));
                    assertThat(m).as("%s: message %d of %d on socket %d", method, i, COUNT, s.port()).isNotNull();
                    assertThat(m.payload()).as("%s: content of message %d", method, i).isEqualTo(expected(i));
                }
                assertThat(s.receive(Duration.ofMillis(300))).as("no duplicate").isNull();
                assertThat(s.droppedMessages()).isZero();
            }
            long bc = broadcastTx() - bcBefore;
            System.err.printf("[jtipc-mcast] %s to %d socket(s): %d messages each; guest broadcast-link TX +%d%n",
                    method, sockets, COUNT, bc);
            return bc;
        } finally {
            for (TipcSocket s : socks) s.close();
            k.tipc("link", "set", "broadcast", "AUTOSELECT");
        }
    }

    private int countBindings(int type) {
        int n = 0;
        for (String l : k.tipc("nametable", "show").lines()) {
            if (l.startsWith(type + " ")) n++;
        }
        return n;
    }

    private static final Pattern TX = Pattern.compile("TX packets:(\\d+)");

    /** The guest's broadcast-link TX packet counter ({@code tipc link stat show link broadcast-link}). */
    private long broadcastTx() {
        String out = k.tipc("link", "stat", "show", "link", "broadcast-link").output();
        Matcher m = TX.matcher(out);
        assertThat(m.find()).as("broadcast-link stats: %s", out).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** What tipc-agent mcast-send puts in message {@code i}: i big-endian, then the agent's fill pattern. */
    static byte[] expected(int i) {
        byte[] b = new byte[SIZE];
        for (int j = 0; j < SIZE; j++) b[j] = (byte) ((i * 31 + j * 7) & 0xff);
        ByteBuffer.wrap(b).putInt(i);
        return b;
    }
}
