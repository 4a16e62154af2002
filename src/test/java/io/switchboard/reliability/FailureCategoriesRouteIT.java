package io.switchboard.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;

import io.switchboard.storage.Databases;
import io.switchboard.support.IntegrationTestSupport;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * A route's failures land in their kind's category and the platform acts on it: a mail server
 * that greylists (451) is tried again and the event ends DONE; a row the shop database refuses
 * (a CHECK constraint) is parked as invalid-data at the first attempt, never retried. Real
 * systems: a scripted SMTP server, and a PostgreSQL and a MariaDB database of the test's own,
 * called through camel-sql and through {@code connection:} (kind jdbc), throttled as the
 * contract asks.
 */
@TestPropertySource(properties = {
        "switchboard.integrations.failure-kinds.trigger=event",
        "switchboard.integrations.failure-kinds.event.name=failure-kinds.test",
        "switchboard.integrations.failure-kinds.card.description=mails and orders, to prove failure categories",
        "switchboard.integrations.failure-kinds.card.owner=tests",
        "switchboard.integrations.failure-kinds.inbox.retry-delay=100ms",
        "switchboard.integrations.failure-kinds.inbox.max-retry-delay=200ms",
        "switchboard.integrations.failure-kinds.inbox.max-attempts=5"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class FailureCategoriesRouteIT extends IntegrationTestSupport {

    private static final String ID = "failure-kinds";

    private static final String ORDERS = "create table orders (id varchar(64) primary key, total decimal(12, 2) not null, "
            + "constraint orders_total_check check (total >= 0))";

    private static String database;
    private static String mariaDb;
    private static DriverManagerDataSource shopDb;
    private static ScriptedSmtpServer smtp;

    @Autowired
    CamelContext camel;

    /** The databases' connections, as an operator declares them (the databases are made first). */
    @DynamicPropertySource
    static void connections(DynamicPropertyRegistry registry) throws Exception {
        systems();
        registry.add("switchboard.connections.failure-kinds-postgres.kind", () -> "jdbc");
        registry.add("switchboard.connections.failure-kinds-postgres.url", () -> Databases.postgresDatabaseUrl(database));
        registry.add("switchboard.connections.failure-kinds-postgres.username", () -> Databases.POSTGRES_USER);
        registry.add("switchboard.connections.failure-kinds-mariadb.kind", () -> "jdbc");
        registry.add("switchboard.connections.failure-kinds-mariadb.url", () -> Databases.mariaDbDatabaseUrl(mariaDb));
        registry.add("switchboard.connections.failure-kinds-mariadb.username", () -> Databases.MARIADB_USER);
    }

    @BeforeAll
    static void systems() throws Exception {
        if (database != null) {
            return;
        }
        database = Databases.newPostgresDatabase("sb_failure_kinds");
        shopDb = new DriverManagerDataSource(Databases.postgresDatabaseUrl(database), Databases.POSTGRES_USER, "");
        new JdbcTemplate(shopDb).execute("create table orders (id text primary key, total numeric not null "
                + "check (total >= 0))");
        mariaDb = Databases.newMariaDbDatabase("sb_failure_kinds");
        shop("mariadb").execute(ORDERS);
        smtp = new ScriptedSmtpServer();
    }

    @AfterAll
    static void dropSystems() throws Exception {
        smtp.close();
        Databases.dropPostgresDatabase(database);
        Databases.dropMariaDbDatabase(mariaDb);
    }

    /** The integration's route: a mail through a bean, or an order into the shop database. */
    @BeforeEach
    void route() throws Exception {
        if (camel.getRoute(ID) != null) {
            return;
        }
        camel.getRegistry().bind("failureKindsShop", shopDb);
        camel.getRegistry().bind("failureKindsMailer", new Mailer(smtp.sender(null, null)));
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("inbox:" + ID).routeId(ID)
                        .idempotentConsumer(simple("${header.SwitchboardEventId}"))
                        .idempotentRepository(IdempotencyRepositories.beanName(ID))
                        .throttle(20)
                        .unmarshal().json()
                        .choice()
                        .when(simple("${body[kind]} == 'mail'"))
                        .to("bean:failureKindsMailer?method=send")
                        .when(simple("${body[kind]} == 'postgres-connection'"))
                        .to("connection:failure-kinds-postgres?sql=insert into orders (id, total) values (:#id, :#total)")
                        .when(simple("${body[kind]} == 'mariadb-connection'"))
                        .to("connection:failure-kinds-mariadb?sql=insert into orders (id, total) values (:#id, :#total)")
                        .otherwise()
                        .to("sql:insert into orders(id, total) values (:#id, :#total)?dataSource=#failureKindsShop");
            }
        });
    }

    @Test
    void aGreylistedMailIsTriedAgainAndTheEventEndsDone() throws Exception {
        smtp.answer("RCPT", "451 4.7.1 Greylisted, please try again later");
        int before = smtp.delivered();
        String eventId = enqueue(ID, "mail-" + UUID.randomUUID(), Map.of("kind", "mail", "to", "buyer@example.com"));

        awaitStatus(eventId, "DONE");
        assertThat(jdbc.queryForObject("select attempts from event where id = ?", Integer.class, eventId)).isEqualTo(2);
        assertThat(smtp.delivered()).isEqualTo(before + 1);
    }

    @Test
    void aRowTheDatabaseRefusesIsParkedAsInvalidDataAtTheFirstAttempt() throws Exception {
        String order = "o-" + UUID.randomUUID();
        String eventId = enqueue(ID, order, Map.of("kind", "order", "id", order, "total", -5));

        awaitStatus(eventId, "DEAD");
        Map<String, Object> letter = deadLetter(eventId);
        assertThat(letter.get("category")).isEqualTo("invalid-data");
        assertThat(letter.get("attempts")).isEqualTo(1);
        assertThat(String.valueOf(letter.get("exception_message"))).contains("orders_total_check")
                .doesNotContain("Failing row"); // the row's values stay out of the dead letter
        assertThat(new JdbcTemplate(shopDb).queryForObject("select count(*) from orders where id = ?", Integer.class,
                order)).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"postgres", "mariadb"})
    void anOrderThroughTheDatabasesConnectionIsWritten(String db) throws Exception {
        String order = "o-" + UUID.randomUUID();
        String eventId = enqueue(ID, order, Map.of("kind", db + "-connection", "id", order, "total", 12.5));

        awaitStatus(eventId, "DONE");
        assertThat(shop(db).queryForObject("select total from orders where id = ?", Double.class, order))
                .isEqualTo(12.5);
    }

    /** PostgreSQL says 23514 (check_violation), MariaDB 23000: both class 23, the data's fault. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"postgres, 23514", "mariadb, 23000"})
    void aRowTheDatabaseRefusesThroughItsConnectionIsParkedAsInvalidDataAtTheFirstAttempt(String db, String sqlState)
            throws Exception {
        Throwable refused = catchThrowable(() -> shop(db).update("insert into orders (id, total) values ('x', -1)"));
        assertThat(NestedExceptionUtils.getMostSpecificCause(refused)).isInstanceOfSatisfying(SQLException.class,
                sql -> assertThat(sql.getSQLState()).isEqualTo(sqlState));
        String order = "o-" + UUID.randomUUID();
        String eventId = enqueue(ID, order, Map.of("kind", db + "-connection", "id", order, "total", -5));

        awaitStatus(eventId, "DEAD");
        Map<String, Object> letter = deadLetter(eventId);
        assertThat(letter.get("category")).isEqualTo("invalid-data");
        assertThat(letter.get("attempts")).isEqualTo(1);
        assertThat(String.valueOf(letter.get("exception_message"))).contains("orders_total_check")
                .doesNotContain("Failing row");
        assertThat(shop(db).queryForObject("select count(*) from orders where id = ?", Integer.class, order)).isZero();
    }

    private static JdbcTemplate shop(String db) {
        return db.equals("mariadb")
                ? new JdbcTemplate(new DriverManagerDataSource(Databases.mariaDbDatabaseUrl(mariaDb),
                        Databases.MARIADB_USER, ""))
                : new JdbcTemplate(shopDb);
    }

    /** Sends the event's mail as a route's bean would, through Spring's mail sender. */
    public static final class Mailer {

        private final JavaMailSenderImpl sender;

        Mailer(JavaMailSenderImpl sender) {
            this.sender = sender;
        }

        public void send(Map<String, Object> body) {
            sender.send(ScriptedSmtpServer.message(String.valueOf(body.get("to"))));
        }
    }
}
