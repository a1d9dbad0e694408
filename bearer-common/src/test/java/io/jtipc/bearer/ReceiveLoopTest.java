package io.jtipc.bearer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** The shared receive thread over a scripted receiver: hand-off, handler failures, receive errors, stop. */
@Timeout(20)
class ReceiveLoopTest {
    /** A receiver fed from a queue: byte[] = a frame from source {7, 7}, IOException = a failed receive. */
    private final BlockingQueue<Object> script = new LinkedBlockingQueue<>();
    private volatile boolean open = true;

    private int receive(byte[] buf, int off, int len, byte[] src, int srcOff, int timeoutMs) throws IOException {
        Object o;
        try {
            o = script.take();
        } catch (InterruptedException e) {
            return Media.WAKEUP;
        }
        if (o instanceof IOException e) {
            throw e;
        }
        if (o instanceof RuntimeException e) {
            throw e;
        }
        if (o instanceof Error e) {
            throw e;
        }
        if (o == Boolean.FALSE) {
            return Media.WAKEUP;
        }
        byte[] f = (byte[]) o;
        System.arraycopy(f, 0, buf, off, f.length);
        src[srcOff] = 7;
        src[srcOff + 1] = 7;
        return f.length;
    }

    private ReceiveLoop loop() {
        return new ReceiveLoop("test:x", "jtipc-test-rx-x", 100, 2, this::receive, () -> open,
                LoggerFactory.getLogger("test"));
    }

