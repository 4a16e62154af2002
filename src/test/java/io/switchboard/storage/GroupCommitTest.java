package io.switchboard.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.zaxxer.hikari.HikariDataSource;
import io.switchboard.storage.GroupCommit.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/** Writes from many threads share commits, each caller returns only after its own, and one bad write fails alone. */
class GroupCommitTest {

    private HikariDataSource dataSource;
    private GroupCommit groupCommit;
    private JdbcTemplate jdbc;

    @BeforeEach
    void start() {
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(String.format(Databases.H2_URL, "group_commit_" + System.nanoTime()));
        dataSource.setMaximumPoolSize(8);
        jdbc = new JdbcTemplate(dataSource);
        jdbc.execute("create table item (id varchar(40) primary key, n int)");
        jdbc.execute("create table trail (item_id varchar(40), note varchar(40))");
        groupCommit = new GroupCommit(dataSource, 1, 64, Duration.ofSeconds(30));
        groupCommit.start();
    }

    @AfterEach
    void stop() {
        groupCommit.stop();
        dataSource.close();
    }

    @Test
    void concurrentWritersShareCommitsAndEachSeesItsWriteCommittedOnReturn() throws Exception {
        int threads = 16;
        int each = 100;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            results.add(pool.submit(() -> {
                go.await();
                int committed = 0;
                for (int i = 0; i < each; i++) {
                    String id = thread + "-" + i;
                    int[] counts = groupCommit.commit(List.of(new Statement("insert into item (id, n) values (?, ?)", id, i),
                            new Statement("insert into trail (item_id, note) values (?, ?)", id, "written")));
                    assertThat(counts).containsExactly(1, 1);
                    // Visible to any other connection at once: committed, not merely queued.
                    committed += new JdbcTemplate(dataSource).queryForObject(
                            "select count(*) from item i join trail t on t.item_id = i.id where i.id = ?", Integer.class, id);
                }
                return committed;
            }));
        }
        go.countDown();
        int total = 0;
        for (Future<Integer> result : results) {
            total += result.get();
        }
        pool.shutdown();
        assertThat(total).isEqualTo(threads * each);
        assertThat(jdbc.queryForObject("select count(*) from item", Integer.class)).isEqualTo(threads * each);
        assertThat(jdbc.queryForObject("select count(*) from trail", Integer.class)).isEqualTo(threads * each);
        assertThat(groupCommit.sharedCommits()).as("commits that served more than one writer").isPositive();
    }

    @Test
    void aDuplicateKeyFailsOnlyItsOwnCallerAndTheRestOfItsBatchIsCommitted() throws Exception {
        jdbc.update("insert into item (id, n) values ('taken', 0)");
        int rounds = 0;
        while (groupCommit.batchesRunAlone() == 0 && rounds < 50) {
            rounds++;
            int round = rounds;
            int threads = 12;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> outcomes = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String id = t == 0 ? "taken" : round + "-" + t;
                outcomes.add(pool.submit(() -> {
                    go.await();
                    try {
                        groupCommit.commit(List.of(new Statement("insert into trail (item_id, note) values (?, ?)", id, "before"),
                                new Statement("insert into item (id, n) values (?, ?)", id, 1)));
                        return "ok";
                    } catch (DuplicateKeyException refused) {
                        return "duplicate";
                    }
                }));
            }
            go.countDown();
            assertThat(outcomes.get(0).get()).isEqualTo("duplicate");
            for (Future<String> other : outcomes.subList(1, threads)) {
                assertThat(other.get()).isEqualTo("ok");
            }
            pool.shutdown();
            assertThat(jdbc.queryForObject("select count(*) from item where id like ?", Integer.class, round + "-%"))
                    .isEqualTo(threads - 1);
            // The refused unit left nothing behind: its first statement was rolled back with it.
            assertThat(jdbc.queryForObject("select count(*) from trail where item_id = 'taken'", Integer.class)).isZero();
        }
        assertThat(groupCommit.batchesRunAlone()).as("a batch with the duplicate in it, run again write by write")
                .isPositive();
    }

    @Test
    void aStoppedGroupCommitStillWritesEachUnitInItsOwnTransaction() {
        groupCommit.stop();
        assertThat(groupCommit.update("insert into item (id, n) values (?, ?)", "after-stop", 7)).isOne();
        assertThatThrownBy(() -> groupCommit.update("insert into item (id, n) values (?, ?)", "after-stop", 8))
                .isInstanceOf(DuplicateKeyException.class);
        assertThat(jdbc.queryForObject("select n from item where id = 'after-stop'", Integer.class)).isEqualTo(7);
    }
}
