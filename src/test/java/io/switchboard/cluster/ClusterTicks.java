package io.switchboard.cluster;

import java.sql.Timestamp;
import java.util.Date;

import io.switchboard.journal.NodeId;
import org.apache.camel.Exchange;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Records each firing of the cluster test's schedule: which tick, on which node. */
@Component("clusterTicks")
public class ClusterTicks {

    private final JdbcTemplate jdbc;
    private final NodeId node;

    public ClusterTicks(JdbcTemplate jdbc, NodeId node) {
        this.jdbc = jdbc;
        this.node = node;
    }

    private volatile boolean tableReady;

    public void record(Exchange exchange) {
        if (!tableReady) {
            try {
                jdbc.execute("create table if not exists cluster_tick (scheduled_fire_time timestamp with time zone "
                        + "not null, node_id varchar(100) not null)");
            } catch (RuntimeException anotherNodeMadeItFirst) {
                // the table exists now either way
            }
            tableReady = true;
        }
        Date scheduled = exchange.getMessage().getHeader("scheduledFireTime", Date.class);
        jdbc.update("insert into cluster_tick (scheduled_fire_time, node_id) values (?, ?)",
                new Timestamp(scheduled.getTime()), node.value());
    }
}
