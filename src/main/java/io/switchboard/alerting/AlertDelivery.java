package io.switchboard.alerting;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.switchboard.integration.IntegrationsProperties;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Sends alerts to the channels that should hear them, on a thread of its own with a
 * bounded queue: a channel that is slow or down delays only other alerts, never an event.
 * The log always hears; chat and e-mail as the integration's card says (or the default
 * channels for alerts that concern no integration).
 */
@Component
public class AlertDelivery {

    private static final Logger log = LoggerFactory.getLogger(AlertDelivery.class);

    private final List<AlertSink> sinks;
    private final IntegrationsProperties integrations;
    private final AlertingProperties properties;
    private final Executor executor;

    @Autowired
    public AlertDelivery(List<AlertSink> sinks, IntegrationsProperties integrations, AlertingProperties properties) {
        this(sinks, integrations, properties, new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(1000), runnable -> {
                    Thread thread = new Thread(runnable, "alert-delivery");
                    thread.setDaemon(true);
                    return thread;
                }, (rejected, pool) -> log.error("alert queue full: an alert was dropped (the log above still has it)")));
    }

    /** With a given executor; tests pass {@code Runnable::run} to deliver on the calling thread. */
    AlertDelivery(List<AlertSink> sinks, IntegrationsProperties integrations, AlertingProperties properties,
            Executor executor) {
        this.sinks = List.copyOf(sinks);
        this.integrations = integrations;
        this.properties = properties;
        this.executor = executor;
    }

    void raised(Alert alert) {
        send(alert, sink -> sink.raised(alert));
    }

    void reminded(Alert alert) {
        send(alert, sink -> sink.reminded(alert));
    }

    void resolved(Alert alert) {
        send(alert, sink -> sink.resolved(alert));
    }

    private void send(Alert alert, Consumer<AlertSink> action) {
        List<String> channels = channelsFor(alert);
        for (AlertSink sink : sinks) {
            if (!channels.contains(sink.channel())) {
                continue;
            }
            executor.execute(() -> {
                try {
                    action.accept(sink);
                } catch (RuntimeException e) {
                    // One broken channel must not hide the alert from the others.
                    log.warn("alert channel {} failed for {}: {}", sink.channel(), alert.key(), e.toString());
                }
            });
        }
    }

    List<String> channelsFor(Alert alert) {
        List<String> channels = new ArrayList<>();
        channels.add("log");
        List<String> wanted = properties.defaultChannels();
        if (alert.integration() != null) {
            wanted = integrations.find(alert.integration())
                    .map(IntegrationsProperties.Integration::card)
                    .map(IntegrationsProperties.Card::alertChannel)
                    .map(value -> List.of(value.split("\\s*,\\s*")))
                    .orElse(properties.defaultChannels());
        }
        wanted.forEach(channel -> channels.add(channel.trim().toLowerCase(Locale.ROOT)));
        return channels;
    }

    /** Waits until queued alerts are sent (tests, shutdown). */
    public void drain(long timeoutMillis) throws InterruptedException {
        if (!(executor instanceof ThreadPoolExecutor pool)) {
            return;
        }
        long end = System.currentTimeMillis() + timeoutMillis;
        while ((pool.getActiveCount() > 0 || !pool.getQueue().isEmpty()) && System.currentTimeMillis() < end) {
            Thread.sleep(20);
        }
    }

    @PreDestroy
    void stop() throws InterruptedException {
        if (executor instanceof ThreadPoolExecutor pool) {
            pool.shutdown();
            pool.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
