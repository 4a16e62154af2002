package io.switchboard.storage;

/**
 * A write handed to a group commit whose outcome the caller collects later, so that it can
 * do other work while the commit runs.
 *
 * @param <R> what the write gives back once committed
 */
@FunctionalInterface
public interface PendingCommit<R> {

    /** Nothing to wait for. */
    PendingCommit<Void> NONE = () -> null;

    /**
     * Waits until the write is committed and returns its result; throws what writing it
     * threw, as a write that was waited for at once would.
     */
    R await();
}
