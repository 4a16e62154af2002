-- A scheduled integration's runs are events of its inbox (started by its cron or by a person).
-- One row per such integration, locked while a run is started, so two nodes (or a cron tick
-- and a "run now") cannot start two runs at once.
create table schedule_run_lock (
    integration varchar(100) primary key
);
