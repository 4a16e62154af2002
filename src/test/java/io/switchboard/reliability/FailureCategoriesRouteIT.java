package io.switchboard.reliability;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * A route's failures land in their kind's category and the platform acts on it: a mail server
 * that greylists (451) is tried again and the event ends DONE; a row the shop database refuses
 * (a CHECK constraint) is parked as invalid-data at the first attempt, never retried. Real
 * systems: a scripted SMTP server and a PostgreSQL database of the test's own, called through
 * camel-sql, throttled as the contract asks.
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

    private static String database;
    private static DriverManagerDataSource shopDb;
    private static ScriptedSmtpServer smtp;

    @Autowired
    CamelContext camel;

    @BeforeAll
    static void systems() throws Exception {
        database = Databases.newPostgresDatabase("sb_failure_kinds");
        shopDb = new DriverManagerDataSource(Databases.postgresDatabaseUrl(database), Databases.POSTGRES_USER, "");
        new JdbcTemplate(shopDb).execute("create table orders (id text primary key, total numeric not null "
                + "check (total >= 0))");
        smtp = new ScriptedSmtpServer();
    }

    @AfterAll
    static void dropSystems() throws Exception {
        smtp.close();
        Databases.dropPostgresDatabase(database);
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
