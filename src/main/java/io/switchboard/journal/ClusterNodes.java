package io.switchboard.journal;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * This node's heartbeat in the database, and how many nodes are alive. On one machine the
 * answer is 1; in a cluster every node learns the count within a heartbeat or two.
 */
@Component
public class ClusterNodes {

    private static final Logger log = LoggerFactory.getLogger(ClusterNodes.class);

    private final JdbcTemplate jdbc;
    private final NodeId node;
    private final Clock clock;
    private final Duration timeout;
    private final Instant startedAt;
    private volatile int live = 1;

    public ClusterNodes(JdbcTemplate jdbc, NodeId node, Clock clock,
            @Value("${switchboard.cluster.node-timeout:15s}") Duration timeout) {
        this.jdbc = jdbc;
        this.node = node;
        this.clock = clock;
        this.timeout = timeout;
        this.startedAt = Instant.now(clock);
    }

    /** Live nodes, this one included; never less than 1. */
    public int live() {
        return live;
    }

    @Scheduled(fixedDelayString = "${switchboard.cluster.heartbeat:5s}")
    public void heartbeat() {
        try {
            Timestamp now = Timestamp.from(Instant.now(clock));
            if (jdbc.update("update cluster_node set last_seen = ? where node_id = ?", now, node.value()) == 0) {
                jdbc.update("insert into cluster_node (node_id, started_at, last_seen) values (?, ?, ?)", node.value(),
                        Timestamp.from(startedAt), now);
            }
            Integer count = jdbc.queryForObject("select count(*) from cluster_node where last_seen >= ?", Integer.class,
                    Timestamp.from(now.toInstant().minus(timeout)));
            int seen = Math.max(1, count == null ? 1 : count);
            if (seen != live) {
                log.info("live nodes: {} (was {})", seen, live);
                live = seen;
            }
        } catch (RuntimeException e) {
            // Keep the last known count: a database hiccup must not multiply anyone's rate.
            log.warn("heartbeat failed: {}", e.toString());
        }
    }
}
