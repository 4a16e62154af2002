package io.switchboard.outbox;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

import org.springframework.core.task.AsyncTaskExecutor;

/**
 * The "bootstrap executor" of an outbox table's entity manager factory that runs nothing until
 * the factory is first used: Spring hands out the factory's proxy at once and asks this future
 * for Hibernate's factory at the first call, which then builds it on the calling thread.
 * <p>
 * Why: Hibernate loads some 5,000 classes (about 30 MB of metaspace) when it builds a factory.
 * A server whose outbox table does not exist yet, or whose business database is down, never
 * pays for them; {@link OutboxTableWatch} keeps the consumer from polling until the table is there.
 */
final class BuildOnFirstUse implements AsyncTaskExecutor {

    private volatile FutureTask<?> task;

    @Override
    public <T> Future<T> submit(Callable<T> build) {
        FutureTask<T> onFirstGet = new FutureTask<>(build) {
            @Override
            public T get() throws InterruptedException, ExecutionException {
                // A no-op once it ran (or while another thread runs it: then get() waits for it).
                run();
                return super.get();
            }
        };
        task = onFirstGet;
        return onFirstGet;
    }

    @Override
    public void execute(Runnable work) {
        work.run();
    }

    /** Whether the factory was built (or its build started): only then is there anything to close. */
    boolean used() {
        FutureTask<?> current = task;
        return current != null && current.isDone();
    }
}
