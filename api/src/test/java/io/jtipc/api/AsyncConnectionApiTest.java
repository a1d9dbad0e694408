package io.jtipc.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** Non-blocking, asynchronous and ByteBuffer reads and writes, and typed options, on a TipcConnection over UDP. */
class AsyncConnectionApiTest {
    private static final Duration T = Duration.ofSeconds(20);

    @Test
    void tryReadReadAsyncAndByteBuffersOnBothTypes() throws Exception {
        TipcNode[] n = ConnApiTest.pair("aconn");
        try (TipcNode a = n[0]; TipcNode b = n[1]) {
            for (TipcConnection.Type type : TipcConnection.Type.values()) {
                int svc = type == TipcConnection.Type.STREAM ? 3100 : 2100;
                try (TipcServerSocket ls = TipcServerSocket.listen(b, TipcAddress.ofService(svc, 1), type,
                        TipcSocket.Scope.CLUSTER)) {
                    a.awaitBinding(x -> x.type() == svc, T);
                    CompletableFuture<TipcConnection> acc = accept(ls);
                    try (TipcConnection c = TipcConnection.connect(a, TipcAddress.ofService(svc, 1), type, T);
                         TipcConnection s = acc.get(T.toSeconds(), TimeUnit.SECONDS)) {
                        assertThat(s.tryRead(ByteBuffer.allocate(10))).as("nothing there yet").isZero();

                        // readAsync outstanding before the data comes; one at a time
                        ByteBuffer direct = ByteBuffer.allocateDirect(64);
                        direct.position(4);
                        CompletableFuture<Integer> f = s.readAsync(direct);
                        assertThatThrownBy(() -> s.readAsync(ByteBuffer.allocate(1)))
                                .isInstanceOf(IllegalStateException.class);
                        ByteBuffer src = ByteBuffer.allocateDirect(16);
                        src.put(new byte[] {1, 2, 3, 4, 5}).flip();
                        c.write(src);
                        assertThat(src.position()).isEqualTo(5);
                        assertThat(f.get(T.toSeconds(), TimeUnit.SECONDS)).isEqualTo(5);
                        assertThat(direct.position()).isEqualTo(9);
                        byte[] got = new byte[5];
                        direct.flip().position(4);
                        direct.get(got);
                        assertThat(got).containsExactly(1, 2, 3, 4, 5);

                        // heap buffer with an offset; tryRead after the data arrived
                        c.write(ByteBuffer.wrap(new byte[] {9, 8, 7}));
                        byte[] arr = new byte[20];
                        ByteBuffer heap = ByteBuffer.wrap(arr, 2, 10).slice();
                        int r = 0;
                        long end = System.nanoTime() + T.toNanos();
                        while (r == 0 && System.nanoTime() < end) {
                            r = s.tryRead(heap);
                            if (r == 0) Thread.sleep(1);
                        }
                        assertThat(r).isEqualTo(3);
                        assertThat(heap.position()).isEqualTo(3);
                        assertThat(arr[2]).isEqualTo((byte) 9);
                        assertThat(arr[4]).isEqualTo((byte) 7);

                        // blocking read(ByteBuffer) and end of stream through readAsync
                        c.write(ByteBuffer.wrap(new byte[] {6}));
                        ByteBuffer one = ByteBuffer.allocate(4);
                        assertThat(s.read(one)).isEqualTo(1);
                        CompletableFuture<Integer> eof = s.readAsync(ByteBuffer.allocate(4));
                        c.shutdown();
                        assertThat(eof.get(T.toSeconds(), TimeUnit.SECONDS)).isEqualTo(-1);

                    }
                }
            }
        }
    }

    /** accept runs beside connect: the listener answers the SYN when accept takes it (socket.c tipc_accept). */
    private static CompletableFuture<TipcConnection> accept(TipcServerSocket ls) {
        CompletableFuture<TipcConnection> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(ls.accept(T));
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        t.setDaemon(true);
        t.start();
        return f;
    }

