package io.switchboard.storage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.transaction.TransactionTimedOutException;

/**
 * The machinery of a group commit: callers hand in an item and wait; writer threads take
 * whatever has queued up meanwhile (up to a batch), write it in one transaction and answer
 * every caller once that transaction is committed. What a batch is and how it is written is
 * the subclass's ({@link GroupCommit} for processing, the inbox's writer for webhooks).
 *
 * @param <T> what a caller hands in
 * @param <R> what it gets back once committed
 */
public abstract class BatchingWriter<T, R> implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(BatchingWriter.class);

    /** An item handed in, and its caller waiting for the commit that holds it. */
    public record Pending<T, R>(T item, CompletableFuture<R> done) {
    }

    private final String threadName;
    private final int writers;
    private final int maxBatch;
    private final Duration timeout;
    private final BlockingQueue<Pending<T, R>> queue = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    protected BatchingWriter(String threadName, String settings, int writers, int maxBatch, Duration timeout) {
        if (writers < 1 || maxBatch < 1) {
            throw new IllegalArgumentException(settings + ".writers and .max-batch must be at least 1 (were " + writers
                    + " and " + maxBatch + ")");
        }
        this.threadName = threadName;
        this.writers = writers;
        this.maxBatch = maxBatch;
        this.timeout = timeout;
    }

    /** Writes the batch and completes every caller's future, each with its result or its failure. */
    protected abstract void write(List<Pending<T, R>> batch);

    /** Writes one item in a transaction of its own: while stopped, and for a batch that failed. */
    protected abstract R alone(T item);

    /**
     * Hands the item in and returns once it is committed; throws what writing it threw, or a
     * {@link TransactionTimedOutException} when no writer took it within the timeout (then it
     * is certainly not written). Once a writer has taken it, the caller waits for that
     * transaction's outcome.
     */
    protected final R submit(T item) {
        if (!running) {
            return alone(item);
        }
        Pending<T, R> pending = new Pending<>(item, new CompletableFuture<>());
        queue.add(pending);
        if (!running && queue.remove(pending)) {
            // Stopped meanwhile, and the writers may have left: no one else will take it.
            return alone(item);
        }
        try {
            try {
                return pending.done().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException slow) {
                if (queue.remove(pending)) {
                    // Never taken by a writer: certainly not stored, and now never will be.
                    throw new TransactionTimedOutException("not committed within " + timeout
                            + " (the database is slow or away); nothing was written");
                }
                // A writer has it in a transaction: its outcome decides, as a write of the
                // caller's own would, however long the database takes. Giving up here would
                // leave a write that may still commit after the caller was told it failed.
                return pending.done().get();
            }
        } catch (ExecutionException failed) {
            if (failed.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(failed.getCause());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new TransactionTimedOutException("interrupted while waiting for the commit");
        }
    }

    /** Answers the caller with {@link #alone}'s result or failure. */
    protected final void answerAlone(Pending<T, R> pending) {
        try {
            pending.done().complete(alone(pending.item()));
        } catch (RuntimeException failed) {
            pending.done().completeExceptionally(failed);
        }
    }

    private void writeLoop() {
        List<Pending<T, R>> batch = new ArrayList<>(maxBatch);
        while (running || !queue.isEmpty()) {
            try {
                Pending<T, R> first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                write(batch);
            } catch (InterruptedException stop) {
                if (!running) {
                    break;
                }
            } catch (RuntimeException | Error unexpected) {
                log.error("{}: a batch failed unexpectedly; its {} callers get an error", threadName, batch.size(),
                        unexpected);
                batch.forEach(p -> p.done().completeExceptionally(
                        new TransactionTimedOutException("group commit failed: " + unexpected)));
            } finally {
                batch.clear();
            }
        }
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        for (int i = 0; i < writers; i++) {
            Thread thread = new Thread(this::writeLoop, threadName + "-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    @Override
    public synchronized void stop() {
        // Items still waiting are written before the threads end (the loop drains the queue).
        running = false;
        for (Thread thread : threads) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        threads.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * Starts before the web server and Camel's routes and stops after them, so every item
     * they hand in gets its commit.
     */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }
}
