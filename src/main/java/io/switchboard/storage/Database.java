package io.switchboard.storage;

import java.sql.Connection;
import java.util.Locale;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The engine behind the data source, asked once. PostgreSQL runs a claim or a settlement as
 * one statement (data-modifying {@code WITH}, {@code ON CONFLICT}): one round trip and one
 * implicit commit instead of four to six, which is most of what an event costs the
 * database. H2 has neither form and keeps the portable statements.
 */
@Component
public class Database {

    private final boolean postgres;

    public Database(DataSource dataSource) {
        this.postgres = Boolean.TRUE.equals(new JdbcTemplate(dataSource).execute((Connection c) ->
                c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres")));
    }

    public boolean postgres() {
        return postgres;
    }
}
