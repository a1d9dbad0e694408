package io.jtipc.api;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The asynchronous consumers of one {@link TipcSocket}'s receive queue: the futures of
 * {@link TipcSocket#receiveAsync()} or the listener of {@link TipcSocket#setMessageListener}, fed by one dispatch task
 * at a time on their executor (never on a bearer's receive thread nor under the node's core lock), in arrival order.
 * Messages wait in the socket's queue ({@link SocketRxQueue}) until a consumer takes them, so the socket's receive
 * limit applies to them as to a blocking reader.
 */
final class SocketDispatch {
    private final TipcSocket s;
    /** Guards {@link #pendingReceives}, {@link #listener}, {@link #listenerExecutor}. */
    private final Object lock = new Object();
    private final ArrayDeque<CompletableFuture<TipcMessage>> pendingReceives = new ArrayDeque<>();
    private Consumer<TipcMessage> listener;
    private Executor listenerExecutor;
    /** True while a dispatch task is submitted or running: at most one at a time, so messages stay in order. */
    private final AtomicBoolean dispatching = new AtomicBoolean();
    /** Listener invocations that threw (the message counts as delivered; the next ones still are). */
    final AtomicLong listenerErrors = new AtomicLong();
    /** A message whose future was cancelled as it was handed over; only the dispatch task touches it. */
    private volatile TipcMessage carried;
    /** Whether the one dispatch task has work: a listener, or a future waiting while a message is queued. */
    private volatile boolean asyncConsumers;

    SocketDispatch(TipcSocket s) {
        this.s = s;
    }

    /** Whether a listener or a waiting future may take a newly queued message ({@link #schedule()} then). */
    boolean active() {
        return asyncConsumers;
    }

    /** 1 if a message is held for the next future (its own was cancelled as it was handed over), else 0. */
    int carriedCount() {
        return carried != null ? 1 : 0;
    }

    /** See {@link TipcSocket#receiveAsync()}. */
    CompletableFuture<TipcMessage> receiveAsync() {
        CompletableFuture<TipcMessage> f = new CompletableFuture<>();
        synchronized (lock) {
            if (listener != null) throw new IllegalStateException("a message listener is set");
            if (s.isClosed()) {
                f.completeExceptionally(s.closedException());
                return f;
            }
            pendingReceives.removeIf(CompletableFuture::isDone);
            if (pendingReceives.size() >= TipcSocket.MAX_PENDING_RECEIVES) {
                f.completeExceptionally(new TipcException(TipcError.EAGAIN, "socket " + Integer.toUnsignedString(s.port())
                        + ": " + TipcSocket.MAX_PENDING_RECEIVES + " receiveAsync futures outstanding"));
                return f;
            }
            pendingReceives.add(f);
            asyncConsumers = true;
        }
        if (!s.rx.isEmpty() || carried != null) schedule();
        return f;
    }

    /** See {@link TipcSocket#setMessageListener}; the caller checked the socket is open. */
    void setListener(Consumer<TipcMessage> listener, Executor executor) {
        synchronized (lock) {
            pendingReceives.removeIf(CompletableFuture::isDone);
            if (listener != null && !pendingReceives.isEmpty()) {
                throw new IllegalStateException(pendingReceives.size() + " receiveAsync futures outstanding");
            }
            this.listener = listener;
            this.listenerExecutor = listener == null ? null : Objects.requireNonNull(executor, "executor");
            asyncConsumers = listener != null || !pendingReceives.isEmpty();
        }
        if (listener != null && !s.rx.isEmpty()) schedule();
    }

    /** @throws IllegalStateException a message listener is set (the blocking and non-blocking receives) */
    void checkNoListener() {
        synchronized (lock) {
            if (listener != null) throw new IllegalStateException("a message listener is set");
        }
    }

    /** Submits the dispatch task unless one is submitted or running. Any thread, also under the core lock. */
    void schedule() {
        if (!dispatching.compareAndSet(false, true)) return;
        Executor ex;
        synchronized (lock) {
            ex = listener != null ? listenerExecutor : TipcSocket.ASYNC_EXECUTOR;
        }
        try {
            ex.execute(this::dispatch);
        } catch (RejectedExecutionException e) {
            // the caller's executor is shut down: the messages stay queued for the next consumer
            dispatching.set(false);
        }
    }

    /** The one dispatch task: pairs queued messages with futures, or feeds the listener, then resubmits if needed. */
    private void dispatch() {
        try {
            for (int n = 0; n < TipcSocket.LISTENER_BATCH; n++) {
                Consumer<TipcMessage> l;
                CompletableFuture<TipcMessage> f = null;
                synchronized (lock) {
                    l = listener;
                    if (l == null) {
                        while (!pendingReceives.isEmpty() && pendingReceives.peek().isDone()) pendingReceives.poll();
                        if (pendingReceives.isEmpty()) break;
                        f = pendingReceives.peek();
                    }
                }
                if (l == null && carried != null) {
                    synchronized (lock) {
                        if (pendingReceives.peek() != f) continue;
                        pendingReceives.poll();
                    }
                    TipcMessage c = carried;
                    carried = null;
                    if (!f.complete(c)) carried = c;
                    continue;
                }
                if (s.rx.isEmpty()) break;
                if (l != null) {
                    TipcMessage m = s.rx.pollMessage();
                    if (m == null) break;
                    s.taken(m);
                    try {
                        l.accept(m);
                    } catch (Throwable t) {
                        listenerErrors.incrementAndGet();
                    }
                } else {
                    synchronized (lock) {
                        if (pendingReceives.peek() != f || f.isDone()) continue;
                        pendingReceives.poll();
                    }
                    TipcMessage msg = s.rx.pollMessage();
                    if (msg == null) {
                        // a concurrent blocking receive took it: keep the future for the next message
                        synchronized (lock) {
                            pendingReceives.addFirst(f);
                        }
                        break;
                    }
                    s.taken(msg);
                    // this task runs on ASYNC_EXECUTOR, so dependent stages run here, not under the core lock
                    while (!f.complete(msg)) {
                        // cancelled meanwhile: the next outstanding future takes it (or the next one asked for)
                        synchronized (lock) {
                            f = pendingReceives.poll();
                            if (f == null) {
                                carried = msg;
                                break;
                            }
                        }
                    }
                }
            }
        } finally {
            dispatching.set(false);
        }
        boolean more;
        synchronized (lock) {
            more = (listener != null || !pendingReceives.isEmpty()) && !s.rx.isEmpty();
        }
        if (more) schedule();
    }

    /** The socket or its node closed: the futures fail (on {@link TipcSocket#ASYNC_EXECUTOR}), the listener goes. */
    void failPending() {
        java.util.List<CompletableFuture<TipcMessage>> fs;
        synchronized (lock) {
            fs = new java.util.ArrayList<>(pendingReceives);
            pendingReceives.clear();
            listener = null;
            listenerExecutor = null;
            asyncConsumers = false;
        }
        if (fs.isEmpty()) return;
        TipcException e = s.closedException();
        TipcSocket.ASYNC_EXECUTOR.execute(() -> fs.forEach(f -> f.completeExceptionally(e)));
    }
}
