package io.switchboard.drill;

import java.time.Duration;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.connect.NatsOptions;

/**
 * A nats connection's double: its own server under the subject prefix
 * {@code switchboard-drill.<marker>.<connection>.}, a subscriber to {@code <prefix>.>} counting
 * what arrives ({@link TopicPrefixDouble}). The calls publish there without JetStream: no stream
 * captures the prefix.
 */
final class PrefixedNatsSubjects extends TopicPrefixDouble {

    private final String url;
    private final Connection subscriber;
    private Dispatcher dispatcher;

    private PrefixedNatsSubjects(String connection, String prefix, TcpFaultProxy proxy, String url,
            Connection subscriber) {
        super(connection, prefix, ".", proxy);
        this.url = url;
        this.subscriber = subscriber;
    }

    static PrefixedNatsSubjects start(String connection, ConnectionsProperties.Connection settings, String marker) {
        String prefix = "switchboard-drill." + marker + "." + connection.replaceAll("[^A-Za-z0-9_-]", "_");
        TcpFaultProxy proxy = null;
        Connection subscriber = null;
        try {
            proxy = proxyFor(settings.url(), 4222);
            subscriber = Nats.connect(NatsOptions.of(settings, settings.url(), "switchboard-drill-" + connection).build());
            PrefixedNatsSubjects started = new PrefixedNatsSubjects(connection, prefix, proxy,
                    throughProxy(settings.url(), proxy), subscriber);
            started.dispatcher = subscriber.createDispatcher(message -> started.arrived(message.getSubject(),
                    message.hasHeaders() ? message.getHeaders().getFirst("Nats-Msg-Id") : null, message.getData()));
            started.dispatcher.subscribe(prefix + ".>");
            // The subscription is the server's before the first call publishes.
            subscriber.flush(Duration.ofSeconds(5));
            return started;
        } catch (Exception broken) {
            if (proxy != null) {
                proxy.close();
            }
            NatsOptions.closeQuietly(subscriber);
            throw new IllegalStateException("the NATS double (a subject prefix on the connection's server) for "
                    + "connection " + connection + " could not start: " + broken.getMessage(), broken);
        }
    }

    @Override
    String throughProxyUrl() {
        return url;
    }

    @Override
    void publishSettled(String subject) {
        subscriber.publish(subject, new byte[0]);
    }

    @Override
    public String describe() {
        return "the connection's own NATS server under the subject prefix " + prefix + "., which nothing else "
                + "publishes to or reads";
    }

    @Override
    public void close() {
        proxy.close();
        if (dispatcher != null) {
            dispatcher.unsubscribe(prefix + ".>");
        }
        NatsOptions.closeQuietly(subscriber);
    }
}