    @Test
    void aReceiverBugIsCountedAndReportedAndTheThreadGoesOn() throws Exception {
        ReceiveLoop l = loop();
        BlockingQueue<Integer> got = new LinkedBlockingQueue<>();
        List<IOException> errors = new CopyOnWriteArrayList<>();
        l.start((src, frame, len) -> got.add(len), errors::add);
        script.add(new IllegalStateException("receiver bug on purpose"));
        script.add(new byte[6]);
        assertThat(got.poll(5, TimeUnit.SECONDS)).as("the frame after the failure").isEqualTo(6);
        assertThat(l.receiveErrors()).isEqualTo(1);
        assertThat(errors).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("receiver bug on purpose")
                .hasCauseInstanceOf(IllegalStateException.class));
        assertThat(l.isAlive()).isTrue();
        l.stop(() -> script.add(Boolean.FALSE));
        assertThat(l.isAlive()).isFalse();
    }

    @Test
    void framesReachTheHandlerWhichMayFailAndErrorsArePaced() throws Exception {
        ReceiveLoop l = loop();
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        List<IOException> errors = new CopyOnWriteArrayList<>();
        List<Thread> threads = new CopyOnWriteArrayList<>();
        l.start((src, frame, len) -> {
            threads.add(Thread.currentThread());
            if (len == 3) {
                throw new IllegalStateException("handler bug on purpose");
            }
            got.add(src.length + ":" + src[0] + src[1] + ":" + len);
        }, errors::add);
        assertThatThrownBy(() -> l.start((s, f, n) -> { }, null)).isInstanceOf(IllegalStateException.class)
                .hasMessage("bearer test:x already started");
        assertThatThrownBy(l::checkNotStarted).isInstanceOf(IllegalStateException.class)
                .hasMessage("bearer test:x has a receive thread; poll() is for event loops");
        script.add(new byte[5]);
        script.add(new byte[3]);
        script.add(new IOException("boom"));
        script.add(new byte[4]);
        assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("2:77:5");
        assertThat(got.poll(5, TimeUnit.SECONDS)).as("after a failing handler and a receive error").isEqualTo("2:77:4");
        assertThat(l.handlerFailures()).isEqualTo(1);
        assertThat(l.receiveErrors()).isEqualTo(1);
        assertThat(errors).singleElement().satisfies(e -> assertThat(e).hasMessage("boom"));
        assertThat(threads).allSatisfy(t -> assertThat(t.getName()).isEqualTo("jtipc-test-rx-x"));
        assertThat(l.isAlive()).isTrue();
        l.stop(() -> script.add(Boolean.FALSE));
        assertThat(l.isAlive()).isFalse();
    }

    @Test
    void aClosedMediaCannotStartAndAnErrorAfterCloseEndsTheLoop() throws Exception {
        open = false;
        assertThatThrownBy(() -> loop().start((s, f, n) -> { }, null)).isInstanceOf(IllegalStateException.class)
                .hasMessage("bearer test:x is closed");
        open = true;
        ReceiveLoop l = loop();
        l.start((s, f, n) -> { }, null);
        open = false;
        script.add(new IOException("socket closed under the receive"));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (l.isAlive() && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertThat(l.isAlive()).isFalse();
        assertThat(l.receiveErrors()).as("not counted once closed").isZero();
    }

    private static void awaitDead(ReceiveLoop l) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (l.isAlive() && System.nanoTime() < end) {
            Thread.sleep(5);
        }
    }

    @Test
    void anOutOfMemoryErrorInTheReceiveEndsTheThreadLoudlyOnce() throws Exception {
        RecordingLogger log = new RecordingLogger();
        ReceiveLoop l = new ReceiveLoop("test:x", "jtipc-test-rx-x", 100, 2, this::receive, () -> open, log);
        List<IOException> errors = new CopyOnWriteArrayList<>();
        BlockingQueue<Integer> got = new LinkedBlockingQueue<>();
        l.start((src, frame, len) -> got.add(len), errors::add);
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space (injected)");
        script.add(oom);
        script.add(new byte[6]);
        awaitDead(l);
        assertThat(l.isAlive()).as("the thread ends: its state after the error is unknown").isFalse();
        assertThat(l.failure()).isSameAs(oom);
        assertThat(errors).singleElement().isInstanceOfSatisfying(ReceiveThreadDiedException.class, e -> {
            assertThat(e.bearer()).isEqualTo("test:x");
            assertThat(e).hasCause(oom).hasMessageContaining("OutOfMemoryError");
        });
        assertThat(log.lines).as("the error handler's owner logs it").isEmpty();
        assertThat(l.receiveErrors()).as("not a paced receive error").isZero();
        assertThat(got).as("nothing after the error").isEmpty();
        l.stop(() -> script.add(Boolean.FALSE));
    }

    @Test
    void anErrorInTheHandlerEndsTheThreadLoudlyAndAFailingErrorHandlerDoesNotHideIt() throws Exception {
        RecordingLogger log = new RecordingLogger();
        ReceiveLoop l = new ReceiveLoop("test:y", "jtipc-test-rx-y", 100, 2, this::receive, () -> open, log);
        l.start((src, frame, len) -> {
            throw new StackOverflowError("injected");
        }, e -> {
            throw new IllegalStateException("error handler bug on purpose");
        });
        script.add(new byte[3]);
        awaitDead(l);
        assertThat(l.isAlive()).isFalse();
        assertThat(l.failure()).isInstanceOf(StackOverflowError.class);
        assertThat(l.handlerFailures()).as("not an ordinary handler failure").isZero();
        assertThat(log.lines).hasSize(2);
        assertThat(log.lines.get(0)).startsWith("ERROR receive thread of test:y died").contains("StackOverflowError");
        assertThat(log.lines.get(1)).startsWith("ERROR error handler of test:y failed");
        l.stop(() -> script.add(Boolean.FALSE));
    }

    @Test
    void anErrorInTheErrorHandlerOfAnIoErrorStillEndsTheThreadThroughDied() throws Exception {
        RecordingLogger log = new RecordingLogger();
        ReceiveLoop l = new ReceiveLoop("test:w", "jtipc-test-rx-w", 100, 2, this::receive, () -> open, log);
        OutOfMemoryError oom = new OutOfMemoryError("in the error handler (injected)");
        List<IOException> reports = new CopyOnWriteArrayList<>();
        l.start((src, frame, len) -> { }, e -> {
            reports.add(e);
            if (!(e instanceof ReceiveThreadDiedException)) throw oom;
        });
        script.add(new IOException("ENETDOWN on purpose"));
        awaitDead(l);
        assertThat(l.isAlive()).isFalse();
        assertThat(l.failure()).as("recorded, not lost with the thread").isSameAs(oom);
        assertThat(reports).hasSize(2);
        assertThat(reports.get(1)).isInstanceOf(ReceiveThreadDiedException.class).hasCause(oom);
        l.stop(() -> script.add(Boolean.FALSE));
    }

    @Test
    void aHandlerFailingOnEveryFrameIsLoggedAtPowersOfTwoOfItsCount() throws Exception {
        RecordingLogger log = new RecordingLogger();
        ReceiveLoop l = new ReceiveLoop("test:v", "jtipc-test-rx-v", 100, 2, this::receive, () -> open, log);
        BlockingQueue<Integer> got = new LinkedBlockingQueue<>();
        l.start((src, frame, len) -> {
            if (len == 3) throw new IllegalArgumentException("malformed on purpose");
            got.add(len);
        }, null);
        for (int i = 0; i < 100; i++) script.add(new byte[3]);
        script.add(new byte[6]);
        assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo(6);
        assertThat(l.handlerFailures()).isEqualTo(100);
        assertThat(log.lines).hasSize(7); // 1, 2, 4, 8, 16, 32, 64
        assertThat(log.lines.get(6)).startsWith("WARN frame handler of test:v failed (64 so far)");
        l.stop(() -> script.add(Boolean.FALSE));
    }

    @Test
    void withoutAnErrorHandlerTheDeathIsLoggedAtErrorOnce() throws Exception {
        RecordingLogger log = new RecordingLogger();
        ReceiveLoop l = new ReceiveLoop("test:z", "jtipc-test-rx-z", 100, 2, this::receive, () -> open, log);
        l.start((src, frame, len) -> { }, null);
        script.add(new OutOfMemoryError("injected"));
        awaitDead(l);
        assertThat(l.isAlive()).isFalse();
        assertThat(log.lines).singleElement().asString().startsWith("ERROR receive thread of test:z died")
                .contains("OutOfMemoryError: injected");
        l.stop(() -> script.add(Boolean.FALSE));
    }
}
