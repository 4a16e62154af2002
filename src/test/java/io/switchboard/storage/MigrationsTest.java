package io.switchboard.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;

/** The same Flyway migrations build the schema on the embedded H2 database (in its PostgreSQL mode). */
class MigrationsTest {

    @Test
    void migrationsApplyOnH2() {
        Flyway flyway = Flyway.configure()
                .dataSource(Databases.H2_URL.formatted("migrations-" + System.nanoTime()), "sa", "")
                .locations("classpath:db/migration", "classpath:db/vendor/h2")
                .load();
        MigrateResult result = flyway.migrate();
        assertThat(result.success).isTrue();
        assertThat(result.migrationsExecuted).isEqualTo(flyway.info().all().length);
        assertThat(flyway.validateWithResult().validationSuccessful).isTrue();
    }
}
