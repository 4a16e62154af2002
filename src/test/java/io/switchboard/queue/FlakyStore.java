package io.switchboard.queue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An inbox stand-in that refuses the next {@code n} commits as a database outage does, and
 * records every attempt and what it committed (a repeated delivery id counts, it does not store twice).
 */
final class FlakyStore implements QueueConsumer.Store {

    final List<Long> attemptsAt = new CopyOnWriteArrayList<>();
    final Map<String, String> stored = new ConcurrentHashMap<>();
    final Map<String, String> headers = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile Runnable afterNextCommit;

    void failNext(int commits) {
        failuresLeft.set(commits);
    }

    /** Runs once right after the next commit, before the consumer can acknowledge (a crash, a cut). */
    void afterNextCommit(Runnable action) {
        afterNextCommit = action;
    }

    @Override
    public void accept(String integration, String deliveryId, byte[] body, String contentType, String headerJson) {
        attemptsAt.add(System.nanoTime());
        if (failuresLeft.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            throw new IllegalStateException("database unavailable");
        }
        stored.putIfAbsent(deliveryId, new String(body, StandardCharsets.UTF_8));
        headers.putIfAbsent(deliveryId, headerJson);
        deliveries.computeIfAbsent(deliveryId, id -> new AtomicInteger()).incrementAndGet();
        Runnable action = afterNextCommit;
        afterNextCommit = null;
        if (action != null) {
            action.run();
        }
    }

    /** The delivery id under which a body was stored. */
    String idOf(String body) {
        return stored.entrySet().stream().filter(entry -> entry.getValue().equals(body)).map(Map.Entry::getKey)
                .findFirst().orElseThrow();
    }
}
