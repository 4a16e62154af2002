package io.switchboard.integration;

import java.time.Duration;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.util.unit.DataSize;

/**
 * {@code switchboard.integrations.<id>.*}: every integration the server runs, keyed by its
 * kebab-case id. The cards come from {@code routes/<id>.card.yaml} ({@link CardFiles}) and from
 * config; in the dev profile {@link CardFiles} replaces them here when a card file changes, so
 * readers look them up each time rather than keep a copy.
 */
@ConfigurationProperties("switchboard")
public class IntegrationsProperties {

    private volatile Map<String, Integration> integrations;

    public IntegrationsProperties(Map<String, Integration> integrations) {
        this.integrations = copy(integrations);
    }

    private static Map<String, Integration> copy(Map<String, Integration> integrations) {
        return integrations == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(integrations));
    }

    public Map<String, Integration> integrations() {
        return integrations;
    }

    public Map<String, Integration> all() {
        return integrations;
    }

    public Optional<Integration> find(String id) {
        return Optional.ofNullable(integrations.get(id));
    }

    /** The cards as they are now bound, after a card file was added or changed. */
    void replace(Map<String, Integration> current) {
        this.integrations = copy(current);
    }

    /**
     * The integration a route belongs to: the one whose id is the route id, or the longest
     * id the route id starts with followed by a dash ({@code lead-intake-notify} belongs to
     * {@code lead-intake}).
     */
    public Optional<String> ownerOfRoute(String routeId) {
        if (routeId == null) {
            return Optional.empty();
        }
        return integrations.keySet().stream()
                .filter(id -> routeId.equals(id) || routeId.startsWith(id + "-"))
                .max(Comparator.comparingInt(String::length));
    }

    /**
     * One integration's settings. {@code settings} are the integration's own values (a cron, an
     * address, a threshold), kept beside its card and read in its route as
     * {@code {{switchboard.integrations.<id>.settings.<name>}}}. {@code source} is where a
     * trigger that reads a real system ({@code queue}) takes its messages from; {@code drill}
     * says what its reliability drill sends.
     */
    public record Integration(Trigger trigger, Card card, Webhook webhook, Inbox inbox,
            Map<String, String> contractExceptions, Subscription event, Map<String, String> settings, Source source,
            Drill drill) {

        @ConstructorBinding
        public Integration {
            settings = settings == null ? Map.of() : Map.copyOf(settings);
            webhook = webhook == null ? Webhook.DEFAULT : webhook;
            inbox = inbox == null ? Inbox.DEFAULT : inbox;
            contractExceptions = contractExceptions == null ? Map.of() : Map.copyOf(contractExceptions);
            drill = drill == null ? Drill.NONE : drill;
        }

        /** An integration without a source (webhook, schedule, api, event) and with the drill's defaults. */
        public Integration(Trigger trigger, Card card, Webhook webhook, Inbox inbox,
                Map<String, String> contractExceptions, Subscription event, Map<String, String> settings) {
            this(trigger, card, webhook, inbox, contractExceptions, event, settings, null, null);
        }
    }

    /**
     * What the integration's drill sends.
     *
     * @param examples payloads as JSON text, the first for the normal case (the others derive from
     *                 it): one that reaches the route's calls, with {@code {drill}} where the
     *                 drill's marker goes (the business key, a text the effects echo). Without
     *                 one, the drill generates a payload from the schema.
     */
    public record Drill(List<String> examples) {

        static final Drill NONE = new Drill(null);

        public Drill {
            examples = examples == null ? List.of() : List.copyOf(examples);
        }
    }

    /**
     * Where a trigger reading a real system takes its events from.
     *
     * @param connection the connection under {@code switchboard.connections} of the trigger's kind
     *                   ({@code amqp}, {@code mqtt} or {@code nats} for a queue, {@code jdbc} for an
     *                   outbox, {@code mail} for a mailbox, {@code file} for a folder)
     * @param queue      trigger {@code queue} on amqp: the queue to consume (it must exist; the platform declares nothing)
     * @param topic      trigger {@code queue} on mqtt: the topic filter; on nats: the subject
     * @param table      trigger {@code outbox}: the outbox table (default {@code outbox})
     * @param folder     trigger {@code mailbox}: the IMAP folder (default {@code INBOX}); trigger
     *                   {@code file}: a folder under the connection's path (default: the path itself)
     * @param include    trigger {@code file}: which file names to take, a regular expression (default: all)
     * @param batch      trigger {@code queue} on amqp: the most messages stored in one commit
     *                   (default {@value #DEFAULT_BATCH}): those already waiting when the consumer
     *                   asks, so a busy queue is not held to one commit's latency per message
     */
    public record Source(String connection, String queue, String topic, String table, String folder,
            String include, int batch) {

        public static final int DEFAULT_BATCH = 64;

        @ConstructorBinding
        public Source {
            batch = batch <= 0 ? DEFAULT_BATCH : batch;
        }

        /** A source with the default batch. */
        public Source(String connection, String queue, String topic, String table, String folder, String include) {
            this(connection, queue, topic, table, folder, include, 0);
        }

        /** A queue source. */
        public Source(String connection, String queue) {
            this(connection, queue, null, null, null, null);
        }
    }

    /**
     * The failure plan a person reads in the console: what it needs, who owns it, how fast it must be.
     *
     * @param expectedInterval at least one event this often, else the integration is "silent"
     * @param latencyBudget    an event waiting longer than this breaches the SLA
     */
    public record Card(String description, String data, String sourceOfTruth, Map<String, List<String>> scopes,
            String timing, Duration expectedInterval, Duration latencyBudget, String owner, String alertChannel) {

        public Card {
            scopes = scopes == null ? Map.of() : Map.copyOf(scopes);
        }
    }

    /**
     * Webhook ingress: how senders authenticate and what they may send.
     *
     * @param auth          {@code standard-webhooks}, {@code github}, {@code stripe} or {@code api-key}
     * @param secret        one or more secrets, several at once while rotating
     * @param apiKeyHeader  header carrying the key when {@code auth} is {@code api-key}
     * @param maxBodySize   larger bodies are refused while reading, with 413
     * @param tolerance     how far a signed timestamp may be from now, either way
     * @param rateLimit     accepted requests per second (429 beyond), {@code 0} for no limit
     */
    public record Webhook(String auth, List<String> secret, String apiKeyHeader, DataSize maxBodySize,
            Duration tolerance, int rateLimit) {

        static final Webhook DEFAULT = new Webhook(null, null, null, null, null, 0);

        public Webhook {
            secret = secret == null ? List.of() : secret.stream().filter(s -> s != null && !s.isBlank()).toList();
            apiKeyHeader = apiKeyHeader == null ? "X-Api-Key" : apiKeyHeader;
            maxBodySize = maxBodySize == null ? DataSize.ofMegabytes(1) : maxBodySize;
            tolerance = tolerance == null ? Duration.ofMinutes(5) : tolerance;
        }
    }

    /**
     * For trigger {@code event}: the internal event it listens to, and how long after the
     * event it runs (the wait is kept in the inbox, so a restart does not lose it).
     */
    public record Subscription(String name, Duration delay) {
        public Subscription {
            delay = delay == null ? Duration.ZERO : delay;
        }
    }

    /**
     * How the inbox hands events to the route.
     *
     * @param concurrency  events of this integration processed at once on each node
     * @param lease        how long a claimed event is reserved; a node that dies frees it after this
     * @param maxAttempts  attempts before the event is parked as {@code DEAD}
     * @param retryDelay   first retry delay, doubled per attempt with jitter
     * @param maxRetryDelay the longest wait between two attempts
     */
    public record Inbox(int concurrency, Duration lease, int maxAttempts, Duration retryDelay, Duration maxRetryDelay) {

        public static final Inbox DEFAULT = new Inbox(0, null, 0, null, null);

        public Inbox {
            concurrency = concurrency <= 0 ? 2 : concurrency;
            lease = lease == null ? Duration.ofMinutes(2) : lease;
            maxAttempts = maxAttempts <= 0 ? 10 : maxAttempts;
            retryDelay = retryDelay == null ? Duration.ofSeconds(1) : retryDelay;
            maxRetryDelay = maxRetryDelay == null ? Duration.ofHours(1) : maxRetryDelay;
        }
    }
}
