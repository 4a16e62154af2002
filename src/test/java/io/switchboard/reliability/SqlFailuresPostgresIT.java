package io.switchboard.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.ServerSocket;

import io.switchboard.storage.Databases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * What the real PostgreSQL says, through Spring's JdbcTemplate as camel-sql calls it, lands in
 * the category an operator expects: bad rows are the data's fault, a refused login or a missing
 * grant a person's job, a broken statement a bug, an unreachable server an outage.
 */
class SqlFailuresPostgresIT {

    private static String database;
    private static JdbcTemplate shop;

    @BeforeAll
    static void ownDatabase() throws Exception {
        database = Databases.newPostgresDatabase("sb_sql_failures");
        shop = new JdbcTemplate(new DriverManagerDataSource(Databases.postgresDatabaseUrl(database),
                Databases.POSTGRES_USER, ""));
        shop.execute("create table orders (id text primary key, total numeric not null check (total >= 0))");
        shop.execute("drop role if exists " + database + "_reader");
        shop.execute("create role " + database + "_reader login");
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        Databases.dropPostgresDatabase(database);
        new JdbcTemplate(new DriverManagerDataSource(Databases.POSTGRES_URL, Databases.POSTGRES_USER, ""))
                .execute("drop role if exists " + database + "_reader");
    }

    @Test
    void aCheckConstraintViolationIsInvalidData() {
        Failure failure = failureOf(() -> shop.update("insert into orders(id, total) values ('o-1', -5)"));
        assertThat(failure.category()).isEqualTo(ErrorCategory.INVALID_DATA);
        assertThat(failure.message()).contains("orders_total_check").doesNotContain("Failing row").doesNotContain("-5");
    }

    @Test
    void aMissingValueAndAValueOfTheWrongTypeAreInvalidData() {
        assertThat(failureOf(() -> shop.update("insert into orders(id) values ('o-2')")).category())
                .isEqualTo(ErrorCategory.INVALID_DATA);
        assertThat(failureOf(() -> shop.update("insert into orders(id, total) values ('o-3', 'lots')")).category())
                .isEqualTo(ErrorCategory.INVALID_DATA);
    }

    @Test
    void aMissingGrantIsPermission() {
        JdbcTemplate reader = new JdbcTemplate(new DriverManagerDataSource(Databases.postgresDatabaseUrl(database),
                database + "_reader", ""));
        assertThat(failureOf(() -> reader.update("insert into orders(id, total) values ('o-4', 1)")).category())
                .isEqualTo(ErrorCategory.PERMISSION);
    }

    @Test
    void aLoginTheServerDoesNotKnowIsCredentials() {
        JdbcTemplate stranger = new JdbcTemplate(new DriverManagerDataSource(Databases.postgresDatabaseUrl(database),
                "no_such_user_" + database, "whatever"));
        assertThat(failureOf(() -> stranger.queryForObject("select 1", Integer.class)).category())
                .isEqualTo(ErrorCategory.CREDENTIALS);
    }

    @Test
    void aStatementThatDoesNotCompileIsABug() {
        assertThat(failureOf(() -> shop.update("insert into no_such_table values (1)")).category())
                .isEqualTo(ErrorCategory.BUG);
    }

    @Test
    void anUnreachableServerIsTransient() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        JdbcTemplate away = new JdbcTemplate(new DriverManagerDataSource(
                "jdbc:postgresql://127.0.0.1:" + closed + "/shop?connectTimeout=2", "shop", ""));
        assertThat(failureOf(() -> away.queryForObject("select 1", Integer.class)).category())
                .isEqualTo(ErrorCategory.TRANSIENT);
    }

    private static Failure failureOf(Runnable call) {
        Throwable thrown = catchThrowable(call::run);
        assertThat(thrown).as("the statement failed").isNotNull();
        return Failure.of(thrown);
    }
}
