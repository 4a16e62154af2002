package io.switchboard.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;

/** The same Flyway migrations build the schema on PostgreSQL 15. */
class PostgresMigrationsIT {

    @Test
    void migrationsApplyOnPostgres() throws Exception {
        String schema = Databases.newPostgresSchema("migrations");
        try {
            Flyway flyway = Flyway.configure()
                    .dataSource(Databases.postgresUrl(schema), Databases.POSTGRES_USER, "")
                    .schemas(schema)
                    .locations("classpath:db/migration", "classpath:db/vendor/postgresql")
                    .load();
            MigrateResult result = flyway.migrate();
            assertThat(result.success).isTrue();
            assertThat(result.migrationsExecuted).isEqualTo(flyway.info().all().length).isPositive();
            assertThat(flyway.validateWithResult().validationSuccessful).isTrue();
        } finally {
            Databases.dropPostgresSchema(schema);
        }
    }
}
