package io.switchboard.schedule;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One run of a scheduled sync while it is going: where it started, how far it has got and
 * what it did. Kept in an exchange property ({@link #PROPERTY}); split and multicast copies
 * of the exchange share this same object, so their counts add up.
 */
public final class SyncRun {

    /** The exchange property holding the run. */
    public static final String PROPERTY = "SwitchboardSyncRun";

    private final String id;
    private final String integration;
    private final Instant startedAt;
    private final Instant since;
    private final long startedNanos = System.nanoTime();
    private volatile long pageStartedNanos = startedNanos;
    private final AtomicInteger pages = new AtomicInteger();
    private final AtomicInteger records = new AtomicInteger();
    private final AtomicInteger upserted = new AtomicInteger();
    private final AtomicInteger pageUpserted = new AtomicInteger();
    private volatile Instant watermark;
    private volatile boolean finished;
    private final boolean test;

    SyncRun(String id, String integration, Instant startedAt, Instant since) {
        this(id, integration, startedAt, since, false);
    }

    SyncRun(String id, String integration, Instant startedAt, Instant since, boolean test) {
        this.id = id;
        this.integration = integration;
        this.startedAt = startedAt;
        this.since = since;
        this.watermark = since;
        this.test = test;
    }

    /** A drill's run (a test event): it syncs like any run but leaves the schedule's live times alone. */
    public boolean test() {
        return test;
    }

    public String id() {
        return id;
    }

    public String integration() {
        return integration;
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** The watermark the run started from: it asks for records changed at or after it ({@code null}: everything). */
    public Instant since() {
        return since;
    }

    /** The watermark as far as this run has stored pages. */
    public Instant watermark() {
        return watermark;
    }

    public int pages() {
        return pages.get();
    }

    public int records() {
        return records.get();
    }

    public int upserted() {
        return upserted.get();
    }

    /** Counts one record written to the target (a record skipped as a duplicate is not counted). */
    public void countUpsert() {
        countUpserts(1);
    }

    /** Counts the records one batch call wrote to the target (duplicates skipped before the call are not counted). */
    public void countUpserts(int records) {
        upserted.addAndGet(records);
        pageUpserted.addAndGet(records);
    }

    boolean finished() {
        return finished;
    }

    long elapsedMs() {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    /** Milliseconds since the previous page was booked (or since the run began). */
    long pageMs() {
        return (System.nanoTime() - pageStartedNanos) / 1_000_000;
    }

    /** Books a finished page and returns how many of its records were written. */
    int pageDone(int pageRecords, Instant pageWatermark) {
        pageStartedNanos = System.nanoTime();
        pages.incrementAndGet();
        records.addAndGet(pageRecords);
        if (pageWatermark != null && (watermark == null || pageWatermark.isAfter(watermark))) {
            watermark = pageWatermark;
        }
        return pageUpserted.getAndSet(0);
    }

    void markFinished() {
        finished = true;
    }
}