    @Test
    void synPlusCarriesTheFirstMessage() throws Exception {
        TipcNode[] n = ConnApiTest.pair("asyn");
        try (TipcNode a = n[0]; TipcNode b = n[1]) {
            for (TipcConnection.Type type : TipcConnection.Type.values()) {
                int svc = type == TipcConnection.Type.STREAM ? 3300 : 2300;
                try (TipcServerSocket ls = TipcServerSocket.listen(b, TipcAddress.ofService(svc, 1), type,
                        TipcSocket.Scope.CLUSTER)) {
                    a.awaitBinding(x -> x.type() == svc, T);
                    CompletableFuture<TipcConnection> acc = accept(ls);
                    byte[] hello = "hello with the SYN".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    try (TipcConnection c = TipcConnection.connect(a, TipcAddress.ofService(svc, 1), type, T, hello);
                         TipcConnection s = acc.get(T.toSeconds(), TimeUnit.SECONDS)) {
                        byte[] got = new byte[100];
                        int have = 0;
                        while (have < hello.length) {
                            int r = s.read(got, have, got.length - have, T); // 0 = nothing within T
                            assertThat(r).as(type + " data of the SYN").isPositive();
                            have += r;
                        }
                        assertThat(java.util.Arrays.copyOf(got, have)).isEqualTo(hello);
                        c.write(new byte[] {1});
                        assertThat(s.read(ByteBuffer.allocate(4))).isEqualTo(1);
                    }
                }
            }
        }
    }

