package io.switchboard.outbox;

import java.time.Duration;
import java.util.EnumSet;
import java.util.regex.Pattern;

import io.switchboard.connect.ConnectionsProperties;
import io.switchboard.connect.ConnectionsProperties.Connection;
import io.switchboard.connect.ConnectionsProperties.ConnectionKind;
import io.switchboard.inbox.InboxSignal;
import io.switchboard.inbox.InboxStore;
import io.switchboard.integration.IntegrationsProperties;
import io.switchboard.integration.IntegrationsProperties.Integration;
import io.switchboard.integration.Trigger;
import io.switchboard.source.SourceIntake;
import io.switchboard.source.SourceOutages;
import io.switchboard.source.SourcePause;
import io.switchboard.source.SourceTriggers;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The source route of every integration with {@code trigger: outbox}: {@code source-<id>} polls
 * the outbox table its card names on a {@code jdbc} connection with Camel JPA's consumer and stores
 * each row as one event ({@link SourceIntake}); the route the integration's author writes starts
 * at {@code inbox:<id>} as for any trigger.
 * <p>
 * A row is marked processed ({@link OutboxEvent#consumed()}) in the consumer's transaction on the
 * business database, which commits only after the inbox commit: the consumer runs the mark only
 * for an exchange that ended without an exception. So this route has no error handler (the
 * shared dead-letter channel would swallow a failed store and the row would be marked without an
 * event); a failed store pauses it instead ({@link SourcePause}). Rows are read with
 * {@code FOR UPDATE SKIP LOCKED}, so several nodes share a table without taking a row twice.
 * <p>
 * Checked at start: an outbox card names a jdbc connection with a url, and a plain table name. A
 * card added or removed while the server runs starts or stops its route ({@link SourceTriggers}).
 * {@code switchboard.outbox.enabled: false} keeps this node off the business databases.
 */
@Component
class OutboxTriggers extends SourceTriggers implements DisposableBean {

    /** An unquoted SQL identifier: nothing that could change a query. */
    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    static final String DEFAULT_TABLE = "outbox";

    private final IntegrationsProperties integrations;
    private final ConnectionsProperties connections;
    private final Duration delay;
    private final int batchSize;
    private final Duration backOff;
    private final OutboxDatabases databases = new OutboxDatabases();

    OutboxTriggers(IntegrationsProperties integrations, ConnectionsProperties connections, InboxStore inbox,
            InboxSignal signal, SourceOutages outages, @Value("${switchboard.outbox.enabled:true}") boolean enabled,
            @Value("${switchboard.outbox.delay:1s}") Duration delay,
            @Value("${switchboard.outbox.batch-size:50}") int batchSize,
            @Value("${switchboard.outbox.back-off:5s}") Duration backOff) {
        super(integrations, Trigger.OUTBOX, enabled, inbox, signal, outages);
        this.integrations = integrations;
        this.connections = connections;
        this.delay = delay;
        this.batchSize = batchSize;
        this.backOff = backOff;
        checkCards();
    }

    @Override
    protected void check(String id, Integration integration) {
        check(id, integration, connections);
    }

    static void check(String id, Integration integration, ConnectionsProperties connections) {
        if (integration.trigger() != Trigger.OUTBOX) {
            return;
        }
        String at = "switchboard.integrations." + id + ".source";
        Connection connection = connectionOf(id, integration, connections, EnumSet.of(ConnectionKind.JDBC),
                "{connection: <a jdbc connection>, table: <the outbox table, default outbox>}",
                "kind: jdbc, url: jdbc:...");
        if (blank(connection.url()) || !connection.url().startsWith("jdbc:")) {
            throw new IllegalStateException("switchboard.connections." + integration.source().connection()
                    + ".url must be a JDBC URL "
                    + "(jdbc:postgresql://host:5432/shop, jdbc:mariadb://host:3306/shop, ...) for the outbox of " + id);
        }
        String table = table(integration);
        if (!TABLE.matcher(table).matches()) {
            throw new IllegalStateException(at + ".table '" + table + "' is not a plain table name (letters, digits "
                    + "and _, not starting with a digit); point the connection's url at the schema instead");
        }
    }

    static String table(Integration integration) {
        String table = integration.source().table();
        return blank(table) ? DEFAULT_TABLE : table;
    }

    /**
     * The route {@code source-<id>}: Camel JPA's consumer on the card's outbox table, on the
     * connection's pool (one connection per route reading it, plus one; a pool made before a card
     * was added while the server runs keeps its size).
     */
    @Override
    protected void source(RouteBuilder routes, String id, Integration integration) {
        String connectionName = integration.source().connection();
        String table = table(integration);
        long readers = integrations.all().values().stream()
                .filter(other -> other.trigger() == Trigger.OUTBOX
                        && connectionName.equals(other.source().connection()))
                .count();
        OutboxDatabases.Table reader = databases.table(connectionName, connections.connections().get(connectionName),
                table, (int) readers + 1);
        OutboxTableWatch watch = new OutboxTableWatch(id, connectionName, table, reader.database());
        routes.from(OutboxEndpoints.endpoint(routes.getContext(), connectionName, table, reader, watch, batchSize,
                delay))
                .routeId(sourceRouteId(id))
                .routeDescription("Rows of " + connectionName + "'s " + table + " table into the inbox of " + id)
                .routePolicy(SourcePause.after(backOff))
                .process(new OutboxRows())
                .process(intake(id, exchange -> OutboxRows.deliveryId(table, exchange), OutboxRows::headers));
    }

    /** {@code source-<id>}: a platform route, in no integration's name, so the route contract leaves it be. */
    static String sourceRouteId(String integration) {
        return "source-" + integration;
    }

    @Override
    public void destroy() {
        databases.close();
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
