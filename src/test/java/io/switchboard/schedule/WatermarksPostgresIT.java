package io.switchboard.schedule;

import java.sql.SQLException;
import javax.sql.DataSource;

import io.switchboard.storage.Databases;
import org.junit.jupiter.api.AfterEach;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** The watermark store on PostgreSQL 15 (row lock on the claim, the same SQL as on H2). */
class WatermarksPostgresIT extends WatermarksContract {

    private String schema;
    private DataSource dataSource;

    @Override
    DataSource dataSource() {
        if (dataSource == null) {
            try {
                schema = Databases.newPostgresSchema("watermarks");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            dataSource = new DriverManagerDataSource(Databases.postgresUrl(schema), Databases.POSTGRES_USER, "");
            migrate(dataSource, "classpath:db/migration", "classpath:db/vendor/postgresql");
        }
        return dataSource;
    }

    @AfterEach
    void dropSchema() throws Exception {
        if (schema != null) {
            Databases.dropPostgresSchema(schema);
        }
    }
}
