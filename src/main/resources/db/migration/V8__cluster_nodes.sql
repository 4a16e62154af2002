-- The nodes that are alive: each node writes its heartbeat here, so the others know how
-- many share the work (a connection's rate limit is divided among the live nodes).
create table cluster_node (
    node_id    varchar(100) primary key,
    started_at timestamp with time zone not null,
    last_seen  timestamp with time zone not null
);
