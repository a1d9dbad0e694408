package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;


/** Connections and subscriptions through the blocking API, over UDP on loopback (no privilege needed). */
class ConnApiTest {
    static final Duration T = Duration.ofSeconds(10);

    static TipcNode[] pair(String tag) throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String a1 = "127.0.0.1:" + port;
        String b1 = "127.0.0.2:" + port;
        TipcNode a = TipcNode.builder().identity("jt-" + tag + "-a").bearer("udp:" + a1 + ",remote=" + b1 + ",name=ua").build();
        TipcNode b = TipcNode.builder().identity("jt-" + tag + "-b").bearer("udp:" + b1 + ",remote=" + a1 + ",name=ub").build();
        Thread sa = new Thread(() -> {
            try {
                a.start();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        sa.start();
        b.start();
        sa.join();
        a.awaitLinkUp(T);
        return new TipcNode[] {a, b};
    }

    @Test
    void echoBothTypesThenAbortAndRefusal() throws Exception {
        TipcNode[] n = pair("conn");
        try (TipcNode a = n[0]; TipcNode b = n[1]) {
            for (TipcConnection.Type type : TipcConnection.Type.values()) {
                int svc = type == TipcConnection.Type.STREAM ? 3000 : 2000;
                try (TipcServerSocket ls = TipcServerSocket.listen(b, TipcAddress.ofService(svc, 1), type,
                        TipcSocket.Scope.CLUSTER)) {
                    Thread echo = new Thread(() -> {
                        try (TipcConnection c = ls.accept(T)) {
                            byte[] buf = new byte[70000];
                            int r;
                            while ((r = c.read(buf)) > 0) c.write(buf, 0, r);
                        } catch (Exception e) {
                            // connection reset by the client's close: done
                        }
                    });
                    echo.start();
                    awaitBinding(a, svc);
                    byte[] data = new byte[1_000_000];
                    new Random(svc).nextBytes(data);
                    try (TipcConnection c = TipcConnection.connect(a, TipcAddress.ofService(svc, 1), type, T)) {
                        ByteArrayOutputStream got = new ByteArrayOutputStream();
                        Thread reader = new Thread(() -> {
                            byte[] buf = new byte[70000];
                            try {
                                while (got.size() < data.length) {
                                    int r = c.read(buf);
                                    if (r < 0) break;
                                    synchronized (got) {
                                        got.write(buf, 0, r);
                                    }
                                }
                            } catch (Exception e) {
                                throw new RuntimeException(e);
                            }
                        });
                        reader.start();
                        int chunk = type == TipcConnection.Type.STREAM ? 100_000 : 60_000;
                        for (int off = 0; off < data.length; off += chunk) {
                            c.write(data, off, Math.min(chunk, data.length - off));
                        }
                        reader.join(30_000);
                        assertThat(got.toByteArray()).isEqualTo(data);
                    }
                    echo.join(10_000);
                    assertThat(echo.isAlive()).isFalse();
                }
            }
            // no binding: EHOSTUNREACH at once
            assertThatThrownBy(() -> TipcConnection.connect(a, TipcAddress.ofService(2999, 1),
                TipcConnection.Type.SEQPACKET, T)).isInstanceOf(TipcException.class)
                .hasMessageContaining("EHOSTUNREACH");
            // peer close: the reader gets ECONNRESET
            try (TipcServerSocket ls = TipcServerSocket.listen(b, TipcAddress.ofService(2001, 1),
                    TipcConnection.Type.SEQPACKET, TipcSocket.Scope.CLUSTER)) {
                awaitBinding(a, 2001);
                // as with the kernel, connect() returns only once the server has accepted (the ACK goes out then)
                Thread acceptor = new Thread(() -> {
                    try {
                        ls.accept(T).close();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                acceptor.start();
                try (TipcConnection c = TipcConnection.connect(a, TipcAddress.ofService(2001, 1),
                        TipcConnection.Type.SEQPACKET, T)) {
                    acceptor.join(10_000);
                    assertThatThrownBy(() -> c.read(new byte[10], 0, 10, T)).isInstanceOf(TipcException.class)
                        .hasMessageContaining("ECONNRESET");
                }
            }
        }
    }

    static void awaitBinding(TipcNode n, int type) throws Exception {
        try (TipcSubscription s = TipcSubscription.open(n, TipcAddress.ofServiceRange(type, 0, -1),
                TipcSubscription.Filter.PORTS, null)) {
            assertThat(s.poll(T)).isNotNull();
        }
    }

    /**
     * The registration race: subscriptions opened from one thread while another publishes and withdraws; each
     * subscription's events (replay + live) must reconstruct the final table exactly.
     */
    @Test
    void subscriptionsOpenedWhileTheTableChangesNeverLoseOrDuplicate() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        try (TipcNode a = TipcNode.builder().identity("jt-race").bearer("udp:127.0.0.1:" + port
                + ",remote=127.0.0.3:" + port).start()) {
            AtomicBoolean stop = new AtomicBoolean();
            Thread churn = new Thread(() -> {
                Random r = new Random(5);
                List<TipcSocket> open = new ArrayList<>();
                try {
                    while (!stop.get()) {
                        if (open.isEmpty() || r.nextInt(2) == 0) {
                            TipcSocket s = TipcSocket.rdm(a);
                            int lo = r.nextInt(20);
                            s.bind(TipcAddress.ofServiceRange(9000, lo, lo + r.nextInt(3)));
                            open.add(s);
                        } else {
                            open.remove(r.nextInt(open.size())).close();
                        }
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            churn.start();
            List<TipcSubscription> subs = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                subs.add(TipcSubscription.open(a, TipcAddress.ofServiceRange(9000, i % 10, 10 + i % 10),
                    TipcSubscription.Filter.PORTS, null));
                Thread.sleep(5);
            }
            stop.set(true);
            churn.join();
            for (int i = 0; i < subs.size(); i++) {
                int lo = i % 10, up = 10 + i % 10;
                Set<String> want = new HashSet<>(); // the churn has stopped: the table no longer changes
                for (Binding p : a.bindings()) {
                    if (p.type() == 9000 && p.lower() <= up && p.upper() >= lo) {
                        want.add(p.lower() + "-" + p.upper() + ":" + p.port());
                    }
                }
                Set<String> live = new HashSet<>();
                TopologyEvent e;
                // until quiet and complete: a quiet 200 ms alone may be a stalled event loop on a loaded machine
                long end = System.nanoTime() + 10_000_000_000L;
                while ((e = subs.get(i).poll(Duration.ofMillis(200))) != null
                        || (!live.equals(want) && System.nanoTime() < end)) {
                    if (e == null) continue;
                    String k = e.foundLower() + "-" + e.foundUpper() + ":" + e.port();
                    if (e.kind() == TopologyEvent.Kind.PUBLISHED) assertThat(live.add(k)).as("dup %s", k).isTrue();
                    else assertThat(live.remove(k)).as("gap %s", k).isTrue();
                }
                assertThat(live).isEqualTo(want);
                subs.get(i).close();
            }
        }
    }

    /**
     * socket.c rules seen through the API on the accepting side: its end of stream reads -1 every time, as a
     * connecting side's (an accepted connection threw ENOTCONN on the second read), and its importance is the SYN's
     * (tipc_accept: tsk_set_importance from the SYN), which getOption reads from the socket.
     */
    @Test
    void anAcceptedConnectionReadsEndOfStreamAgainAndTheSynsImportance() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        try (TipcNode a = TipcNode.builder().identity("jt-acc").bearer("udp:127.0.0.1:" + port
                + ",remote=127.0.0.3:" + port).start();
             TipcServerSocket ls = TipcServerSocket.listen(a, TipcAddress.ofService(4343, 1),
                TipcConnection.Type.SEQPACKET, TipcSocket.Scope.NODE)) {
            // a client at the core's level with importance 2 before it connects (the API sets it after)
            int cp = a.call(now -> a.core().openConnSocket(io.jtipc.node.SocketType.SEQPACKET,
                new io.jtipc.node.ConnHandler() { }));
            a.call(now -> {
                a.core().setImportance(cp, 2);
                return a.core().connect(now, cp, 4343, 1, 0, 8000, null, 0, 0, a.outbox());
            });
            try (TipcConnection s = ls.accept(T)) {
                assertThat(s.getOption(TipcOption.IMPORTANCE)).as("the SYN's importance").isEqualTo(2);
                a.call(now -> {
                    a.core().shutdown(now, cp, a.outbox());
                    return null;
                });
                byte[] buf = new byte[16];
                assertThat(s.read(buf, 0, 16, T)).isEqualTo(-1);
                assertThat(s.read(buf, 0, 16, T)).as("end of stream again").isEqualTo(-1);
                assertThat(s.tryRead(buf, 0, 16)).isEqualTo(-1);
            } finally {
                a.call(now -> {
                    a.core().closeSocket(now, cp, a.outbox());
                    return null;
                });
            }
        }
    }

    /** A connection inside one node (local delivery), and a blocked reader released when the node closes. */
    @Test
    void localConnectionAndReaderReleasedByNodeClose() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        TipcNode a = TipcNode.builder().identity("jt-local").bearer("udp:127.0.0.1:" + port
            + ",remote=127.0.0.3:" + port).start();
        try (TipcServerSocket ls = TipcServerSocket.listen(a, TipcAddress.ofService(4242, 1),
                TipcConnection.Type.STREAM, TipcSocket.Scope.NODE)) {
            TipcConnection[] srv = new TipcConnection[1];
            Thread acc = new Thread(() -> {
                try {
                    srv[0] = ls.accept(T);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            acc.start();
            TipcConnection c = TipcConnection.connect(a, TipcAddress.ofService(4242, 1), TipcConnection.Type.STREAM, T);
            acc.join(10_000);
            c.write("ping".getBytes());
            byte[] buf = new byte[10];
            assertThat(srv[0].read(buf)).isEqualTo(4);
            srv[0].shutdown();
            assertThat(c.read(buf)).isEqualTo(-1);
            Throwable[] blocked = new Throwable[1];
            TipcConnection c2;
            Thread acc2 = new Thread(() -> {
                try {
                    srv[0] = ls.accept(T);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            acc2.start();
            c2 = TipcConnection.connect(a, TipcAddress.ofService(4242, 1), TipcConnection.Type.STREAM, T);
            acc2.join(10_000);
            Thread reader = new Thread(() -> {
                try {
                    c2.read(buf);
                } catch (Throwable e) {
                    blocked[0] = e;
                }
            });
            reader.start();
            Thread.sleep(200);
            a.close();
            reader.join(5000);
            assertThat(reader.isAlive()).isFalse();
            assertThat(blocked[0]).isInstanceOf(TipcException.class);
        } finally {
            a.close();
        }
    }

    /**
     * A readAsync pending on either end of a connection within the node completes exceptionally when the node closes:
     * no core event comes for such a connection (the close stops links to other nodes only), so the future stayed
     * pending for ever before the node told its connections.
     */
    @Test
    void aPendingReadAsyncCompletesWhenTheNodeCloses() throws Exception {
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        TipcNode a = TipcNode.builder().identity("jt-rasync").bearer("udp:127.0.0.1:" + port
                + ",remote=127.0.0.3:" + port).start();
        try {
            TipcServerSocket ls = TipcServerSocket.listen(a, TipcAddress.ofService(18960, 1),
                TipcConnection.Type.STREAM, TipcSocket.Scope.NODE);
            java.util.concurrent.CompletableFuture<TipcConnection> acc = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> {
                    try {
                        return ls.accept(Duration.ofSeconds(10));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
            TipcConnection c = TipcConnection.connect(a, TipcAddress.ofService(18960, 1), TipcConnection.Type.STREAM,
                Duration.ofSeconds(10));
            TipcConnection s = acc.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(s).isNotNull();
            java.util.concurrent.CompletableFuture<Integer> fc = c.readAsync(java.nio.ByteBuffer.allocate(100));
            java.util.concurrent.CompletableFuture<Integer> fs = s.readAsync(java.nio.ByteBuffer.allocate(100));
            Thread.sleep(200); // both attempts found nothing and wait for an event
            assertThat(fc).isNotDone();
            assertThat(fs).isNotDone();
            a.close();
            for (java.util.concurrent.CompletableFuture<Integer> f : List.of(fc, fs)) {
                assertThatThrownBy(() -> f.get(10, java.util.concurrent.TimeUnit.SECONDS))
                    .isInstanceOf(java.util.concurrent.ExecutionException.class)
                    .hasCauseInstanceOf(TipcException.class);
            }
        } finally {
            a.close();
        }
    }
}