    @Test
    void connectionOptions() throws Exception {
        TipcNode[] n = ConnApiTest.pair("aopt");
        try (TipcNode a = n[0]; TipcNode b = n[1]) {
            try (TipcServerSocket ls = TipcServerSocket.listen(b, TipcAddress.ofService(3200, 1),
                    TipcConnection.Type.STREAM, TipcSocket.Scope.CLUSTER)) {
                a.awaitBinding(x -> x.type() == 3200, T);
                CompletableFuture<TipcConnection> acc = accept(ls);
                try (TipcConnection c = TipcConnection.connect(a, TipcAddress.ofService(3200, 1),
                        TipcConnection.Type.STREAM, T);
                     TipcConnection s = acc.get(T.toSeconds(), TimeUnit.SECONDS)) {
                    assertThat(c.getOption(TipcOption.NODELAY)).isFalse();
                    c.setOption(TipcOption.NODELAY, true);
                    assertThat(c.getOption(TipcOption.NODELAY)).isTrue();
                    c.setOption(TipcOption.IMPORTANCE, 2);
                    assertThat(c.getOption(TipcOption.IMPORTANCE)).isEqualTo(2);
                    assertThatThrownBy(() -> c.setOption(TipcOption.SOCK_RECVQ_DEPTH, 1))
                            .isInstanceOf(TipcException.class)
                            .satisfies(e -> assertThat(((TipcException) e).error()).isEqualTo(TipcError.EINVAL));
                    assertThatThrownBy(() -> c.getOption(TipcOption.LOOKUP_DOMAIN))
                            .satisfies(e -> assertThat(((TipcException) e).error()).isEqualTo(TipcError.EINVAL));

                    // a pending readAsync fails when the connection closes
                    CompletableFuture<Integer> onClose = c.readAsync(ByteBuffer.allocate(4));
                    c.close();
                    assertThatThrownBy(() -> onClose.get(T.toSeconds(), TimeUnit.SECONDS))
                            .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TipcException.class);
                }
            }
        }
    }

    /**
     * TIPC_CONN_TIMEOUT reads the timeout the connection was made with (8000 ms on the accepted side and with the
     * default connect, as the kernel's CONN_TIMEOUT_DEFAULT), takes any new value from 0 ms (the kernel's setsockopt
     * stores 0-3 too; its SYN retry clamps to 4 where used) and refuses a negative one; TIPC_SOCK_RECVQ_DEPTH
     * counts the messages received and not yet read.
     */
    @Test
    void connectTimeoutAndReceiveQueueDepth() throws Exception {
        TipcNode[] n = ConnApiTest.pair("actm");
        try (TipcNode a = n[0]; TipcNode b = n[1]) {
            try (TipcServerSocket ls = TipcServerSocket.listen(b, TipcAddress.ofService(3300, 1),
                    TipcConnection.Type.SEQPACKET, TipcSocket.Scope.CLUSTER)) {
                a.awaitBinding(x -> x.type() == 3300, T);
                CompletableFuture<TipcConnection> acc = accept(ls);
                try (TipcConnection c = TipcConnection.connect(a, TipcAddress.ofService(3300, 1),
                        TipcConnection.Type.SEQPACKET, Duration.ofMillis(12_345));
                     TipcConnection s = acc.get(T.toSeconds(), TimeUnit.SECONDS)) {
                    assertThat(c.getOption(TipcOption.CONN_TIMEOUT)).isEqualTo(12_345);
                    assertThat(s.getOption(TipcOption.CONN_TIMEOUT)).as("accepted: the kernel's default").isEqualTo(8000);
                    c.setOption(TipcOption.CONN_TIMEOUT, 500);
                    assertThat(c.getOption(TipcOption.CONN_TIMEOUT)).isEqualTo(500);
                    c.setOption(TipcOption.CONN_TIMEOUT, 3);
                    assertThat(c.getOption(TipcOption.CONN_TIMEOUT)).as("below 4 ms: stored, as the kernel").isEqualTo(3);
                    c.setOption(TipcOption.CONN_TIMEOUT, 70_000);
                    assertThat(c.getOption(TipcOption.CONN_TIMEOUT)).as("the kernel's u16 conn_timeout")
                        .isEqualTo(70_000 & 0xffff);
                    c.setOption(TipcOption.CONN_TIMEOUT, 0);
                    assertThat(c.getOption(TipcOption.CONN_TIMEOUT)).isZero();
                    assertThatThrownBy(() -> c.setOption(TipcOption.CONN_TIMEOUT, -1))
                            .satisfies(e -> assertThat(((TipcException) e).error()).isEqualTo(TipcError.EINVAL));
                    assertThat(c.getOption(TipcOption.CONN_TIMEOUT)).as("unchanged by the refused set").isZero();

                    assertThat(s.getOption(TipcOption.SOCK_RECVQ_DEPTH)).isZero();
                    for (int i = 0; i < 3; i++) c.write(new byte[] {(byte) i});
                    long end = System.nanoTime() + T.toNanos();
                    while (s.getOption(TipcOption.SOCK_RECVQ_DEPTH) < 3 && System.nanoTime() < end) Thread.sleep(1);
                    assertThat(s.getOption(TipcOption.SOCK_RECVQ_DEPTH)).isEqualTo(3);
                    byte[] one = new byte[4];
                    assertThat(s.read(one)).isEqualTo(1);
                    assertThat(one[0]).isZero();
                    assertThat(s.getOption(TipcOption.SOCK_RECVQ_DEPTH)).isEqualTo(2);
                    assertThatThrownBy(() -> s.setOption(TipcOption.SOCK_RECVQ_DEPTH, 0))
                            .satisfies(e -> assertThat(((TipcException) e).error()).isEqualTo(TipcError.EINVAL));
                }
                // the default connect waits the kernel's 8000 ms and reads so
                acc = accept(ls);
                try (TipcConnection c = TipcConnection.connect(a, TipcAddress.ofService(3300, 1),
                        TipcConnection.Type.SEQPACKET);
                     TipcConnection s = acc.get(T.toSeconds(), TimeUnit.SECONDS)) {
                    assertThat(c.getOption(TipcOption.CONN_TIMEOUT)).isEqualTo(8000);
                    assertThat(TipcConnection.DEFAULT_CONNECT_TIMEOUT).isEqualTo(Duration.ofSeconds(8));
                    assertThat(s.peer()).isEqualTo(c.address());
                }
            }
        }
    }
}
