package io.switchboard.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import io.switchboard.support.TcpFaultProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Group commit when PostgreSQL goes away under a pooled connection (a TCP proxy resets it) and
 * comes back: the caller gets a failure that says "unavailable" (a data-access resource failure,
 * which the platform retries), not an unclassified one that would be taken for a bug; and the
 * next writes after the database is back commit without anybody restarting anything.
 */
class GroupCommitOutageIT {

    private String schema;
    private TcpFaultProxy proxy;
    private HikariDataSource dataSource;
    private GroupCommit groupCommit;

    @BeforeEach
    void poolBehindAProxy() throws Exception {
        schema = Databases.newPostgresSchema("group_commit_outage");
        proxy = new TcpFaultProxy("127.0.0.1", 5432);
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/test?currentSchema=" + schema);
        dataSource.setUsername(Databases.POSTGRES_USER);
        dataSource.setMaximumPoolSize(2);
        dataSource.setConnectionTimeout(1000);
        new JdbcTemplate(dataSource).execute("create table note (id int primary key, text varchar(20))");
        groupCommit = new GroupCommit(dataSource, 1, 16, Duration.ofSeconds(5));
        groupCommit.start();
    }

    @AfterEach
    void drop() throws Exception {
        groupCommit.stop();
        dataSource.close();
        proxy.close();
        Databases.dropPostgresSchema(schema);
    }

    @Test
    void aCutUnderPooledConnectionsFailsAsUnavailableAndTheNextWritesCommitOnceItIsBack() {
        groupCommit.commit(List.of(new GroupCommit.Statement("insert into note values (?, ?)", 1, "before"),
                new GroupCommit.Statement("insert into note values (?, ?)", 2, "before")));

        proxy.cut();
        // Used a moment ago, the reset connection goes out again unchecked (Hikari skips the check
        // within 500 ms of its last use): the write on it fails, and must say "unavailable".
        assertThatThrownBy(() -> groupCommit.commit(List.of(
                new GroupCommit.Statement("insert into note values (?, ?)", 3, "during"),
                new GroupCommit.Statement("insert into note values (?, ?)", 4, "during"))))
                .isInstanceOfAny(DataAccessResourceFailureException.class, TransientDataAccessException.class);
        assertThatThrownBy(() -> groupCommit.update("insert into note values (?, ?)", 5, "during"))
                .isInstanceOfAny(DataAccessResourceFailureException.class, TransientDataAccessException.class);

        proxy.restore();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() ->
                groupCommit.update("insert into note values (?, ?)", 6, "after") == 1);
        groupCommit.commit(List.of(new GroupCommit.Statement("insert into note values (?, ?)", 7, "after"),
                new GroupCommit.Statement("insert into note values (?, ?)", 8, "after")));
        assertThat(new JdbcTemplate(dataSource).queryForList("select id from note order by id", Integer.class))
                .containsExactly(1, 2, 6, 7, 8);
    }
}
