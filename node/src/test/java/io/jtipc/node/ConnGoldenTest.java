package io.jtipc.node;

import static io.jtipc.node.TwoNodeTest.linkedUp;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.jtipc.node.SocketType;
import io.jtipc.node.testkit.SimNetwork;
import io.jtipc.node.testkit.SimNetwork.SimNode;
import io.jtipc.wire.Tipc;
import io.jtipc.wire.TipcMsg;

/**
 * Golden: samples/eth-6.1.pcap holds two kernel connections, a SEQPACKET echo on {2000,1} (10 x 200 B ping-pong)
 * and a STREAM echo on {3000,1} (5 x 30000 B), each ended by the client's close(). jtipc runs the same scenario
 * between two of its own nodes; the connection messages of each direction (SYN, ACK, data, CONN_ACK, FIN) must
 * have the kernel's header fields, in the kernel's order.
 */
class ConnGoldenTest {

    /** Messages carried by a frame: itself, the contents of a bundle, or the inner header of a first fragment. */
    static void messages(byte[] f, Consumer<TipcMsg> sink) {
        TipcMsg m = new TipcMsg().wrap(f, 0, f.length);
        int user = m.user();
        if (user == Tipc.MSG_BUNDLER) {
            int pos = m.hdrSize();
            while (pos + Tipc.SHORT_H_SIZE <= m.size()) {
                TipcMsg in = new TipcMsg().wrap(f, pos, f.length - pos);
                int sz = in.size();
                if (sz < Tipc.SHORT_H_SIZE) break;
                sink.accept(new TipcMsg().wrap(Arrays.copyOfRange(f, pos, pos + sz), 0, sz));
                pos += (sz + 3) & ~3;
            }
        } else if (user == Tipc.MSG_FRAGMENTER) {
            if (m.type() == Tipc.FIRST_FRAGMENT) {
                byte[] in = Arrays.copyOfRange(f, m.hdrSize(), m.size());
                sink.accept(new TipcMsg().wrap(in, 0, in.length));
            }
        } else {
            sink.accept(m);
        }
    }

    static String describe(TipcMsg m) {
        StringBuilder s = new StringBuilder();
        s.append("user=").append(m.user()).append(" type=").append(m.type()).append(" hdr=").append(m.hdrSize())
            .append(" size=").append(m.size()).append(" syn=").append(m.isSyn()).append(" err=").append(m.errcode())
            .append(" w0b18=").append(m.srcDroppable()).append(" destDroppable=").append(m.destDroppable())
            .append(" nonSeq=").append(m.nonSeq());
        if (m.user() <= Tipc.CRITICAL_IMPORTANCE && m.hdrSize() >= Tipc.NAMED_H_SIZE) {
            s.append(" scope=").append(m.lookupScope()).append(" name=").append(m.nametype()).append(',')
                .append(m.nameinst());
        }
        if (m.user() == Tipc.CONN_MANAGER) s.append(" connAck=").append(m.connAck()).append(" advWin=").append(m.advWin());
        return s.toString();
    }

    /** Connection messages of the connection opened by the SYN to {@code svc}, per direction: [client>server, server>client]. */
    static List<List<String>> conversation(List<byte[]> framesInOrder, int svc) {
        List<TipcMsg> all = new ArrayList<>();
        for (byte[] f : framesInOrder) messages(f, all::add);
        TipcMsg syn = all.stream().filter(m -> m.user() <= 3 && m.isSyn() == 1 && m.hdrSize() >= 40
            && m.nametype() == svc).findFirst().orElseThrow();
        int cport = syn.origport();
        List<String> c2s = new ArrayList<>();
        List<String> s2c = new ArrayList<>();
        for (TipcMsg m : all) {
            boolean conn = (m.user() <= 3 && (m.type() == Tipc.TIPC_CONN_MSG || m.isSyn() == 1))
                || m.user() == Tipc.CONN_MANAGER;
            if (!conn) continue;
            if (m.origport() == cport) c2s.add(describe(m));
            else if (m.destport() == cport) s2c.add(describe(m));
        }
        return List.of(c2s, s2c);
    }

    @ParameterizedTest
    @CsvSource({"2000, SEQPACKET, 10, 200", "3000, STREAM, 5, 30000"})
    void connectionMessagesHaveTheKernelsFields(int svc, SocketType type, int count, int size) throws Exception {
        List<byte[]> kernel = new ArrayList<>();
        for (GoldenCaptureTest.Frame f : GoldenCaptureTest.frames()) kernel.add(f.tipc());
        List<List<String>> want = conversation(kernel, svc);
        assertThat(want.get(0)).isNotEmpty();

        SimNetwork net = new SimNetwork(7);
        SimNode a = net.addNode("srv-node", 1, 0x1234);
        SimNode b = net.addNode("cli-node", 2, 0x5678);
        assertThat(net.runUntil(() -> linkedUp(a, b), 5000)).isTrue();
        List<byte[]> sent = new ArrayList<>();
        Outbox recA = (id, d, buf, off, len) -> {
            sent.add(Arrays.copyOfRange(buf, off, off + len));
            a.send(id, d, buf, off, len);
        };
        Outbox recB = (id, d, buf, off, len) -> {
            sent.add(Arrays.copyOfRange(buf, off, off + len));
            b.send(id, d, buf, off, len);
        };
        // server on A: echo everything back; close when the client has gone
        byte[] sbuf = new byte[70000];
        int[] srvPort = {0};
        ConnHandler echo = new ConnHandler() {
            @Override
            public void readable(int p) {
                while (true) {
                    int n = a.core.recv(net.now(), p, sbuf, 0, sbuf.length, recA);
                    if (n > 0) {
                        assertThat(a.core.send(net.now(), p, sbuf, 0, n, recA)).isEqualTo(n);
                    } else {
                        if (n != Errno.EAGAIN) a.core.closeSocket(net.now(), p, recA);
                        return;
                    }
                }
            }
        };
        int lp = a.core.openConnSocket(type, new ConnHandler() {
            @Override
            public void readable(int p) {
                srvPort[0] = a.core.accept(net.now(), p, echo, recA);
            }
        });
        a.core.listen(lp);
        a.core.bind(net.now(), lp, Tipc.TIPC_CLUSTER_SCOPE, svc, 1, 1, a);
        net.runFor(100);
        // client on B: connect, then ping-pong count x size, then close()
        int[] got = {0};
        int[] done = {0};
        byte[] cbuf = new byte[70000];
        byte[] payload = new byte[size];
        int cp = b.core.openConnSocket(type, null);
        b.core.setConnHandler(cp, new ConnHandler() {
            @Override
            public void connected(int p) {
                b.core.send(net.now(), p, payload, 0, size, recB);
            }

            @Override
            public void readable(int p) {
                int n;
                while ((n = b.core.recv(net.now(), p, cbuf, 0, cbuf.length, recB)) > 0) {
                    got[0] += n;
                    if (got[0] % size == 0) {
                        if (++done[0] < count) b.core.send(net.now(), p, payload, 0, size, recB);
                        else {
                            b.core.closeSocket(net.now(), p, recB);
                            return;
                        }
                    }
                }
            }
        });
        assertThat(b.core.connect(net.now(), cp, svc, 1, 0, 8000, null, 0, 0, recB)).isZero();
        assertThat(net.runUntil(() -> done[0] == count, net.now() + 10_000)).isTrue();
        net.runFor(500);
        List<List<String>> have = conversation(sent, svc);
        assertThat(have.get(0)).as("client to server").containsExactlyElementsOf(want.get(0));
        assertThat(have.get(1)).as("server to client").containsExactlyElementsOf(want.get(1));
    }
}
