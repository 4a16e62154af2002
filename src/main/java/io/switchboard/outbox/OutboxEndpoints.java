package io.switchboard.outbox;

import java.time.Duration;

import org.apache.camel.CamelContext;
import org.apache.camel.component.jpa.JpaComponent;
import org.apache.camel.component.jpa.JpaEndpoint;

/**
 * The Camel JPA endpoint that polls one outbox table: its pending rows oldest first, locked with
 * SKIP LOCKED ({@link OutboxEvent#PENDING}), each marked by {@link OutboxEvent#consumed()} only when
 * its exchange ended without an exception. Built with setters rather than a URI, on the table's own
 * entity manager factory and transactions, so nothing is looked up in the registry (Camel JPA would
 * otherwise take the platform's only transaction manager).
 */
final class OutboxEndpoints {

    private OutboxEndpoints() {
    }

    static JpaEndpoint endpoint(CamelContext camel, String connectionName, String table, OutboxDatabases.Table reader,
            OutboxTableWatch watch, int batchSize, Duration delay) {
        JpaComponent component = new JpaComponent();
        component.setCamelContext(camel);
        component.setEntityManagerFactory(reader.entityManagerFactory());
        component.setTransactionStrategy(reader);
        String unit = "outbox-" + connectionName + "-" + table;
        // The persistence unit only names the connection and table in the URI (Hawtio shows it).
        JpaEndpoint endpoint = new JpaEndpoint("jpa:" + OutboxEvent.class.getName() + "?persistenceUnit=" + unit,
                component);
        endpoint.setEntityType(OutboxEvent.class);
        endpoint.setPersistenceUnit(unit);
        endpoint.setEntityManagerFactory(reader.entityManagerFactory());
        endpoint.setTransactionStrategy(reader);
        // The transaction's own entity manager (one connection per poll), not a second one joining it.
        endpoint.setSharedEntityManager(true);
        endpoint.setJoinTransaction(false);
        endpoint.setNamedQuery(OutboxEvent.PENDING);
        endpoint.setMaximumResults(batchSize);
        endpoint.setConsumeDelete(false);
        endpoint.setConsumeLockEntity(true);
        endpoint.setSkipLockedEntity(true);
        // Not transacted: when a row fails, JpaConsumer ends the poll and commits what came before it
        // (those rows' events are stored and they are marked); the failed row and the rest stay.
        endpoint.setTransacted(false);
        endpoint.setDelay(delay.toMillis());
        // A full batch is followed by the next at once, so a backlog drains without waiting for the delay.
        endpoint.setGreedy(true);
        // No poll before the table answers, and one log line per spell of failures, not one per poll.
        endpoint.setPollStrategy(watch);
        // The business database failing during polls: after three failed polls in a row, skip the next ten.
        endpoint.setBackoffErrorThreshold(3);
        endpoint.setBackoffMultiplier(10);
        return endpoint;
    }
}
