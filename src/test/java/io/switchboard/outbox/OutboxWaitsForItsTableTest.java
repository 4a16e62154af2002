package io.switchboard.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.DriverManager;
import java.util.UUID;

import io.switchboard.connect.ConnectionsProperties.Connection;
import io.switchboard.connect.ConnectionsProperties.ConnectionKind;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An outbox whose table is not there yet costs nothing: no poll runs and Hibernate is not built
 * until the table answers; then polls run without asking first, until one fails.
 */
class OutboxWaitsForItsTableTest {

    private final String url = "jdbc:h2:mem:outbox-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    private final OutboxDatabases databases = new OutboxDatabases();

    @AfterEach
    void close() throws Exception {
        databases.close();
        try (var connection = DriverManager.getConnection(url, "shop", "")) {
            connection.createStatement().execute("shutdown");
        }
    }

    @Test
    void noPollAndNoHibernateUntilTheTableExists() throws Exception {
        OutboxDatabases.Table reader = databases.table("shop-db", jdbc(url), "outbox", 2);
        OutboxTableWatch watch = new OutboxTableWatch("shop-outbox", "shop-db", "outbox", reader.database());

        assertThat(watch.begin(null, null)).as("a poll without its table").isFalse();
        assertThat(watch.begin(null, null)).isFalse();
        assertThat(databases.built("shop-db", "outbox")).as("Hibernate built for a missing table").isFalse();

        try (var connection = reader.database().getConnection()) {
            connection.createStatement().execute("create table outbox (id varchar(64) primary key, aggregatetype "
                    + "varchar(255), aggregateid varchar(255), type varchar(255), payload varchar(4000), "
                    + "created_at timestamp, processed_at timestamp)");
        }
        assertThat(watch.begin(null, null)).as("a poll once the table answers").isTrue();
        assertThat(watch.ready()).isTrue();

        EntityManager entityManager = reader.entityManagerFactory().createEntityManager();
        try {
            assertThat(entityManager.createQuery("select count(e) from OutboxEvent e", Long.class).getSingleResult())
                    .isZero();
        } finally {
            entityManager.close();
        }
        assertThat(databases.built("shop-db", "outbox")).as("built at its first use").isTrue();
    }

    @Test
    void aFailedPollMakesTheNextOneCheckTheTableFirst() throws Exception {
        OutboxDatabases.Table reader = databases.table("shop-db", jdbc(url), "outbox", 2);
        OutboxTableWatch watch = new OutboxTableWatch("shop-outbox", "shop-db", "outbox", reader.database());
        try (var connection = reader.database().getConnection()) {
            connection.createStatement().execute("create table outbox (id varchar(64) primary key)");
        }
        assertThat(watch.begin(null, null)).isTrue();

        assertThat(watch.rollback(null, null, 0, new IllegalStateException("connection reset")))
                .as("no immediate retry").isFalse();
        assertThat(watch.ready()).isFalse();
        try (var connection = reader.database().getConnection()) {
            connection.createStatement().execute("drop table outbox");
        }
        assertThat(watch.begin(null, null)).as("the check after a failure finds the table gone").isFalse();
    }

    @Test
    void closingAnUnusedFactoryDoesNotBuildIt() {
        databases.table("shop-db", jdbc(url), "outbox", 2);
        databases.close();
        assertThat(databases.built("shop-db", "outbox")).isFalse();
    }

    private static Connection jdbc(String url) {
        return new Connection(ConnectionKind.JDBC, null, null, null, null, 0, 0, null, url, "shop", "", null);
    }
}
